"""The record model: typed dataclasses for records, their parts, problems and git facts."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, NamedTuple

RecordType = Literal["initiative", "learning", "decision"]
# A note is for the reader's information (a status read from what a record says): listed by
# `headway check`, never counted as a problem, not even under --strict.
Severity = Literal["error", "warning", "note"]

RECORD_TYPES: tuple[RecordType, ...] = ("initiative", "learning", "decision")

STATUSES: dict[str, tuple[str, ...]] = {
    "initiative": ("active", "paused", "done", "cancelled"),
    "learning": ("open", "done"),
    "decision": ("exploring", "proposed", "accepted", "rejected", "superseded", "deprecated"),
}
RESOLVED: dict[str, frozenset[str]] = {
    "initiative": frozenset({"done", "cancelled"}),
    "learning": frozenset({"done"}),
    "decision": frozenset({"accepted", "rejected", "superseded", "deprecated"}),
}
ACTION_STATUSES: tuple[str, ...] = ("open", "done", "blocked")

# What each front-matter field holds. The validator reads fields by these kinds and the JSON
# Schema (schema.py) is generated from them, so that the two cannot drift apart.
#   text: a string (numbers and dates are read as text)   texts: a list of strings
#   date: an ISO date                                     flag: true or false
#   waiting: a list of {who, what, since, due, done}      actions: a list of actions
#   ref: the id of another record (text that must be a valid id: it names a page)
#   type, id, status: checked on their own terms
FieldKind = Literal["type", "id", "status", "text", "texts", "date", "flag", "waiting",
                    "actions", "ref"]
COMMON_KINDS: dict[str, FieldKind] = {
    "type": "type", "id": "id", "title": "text", "status": "status", "owner": "text",
    "date": "date", "tags": "texts", "depends_on": "texts", "waiting_on": "waiting",
}
TYPE_KINDS: dict[str, dict[str, FieldKind]] = {
    "initiative": {"goal": "text", "target": "date"},
    "learning": {"initiative": "ref", "question": "text", "participants": "texts",
                 "sources": "texts"},
    "decision": {"initiative": "ref", "deciders": "texts", "informed_by": "texts",
                 "options": "texts", "supersedes": "text", "superseded_by": "text",
                 "actions": "actions"},
}
WAITING_KINDS: dict[str, FieldKind] = {
    "who": "text", "what": "text", "since": "date", "due": "date", "done": "flag"}
ACTION_KINDS: dict[str, FieldKind] = {
    "what": "text", "owner": "text", "due": "date", "status": "status", "waiting_on": "waiting"}
REQUIRED: dict[str, tuple[str, ...]] = {
    "initiative": ("type",), "learning": ("type", "initiative"),
    "decision": ("type", "initiative"), "waiting": ("who", "what"), "action": ("what",)}

COMMON_FIELDS: tuple[str, ...] = tuple(COMMON_KINDS)
TYPE_FIELDS: dict[str, tuple[str, ...]] = {t: tuple(k) for t, k in TYPE_KINDS.items()}
WAITING_FIELDS: tuple[str, ...] = tuple(WAITING_KINDS)
ACTION_FIELDS: tuple[str, ...] = tuple(ACTION_KINDS)


TYPE_LABELS = {"initiative": "Initiative", "learning": "Learning", "decision": "Decision"}


def default_status(record_type: str) -> str:
    """The first status of a type's lifecycle, which a record without `status` has."""
    return STATUSES[record_type][0]


_NONE_RESOLVED: frozenset[str] = frozenset()


def is_resolved(record_type: str, status: str) -> bool:
    return status in RESOLVED.get(record_type, _NONE_RESOLVED)  # (block history: 40,000 calls)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with a record: where it is, what is wrong and what would be right."""

    path: str
    line: int | None
    message: str
    severity: Severity = "error"
    # "unbuildable": MkDocs itself could not build the page (not UTF-8, over the size limit),
    # so the site leaves the page out rather than fail.
    code: str = ""

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.message}"


def has_errors(problems: Iterable[Problem]) -> bool:
    """Whether any of the problems is an error, not only a warning."""
    return any(p.severity == "error" for p in problems)


@dataclass(frozen=True, slots=True)
class WaitingOn:
    """An open (or done) request to a person or team outside the record."""

    who: str
    what: str
    since: date | None = None
    due: date | None = None
    done: bool = False
    line: int | None = None


@dataclass(frozen=True, slots=True)
class Action:
    """Something a decision assigns to someone."""

    what: str
    owner: str | None = None
    due: date | None = None
    status: str = "open"
    waiting_on: tuple[WaitingOn, ...] = ()
    line: int | None = None

    @property
    def open_waits(self) -> tuple[WaitingOn, ...]:
        """What the action still waits for (nothing, once the action is done)."""
        return () if self.status == "done" else tuple(w for w in self.waiting_on if not w.done)

    @property
    def blocked(self) -> bool:
        """Marked blocked, or waiting on someone; a done action is never blocked."""
        return self.status == "blocked" or bool(self.open_waits)


