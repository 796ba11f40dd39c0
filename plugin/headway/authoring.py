"""`headway new`: a new record from its type's template, at a path that fits the folder."""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import jinja2
import yaml

from .catalog import build_catalog, discover
from .errors import AuthoringError, RecordExists
from .git.runner import GitRunner
from .ids import ID_PATTERN, slugify, title_slug
from .model import STATUSES, Record
from .render import template_dirs
from .settings import Settings
from .validate import article

_NUMBERED = re.compile(r"^(\d+)-")


def name_stems(title: str) -> Iterator[str]:
    """The stem of a new record's file name: the title's slug; when the title has nothing to
    make one of (all Chinese, say), `record`, then `record-2`, `record-3`, … for the caller to
    take the first that is free."""
    slug = title_slug(title)
    yield slug
    if slug == "record" and "record" not in title.casefold():
        yield from (f"record-{n}" for n in itertools.count(2))


def next_file_name(folder: Path, slug: str, first_width: int | None = None) -> str:
    """`0007-slug.md` when the folder numbers its records, else `slug.md`. A record of the
    same slug already numbered there is the file a second run would duplicate: its name is
    returned, so that the caller refuses to write. `first_width`: number a folder with no
    records yet from 1 with that many digits (its sibling folders number theirs)."""
    numbers = [m for p in folder.glob("*.md") if (m := _NUMBERED.match(p.name))]
    if not numbers:
        if first_width is not None and not any(folder.glob("*.md")):
            return f"{1:0{first_width}d}-{slug}.md"
        return f"{slug}.md"
    for match in numbers:
        if match.string == f"{match.group(1)}-{slug}.md":
            return match.string
    width = max(len(m.group(1)) for m in numbers)
    return f"{max(int(m.group(1)) for m in numbers) + 1:0{width}d}-{slug}.md"


def _inside_docs(folder: Path | None, docs: Path) -> Path | None:
    """`--dir` as given, or under the docs folder when it names a folder there (`--dir adr`
    for docs/adr); AuthoringError when it lies outside the docs folder, which is never
    published."""
    if folder is None:
        return None
    if not folder.is_absolute() and not folder.is_dir() and (docs / folder).is_dir():
        folder = docs / folder
    if not folder.resolve().is_relative_to(docs.resolve()):
        raise AuthoringError(f"--dir {folder} is outside the docs folder ({docs}), which is "
                             f"all that is published; give a folder inside it")
    return folder


def _numbered(folder: Path) -> bool:
    return folder.is_dir() and any(_NUMBERED.match(p.name) for p in folder.glob("*.md"))


def _sibling_width(docs: Path, folder: Path) -> int | None:
    """For a folder with no records yet: the width of the numbers its sibling folders of the
    same name use (`decisions/0004-x.md` in other initiatives), if most of them number theirs."""
    if folder.is_dir() and any(folder.glob("*.md")):
        return None
    widths: list[int] = []
    unnumbered = 0
    for sibling in docs.glob(f"*/{folder.name}"):
        names = [p.name for p in sibling.glob("*.md")]
        found = [m.group(1) for n in names if (m := _NUMBERED.match(n))]
        if found:
            widths.append(max(len(n) for n in found))
        elif names:
            unnumbered += 1
    if len(widths) <= unnumbered:
        return None
    return max(set(widths), key=widths.count)


def _id_of(target: Path) -> str:
    return target.parent.name if target.name == "index.md" else target.stem


def _target(settings: Settings, records: Mapping[str, Record], rtype: str, slug: str,
            initiative: str | None, folder: Path | None) -> Path:
    """Where a new record of this type, named `slug`, goes: `folder` (already inside the docs
    folder) when given, else its initiative's folder for its type, as the site lays them out."""
    docs = settings.docs_dir
    if rtype == "initiative":
        if folder is not None and any(folder.glob("*.md")):
            return folder / next_file_name(folder, slug)
        return (folder or docs / slug) / "index.md"
    assert initiative is not None
    if folder is None:
        home = docs / initiative
        owner_rec = records.get(initiative)
        if owner_rec is not None:
            source = docs / owner_rec.src_uri
            home = source.parent if source.name.lower() in ("index.md", "readme.md") \
                else source.parent / initiative
        folder = home / f"{rtype}s"
        if not folder.is_dir() and _numbered(home):  # records numbered beside the index
            folder = home
    return folder / next_file_name(folder, slug, _sibling_width(docs, folder))


