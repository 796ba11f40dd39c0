"""The spec's rules: documents → typed records, and the site-wide checks, as lists of problems."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from .clock import build_day
from .ids import ID_PATTERN, default_id, file_number, slugify
from .model import (
    ACTION_FIELDS,
    ACTION_STATUSES,
    COMMON_FIELDS,
    COMMON_KINDS,
    RECORD_TYPES,
    REQUIRED,
    STATUSES,
    TYPE_FIELDS,
    TYPE_KINDS,
    WAITING_FIELDS,
    Action,
    Decision,
    Initiative,
    Learning,
    Problem,
    Record,
    WaitingOn,
    has_errors,
)
from .parse import Document

# Keys MkDocs and Material read from a page's front matter: allowed on records, never warned.
PAGE_META_FIELDS = frozenset(
    {"description", "template", "hide", "icon", "search", "subtitle", "comments", "social"}
)


def suggest(value: str, choices: Iterable[str]) -> str:
    """`; did you mean 'x'?` for a near miss, else the empty string."""
    import difflib  # only for a mistake: a build of valid records never needs it

    close = difflib.get_close_matches(value.lower(), list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


class _Reader:
    """Reads typed values out of one document's front matter, collecting problems."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def error(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.doc.path, self._line(key), message))

    def warn(self, key: str, message: str) -> None:
        self.problems.append(Problem(self.doc.path, self._line(key), message, "warning"))

    def _line(self, key: str) -> int | None:
        while key:
            if key in self.doc.lines:
                return self.doc.lines[key]
            key = key.rpartition(".")[0]
        return self.doc.lines.get("type")

    def text(self, data: Mapping[str, Any], key: str, where: str, *, required: bool = False
             ) -> str | None:
        value = data.get(key.rpartition(".")[2])
        if isinstance(value, str):  # the usual case first
            text = value.strip()
            if required and not text:
                self.error(key, f"`{key}` must not be empty{where}")
                return None
            return text
        if value is None:
            if required:
                self.error(key, f"`{key}` is required{where}")
            return None
        if isinstance(value, _NOT_TEXT):
            self.error(key, f"`{key}` must be text, not {_kind(value)}{where}; "
                       f"quote it, e.g. {key.rpartition('.')[2]}: \"…\"")
            return None
        if isinstance(value, date):
            return value.isoformat()
        text = str(value).strip()
        if required and not text:
            self.error(key, f"`{key}` must not be empty{where}")
            return None
        return text

    def texts(self, data: Mapping[str, Any], key: str, where: str = "") -> tuple[str, ...]:
        value = data.get(key.rpartition(".")[2])
        if value is None:
            return ()
        name = key.rpartition(".")[2]
        if not isinstance(value, list):
            shown = value if isinstance(value, str | int | float) else "…"
            self.error(key, f"`{key}` must be a list, not {_kind(value)}{where}; "
                       f"write {name}: [{shown}] or one '- item' per line")
            return ()
        out: list[str] = []
        for index, item in enumerate(value):
            if isinstance(item, str):  # the usual case first
                out.append(item.strip())
                continue
            if isinstance(item, _NOT_TEXT) or item is None:
                self.error(f"{key}.{index}", f"item {index + 1} of `{key}` must be text, "
                           f"not {_kind(item)}{where}")
                continue
            out.append(item.isoformat() if isinstance(item, date) else str(item).strip())
        return tuple(out)

    def day(self, data: Mapping[str, Any], key: str, where: str = "") -> date | None:
        value = data.get(key.rpartition(".")[2])
        if value is None:
            return None
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return datetime.fromisoformat(value.strip()).date()
            except ValueError:
                pass
        self.error(key, f"`{key}` is not a date: '{short_text(value)}'{where}; "
                   f"write an ISO date such as 2026-03-31")
        return None

    def flag(self, data: Mapping[str, Any], key: str, where: str = "") -> bool:
        value = data.get(key.rpartition(".")[2], False)
        if isinstance(value, bool):
            return value
        self.error(key, f"`{key}` must be true or false, not '{short_text(value)}'{where}")
        return False

    def unknown_keys(self, data: Mapping[Any, Any], known: Iterable[str], prefix: str,
                     where: str, rtype: str | None = None) -> None:
        """A warning for each key not in `known`; for a record of `rtype`, a field of another
        type is named as such (`target` on a decision belongs to initiatives)."""
        known = tuple(known)
        if data.keys() <= _field_set(known):  # the usual case: nothing to say
            return
        for key in data:
            name = str(key)
            if name in known or (not prefix and name in PAGE_META_FIELDS):
                continue
            owners = [t for t, fields in TYPE_FIELDS.items() if name in fields] if rtype else []
            if owners:
                self.warn(name, f"`{name}` is a field of {' and '.join(_plural(t) for t in owners)}"
                          f", not of {_plural(rtype or '')}; it is ignored here")
                continue
            hint = suggest(name.replace("-", "_"), known) or f"; known fields: {', '.join(known)}"
            self.warn(f"{prefix}{name}", f"unknown field `{prefix}{name}`{where}{hint}")


