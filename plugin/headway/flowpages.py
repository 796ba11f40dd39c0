"""The flow page and each initiative's flow section: what slowed work down, as SVG and text."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from .derive import SiteFacts
from .flow import Blocker, BlockHistory, cluster, initiative_flow, median_days, single_points
from .model import Decision, Learning
from .pages import Link, Linker, _nav_links, initiative_uri, page_url_of

FLOW_URI = "flow/index.md"

WIDTH = 480  # the pictures' viewBox width: a phone shows it at 80 %, a desktop as it is
LABEL = 150  # where bars begin, after their labels
BAR = 250  # the longest bar
ROW = 22
MAX_ROWS = 30  # bars in a picture; the table below lists every one

# Cumulative flow bands, bottom to top: what is finished first, what is still open above.
BANDS: tuple[tuple[str, str], ...] = (
    ("retired", "superseded or deprecated"),
    ("decided", "decided (accepted or rejected)"),
    ("proposed", "proposed"),
    ("exploring", "exploring"),
    ("learned", "learning done"),
    ("gathering", "learning open"),
)


def band_of(rtype: str, status: str) -> str | None:
    if rtype == "learning":
        return "learned" if status == "done" else "gathering"
    if rtype == "decision":
        return {"exploring": "exploring", "proposed": "proposed", "accepted": "decided",
                "rejected": "decided"}.get(status, "retired")
    return None


@dataclass(slots=True)
class BlockerBar:
    link: Link
    kind: str
    resolved_days: int
    open_days: int
    items: int
    open_items: int
    single_point: bool
    y: float = 0
    resolved_width: float = 0
    open_width: float = 0
    short: str = ""


@dataclass(slots=True)
class BlockerChart:
    bars: list[BlockerBar]
    shown: list[BlockerBar]
    height: float
    total_days: int


@dataclass(slots=True)
class LeadPoint:
    link: Link
    created: date
    decided: date
    days: int
    exploring: int = 0
    proposed: int = 0
    x: float = 0
    y: float = 0


@dataclass(slots=True)
class LeadChart:
    points: list[LeadPoint]  # newest decision first
    median: float | None
    median_y: float | None
    max_days: int
    ticks: list[tuple[float, str]] = field(default_factory=list)  # y, label (days)
    # across: the starts of years or months (x, label), and the first and last days
    x_ticks: list[tuple[float, str]] = field(default_factory=list)
    ends: list[tuple[float, str, str]] = field(default_factory=list)  # x, label, text-anchor
    height: int = 200
    top: int = 12
    bottom: int = 170


@dataclass(slots=True)
class FlowArea:
    band: str
    label: str
    points: str  # an SVG polygon's points
    count: int  # records in the band now


@dataclass(slots=True)
class CumulativeFlow:
    areas: list[FlowArea]
    rows: list[tuple[str, dict[str, int]]]  # month label → count per band, newest first
    first: date
    total: int
    height: int = 180
    top: int = 10
    bottom: int = 160
    ticks: list[tuple[float, str]] = field(default_factory=list)  # see time_axis
    ends: list[tuple[float, str, str]] = field(default_factory=list)


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_END_ROOM = 66  # what a date at an end of the axis takes (2026-11-25 at the axis' size)
_TICK_ROOM = 36  # what a month's or a year's label takes, with room to the next


def time_axis(first: date, last: date, x_of: Callable[[date], float]
              ) -> tuple[list[tuple[float, str]], list[tuple[float, str, str]]]:
    """A time axis from `first` to `last`: its two ends labelled with their days, and
    between them the starts of years, or of months when it spans less than three years
    (every second, third, sixth or twelfth month where each would crowd the next), left
    out where they would run into the ends' labels. A short span still says when it is."""
    if first >= last:  # one day: its label under it (at the left edge, from there)
        x = x_of(first)
        return [], [(x, first.isoformat(), "middle" if x > _END_ROOM else "start")]
    start, end = x_of(first), x_of(last)
    ends = [(start, first.isoformat(), "start"), (end, last.isoformat(), "end")]
    per_day = (end - start) / (last - first).days
    marks: list[tuple[date, str]] = []
    if (last - first).days > 3 * 366:
        every = next((n for n in (1, 2, 5, 10, 20, 50) if per_day * 365 * n >= _TICK_ROOM), 100)
        marks = [(date(y, 1, 1), str(y)) for y in range(first.year + 1, last.year + 1)
                 if y % every == 0]
    else:
        every = next((n for n in (1, 2, 3, 6) if per_day * 30.4 * n >= _TICK_ROOM), 12)
        year, month = first.year, first.month
        while True:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            day = date(year, month, 1)
            if day > last:
                break
            if (month - 1) % every == 0:
                marks.append((day, str(year) if month == 1 else _MONTHS[month - 1]))
    inner = [(x, label) for day, label in marks
             if start + _END_ROOM <= (x := x_of(day)) <= end - _END_ROOM - _TICK_ROOM]
    return inner, ends


