"""Decision records written for other tools (MADR, adr-tools/Nygard, log4brains), read as headway's.

A Markdown file in an `adr_folders` folder is read where it is, as it is: its format is detected
per file (or forced by the folder's `format`), its facts are mapped onto headway's decision
vocabulary, and `validate.check_document` then treats it like any other decision.
`convert_folder` rewrites such a folder into headway's own front matter, for teams that move.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from .model import RECORD_TYPES, Problem, StatusRead, default_status, has_errors
from .parse import Document, Limits, decode, first_heading, load_front_matter, parse_document
from .settings import AdrFolder
from .statuses import status_note
from .validate import (
    PAGE_META_FIELDS,
    check_document,
    default_id,
    file_number,
    file_stem,
    short_text,
    slugify,
)

SOURCE_FORMATS = ("madr", "nygard", "log4brains")
DEFAULT_LIMITS = Limits()

# Statuses of other tools (compared in lower case) → headway's decision lifecycle.
STATUS_WORDS: dict[str, str] = {
    "draft": "exploring", "exploring": "exploring", "wip": "exploring",
    "work in progress": "exploring", "under discussion": "exploring",
    "proposed": "proposed", "proposal": "proposed", "pending": "proposed", "in review": "proposed",
    "under review": "proposed", "review": "proposed", "rfc": "proposed",
    "accepted": "accepted", "approved": "accepted", "adopted": "accepted", "agreed": "accepted",
    "decided": "accepted", "implemented": "accepted", "done": "accepted", "completed": "accepted",
    "complete": "accepted",
    "rejected": "rejected", "declined": "rejected", "refused": "rejected",
    "superseded": "superseded", "superceded": "superseded", "replaced": "superseded",
    "deprecated": "deprecated", "obsolete": "deprecated", "retired": "deprecated",
}
# Statuses that name none of their own: a decision amended (or modified) by a later one keeps
# the status it had (accepted, when nothing came before: only a decision is amended); `In
# progress` after `Accepted` is its carrying out, not a step back (exploring when first).
KEPT_WORDS: dict[str, str] = {"amended": "accepted", "modified": "accepted",
                              "in progress": "exploring"}
_PHRASES = sorted([*STATUS_WORDS, *KEPT_WORDS], key=len, reverse=True)
KNOWN_STATUSES = ", ".join([*STATUS_WORDS, *KEPT_WORDS, "superseded by <record>"])
# What a record without a status says it decided: MADR's `Chosen option: "…"` line.
_CHOSEN = re.compile(r"^[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)?chosen(?:[ \t]+(?:option|alternative)s?)?"
                     r"(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]*(?P<value>.*)$", re.I)
_NO_OUTCOME = frozenset({"", "tbd", "todo", "tba", "…", "...", "n/a", "none", "none yet", "pending"})
OUTCOME = "(outcome)"  # the `word` of a status read from a stated outcome

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_HEADING = re.compile(r"^ {0,3}(#{1,6})[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,3}[.)])[ \t]+(.*)$")
_KEY_LINE = re.compile(r"^[ \t]*(?P<bullet>[-*+][ \t]+)?(?:\*\*|__)?(?P<key>[A-Za-z][A-Za-z _-]{0,30}?)"
                       r"[ \t]*(?:\*\*|__)?[ \t]*:[ \t]*(?:\*\*|__)?[ \t]*(?P<value>.*?)[ \t]*$")
_RELATION = re.compile(r"^[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)?(?P<kind>supersedes|supercedes|replaces|"
                       r"superseded[ \t]+by|superceded[ \t]+by|replaced[ \t]+by)(?:\*\*|__)?[ \t]*:?"
                       r"[ \t]*(?P<ref>.+?)[ \t]*$", re.I)
_SUPERSEDED_BY = re.compile(r"\b(?:superseded|superceded|replaced)[ \t]+(?:by|with)\b[ \t]*:?"
                            r"[ \t]*(?P<ref>.*)", re.I)
_SUPERSEDES = re.compile(r"\b(?:supersedes|supercedes|replaces)\b[ \t]*:?[ \t]*(?P<ref>.+)", re.I)
_LINK = re.compile(r"\[(?P<label>[^\]\n]*)\]\([ \t]*<?(?P<target>[^)\s>]+)>?(?:[ \t]+\"[^\"\n]*\")?[ \t]*\)")
_TITLE_NUMBER = re.compile(r"^(?:(?P<n1>\d{1,7})\.[ \t]+|(?i:adr)[-_ ]?(?P<n2>\d{1,7})[ \t]*[:.\-–—][ \t]*)"
                           r"(?P<title>\S.*)$")
_REF_NUMBER = re.compile(r"(?:\b(?i:adr)[-_ #]*|#|^[ \t]*)(?P<n>\d{1,7})\b")
_WRITTEN_NUMBER = re.compile(r"^(?:(?i:adr)[-_ #]*)?(?P<n>\d{1,7})$")
_REF_FILE = re.compile(r"(?P<name>[\w.-]+)\.(?:md|markdown|html?)\b")
_REF_ID = re.compile(r"^[A-Za-z0-9][\w.-]*$")
_DAY = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T \t])")
_GENERATED = re.compile(r"<!--(?:(?!-->).){0,300}?(?:auto-?generated|automatically\s+generated|"
                        r"generated\s+(?:by|with|automatically)|do\s+not\s+edit|regenerate|adrlog)",
                        re.I | re.S)
_TEMPLATE_NAME = re.compile(r"^(?:adr[-_]?)?template(?:[-_].*)?$", re.I)
_ORDINARY_NAMES = frozenset({"index.md", "readme.md"})
_HEAD_BYTES = 65_536

# Front-matter keys of other tools (lower case, '-' and ' ' read as '_') → the fact they carry.
_FRONT_KEYS: dict[str, str] = {
    "status": "status", "date": "date", "decision_date": "date", "created": "created",
    "created_at": "created", "date_created": "created", "deciders": "deciders",
    "decision_makers": "deciders", "decisionmakers": "deciders", "decider": "deciders",
    "author": "owner", "authors": "owner", "owner": "owner", "tags": "tags", "tag": "tags",
    "title": "title", "superseded_by": "superseded_by", "supersededby": "superseded_by",
    "supersedes": "supersedes", "number": "number", "adr_number": "number", "num": "number",
    "id": "id",
}
# Facts any of which makes a front matter an ADR's, not an ordinary page's.
_FRONT_MARKS = frozenset({"status", "date", "deciders", "supersedes", "superseded_by", "number"})
_LINE_KEYS: dict[str, str] = {
    "status": "status", "date": "date", "deciders": "deciders", "decision_makers": "deciders",
    "tags": "tags", "author": "owner", "authors": "owner", "owner": "owner",
}
_DECISION_SECTIONS = frozenset({"context", "decision", "consequences", "decision outcome",
                                "context and problem statement", "considered options"})


# ---------------------------------------------------------------- statuses


@dataclass(frozen=True, slots=True)
class StatusReading:
    """A status as another tool writes it, mapped onto headway's decision lifecycle."""

    status: str  # one of model.STATUSES["decision"]
    known: bool  # False: not mapped, and `status` is headway's default
    superseded_by: str | None = None  # "superseded by X": X as written
    supersedes: str | None = None  # "accepted, supersedes X": X as written
    keeps: bool = False  # `amended`: names no status of its own (`status`: when none came before)
    word: str = ""  # the phrase that was mapped (lower case), or the whole text when none was


