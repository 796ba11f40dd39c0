"""Page contexts: what each generated page and record panel shows, as plain data for templates."""

from __future__ import annotations

import itertools
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from .derive import (
    SiteFacts,
    in_force,
    met_only_through_actions,
    overdue_actions,
    own_open_waits,
)
from .model import STATUSES, TYPE_LABELS, Action, Decision, Initiative, Learning, Problem, Record, is_resolved
from .statuses import reading_of, status_note, status_shown
from .urls import page_url, relative_url

BUCKETS: dict[int, str] = {
    1: "Information gathering",
    2: "Internal product work",
    3: "Decision & execution",
}

# The generated pages, relative to the docs folder (their URLs follow MkDocs' rules).
INITIATIVES_URI = "initiatives/index.md"
BLOCKED_URI = "blocked/index.md"
DECISIONS_URI = "decisions/index.md"
LEARNINGS_URI = "learnings/index.md"
PROBLEMS_URI = "problems/index.md"
HOME_URI = "index.md"  # generated only when docs_dir has no home page of its own


def initiative_uri(initiative_id: str) -> str:
    return f"initiatives/{initiative_id}/index.md"


def bucket_of(rec: Record, status: str | None = None) -> int:
    """1 learning, 2 a decision being explored, 3 a decision proposed or made (and actions)."""
    if isinstance(rec, Learning):
        return 1
    if isinstance(rec, Decision):
        return 2 if (status or rec.status) == "exploring" else 3
    return 3


@dataclass(slots=True)
class Link:
    """Something a page links to: a record, an initiative, or a bare name with no page."""

    label: str
    url: str | None = None
    kind: str = "record"  # record | who | missing
    status: str | None = None


@dataclass(slots=True)
class RecordView:
    """One record as lists and cards show it."""

    id: str
    type: str
    title: str
    status: str
    owner: str | None
    url: str
    initiative: Link | None
    created: date
    updated: date | None
    blocked: bool
    blocked_since: date | None
    bucket: int
    tags: tuple[str, ...]
    question: str | None = None
    number: str | None = None
    # a record read from another tool's format: how its status was read, when it was not
    # written as shown (`Done`, `no status written: …`), and that said in full
    status_reading: str = ""
    status_note: str | None = None


class Linker:
    """Builds links relative to the page being rendered."""

    def __init__(self, site: SiteFacts, page_url: str) -> None:
        self.site = site
        self.page_url = page_url
        self._initiatives: dict[str, Link | None] = {}

    def to(self, url: str) -> str:
        return relative_url(self.page_url, url)

    def record(self, rid: str) -> Link:
        rec = self.site.records.get(rid)
        if rec is None:
            return Link(rid, None, "missing")
        return Link(rec.title, self.to(self.site.urls[rid]), "record", rec.status)

    def initiative(self, iid: str | None) -> Link | None:
        if not iid:
            return None
        if iid not in self._initiatives:
            rec = self.site.derived.initiatives.get(iid)
            title = rec.title if rec is not None else iid
            self._initiatives[iid] = Link(
                title, self.to(page_url_of(initiative_uri(iid), self.site)), "initiative",
                rec.status if rec else None)
        return self._initiatives[iid]

    def blocker(self, name: str) -> Link:
        if name in self.site.records:
            return self.record(name)
        if name in self.site.derived.blocks:  # a depends_on target that is not published
            return Link(name, None, "missing")
        return Link(name, None, "who")

    def view(self, rid: str) -> RecordView:
        rec = self.site.records[rid]
        facts = self.site.git.get(rid)
        updated = facts.updated.date() if facts and facts.updated else None
        number = None if rec.number and _title_has_number(rec.title, rec.number) else rec.number
        return RecordView(
            id=rid, type=rec.type, title=rec.title, status=rec.status, owner=rec.owner,
            url=self.to(self.site.urls[rid]), initiative=self.initiative(rec.initiative),
            created=self.site.created[rid], updated=updated,
            blocked=self.site.derived.blocked.get(rid, False),
            blocked_since=self.site.derived.blocked_since.get(rid), bucket=bucket_of(rec),
            tags=rec.tags, question=_question(rec), number=number,
            **_status_reading(rec),
        )


