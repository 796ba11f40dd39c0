"""The Atom feed of record events (created, status changed), newest first."""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, time

from .derive import SiteFacts
from .pages import TYPE_LABELS
from .statuses import status_shown
from .validate import slugify

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
            events.append(FeedEvent(change.date, rid, change.status, index == 0, change.author,
                                    change.commit, status_shown(change.status, change.written,
                                                                change.source)
                                    if foreign else change.status))
    events.sort(key=lambda e: (_utc(e.when), e.record), reverse=True)
    return events


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
        title = (f"New {label.lower()}: {rec.title}" if event.created
                 else f"{rec.title}: {event.shown or event.status}")
        ET.SubElement(entry, f"{{{ATOM}}}title").text = title
        ET.SubElement(entry, f"{{{ATOM}}}id").text = (
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
        summary = (f"{label}{where}, created as {shown}" if event.created
                   else f"{label}{where} is now {shown}")
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = summary
    return ET.tostring(feed, encoding="unicode", xml_declaration=True) + "\n"