def read_status(text: str) -> StatusReading:
    """Map a status case-insensitively: `Accepted` → accepted, `superseded by [x](…)` → superseded."""
    plain = _plain(text)
    lower = " ".join(plain.lower().split()).strip(" .,;:!")
    if lower in STATUS_WORDS:
        return StatusReading(STATUS_WORDS[lower], True, word=lower)
    replaced = _SUPERSEDED_BY.search(plain)
    if replaced:
        return StatusReading("superseded", True, superseded_by=replaced["ref"].strip(" .,;") or None,
                             word="superseded by")
    for phrase in _PHRASES:  # "Accepted on 2021-03-04", "Proposed (awaiting review)"
        if lower.startswith(phrase) and not lower[len(phrase):len(phrase) + 1].isalnum():
            if phrase in KEPT_WORDS:  # "Amended by ADR-12"
                return StatusReading(KEPT_WORDS[phrase], True, keeps=True, word=phrase)
            inline = _SUPERSEDES.search(plain)
            return StatusReading(STATUS_WORDS[phrase], True,
                                 supersedes=inline["ref"].strip(" .,;") if inline else None,
                                 word=phrase)
    return StatusReading(default_status("decision"), False, keeps=True, word=lower)


def status_read(reading: AdrReading, default: str = "exploring") -> StatusRead:
    """How the status of one version of a record is read: the status it writes, mapped; else
    accepted when it states its outcome; else `default` (the folder's). The one reading of
    current and old versions alike (history.py reads old ones through version_reading)."""
    if "status" in reading.facts:
        written = _plain(str(reading.facts["status"][0]))
        mapped = read_status(written)
        return StatusRead(mapped.status, "kept" if mapped.keeps else "written", written, mapped.word)
    if reading.outcome:
        return StatusRead("accepted", "inferred", None, OUTCOME)
    return StatusRead(default, "default")