def _status_reading(rec: Record) -> dict[str, Any]:
    """How a record's status was read, for those read from another tool's format."""
    if rec.source_format == "headway":
        return {}
    return {"status_reading": reading_of(rec.status, rec.status_text, rec.status_source),
            "status_note": status_note(rec.status_source, rec.status, rec.status_text)}


def _title_has_number(title: str, number: str) -> bool:
    """Whether a title already starts with the record's number ("0033 - Adopt…", "ADR-33: …"),
    so that the number is not shown twice."""
    if not number.isdigit():
        return title.startswith(number)
    return re.match(rf"\s*(?:adr[-\s_]*)?0*{int(number)}(?!\d)", title, re.IGNORECASE) is not None


def page_url_of(src_uri: str, site: SiteFacts) -> str:
    """The URL of a generated page, as MkDocs gives it under the site's URL style."""
    return page_url(src_uri, site.use_directory_urls)


# ---------------------------------------------------------------- counts and activity


@dataclass(slots=True)
class InitiativeSummary:
    id: str
    title: str
    status: str
    owner: str | None
    goal: str | None
    target: date | None
    url: str
    record_url: str | None
    implicit: bool
    open_learnings: int
    decisions: dict[str, int]
    blocked: int
    overdue_actions: int
    last_activity: date | None
    recent_events: int
    total: int


_ACTIVITY = frozenset(("created", "status", "decided", "superseded"))  # Event kinds


def summarise(site: SiteFacts, iid: str, link: Linker) -> InitiativeSummary:
    rec = site.derived.initiatives.get(iid)
    members = site.derived.members.get(iid, ())
    decisions = Counter(site.records[m].status for m in members
                        if isinstance(site.records[m], Decision))
    events = timeline_events(site, iid)
    horizon = site.today - timedelta(days=90)
    # What happened, not what is due: an action's due date (past or future) is no activity.
    last = max((e.day for e in events if e.day <= site.today and e.kind in _ACTIVITY),
               default=None)
    return InitiativeSummary(
        id=iid,
        title=rec.title if rec else iid,
        status=rec.status if rec else "active",
        owner=rec.owner if rec else None,
        goal=rec.goal if isinstance(rec, Initiative) else None,
        target=rec.target if isinstance(rec, Initiative) else None,
        url=link.to(page_url_of(initiative_uri(iid), site)),
        record_url=link.to(site.urls[iid]) if rec else None,
        implicit=rec is None,
        open_learnings=sum(1 for m in members if isinstance(site.records[m], Learning)
                           and not site.records[m].resolved),
        decisions={s: decisions[s] for s in STATUSES["decision"] if decisions[s]},
        blocked=len({item.key for _, item in blocked_items(site, link, iid)}),
        overdue_actions=sum(len(overdue_actions(site.records[m], site.today)) for m in members),
        last_activity=last,
        recent_events=sum(1 for e in events if horizon <= e.day <= site.today
                          and e.kind in _ACTIVITY),
        total=len(members),
    )


def _question(rec: Record | None) -> str | None:
    return rec.question if isinstance(rec, Learning) else None


def _actions(rec: Record) -> tuple[Action, ...]:
    return rec.actions if isinstance(rec, Decision) else ()


def initiatives_page(site: SiteFacts, page_url: str) -> dict[str, Any]:
    link = Linker(site, page_url)
    cards = [summarise(site, iid, link) for iid in site.derived.initiatives]
    cards.sort(key=lambda c: (is_resolved("initiative", c.status), -c.recent_events,
                              -(c.last_activity or date.min).toordinal(), c.title.lower()))
    return {"initiatives": cards, "links": _nav_links(link, site)}