@functools.cache
def _field_set(known: tuple[str, ...]) -> frozenset[str]:
    """The known fields as a set, made once for each list of them."""
    return frozenset(known)


_NOT_TEXT = (bool, dict, list)  # values `text` and `texts` refuse (numbers and dates are read)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, int | float):
        return "a number"
    if value is None:
        return "empty"
    return "text"


def short_text(value: Any, limit: int = 40) -> str:
    """A value as one short line, for messages."""
    text = " ".join(str(value).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True, slots=True)
class Checked:
    """The outcome of checking one document: a record when it has no errors."""

    path: str
    record: Record | None
    problems: tuple[Problem, ...]
    id: str | None  # known even when the record has errors, so references to it stay valid
    type: str | None = None
    refers_to: frozenset[str] = frozenset()  # every id its front matter names
    # The record as far as it could be read, errors and all (None for an unknown type): its
    # references are checked too, so that every problem is reported at once.
    draft: Record | None = None


REFERENCE_FIELDS = ("initiative", "depends_on", "informed_by", "supersedes", "superseded_by")


def referenced_ids(data: Mapping[str, Any]) -> frozenset[str]:
    """The ids a document's front matter names, read leniently (even from a broken record)."""
    found: set[str] = set()
    for key in REFERENCE_FIELDS:
        value = data.get(key)
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, (str, int)) and not isinstance(item, bool):
                found.add(str(item).strip())
    return frozenset(found)


def check_document(doc: Document) -> Checked:
    """Turn one document into a typed record, or say everything that is wrong with it."""
    r = _Reader(doc)
    data = doc.data
    raw_type = data.get("type")
    if raw_type is None or raw_type == "":
        r.error("type", f"`type` is empty; expected one of {', '.join(RECORD_TYPES)}")
        return Checked(doc.path, None, tuple(r.problems), None)
    if not isinstance(raw_type, str) or raw_type.strip().lower() not in RECORD_TYPES:
        shown = short_text(raw_type)
        hint = suggest(shown, RECORD_TYPES) if isinstance(raw_type, str) else ""
        r.error("type", f"unknown type '{shown}'{hint}; expected one of {', '.join(RECORD_TYPES)}")
        return Checked(doc.path, None, tuple(r.problems), None)
    rtype = raw_type.strip().lower()
    where = ""

    record_id = _check_id(r, doc)
    r.unknown_keys(data, _FIELDS[rtype], "", where, rtype)

    status = r.text(data, "status", where) or STATUSES[rtype][0]
    if status not in STATUSES[rtype]:
        r.error("status", f"unknown status '{short_text(status)}' for {article(rtype)}"
                f"{suggest(status, STATUSES[rtype])}; expected one of "
                f"{', '.join(STATUSES[rtype])}")
    fields: dict[str, Any] = {
        "type": rtype, "id": record_id or "", "status": status, "path": doc.path,
        "src_uri": doc.src_uri, "lines": doc.lines, "status_text": doc.status_text,
        "number": doc.number or file_number(doc.src_uri), "source_format": doc.source_format,
        "status_source": doc.status_source or ("written" if data.get("status") is not None
                                               else "default"),
    }
    for name, kind in _KINDS[rtype].items():
        if name in fields:
            continue
        if name in REQUIRED[rtype] and data.get(name) is None:
            r.error(name, f"{article(rtype)} needs `{name}: <id>` naming the "
                    f"{name} it belongs to")
            continue
        fields[name] = _READERS[kind](r, data, name)
    fields["title"] = fields["title"] or doc.heading or record_id or default_id(doc.src_uri)
    record: Record = _RECORD_CLASSES[rtype](**fields)
    failed = has_errors(r.problems) or record_id is None
    return Checked(doc.path, None if failed else record, tuple(r.problems), record_id, rtype,
                   referenced_ids(data), record)