def states_outcome(text: _Text) -> bool:
    """Whether a record says what was decided: a MADR `Chosen option:` (or `Chosen
    alternative:`) line naming one, or a Nygard `Decision` section with text that is not a
    template's placeholder. A scan of the lines already split (no Markdown parse): this runs
    on every old version of a record without a status."""
    for index in range(text.start, len(text.lines)):
        chosen = _CHOSEN.match(text.lines[index])
        if chosen is not None and index not in text.code and _stated(chosen["value"]):
            return True
    section = text.section(("decision",))
    if section is None:
        return False
    for index in range(section[0] + 1, section[1]):
        line = text.lines[index]
        if index in text.code or _HEADING.match(line) or not line.strip() or _CHOSEN.match(line):
            continue  # a `Chosen option:` line was judged above
        if _stated(_COMMENT.sub("", line)):
            return True
    return False


def _stated(value: str) -> bool:
    """Whether a line names an outcome: not empty, `TBD`, or a placeholder (`{title of option 1}`)."""
    text = _COMMENT.sub("", value).strip().strip("\"'“”‘’*_`").strip()
    text = re.sub(r"^[-*+][ \t]+", "", text)
    if text.startswith("{") or (text.startswith("[") and not _LINK.match(text)):
        return False  # MADR's `"{title of option 1}"` (3, 4) and `"[option 1]"` (2)
    return text.lower().rstrip(".") not in _NO_OUTCOME and not _is_placeholder(text)


def _plain(text: str) -> str:
    """A value without HTML comments, Markdown emphasis or surrounding space."""
    text = _COMMENT.sub("", text).replace("**", "").replace("`", "")
    return text.strip().strip("*_").strip()


def _is_placeholder(value: str) -> bool:
    """A template's unfilled value: `[list everyone involved]`, `{proposed | accepted}`."""
    v = _COMMENT.sub("", value).strip()
    return len(v) >= 2 and v[0] in "[{" and v[-1] in "]}" and ("|" in v or "](" not in v)


# ---------------------------------------------------------------- the folder's files


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


def file_id(path: str) -> str:
    """The id a record of an ADR folder takes from its file name (`0007-Use X.md` →
    `0007-use-x`)."""
    return slugify(file_stem(path))


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


# ---------------------------------------------------------------- reading one file


@dataclass(frozen=True, slots=True)
class _Span:
    """Lines [start, end) of the file that hold facts read from them (for conversion)."""

    start: int
    end: int
    kinds: frozenset[str]
    clean: bool  # nothing in them but those facts


@dataclass(slots=True)
class _Found:
    """What one reader found: each fact with its 1-based line, relations, and their lines."""

    format: str
    facts: dict[str, tuple[Any, int]] = field(default_factory=dict)
    relations: list[tuple[str, Any, int]] = field(default_factory=list)  # (kind, ref, line)
    spans: list[_Span] = field(default_factory=list)

    def put(self, name: str, value: Any, line: int) -> None:
        self.facts.setdefault(name, (value, line))


@dataclass(slots=True)
class AdrReading:
    """Everything read from one file in another tool's format, before references resolve."""

    format: str
    facts: dict[str, tuple[Any, int]]
    relations: list[tuple[str, Any, int]]
    spans: list[_Span]
    lines: list[str]  # the whole file
    body_start: int  # index of the first line after the front matter
    front: dict[str, Any] | None
    title: tuple[str, int] | None
    number: str | None
    options: tuple[str, ...]
    options_line: int | None
    outcome: bool = False  # it states what was decided (see states_outcome)

    @property
    def body(self) -> str:
        return "\n".join(self.lines[self.body_start:])


