"""The walk: every wanted file followed from HEAD back through its renames, its old versions
asked of cat-file as soon as the log names them, its tally worked out."""

from __future__ import annotations

import contextlib
import itertools
import operator
import threading
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple

from ..model import GitFacts
from .cache import Cache, CacheUnusable, StoredLog
from .catfile import OldVersions
from .log import MARKDOWN_ONLY, NO_RENAMES, Commit, LogFailed, LogRequest, stream_log
from .partial import prefetch_renames
from .runner import GitRunner, GitTrouble
from .tally import GONE, UNCOMMITTED, Event, Tally, landed_authors, tally_events
from .versions import BlobFacts, Blocks, read_current


class Wanted:
    """The paths a history read is for: given at the start, or later by another thread."""

    def __init__(self, paths: Iterable[str] | None = None,
                 current: Mapping[str, bytes] | None = None) -> None:
        self._paths: list[str] = []
        self.current: Mapping[str, bytes] = {}
        self._given = threading.Event()
        if paths is not None:
            self.give(paths, current)

    def give(self, paths: Iterable[str], current: Mapping[str, bytes] | None = None) -> None:
        self._paths = list(dict.fromkeys(paths))
        self.current = current or {}
        self._given.set()

    def ready(self) -> bool:
        return self._given.is_set()

    def get(self) -> list[str]:
        self._given.wait()
        return self._paths


@dataclass(slots=True)
class Trail:
    """One wanted file as the walk follows it back through the log: the commits that changed
    it, newest first (see Event), and the place of its last request to cat-file (see
    OldVersions), -1 while none was needed. Or one deleted from the docs folder (a ghost),
    followed from its deletion back to its creation: block history needs what it was while
    it lived, for the records that depended on it."""

    path: str  # the file's path now (a ghost's: where it was deleted from)
    key: str  # what its facts are kept under: its path, or a ghost's ghost_key
    events: list[Event] = field(default_factory=list)
    last: int = -1
    merged: bool = False  # one of its commits is a merge (its authors wait for the whole log)


_LAST_ASKED = operator.attrgetter("last")


def ghost_key(path: str, sha: str) -> str:
    """What the facts of a file deleted (or moved out of the docs folder) by commit `sha` are
    kept under: never a path of a file, nor an id."""
    return f"{path}@{sha}"


class Walked(NamedTuple):
    facts: dict[str, GitFacts]  # by path (the cache has them, and their tallies, too)
    # Files deleted from the docs folder (see Trail), by ghost_key (first-parent mode).
    ghosts: dict[str, GitFacts]
    missing: int  # versions git could not read
    unread: tuple[tuple[str, str, datetime], ...] = ()  # (path, commit, date) of each of them
    trouble: str | None = None  # why old versions could not be fetched (a partial clone)


def walk_narrowing(runner: GitRunner, cache: Cache, request: LogRequest, head: str,
                   paths: Wanted, first_parent: bool, warnings: list[str],
                   ghosts_under: str | None = None) -> Walked | None:
    """`walk`, again with a narrower log if git's log fails (an object it needs for rename
    detection is missing or corrupt, say a large binary file no record touches): renames
    followed only between Markdown files, then not at all (with a warning: a renamed
    record's history then starts at the rename)."""
    while True:
        try:
            try:
                return walk(runner, cache, request, head, paths, first_parent, ghosts_under)
            except CacheUnusable:  # read everything from git instead
                cache.log.forget()
                return walk(runner, cache, request, head, paths, first_parent, ghosts_under)
        except LogFailed as exc:
            cache.log.drop_written()
            cache.log.forget()
            if request.narrowed == NO_RENAMES:
                raise
            if request.narrowed != MARKDOWN_ONLY:
                request.narrowed = MARKDOWN_ONLY  # the same facts, unless a record was renamed
                continue  # from a file that is not Markdown
            request.narrowed = NO_RENAMES
            cache.log.discard()  # such a log is not kept: the next build tries again
            warnings.append(f"git's log failed ({exc}), so renames are not followed: each "
                            f"renamed record's history starts at its rename; repair the "
                            f"repository (`git fsck` names what is missing) or clone it again")


