"""One file's facts worked out from the commits that changed it (its tally), oldest first,
going on from its tally at an older HEAD."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from ..model import STATUSES, FlowVersion, GitFacts, StatusChange, StatusRead
from .log import Commit
from .versions import BlobFacts, Blocks

# One commit that changed a file: (commit, the file's blob, its path at that commit, the
# blob before the commit: all zeros for an added file). The blob is GONE for the commit that
# deleted a file (or moved it out of the docs folder): the last event of a deleted record.
Event = tuple[Commit, str, str, str]
GONE = "0" * 40

UNCOMMITTED = GitFacts(uncommitted=True)
FIRST_STATUS = {rtype: statuses[0] for rtype, statuses in STATUSES.items()}  # the default


@dataclass(slots=True)
class Tally:
    """What one file's facts are worked out from, kept in the cache so that the commits of a
    later build extend it instead of walking the whole history again."""

    created: datetime
    updated: datetime
    authors: dict[str, int]  # author → commits
    history: list[StatusChange]
    added: dict[str, datetime]  # depends_on id → date it was (last) added
    depends: tuple[str, ...] = ()  # depends_on of the newest version read
    status: str | None = None  # status of the newest version read
    word: str | None = None  # and what it was read from (see status_of)
    flow: list[FlowVersion] = field(default_factory=list)  # see flow_versions

    def facts(self) -> GitFacts:
        authors = self.authors
        return GitFacts(
            created=self.created, updated=self.updated,
            # most commits first, then by name (a stable sort of the sorted names)
            authors=tuple(sorted(sorted(authors), key=authors.__getitem__, reverse=True)),
            status_history=tuple(self.history), depends_added=tuple(sorted(self.added.items())),
            flow_versions=tuple(self.flow))


def tally_events(evs: list[Event], blobs: dict[str, BlobFacts],
                 landed: dict[tuple[str, str], tuple[str, ...]], older: Tally | None = None,
                 by_parent: bool = False, flows: Mapping[str, Blocks] | None = None) -> Tally:
    """Oldest-first events of one file (see Event) → its created/updated/authors/status
    history, and the versions block history reads (see below), going on from `older` (its
    tally at an older HEAD) if given. `landed`: who wrote the commits a merge brought in,
    oldest first. `flows`: the `waiting_on` and `actions` blocks of each version that has
    them.

    First parent: each event is compared with the one before it, its parent on the main
    line. All commits (`by_parent`): each with the version its parent had, since the event
    before it in git's order (parents before children) may be on another branch; `updated`
    is then the newest date of them all, not that of the last in that order.

    `flow`: the versions whose blocking inputs (type, status, depends_on, waits, actions) or
    name (`id`, else the path) differ from the version before, oldest first.

    One pass over the events, each version's facts compared by identity first: versions
    with the same front matter share their facts (see versions.FactsMemo), and most
    versions change only the body. (This runs for every version of every record; its
    objects were made long before, so each one touched costs a trip to memory.)"""
    flows = flows or {}
    if older is None:
        authors: dict[str, int] = {}
        history: list[StatusChange] = []
        added: dict[str, datetime] = {}
        previous: tuple[str, ...] = ()
        last: str | None = None
        word: str | None = None
        created = evs[0][0].date
        flow: list[FlowVersion] = []
    else:
        authors, history, added = dict(older.authors), list(older.history), dict(older.added)
        previous, last, created = older.depends, older.status, older.created
        word = older.word
        flow = list(older.flow)
    flow_last = tuple(flow[-1][2:]) if flow else None
    seen: BlobFacts | None = None  # the facts of the version before
    seen_blocks: Blocks | None = None
    seen_path = ""
    for commit, blob, then, parent in evs:
        if blob == GONE:  # deleted: block history reads that it is a record no more
            state: tuple[Any, ...] = (None, None, (), (), None, then)
            if state != flow_last:
                flow.append(FlowVersion(commit.date, commit.sha, *state))
                flow_last = state
            continue
        wrote = landed.get((commit.sha, then)) if landed else None
        if wrote:  # a merge: each commit it brought in counts, and the newest is the author
            for author in wrote:
                authors[author] = authors.get(author, 0) + 1
            author = wrote[-1]
        else:
            author = commit.author
            authors[author] = authors.get(author, 0) + 1
        info = blobs.get(blob)
        if info is None:  # a version git could not read: as the one before
            continue
        blocks = flows.get(blob, ())
        if info is not seen or blocks is not seen_blocks or then != seen_path:
            seen_blocks, seen_path = blocks, then
            state = (info.type, info.status or FIRST_STATUS.get(info.type),  # type: ignore[arg-type]
                     info.depends_on, blocks, info.id, then)
            if state != flow_last:
                flow.append(FlowVersion(commit.date, commit.sha, *state))
                flow_last = state
        if info is seen and not by_parent:  # the same status and depends_on as before
            continue
        seen = info
        if by_parent:
            if not parent.strip("0"):  # added: nothing before it
                last, word, previous = None, None, ()
            elif (was := blobs.get(parent)) is not None:  # else: as the event before it
                last, word, _ = status_of(was, last)
                previous = was.depends_on
        status, read_from, reading = status_of(info, last)
        if status and (status, read_from) != (last, word):
            history.append(StatusChange(status, commit.date, commit.sha, author, *(
                (reading.written, reading.source) if reading is not None
                else (info.status, "written" if info.status else "default"))))
            last, word = status, read_from
        if info.depends_on != previous:
            current, gone = set(info.depends_on), set(previous)
            for dep in current - gone:
                added[dep] = commit.date
            for dep in gone - current:
                added.pop(dep, None)
            previous = info.depends_on
    updated = evs[-1][0].date
    if by_parent:
        updated = max([*(e[0].date for e in evs), *([older.updated] if older else [])])
    return Tally(created, updated, authors, history, added, previous, last, word, flow)


def status_of(info: BlobFacts, last: str | None
               ) -> tuple[str | None, str | None, StatusRead | None]:
    """The status of a version (given the status before it), what tells it from another
    reading, and, for a version written for another tool, how it was read. A change of
    either makes a history entry: the day a record was marked `Done` (read as accepted, as
    `Accepted` is) is one. A headway version is told by its status alone."""
    reading = info.reading
    if reading is None:
        status = info.status or FIRST_STATUS.get(info.type)  # type: ignore[arg-type]
        return status, status, None
    if reading.source == "kept" and last is not None:  # `Amended`: the status it had
        return last, reading.word, reading
    return reading.status, reading.word, reading


def landed_authors(commits: list[Commit], head: str) -> dict[tuple[str, str], tuple[str, ...]]:
    """(merge, path) → the authors of the branch commits the merge brought in for path, oldest
    first, so a merged pull request credits each commit of whoever wrote it, not one commit
    of whoever pressed merge."""
    by_sha = {c.sha: c for c in commits}
    line: list[str] = []
    sha: str | None = head
    while sha is not None and sha in by_sha:
        line.append(sha)
        sha = by_sha[sha].parents[0] if by_sha[sha].parents else None
    on_line = set(line)
    seen: set[str] = set()
    credit: dict[tuple[str, str], list[str]] = {}
    for merge_sha in reversed(line):  # oldest merge first, so each commit lands once
        merge = by_sha[merge_sha]
        if len(merge.parents) < 2:
            continue
        stack = list(merge.parents[1:])
        brought: list[Commit] = []
        while stack:
            sha = stack.pop()
            if sha in seen or sha in on_line or sha not in by_sha:
                continue
            seen.add(sha)
            brought.append(by_sha[sha])
            stack.extend(by_sha[sha].parents)
        # By instant, not by text: the commits' offsets may differ.
        for commit in sorted(brought, key=lambda c: c.date):
            if len(commit.parents) > 1:  # main merged into the branch: nobody wrote that
                continue
            for _, new, _, _, _ in commit.changes:
                credit.setdefault((merge_sha, new), []).append(commit.author)
    return {key: tuple(authors) for key, authors in credit.items()}