class _Text:
    """The lines of a file with its headings found outside code fences."""

    def __init__(self, lines: list[str], start: int) -> None:
        self.lines = lines
        self.start = start
        self.headings: list[tuple[int, int, str, str]] = []  # (index, level, key, text)
        self.code: set[int] = set()  # indexes of lines in code fences (the fences too)
        fence: str | None = None
        for index in range(start, len(lines)):
            line = lines[index]
            opening = _FENCE.match(line)
            if opening:
                marker = opening.group(1)
                if fence is None:
                    fence = marker[0] * 3
                elif marker.startswith(fence):
                    fence = None
                self.code.add(index)
                continue
            if fence is not None:
                self.code.add(index)
                continue
            match = _HEADING.match(line)
            if match:
                text = match.group(2).strip()
                self.headings.append((index, len(match.group(1)), _heading_key(text), text))

    def title(self) -> tuple[int, str] | None:
        for index, level, _, text in self.headings:
            if level == 1:
                return index, text
        return None

    def section(self, keys: Iterable[str]) -> tuple[int, int] | None:
        """The first section whose heading is one of `keys`: (heading index, end index)."""
        wanted = set(keys)
        for i, (index, level, key, _) in enumerate(self.headings):
            if key in wanted:
                end = next((h[0] for h in self.headings[i + 1:] if h[1] <= level), len(self.lines))
                return index, end
        return None

    def preamble(self) -> tuple[int, int]:
        """The lines between the title (or the body's start) and the next heading."""
        title = self.title()
        start = title[0] + 1 if title else self.start
        end = next((h[0] for h in self.headings if h[0] >= start), len(self.lines))
        return start, end

    def has_section(self, keys: frozenset[str]) -> bool:
        return any(key in keys for _, _, key, _ in self.headings)


def _heading_key(text: str) -> str:
    return _COMMENT.sub("", text).replace("**", "").strip().strip("*_").strip().rstrip(":").lower()


def _key(name: Any) -> str:
    return str(name).strip().lower().replace("-", "_").replace(" ", "_")


def _read_front(front: Mapping[Any, Any], lines: Mapping[str, int], found: _Found,
                prefix: str = "") -> None:
    """MADR 3/4 front matter and the variants seen in the wild (`Accepted`, `authors`, `adr:`)."""
    for raw_key, value in front.items():
        key = _key(raw_key)
        line = lines.get(f"{prefix}{raw_key}", 1)
        if key == "adr" and not prefix:
            if isinstance(value, Mapping):
                nested = _Found(found.format)
                _read_front(value, lines, nested, f"{raw_key}.")
                for fact_name, fact in nested.facts.items():
                    found.put(fact_name, fact[0], fact[1])
                found.relations.extend(nested.relations)
            elif value is not None:
                found.put("number", value, line)
            continue
        name = _FRONT_KEYS.get(key)
        if name is None or value is None or value == "":
            continue
        if name in ("supersedes", "superseded_by"):
            for item in value if isinstance(value, list) else [value]:
                found.relations.append((name, item, line))
            found.put(name, value, line)
        elif name == "id":
            if isinstance(value, int) or _WRITTEN_NUMBER.match(str(value).strip()):
                found.put("number", value, line)
        elif name == "status" and isinstance(value, Mapping | list):
            found.put("template", True, line)  # MADR's `{proposed | rejected | …}` read as YAML
        else:
            found.put(name, value, line)