def _nav_links(link: Linker, site: SiteFacts) -> dict[str, str]:
    return {
        "initiatives": link.to(page_url_of(INITIATIVES_URI, site)),
        "blocked": link.to(page_url_of(BLOCKED_URI, site)),
        "decisions": link.to(page_url_of(DECISIONS_URI, site)),
        "learnings": link.to(page_url_of(LEARNINGS_URI, site)),
        "flow": link.to(page_url_of("flow/index.md", site)),
    }


# ---------------------------------------------------------------- timeline


@dataclass(slots=True)
class Event:
    day: date
    kind: str  # created | status | decided | action-due | action-done | superseded
    bucket: int
    record: str
    label: str


def timeline_events(site: SiteFacts, iid: str) -> list[Event]:
    """Every event of an initiative: creation, status changes, decisions, actions, supersession."""
    events: list[Event] = []
    for rid in (iid, *site.derived.members.get(iid, ())):
        rec = site.records.get(rid)
        if rec is None:
            continue
        facts = site.git.get(rid)
        history = facts.status_history if facts else ()
        created = site.created[rid]
        first = history[0] if history and rec.source_format != "headway" else None
        how = f" as {status_shown(first.status, first.written, first.source)}" \
            if first is not None and reading_of(first.status, first.written, first.source) else ""
        events.append(Event(created, "created", bucket_of(rec, history[0].status if history
                                                           else None),
                            rid, f"{TYPE_LABELS[rec.type]} created{how}"))
        for before, change in itertools.pairwise(history):
            day = change.date.date()
            decided = isinstance(rec, Decision) and change.status in ("accepted", "rejected") \
                and change.status != before.status  # not `Accepted` → `Done`
            shown = change.status if rec.source_format == "headway" else \
                status_shown(change.status, change.written, change.source)
            events.append(Event(day, "decided" if decided else "status",
                                bucket_of(rec, change.status), rid,
                                f"{'Decided' if decided else 'Now'}: {shown}"))
        if isinstance(rec, Decision):
            for action in rec.actions:
                if action.due is not None:
                    done = action.status == "done"
                    events.append(Event(action.due, "action-done" if done else "action-due", 3,
                                        rid, f"Action {'done' if done else 'due'}: "
                                        f"{action.what}"))
            for old in site.derived.supersedes.get(rid, ()):
                if old in site.records:
                    events.append(Event(created, "superseded", 3, rid,
                                        f"Supersedes {site.records[old].title}"))
    events.sort(key=lambda e: (e.day, e.bucket, e.record))
    return events


# The picture fits the whole span in these widths (CSS pixels, drawn at 1:1 so that text keeps
# its size): one drawing for a desktop column, one for a phone; CSS shows the one that fits.
# Lane labels are HTML beside the picture, so no scroll position can hide them.
TIMELINE_WIDTHS = {"wide": 480, "narrow": 200}
TIMELINE_PAD = 14  # space left of the first month (half a tap target and a little)
TIMELINE_RIGHT = 40  # room right of the last month for the "today" label
TIMELINE_TOP = 40  # two rows of axis labels: years, then months
TIMELINE_LANE = 44
TIMELINE_LEFT = TIMELINE_PAD  # where the lanes begin (kept for callers of the old name)
TAP = 24  # the smallest tap target on a touch screen, px: dots closer than this become one


@dataclass(slots=True)
class Marker:
    """A dot (or a cluster of dots) on the timeline picture."""

    x: float
    lane: int
    count: int
    url: str
    tooltip: str
    kinds: tuple[str, ...]
    r: float = 5.0
    # "planned": only actions due ahead (an open ring); "overdue": only actions due, one of
    # them past due and not done; "": something that happened
    state: str = ""


@dataclass(slots=True)
class MonthGroup:
    key: str  # YYYY-MM
    label: str
    events: list[dict[str, Any]] = field(default_factory=list)
    buckets: dict[int, int] = field(default_factory=dict)
    quiet_before: int = 0  # months with no event just before this one


