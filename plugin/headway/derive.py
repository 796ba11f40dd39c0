"""Derived rules, each written once: open waits, blocked, root blockers, blocked since, the date
shown, what is in force or overdue, supersession, and the links each record gets back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from .model import Action, Decision, Ghosts, GitFacts, Initiative, Record, WaitingOn

if TYPE_CHECKING:
    from .flow import FlowFacts


@dataclass(frozen=True, slots=True)
class Derived:
    """Facts computed over the whole set of published records (all keyed by record id)."""

    blocked: dict[str, bool]
    root_blockers: dict[str, tuple[str, ...]]
    blocked_since: dict[str, date | None]
    informs: dict[str, tuple[str, ...]]  # learning → decisions it informed
    superseded_by: dict[str, str]  # decision → the decision that supersedes it
    supersedes: dict[str, tuple[str, ...]]  # decision → the decisions it supersedes
    blocks: dict[str, tuple[str, ...]]  # record → records that depend on it
    members: dict[str, tuple[str, ...]]  # initiative id → its records (records or implicit)
    initiatives: dict[str, Initiative | None]  # every initiative, None when implicit


def _is_blocked_by_records(rec: Record, records: Mapping[str, Record]) -> bool:
    # (the early returns: block history asks this at every commit, of records mostly
    # without dependencies or waits)
    if not rec.depends_on:
        return False
    return any(dep not in records or not records[dep].resolved for dep in rec.depends_on)


def own_open_waits(rec: Record) -> list[WaitingOn]:
    """The record's own `waiting_on` entries not yet done."""
    if not rec.waiting_on:
        return []
    return [w for w in rec.waiting_on if not w.done]


def open_waits(rec: Record) -> list[WaitingOn]:
    """Its own open waits, then (a decision's) the open waits of its actions not done."""
    waits = own_open_waits(rec)
    if isinstance(rec, Decision):
        waits += [w for a in rec.actions for w in a.open_waits]
    return waits


def open_whos(rec: Record) -> list[str]:
    """Who the record waits on, through its own waits and its actions'."""
    return [w.who for w in open_waits(rec)]


def is_blocked(rec: Record, records: Mapping[str, Record]) -> bool:
    """Not resolved, and an unresolved dependency, an open wait or a blocked action."""
    if rec.resolved:
        return False
    if _is_blocked_by_records(rec, records) or own_open_waits(rec):
        return True
    return isinstance(rec, Decision) and any(a.status == "blocked" for a in rec.actions)


def root_blockers(records: Mapping[str, Record]) -> dict[str, tuple[str, ...]]:
    """For each blocked record, what ultimately holds it up (memoised DFS, cycle-safe)."""
    memo: dict[str, tuple[str, ...]] = {}
    result: dict[str, tuple[str, ...]] = {}
    for start, rec in records.items():
        if not is_blocked(rec, records):
            continue
        roots = _roots(start, records, memo)
        result[start] = roots or (start,)
    return result


def roots_of(rid: str, records: Mapping[str, Record], memo: dict[str, tuple[str, ...]]
             ) -> tuple[str, ...]:
    """The root blockers of one blocked record, as `root_blockers` gives them, with a memo
    the caller keeps (block history applies the rule commit by commit, dropping only the
    entries of records whose inputs changed)."""
    return _roots(rid, records, memo) or (rid,)


def _roots(start: str, records: Mapping[str, Record], memo: dict[str, tuple[str, ...]]
           ) -> tuple[str, ...]:
    """Roots found from `start`: its open waits, plus, through each unresolved dependency,
    that record when it is not blocked, else that record's own roots (iteratively)."""
    visiting: set[str] = set()
    stack: list[tuple[str, bool]] = [(start, False)]
    while stack:
        node, expanded = stack.pop()
        if node in memo:
            continue
        rec = records[node]
        deps = [d for d in rec.depends_on if d not in records or not records[d].resolved]
        if not expanded:
            if node in visiting:
                continue
            visiting.add(node)
            stack.append((node, True))
            stack.extend((d, False) for d in deps if d in records and d not in memo
                         and d not in visiting)
            continue
        found: dict[str, None] = dict.fromkeys(open_whos(rec))
        for dep in deps:
            target = records.get(dep)
            if target is None or not is_blocked(target, records):
                found[dep] = None  # nothing holds it up: its own pending work is the root
            else:
                # v2: a blocked dependency is not a root; what blocks it is (itself only when
                # nothing but its own blocked action holds it up, or inside a cycle).
                found.update(dict.fromkeys(memo.get(dep) or (dep,)))
        memo[node] = tuple(found)
        visiting.discard(node)
    return memo.get(start, ())


def _added_days(facts: GitFacts | None) -> dict[str, date]:
    """The day of the commit that added each `depends_on` id of the record, when git knows."""
    return {dep: when.date() for dep, when in facts.depends_added} if facts else {}


def blocked_since(rec: Record, records: Mapping[str, Record], facts: GitFacts | None,
                  created: date) -> date | None:
    """The earliest of: an open wait's `since`, the commit that added an unresolved dependency,
    and otherwise the record's created date."""
    if not is_blocked(rec, records):
        return None
    candidates = [wait.since or created for wait in open_waits(rec)]
    added = _added_days(facts)
    for dep in rec.depends_on:
        if dep not in records or not records[dep].resolved:
            candidates.append(added.get(dep) or created)
    return min(candidates) if candidates else created


