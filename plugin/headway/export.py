"""The machine-readable export: `records.json`, the same from the CLI and from the site."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from .clock import build_time
from .derive import SiteFacts
from .model import Action, Decision, GitFacts, Initiative, Learning, Record, WaitingOn
from .statuses import status_note

EXPORT_VERSION = 1


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _waiting(w: WaitingOn) -> dict[str, Any]:
    return {"who": w.who, "what": w.what, "since": _iso(w.since), "due": _iso(w.due),
            "done": w.done}


def _action(a: Action) -> dict[str, Any]:
    return {"what": a.what, "owner": a.owner, "due": _iso(a.due), "status": a.status,
            "waiting_on": [_waiting(w) for w in a.waiting_on], "blocked": a.blocked}


def _git_date(value: str | None, facts: GitFacts | None, site: SiteFacts, rid: str) -> str:
    if value:
        return value[:10]
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
            {"status": s.status, "date": s.date[:10], "datetime": s.date, "commit": s.commit,
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
    }
    if rec.source_format != "headway":
        out.update(format=rec.source_format, status_text=rec.status_text, number=rec.number,
                   status_note=status_note(rec.status_source, rec.status, rec.status_text))
    if isinstance(rec, Initiative):
        out.update(goal=rec.goal, target=_iso(rec.target),
                   records=d.members.get(rec.id, ()))
    elif isinstance(rec, Learning):
        out.update(question=rec.question, participants=rec.participants,
                   sources=rec.sources, informs=d.informs.get(rec.id, ()))
    elif isinstance(rec, Decision):
        out.update(deciders=rec.deciders, informed_by=rec.informed_by,
                   options=rec.options,
                   supersedes=rec.supersedes or next(iter(d.supersedes.get(rec.id, ())), None),
                   supersedes_all=d.supersedes.get(rec.id, ()),
                   superseded_by=d.superseded_by.get(rec.id),
                   actions=[_action(a) for a in rec.actions])
    return out


def records_document(site: SiteFacts, generated: datetime | None = None) -> dict[str, Any]:
    """`{"version": 1, "generated": …, "records": [...]}`, records in id order."""
    when = generated or build_time()
    return {
        "version": EXPORT_VERSION,
        "generated": when.replace(microsecond=0).isoformat(),
        "records": [record_json(site.records[rid], site) for rid in sorted(site.records)],
    }


def records_json(site: SiteFacts, generated: datetime | None = None) -> str:
    """The document as text, one record per line: readable and diffable, and written by
    json's C encoder (any `indent` switches to its pure-Python one, ten times slower)."""
    document = records_document(site, generated)
    encode = json.JSONEncoder(ensure_ascii=False).encode  # one encoder for every record
    head = ",\n".join(f" {encode(key)}: {encode(value)}"
                      for key, value in document.items() if key != "records")
    records = ",\n".join(f"  {encode(r)}" for r in document["records"])
    listed = f"[\n{records}\n ]" if records else "[]"
    return f'{{\n{head},\n "records": {listed}\n}}\n'
