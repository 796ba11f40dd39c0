"""One file written for another tool read as facts: front matter, key lines, the Status
section, links, title and number, each with the line it came from."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..ids import file_number
from ..model import StatusRead
from ..pagetext import is_heading, scan
from .references import _WRITTEN_NUMBER
from .statuses import (
    _CHOSEN,
    _COMMENT,
    _LINK,
    _SUPERSEDED_BY,
    _SUPERSEDES,
    OUTCOME,
    _is_placeholder,
    _plain,
    _stated,
    read_status,
)

SOURCE_FORMATS = ("madr", "nygard", "log4brains")
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d{1,3}[.)])[ \t]+(.*)$")
_KEY_LINE = re.compile(r"^[ \t]*(?P<bullet>[-*+][ \t]+)?(?:\*\*|__)?(?P<key>[A-Za-z][A-Za-z _-]{0,30}?)"
                       r"[ \t]*(?:\*\*|__)?[ \t]*:[ \t]*(?:\*\*|__)?[ \t]*(?P<value>.*?)[ \t]*$")
_RELATION = re.compile(r"^[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)?(?P<kind>supersedes|supercedes|replaces|"
                       r"superseded[ \t]+by|superceded[ \t]+by|replaced[ \t]+by)(?:\*\*|__)?[ \t]*:?"
                       r"[ \t]*(?P<ref>.+?)[ \t]*$", re.I)
_TITLE_NUMBER = re.compile(r"^(?:(?P<n1>\d{1,7})\.[ \t]+|(?i:adr)[-_ ]?(?P<n2>\d{1,7})[ \t]*[:.\-–—][ \t]*)"
                           r"(?P<title>\S.*)$")
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
        if index in text.code or is_heading(line) or not line.strip() or _CHOSEN.match(line):
            continue  # a `Chosen option:` line was judged above
        if _stated(_COMMENT.sub("", line)):
            return True
    return False


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
        self.headings: list[tuple[int, int, str, str]]  # (index, level, key, text)
        self.code: set[int]
        headings, self.code = scan(lines, start)  # code: indexes of lines in fences, fences too
        self.headings = [(h.index, h.level, _heading_key(h.text), h.text) for h in headings]

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