@dataclass(slots=True)
class Drawing:
    """The picture at one width: ticks and labels of the axis, the markers, today and target."""

    name: str  # wide | narrow
    width: int
    height: int
    lanes: list[tuple[int, str, float]]  # (bucket, label, y)
    months: list[tuple[float, bool]]  # (x, is_year_start): a tick per month
    labels: list[tuple[float, float, str]]  # (x, y, text): axis labels that never overlap
    markers: list[Marker]
    today_x: float | None
    target_x: float | None


@dataclass(slots=True)
class Timeline:
    drawings: list[Drawing]
    groups: list[MonthGroup]
    count: int
    hidden: int = 0  # events too far from today to draw (still listed by month)
    states: tuple[str, ...] = ()  # the markers' states other than "", for the key

    @property
    def markers(self) -> list[Marker]:
        return self.drawings[0].markers

    @property
    def width(self) -> int:
        return self.drawings[0].width

    @property
    def lanes(self) -> list[tuple[int, str, float]]:
        return self.drawings[0].lanes


def _marker_radius(count: int) -> float:
    """A dot for one event; a larger one, with its count, for several."""
    return 5.0 if count == 1 else min(7 + count ** 0.5 * 1.5, 14)


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _label_width(text: str) -> float:
    """About how wide a 12 px label is, a little more than measured (a digit 6.7 px in bold)."""
    return sum(3.5 if ch == " " else 7.2 for ch in text)


def _axis_labels(start_m: int, months: int, col: float) -> list[tuple[float, float, str]]:
    """Years on the first row (at each January, and at the first month when there is room),
    months on the second, every `step` months, so that no two labels overlap."""
    gap = 6
    out: list[tuple[float, float, str]] = []
    years: list[tuple[float, str]] = []
    for m in range(months):
        year, month = divmod(start_m + m, 12)
        if month == 0 or m == 0:
            years.append((TIMELINE_PAD + m * col + 2, str(year)))
    for i, (x, text) in enumerate(years):
        following = years[i + 1][0] if i + 1 < len(years) else None
        if following is None or following - x >= _label_width(text) + gap:
            out.append((x, 14, text))
    step = next((s for s in (1, 2, 3, 6) if s * col >= _label_width("May") + gap), 0)
    if step:
        for m in range(months):
            month = (start_m + m) % 12
            if month % step == 0:
                out.append((TIMELINE_PAD + m * col + 2, 30,
                            date(2000, month + 1, 1).strftime("%b")))
    return out


