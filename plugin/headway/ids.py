"""Ids and the file names they come from: the one rule for what an id is, how text and file
names become one, and the number a file name starts with."""

from __future__ import annotations

import re
import unicodedata

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]*$")  # what the spec allows as an id


def slugify(text: str) -> str:
    """A valid id made from any text: lower case, runs of other characters become '-'. (ADR
    folders' ids come from it: a change here would rename their records.)"""
    slug = re.sub(r"[^a-z0-9._]+", "-", text.lower()).strip("-._")
    return slug or "record"


def title_slug(title: str, limit: int = 60) -> str:
    """The file name `headway new` makes of a title: as `slugify`, with accents dropped first
    (`Héllo` → `hello`, `Straße` → `strasse`) and at most `limit` characters, cut at a '-'
    when one is near."""
    plain = unicodedata.normalize("NFKD", title)
    slug = slugify("".join(c for c in plain if not unicodedata.combining(c)).casefold())
    if len(slug) > limit:
        cut = slug.rfind("-", 0, limit + 1)
        slug = slug[:cut if cut >= limit // 2 else limit].strip("-._") or "record"
    return slug


def file_stem(path: str) -> str:
    """The last part of a `/`-separated path without its extension, as PurePosixPath's
    `stem` (`a/0007-x.md` → `0007-x`, `.md` → `.md`), by string work: it runs for every
    page, several times."""
    name = path.rpartition("/")[2]
    dot = name.rfind(".")
    return name[:dot] if 0 < dot < len(name) - 1 else name


def default_id(src_uri: str) -> str:
    """The file name without `.md`; for `index.md` and `README.md`, the folder's name."""
    stem = file_stem(src_uri)
    if stem in ("index", "README"):
        folder = src_uri.rpartition("/")[0].rpartition("/")[2]
        if folder:
            return folder
    return stem


_FILE_NUMBER = re.compile(r"^(?:(?i:adr)[-_ ]?)?(?P<n>\d{1,7})(?=$|[-_ .])")
_DATED_NAME = re.compile(r"^\d{4}-\d{2}-\d{2}")


def file_number(name: str) -> str | None:
    """The record number a file name starts with (`0007-x.md`, `ADR-7.md` → `0007`, `7`), as
    written; a name that starts with a date (`2026-03-04-x.md`; `20210304-x.md` has eight
    digits) has none."""
    stem = file_stem(name)
    if _DATED_NAME.match(stem):
        return None
    match = _FILE_NUMBER.match(stem)
    return match["n"] if match else None


def file_id(path: str) -> str:
    """The id a record of an ADR folder takes from its file name (`0007-Use X.md` →
    `0007-use-x`)."""
    return slugify(file_stem(path))


def version_id(written: str | None, src_uri: str, headway: bool) -> str:
    """The id a version of a record had: the `id:` it wrote, in headway's format, else the one
    its file name (`src_uri`, in the docs folder) gave, by the rule of that format."""
    if headway:
        return written or default_id(src_uri)
    return file_id(src_uri)