def _short(text: str, limit: int = 22) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def blocker_chart(history: BlockHistory, blockers: Iterable[Blocker], spof: set[str],
                  link: Linker, today: date) -> BlockerChart | None:
    """Blocked days per root blocker, resolved and still open, the largest first."""
    split: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for intervals in [*history.records.values(), *history.actions.values()]:
        for interval in intervals:
            split[(interval.blocker, interval.kind)][interval.until is None] += \
                interval.days(today)
    bars = []
    for b in blockers:
        resolved, still = split[(b.name, b.kind)]
        named = link.blocker(b.name) if b.kind == "record" else Link(b.name, None, "who")
        bars.append(BlockerBar(named, b.kind, resolved, still, b.items, b.open_items,
                               b.name in spof, short=_short(named.label)))
    if not bars:
        return None
    shown = bars[:MAX_ROWS]
    longest = max(max(b.resolved_days + b.open_days for b in shown), 1)
    for row, bar in enumerate(shown):
        bar.y = 8 + row * ROW
        bar.resolved_width = round(BAR * bar.resolved_days / longest, 1)
        bar.open_width = round(BAR * bar.open_days / longest, 1)
    return BlockerChart(bars, shown, 8 + len(shown) * ROW + 6,
                        sum(b.resolved_days + b.open_days for b in bars))


