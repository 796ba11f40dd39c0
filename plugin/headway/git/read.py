"""Reading history: created, updated, authors and status history of every record, from
one walk of git's log, cached."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..bulk import gc_paused
from ..model import GitFacts
from .cache import Cache
from .log import MARKDOWN_ONLY, NO_RENAMES, LogRequest
from .partial import promisor_remote
from .runner import GitRunner, GitTrouble
from .walk import Wanted, walk_narrowing


@dataclass(frozen=True, slots=True)
class HistoryOptions:
    """How history is read. `first_parent`: a change counts when it lands on the main line."""

    first_parent: bool = True
    cache_dir: Path | None = None


@dataclass(slots=True)
class History:
    """What git says about the requested paths, plus warnings about the repository itself."""

    facts: dict[str, GitFacts]
    warnings: list[str] = field(default_factory=list)
    head: str | None = None
    git_processes: int = 0
    # Some record's history could not be read in full (git failed, or old versions of it are
    # missing): what is known is kept, and the warnings name what is not.
    incomplete: bool = False
    # Markdown files deleted from the docs folder, or moved out of it (first-parent mode):
    # their facts up to then, by a key of their path and the commit that deleted them. Block
    # history reads what they were while they lived, for the records that depended on them.
    ghosts: dict[str, GitFacts] = field(default_factory=dict)


def read_history(
    repo_dir: Path,
    paths: Iterable[str],
    options: HistoryOptions = HistoryOptions(),
    docs_prefix: str = "",
    current: Mapping[str, bytes] | None = None,
) -> History:
    """Facts for each path (relative to the repository root), from one walk of `git log HEAD`.

    `docs_prefix` (the docs folder, relative to the root) names the cache files. Every
    Markdown change is read, in the docs folder or not: a record moved into it (or the folder
    renamed) has its earlier history outside it. Paths are filtered in Python, never with a
    pathspec, so that git still pairs renames.
    `current`: the bytes of files the caller has read from the working tree (path → bytes);
    a version git would give the same bytes for (the same object name) is not asked of git.
    """
    with gc_paused():  # tens of thousands of commits and versions, all kept
        return _read_history(repo_dir, Wanted(paths, current), options, docs_prefix)


class PendingHistory:
    """A history read begun before its paths are known: git's log is read from the moment the
    repository is known, while the caller finds and parses the records (git works on another
    core meanwhile). Give the paths with `give`; `result` waits for the facts."""

    def __init__(self, repo_dir: Path, options: HistoryOptions = HistoryOptions(),
                 docs_prefix: str = "") -> None:
        self._wanted = Wanted()
        self._result: History | None = None
        self._error: BaseException | None = None
        # A daemon: if the caller fails before giving the paths, the thread must not keep
        # the process alive (a cache it was writing is replaced whole or not at all).
        self._thread = threading.Thread(target=self._run, args=(repo_dir, options, docs_prefix),
                                        name="headway-history", daemon=True)
        self._thread.start()

    def _run(self, repo_dir: Path, options: HistoryOptions, docs_prefix: str) -> None:
        try:
            with gc_paused():
                self._result = _read_history(repo_dir, self._wanted, options, docs_prefix)
        except BaseException as exc:  # handed to the caller by result()
            self._error = exc

    def give(self, paths: Iterable[str], current: Mapping[str, bytes] | None = None) -> None:
        """The paths (relative to the repository root) to read the history of, and what
        the caller has read of their files (see `read_history`)."""
        self._wanted.give(paths, current)

    def result(self) -> History:
        """The facts for the paths given (an empty result if none were)."""
        if not self._wanted.ready():
            self.give(())
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._result is not None
        return self._result


def _read_history(repo_dir: Path, paths: Wanted, options: HistoryOptions,
                  docs_prefix: str) -> History:
    runner = GitRunner(repo_dir)
    try:
        shallow, head, objects = _locate(runner, repo_dir)
    except GitTrouble as exc:
        message = str(exc)
        if message == "not a git repository":
            message = (f"{repo_dir} is not in a git repository: no dates, authors or status "
                       f"history from git; front-matter `date` is used where given")
        return History({p: GitFacts() for p in paths.get()}, [message],
                       git_processes=runner.processes)
    warnings: list[str] = []
    if shallow:
        warnings.append("the git history is truncated (shallow clone), so created dates, "
                        "authors and status histories are wrong; fetch the full history (in GitHub "
                        "Actions: actions/checkout with `fetch-depth: 0`)")
    if head is None:
        return History({p: GitFacts(uncommitted=True) for p in paths.get()}, warnings,
                       git_processes=runner.processes)
    if paths.ready() and not paths.get():  # nothing to read: no cache or log either
        return History({}, warnings, head, git_processes=runner.processes)
    prefix = docs_prefix.strip("/")
    # No cache for a shallow clone: its facts are wrong, and must not outlive a fetch of the
    # full history (which does not move HEAD).
    cache = Cache(None if shallow else options.cache_dir, f"{prefix}/" if prefix else "",
                  options.first_parent, _mailmap(repo_dir))
    # The last result may answer (HEAD has not moved): then nothing is read from git. If it
    # cannot, git's log starts at once, even if the paths are not known yet.
    if paths.ready() or cache.facts.head() == head:
        stored = cache.facts.facts_at(head, paths.get())
        ghosts = cache.facts.ghosts_at(head)
        if stored is not None and ghosts is not None:
            return History(stored, warnings, head, git_processes=runner.processes,
                           ghosts=ghosts)
    request = LogRequest(topo=not options.first_parent,
                         promisor=promisor_remote(runner, objects))
    if request.promisor is not None:  # renames of other files would fetch their blobs
        request.narrowed = MARKDOWN_ONLY
    cache.log.load()
    try:
        walked = walk_narrowing(runner, cache, request, head, paths, options.first_parent,
                                warnings, f"{prefix}/" if prefix else "")
    except GitTrouble as exc:
        cache.log.drop_written()
        warnings.append(f"{exc}; history is left empty")
        return History({p: GitFacts() for p in paths.get()}, warnings, head,
                       git_processes=runner.processes, incomplete=True)
    if walked is None:  # no paths after all: the log was left part-read, and is not cached
        return History({}, warnings, head, git_processes=runner.processes)
    if walked.missing:
        warnings.extend(_unread_warnings(walked.unread, walked.missing, walked.trouble))
    incomplete = bool(walked.missing) or request.narrowed == NO_RENAMES
    # With versions unread (or renames not followed), the result is not kept: the next build
    # reads them again (and warns again) instead of building on it.
    cache.save(head, None if incomplete else walked.facts, walked.ghosts)
    return History(walked.facts, warnings, head, git_processes=runner.processes,
                   incomplete=incomplete, ghosts=walked.ghosts)


def _unread_warnings(unread: Iterable[tuple[str, str, datetime]], missing: int,
                     trouble: str | None) -> list[str]:
    """One warning per record with versions git could not read, naming the commits."""
    warnings = [trouble] if trouble else []
    commits: dict[str, list[str]] = {}
    for path, sha, date in unread:
        commits.setdefault(path, []).append(f"{sha[:12]} of {date.date().isoformat()}")
    for path, shas in commits.items():
        shown = ", ".join(shas[:3]) + (f" and {len(shas) - 3} more" if len(shas) > 3 else "")
        warnings.append(f"{path}: git could not read {len(shas)} old version(s) of this record "
                        f"(commit {shown}): the object is missing or corrupt, so its status "
                        f"history leaves that version out; fetch it again (`git fetch`, or a "
                        f"fresh clone) or repair the repository (`git fsck`)")
    if not commits:
        warnings.append(f"git could not read {missing} object(s) (corrupt or missing); the "
                        f"status history of the records concerned is incomplete")
    return warnings


def _mailmap(repo_dir: Path) -> bytes:
    """The repository's .mailmap (at its root, where git reads it), or nothing."""
    try:
        return (repo_dir / ".mailmap").read_bytes()
    except OSError:
        return b""


def _locate(runner: GitRunner, repo_dir: Path) -> tuple[bool, str | None, Path | None]:
    """Whether the repository is shallow, HEAD (None before the first commit) and its
    objects folder, from one `git rev-parse`: it prints the first answers even when the last
    fails."""
    code, out = runner.run_checked("rev-parse", "--is-shallow-repository", "--git-path",
                                   "objects", "-q", "--verify", "HEAD^{commit}")
    lines = out.decode("utf-8", "surrogateescape").splitlines()
    shallow = bool(lines) and lines[0] == "true"
    objects = repo_dir / lines[1] if len(lines) > 1 else None
    return shallow, lines[2].strip() if code == 0 and len(lines) > 2 else None, objects