def _read_key_lines(text: _Text, start: int, end: int, bullets: bool, found: _Found) -> None:
    """`- Status: accepted` bullets (log4brains, MADR 2) or `Date: 2021-03-04` lines (adr-tools)."""
    block: list[int] = []
    clean = True
    kinds: set[str] = set()
    for index in range(start, end):
        line = text.lines[index]
        match = _KEY_LINE.match(line)
        if match is None or bool(match["bullet"]) != bullets:
            if block and line.strip():
                break  # the metadata block is one run of lines
            continue
        name = _LINE_KEYS.get(_key(match["key"]))
        if name is None:
            if bullets and block:
                clean = False
                block.append(index)
            continue
        value = _COMMENT.sub("", match["value"]).strip()
        block.append(index)
        kinds.add(name)
        if value and not _is_placeholder(value):
            found.put(name, value, index + 1)
            if name == "status":
                for extra in _SUPERSEDES.finditer(value):
                    if not _SUPERSEDED_BY.search(value):
                        found.relations.append(("supersedes", extra["ref"], index + 1))
        elif name == "status" and _is_placeholder(value):
            found.put("template", True, index + 1)
        if not bullets:
            found.spans.append(_Span(index, index + 1, frozenset({name}), True))
    if bullets and block:
        found.spans.append(_Span(block[0], block[-1] + 1, frozenset(kinds), clean))


def _read_status_section(text: _Text, found: _Found) -> None:
    """adr-tools/Nygard: `## Status`, its first line the status, then `Supersedes [..](..)` lines."""
    section = text.section(["status"])
    if section is None:
        for index, _, key, heading in text.headings:  # `## Status: Accepted`
            if key.startswith("status:") and key[7:].strip():
                found.put("status", _plain(heading.split(":", 1)[1]), index + 1)
                return
        return
    start, end = section
    status_seen = False
    clean = True
    for index in range(start + 1, end):
        line = _COMMENT.sub("", text.lines[index]).strip()
        if not line:
            continue
        relation = _RELATION.match(line)
        if not status_seen:
            status_seen = True
            value = _plain(re.sub(r"^[-*+][ \t]+", "", line))
            if _is_placeholder(value):
                found.put("template", True, index + 1)
            else:
                found.put("status", value, index + 1)
            if relation is None or not relation["kind"].lower().startswith(("supersedes", "supercedes",
                                                                            "replaces")):
                continue
        if relation is not None:
            kind = "supersedes" if relation["kind"].lower() in ("supersedes", "supercedes", "replaces") \
                else "superseded_by"
            found.relations.append((kind, relation["ref"], index + 1))
        else:
            clean = False  # prose, or links headway has no field for (Amended by, Clarifies)
    found.spans.append(_Span(start, end, frozenset({"status", "relations"}), clean))


def _read_links_section(text: _Text, found: _Found) -> None:
    """MADR 2/log4brains `## Links`: `- Supersedes [x](…)`, `- Superseded by [x](…)`."""
    section = text.section(["links"])
    if section is None:
        return
    for index in range(section[0] + 1, section[1]):
        relation = _RELATION.match(_COMMENT.sub("", text.lines[index]))
        if relation is not None and text.lines[index].lstrip()[:1] in "-*+":
            kind = "supersedes" if relation["kind"].lower() in ("supersedes", "supercedes", "replaces") \
                else "superseded_by"
            found.relations.append((kind, relation["ref"], index + 1))


def _options(text: _Text) -> tuple[tuple[str, ...], int | None]:
    """The items of `## Considered Options` (MADR, log4brains): headway's `options`."""
    section = text.section(["considered options"])
    if section is None:
        return (), None
    out: list[str] = []
    for index in range(section[0] + 1, section[1]):
        match = _LIST_ITEM.match(text.lines[index])
        if match is None:
            continue
        option = _LINK.sub(lambda link: link["label"], _COMMENT.sub("", match.group(1))).strip()
        if option and option not in ("…", "...") and not _is_placeholder(option) and len(out) < 50:
            out.append(option)
    return tuple(out), section[0] + 1