def _check_initiative(initiative: str, known_ids: Mapping[str, str],
                      records: Iterable[Record], settings: Settings) -> None:
    """AuthoringError unless the initiative exists: it has a record, or records (or an ADR
    folder of the configuration) name it, which shows it as an implicit initiative."""
    existing = {i for i, rtype in known_ids.items() if rtype == "initiative"}
    existing.update(rec.initiative for rec in records if rec.initiative)
    existing.update(folder.initiative for folder in settings.adr_folders)
    if initiative in existing:
        return
    if known_ids.get(initiative):
        raise AuthoringError(f"--initiative '{initiative}' is {article(known_ids[initiative])}, "
                             f"not an initiative")
    close = difflib.get_close_matches(initiative, sorted(existing), n=1, cutoff=0.6)
    nearest = f"; did you mean --initiative {close[0]}?" if close else ""
    known = f" (existing: {', '.join(sorted(existing)[:8])}{', …' if len(existing) > 8 else ''})" \
        if existing and not close else ""
    raise AuthoringError(f"initiative '{initiative}' does not exist{nearest}{known}; to start "
                         f"a new initiative, add --new-initiative (or write its record first: "
                         f"headway new initiative \"Title\")")


def new_record(settings: Settings, rtype: str, title: str, initiative: str | None,
               folder: Path | None = None, new_initiative: bool = False) -> Path:
    """Write the record and return its path; RecordExists rather than overwrite.
    AuthoringError for an initiative that does not exist (no record, no record naming it,
    no ADR folder declaring it), unless `new_initiative` says to start one."""
    if rtype not in STATUSES:
        raise AuthoringError(f"unknown type '{rtype}'; expected one of {', '.join(STATUSES)}")
    if not title.strip():
        raise AuthoringError("the title must not be empty")
    if initiative is not None and not ID_PATTERN.match(initiative):
        raise AuthoringError(f"--initiative '{initiative}' is not an id (lowercase letters, "
                             f"digits, '-', '_', '.'), e.g. --initiative {slugify(initiative)}")
    if rtype != "initiative" and not initiative:
        raise AuthoringError(f"a {rtype} belongs to an initiative: add --initiative ID")
    docs = settings.docs_dir
    folder = _inside_docs(folder, docs)
    catalog = build_catalog(discover(settings), settings,
                            with_history=False)
    if initiative is not None and rtype != "initiative" and not new_initiative:
        _check_initiative(initiative, catalog.known_ids, catalog.records.values(), settings)
    stems = name_stems(title)
    target = _target(settings, catalog.records, rtype, next(stems), initiative, folder)
    for stem in stems:  # a made-up name: the next one while this one is taken
        if not (target.exists() or _id_of(target) in catalog.known_ids):
            break
        following = _target(settings, catalog.records, rtype, stem, initiative, folder)
        if following == target:  # the name is not the file's (an initiative's index.md)
            break
        target = following
    if target.exists():
        raise RecordExists(target)
    new_id = _id_of(target)
    if new_id in catalog.known_ids:
        raise AuthoringError(f"a record with id '{new_id}' already exists; choose another title")

    front: dict[str, object] = {"type": rtype}
    if rtype != "initiative":
        front["initiative"] = initiative
    front["status"] = STATUSES[rtype][0]
    if rtype == "initiative":  # to fill in: the template's body says it is here
        front["goal"] = ""
    owner = GitRunner(settings.config_dir).answer("config", "user.name")
    if owner:
        front["owner"] = owner
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(
        [str(settings.config_dir / ".headway" / "new"),
         *(str(Path(d) / "headway" / "new") for d in template_dirs())]),
        keep_trailing_newline=True, autoescape=False)
    body = env.get_template(f"{rtype}.md").render(title=title.strip(), **front)
    text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n\n" + body
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        handle = target.open("x", encoding="utf-8")  # "x": never overwrite, even in a race
    except FileExistsError:
        raise RecordExists(target) from None
    with handle:
        handle.write(text)
    return target