# Where a record's status comes from (see adr.py for records written for other tools):
#   written   its status line, in headway's lifecycle or mapped onto it (`Done` → accepted)
#   kept      a status line that names no status of its own (`Amended`, or one headway does
#             not know): the record keeps the status it had before
#   inferred  no status line: read from what the record says (it states its outcome)
#   default   no status line and nothing to read it from: the type's (or folder's) default
STATUS_SOURCES: tuple[str, ...] = ("written", "kept", "inferred", "default")


@dataclass(frozen=True, slots=True)
class StatusRead:
    """The status of one version of a record written for another tool, and how it was read;
    current and old versions are read alike (adr.reading.status_read)."""

    status: str  # headway's; for "kept", what it is when nothing came before
    source: str  # one of STATUS_SOURCES
    written: str | None = None  # the status as written, None when none was
    word: str | None = None  # what tells one reading from another: a change makes a history entry


@dataclass(frozen=True, slots=True)
class StatusChange:
    """One entry of a record's status history, read from git."""

    status: str
    date: datetime  # of the commit that counts, with the committer's offset (see git/tally.py)
    commit: str
    author: str
    written: str | None = None  # the status as written in that version (None: none written)
    source: str = "written"  # how it was read: one of STATUS_SOURCES


@dataclass(frozen=True, slots=True)
class GitFacts:
    """What git says about one file: dates, authors and status history."""

    # committer dates, with the committer's offset
    created: datetime | None = None
    updated: datetime | None = None
    authors: tuple[str, ...] = ()
    status_history: tuple[StatusChange, ...] = ()
    uncommitted: bool = False
    # commit in which each current depends_on entry was (last) added
    depends_added: tuple[tuple[str, datetime], ...] = ()
    # what block history is replayed from: each version whose blocking inputs changed
    flow_versions: tuple[FlowVersion, ...] = ()


class WaitState(NamedTuple):
    """A `waiting_on` entry as an old version of a record wrote it (`since` as text)."""

    who: str
    what: str
    since: str | None
    done: bool


class ActionState(NamedTuple):
    """An action as an old version of a decision wrote it."""

    what: str
    status: str
    waits: tuple[WaitState, ...]


class FlowFields(NamedTuple):
    """The blocking inputs of one version that history's fast reader does not read."""

    waits: tuple[WaitState, ...] = ()
    actions: tuple[ActionState, ...] = ()


class FlowVersion(NamedTuple):
    """One version of a record whose blocking inputs differ from the version before it: the
    commit (date, sha) and the inputs, read no further than history needs (block
    history reads the blocks); `type` None when the file was not a record."""

    date: datetime
    commit: str
    type: str | None
    status: str | None
    depends_on: tuple[str, ...]
    blocks: tuple[bytes, ...]  # `waiting_on` and `actions` as written (see flowfields.py)
    # what names the record in this version: its `id:` when it writes one, else the file's
    # path at that commit (relative to the repository's root), which gives the id
    id: str | None = None
    path: str = ""


# Records deleted from the docs folder (or moved out of it), each by a key of its path and the
# commit that deleted it (never an id): the versions block history replays, and the id each
# version had.
Ghosts = dict[str, tuple[tuple[FlowVersion, ...], tuple[str, ...]]]


@dataclass(kw_only=True, slots=True)
class Record:
    """Fields common to every record type, as written in front matter."""

    type: RecordType
    id: str
    title: str
    path: str  # relative to the repository root (or docs dir when there is no repository)
    src_uri: str  # relative to docs_dir, with forward slashes
    status: str
    owner: str | None = None
    date: date | None = None
    tags: tuple[str, ...] = ()
    depends_on: tuple[str, ...] = ()
    waiting_on: tuple[WaitingOn, ...] = ()
    initiative: str | None = None
    lines: dict[str, int] = field(default_factory=dict)
    # For records read from another tool's format (see adr.py): the status as written there,
    # its number (`0007`), and the format's name.
    status_text: str | None = None
    number: str | None = None
    source_format: str = "headway"
    status_source: str = "written"  # one of STATUS_SOURCES

    @property
    def resolved(self) -> bool:
        return is_resolved(self.type, self.status)


@dataclass(kw_only=True, slots=True)
class Initiative(Record):
    goal: str | None = None
    target: date | None = None


@dataclass(kw_only=True, slots=True)
class Learning(Record):
    question: str | None = None
    participants: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()


@dataclass(kw_only=True, slots=True)
class Decision(Record):
    deciders: tuple[str, ...] = ()
    informed_by: tuple[str, ...] = ()
    options: tuple[str, ...] = ()
    supersedes: str | None = None
    superseded_by: str | None = None
    actions: tuple[Action, ...] = ()