def lead_chart(site: SiteFacts, ids: Iterable[str], link: Linker) -> LeadChart | None:
    """Each decided decision as a point: when it was decided (across) and its lead time in
    days (up); the median as a line."""
    flow = site.flow
    if flow is None:
        return None
    points = []
    for rid in ids:
        lead = flow.lead.get(rid)
        if lead is None or lead.decided is None or lead.lead_time_days is None:
            continue
        points.append(LeadPoint(link.record(rid), flow.started[rid], lead.decided,
                                lead.lead_time_days, lead.exploring_days, lead.proposed_days))
    if not points:
        return None
    points.sort(key=lambda p: (p.decided, p.link.label), reverse=True)
    chart = LeadChart(points, median_days(p.days for p in points), None,
                      max(p.days for p in points))
    first = min(p.decided for p in points)
    last = max(p.decided for p in points)
    span = max((last - first).days, 1)
    top = max(chart.max_days, 1)
    plot = chart.bottom - chart.top

    def x_of(day: date) -> float:
        return round(LABEL / 3 + (WIDTH - LABEL / 3 - 16) * (day - first).days / span, 1) \
            if last != first else WIDTH / 2

    for p in points:
        p.x = x_of(p.decided)
        p.y = round(chart.bottom - plot * p.days / top, 1)
    if chart.median is not None:
        chart.median_y = round(chart.bottom - plot * chart.median / top, 1)
    # Whole days: a middle line only where it falls on one (2 of 4, not 0.5 of 1 or 1.5 of 3).
    middle = [top // 2] if top > 1 and (top % 2 == 0 or top >= 10) else []
    chart.ticks = [(round(chart.bottom - plot * v / top, 1), str(v)) for v in (0, *middle, top)]
    chart.x_ticks, chart.ends = time_axis(first, last, x_of)
    return chart


def cumulative_flow(site: SiteFacts, ids: Iterable[str]) -> CumulativeFlow | None:
    """Records by bucket and status over time, stacked (from the status histories)."""
    changes: dict[date, list[tuple[str, str | None]]] = defaultdict(list)
    for rid in ids:
        rec = site.records.get(rid)
        if not isinstance(rec, (Decision, Learning)):
            continue
        facts = site.git.get(rid)
        history = facts.status_history if facts else ()
        if history:
            for change in history:
                changes[change.date.date()].append(
                    (rid, band_of(rec.type, change.status)))
        else:
            changes[site.created[rid]].append((rid, band_of(rec.type, rec.status)))
    if not changes:
        return None
    today = site.today
    days = sorted(changes)
    first = days[0]
    end = max(today, days[-1])
    span = max((end - first).days, 1)
    # At most one sample a day, and at most 240 of them: the picture's detail, not its size.
    step = max(1, -(-span // 240))
    samples = [first + timedelta(days=d) for d in range(0, span + 1, step)]
    if samples[-1] != end:
        samples.append(end)
    where: dict[str, str | None] = {}
    counts: list[dict[str, int]] = []
    months: dict[str, dict[str, int]] = {}
    pending = iter(days)
    upcoming = next(pending, None)
    for sample in samples:
        while upcoming is not None and upcoming <= sample:
            for rid, band in changes[upcoming]:
                where[rid] = band
            upcoming = next(pending, None)
        now: dict[str, int] = defaultdict(int)
        for band in where.values():
            if band:
                now[band] += 1
        counts.append(dict(now))
        months[sample.strftime("%Y-%m")] = dict(now)
    chart = CumulativeFlow([], [], first, sum(counts[-1].values()))
    highest = max(max((sum(c.values()) for c in counts), default=1), 1)
    plot = chart.bottom - chart.top

    def x_of(day: date) -> float:
        return round(8 + (WIDTH - 16) * (day - first).days / span, 1)

    # Only where some count changes (and the end) need a point: the bands are steps.
    kept = [i for i in range(len(samples)) if i == 0 or counts[i] != counts[i - 1]]
    xs = [x_of(samples[i]) for i in kept] + [x_of(end)]
    scale = plot / highest
    below = [0] * len(kept)
    for band, label in BANDS:
        above = [b + counts[i].get(band, 0) for b, i in zip(below, kept, strict=True)]
        if above != below:
            top_line = [f"{xs[j]},{chart.bottom - scale * above[j]:.1f} "
                        f"{xs[j + 1]},{chart.bottom - scale * above[j]:.1f}"
                        for j in range(len(kept))]
            bottom_line = [f"{xs[j + 1]},{chart.bottom - scale * below[j]:.1f} "
                           f"{xs[j]},{chart.bottom - scale * below[j]:.1f}"
                           for j in range(len(kept) - 1, -1, -1)]
            chart.areas.append(FlowArea(band, label, " ".join(top_line + bottom_line),
                                        counts[-1].get(band, 0)))
        below = above
    chart.rows = sorted(months.items(), reverse=True)
    chart.ticks, chart.ends = time_axis(first, end, x_of)
    return chart


def flow_section(site: SiteFacts, link: Linker, initiative: str | None = None
                 ) -> dict[str, Any]:
    """The pictures and numbers of the whole site, or of one initiative."""
    flow = site.flow
    if flow is None:
        return {}
    if initiative is None:
        ids: tuple[str, ...] = tuple(site.records)
        history, blockers, spof = flow.history, flow.blockers, flow.single_points
    else:
        ids = (initiative, *site.derived.members.get(initiative, ()))
        history = flow.by_initiative.get(initiative, BlockHistory({}, {}))
        blockers = cluster(history, site.today)
        spof = single_points(blockers, history)
    return {
        "blockers": blocker_chart(history, blockers, spof, link, site.today),
        "lead": lead_chart(site, ids, link),
        "cfd": cumulative_flow(site, ids),
        "width": WIDTH, "label": LABEL, "bar": BAR,
        "bands": BANDS,
    }


def flow_page(site: SiteFacts, page_url: str) -> dict[str, Any]:
    link = Linker(site, page_url)
    rows: list[tuple[int, str, dict[str, Any]]] = []
    for iid in site.derived.initiatives:
        numbers = initiative_flow(site, iid)
        named = link.initiative(iid)
        label = named.label if named else iid
        rows.append((-numbers["blocked_days"], label.lower(), {
            "link": named, "flow": numbers,
            "url": link.to(page_url_of(initiative_uri(iid), site))}))
    initiatives = [row for _, _, row in sorted(rows, key=lambda r: (r[0], r[1]))]
    return {"flow": flow_section(site, link), "initiatives": initiatives,
            "links": _nav_links(link, site), "today": site.today}


def initiative_flow_section(site: SiteFacts, iid: str, page_url: str) -> dict[str, Any]:
    """What the initiative page's flow section shows (its template includes it)."""
    link = Linker(site, page_url)
    return {"flow": flow_section(site, link, iid), "flow_numbers": initiative_flow(site, iid)}
