"""A file of an ADR folder → a headway document (a decision of the folder's initiative), and
the status each old version reads as, for git history."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any

from ..ids import file_id, file_number
from ..model import RECORD_TYPES, Problem, StatusRead, has_errors
from ..pagetext import split_front_matter
from ..parse import Document, Limits, decode, load_front_matter, parse_document
from ..settings import AdrFolder
from ..statuses import status_note
from ..validate import short_text
from .reading import AdrReading, read_adr, status_read
from .references import FolderIndex, _ordinary_name, _resolve
from .statuses import _COMMENT, KNOWN_STATUSES, _is_placeholder, _plain, read_status

DEFAULT_LIMITS = Limits()
_DAY = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T \t])")
_GENERATED = re.compile(r"<!--(?:(?!-->).){0,300}?(?:auto-?generated|automatically\s+generated|"
                        r"generated\s+(?:by|with|automatically)|do\s+not\s+edit|regenerate|adrlog)",
                        re.I | re.S)
_HEAD_BYTES = 65_536


def _headway_type(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower() in RECORD_TYPES


def _split_front_matter(text: str) -> tuple[str, int] | None:
    """The YAML of the front matter and the index of the line after it."""
    front = split_front_matter(text)
    return None if front is None else (front.yaml, front.body_start)


@dataclass(slots=True)
class _Parsed:
    """One file read in full: its document (None for an ordinary page), problems, and what the
    conversion needs to know about how safely its metadata lines can be moved."""

    doc: Document | None
    problems: list[Problem]
    reading: AdrReading | None = None
    text: str = ""
    settled: set[str] = field(default_factory=set)  # facts read without loss: status, date, relations


def parse_adr_document(path: str, src_uri: str, raw: bytes, folder: AdrFolder,
                       limits: Limits = DEFAULT_LIMITS, *, index: FolderIndex | None = None
                       ) -> tuple[Document | None, list[Problem]]:
    """Read one Markdown file of an ADR folder. `(None, [])` is an ordinary page (an index, a
    generated or template file, a page with no recognisable record); `(None, problems)` a
    broken one; else a decision in headway's vocabulary. Never raises on bad input."""
    parsed = _parse(path, src_uri, raw, folder, limits, index)
    return parsed.doc, parsed.problems


def _parse(path: str, src_uri: str, raw: bytes, folder: AdrFolder, limits: Limits,
           index: FolderIndex | None) -> _Parsed:
    name = PurePosixPath(src_uri).name
    if len(raw) > limits.max_file_bytes:
        head = raw[:_HEAD_BYTES].decode("utf-8", "replace")
        if re.search(r"^[ \t]*[\"']?type[\"']?[ \t]*:", head[:4096], re.M):
            return _Parsed(*parse_document(path, src_uri, raw, limits))
        if _ordinary_name(name) or not _recognisable(head, folder, name):
            return _Parsed(None, [])
        return _Parsed(None, [Problem(path, None, f"the record is {len(raw):,} bytes, over the limit "
                                      f"of {limits.max_file_bytes:,} (option max_file_bytes); split "
                                      f"it or raise the limit")])
    text, problems = decode(raw, path)
    if text is None:
        head = raw[:_HEAD_BYTES].decode("utf-8", "replace")
        if _ordinary_name(name) or not _recognisable(head, folder, name):
            return _Parsed(None, [])
        return _Parsed(None, problems)
    front: dict[str, Any] | None = None
    front_lines: dict[str, int] = {}
    body_start = 0
    split = _split_front_matter(text)
    if split is not None:
        fm_text, body_start = split
        data, front_lines, problems = load_front_matter(fm_text, path, limits, offset=1)
        if has_errors(problems):
            if re.search(r"^[\"']?type[\"']?[ \t]*:", fm_text, re.M):
                return _Parsed(*parse_document(path, src_uri, raw, limits))
            return _Parsed(None, [] if _ordinary_name(name) else problems)
        if isinstance(data, dict):
            if _headway_type(data.get("type")):
                return _Parsed(*parse_document(path, src_uri, raw, limits))
            front = data
    if _ordinary_name(name) or _generated(text, front):
        return _Parsed(None, [])
    reading = read_adr(text, front, front_lines, body_start, folder.format, name)
    if reading is None:
        return _Parsed(None, [])
    parsed = _document(path, src_uri, reading, folder, index)
    parsed.text = text
    return parsed


def _recognisable(head: str, folder: AdrFolder, name: str) -> bool:
    """Whether the start of an unreadable or oversized file looks like a record."""
    text = head.replace("\r\n", "\n")
    front, start = _lenient_front(text)
    return read_adr(text, front, {}, start, folder.format, name) is not None


def _lenient_front(text: str) -> tuple[dict[str, Any] | None, int]:
    """Front matter as a mapping when it reads cleanly (else None), and where the body starts."""
    split = _split_front_matter(text)
    if split is None:
        return None, 0
    data, _, problems = load_front_matter(split[0], "", DEFAULT_LIMITS, offset=1)
    clean = not has_errors(problems)
    return (data if isinstance(data, dict) and clean else None), split[1]


def _generated(text: str, front: Mapping[str, Any] | None) -> bool:
    if front is not None and str(front.get("generated", "")).strip().lower() in ("true", "yes"):
        return True
    return _GENERATED.search(text[:4096]) is not None