_KINDS: dict[str, dict[str, str]] = {  # every field of each type, and its kind
    rtype: {**COMMON_KINDS, **kinds} for rtype, kinds in TYPE_KINDS.items()}
_FIELDS: dict[str, tuple[str, ...]] = {
    rtype: COMMON_FIELDS + fields for rtype, fields in TYPE_FIELDS.items()}
_RECORD_CLASSES: dict[str, type[Record]] = {
    "initiative": Initiative, "learning": Learning, "decision": Decision}


def _ref(r: _Reader, data: Mapping[str, Any], key: str) -> str | None:
    """The id of another record; None (with an error) for text that is not an id: it would
    name a page (an implicit initiative's) at any path."""
    value = r.text(data, key, "")
    if value is not None and not ID_PATTERN.match(value):
        r.error(key, f"invalid {key} id '{short_text(value)}': `{key}` names {article(key)} "
                f"by its id (lowercase letters, digits, '-', '_' and '.', starting with a "
                f"letter or digit), e.g. {key}: {slugify(value)}")
        return None
    return value


def _plural(rtype: str) -> str:
    return f"{rtype}s"


def article(word: str) -> str:
    """`a decision`, `an initiative`: a record type (or a field) with its article."""
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def _check_id(r: _Reader, doc: Document) -> str | None:
    if doc.data.get("id") is not None:  # `id:` with no value is as if it were absent
        value = r.text(doc.data, "id", "")
        if value is None:
            return None
        if not ID_PATTERN.match(value):
            r.error("id", f"invalid id '{short_text(value)}': use lowercase letters, digits, '-', '_' "
                    f"and '.', starting with a letter or digit (e.g. id: {slugify(value)})")
            return None
        return value
    derived = default_id(doc.src_uri)
    if not ID_PATTERN.match(derived):
        r.error("type", f"the id '{short_text(derived)}' taken from the file name is not valid "
                f"(lowercase letters, digits, '-', '_', '.'); rename the file or add "
                f"`id: {slugify(derived)}`")
        return None
    return derived


def _waiting(r: _Reader, data: Mapping[str, Any], key: str) -> tuple[WaitingOn, ...]:
    value = data.get(key.rpartition(".")[2])
    if value is None:
        return ()
    if not isinstance(value, list):
        r.error(key, f"`{key}` must be a list of {{who, what, since, due, done}} entries, "
                f"not {_kind(value)}")
        return ()
    out: list[WaitingOn] = []
    for index, item in enumerate(value):
        at = f"{key}.{index}"
        if not isinstance(item, dict):
            r.error(at, f"entry {index + 1} of `{key}` must be a mapping such as "
                    f"{{who: Legal, what: contract review}}, not {_kind(item)}")
            continue
        r.unknown_keys(item, WAITING_FIELDS, f"{at}.", "")
        who = r.text(item, f"{at}.who", "", required=True)
        what = r.text(item, f"{at}.what", "", required=True)
        entry = WaitingOn(
            who=who or "", what=what or "", since=r.day(item, f"{at}.since"),
            due=r.day(item, f"{at}.due"), done=r.flag(item, f"{at}.done"),
            line=r.doc.lines.get(at),
        )
        _future_since(r, entry, f"{at}.since")
        if who and what:
            out.append(entry)
    return tuple(out)


def _future_since(r: _Reader, wait: WaitingOn, key: str) -> None:
    """A wait cannot have begun after today. (Block history reads such a `since` as the day
    of the commit that recorded the wait, so that no interval has a negative length.)"""
    if wait.since is None:
        return
    today = build_day()
    if wait.since > today:
        r.warn(key, f"`{key}` is {wait.since.isoformat()}, after today ({today.isoformat()}): "
               f"a wait cannot have begun in the future; write the day the request was made "
               f"(until then, block history counts the wait from the day it was committed)")


