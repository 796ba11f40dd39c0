"""`headway convert`: a folder of records written for other tools rewritten into headway's
front matter, as a diff."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import yaml

from ..ids import default_id
from ..model import Problem, has_errors
from ..pagetext import first_heading
from ..parse import Limits, parse_document
from ..settings import AdrFolder
from ..statuses import status_note
from ..validate import PAGE_META_FIELDS, check_document, short_text
from .documents import DEFAULT_LIMITS, _parse, _Parsed
from .reading import _FRONT_KEYS, _key, _Span
from .references import index_folder


@dataclass(frozen=True, slots=True)
class Conversion:
    """One file of a folder being converted: its text before and after (None: left as it is)."""

    path: Path
    display: str
    before: str
    after: str | None
    note: str
    problems: tuple[Problem, ...] = ()

    def diff(self) -> str:
        if self.after is None:
            return ""
        return "".join(difflib.unified_diff(
            self.before.splitlines(keepends=True), self.after.splitlines(keepends=True),
            fromfile=f"a/{self.display}", tofile=f"b/{self.display}"))


def convert_folder(folder_dir: Path, folder: AdrFolder, docs_dir: Path, base: Path,
                   limits: Limits = DEFAULT_LIMITS) -> list[Conversion]:
    """Each Markdown file of the folder rewritten into headway's front matter (bodies and file
    names kept); ordinary pages and records already in headway's format are left as they are."""
    out: list[Conversion] = []
    index = index_folder(folder_dir)
    for root, dirs, files in os.walk(folder_dir):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.endswith(".md") or name.startswith("."):
                continue
            file = Path(root) / name
            src_uri = file.relative_to(docs_dir).as_posix()
            try:
                display = file.resolve().relative_to(base.resolve()).as_posix()
            except ValueError:
                display = file.as_posix()
            try:
                raw = file.read_bytes()
            except OSError as exc:
                out.append(Conversion(file, display, "", None, f"cannot be read: {exc}"))
                continue
            parsed = _parse(display, src_uri, raw, folder, limits, index)
            out.append(_convert(file, display, parsed))
    return out


def _convert(file: Path, display: str, parsed: _Parsed) -> Conversion:
    if parsed.doc is not None and parsed.reading is None:
        return Conversion(file, display, parsed.text, None, "already in headway's format",
                          tuple(parsed.problems))
    if parsed.doc is None or parsed.reading is None:
        note = "not converted: it has problems" if parsed.problems else "an ordinary page"
        return Conversion(file, display, parsed.text, None, note, tuple(parsed.problems))
    expected = check_document(parsed.doc).record
    for trim in (True, False):
        after = converted_text(parsed, trim=trim)
        new_doc, _ = parse_document(display, parsed.doc.src_uri, after.encode("utf-8"))
        result = check_document(new_doc) if new_doc is not None else None
        if result is not None and result.record is not None and expected is not None and \
                _same(result.record, expected) and \
                not has_errors(result.problems):
            note = "converted" if trim else "converted; the body is kept as it was"
            return Conversion(file, display, parsed.text, after, note, tuple(parsed.problems))
    return Conversion(file, display, parsed.text, None, "not converted: the result would not read "
                      "the same", tuple(parsed.problems))


_COMPARED = ("id", "type", "title", "status", "initiative", "date", "owner", "tags", "deciders",
             "options", "supersedes", "superseded_by")


def _same(a: object, b: object) -> bool:
    return all(getattr(a, name, None) == getattr(b, name, None) for name in _COMPARED)


def converted_text(parsed: _Parsed, *, trim: bool = True) -> str:
    """The file with headway's front matter; with `trim`, metadata lines that moved into the
    front matter leave the body when nothing else is on them and nothing was lost."""
    assert parsed.doc is not None and parsed.reading is not None
    doc, reading = parsed.doc, parsed.reading
    data = doc.data
    front: list[str] = []

    def put(key: str, value: Any, comment: str = "") -> None:
        dumped = _yaml(key, value)
        front.append(f"{dumped}  # {comment}" if comment and "\n" not in dumped else dumped)

    put("type", "decision")
    if default_id(doc.src_uri) != data["id"]:
        put("id", data["id"])
    if "title" in data and data["title"] != first_heading("\n".join(reading.lines[reading.body_start:])):
        put("title", data["title"])
    put("initiative", data["initiative"])
    if "status" in data:
        if doc.status_source == "kept" or "status" not in parsed.settled:
            comment = f"was: {short_text(doc.status_text or '', 80)}"
        elif doc.status_source == "inferred":
            comment = f"inferred: {status_note('inferred', data['status'], None)}"
        elif doc.status_source == "default":
            comment = status_note("default", data["status"], None) or ""
        else:
            comment = ""
        put("status", data["status"], comment)
    for key in ("date", "owner", "deciders", "tags", "options", "supersedes", "superseded_by"):
        if key in data:
            put(key, data[key])
    # Front-matter keys whose facts moved into headway's fields; any other is kept as a comment.
    moved = {"status", "date", "deciders", "owner", "tags", "title", "supersedes", "superseded_by"}
    if "date" not in reading.facts:
        moved.add("created")
    kept: list[str] = []
    for key, value in (reading.front or {}).items():
        if str(key) in PAGE_META_FIELDS:
            put(str(key), value)
        elif _FRONT_KEYS.get(_key(key)) not in moved:
            kept.extend(f"# {line}" for line in _yaml(key, value).split("\n"))
    if kept:
        front.append(f"# kept from the {reading.format.upper()} front matter (headway does not read "
                     f"these):")
        front.extend(kept)

    body = reading.lines[reading.body_start:]
    if trim and reading.front is None:
        body = _trim(reading.lines, reading.body_start, reading.spans, parsed.settled)
    text = "\n".join(body)
    separator = "" if reading.front is not None or text.startswith("\n") else "\n"
    return "---\n" + "\n".join(front) + "\n---\n" + separator + text


class _Dumper(yaml.SafeDumper):
    """Safe YAML that writes a list of plain values on one line, as headway's records do."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(isinstance(item, str | int | float | date) for item in data)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(list, _represent_list)


def _yaml(key: Any, value: Any) -> str:
    """`key: value` as YAML."""
    return yaml.dump({key: value}, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                     default_flow_style=False, width=1_000_000).rstrip("\n")


def _trim(lines: list[str], start: int, spans: list[_Span], settled: set[str]) -> list[str]:
    """The body without the spans whose facts all moved into the front matter intact."""
    drop: set[int] = set()
    for span in spans:
        if not span.clean or any(kind in ("status", "date", "relations") and kind not in settled
                                 for kind in span.kinds):
            continue
        end = span.end
        while end < len(lines) and not lines[end].strip() and (span.start == start
                                                                 or not lines[span.start - 1].strip()):
            end += 1
        drop.update(range(span.start, end))
    return [line for i, line in enumerate(lines) if i >= start and i not in drop]
