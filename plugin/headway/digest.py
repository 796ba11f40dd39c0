"""`headway digest`: what changed since a day, as Markdown for a weekly update in chat or e-mail."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from .derive import SiteFacts, overdue_actions, own_open_waits
from .errors import DigestError
from .flow import Interval
from .model import Decision, Learning, Record

_RELATIVE = re.compile(r"(\d+)([dw])")
# What could make text into markup inside a list item (brackets escaped, so parentheses and
# `!` cannot form a link or an image; `#` and `+` only count at a line's start).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>~])")


def parse_since(text: str, today: date) -> date:
    """`2026-09-01`, or `7d` / `2w` back from today."""
    relative = _RELATIVE.fullmatch(text.strip())
    try:
        if relative:
            count = int(relative.group(1)) * (7 if relative.group(2) == "w" else 1)
            return today - timedelta(days=count)
        return date.fromisoformat(text.strip())
    except (ValueError, OverflowError):  # not a date, or further back than any date
        raise DigestError(f"--since {text!r} is not a date; expected YYYY-MM-DD, or a number "
                          f"of days or weeks back such as 7d or 2w") from None


@dataclass(frozen=True, slots=True)
class _Line:
    day: date
    text: str


def _text(value: str) -> str:
    """Front-matter text as literal Markdown (never markup)."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", value.replace("\n", " "))


def digest_markdown(site: SiteFacts, since: date, site_url: str | None) -> str:
    """Decided, proposed, learned, newly blocked and unblocked since `since` (that day
    included), and what is overdue on the build day; a line links to its record's page when
    `site_url` is set."""
    base = site_url.rstrip("/") + "/" if site_url else None

    def ref(rid: str) -> str:
        rec = site.records[rid]
        title = _text(rec.title)
        return f"[{title}](<{base}{site.urls[rid]}>)" if base else title

    def where(rec: Record) -> str:
        if not rec.initiative or rec.initiative == rec.id:
            return ""
        initiative = site.derived.initiatives.get(rec.initiative)
        return f" ({_text(initiative.title if initiative else rec.initiative)})"

    sections: dict[str, list[_Line]] = {k: [] for k in (
        "Decided", "Proposed", "Learned", "Newly blocked", "Unblocked", "Overdue now")}
    for rid, rec in site.records.items():
        facts = site.git.get(rid)
        for change in facts.status_history if facts else ():
            day = change.date.date()
            if day < since:
                continue
            if isinstance(rec, Decision) and change.status in ("accepted", "rejected"):
                sections["Decided"].append(_Line(day, f"{ref(rid)}{where(rec)}: {change.status} "
                                                      f"on {day.isoformat()}"))
            elif isinstance(rec, Decision) and change.status == "proposed":
                sections["Proposed"].append(_Line(day, f"{ref(rid)}{where(rec)}: proposed on "
                                                       f"{day.isoformat()}"))
            elif isinstance(rec, Learning) and change.status == "done":
                sections["Learned"].append(_Line(day, f"{ref(rid)}{where(rec)}: done on "
                                                      f"{day.isoformat()}"))
    flow = site.flow
    if flow is not None:
        items: list[tuple[str, str, tuple[Interval, ...]]] = [
            *((rid, "", ivs) for rid, ivs in flow.history.records.items()),
            *((rid, what, ivs) for (rid, what), ivs in flow.history.actions.items())]
        for rid, what, intervals in items:
            if rid not in site.records:
                continue
            rec = site.records[rid]
            item = f"action “{_text(what)}” of {ref(rid)}" if what else ref(rid)
            for iv in intervals:
                blocker = _blocker(site, iv)
                if iv.opened is not None and iv.opened >= since:
                    sections["Newly blocked"].append(_Line(iv.opened, (
                        f"{item}{where(rec)}: blocked by {blocker} since "
                        f"{iv.since.isoformat()}")))
                if iv.until is not None and iv.until >= since:
                    sections["Unblocked"].append(_Line(iv.until, (
                        f"{item}{where(rec)}: no longer held up by {blocker}, on "
                        f"{iv.until.isoformat()} after {iv.days(site.today)} days")))
    today = site.today
    for rid, rec in site.records.items():
        waits = [] if rec.resolved else own_open_waits(rec)
        for wait in waits:
            if wait.due is not None and wait.due < today:
                sections["Overdue now"].append(_Line(wait.due, (
                    f"{ref(rid)}{where(rec)}: waiting on {_text(wait.who)} for "
                    f"“{_text(wait.what)}”, due {wait.due.isoformat()} "
                    f"({(today - wait.due).days} days ago)")))
        for action in overdue_actions(rec, today):
            assert action.due is not None
            owner = f", {_text(action.owner)}" if action.owner else ""
            sections["Overdue now"].append(_Line(action.due, (
                f"action “{_text(action.what)}” of {ref(rid)}{where(rec)}{owner}: due "
                f"{action.due.isoformat()} ({(today - action.due).days} days ago)")))
    out = [f"## What changed since {since.isoformat()}", ""]
    if not any(sections.values()):
        out.append(f"Nothing changed since {since.isoformat()}, and nothing is overdue.")
    for title, lines in sections.items():
        if not lines:
            continue
        out += [f"**{title}** ({len(lines)})", ""]
        out += [f"- {line.text}" for line in sorted(lines, key=lambda ln: (ln.day, ln.text))]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _blocker(site: SiteFacts, iv: Interval) -> str:
    if iv.kind == "record" and iv.blocker in site.records:
        return _text(site.records[iv.blocker].title)
    return _text(iv.blocker)
