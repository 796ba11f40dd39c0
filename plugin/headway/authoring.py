"""`headway new`: a new record from its type's template, at a path that fits the folder."""

from __future__ import annotations

import re
from pathlib import Path

import jinja2
import yaml

from .catalog import build_catalog, discover
from .history import GitRunner, GitTrouble
from .model import STATUSES
from .render import template_dirs
from .settings import Settings
from .validate import ID_PATTERN, slugify

_NUMBERED = re.compile(r"^(\d+)-")


class AuthoringError(Exception):
    """The new record cannot be written; the message says why and what to do."""


def git_user_name(cwd: Path) -> str | None:
    """`git config user.name`, or None when unset or git is unavailable."""
    try:
        name = GitRunner(cwd).run("config", "user.name").decode().strip()
    except GitTrouble:
        return None
    return name or None


def next_file_name(folder: Path, title: str) -> str:
    """`0007-title.md` when the folder numbers its records, else `title.md`. A record of the
    same title already numbered there is the file a second run would duplicate: its name is
    returned, so that the caller refuses to write."""
    slug = slugify(title)
    numbers = [m for p in folder.glob("*.md") if (m := _NUMBERED.match(p.name))]
    if not numbers:
        return f"{slug}.md"
    for match in numbers:
        if match.string == f"{match.group(1)}-{slug}.md":
            return match.string
    width = max(len(m.group(1)) for m in numbers)
    return f"{max(int(m.group(1)) for m in numbers) + 1:0{width}d}-{slug}.md"


def new_record(settings: Settings, rtype: str, title: str, initiative: str | None,
               folder: Path | None = None) -> Path:
    """Write the record and return its path; FileExistsError rather than overwrite."""
    if rtype not in STATUSES:
        raise AuthoringError(f"unknown type '{rtype}'; expected one of {', '.join(STATUSES)}")
    if not title.strip():
        raise AuthoringError("the title must not be empty")
    if initiative is not None and not ID_PATTERN.match(initiative):
        raise AuthoringError(f"--initiative '{initiative}' is not an id (lowercase letters, "
                             f"digits, '-', '_', '.'), e.g. --initiative {slugify(initiative)}")
    docs = settings.docs_dir
    catalog = build_catalog(discover(settings), settings,
                            with_history=False)
    if rtype == "initiative":
        slug = slugify(title)
        target = (folder or docs / slug) / "index.md"
        if folder is not None and any(folder.glob("*.md")):
            target = folder / next_file_name(folder, title)
    else:
        if not initiative:
            raise AuthoringError(f"a {rtype} belongs to an initiative: add --initiative ID")
        if folder is None:
            home = docs / initiative
            owner_rec = catalog.records.get(initiative)
            if owner_rec is not None:
                source = docs / owner_rec.src_uri
                home = source.parent if source.name.lower() in ("index.md", "readme.md") \
                    else source.parent / initiative
            folder = home / f"{rtype}s"
        target = folder / next_file_name(folder, title)
    if target.exists():
        raise FileExistsError(f"{target} already exists")
    new_id = target.parent.name if target.name == "index.md" else target.stem
    if new_id in catalog.known_ids:
        raise AuthoringError(f"a record with id '{new_id}' already exists; choose another title")

    front: dict[str, object] = {"type": rtype}
    if rtype != "initiative":
        front["initiative"] = initiative
    front["status"] = STATUSES[rtype][0]
    owner = git_user_name(settings.config_dir)
    if owner:
        front["owner"] = owner
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(
        [str(settings.config_dir / ".headway" / "new"),
         *(str(Path(d) / "headway" / "new") for d in template_dirs())]),
        keep_trailing_newline=True, autoescape=False)
    body = env.get_template(f"{rtype}.md").render(title=title.strip(), **front)
    text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n\n" + body
    target.parent.mkdir(parents=True, exist_ok=True)
    with target.open("x", encoding="utf-8") as handle:  # "x": never overwrite, even in a race
        handle.write(text)
    return target