def _actions(r: _Reader, data: Mapping[str, Any]) -> tuple[Action, ...]:
    value = data.get("actions")
    if value is None:
        return ()
    if not isinstance(value, list):
        r.error("actions", f"`actions` must be a list of {{what, owner, due, status}} entries, "
                f"not {_kind(value)}")
        return ()
    out: list[Action] = []
    for index, item in enumerate(value):
        at = f"actions.{index}"
        if isinstance(item, str):
            out.append(Action(what=item, line=r.doc.lines.get(at)))
            continue
        if not isinstance(item, dict):
            r.error(at, f"action {index + 1} must be a mapping such as "
                    f"{{what: …, owner: …, due: 2026-05-01}}, not {_kind(item)}")
            continue
        r.unknown_keys(item, ACTION_FIELDS, f"{at}.", "")
        status = r.text(item, f"{at}.status", "") or "open"
        if status not in ACTION_STATUSES:
            r.error(f"{at}.status", f"unknown status '{short_text(status)}' for an action"
                    f"{suggest(status, ACTION_STATUSES)}; expected one of "
                    f"{', '.join(ACTION_STATUSES)}")
        what = r.text(item, f"{at}.what", "", required=True)
        out.append(Action(
            what=what or "", owner=r.text(item, f"{at}.owner", ""),
            due=r.day(item, f"{at}.due"), status=status,
            waiting_on=_waiting(r, item, f"{at}.waiting_on"), line=r.doc.lines.get(at),
        ))
    return tuple(out)


# How each kind of field is read (the kinds are declared in model.py): reader, data, key.
_READERS: dict[str, Callable[[_Reader, Mapping[str, Any], str], Any]] = {
    "text": lambda r, data, key: r.text(data, key, ""),
    "ref": _ref,
    "texts": _Reader.texts,
    "date": _Reader.day,
    "flag": _Reader.flag,
    "waiting": _waiting,
    "actions": lambda r, data, key: _actions(r, data),
}


def check_references(records: Iterable[Record], known_ids: Mapping[str, str],
                     declared_initiatives: Iterable[str] = (),
                     drafts: Iterable[Record] = (),
                     claimants: Mapping[str, frozenset[str]] | None = None) -> list[Problem]:
    """Site-wide rules: references resolve to records of the right type, no cycles.

    `known_ids` maps every id that a document claimed (even one with errors) to its type, so
    that a record with problems of its own does not make every reference to it an error too.
    `drafts`: records with errors of their own (see `Checked.draft`), checked alike, so that
    fixing one problem does not bring the next to light.
    `claimants`: the types of every document claiming an id several claim (a duplicate id,
    itself reported): a reference to it is right if it is right for any of them, so that
    the records that referred to the id before it was duplicated get no follow-on error.
    """
    records = [*records, *drafts]  # the good ones first: they keep an id drafts share
    by_id: dict[str, Record] = {}
    for rec in records:
        if rec.id:
            by_id.setdefault(rec.id, rec)
    problems: list[Problem] = []
    declared = set(declared_initiatives)
    hints: dict[tuple[str, str | None], str] = {}

    def hint(target: str, want: str | None) -> str:
        """The nearest id of the wanted type, worked out once per missing target."""
        key = (target, want)
        if key not in hints:
            hints[key] = suggest(target, [i for i, t in known_ids.items()
                                          if want is None or t == want])
        return hints[key]

    def ref(rec: Record, key: str, target: str, want: str | None, index: int | None = None
            ) -> None:
        at = key if index is None else f"{key}.{index}"
        line = rec.lines.get(at) or rec.lines.get(key)
        if target == rec.id:
            problems.append(Problem(rec.path, line, f"`{key}` refers to the record itself "
                                    f"('{target}'); name another record"))
        elif target not in known_ids:
            if key == "initiative" and target in declared:
                return  # named by configuration (an ADR folder): an implicit initiative
            if key == "initiative":
                problems.append(Problem(rec.path, line, f"initiative '{target}' has no record; "
                                        f"it is shown as an implicit initiative (add a record "
                                        f"with `type: initiative` and id '{target}')"
                                        f"{hint(target, want)}", "warning"))
            else:
                problems.append(Problem(rec.path, line, f"`{key}` refers to '{target}', which "
                                        f"does not exist{hint(target, want)}"))
        elif want is not None and known_ids[target] != want and \
                want not in (claimants or {}).get(target, ()):
            problems.append(Problem(rec.path, line, f"`{key}` must name {article(want)}, but "
                                    f"'{target}' is {article(known_ids[target])}"))

    for rec in records:
        if rec.initiative is not None:
            ref(rec, "initiative", rec.initiative, "initiative")
        for i, dep in enumerate(rec.depends_on):
            ref(rec, "depends_on", dep, None, i)
        if isinstance(rec, Decision):
            for i, learning in enumerate(rec.informed_by):
                ref(rec, "informed_by", learning, "learning", i)
            if rec.supersedes is not None:
                ref(rec, "supersedes", rec.supersedes, "decision")
            if rec.superseded_by is not None:
                ref(rec, "superseded_by", rec.superseded_by, "decision")
    problems.extend(_cycles(by_id, "depends_on"))
    problems.extend(_cycles(by_id, "supersedes"))
    return problems


