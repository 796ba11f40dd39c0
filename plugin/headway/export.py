"""The machine-readable export: `records.json`, the same from the CLI and from the site."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from .clock import build_time
from .derive import SiteFacts
from .flow import Interval, initiative_flow
from .model import Action, Decision, GitFacts, Initiative, Learning, Record, WaitingOn
from .statuses import status_note

EXPORT_VERSION = 2


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _waiting(w: WaitingOn) -> dict[str, Any]:
    return {"who": w.who, "what": w.what, "since": _iso(w.since), "due": _iso(w.due),
            "done": w.done}


def _action(a: Action, site: SiteFacts, rid: str) -> dict[str, Any]:
    history = site.flow.history.actions.get((rid, a.what), ()) if site.flow else ()
    return {"what": a.what, "owner": a.owner, "due": _iso(a.due), "status": a.status,
            "waiting_on": [_waiting(w) for w in a.waiting_on], "blocked": a.blocked,
            "block_history": [_interval(i) for i in history]}


def _interval(i: Interval) -> dict[str, Any]:
    return {"blocker": i.blocker, "kind": i.kind, "since": i.since.isoformat(),
            "until": _iso(i.until)}


def _git_date(value: datetime | None, facts: GitFacts | None, site: SiteFacts, rid: str
              ) -> str:
    if value is not None:
        return value.date().isoformat()
    if facts is not None and facts.uncommitted:
        return site.today.isoformat()
    return site.created[rid].isoformat()


def record_json(rec: Record, site: SiteFacts) -> dict[str, Any]:
    """One record with its derived facts, as the spec's `records.json` describes it (for
    json: tuples are written as lists, so they are not copied into lists here)."""
    facts = site.git.get(rec.id)
    d = site.derived
    out: dict[str, Any] = {
        "id": rec.id,
        "type": rec.type,
        "title": rec.title,
        "initiative": rec.initiative,
        "status": rec.status,
        # how the status was read: written, kept (a word naming none), inferred, default
        "status_source": rec.status_source,
        "resolved": rec.resolved,
        "owner": rec.owner,
        "url": site.urls.get(rec.id, ""),
        "path": rec.path,
        "date": _iso(rec.date),
        # from git; a file not committed yet takes today; without git at all, the date shown
        "created": _git_date(facts.created if facts else None, facts, site, rec.id),
        "updated": _git_date(facts.updated if facts else None, facts, site, rec.id),
        "uncommitted": bool(facts and facts.uncommitted),
        "authors": facts.authors if facts else (),
        "status_history": [
            {"status": s.status, "date": s.date.date().isoformat(),
             "datetime": s.date.isoformat(), "commit": s.commit,
             "author": s.author, "written": s.written, "status_source": s.source}
            for s in (facts.status_history if facts else ())
        ],
        "tags": rec.tags,
        "depends_on": rec.depends_on,
        "waiting_on": [_waiting(w) for w in rec.waiting_on],
        "blocked": d.blocked.get(rec.id, False),
        "root_blockers": d.root_blockers.get(rec.id, ()),
        "blocked_since": _iso(d.blocked_since.get(rec.id)),
        "blocks": d.blocks.get(rec.id, ()),
        "block_history": [_interval(i) for i in (
            site.flow.history.records.get(rec.id, ()) if site.flow else ())],
    }
    if rec.source_format != "headway":
        out.update(format=rec.source_format, status_text=rec.status_text, number=rec.number,
                   status_note=status_note(rec.status_source, rec.status, rec.status_text))
    if isinstance(rec, Initiative):
        out.update(goal=rec.goal, target=_iso(rec.target),
                   records=d.members.get(rec.id, ()), flow=initiative_flow(site, rec.id))
    elif isinstance(rec, Learning):
        out.update(question=rec.question, participants=rec.participants,
                   sources=rec.sources, informs=d.informs.get(rec.id, ()))
    elif isinstance(rec, Decision):
        out.update(deciders=rec.deciders, informed_by=rec.informed_by,
                   options=rec.options,
                   supersedes=rec.supersedes or next(iter(d.supersedes.get(rec.id, ())), None),
                   supersedes_all=d.supersedes.get(rec.id, ()),
                   superseded_by=d.superseded_by.get(rec.id),
                   actions=[_action(a, site, rec.id) for a in rec.actions])
        lead = site.flow.lead.get(rec.id) if site.flow else None
        out.update(decided=_iso(lead.decided) if lead else None,
                   lead_time_days=lead.lead_time_days if lead else None,
                   exploring_days=lead.exploring_days if lead else 0,
                   proposed_days=lead.proposed_days if lead else 0)
    return out


def records_document(site: SiteFacts, generated: datetime | None = None) -> dict[str, Any]:
    """`{"version": 2, "generated": …, "blockers": [...], "records": [...]}`, records in id
    order, blockers the largest `blocked_days` first."""
    when = generated or build_time()
    return {
        "version": EXPORT_VERSION,
        "generated": when.replace(microsecond=0).isoformat(),
        "blockers": [{"name": b.name, "kind": b.kind, "blocked_days": b.blocked_days,
                      "items": b.items, "open_items": b.open_items}
                     for b in (site.flow.blockers if site.flow else ())],
        "records": [record_json(site.records[rid], site) for rid in sorted(site.records)],
    }


def records_json(site: SiteFacts, generated: datetime | None = None) -> str:
    """The document as text, one record per line: readable and diffable, and written by
    json's C encoder (any `indent` switches to its pure-Python one, ten times slower)."""
    document = records_document(site, generated)
    # One encoder for every record; the document is a tree made here, so no check for
    # circular references is needed (each would cost a lookup per list and mapping).
    encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
    head = ",\n".join(f" {encode(key)}: {encode(value)}"
                      for key, value in document.items() if key != "records")
    records = ",\n".join(f"  {encode(r)}" for r in document["records"])
    listed = f"[\n{records}\n ]" if records else "[]"
    return f'{{\n{head},\n "records": {listed}\n}}\n'
