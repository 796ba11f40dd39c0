"""The Atom feed of record events (created, status changed, blocked, unblocked), newest first."""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from .derive import SiteFacts
from .ids import slugify
from .model import TYPE_LABELS
from .statuses import status_shown

ATOM = "http://www.w3.org/2005/Atom"
FEED_URL = "headway/feed.xml"


@dataclass(frozen=True, slots=True)
class FeedEvent:
    when: str  # ISO datetime
    record: str
    status: str
    created: bool
    author: str | None
    commit: str | None
    shown: str = ""  # the status with how it was read (`accepted (Done)`), for its text
    kind: str = "status"  # status | blocked | unblocked
    blocker: str = ""  # blocked, unblocked: the root blocker
    action: str = ""  # blocked, unblocked: the action's `what`, for an action


def feed_events(site: SiteFacts) -> list[FeedEvent]:
    """One event per status-history entry (the first is the creation), newest first."""
    events: list[FeedEvent] = []
    for rid in site.records:
        facts = site.git.get(rid)
        history = facts.status_history if facts else ()
        if not history:
            when = datetime.combine(site.created[rid], time(0), UTC).isoformat()
            rec = site.records[rid]
            events.append(FeedEvent(when, rid, rec.status, True, None, None, rec.status
                                    if rec.source_format == "headway" else
                                    status_shown(rec.status, rec.status_text, rec.status_source)))
            continue
        foreign = site.records[rid].source_format != "headway"
        for index, change in enumerate(history):
            events.append(FeedEvent(change.date.isoformat(), rid, change.status, index == 0, change.author,
                                    change.commit, status_shown(change.status, change.written,
                                                                change.source)
                                    if foreign else change.status))
    events += block_events(site)
    # newest first; what happened to one record at one moment in a fixed order too
    events.sort(key=lambda e: (_utc(e.when), e.record, e.kind, e.action, e.blocker),
                reverse=True)
    return events


def block_events(site: SiteFacts) -> list[FeedEvent]:
    """A "blocked" event for each interval of block history (on the day of the commit that
    began it), an "unblocked" one for each that ended."""
    flow = site.flow
    if flow is None:
        return []
    events: list[FeedEvent] = []
    items = [*((rid, "", ivs) for rid, ivs in flow.history.records.items()),
             *((rid, what, ivs) for (rid, what), ivs in flow.history.actions.items())]
    for rid, what, intervals in items:
        if rid not in site.records:
            continue
        status = site.records[rid].status
        for iv in intervals:
            began = iv.opened or iv.since
            events.append(FeedEvent(_day_start(began), rid, status, False, None, None,
                                    kind="blocked", blocker=iv.blocker, action=what))
            if iv.until is not None:
                events.append(FeedEvent(_day_start(iv.until), rid, status, False, None, None,
                                        kind="unblocked", blocker=iv.blocker, action=what))
    return events


def _day_start(day: date) -> str:
    return datetime.combine(day, time(0), UTC).isoformat()


def _utc(iso: str) -> datetime:
    moment = datetime.fromisoformat(iso)
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def feed_xml(site: SiteFacts, site_name: str, site_url: str | None, limit: int | None = None
             ) -> str:
    """A valid Atom 1.0 document; links are absolute when `site_url` is set."""
    ET.register_namespace("", ATOM)
    base = (site_url.rstrip("/") + "/") if site_url else None

    def href(url: str) -> str:
        return base + url if base else posixpath.relpath(url or ".", "headway") + (
            "/" if url.endswith("/") else "")

    events = feed_events(site)
    if limit:
        events = events[:limit]
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = f"{site_name}: decisions and learnings"
    ET.SubElement(feed, f"{{{ATOM}}}id").text = (base + FEED_URL) if base else \
        f"urn:headway:{slugify(site_name)}"
    updated = _utc(events[0].when) if events else datetime.combine(site.today, time(0), UTC)
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = updated.isoformat()
    if base:
        ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=base + FEED_URL)
        ET.SubElement(feed, f"{{{ATOM}}}link", rel="alternate", href=base)
    ET.SubElement(feed, f"{{{ATOM}}}generator").text = "headway"
    for event in events:
        rec = site.records[event.record]
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        label = TYPE_LABELS[rec.type]
        blocker = _blocker_name(site, event.blocker)
        item = f"{rec.title}, action “{event.action}”" if event.action else rec.title
        if event.kind == "blocked":
            title = f"{item}: blocked by {blocker}"
        elif event.kind == "unblocked":
            title = f"{item}: no longer held up by {blocker}"
        else:
            title = (f"New {label.lower()}: {rec.title}" if event.created
                     else f"{rec.title}: {event.shown or event.status}")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = title
        ET.SubElement(entry, f"{{{ATOM}}}id").text = (
            f"urn:headway:{rec.id}:{event.kind}:{event.when[:10]}:{slugify(event.blocker)}:"
            f"{slugify(event.action)}" if event.kind != "status" else
            f"urn:headway:{rec.id}:{event.commit or 'uncommitted'}:{event.status}")
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _utc(event.when).isoformat()
        ET.SubElement(entry, f"{{{ATOM}}}link", rel="alternate", href=href(site.urls[rec.id]))
        author = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(author, f"{{{ATOM}}}name").text = event.author or rec.owner or "unknown"
        ET.SubElement(entry, f"{{{ATOM}}}category", term=rec.type)
        initiative = site.derived.initiatives.get(rec.initiative or "")
        where = f" in {initiative.title if initiative else rec.initiative}" \
            if rec.initiative else ""
        shown = event.shown or event.status
        if event.kind != "status":
            summary = f"{label}{where}: {title[len(item) + 2:]}"
        else:
            summary = (f"{label}{where}, created as {shown}" if event.created
                       else f"{label}{where} is now {shown}")
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = summary
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"


def _blocker_name(site: SiteFacts, name: str) -> str:
    rec = site.records.get(name)
    return rec.title if rec is not None else name