def duplicate_ids(checked: Iterable[Checked]) -> list[Problem]:
    """Every id must be unique across the site (compared case-insensitively). Each file that
    claims a shared id gets the problem, so that none silently takes the place of another."""
    claims: dict[str, list[Checked]] = {}
    for item in checked:
        if item.id is not None:
            claims.setdefault(item.id.lower(), []).append(item)
    problems: list[Problem] = []
    for items in claims.values():
        if len(items) < 2:
            continue
        lines = {o.path: o.draft.lines.get("id") if o.draft else None for o in items}
        for item in items:
            others = ", ".join(_claimant(o.path, lines[o.path]) for o in items if o is not item)
            line = lines[item.path]
            if line:
                problems.append(Problem(item.path, line, f"duplicate id '{item.id}': {others} "
                                        f"has it too; give each record its own `id:`"))
            else:  # no line to point at: say where the id comes from
                problems.append(Problem(item.path, None, f"duplicate id '{item.id}', which "
                                        f"this file's name gives it: {others} has it too; "
                                        f"give the other record another `id:`, or this one an "
                                        f"`id:` of its own"))
    return problems


def _claimant(path: str, line: int | None) -> str:
    """Where a document claims an id: its `id:` line, or its file name."""
    return f"{path}:{line} (its `id:`)" if line else f"{path} (from its file name)"


def claimant_types(checked: Iterable[Checked]) -> dict[str, frozenset[str]]:
    """For each id that more than one document claims, the types of all of them: a reference
    to such an id is judged against each claimant (see `check_references`)."""
    types: dict[str, set[str]] = {}
    count: dict[str, int] = {}
    for item in checked:
        if item.id is not None:
            types.setdefault(item.id, set()).add(item.type or "")
            count[item.id] = count.get(item.id, 0) + 1
    return {i: frozenset(t) for i, t in types.items() if count[i] > 1}


def _edges(rec: Record, kind: str) -> tuple[str, ...]:
    if kind == "depends_on":
        return rec.depends_on
    return (rec.supersedes,) if isinstance(rec, Decision) and rec.supersedes else ()


def _cycles(by_id: Mapping[str, Record], kind: str) -> list[Problem]:
    """One problem per record on a cycle, naming the whole cycle (iterative Tarjan, linear)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    problems: list[Problem] = []
    counter = 0
    for start in by_id:
        if start in index:
            continue
        work: list[tuple[str, int]] = [(start, 0)]
        while work:
            node, child_i = work.pop()
            if child_i == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = [c for c in _edges(by_id[node], kind) if c in by_id and c != node]
            if child_i < len(children):
                work.append((node, child_i + 1))
                child = children[child_i]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if low[node] == index[node]:
                component: list[str] = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    cycle = " → ".join(sorted(component)) + f" → {sorted(component)[0]}"
                    for member in sorted(component):
                        rec = by_id[member]
                        problems.append(Problem(rec.path, rec.lines.get(kind), f"`{kind}` "
                                                f"forms a cycle ({cycle}); remove one link"))
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return problems
