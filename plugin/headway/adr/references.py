"""The files of an ADR folder, and references between its records (`ADR-7`, `0007-x.md`, a
link) resolved to ids."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from ..ids import file_id, file_number, slugify
from .statuses import _LINK, _plain

_REF_NUMBER = re.compile(r"(?:\b(?i:adr)[-_ #]*|#|^[ \t]*)(?P<n>\d{1,7})\b")
_WRITTEN_NUMBER = re.compile(r"^(?:(?i:adr)[-_ #]*)?(?P<n>\d{1,7})$")
_REF_FILE = re.compile(r"(?P<name>[\w.-]+)\.(?:md|markdown|html?)\b")
_REF_ID = re.compile(r"^[A-Za-z0-9][\w.-]*$")
_TEMPLATE_NAME = re.compile(r"^(?:adr[-_]?)?template(?:[-_].*)?$", re.I)
_ORDINARY_NAMES = frozenset({"index.md", "readme.md"})


@dataclass(frozen=True, slots=True)
class FolderIndex:
    """What a folder's file names say: the ids its records can have and their ADR numbers."""

    ids: frozenset[str]
    numbers: Mapping[int, tuple[str, ...]]  # ADR number → ids, in path order
    names: Mapping[str, str]  # id → file path relative to the folder

    def by_number(self, number: int) -> tuple[str, ...]:
        return self.numbers.get(number, ())


def index_folder(folder_dir: Path) -> FolderIndex:
    """List a folder on disk (and its subfolders) as MkDocs would find its Markdown pages."""
    names: list[str] = []
    for root, dirs, files in os.walk(folder_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        rel_root = Path(root).relative_to(folder_dir).as_posix()
        names.extend(name if rel_root == "." else f"{rel_root}/{name}" for name in sorted(files)
                     if name.endswith(".md") and not name.startswith("."))
    return folder_index(names)


def folder_index(names: Iterable[str]) -> FolderIndex:
    """What the file names of a folder (paths relative to it) say: ids and ADR numbers."""
    ids: dict[str, str] = {}
    numbers: dict[int, list[str]] = {}
    for rel in names:
        name = PurePosixPath(rel).name
        if _ordinary_name(name):
            continue
        rid = file_id(name)
        ids.setdefault(rid, rel)
        number = file_number(name)
        if number is not None:
            numbers.setdefault(int(number), []).append(rid)
    return FolderIndex(frozenset(ids), {n: tuple(v) for n, v in numbers.items()}, ids)


def _ordinary_name(name: str) -> bool:
    lower = name.lower()
    return lower in _ORDINARY_NAMES or bool(_TEMPLATE_NAME.match(PurePosixPath(lower).stem))


@dataclass(frozen=True, slots=True)
class _Candidate:
    """One way a reference may name a record: by id (a file's stem) or by ADR number."""

    id: str | None = None
    number: int | None = None
    trusted: bool = False  # a link or file name: taken even when the folder cannot be listed


def _candidates(ref: Any) -> list[_Candidate]:
    """The ways a reference (a link, a file name, `ADR-0123`, `7`, an id) names a record, most
    precise first."""
    if isinstance(ref, bool) or ref is None:
        return []
    if isinstance(ref, int):
        return [_Candidate(number=ref)]
    text = str(ref).strip()
    out: list[_Candidate] = []
    for link in _LINK.finditer(text):
        target = link["target"].split("#", 1)[0].split("?", 1)[0].rstrip("/")
        stem = PurePosixPath(target).name
        for suffix in (".md", ".markdown", ".html", ".htm"):
            stem = stem.removesuffix(suffix)
        if stem and stem.lower() not in ("index", "readme"):
            out.append(_Candidate(id=slugify(stem), trusted=True))
        label = _REF_NUMBER.search(link["label"])
        if label:
            out.append(_Candidate(number=int(label["n"])))
    if out:
        return out
    out.extend(_Candidate(id=slugify(f["name"]), trusted=True) for f in _REF_FILE.finditer(text))
    plain = _plain(text).strip("[]")
    if _REF_ID.match(plain) and not plain.isdigit():
        out.append(_Candidate(id=slugify(plain)))
    number = _REF_NUMBER.search(plain)
    if number:
        out.append(_Candidate(number=int(number["n"])))
    return out


def _resolve(ref: Any, index: FolderIndex | None, own_id: str) -> tuple[str | None, str]:
    """The id of the record a reference names, or None and why not."""
    candidates = _candidates(ref)
    if not candidates:
        return None, "names no record"
    ambiguous: tuple[str, ...] = ()
    for candidate in candidates:
        if candidate.id is not None:
            known = candidate.id in index.ids if index is not None else candidate.trusted
            if known:
                if candidate.id == own_id:
                    return None, "names the record itself"
                return candidate.id, ""
        elif candidate.number is not None and index is not None:
            ids = index.by_number(candidate.number)
            if len(ids) == 1:
                return (None, "names the record itself") if ids[0] == own_id else (ids[0], "")
            if ids:
                ambiguous = ids
    if ambiguous:
        return None, f"is ambiguous: {', '.join(ambiguous)} share that number"
    if index is None:
        return None, "cannot be checked (the folder could not be listed)"
    return None, "names no record in the folder"
