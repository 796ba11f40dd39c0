"""Derived facts: blocked, root blockers, blocked since, and the links each record gets back."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from .model import Decision, GitFacts, Initiative, Record
from .validate import supersession

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
    return any(dep not in records or not records[dep].resolved for dep in rec.depends_on)


def open_whos(rec: Record) -> list[str]:
    whos = [w.who for w in rec.waiting_on if not w.done]
    if isinstance(rec, Decision):
        whos += [w.who for a in rec.actions for w in a.open_waits]
    return whos


def is_blocked(rec: Record, records: Mapping[str, Record]) -> bool:
    """Not resolved, and an unresolved dependency, an open wait or a blocked action."""
    if rec.resolved:
        return False
    if _is_blocked_by_records(rec, records) or any(not w.done for w in rec.waiting_on):
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


def blocked_since(rec: Record, records: Mapping[str, Record], facts: GitFacts | None,
                  created: date) -> date | None:
    """The earliest of: an open wait's `since`, the commit that added an unresolved dependency,
    and otherwise the record's created date."""
    if not is_blocked(rec, records):
        return None
    candidates: list[date] = []
    waits = [w for w in rec.waiting_on if not w.done]
    if isinstance(rec, Decision):
        waits += [w for a in rec.actions for w in a.open_waits]
    for wait in waits:
        candidates.append(wait.since or created)
    added = dict(facts.depends_added) if facts else {}
    for dep in rec.depends_on:
        if dep not in records or not records[dep].resolved:
            when = added.get(dep)
            candidates.append(when.date() if when else created)
    return min(candidates) if candidates else created


def derive(records: Mapping[str, Record], git: Mapping[str, GitFacts],
           created: Mapping[str, date]) -> Derived:
    """Every derived fact, in time linear in records and links."""
    informs: dict[str, list[str]] = defaultdict(list)
    blocks: dict[str, list[str]] = defaultdict(list)
    members: dict[str, list[str]] = defaultdict(list)
    initiatives: dict[str, Initiative | None] = {}
    for rid, rec in records.items():
        if isinstance(rec, Initiative):
            initiatives[rid] = rec
        for dep in rec.depends_on:
            blocks[dep].append(rid)
        if rec.initiative:
            members[rec.initiative].append(rid)
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
        members={k: tuple(v) for k, v in members.items()},
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
               urls: Mapping[str, str], today: date, use_directory_urls: bool = True
               ) -> SiteFacts:
    from .catalog import created_date  # one-way: catalog does not import derive
    from .flow import flow_facts  # flow builds on this module's rule of root blockers

    created = {rid: created_date(rec, git.get(rid), today) for rid, rec in records.items()}
    return SiteFacts(dict(records), dict(git), dict(urls), created,
                     derive(records, git, created), today, use_directory_urls,
                     flow_facts(records, git, created, today))