def _document(path: str, src_uri: str, reading: AdrReading, folder: AdrFolder,
              index: FolderIndex | None) -> _Parsed:
    """The reading in headway's vocabulary: a decision of the folder's initiative."""
    problems: list[Problem] = []
    settled: set[str] = set()
    facts = reading.facts
    rid = file_id(src_uri)
    first = reading.body_start + 1 if reading.front is None else 1
    data: dict[str, Any] = {"type": "decision", "id": rid, "initiative": folder.initiative}
    lines: dict[str, int] = {"type": first, "id": first}

    def warn(line: int | None, message: str) -> None:
        problems.append(Problem(path, line, message, "warning"))

    if reading.title is not None:
        data["title"], lines["title"] = reading.title

    status_text: str | None = None
    relations = list(reading.relations)
    read = status_read(reading, folder.default_status)
    if "status" in facts:
        value, line = facts["status"]
        written = _plain(str(value))
        status = read_status(written)
        data["status"], lines["status"] = status.status, line
        if written != status.status:
            status_text = written
        if status.known and not status.keeps:
            settled.add("status")
        elif not status.known:
            # A note, not a warning: ADR templates allow statuses of a team's own (MADR's
            # `status: {proposed | rejected | accepted | deprecated | … }`), and an explicit
            # status is shown as written; a --strict build must not fail on a valid folder.
            problems.append(Problem(path, line, (
                f"status '{short_text(written, 80)}' is not one headway knows, so the record "
                f"keeps the status it had before ('{status.status}' when it had none), with "
                f"'{short_text(written, 80)}' shown beside it; known statuses (any case): "
                f"{KNOWN_STATUSES}"), "note"))
        if status.superseded_by:
            relations.insert(0, ("superseded_by", status.superseded_by, line))
        if status.supersedes:
            relations.append(("supersedes", status.supersedes, line))
    else:
        settled.add("status")
        data["status"] = read.status
        note = status_note(read.source, read.status, None, folder.default_status) or ""
        problems.append(Problem(path, first, f"{note} (write a status line to say it outright)", "note"))

    day_fact = facts.get("date") or facts.get("created")
    if day_fact is not None:
        day = _to_date(day_fact[0])
        if day is not None:
            data["date"], lines["date"] = day, day_fact[1]
            settled.add("date")
        else:
            warn(day_fact[1], f"date '{short_text(str(day_fact[0]), 80)}' is not a date headway can read, "
                 f"so the record is published without it; write it as YYYY-MM-DD")
    else:
        settled.add("date")

    for name, reader in (("deciders", _names), ("tags", _tags)):
        if name in facts:
            items = reader(facts[name][0])
            if items:
                data[name], lines[name] = items, facts[name][1]
    if "owner" in facts:
        owner = ", ".join(_names(facts["owner"][0]))
        if owner:
            data["owner"], lines["owner"] = owner, facts["owner"][1]
    if reading.options:
        data["options"] = list(reading.options)
        if reading.options_line is not None:
            lines["options"] = reading.options_line

    unresolved = False
    for kind, ref, line in relations:
        if kind in data:
            continue
        target, why = _resolve(ref, index, rid)
        if target is None:
            unresolved = True
            shown = "superseded by" if kind == "superseded_by" else "supersedes"
            warn(line, f"'{shown} {short_text(str(ref), 80)}' {why}; the link is left out (link the "
                 f"record's file, e.g. [7. Title](0007-title.md), or write its number)")
            continue
        data[kind], lines[kind] = target, line
    if not unresolved:
        settled.add("relations")

    number = reading.number
    if number is not None and index is not None and file_number(PurePosixPath(src_uri).name) == number:
        same = index.by_number(int(number))
        if len(same) > 1 and same[0] != rid:
            warn(first, f"ADR number {number} is also used by {index.names.get(same[0], same[0])}: "
                 f"both are published, as '{same[0]}' and '{rid}', but a reference to ADR "
                 f"{int(number)} by number cannot tell them apart; renumber one of them")
    doc = Document(path=path, src_uri=src_uri, data=data, lines=lines, body=reading.body,
                   status_text=status_text, number=number, source_format=reading.format,
                   status_source=read.source)
    return _Parsed(doc, problems, reading, settled=settled)


def _to_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DAY.match(_plain(str(value)))
    if match is None:
        return None
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return None


def _names(value: Any) -> list[str]:
    """People as a list: a YAML list, or text separated by commas or semicolons."""
    items = value if isinstance(value, list) else re.split(r"[,;]", _COMMENT.sub("", str(value)))
    out: list[str] = []
    for item in items:
        if isinstance(item, Mapping):
            item = item.get("name") or next(iter(item.values()), "")
        text = _plain(str(item)) if item is not None else ""
        if text and not _is_placeholder(text) and text not in out:
            out.append(text)
    return out


def _tags(value: Any) -> list[str]:
    """Tags as a list; log4brains writes them "space and/or comma separated"."""
    if isinstance(value, list):
        return _names(value)
    text = _COMMENT.sub("", str(value))
    if _is_placeholder(text):
        return []
    parts = text.split(",") if "," in text else text.split()
    return [t for t in (_plain(p) for p in parts) if t]


def version_reading(raw: bytes, fmt: str = "auto") -> StatusRead | None:
    """How the status of one version of a file written for another tool reads, or None when
    it holds no recognisable record: what git history needs of each old version. (The
    folder's default_status is not known here: a "default" reading has headway's, and the
    catalog gives the folder's; see settle_history.)"""
    text = raw[:_HEAD_BYTES].decode("utf-8", "replace").replace("\r\n", "\n").lstrip("\ufeff")
    front, start = _lenient_front(text)
    if front is not None and str(front.get("generated", "")).lower() == "true":
        return None
    reading = read_adr(text, front, {}, start, fmt, "", old_version=True)
    return status_read(reading) if reading is not None else None


def version_status(raw: bytes, fmt: str = "auto") -> str | None:
    """The headway status one version reads as on its own (see version_reading)."""
    read = version_reading(raw, fmt)
    return read.status if read is not None else None
