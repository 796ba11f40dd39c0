"""The status vocabulary of other tools (MADR, adr-tools, log4brains) mapped onto headway's
decision lifecycle, and whether a record states an outcome."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import default_status

# Statuses of other tools (compared in lower case) → headway's decision lifecycle.
STATUS_WORDS: dict[str, str] = {
    "draft": "exploring", "exploring": "exploring", "wip": "exploring",
    "work in progress": "exploring", "under discussion": "exploring",
    "proposed": "proposed", "proposal": "proposed", "pending": "proposed", "in review": "proposed",
    "under review": "proposed", "review": "proposed", "rfc": "proposed",
    "accepted": "accepted", "approved": "accepted", "adopted": "accepted", "agreed": "accepted",
    "decided": "accepted", "implemented": "accepted", "done": "accepted", "completed": "accepted",
    "complete": "accepted",
    "rejected": "rejected", "declined": "rejected", "refused": "rejected",
    "superseded": "superseded", "superceded": "superseded", "replaced": "superseded",
    "deprecated": "deprecated", "obsolete": "deprecated", "retired": "deprecated",
}
# Statuses that name none of their own: a decision amended (or modified) by a later one keeps
# the status it had (accepted, when nothing came before: only a decision is amended); `In
# progress` after `Accepted` is its carrying out, not a step back (exploring when first).
KEPT_WORDS: dict[str, str] = {"amended": "accepted", "modified": "accepted",
                              "in progress": "exploring"}
_PHRASES = sorted([*STATUS_WORDS, *KEPT_WORDS], key=len, reverse=True)
KNOWN_STATUSES = ", ".join([*STATUS_WORDS, *KEPT_WORDS, "superseded by <record>"])
# What a record without a status says it decided: MADR's `Chosen option: "…"` line.
_CHOSEN = re.compile(r"^[ \t]*(?:[-*+][ \t]+)?(?:\*\*|__)?chosen(?:[ \t]+(?:option|alternative)s?)?"
                     r"(?:\*\*|__)?[ \t]*:(?:\*\*|__)?[ \t]*(?P<value>.*)$", re.I)
_NO_OUTCOME = frozenset({"", "tbd", "todo", "tba", "…", "...", "n/a", "none", "none yet", "pending"})
OUTCOME = "(outcome)"  # the `word` of a status read from a stated outcome
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_SUPERSEDED_BY = re.compile(r"\b(?:superseded|superceded|replaced)[ \t]+(?:by|with)\b[ \t]*:?"
                            r"[ \t]*(?P<ref>.*)", re.I)
_SUPERSEDES = re.compile(r"\b(?:supersedes|supercedes|replaces)\b[ \t]*:?[ \t]*(?P<ref>.+)", re.I)
_LINK = re.compile(r"\[(?P<label>[^\]\n]*)\]\([ \t]*<?(?P<target>[^)\s>]+)>?(?:[ \t]+\"[^\"\n]*\")?[ \t]*\)")


@dataclass(frozen=True, slots=True)
class StatusReading:
    """A status as another tool writes it, mapped onto headway's decision lifecycle."""

    status: str  # one of model.STATUSES["decision"]
    known: bool  # False: not mapped, and `status` is headway's default
    superseded_by: str | None = None  # "superseded by X": X as written
    supersedes: str | None = None  # "accepted, supersedes X": X as written
    keeps: bool = False  # `amended`: names no status of its own (`status`: when none came before)
    word: str = ""  # the phrase that was mapped (lower case), or the whole text when none was


def read_status(text: str) -> StatusReading:
    """Map a status case-insensitively: `Accepted` → accepted, `superseded by [x](…)` → superseded."""
    plain = _plain(text)
    lower = " ".join(plain.lower().split()).strip(" .,;:!")
    if lower in STATUS_WORDS:
        return StatusReading(STATUS_WORDS[lower], True, word=lower)
    replaced = _SUPERSEDED_BY.search(plain)
    if replaced:
        return StatusReading("superseded", True, superseded_by=replaced["ref"].strip(" .,;") or None,
                             word="superseded by")
    for phrase in _PHRASES:  # "Accepted on 2021-03-04", "Proposed (awaiting review)"
        if lower.startswith(phrase) and not lower[len(phrase):len(phrase) + 1].isalnum():
            if phrase in KEPT_WORDS:  # "Amended by ADR-12"
                return StatusReading(KEPT_WORDS[phrase], True, keeps=True, word=phrase)
            inline = _SUPERSEDES.search(plain)
            return StatusReading(STATUS_WORDS[phrase], True,
                                 supersedes=inline["ref"].strip(" .,;") if inline else None,
                                 word=phrase)
    return StatusReading(default_status("decision"), False, keeps=True, word=lower)


def _stated(value: str) -> bool:
    """Whether a line names an outcome: not empty, `TBD`, or a placeholder (`{title of option 1}`)."""
    text = _COMMENT.sub("", value).strip().strip("\"'“”‘’*_`").strip()
    text = re.sub(r"^[-*+][ \t]+", "", text)
    if text.startswith("{") or (text.startswith("[") and not _LINK.match(text)):
        return False  # MADR's `"{title of option 1}"` (3, 4) and `"[option 1]"` (2)
    return text.lower().rstrip(".") not in _NO_OUTCOME and not _is_placeholder(text)


def _plain(text: str) -> str:
    """A value without HTML comments, Markdown emphasis or surrounding space."""
    text = _COMMENT.sub("", text).replace("**", "").replace("`", "")
    return text.strip().strip("*_").strip()


def _is_placeholder(value: str) -> bool:
    """A template's unfilled value: `[list everyone involved]`, `{proposed | accepted}`."""
    v = _COMMENT.sub("", value).strip()
    return len(v) >= 2 and v[0] in "[{" and v[-1] in "]}" and ("|" in v or "](" not in v)