def read_adr(text: str, front: dict[str, Any] | None, front_lines: Mapping[str, int],
             body_start: int, fmt: str, name: str, *, old_version: bool = False
             ) -> AdrReading | None:
    """Read one file's facts in the format `fmt` (`auto`: each reader, front matter first).
    None when the file holds no recognisable record. `old_version`: an old version of a file
    (its name unknown) that is a record now: read as if its name were numbered, as most
    records' are, so that it is recognised as the current version is."""
    lines = text.split("\n")
    body = _Text(lines, body_start)
    readers: list[_Found] = []
    if fmt in ("auto", "madr") and front:
        found = _Found("madr")
        _read_front(front, front_lines, found)
        if _FRONT_MARKS & set(found.facts) or found.relations:
            readers.append(found)
    preamble = body.preamble()
    if fmt in ("auto", "log4brains"):
        found = _Found("log4brains")
        _read_key_lines(body, *preamble, True, found)
        if found.facts:
            readers.append(found)
    if fmt in ("auto", "nygard"):
        found = _Found("nygard")
        _read_key_lines(body, *preamble, False, found)
        _read_status_section(body, found)
        if found.facts:
            readers.append(found)
    facts: dict[str, tuple[Any, int]] = {}
    relations: list[tuple[str, Any, int]] = []
    for found in readers:
        for key, fact in found.facts.items():
            facts.setdefault(key, fact)
        relations.extend(found.relations)
    links = _Found("links")
    _read_links_section(body, links)
    relations.extend(links.relations)

    heading = body.title()
    title: tuple[str, int] | None = None
    heading_number: str | None = None
    if heading is not None:
        title_text = _COMMENT.sub("", heading[1]).strip()
        numbered = _TITLE_NUMBER.match(title_text)
        if numbered:
            heading_number = numbered["n1"] or numbered["n2"]
            title_text = numbered["title"].strip()
        if title_text and not _is_placeholder(title_text):
            title = (title_text, heading[0] + 1)
        elif _is_placeholder(title_text):
            facts.setdefault("template", (True, heading[0] + 1))
    written_title = facts.get("title")
    if written_title is not None and isinstance(written_title[0], str | int | float) \
            and str(written_title[0]).strip():
        title = (str(written_title[0]).strip(), written_title[1])
    number = _number(facts.get("number"), name, heading_number)

    if "template" in facts and "status" not in facts:
        return None
    # A record that writes no status is read from what it says (see status_read).
    outcome = "status" not in facts and states_outcome(body)
    recognised = bool({"status", "date", "deciders"} & set(facts)) or (
        (number is not None or outcome or old_version) and body.has_section(_DECISION_SECTIONS))
    if not recognised:
        return None
    status_reader = next((f for f in readers if "status" in f.facts), None)
    if status_reader is not None:
        source = status_reader.format
    elif readers:
        source = readers[0].format
    elif fmt in SOURCE_FORMATS:
        source = fmt
    else:
        source = "madr" if body.has_section(frozenset({"decision outcome", "considered options",
                                                       "context and problem statement"})) else "nygard"
    options, options_line = _options(body)
    return AdrReading(
        format=source, facts=facts, relations=relations,
        spans=[span for f in readers for span in f.spans], lines=lines, body_start=body_start,
        front=front, title=title, number=number, options=options, options_line=options_line,
        outcome=outcome,
    )


def _number(fact: tuple[Any, int] | None, name: str, heading_number: str | None) -> str | None:
    """The ADR number as written: front matter (`adr: 7`, `adr: {number: 7}`), else the file
    name (`0007-x.md`), else the title (`# 7. X`)."""
    if fact is not None and not isinstance(fact[0], bool):
        match = _WRITTEN_NUMBER.match(str(fact[0]).strip())
        if match:
            return match["n"]
    return file_number(name) or heading_number


# ---------------------------------------------------------------- to a headway document


def _ordinary_name(name: str) -> bool:
    lower = name.lower()
    return lower in _ORDINARY_NAMES or bool(_TEMPLATE_NAME.match(PurePosixPath(lower).stem))


def _headway_type(value: Any) -> bool:
    return isinstance(value, str) and value.strip().lower() in RECORD_TYPES


def _split_front_matter(text: str) -> tuple[str, int] | None:
    """The YAML between a first line `---` and the next `---` (or `...`) line, and the index of
    the line after it."""
    if not text.startswith("---"):
        return None
    lines = text.split("\n", 1)
    if lines[0].rstrip() != "---":
        return None
    rest = lines[1] if len(lines) > 1 else ""
    closing = re.search(r"^(?:---|\.\.\.)[ \t]*$", rest, re.M)
    if closing is None:
        return None
    fm_text = rest[: closing.start()]
    return fm_text, fm_text.count("\n") + 2


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
        data, front_lines, problems = load_front_matter(fm_text, path, limits, offset=2)
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
    data, _, problems = load_front_matter(split[0], "", DEFAULT_LIMITS, offset=2)
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


# ---------------------------------------------------------------- conversion


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