def met_only_through_actions(rec: Record, records: Mapping[str, Record],
                             roots: Mapping[str, tuple[str, ...]]) -> set[str]:
    """The people a record waits on only through its own blocked actions: not in its own
    open `waiting_on`, nor met through an unresolved dependency (`roots`: root blockers)."""
    if not isinstance(rec, Decision):
        return set()
    by_actions = {w.who for a in rec.actions if a.blocked for w in a.open_waits}
    if not by_actions:
        return by_actions
    elsewhere = {w.who for w in own_open_waits(rec)}
    for dep in rec.depends_on:
        target = records.get(dep)
        if target is None or target.resolved:
            continue
        elsewhere.update(roots.get(dep, ()))
        elsewhere.update(open_whos(target))
    return by_actions - elsewhere


def in_force(rec: Record) -> bool:
    """A decision whose actions are still to be carried out: not rejected, superseded or
    deprecated."""
    return isinstance(rec, Decision) and (not rec.resolved or rec.status == "accepted")


def overdue_actions(rec: Record, today: date) -> list[Action]:
    """Open actions past their due date, of a decision still in force."""
    if not isinstance(rec, Decision) or not in_force(rec):
        return []
    return [a for a in rec.actions if a.status != "done" and a.due is not None and a.due < today]


def created_date(record: Record, facts: GitFacts | None, today: date) -> date:
    """The date shown as a record's: front-matter `date`, else git's created, else today."""
    if record.date is not None:
        return record.date
    if facts is not None and facts.created:
        return facts.created.date()
    return today


def supersession(records: Iterable[Record]) -> dict[str, str]:
    """old decision → the decision that supersedes it, from `supersedes` on the new one and
    `superseded_by` on the old one (the form other ADR tools write)."""
    out: dict[str, str] = {}
    for rec in records:
        if isinstance(rec, Decision):
            if rec.superseded_by:
                out.setdefault(rec.id, rec.superseded_by)
            if rec.supersedes:
                out[rec.supersedes] = rec.id
    return out


def initiative_members(records: Mapping[str, Record]) -> dict[str, tuple[str, ...]]:
    """initiative id → the records that name it, in the order of `records`."""
    members: dict[str, list[str]] = defaultdict(list)
    for rid, rec in records.items():
        if rec.initiative:
            members[rec.initiative].append(rid)
    return {k: tuple(v) for k, v in members.items()}


def derive(records: Mapping[str, Record], git: Mapping[str, GitFacts],
           created: Mapping[str, date]) -> Derived:
    """Every derived fact, in time linear in records and links."""
    informs: dict[str, list[str]] = defaultdict(list)
    blocks: dict[str, list[str]] = defaultdict(list)
    members = initiative_members(records)
    initiatives: dict[str, Initiative | None] = {}
    for rid, rec in records.items():
        if isinstance(rec, Initiative):
            initiatives[rid] = rec
        for dep in rec.depends_on:
            blocks[dep].append(rid)
        if isinstance(rec, Decision):
            for learning in rec.informed_by:
                informs[learning].append(rid)
    for initiative_id in members:
        initiatives.setdefault(initiative_id, None)
    superseded_by = supersession(records.values())
    supersedes: dict[str, list[str]] = defaultdict(list)
    for old, new in superseded_by.items():
        supersedes[new].append(old)
    roots = root_blockers(records)
    return Derived(
        blocked={rid: rid in roots for rid in records},
        root_blockers=roots,
        blocked_since={rid: blocked_since(rec, records, git.get(rid), created[rid])
                       for rid, rec in records.items()},
        informs={k: tuple(v) for k, v in informs.items()},
        superseded_by=superseded_by,
        supersedes={k: tuple(v) for k, v in supersedes.items()},
        blocks={k: tuple(v) for k, v in blocks.items()},
        members=members,
        initiatives=initiatives,
    )


@dataclass(frozen=True, slots=True)
class SiteFacts:
    """A catalog with everything derived from it: what pages and exports are made from."""

    records: dict[str, Record]
    git: dict[str, GitFacts]
    urls: dict[str, str]
    created: dict[str, date]  # the date shown: front-matter `date`, git's created, or today
    derived: Derived
    today: date
    use_directory_urls: bool = True
    flow: FlowFacts | None = None  # block history, blockers, lead times (see flow.py)


def site_facts(records: Mapping[str, Record], git: Mapping[str, GitFacts],
               urls: Mapping[str, str], today: date, use_directory_urls: bool = True,
               ghosts: Ghosts | None = None) -> SiteFacts:
    """Every derived fact of the site. `ghosts`: deleted records (see model.Ghosts), which
    block history replays beside the records."""
    from .flow import flow_facts  # flow builds on this module's rule of root blockers

    created = {rid: created_date(rec, git.get(rid), today) for rid, rec in records.items()}
    derived = derive(records, git, created)
    return SiteFacts(dict(records), dict(git), dict(urls), created, derived, today,
                     use_directory_urls,
                     flow_facts(records, git, created, today, derived.members, ghosts))