def _drawing(name: str, plot: int, site: SiteFacts, events: list[Event], first: date, last: date,
             target: date | None, link: Linker) -> Drawing:
    start_m, end_m = _month_index(first), _month_index(last)
    months = end_m - start_m + 1
    col = min(64.0, plot / months)
    left, top, lane_h = TIMELINE_PAD, TIMELINE_TOP, TIMELINE_LANE
    width = round(left + months * col + TIMELINE_RIGHT)
    height = top + lane_h * 3 + 4

    def x_of(day: date) -> float:
        offset = _month_index(day) - start_m
        return left + offset * col + (day.day - 1) / 31 * col

    clusters: dict[tuple[int, int], list[Event]] = defaultdict(list)
    for e in events:
        clusters[(e.bucket, int((x_of(e.day) - left) // max(col / 4, 6)))].append(e)

    def centre(group: list[Event]) -> float:
        return sum(x_of(e.day) for e in group) / len(group)

    # Neighbouring clusters whose dots (or tap targets) would overlap become one marker (again
    # and again: a merged marker is larger, and may then reach the one before it).
    runs: list[tuple[int, list[Event]]] = [(b, list(g)) for (b, _), g in sorted(clusters.items())]
    merged = True
    while merged:
        merged = False
        kept: list[tuple[int, list[Event]]] = []
        for bucket, group in runs:
            if kept and kept[-1][0] == bucket and centre(group) - centre(kept[-1][1]) < max(
                    _marker_radius(len(group)) + _marker_radius(len(kept[-1][1])) + 1, TAP):
                kept[-1][1].extend(group)
                merged = True
            else:
                kept.append((bucket, group))
        runs = kept
    markers = []
    for bucket, group in runs:
        group.sort(key=lambda e: e.day)
        xs = centre(group)
        ids = {e.record for e in group}
        url = link.to(site.urls[group[0].record]) if len(ids) == 1 else \
            f"#hw-month-{group[0].day:%Y-%m}"
        tip = "; ".join(f"{e.day.isoformat()} {site.records[e.record].title}: {e.label}"
                        for e in group[:6]) + (f"; and {len(group) - 6} more"
                                                if len(group) > 6 else "")
        kinds = tuple(sorted({e.kind for e in group}))
        state = ""
        if kinds == ("action-due",) and all(in_force(site.records[e.record]) for e in group):
            state = "overdue" if group[0].day < site.today else "planned"
        markers.append(Marker(round(xs, 1), bucket, len(group), url, tip, kinds,
                              _marker_radius(len(group)), state))
    lanes = [(b, BUCKETS[b], top + lane_h * (i + 0.5)) for i, b in enumerate((1, 2, 3))]
    ticks = [(round(left + m * col, 1), (start_m + m) % 12 == 0) for m in range(months)]
    return Drawing(
        name=name, width=width, height=height, lanes=lanes, months=ticks,
        labels=_axis_labels(start_m, months, col), markers=markers,
        today_x=round(x_of(site.today), 1), target_x=round(x_of(target), 1) if target else None,
    )


def timeline(site: SiteFacts, iid: str, link: Linker) -> Timeline | None:
    """The initiative's events as a picture: a lane per bucket, the whole span across the
    column; events of a lane too close to tell (or to tap) apart are drawn as one numbered dot,
    so 5 and 500 events both read."""
    all_events = timeline_events(site, iid)
    if not all_events:
        return None
    # A mistyped year (due: 2206-08-15) must not stretch the picture over centuries: the axis
    # spans at most five years back and three ahead; the list below keeps every event.
    earliest, latest = date(site.today.year - 5, 1, 1), date(site.today.year + 3, 12, 31)
    events = [e for e in all_events if earliest <= e.day <= latest] or all_events[-1:]
    rec = site.derived.initiatives.get(iid)
    target = rec.target if isinstance(rec, Initiative) else None
    if target is not None and not earliest <= target <= latest:
        target = None
    first = min(e.day for e in events)
    last = max([e.day for e in events] + [site.today] + ([target] if target else []))
    drawings = [_drawing(name, plot, site, events, first, last, target, link)
                for name, plot in TIMELINE_WIDTHS.items()]

    groups: list[MonthGroup] = []
    by_month: dict[str, list[Event]] = defaultdict(list)
    for e in all_events:
        by_month[f"{e.day:%Y-%m}"].append(e)
    previous: int | None = None
    for key in sorted(by_month, reverse=True):
        year, month = (int(x) for x in key.split("-"))
        g = MonthGroup(key, date(year, month, 1).strftime("%B %Y"))
        for e in reversed(by_month[key]):
            g.events.append({"day": e.day, "label": e.label, "bucket": e.bucket, "kind": e.kind,
                             "record": link.record(e.record)})
            g.buckets[e.bucket] = g.buckets.get(e.bucket, 0) + 1
        index = year * 12 + month - 1
        if previous is not None and groups:
            groups[-1].quiet_before = previous - index - 1
        previous = index
        groups.append(g)
    markers = [m for d in drawings for m in d.markers]
    return Timeline(
        drawings=drawings, groups=groups, count=len(all_events),
        hidden=len(all_events) - len(events),
        states=tuple(s for s in ("planned", "overdue") if any(m.state == s for m in markers)),
    )


# ---------------------------------------------------------------- blocked


@dataclass(slots=True)
class BlockedItem:
    key: str  # the record's id, or `<id>#action-<n>`: one item, whichever groups it is in
    title: str
    url: str
    kind: str  # the record's type, or "action"
    what: str | None  # the action's text, or what the record waits for
    owner: str | None
    initiative: Link | None
    since: date | None
    days: int | None
    due: date | None
    overdue: bool
    status: str
    also: list[Link] = field(default_factory=list)  # its other root blockers, when several


@dataclass(slots=True)
class BlockerGroup:
    key: str
    blocker: Link
    items: list[BlockedItem]
    initiatives: int
    single_point: bool = False
    share: float = 0.0


def blocked_items(site: SiteFacts, link: Linker, initiative: str | None = None
                  ) -> list[tuple[str, BlockedItem]]:
    """(root blocker, item) for every blocked record and blocked action: a record under each
    of its root blockers; an action under each person it waits on ("" when it names none).
    A record held up only by its own blocked actions is shown through those actions, and a
    root blocker the record meets only through one of its own actions lists that action, not
    the record as well (one hold-up, counted once)."""
    ids = site.records if initiative is None else (
        initiative, *site.derived.members.get(initiative, ()))
    today = site.today
    history = site.flow.history.records if site.flow is not None else {}
    action_history = site.flow.history.actions if site.flow is not None else {}
    out: list[tuple[str, BlockedItem]] = []
    for rid in ids:
        rec = site.records.get(rid)
        if rec is None:
            continue
        home = link.initiative(rec.initiative or (rid if isinstance(rec, Initiative) else None))
        only_by_actions = met_only_through_actions(rec, site.records, site.derived.root_blockers)
        roots = site.derived.root_blockers.get(rid, ())
        # Since when each root holds it up: the open interval of its block history (the one
        # rule, the spec's); the created date only if history has none (it always should).
        held_since = {i.blocker: i.since for i in history.get(rid, ()) if i.until is None} \
            if roots else {}
        for root in roots:
            if root == rid or root in only_by_actions:
                continue
            wait = next((w for w in own_open_waits(rec) if w.who == root), None)
            since = held_since.get(root, site.created[rid])
            due = wait.due if wait else None
            out.append((root, BlockedItem(
                key=rid, title=rec.title, url=link.to(site.urls[rid]), kind=rec.type,
                what=wait.what if wait else None, owner=rec.owner, initiative=home,
                since=since, days=max(0, (today - since).days), due=due,
                overdue=bool(due and due < today), status=rec.status)))
        for n, action in enumerate(_actions(rec)):
            if not action.blocked:
                continue
            # as for records: the open intervals of the action's block history (its blocker
            # the person waited on, or the record itself when it names no one)
            action_since = {i.blocker: i.since for i in action_history.get((rid, action.what), ())
                            if i.until is None}
            for wait in action.open_waits or (None,):
                since = action_since.get(wait.who if wait else rid) or \
                    (wait.since if wait and wait.since else site.created[rid])
                due = action.due or (wait.due if wait else None)
                out.append((wait.who if wait else "", BlockedItem(
                    key=f"{rid}#action-{n}", title=rec.title, url=link.to(site.urls[rid]),
                    kind="action", what=action.what, owner=action.owner or rec.owner,
                    initiative=home, since=since, days=max(0, (today - since).days), due=due,
                    overdue=bool(due and due < today), status=action.status)))
    return out


def blocked_groups(site: SiteFacts, link: Linker, initiative: str | None = None
                   ) -> list[BlockerGroup]:
    """Blocked items grouped by root blocker: the groups by how much they hold up, the items
    oldest first within each."""
    groups: dict[str, list[BlockedItem]] = defaultdict(list)
    roots_of: dict[str, list[str]] = defaultdict(list)
    for root, item in blocked_items(site, link, initiative):
        groups[root].append(item)
        roots_of[item.key].append(root)
    for root, items in groups.items():  # an item under several blockers says so under each
        for item in items:
            item.also = [_blocker_link(link, r) for r in roots_of[item.key] if r != root]
    today = site.today
    total = len({item.key for items in groups.values() for item in items}) or 1
    out = []
    for key, items in groups.items():
        items.sort(key=lambda i: (i.since or today, i.title.lower()))
        blocker = _blocker_link(link, key)
        inits = len({i.initiative.label for i in items if i.initiative})
        out.append(BlockerGroup(key, blocker, items, inits, share=len(items) / total))
    out.sort(key=lambda g: (-len(g.items), min((i.since or today) for i in g.items),
                            g.blocker.label.lower()))
    # A single point of failure: one blocker holding up at least three items and at least a
    # quarter of everything that is blocked.
    for g in out:
        g.single_point = len(g.items) >= max(3, total / 4)
    return out


def _blocker_link(link: Linker, key: str) -> Link:
    return Link("No blocker named", None, "unnamed") if key == "" else link.blocker(key)


def blocked_page(site: SiteFacts, page_url: str) -> dict[str, Any]:
    link = Linker(site, page_url)
    groups = blocked_groups(site, link)
    kinds = {i.key: i.kind for g in groups for i in g.items}
    actions = sum(kind == "action" for kind in kinds.values())
    listed = sum(len(g.items) for g in groups)
    several = len({i.key for g in groups for i in g.items if i.also})
    return {"groups": groups, "items": len(kinds), "records": len(kinds) - actions,
            "actions": actions, "listed": listed, "several": several,
            "links": _nav_links(link, site), "today": site.today}


# ---------------------------------------------------------------- logs


def _date_label(site: SiteFacts, rows: list[RecordView]) -> str:
    """The heading of a table's date column: an ADR's `date` is its decision's date, not when
    the record was created."""
    adrs = rows and all(site.records[r.id].source_format != "headway" for r in rows)
    return "Date" if adrs else "Created"


def log_page(site: SiteFacts, page_url: str, rtype: str) -> dict[str, Any]:
    """Every record of a type, newest first, with what the filters need."""
    link = Linker(site, page_url)
    rows = [link.view(rid) for rid, rec in site.records.items() if rec.type == rtype]
    rows.sort(key=lambda v: (v.created, v.updated or v.created, v.id), reverse=True)
    statuses = [s for s in STATUSES[rtype] if any(r.status == s for r in rows)]
    initiatives = sorted({r.initiative.label for r in rows if r.initiative})
    return {"rows": rows, "type": rtype, "statuses": statuses,
            "date_label": _date_label(site, rows),
            "counts": Counter(r.status for r in rows),
            "initiatives": initiatives, "links": _nav_links(link, site)}


# ---------------------------------------------------------------- initiative


def initiative_page(site: SiteFacts, iid: str, page_url: str) -> dict[str, Any]:
    link = Linker(site, page_url)
    summary = summarise(site, iid, link)
    members = site.derived.members.get(iid, ())
    awaiting = []
    for rid in members:
        rec = site.records[rid]
        if isinstance(rec, Decision) and rec.status == "proposed":
            history = site.git[rid].status_history if rid in site.git else ()
            proposed = [s.date for s in history if s.status == "proposed"]
            awaiting.append({
                "view": link.view(rid),
                "since": proposed[-1].date() if proposed
                else site.created[rid],
                "deciders": rec.deciders,
                "learnings": [(link.record(lid), _question(site.records.get(lid)))
                              for lid in rec.informed_by],
                "options": rec.options,
            })
    views = [link.view(rid) for rid in members]
    decisions = sorted((v for v in views if v.type == "decision"),
                       key=lambda v: (v.created, v.id), reverse=True)
    learnings = sorted((v for v in views if v.type == "learning"),
                       key=lambda v: (v.created, v.id), reverse=True)
    return {
        "summary": summary,
        "record": site.records.get(iid),
        "timeline": timeline(site, iid, link),
        "buckets": BUCKETS,
        "awaiting": awaiting,
        "decisions": decisions,
        "learnings": learnings,
        "date_label": _date_label(site, decisions + learnings),
        "blocked": blocked_groups(site, link, iid),
        "links": _nav_links(link, site),
    }


# ---------------------------------------------------------------- record panel


def commit_url(repo_url: str | None, sha: str) -> str | None:
    """A link to a commit on the hosting service, when `repo_url` names one."""
    if not repo_url:
        return None
    base = repo_url.rstrip("/").removesuffix(".git")
    if "gitlab" in base:
        return f"{base}/-/commit/{sha}"
    if "bitbucket" in base:
        return f"{base}/commits/{sha}"
    return f"{base}/commit/{sha}"


def record_panel(site: SiteFacts, rid: str, page_url: str, repo_url: str | None
                 ) -> dict[str, Any]:
    """The metadata, relationships, actions and history shown above a record's body."""
    link = Linker(site, page_url)
    rec = site.records[rid]
    d = site.derived
    facts = site.git.get(rid)
    relations: list[tuple[str, list[Link]]] = []

    def add(label: str, ids: Any) -> None:
        items = [link.record(i) for i in ids if i]
        if items:
            relations.append((label, items))

    if isinstance(rec, Decision):
        add("Informed by", rec.informed_by)
        add("Supersedes", d.supersedes.get(rid, ()))
        add("Superseded by", [d.superseded_by[rid]] if rid in d.superseded_by else [])
    if isinstance(rec, Learning):
        add("Informs", d.informs.get(rid, ()))
    add("Depends on", rec.depends_on)
    add("Blocks", d.blocks.get(rid, ()))
    foreign = rec.source_format != "headway"
    history = [{
        "status": s.status, "date": s.date.date().isoformat(), "author": s.author, "short": s.commit[:7],
        "url": commit_url(repo_url, s.commit),
        "reading": reading_of(s.status, s.written, s.source) if foreign else "",
    } for s in (facts.status_history if facts else ())]
    people: list[tuple[str, tuple[str, ...]]] = []
    if isinstance(rec, Decision) and rec.deciders:
        people.append(("Deciders", rec.deciders))
    if isinstance(rec, Learning) and rec.participants:
        people.append(("Participants", rec.participants))
    overdue = overdue_actions(rec, site.today)
    return {
        "record": rec,
        "view": link.view(rid),
        "type_label": TYPE_LABELS[rec.type],
        "initiative_page": link.to(page_url_of(initiative_uri(rid), site))
        if isinstance(rec, Initiative) else None,
        "people": people,
        "relations": relations,
        "actions": [{"action": a, "overdue": any(a is o for o in overdue)}
                    for a in _actions(rec)],
        "waiting": list(rec.waiting_on),
        "root_blockers": [link.blocker(r) for r in d.root_blockers.get(rid, ())],
        "history": history,
        "authors": facts.authors if facts else (),
        "created_git": facts.created.date().isoformat() if facts and facts.created else None,
        "updated": facts.updated.date().isoformat() if facts and facts.updated else None,
        "uncommitted": facts is None or facts.uncommitted,
        "today": site.today,
    }


def problems_page(problems: list[Problem]) -> dict[str, Any]:
    ordered = sorted(problems, key=lambda p: (p.severity != "error", p.path, p.line or 0))
    return {"problems": ordered, "files": len({p.path for p in problems}),
            "errors": sum(1 for p in problems if p.severity == "error")}


def home_page(site: SiteFacts, page_url: str) -> dict[str, Any]:
    """A home page for a docs folder that has none (an ADR-only folder): the initiatives, what
    is blocked, the latest decisions."""
    link = Linker(site, page_url)
    blocked = blocked_page(site, page_url)
    decisions = [link.view(rid) for rid, rec in site.records.items() if rec.type == "decision"]
    decisions.sort(key=lambda v: (v.created, v.updated or v.created, v.id), reverse=True)
    return {**initiatives_page(site, page_url), "blocked_items": blocked["items"],
            "blockers": blocked["groups"][:3], "latest": decisions[:5],
            "decision_count": len(decisions)}
