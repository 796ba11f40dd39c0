"""How a record's status was read, said in words, and settled against its history."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from .model import GitFacts, Record, StatusChange

_FIRST = "exploring"  # headway's default decision status, which git/tally.py reads "default" as


def status_note(source: str, status: str, written: str | None, default: str = _FIRST
                ) -> str | None:
    """What a reader is told about a status headway did not find written as one of its own
    (None when it was: a mapped word such as `Done` is shown beside the status instead)."""
    if source == "inferred":
        return f"no status written; read as {status}: the record states its outcome"
    if source == "default":
        whose = "the folder's default_status" if status != _FIRST or default != _FIRST \
            else "headway's default"
        return f"no status written and no outcome stated; read as {status}, {whose}"
    if source == "kept":
        return (f"written as '{written}', which names no status of its own: the record keeps "
                f"the status it had ({status})")
    return None


def reading_of(status: str, written: str | None, source: str) -> str:
    """How a status was read, in a few words to put beside it (empty when it was written as
    it is shown): `Done`, `no status written: it states its outcome`."""
    if source == "inferred":
        return "no status written: it states its outcome"
    if source == "default":
        return "no status written"
    if written and not written.lower().startswith(status):  # not `Superseded by [3. X](…)`
        return written
    return ""


def status_shown(status: str, written: str | None, source: str) -> str:
    """A status with how it was read, for lists and feeds: `accepted (Done)`."""
    how = reading_of(status, written, source)
    return f"{status} ({how})" if how else status


def settle_history(history: tuple[StatusChange, ...], default: str) -> tuple[StatusChange, ...]:
    """A status history read from git (headway.git knows no folder) with the folder's
    default_status given to the versions that wrote no status and stated no outcome, and the
    versions that keep the status they had (`Amended`) given that status again."""
    if default == _FIRST:
        return history
    out: list[StatusChange] = []
    before: str | None = None
    for change in history:
        status = change.status
        if change.source == "default":
            status = default
        elif change.source == "kept" and before is not None:
            status = before
        out.append(change if status == change.status else replace(change, status=status))
        before = status
    return tuple(out)


def settle_statuses(records: Mapping[str, Record], git: dict[str, GitFacts],
                    defaults: Mapping[str, str]) -> None:
    """Give each record read from another tool's format (`defaults`: id → its folder's
    default_status) the history its folder's default makes, and a record whose status line
    names no status of its own (`Amended`, or one headway does not know) the status its
    history says it had. In place: this runs once, before anything is derived."""
    for rid, default in defaults.items():
        rec, facts = records.get(rid), git.get(rid)
        if rec is None or facts is None or not facts.status_history:
            continue
        settled = settle_history(facts.status_history, default)
        if settled is not facts.status_history:
            git[rid] = replace(facts, status_history=settled)
        if rec.status_source == "kept":
            rec.status = settled[-1].status