def walk(runner: GitRunner, cache: Cache, request: LogRequest, head: str, paths: Wanted,
         first_parent: bool, ghosts_under: str | None = None) -> Walked | None:
    """Follow every wanted file from HEAD back through its renames, newest commit first,
    asking for each old version's blob as soon as the log names it.

    In first-parent mode git prints commits by date, not children first (that would make
    it walk the whole graph before printing anything): a main-line commit printed before its
    child (a clock set wrong) is held until the walk down the main line reaches it.

    With a cache, the walk stops where the new commits end if every file is then either
    new or one whose tally at the cached HEAD is stored (under its name at that HEAD): the
    new commits extend those tallies, and the stored log is not even parsed. Otherwise it
    goes on through the stored commits.

    `ghosts_under`: the folder (its path and a slash, or "" for the whole repository) whose
    deleted Markdown files are followed too, as ghosts (see Trail); None for none.

    Until the paths are given, commits are read into a list; None when no path is given.
    Each path's tally is None when git has no commit of it."""
    commits = _commits(runner, cache.log, request, head)
    try:
        return _walk_commits(runner, cache, request.promisor, head, paths, first_parent,
                             commits, ghosts_under)
    finally:  # stops git's log if the walk ends early (no paths, stored tallies, an error)
        commits.close()


def _commits(runner: GitRunner, stored: StoredLog, request: LogRequest, head: str
             ) -> Generator[Commit | None, None, None]:
    """The whole log: new commits streamed from git, then (after a None where they end) the
    stored ones, if still valid, parsed only if the walk goes on into them."""
    if stored.head == head and stored.raw:
        yield from stored.commits()
        return
    if stored.head is not None and stored.raw:
        try:
            runner.run("merge-base", "--is-ancestor", stored.head, head)
        except GitTrouble:  # history rewritten (rebase, force push): read it all again
            stored.forget()
        else:
            yield from _stream(runner, f"{stored.head}..{head}", request, stored)
            yield None
            yield from stored.commits()
            return
    yield from _stream(runner, head, request, stored)


def _stream(runner: GitRunner, revisions: str, request: LogRequest, stored: StoredLog
            ) -> Iterator[Commit]:
    """git's log of `revisions`, what the cache needs of it kept in `stored.fresh`; in a
    partial clone whose log reads Markdown files only, the versions its rename detection
    compares fetched first, in one batch."""
    kept = stored.fresh if stored.log_file is not None else None  # no cache: nothing kept
    if request.promisor is not None and request.narrowed == MARKDOWN_ONLY:
        with contextlib.suppress(GitTrouble):  # if git fails, the log says why
            prefetch_renames(runner, revisions, request.promisor)
    yield from stream_log(runner, revisions, request, kept)


class _Follower:
    """The wanted files followed back through the log: under each one's name at the commit
    the walk has reached, their old versions asked of cat-file as the log names them."""

    def __init__(self, wanted: list[str], versions: OldVersions, from_files: set[str],
                 first_parent: bool, ghosts_under: str | None = None) -> None:
        self.trails = [Trail(path, path) for path in wanted]
        self.tracked = {trail.path: trail for trail in self.trails}  # by name at this commit
        self.versions = versions
        self.from_files = from_files  # versions read from the files on disk
        self.committed: set[str] = set()  # those of them some commit has
        self.first_parent = first_parent
        # Files whose first commit the walk has reached, in that order: their events are all
        # known, so they can be worked out while the log is still read (first parent only).
        self.complete: deque[Trail] = deque()
        self.ghosts_under = ghosts_under
        # Paths outside the docs folder of files not followed that a later commit moves into
        # it: moved out to one of them, a file is no ghost, whether followed now or not (a
        # page that is no record now), so that ghosts never depend on the paths wanted.
        self.back: set[str] = set()

    def follow(self, commit: Commit) -> None:
        """One commit's changes to the files followed."""
        tracked, ask, from_files = self.tracked, self.versions.ask, self.from_files
        committed, by_parent = self.committed, not self.first_parent
        merge = len(commit.parents) > 1
        # Written out, not a helper called twice: this runs for every change of every
        # record (a call per change cost 2 % of a cold read's CPU at 2,000 records).
        for status, new, old, blob, parent_blob in commit.changes:
            trail = tracked.get(new)
            if trail is None or status == "D":
                if self.ghosts_under is not None and status in "DRA":
                    if trail is not None:
                        # On the main line, a file followed here that this commit deletes was
                        # written again since and not committed: it starts after this (as if
                        # added), and what was deleted is a ghost, as in any other build.
                        del tracked[new]
                    self._ghost(commit, status, new, old, parent_blob)
                continue
            trail.events.append((commit, blob, new, parent_blob))
            if merge:
                trail.merged = True
            place = ask(blob)
            if place > trail.last:
                trail.last = place
            elif place < 0 and blob in from_files:
                committed.add(blob)
            if by_parent and parent_blob.strip("0"):
                # All commits: each is compared with its parent's version, which a commit on
                # another branch (walked in between) or a merge may have made.
                place = ask(parent_blob)
                if place > trail.last:
                    trail.last = place
                elif place < 0 and parent_blob in from_files:
                    committed.add(parent_blob)
            if status == "A":
                del tracked[new]
                if not by_parent:
                    self.complete.append(trail)
            elif status in "RC" and old:
                del tracked[new]
                tracked[old] = trail

    def _ghost(self, commit: Commit, status: str, new: str, old: str, before: str) -> None:
        """A file deleted from the docs folder (or moved out of it, for good) by `commit`,
        followed from here back as a ghost: its last version is the one before the commit.
        (`status` is D, A or R, of a file not followed.)"""
        under = self.ghosts_under or ""
        back = self.back
        if status == "D":
            path = new
        elif status == "A":
            back.discard(new)  # created here: one moved out to this path before never came back
            return
        elif not old.startswith(under):
            if new.startswith(under):  # moved in (a file not followed): it is there now
                back.add(old)
            elif new in back:  # renamed outside, on its way back in
                back.discard(new)
                back.add(old)
            return
        elif new.startswith(under):
            return
        elif new in back:  # moved out, and back in later: no ghost (as when it is followed)
            back.discard(new)
            return
        else:  # moved out
            path = old
        if not path.startswith(under) or path in self.tracked:
            return
        trail = Trail(path, ghost_key(path, commit.sha))
        trail.events.append((commit, GONE, path, before))
        self.trails.append(trail)
        self.tracked[path] = trail

    def tallies_at(self, stored: dict[str, Tally | None]
                   ) -> dict[str, Tally | None] | None:
        """Each followed file's stored tally, under its name where the walk is (None for a
        file added since, which has nothing before), or None if one is not stored."""
        name_then = {id(trail): name for name, trail in self.tracked.items()}
        found: dict[str, Tally | None] = {}
        for trail in self.trails:
            name = name_then.get(id(trail))
            if name is None:
                continue  # added in the new commits: nothing before them
            if name not in stored:
                return None
            found[trail.key] = stored[name]
        return found


