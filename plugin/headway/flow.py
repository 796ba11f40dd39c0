"""Flow: block history replayed over the versions git gave, blocker clustering, lead times."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from statistics import median
from typing import Any

from .derive import SiteFacts, initiative_members, is_blocked, own_open_waits, roots_of
from .flowfields import flow_fields
from .ids import version_id
from .model import (
    Action,
    ActionState,
    Decision,
    FlowFields,
    FlowVersion,
    Ghosts,
    GitFacts,
    Initiative,
    Learning,
    Record,
    StatusChange,
    WaitingOn,
    WaitState,
    is_resolved,
)

# A record's state as block history sees it: (type, status, depends_on, waits, actions).
State = tuple[str | None, str | None, tuple[str, ...], tuple[WaitState, ...],
              tuple[ActionState, ...]]
ActionKey = tuple[str, str]  # (record id, the action's `what`)


@dataclass(frozen=True, slots=True)
class Interval:
    """A stretch of time during which one root blocker held an item up."""

    blocker: str
    kind: str  # "who" or "record"
    since: date
    until: date | None  # None while it lasts
    opened: date | None = None  # the day of the commit that began it (`since` may be earlier)

    def days(self, today: date) -> int:
        """Days it lasted (an open one up to `today`); never negative."""
        return max(0, ((self.until or today) - self.since).days)


@dataclass(frozen=True, slots=True)
class Blocker:
    """One root blocker ever met, with what it cost (blocker clustering)."""

    name: str
    kind: str
    blocked_days: int
    items: int  # records and actions it ever held up
    open_items: int  # those it holds up now


@dataclass(frozen=True, slots=True)
class BlockHistory:
    records: dict[str, tuple[Interval, ...]]  # record id → its intervals, oldest first
    actions: dict[ActionKey, tuple[Interval, ...]]


# ---------------------------------------------------------------- replay


def state_of(rec: Record) -> State:
    """The blocking inputs of a record as it is now (the working tree)."""
    actions: tuple[ActionState, ...] = ()
    if isinstance(rec, Decision):
        actions = tuple(ActionState(a.what, a.status, _wait_states(a.waiting_on))
                        for a in rec.actions)
    return (rec.type, rec.status, rec.depends_on, _wait_states(rec.waiting_on), actions)


def _wait_states(waits: Iterable[WaitingOn]) -> tuple[WaitState, ...]:
    return tuple(WaitState(w.who, w.what, w.since.isoformat() if w.since else None, w.done)
                 for w in waits)


_KINDS: dict[str, type[Record]] = {"initiative": Initiative, "learning": Learning,
                                   "decision": Decision}


def _as_record(rid: str, state: State) -> Record | None:
    """A model record with only what the rule of root blockers reads."""
    rtype, status, depends, waits, actions = state
    cls = _KINDS.get(rtype or "")
    if cls is None:
        return None
    if cls is Decision:
        return Decision(id=rid, title=rid, path="", src_uri="", status=status or "",
                        depends_on=depends, waiting_on=_waitings(waits) if waits else (),
                        type="decision", actions=_actions(actions) if actions else ())
    return cls(id=rid, title=rid, path="", src_uri="", status=status or "",
               depends_on=depends, waiting_on=_waitings(waits) if waits else (),
               type=rtype)  # type: ignore[arg-type]


# The same waits and actions recur in version after version of a record (its status or
# dependencies changed): made into model values once each (they are immutable).
@lru_cache(maxsize=4096)
def _waitings(waits: tuple[WaitState, ...]) -> tuple[WaitingOn, ...]:
    return tuple(WaitingOn(w.who, w.what, _day(w.since), done=w.done) for w in waits)


@lru_cache(maxsize=4096)
def _actions(actions: tuple[ActionState, ...]) -> tuple[Action, ...]:
    return tuple(Action(a.what, status=a.status, waiting_on=_waitings(a.waits))
                 for a in actions)


def _day(text: str | None) -> date | None:
    """A `since` as a date; None when it is not one (`headway check` reports it)."""
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _instant(moment: datetime) -> datetime:
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


class _Replay:
    """The records as they were, commit after commit, with the intervals opened and closed."""

    def __init__(self) -> None:
        self.records: dict[str, Record] = {}
        self.states: dict[str, State] = {}
        self.dependents: dict[str, set[str]] = defaultdict(set)  # id → who depends on it
        self.memo: dict[str, tuple[str, ...]] = {}  # root blockers, as derive works them out
        self.roots: dict[str, tuple[str, ...]] = {}  # of each blocked record
        # since when each unresolved record has not been blocked (its own work pending), or
        # each id no longer a record's has been missing
        self.free_since: dict[str, date] = {}
        self.dep_added: dict[str, dict[str, date]] = defaultdict(dict)
        # record id → (action, who, what) of each open wait → the day a commit added it
        self.wait_added: dict[str, dict[tuple[str, str, str], date]] = defaultdict(dict)
        self.open: dict[str, dict[str, tuple[str, date, date]]] = defaultdict(dict)
        # The records are named by the id each had at the time; what they are now (the
        # current id of the file) is what the intervals are kept under.
        self.owner: dict[str, str] = {}  # id at the time → the record now (else itself)
        self.closed: dict[str, list[Interval]] = defaultdict(list)  # by the record now
        # record id → action → blocker → (kind, since, opened)
        self.action_open: dict[str, dict[str, dict[str, tuple[str, date, date]]]] = \
            defaultdict(lambda: defaultdict(dict))
        self.action_closed: dict[ActionKey, list[Interval]] = defaultdict(list)  # ditto

    def step(self, day: date, changes: Mapping[str, State | None],
             owners: Mapping[str, str] | None = None,
             renamed: Mapping[str, str] | None = None) -> None:
        """One commit: the records it changed, by the id each has in it (None: no longer a
        record by that id); `owners`: which record now each of those ids names (else
        itself); `renamed`: old id → new id of each record whose id the commit changed
        (its changes name both: the new id's state, the old id's None unless another record
        took it)."""
        records, roots = self.records, self.roots
        # What the records it changes showed their dependents before it (see _settle).
        before = {rid: _outcome(records.get(rid), roots.get(rid)) for rid in changes}
        if renamed:
            self._rename(renamed, day)
        if owners:
            self.owner.update(owners)
        for rid, state in changes.items():
            self._apply(rid, state, day)
        touched = self._settle(changes, before)
        free_since, open_, no_roots = self.free_since, self.open, ()
        for rid in touched:
            rec = records.get(rid)
            now = roots.get(rid, no_roots)
            if now:
                free_since.pop(rid, None)
            elif rec is not None and not rec.resolved:
                free_since.setdefault(rid, day)
            elif rec is not None:
                free_since.pop(rid, None)
            held = open_.get(rid)
            if held:
                for blocker in [b for b in held if b not in now]:
                    kind, since, opened = held.pop(blocker)
                    self.closed[self.owner.get(rid, rid)].append(
                        Interval(blocker, kind, since, max(since, day), opened))
        # Opened once every interval that ends is closed (`_since` reads the others).
        for rid in touched:
            now = roots.get(rid, no_roots)
            if not now:
                continue
            held = open_[rid]
            for blocker in now:
                if blocker not in held:
                    held[blocker] = (self._kind(rid, blocker), self._since(rid, blocker, day),
                                     day)
        for rid in changes:
            self._step_actions(rid, day)

    def _settle(self, changes: Mapping[str, State | None],
                before: dict[str, tuple[bool, bool, tuple[str, ...] | None]]) -> set[str]:
        """Root blockers again (derive's rule) for the changed records, then for the records
        that depend on one whose outcome changed (there, resolved, its root blockers), and
        so on: a status change that resolves nothing stops at the record. Wave after wave,
        each wave's memo dropped first; a record that a wave computed from an entry a later
        wave changes is computed again then. The records worked out."""
        records, roots, memo, dependents = self.records, self.roots, self.memo, self.dependents
        touched: set[str] = set()
        wave = list(changes)
        rounds = 0
        while wave:
            rounds += 1
            if rounds > len(records) + 2:  # a cycle (an error `headway check` reports):
                return self._settle_all(changes)  # everything downstream, once
            for rid in wave:
                memo.pop(rid, None)
            following: list[str] = []
            for rid in wave:
                rec = records.get(rid)
                was = before.pop(rid, None)
                found: tuple[str, ...] | None = None
                if rec is not None and is_blocked(rec, records):
                    found = roots_of(rid, records, memo)
                    if was is None and roots.get(rid) != found:
                        was = _CHANGED
                    roots[rid] = found
                elif roots.pop(rid, None) is not None and was is None:
                    was = _CHANGED
                touched.add(rid)
                # (a record not changed itself is there and resolved, or not, as before)
                if was is not None and _outcome(rec, found) != was:
                    following.extend(dependents.get(rid, ()))
            wave = list(dict.fromkeys(following))
        return touched

    def _settle_all(self, changes: Mapping[str, State | None]) -> set[str]:
        dependents, records, memo = self.dependents, self.records, self.memo
        affected: set[str] = set(changes)
        queue = [d for rid in changes for d in dependents.get(rid, ())]
        while queue:  # the changed records and everything that depends on them
            rid = queue.pop()
            if rid not in affected:
                affected.add(rid)
                queue.extend(dependents.get(rid, ()))
        for rid in affected:
            memo.pop(rid, None)
        for rid in affected:
            rec = records.get(rid)
            if rec is not None and is_blocked(rec, records):
                self.roots[rid] = roots_of(rid, records, memo)
            else:
                self.roots.pop(rid, None)
        return affected

    def _rename(self, renamed: Mapping[str, str], day: date) -> None:
        """Records whose id changed carry what the replay knows of them to the new id (when
        each dependency and wait was added, the intervals open): a rename alone ends no
        interval, and its dependents, still naming the old id, meet a missing record."""
        moved = []
        for old, new in renamed.items():
            state = self.states.pop(old, None)
            self.records.pop(old, None)
            self.memo.pop(old, None)
            self.roots.pop(old, None)
            moved.append((new, state, self.free_since.pop(old, None), self.dep_added.pop(old, {}),
                          self.wait_added.pop(old, {}), self.open.pop(old, {}),
                          self.action_open.pop(old, None)))
            for dep in state[2] if state else ():
                self.dependents[dep].discard(old)
            if state is not None:
                self.free_since[old] = day  # missing from now on (see _apply)
        for new, state, free, deps, waits, held, actions in moved:
            self._close_all(new, day)  # a record that had the id till now (seldom: a swap)
            if state is not None:
                self.states[new] = state
                self.records[new] = _as_record(new, state)  # type: ignore[assignment]
                for dep in state[2]:
                    self.dependents[dep].add(new)
            if free is not None:
                self.free_since[new] = free
            else:
                self.free_since.pop(new, None)
            self.dep_added[new], self.wait_added[new], self.open[new] = deps, waits, held
            if actions is not None:
                self.action_open[new] = actions

    def _close_all(self, rid: str, day: date) -> None:
        owner = self.owner.get(rid, rid)
        for blocker, (kind, since, opened) in self.open.pop(rid, {}).items():
            self.closed[owner].append(Interval(blocker, kind, since, max(since, day), opened))
        for what, held in self.action_open.pop(rid, {}).items():
            for blocker, (kind, since, opened) in held.items():
                self.action_closed[(owner, what)].append(
                    Interval(blocker, kind, since, max(since, day), opened))

    def _apply(self, rid: str, state: State | None, day: date) -> None:
        old = self.states.get(rid)
        old_depends = old[2] if old else ()
        new_depends = state[2] if state else ()
        if old_depends != new_depends:
            old_deps, new_deps = set(old_depends), set(new_depends)
            added = self.dep_added[rid]
            for dep in old_deps - new_deps:
                self.dependents[dep].discard(rid)
                added.pop(dep, None)
            for dep in new_deps - old_deps:
                self.dependents[dep].add(rid)
                added[dep] = day
        if state and (state[3] or state[4]):
            old_waits = set(_open_wait_keys(old)) if old else set()
            wait_added = self.wait_added[rid]
            for key in _open_wait_keys(state):
                if key not in old_waits:
                    wait_added[key] = day
        record = _as_record(rid, state) if state else None
        if record is None:
            if self.records.pop(rid, None) is not None:
                # missing from now on (renamed away, deleted): for a dependency naming it,
                # what is pending since today; one never seen, since the dependency was added
                self.free_since[rid] = day
            self.states.pop(rid, None)
        else:
            self.records[rid] = record
            self.states[rid] = state  # type: ignore[assignment]

    def _kind(self, rid: str, blocker: str) -> str:
        if blocker == rid or blocker in self.records or self.dependents.get(blocker):
            return "record"
        return "who"

    def _since(self, rid: str, blocker: str, day: date, seen: frozenset[str] = frozenset()
               ) -> date:
        """When `blocker` started holding `rid` up (see the spec's block history)."""
        held = self.open.get(rid, {}).get(blocker)
        if held is not None:
            return held[1]
        rec = self.records.get(rid)
        if rec is None or rid in seen:
            return day
        found: list[date] = []
        for wait in own_open_waits(rec):
            if wait.who == blocker:
                found.append(self._wait_since(wait, rid, ("", wait.who, wait.what), day))
        if isinstance(rec, Decision):
            for action in rec.actions:
                for wait in action.open_waits:
                    if wait.who == blocker:
                        found.append(self._wait_since(
                            wait, rid, (action.what, wait.who, wait.what), day))
        for dep in rec.depends_on:
            target = self.records.get(dep)
            if target is not None and target.resolved:
                continue
            added = self.dep_added[rid].get(dep, day)
            if dep not in self.roots:  # not blocked (or not a record): itself the root,
                if dep == blocker:  # from the day its own work became what was pending
                    found.append(max(added, self.free_since.get(dep, added)))
            elif blocker in self.roots[dep]:
                found.append(max(added, self._since(dep, blocker, day, seen | {rid})))
        return min(min(found, default=day), day)

    def _wait_since(self, wait: WaitingOn, rid: str, key: tuple[str, str, str], day: date
                    ) -> date:
        """A wait's `since` when given, else the day the commit added it; never later than
        the commit that makes it count (a `since` in the future is read as that day)."""
        return min(wait.since or self.wait_added[rid].get(key, day), day)

    def _step_actions(self, rid: str, day: date) -> None:
        rec = self.records.get(rid)
        if not isinstance(rec, Decision) and rid not in self.action_open:
            return  # no actions now, none held up before
        now: dict[str, dict[str, WaitingOn | None]] = {}
        if isinstance(rec, Decision):
            for action in rec.actions:
                if action.what in now or not action.blocked:
                    continue
                whos: dict[str, WaitingOn | None] = {w.who: w for w in action.open_waits}
                now[action.what] = whos or {rid: None}
        actions = self.action_open[rid]
        owner = self.owner.get(rid, rid)
        for what in {*now, *(w for w, held in actions.items() if held)}:
            key = (owner, what)
            held = actions[what]
            wanted = now.get(what, {})
            for blocker in [b for b in held if b not in wanted]:
                kind, since, opened = held.pop(blocker)
                self.action_closed[key].append(
                    Interval(blocker, kind, since, max(since, day), opened))
            for blocker, wait in wanted.items():
                if blocker not in held:
                    since = day if wait is None else self._wait_since(
                        wait, rid, (what, wait.who, wait.what), day)
                    held[blocker] = ("record" if wait is None else "who", since, day)

    def result(self) -> BlockHistory:
        """The intervals, by the record each belongs to now (its current id)."""
        owner = self.owner
        opened_records = {owner.get(rid, rid): held for rid, held in self.open.items() if held}
        records = {rid: _sorted([*self.closed.get(rid, ()),
                                 *_opened(opened_records.get(rid, {}))])
                   for rid in sorted({*self.closed, *opened_records})}  # the same order
        # in every run (a set's order follows the hash seed; the feed lists in this order)
        opened = {(owner.get(rid, rid), what): held
                  for rid, by_what in self.action_open.items()
                  for what, held in by_what.items() if held}
        actions = {key: _sorted([*self.action_closed.get(key, ()), *_opened(opened.get(key, {}))])
                   for key in sorted({*self.action_closed, *opened})}
        return BlockHistory({k: v for k, v in records.items() if v},
                            {k: v for k, v in actions.items() if v})


_CHANGED = (False, False, ("",))  # an outcome no record has


def _outcome(rec: Record | None, roots: tuple[str, ...] | None
             ) -> tuple[bool, bool, tuple[str, ...] | None]:
    """What a record's dependents read of it: there, resolved, its root blockers (if
    blocked)."""
    return (rec is not None, rec is not None and rec.resolved, roots)


def _open_wait_keys(state: State) -> Iterable[tuple[str, str, str]]:
    for wait in state[3]:
        if not wait.done:
            yield ("", wait.who, wait.what)
    for action in state[4]:
        for wait in action.waits:
            if not wait.done:
                yield (action.what, wait.who, wait.what)


def _opened(held: Mapping[str, tuple[str, date, date]]) -> list[Interval]:
    return [Interval(blocker, kind, since, None, opened)
            for blocker, (kind, since, opened) in held.items()]


def _sorted(intervals: list[Interval]) -> tuple[Interval, ...]:
    return tuple(sorted(intervals, key=lambda i: (i.since, i.until or date.max, i.blocker)))


def block_history(versions: Mapping[str, Sequence[FlowVersion]], current: Mapping[str, Record],
                  today: date, names: Mapping[str, Sequence[str]] | None = None
                  ) -> BlockHistory:
    """Every record's and action's intervals: the versions of each record (by its current
    id) replayed commit by commit in the order of their dates, each under the id it had in
    that version (`names`, one per version; else the current id), the rule of root blockers
    applied to the records as they were at each, then the records as they are now (the
    working tree, on `today`). The intervals are kept under the current ids, a record's
    from before a change of its id too.

    A dependency on an id that no record had at the time (not yet written, renamed away, or
    deleted) counts as unresolved, that id its root, as `root_blockers` reads one. A deleted
    record is replayed like the others, under an owner that is no current id (see
    flow_facts), its last version the one that says it is gone; `headway check` reports a
    dependency on it still written."""
    quiet = _never_blocked(versions, current, names)
    steps: dict[str, _Step] = {}
    read: dict[tuple[bytes, ...], FlowFields] = {(): FlowFields()}  # blocks → waits, actions
    held: dict[str, str | None] = {}  # record now → the id it had in its last version
    for owner, history in versions.items():
        if owner in quiet:
            continue
        latest = datetime.min.replace(tzinfo=UTC)
        called = names.get(owner) if names is not None else None
        name_then: str | None = None
        last_key: tuple[Any, ...] = (None, False, (), ())
        for n, version in enumerate(history):
            # Each record's versions stay in their first-parent order: a commit dated before
            # the one before it (a clock set wrong) counts as made at that one's date, a tick
            # after it (at the same instant, the order of the shas would decide).
            instant = _instant(version.date)
            latest = instant if instant > latest else latest + _TICK
            name = called[n] if called is not None else owner
            # The rule reads a status only as resolved or not: a version that changes no more
            # than the status within those (exploring → proposed), or the path but not the
            # id, is nothing for the replay.
            rtype = version.type
            key = (rtype, rtype is not None and is_resolved(rtype, version.status or ""),
                   version.depends_on, version.blocks)
            if key == last_key and (rtype is None or name == name_then):
                continue
            last_key = key
            state: State | None = None
            if rtype:
                fields = read.get(version.blocks)
                if fields is None:
                    fields = read[version.blocks] = flow_fields(version.blocks)
                state = (rtype, version.status, version.depends_on, fields.waits,
                         fields.actions)
            step = steps.get(version.commit)
            if step is None:  # the day as the committer's clock gave it, as status history's
                step = steps[version.commit] = _Step(latest, version.date.date())
            elif latest > step.instant:
                step.instant = latest
            if state is None:
                if name_then is not None:
                    step.release(name_then)
                name_then = None
            else:
                if name_then is not None and name_then != name:
                    step.release(name_then)
                    step.renamed[name_then] = name
                step.take(name, state, owner)
                name_then = name
        held[owner] = name_then
    replay = _Replay()
    last: dict[str, State | None] = {}
    for _, step in sorted(steps.items(), key=lambda s: (s[1].instant, s[0])):
        replay.step(step.day, step.changes, step.owners, step.renamed)
        last.update(step.changes)
    now = _Step(datetime.max, today)
    for rid, rec in current.items():
        if rid in quiet:
            continue
        state = state_of(rec)
        was = held.get(rid)
        if was is not None and was != rid:  # its id changed in the working tree
            now.release(was)
            now.renamed[was] = rid
            now.take(rid, state, rid)
        elif last.get(rid) != state:
            now.take(rid, state, rid)
    for rid, state in last.items():
        if state is not None and rid not in current:
            now.release(rid)  # in history, not published now (deleted, or left out)
    if now.changes:
        replay.step(today, now.changes, now.owners, now.renamed)
    return replay.result()


_TICK = timedelta(microseconds=1)


def _never_blocked(versions: Mapping[str, Sequence[FlowVersion]], current: Mapping[str, Record],
                   names: Mapping[str, Sequence[str]] | None) -> set[str]:
    """The records the replay can leave out, as it would find nothing: no version of them,
    nor the record now, has a dependency, a wait or an action (so none was ever blocked),
    and no record ever named any id they had in `depends_on` (so none held anything up).
    A quarter of the records of a large site, and a fifth of the versions."""
    named: set[str] = set()
    busy: set[str] = set()
    for owner, history in versions.items():
        for version in history:
            if version.depends_on:
                named.update(version.depends_on)
                busy.add(owner)
            elif version.blocks:
                busy.add(owner)
    for rid, rec in current.items():
        if rec.depends_on:
            named.update(rec.depends_on)
            busy.add(rid)
        elif rec.waiting_on or (isinstance(rec, Decision) and rec.actions):
            busy.add(rid)
    quiet = set()
    # The records, and the deleted ones replayed beside them (see flow_facts).
    for rid in (*current, *(owner for owner in versions if owner not in current)):
        if rid in busy or rid in named:
            continue
        called = names.get(rid) if names is not None else None
        if called is None or named.isdisjoint(called):
            quiet.add(rid)
    return quiet


class _Step:
    """What one commit changed, by the ids the records had in it."""

    __slots__ = ("changes", "day", "instant", "owners", "renamed")

    def __init__(self, instant: datetime, day: date) -> None:
        self.instant, self.day = instant, day
        self.changes: dict[str, State | None] = {}
        self.owners: dict[str, str] = {}
        self.renamed: dict[str, str] = {}

    def take(self, name: str, state: State, owner: str) -> None:
        self.changes[name] = state
        self.owners[name] = owner

    def release(self, name: str) -> None:
        """`name` no longer names the record that had it (unless another takes it)."""
        self.changes.setdefault(name, None)


# ---------------------------------------------------------------- clustering


def cluster(history: BlockHistory, today: date) -> list[Blocker]:
    """For each root blocker ever met: the days of every interval it held an item up, how
    many items it held up, how many it holds up now; the largest first."""
    days: dict[tuple[str, str], int] = defaultdict(int)
    items: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    still: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    every: list[tuple[tuple[str, str], tuple[Interval, ...]]] = [
        *(((rid, ""), ivs) for rid, ivs in history.records.items()),
        *history.actions.items()]
    for item, intervals in every:
        for interval in intervals:
            key = (interval.blocker, interval.kind)
            days[key] += interval.days(today)
            items[key].add(item)
            if interval.until is None:
                still[key].add(item)
    out = [Blocker(name, kind, days[(name, kind)], len(items[(name, kind)]),
                   len(still[(name, kind)])) for name, kind in items]
    out.sort(key=lambda b: (-b.blocked_days, -b.items, b.name.lower()))
    return out


def single_points(blockers: Sequence[Blocker], history: BlockHistory) -> set[str]:
    """The blockers that held up at least three items and at least a quarter of all items
    ever blocked (the blocked page's rule for a single point of failure, over time)."""
    total = len(history.records) + len(history.actions)
    return {b.name for b in blockers if b.items >= max(3, total / 4)}


# ---------------------------------------------------------------- lead time


@dataclass(frozen=True, slots=True)
class LeadTime:
    """How long a decision took: exploring and proposed days, and created → decided."""

    decided: date | None
    lead_time_days: int | None
    exploring_days: int
    proposed_days: int


def lead_time(history: Sequence[StatusChange], created: date, today: date) -> LeadTime:
    """`decided`: the first accepted or rejected entry of the status history; the days spent
    exploring and proposed up to it (to `today` while undecided)."""
    decided = next((_date_of(s) for s in history if s.status in ("accepted", "rejected")),
                   None)
    spent = status_days(history, decided or today)
    lead = max(0, (decided - created).days) if decided else None
    return LeadTime(decided, lead, spent.get("exploring", 0), spent.get("proposed", 0))


def status_days(history: Sequence[StatusChange], end: date) -> dict[str, int]:
    """Days spent in each status of a status history, up to `end`."""
    spent: dict[str, int] = defaultdict(int)
    for entry, following in zip(history, [*history[1:], None], strict=False):
        start = _date_of(entry)
        if start >= end:
            break
        stop = min(_date_of(following), end) if following is not None else end
        spent[entry.status] += max(0, (stop - start).days)
    return dict(spent)


def _date_of(change: StatusChange) -> date:
    return change.date.date()


def median_days(values: Iterable[int]) -> float | None:
    found = list(values)
    return median(found) if found else None


# ---------------------------------------------------------------- all of it


@dataclass(frozen=True, slots=True)
class FlowFacts:
    """What the flow page, records.json and the digest show of the site's history."""

    history: BlockHistory
    blockers: list[Blocker]
    single_points: set[str]
    lead: dict[str, LeadTime]  # decision id → its lead time
    started: dict[str, date]  # record id → the day lead time counts from
    by_initiative: dict[str, BlockHistory]  # the block history of each initiative's items
    initiatives: dict[str, dict[str, Any]]  # initiative id → its flow (see initiative_flow)


def flow_facts(records: Mapping[str, Record], git: Mapping[str, GitFacts],
               created: Mapping[str, date], today: date,
               members: Mapping[str, Sequence[str]] | None = None,
               ghosts: Ghosts | None = None) -> FlowFacts:
    """Block history, blockers and lead times of the published records, and the flow of
    each initiative (`members`: derive's, worked out again if not given). Lead time counts
    from git's created date (a front-matter `date` changes what is shown, not history).

    `ghosts`: deleted records (see model.Ghosts), replayed beside the records so that a
    dependency on one reads what it was then; their own intervals are left out (they are
    not on the site)."""
    versions: dict[str, Sequence[FlowVersion]] = {
        rid: facts.flow_versions for rid, facts in git.items()
        if rid in records and facts.flow_versions}
    names: dict[str, Sequence[str]] = {rid: ids_then(records[rid], history)
                                       for rid, history in versions.items()}
    for ghost, (gone, called) in (ghosts or {}).items():  # keyed by no id: no record's key
        versions[ghost], names[ghost] = gone, called
    history = block_history(versions, records, today, names)
    if ghosts:
        history = BlockHistory({k: v for k, v in history.records.items() if k in records},
                               {k: v for k, v in history.actions.items() if k[0] in records})
    blockers = cluster(history, today)
    started = {rid: _started(git.get(rid), created[rid]) for rid in records}
    lead = {rid: lead_time(git[rid].status_history if rid in git else (), started[rid], today)
            for rid, rec in records.items() if isinstance(rec, Decision)}
    home = {rid: rid if isinstance(rec, Initiative) else rec.initiative
            for rid, rec in records.items()}
    grouped: dict[str, BlockHistory] = defaultdict(lambda: BlockHistory({}, {}))
    for rid, intervals in history.records.items():
        if home.get(rid):
            grouped[home[rid] or ""].records[rid] = intervals
    for key, intervals in history.actions.items():
        if home.get(key[0]):
            grouped[home[key[0]] or ""].actions[key] = intervals
    if members is None:
        members = initiative_members(records)
    by_initiative = dict(grouped)
    initiatives = {iid: _initiative_flow(records, git, members.get(iid, ()), lead,
                                         by_initiative.get(iid), today)
                   for iid in {*members, *(rid for rid, rec in records.items()
                                           if isinstance(rec, Initiative))}}
    return FlowFacts(history, blockers, single_points(blockers, history), lead, started,
                     by_initiative, initiatives)


def ids_then(rec: Record, versions: Sequence[FlowVersion]) -> list[str]:
    """The id `rec` had in each of its old versions: the `id:` the version wrote, else the
    one its file name then gave, by the rule that names the record now (a record of an ADR
    folder takes its id from its file name alone)."""
    # The docs folder, which the path in the repository starts with and src_uri does not.
    folder = rec.path[:-len(rec.src_uri)] if rec.path.endswith(rec.src_uri) else ""
    headway = rec.source_format == "headway"
    here = version_id(None, rec.src_uri, headway)  # what the file name gives now
    out: list[str] = []
    for version in versions:
        path = version.path
        if version.id and headway:
            out.append(version.id)
        elif path == rec.path:  # the usual case: never renamed
            out.append(here)
        elif path:
            out.append(version_id(None, path[len(folder):] if path.startswith(folder)
                                  else path, headway))
        else:
            out.append(rec.id)
    return out


def _started(facts: GitFacts | None, created: date) -> date:
    if facts is not None and facts.created and not facts.uncommitted:
        return facts.created.date()
    return created


def initiative_flow(site: SiteFacts, iid: str) -> dict[str, Any]:
    """An initiative's time per bucket (learnings open, decisions exploring and proposed, in
    days summed over its records), its decisions' median lead time, and the days its records
    and actions were blocked: worked out once, by flow_facts."""
    flow = site.flow
    if flow is None:
        return {}
    return flow.initiatives.get(iid) or {}


def _initiative_flow(records: Mapping[str, Record], git: Mapping[str, GitFacts],
                     members: Sequence[str], lead: Mapping[str, LeadTime],
                     own: BlockHistory | None, today: date) -> dict[str, Any]:
    gathering = 0
    for rid in members:
        rec = records[rid]
        if isinstance(rec, Learning):
            history = git[rid].status_history if rid in git else ()
            gathering += status_days(history, today).get("open", 0)
    leads = [lead[rid] for rid in members if rid in lead]
    own = own or BlockHistory({}, {})
    blocked = sum(i.days(today) for ivs in [*own.records.values(), *own.actions.values()]
                  for i in ivs)
    return {
        "gathering_days": gathering,
        "exploring_days": sum(lead.exploring_days for lead in leads),
        "proposed_days": sum(lead.proposed_days for lead in leads),
        "decided": sum(1 for lead in leads if lead.decided),
        "median_lead_time_days": median_days(
            lead.lead_time_days for lead in leads if lead.lead_time_days is not None),
        "blocked_days": blocked,
    }