class _Tallier:
    """Works out each followed file's facts (its tally, then GitFacts) once its events are all
    known and its old versions read: at the end of the walk, or, for a file whose first
    commit the walk has reached, while git's log is still read (Python then shares that time
    with git's log instead of working every file out alone once the log ends)."""

    def __init__(self, versions: OldVersions, known: dict[str, BlobFacts],
                 blocks: dict[str, Blocks], cache: Cache, first_parent: bool) -> None:
        self.versions = versions
        self.known = known
        self.blocks = blocks
        self.cache = cache
        self.by_parent = not first_parent
        self.worked: dict[str, GitFacts] = {}
        self.unread: list[tuple[str, str, datetime]] = []  # versions git could not read
        # those of deleted files (ghosts): block history reads them as far as it can, with
        # no warning, and the result is still cached (a partial clone may lack them for good)
        self.ghosts_unread = 0

    def settle(self, complete: deque[Trail]) -> None:
        """The complete files whose versions are all read, in the order they were completed,
        up to the first that still waits for cat-file. A file one of whose commits is a merge
        waits for the end: who wrote what the merge brought in is known only then."""
        answered = self.versions.answered
        while complete and answered(complete[0].last):
            trail = complete.popleft()
            if not trail.merged:
                self.work_out(trail, {}, None)

    def work_out(self, trail: Trail, landed: dict[tuple[str, str], tuple[str, ...]],
                 older: Tally | None) -> None:
        """`trail`'s facts, its versions all read; `older`: its tally at the cached HEAD."""
        known = self.known
        path, evs = trail.path, trail.events
        trail.events = []  # its commits let go of now (see _walk_commits)
        if self.versions.missing:  # some version could not be read: is it one of this file's?
            unread = [(path, c.sha, c.date) for c, blob, _, _ in evs
                      if blob not in known and blob != GONE]
            if trail.key == path:
                self.unread += unread
            else:
                self.ghosts_unread += len(unread)
        if evs:
            evs.reverse()  # oldest first
            tally: Tally | None = tally_events(evs, known, landed, older,
                                               by_parent=self.by_parent, flows=self.blocks)
        else:
            tally = older
        self.worked[trail.key] = facts = tally.facts() if tally is not None else UNCOMMITTED
        self.cache.facts.remember(trail.key, facts, tally)


class _Followed(NamedTuple):
    commits: list[Commit]  # every commit read, in the log's order
    merges: bool  # whether one of them is a merge
    # Where the walk stopped at the end of the new commits: each file's tally at the cached
    # HEAD, which the new commits extend; empty when the walk went through the whole log.
    extends: dict[str, Tally | None]
    stopped: bool = False  # the walk stopped there (the older ghosts are the cache's)


def _follow_log(commits: Iterable[Commit | None], follower: _Follower, cache: Cache,
                head: str, first_parent: bool, tallier: _Tallier) -> _Followed:
    """The log read through, each commit that counts followed: in first-parent mode those
    of the main line down from `head`, else every commit but merges."""
    next_on_line: str | None = head  # the next commit on the main line
    held: dict[str, Commit] = {}  # commits printed before the main line reached them
    seen: list[Commit] = []
    merges = False
    for commit in commits:
        if commit is None:  # the new commits end here; the stored ones follow
            if not first_parent:
                # Every commit counts, in git's children-first order: the new ones come
                # before all the stored ones only if they all descend from the cached
                # HEAD; a branch forked earlier and merged since interleaves with them.
                new = {c.sha for c in seen}
                if any(p not in new and p != cache.log.head for c in seen for p in c.parents):
                    raise CacheUnusable("new commits interleave with the stored ones")
            # In first-parent mode, only if the new main line comes down to the cached HEAD
            # (not if it came in on a merged branch).
            if not first_parent or next_on_line == cache.log.head:
                stored = cache.facts.tallies_at(cache.log.head)
                extends = follower.tallies_at(stored) if stored is not None else None
                if extends is not None:
                    return _Followed(seen, merges, extends, stopped=True)
            continue
        seen.append(commit)
        if len(commit.parents) > 1:
            merges = True
        if not first_parent:
            if len(commit.parents) < 2:
                follower.follow(commit)
            continue
        if commit.sha != next_on_line:
            held[commit.sha] = commit
            continue
        follower.follow(commit)
        next_on_line = commit.parents[0] if commit.parents else None
        while next_on_line in held:
            commit = held.pop(next_on_line)
            follower.follow(commit)
            next_on_line = commit.parents[0] if commit.parents else None
        if follower.complete:
            tallier.settle(follower.complete)
    return _Followed(seen, merges, {})


def _walk_commits(runner: GitRunner, cache: Cache, promisor: str | None, head: str,
                  paths: Wanted, first_parent: bool, commits: Iterator[Commit | None],
                  ghosts_under: str | None) -> Walked | None:
    # git's log starts with the first commit asked of it: at least that one now, before the
    # files the caller read are hashed (read_current), so that git works meanwhile; and if
    # the paths are not known yet, every commit git gives until they are.
    early: list[Commit | None] = []
    for commit in commits:
        early.append(commit)
        if commit is None or paths.ready():  # None: the stored log follows
            break
    wanted = paths.get()
    if not wanted:
        return None
    stored = cache.log
    known = stored.version_facts
    stored.from_files |= read_current(paths.current, known, head, stored.version_blocks)
    versions = OldVersions(runner, known, promisor, stored.version_blocks)
    follower = _Follower(wanted, versions, stored.from_files, first_parent,
                         ghosts_under if first_parent else None)
    tallier = _Tallier(versions, known, stored.version_blocks, cache, first_parent)
    try:
        followed = _follow_log(itertools.chain(early, commits), follower, cache, head,
                               first_parent, tallier)
        # Each cat-file answers in the order asked: each file is worked out as soon as every
        # request up to its last one is answered, while cat-file still works for the others
        # (Python would otherwise wait for it, then work them all out).
        versions.close()
        landed = landed_authors(followed.commits, head) if first_parent and followed.merges \
            else {}
        # Meanwhile: the log to the cache, and the commits let go of as each file is worked
        # out (freeing them all at the end took 15 ms at 2,000 records).
        stored.write_beside(head)
        followed.commits.clear()
        early.clear()
        extends = followed.extends
        worked = tallier.worked
        for trail in sorted(follower.trails, key=_LAST_ASKED):
            if trail.key not in worked:
                versions.wait_for(trail.last)
                tallier.work_out(trail, landed, extends.get(trail.key))
    finally:
        versions.finish()
    from_files = stored.from_files
    if from_files:  # files edited, not committed: their versions are not kept in the cache
        for name in from_files - follower.committed:
            del known[name]
            stored.version_blocks.pop(name, None)
        from_files.clear()
    ghosts = {t.key: worked[t.key] for t in follower.trails if t.key != t.path}
    if followed.stopped:  # the ghosts of before the cached HEAD: as the cache has them
        ghosts.update(cache.facts.carry_ghosts(cache.log.head))
    # Versions of deleted files alone missing: nothing a record shows is incomplete.
    missing = versions.missing if tallier.unread or versions.missing > tallier.ghosts_unread \
        else 0
    return Walked({path: worked[path] for path in wanted}, ghosts, missing,
                  tuple(tallier.unread), versions.trouble if missing else None)
