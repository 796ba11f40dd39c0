"""One pass over git: created, updated, authors and status history for every record, cached."""

from __future__ import annotations

import bisect
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from .bulk import gc_paused
from .flowfields import flow_blocks
from .model import STATUSES, FlowVersion, GitFacts, StatusChange, StatusRead

# gitpython looks for git when it is imported; without this a machine with no git would fail
# the import itself instead of getting our message.
os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
import contextlib
import hashlib
import itertools
import operator

import git

try:
    import fcntl
except ImportError:  # Windows: pipes keep their default size
    fcntl = None  # type: ignore[assignment]

CACHE_VERSION = 11
_LOG_FORMAT = "%x1e%H%x1f%P%x1f%aN%x1f%cI"  # %aN: the name .mailmap gives


@dataclass(frozen=True, slots=True)
class HistoryOptions:
    """How history is read. `first_parent`: a change counts when it lands on the main line."""

    first_parent: bool = True
    cache_dir: Path | None = None


@dataclass(slots=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author: str
    date: str  # committer date, ISO 8601 with the committer's offset
    # (status, path, old_path or "", blob, the blob before: all zeros for an added file) for
    # Markdown files
    changes: list[tuple[str, str, str, str, str]] = field(default_factory=list)


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


class BlobFacts(NamedTuple):
    """The few front-matter values history needs from an old version of a file (a named
    tuple: twenty thousand of them are made per two thousand records)."""

    type: str | None
    status: str | None
    depends_on: tuple[str, ...] = ()
    # a version written for another tool (an ADR folder): how its status was read, as the
    # current version's is (adr.status_read)
    reading: StatusRead | None = None


# The lines read of one version's front matter (see _FACT_LINES): key and value of a `type`
# or `status` line, or a `depends_on` block.
_FactLines = tuple[tuple[bytes, bytes, bytes], ...]


_Blocks = tuple[bytes, ...]  # a version's `waiting_on` and `actions` blocks (flowfields.py)


class GitTrouble(Exception):
    """git could not be used; the message says why and what to do."""


class _CacheUnusable(Exception):
    """The stored log cannot be used after all: damaged on disk, or (all-commits mode) the
    new commits would have to be interleaved with it."""


# What reading a cache file that is not what headway wrote can raise: such a file is left
# aside and git read again, never a failed build.
_BAD_DATA = (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError,
             RecursionError, UnicodeError)


class GitRunner:
    """The git commands history needs, through gitpython's raw command interface."""

    def __init__(self, cwd: Path) -> None:
        self.cmd = git.Git(str(cwd))
        self.processes = 0
        self._running: list[Any] = []  # gitpython kills a process when its wrapper is collected
        self._stderr: dict[int, tuple[threading.Thread, list[bytes]]] = {}

    def run(self, *args: str) -> bytes:
        """The output of a command; GitTrouble, saying why, when it fails."""
        code, out, err = self._execute(args)
        if code != 0:
            raise GitTrouble(_explain(err))
        return out

    def answer(self, *args: str) -> str | None:
        """What a command prints, stripped; None when it fails or prints nothing (a question
        git may not answer: an unset setting, no remote, not a repository)."""
        try:
            return self.run(*args).decode("utf-8", "replace").strip() or None
        except GitTrouble:
            return None

    def run_checked(self, *args: str) -> tuple[int, bytes]:
        """Exit status and output of a command that may fail in an expected way; GitTrouble
        when it printed nothing and complained (not a repository, safe.directory, ...)."""
        code, out, err = self._execute(args)
        if code != 0 and not out.strip():
            raise GitTrouble(_explain(err))
        return code, out

    def _execute(self, args: tuple[str, ...]) -> tuple[int, bytes, str]:
        self.processes += 1
        try:
            code, out, err = self.cmd.execute(["git", *args], stdout_as_string=False,
                                              with_extended_output=True, with_exceptions=False)
        except git.exc.GitCommandNotFound as exc:
            raise GitTrouble(_NO_GIT) from exc
        return (code, out if isinstance(out, bytes) else str(out).encode(),
                err.decode("utf-8", "replace") if isinstance(err, bytes) else str(err))

    def stream(self, *args: str, stdin: bool = False) -> subprocess.Popen[bytes]:
        """A long-running git process, read (and written) as it works."""
        self.processes += 1
        try:
            proc = self.cmd.execute(["git", *args], as_process=True,
                                    istream=subprocess.PIPE if stdin else None)
        except git.exc.GitCommandNotFound as exc:
            raise GitTrouble(_NO_GIT) from exc
        popen = proc.proc
        assert popen is not None and popen.stdout is not None
        self._running.append(proc)
        if popen.stderr is not None:  # read as it comes: a full stderr pipe would stop git
            tail: list[bytes] = []
            reader = threading.Thread(target=_keep_tail, args=(popen.stderr, tail), daemon=True)
            reader.start()
            self._stderr[popen.pid] = (reader, tail)
        return popen

    def stderr_of(self, popen: subprocess.Popen[bytes]) -> str:
        """The end of what a streamed process wrote to stderr, once it has exited."""
        reader, tail = self._stderr.pop(popen.pid, (None, []))
        if reader is not None:
            reader.join(timeout=10)
        return b"".join(tail)[-4000:].decode("utf-8", "replace")


def _keep_tail(pipe: Any, tail: list[bytes]) -> None:
    """Read a pipe to its end, keeping only its last few reads."""
    with contextlib.suppress(OSError, ValueError):
        while chunk := os.read(pipe.fileno(), 4096):
            tail.append(chunk)
            if len(tail) > 8:
                del tail[0]


_NO_GIT = ("git is not installed (or not on PATH); install git to read dates and authors "
           "from history")


def _explain(stderr: str) -> str:
    text = stderr.strip().replace("stderr: ", "").strip("'\" \n")
    if "dubious ownership" in text or "safe.directory" in text:
        return ("git refuses to read this repository because it belongs to another user "
                "(safe.directory); run `git config --global --add safe.directory <path>` "
                "(in CI, the checkout step's user must own the folder)")
    if "not a git repository" in text:
        return "not a git repository"
    return f"git failed: {text.splitlines()[-1] if text else 'no message'}"


class _CatFile:
    """One `git cat-file --batch --buffer` and the thread that parses its answers, straight
    from large reads of a widened pipe. Each answer is headed by its size alone: cat-file
    answers in the order it was asked, so the name is the next one of `order`."""

    def __init__(self, runner: GitRunner, known: dict[str, BlobFacts],
                 progress: threading.Condition, flows: dict[str, _Blocks] | None = None,
                 flow_memo: FlowMemo | None = None) -> None:
        self.runner = runner
        self.known = known
        self.flows: dict[str, _Blocks] = {} if flows is None else flows
        self.flow_memo = FlowMemo() if flow_memo is None else flow_memo
        self.order: list[str] = []  # names in the order they were sent
        self.places: list[int] = []  # the place of each among all requests (increasing)
        self.answered = 0  # answers read so far (_ALL once the reader has stopped)
        self.missing = 0
        self.failure: BaseException | None = None
        self._progress = progress
        self.proc = runner.stream("cat-file", "--batch=%(objectsize)", "--buffer", stdin=True)
        assert self.proc.stdin is not None
        _widen_pipe(self.proc.stdin)
        self._gather = _widen_pipe(self.proc.stdout)  # seconds to wait after a short read
        self.reader = threading.Thread(target=self._read, name="headway-cat-file", daemon=True)
        self.reader.start()

    @property
    def outstanding(self) -> int:
        return len(self.order) - self.answered

    def send(self, names: list[str], first_place: int, places: list[int] | None = None) -> None:
        """Ask for `names`, whose places among all requests are `places` (by default the
        ones from `first_place` on)."""
        assert self.proc.stdin is not None
        if not names:
            return
        # before the write, so that the reader finds the names
        self.places += range(first_place, first_place + len(names)) if places is None else places
        self.order += names
        try:
            self.proc.stdin.write(("\n".join(names) + "\n").encode())
        except OSError as exc:  # cat-file is gone; the reader thread says why
            self.failure = self.failure or exc

    def close(self) -> None:
        """No more requests: cat-file writes out its last answers (with --buffer it holds what
        its output buffer has not written until its input ends)."""
        assert self.proc.stdin is not None
        with contextlib.suppress(OSError):
            self.proc.stdin.close()

    def _answered(self, count: int) -> None:
        with self._progress:
            self.answered = count
            self._progress.notify_all()

    def _read(self) -> None:
        """Parse the answers: `<size>\\n<data>\\n`, or `<name> missing\\n` for an object git
        cannot find."""
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        known, order, gather = self.known, self.order, self._gather
        memo = FactsMemo()
        flows, flow_memo = self.flows, self.flow_memo
        answered = 0
        buf, pos, wanted = b"", 0, 0  # wanted: bytes the object begun in buf still needs
        try:
            while chunk := os.read(fd, _READ_BYTES):
                if gather and len(chunk) < _SHORT_READ:  # fewer reads and GIL trips
                    time.sleep(gather)
                if wanted > len(chunk):  # a large object: gather its reads, join them once
                    chunks = [chunk]
                    got = len(chunk)
                    while got < wanted and (more := os.read(fd, max(_READ_BYTES, wanted - got))):
                        chunks.append(more)
                        got += len(more)
                    chunk = b"".join(chunks)
                buf, pos, wanted = buf[pos:] + chunk, 0, 0
                size = len(buf)
                while (eol := buf.find(b"\n", pos)) >= 0:
                    try:
                        end = eol + 1 + int(buf[pos:eol])
                    except ValueError:  # "<name> missing": a corrupt or absent object
                        self.missing += 1
                        answered += 1
                        pos = eol + 1
                        continue
                    if end >= size:  # the rest of this object is in the next reads
                        wanted = end + 1 - size
                        break
                    memo.front = None
                    known[order[answered]] = blob_facts(buf, memo, eol + 1, end)
                    if memo.front is not None:
                        _read_flow(memo.front, order[answered], flows, flow_memo)
                    answered += 1
                    pos = end + 1
                self._answered(answered)
            if buf[pos:].strip():  # cat-file stopped in the middle of an answer
                self.failure = self.failure or EOFError("git cat-file stopped mid-object")
        except BaseException as exc:  # surfaced by finish(), never lost in the thread
            self.failure = exc
            self._answered(_ALL)  # no more answers: nobody may wait for them
            # Keep reading what cat-file writes: if it blocked on a full pipe, the thread
            # writing requests to it would wait for ever.
            with contextlib.suppress(OSError):
                while os.read(fd, _READ_BYTES):
                    pass
        finally:
            self._answered(_ALL)

    def finish(self) -> BaseException | None:
        """Wait for cat-file to end; what went wrong, if anything."""
        self.close()
        self.reader.join()
        code = self.proc.wait()
        if self.failure is None and code != 0:  # e.g. an object it could not inflate
            stderr = self.runner.stderr_of(self.proc)
            self.failure = RuntimeError(f"git cat-file exited with status {code}: "
                                        f"{_explain(stderr)}")
        return self.failure


class _Blobs:
    """Old versions asked of `git cat-file` while `git log` still streams, in batches written
    into a widened pipe; a thread per cat-file parses its answers, so that neither git
    process waits for the other and the log is never held up by a full pipe.

    While the log is read, one cat-file works, kept a few batches ahead (a second one would
    only take the core git's log needs); what is still to be asked when the log ends is
    shared with a second cat-file, so that both cores work on it (the two take 0.10 s for
    what one does in 0.18)."""

    _BATCH = 512  # names per write while the log is read
    _AHEAD = 2 * _BATCH  # a batch is sent meanwhile only while fewer are unanswered
    _END_BATCH = 64  # names per write to the two cat-files, in turn, once the log ends
    _SHARED = 1024  # fewer left than this at the end: the first cat-file takes them alone

    def __init__(self, runner: GitRunner, known: dict[str, BlobFacts],
                 promisor: str | None = None, flows: dict[str, _Blocks] | None = None) -> None:
        self.runner = runner
        self.known = known
        self.flows: dict[str, _Blocks] = {} if flows is None else flows
        self.flow_memo = FlowMemo()  # shared by the cat-files' readers (one runs at a time)
        self.asked: dict[str, int] = {}  # name → its place among the requests
        self.names: list[str] = []  # every name asked, in order (its index is its place)
        self.sent = 0  # names sent so far
        self._feed_at = self._BATCH  # ask() sends when this many names are asked
        self.workers: list[_CatFile] = []
        self._progress = threading.Condition()
        # A partial clone (the remote that promises its missing objects): cat-file would
        # fetch each missing version on its own, one fetch per object. Nothing is sent while
        # the log is read; at its end the missing versions are fetched in one batch.
        self.promisor = promisor
        if promisor is not None:
            self._feed_at = _ALL
        self.absent: set[str] = set()  # versions not in the clone, which the fetch did not get
        self.trouble: str | None = None  # why they were not fetched

    @property
    def missing(self) -> int:
        return sum(worker.missing for worker in self.workers) + len(self.absent)

    def ask(self, sha: str) -> int:
        """Ask for a version unless its facts were known before the walk (then -1); its
        place among the requests."""
        place = self.asked.get(sha)
        if place is None:
            if sha in self.known:  # read from the cache or from the files
                place = self.asked[sha] = -1
            else:
                place = self.asked[sha] = len(self.names)
                self.names.append(sha)
                if place + 1 >= self._feed_at:
                    self._feed()
        return place

    def _worker(self, index: int) -> _CatFile:
        while len(self.workers) <= index:
            self.workers.append(_CatFile(self.runner, self.known, self._progress, self.flows,
                                         self.flow_memo))
        return self.workers[index]

    def _send(self, worker: _CatFile, count: int) -> None:
        count = min(count, len(self.names) - self.sent)
        names = self.names[self.sent:self.sent + count]
        if self.absent:  # never asked of cat-file: it would try to fetch each one
            places = [p for p, name in enumerate(names, self.sent) if name not in self.absent]
            worker.send([self.names[p] for p in places], self.sent, places)
        else:
            worker.send(names, self.sent)
        self.sent += count

    def _feed(self) -> None:
        """Send whole batches to the first cat-file while it is less than _AHEAD behind."""
        first = self._worker(0)
        while len(self.names) - self.sent >= self._BATCH and first.outstanding < self._AHEAD:
            self._send(first, self._BATCH)
        # The next look: after a few more names while cat-file is behind, else a batch on.
        behind = len(self.names) - self.sent >= self._BATCH
        self._feed_at = len(self.names) + self._BATCH // 16 if behind else self.sent + self._BATCH

    def close(self) -> None:
        """No more requests: what is left goes out (shared by two cat-files when there is
        much of it), and cat-file's input ends, so that it writes out its last answers."""
        left = len(self.names) - self.sent
        if left and self.promisor is not None:
            self._fetch_missing(self.names[self.sent:])
        if left:
            workers = [self._worker(0)] + ([self._worker(1)] if left >= self._SHARED else [])
            turn = 0
            while self.sent < len(self.names):
                self._send(workers[turn % len(workers)], self._END_BATCH)
                turn += 1
        for worker in self.workers:
            worker.close()

    def _fetch_missing(self, names: list[str]) -> None:
        """The versions among `names` that the partial clone lacks, fetched in one batch;
        those it could not get are left in `absent`."""
        absent, trouble = _fetch(self.runner, self.promisor or "origin", names)
        if trouble is not None:
            self.absent = absent
            self.trouble = f"fetching {len(absent)} old version(s) of records {trouble}"

    def wait_for(self, place: int) -> None:
        """Until the answers to every request up to `place` have been read (or the readers
        have stopped)."""
        if place < 0:
            return
        for worker in self.workers:
            need = bisect.bisect_right(worker.places, place)
            if need > worker.answered:
                with self._progress:
                    while need > worker.answered:
                        self._progress.wait()

    def finish(self) -> None:
        failures = [worker.finish() for worker in self.workers]
        failure = next((f for f in failures if f is not None), None)
        if failure is not None:
            raise GitTrouble(f"reading old versions of records failed: {failure}")


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
        return _read_history(repo_dir, _Wanted(paths, current), options, docs_prefix)


class _Wanted:
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


class PendingHistory:
    """A history read begun before its paths are known: git's log is read from the moment the
    repository is known, while the caller finds and parses the records (git works on another
    core meanwhile). Give the paths with `give`; `result` waits for the facts."""

    def __init__(self, repo_dir: Path, options: HistoryOptions = HistoryOptions(),
                 docs_prefix: str = "") -> None:
        self._wanted = _Wanted()
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


def _read_history(repo_dir: Path, paths: _Wanted, options: HistoryOptions,
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
    cache = _Cache(None if shallow else options.cache_dir, f"{prefix}/" if prefix else "",
                   options.first_parent, _mailmap(repo_dir))
    # The last result may answer (HEAD has not moved): then nothing is read from git. If it
    # cannot, git's log starts at once, even if the paths are not known yet.
    if paths.ready() or cache.facts_head() == head:
        stored = cache.stored_facts(head, paths.get())
        if stored is not None:
            return History(stored, warnings, head, git_processes=runner.processes)
    cache.promisor = _promisor_remote(runner, objects)
    if cache.promisor is not None:  # renames of other files would fetch their blobs
        cache.log_args = _MARKDOWN_ONLY
    cache.load_log()
    try:
        walked = _walk_narrowing(runner, cache, head, paths, options.first_parent, warnings)
    except GitTrouble as exc:
        cache.drop_log()
        warnings.append(f"{exc}; history is left empty")
        return History({p: GitFacts() for p in paths.get()}, warnings, head,
                       git_processes=runner.processes, incomplete=True)
    if walked is None:  # no paths after all: the log was left part-read, and is not cached
        return History({}, warnings, head, git_processes=runner.processes)
    facts, missing, unread = walked
    if missing:
        warnings.extend(_unread_warnings(unread, missing, cache.trouble))
    incomplete = bool(missing) or cache.log_args == _NO_RENAMES
    # With versions unread (or renames not followed), the result is not kept: the next build
    # reads them again (and warns again) instead of building on it.
    cache.save(head, None if incomplete else facts)
    return History(facts, warnings, head, git_processes=runner.processes,
                   incomplete=incomplete)


def _walk_narrowing(runner: GitRunner, cache: _Cache, head: str, paths: _Wanted,
                    first_parent: bool, warnings: list[str]) -> _Walked | None:
    """`_walk`, again with a narrower log if git's log fails (an object it needs for rename
    detection is missing or corrupt, say a large binary file no record touches): renames
    followed only between Markdown files, then not at all (with a warning: a renamed
    record's history then starts at the rename)."""
    while True:
        try:
            try:
                return _walk(runner, cache, head, paths, first_parent)
            except _CacheUnusable:  # read everything from git instead
                cache.forget_log()
                return _walk(runner, cache, head, paths, first_parent)
        except _LogFailed as exc:
            cache.drop_log()
            cache.forget_log()
            if cache.log_args == _NO_RENAMES:
                raise
            if cache.log_args != _MARKDOWN_ONLY:
                cache.log_args = _MARKDOWN_ONLY  # the same facts, unless a record was renamed
                continue  # from a file that is not Markdown
            cache.log_args = _NO_RENAMES
            cache.log_file = None  # such a log is not kept: the next build tries again
            warnings.append(f"git's log failed ({exc}), so renames are not followed: each "
                            f"renamed record's history starts at its rename; repair the "
                            f"repository (`git fsck` names what is missing) or clone it again")


def _unread_warnings(unread: Iterable[tuple[str, str, str]], missing: int,
                     trouble: str | None) -> list[str]:
    """One warning per record with versions git could not read, naming the commits."""
    warnings = [trouble] if trouble else []
    commits: dict[str, list[str]] = {}
    for path, sha, date in unread:
        commits.setdefault(path, []).append(f"{sha[:12]} of {date[:10]}")
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


def _promisor_remote(runner: GitRunner, objects: Path | None) -> str | None:
    """The remote a partial clone (`git clone --filter=blob:none`) fetches missing objects
    from; None for a whole repository. Its packs say so (a `.promisor` file beside each),
    so a whole repository costs no git process."""
    try:
        if objects is None or not any((objects / "pack").glob("*.promisor")):
            return None
    except OSError:
        return None
    found = runner.answer("config", "--get-regexp",
                          r"^(extensions\.partialclone|remote\..*\.promisor)$")
    remote = None
    for line in (found or "").splitlines():
        key, _, value = line.partition(" ")
        if key == "extensions.partialclone" and value:
            return value
        if key.endswith(".promisor") and value == "true" and remote is None:
            remote = key.removeprefix("remote.").removesuffix(".promisor")
    return remote or "origin"


_MARKDOWN = (b".md", b".markdown", b".mdown", b".mkdn", b".mkd")
_LOG = ["log", "-z", "--raw", "--no-abbrev", "-M", "--diff-merges=first-parent",
        f"--format={_LOG_FORMAT}"]
# The log of a partial clone, or of a repository git's whole log fails on: only Markdown
# files, so that rename detection reads (and a partial clone fetches) no other file's blobs.
# Slower than the whole log (0.5 against 0.3 s at 2,000 records: git compares trees twice),
# hence not the default. --full-history --sparse: every commit, with its true parents.
_MARKDOWN_ONLY = ("--full-history", "--sparse", "--",
                  *(f"*{suffix.decode()}" for suffix in _MARKDOWN))
_NO_RENAMES = ("--no-renames", *_MARKDOWN_ONLY)


class _LogFailed(GitTrouble):
    """git's log stopped with an error (an object it needed is missing or corrupt)."""


def _fetch(runner: GitRunner, promisor: str, names: Iterable[str]) -> tuple[set[str], str | None]:
    """The objects among `names` that a partial clone lacks, fetched from its promisor remote
    in one `git fetch` (as git itself prefetches); those it lacks and, when the fetch failed,
    why (else None)."""
    # Listing the objects present fetches nothing (asking about one would fetch it).
    present = runner.run("cat-file", "--batch-all-objects", "--unordered",
                         "--batch-check=%(objectname)").split()
    wanted = set(names).difference(name.decode() for name in present)
    if not wanted:
        return wanted, None
    proc = runner.stream("-c", "fetch.negotiationAlgorithm=noop", "fetch", promisor,
                         "--no-tags", "--no-write-fetch-head", "--recurse-submodules=no",
                         "--filter=blob:none", "--stdin", stdin=True)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(("\n".join(sorted(wanted)) + "\n").encode())
        proc.stdin.close()
        proc.stdout.read()
    except OSError:
        pass  # git stopped early: its status and message say why
    if proc.wait() == 0:
        return set(), None
    said = runner.stderr_of(proc).splitlines()
    why = next((line for line in said if line.startswith(("fatal:", "error:"))),
               said[-1] if said else "no message")
    return wanted, f"from the promisor remote '{promisor}' failed ({why})"


def _prefetch_renames(runner: GitRunner, revisions: str, promisor: str) -> None:
    """A partial clone: the Markdown versions git's rename detection will compare (the files
    added and deleted in one commit, other than those moved unchanged), fetched in one batch
    before the log, which would otherwise fetch them commit by commit. A failed fetch is left
    to the log (which then reads without renames)."""
    # Without a pathspec (which makes git compare trees twice): as fast as the plain log,
    # since nothing is read without rename detection; Markdown files are picked here.
    out = runner.run("log", "-z", "--raw", "--no-abbrev", "--no-renames", "--diff-filter=AD",
                     "--diff-merges=first-parent", "--format=%x1e", revisions, "--")
    wanted: set[str] = set()
    for chunk in out.split(b"\x1e"):
        added: set[bytes] = set()
        deleted: set[bytes] = set()
        for before, blob, _, _, _, status, path in _RAW_ENTRY.findall(chunk):
            if not path.endswith(_MARKDOWN):
                continue
            if status == b"A":
                added.add(blob)
            elif status == b"D":
                deleted.add(before)
        if added and deleted:
            moved = added & deleted  # the same content: paired without reading it
            if added - moved and deleted - moved:
                wanted.update(name.decode() for name in (added | deleted) - moved)
    if wanted:
        _fetch(runner, promisor, wanted)


def _stream_log(runner: GitRunner, revisions: str, cache: _Cache) -> Iterator[Commit]:
    """Commits newest first as git prints them: by date, or children before parents when
    the cache says so (all-commits mode). With a cache folder, what the cache needs of each is
    appended to `cache.fresh` as git printed it: the whole entry of a commit that changed
    records, only the header (sha, parents, author, date) of any other."""
    kept = cache.fresh if cache.log_file is not None else None  # no cache: nothing kept
    if cache.promisor is not None and cache.log_args == _MARKDOWN_ONLY:
        with contextlib.suppress(GitTrouble):  # if git fails, the log says why
            _prefetch_renames(runner, revisions, cache.promisor)
    proc = runner.stream(*_LOG, *(["--topo-order"] if cache.topo else []), revisions,
                         *(cache.log_args or ("--",)))
    assert proc.stdout is not None
    drain = _Drain(proc.stdout)
    pending = b""
    finished = False
    try:
        for chunk in drain.chunks():
            pending += chunk
            parts = pending.split(b"\x1e")
            pending = parts.pop() if chunk else b""
            for part in parts:
                if part:
                    commit = _parse_commit(part)
                    if kept is not None:
                        header_end = part.find(b"\x00") + 1
                        kept.append(part if commit.changes or not header_end
                                    else part[:header_end])
                    yield commit
        finished = True
    finally:
        drain.close()
        if not finished and proc.poll() is None:  # left part-read (no paths, or an error)
            proc.kill()
    if proc.wait() != 0:
        raise _LogFailed(_explain(runner.stderr_of(proc)))


class _Drain:
    """A pipe read to its end by a thread of its own, so that the process writing it (git's
    log) never waits for Python: the thread parsing the log shares the GIL with the page
    parsing, and would otherwise let the pipe fill and git stop, then wait for git once the
    pages are done. Up to _DRAIN_BYTES are held; beyond that the reading waits."""

    def __init__(self, pipe: Any) -> None:
        self._fd = pipe.fileno()
        self._gather = _widen_pipe(pipe)
        self._chunks: deque[bytes] = deque()
        self._held = 0
        self._closed = False
        self._failure: BaseException | None = None
        self._ready = threading.Condition()
        self._thread = threading.Thread(target=self._read, name="headway-log", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:  # reads of up to the pipe's size, not _READ_BYTES: a few dozen, not thousands
            while chunk := os.read(self._fd, _PIPE_BYTES):
                if self._gather and len(chunk) < _SHORT_READ:  # see _SHORT_READ
                    time.sleep(self._gather)
                with self._ready:
                    while self._held > _DRAIN_BYTES and not self._closed:
                        self._ready.wait()
                    if self._closed:
                        return
                    self._chunks.append(chunk)
                    self._held += len(chunk)
                    self._ready.notify()
        except BaseException as exc:  # handed to the reader of the chunks
            self._failure = exc
        with self._ready:
            self._chunks.append(b"")  # the end
            self._ready.notify()

    def chunks(self) -> Iterator[bytes]:
        """What the pipe held, in order, as it comes; the last chunk is empty."""
        while True:
            with self._ready:
                while not self._chunks:
                    self._ready.wait()
                chunk = self._chunks.popleft()
                self._held -= len(chunk)
                self._ready.notify()
            if not chunk and self._failure is not None:
                raise self._failure
            yield chunk
            if not chunk:
                return

    def close(self) -> None:
        """Stop holding what comes (the reader stops at the next chunk, or when the pipe
        closes); the caller stops the writer."""
        with self._ready:
            self._closed = True
            self._chunks.clear()
            self._ready.notify()


_ALL = sys.maxsize  # `answered` once cat-file's reader has stopped
_PIPE_BYTES = 1 << 20
_DRAIN_BYTES = 64 << 20  # log held in memory ahead of its parsing, at most
# Reads stay under glibc's mmap threshold (128 KiB), so that their buffers come from the heap
# and are reused: 1 MiB reads were fresh mappings each time, tens of thousands of page faults.
_READ_BYTES = 1 << 16
# cat-file writes about one object (1-2 KB) at a time; read as it comes, that is one read,
# and one handover of the GIL, per object. After a short read the reader waits a little so
# that the next read takes many: 17,000 reads of 26 MB became 470 (thread CPU 55 → 8 ms).
# The same for git log, which Python parses faster than git writes it: fewer wake-ups of
# both sides (the cold read at 2,000 records: 5-7 % less time and CPU).
_SHORT_READ = _READ_BYTES // 4
_GATHER_SECONDS = 0.002


def _widen_pipe(pipe: Any) -> float:
    """A pipe of 1 MiB instead of 64 KiB (Linux), so that git seldom waits for us to read.
    The seconds a reader may wait after a short read for more to gather: none unless the
    pipe is that wide (in a pipe of a few KiB, as on Windows, each wait would cap reading
    at a few MB a second)."""
    if fcntl is None or not hasattr(fcntl, "F_SETPIPE_SZ"):
        return 0.0
    try:
        size = fcntl.fcntl(pipe.fileno(), fcntl.F_SETPIPE_SZ, _PIPE_BYTES)
    except (OSError, ValueError, AttributeError):
        return 0.0
    return _GATHER_SECONDS if size >= _PIPE_BYTES else 0.0


# One entry of `git log -z --raw --no-abbrev`: modes, old and new blob, status (with a score
# for renames and copies), then one path, or two (old, new) for R and C.
_RAW_ENTRY = re.compile(
    rb":[0-7]+ [0-7]+ ([0-9a-f]+) ([0-9a-f]+) "
    rb"(?:([RC])[0-9]*\x00([^\x00]*)\x00([^\x00]*)|([A-Z])[0-9]*\x00([^\x00]*))\x00")


def _parse_log(raw: bytes) -> list[Commit]:
    return [_parse_commit(part) for part in raw.split(b"\x1e") if part]


def _parse_commit(chunk: bytes) -> Commit:
    """One commit of `git log -z --raw`; only Markdown changes kept. Those outside the docs
    folder too: a record moved into it (or the folder renamed) has its history there."""
    header, _, rest = chunk.partition(b"\x00")
    sha, parents, author, date = header.decode("utf-8", "replace").split("\x1f")
    commit = Commit(sha, tuple(parents.split()), author, date)
    changes = commit.changes
    for before, blob, moved, old, new, status, path in _RAW_ENTRY.findall(rest):
        if not moved:
            new, old = path, b""
        if new.endswith(_MARKDOWN) or (old and old.endswith(_MARKDOWN)):
            changes.append((moved.decode() if moved else status.decode(),
                            new.decode("utf-8", "surrogateescape"),
                            old.decode("utf-8", "surrogateescape") if old else "", blob.decode(),
                            before.decode()))
    return commit


_Event = tuple["Commit", str, str, str]  # see _Trail


@dataclass(slots=True)
class _Trail:
    """One wanted file as the walk follows it back through the log: the commits that changed
    it, newest first, each as (commit, blob, the file's path at that commit, the blob before
    the commit), and the place of its last request to cat-file (see _Blobs), -1 while none
    was needed."""

    path: str
    events: list[_Event] = field(default_factory=list)
    last: int = -1


_LAST_ASKED = operator.attrgetter("last")


class _Walked(NamedTuple):
    facts: dict[str, GitFacts]  # by path (the cache has them, and their tallies, too)
    missing: int  # versions git could not read
    unread: tuple[tuple[str, str, str], ...] = ()  # (path, commit, date) of each of them


def _walk(runner: GitRunner, cache: _Cache, head: str, paths: _Wanted, first_parent: bool
          ) -> _Walked | None:
    """Follow every wanted file from HEAD back through its renames, newest commit first,
    asking for each old version's blob as soon as the log names it.

    In first-parent mode git prints commits by date, not children first (that would make
    it walk the whole graph before printing anything): a main-line commit printed before its
    child (a clock set wrong) is held until the walk down the main line reaches it.

    With a cache, the walk stops where the new commits end if every file is then either
    new or one whose tally at the cached HEAD is stored (under its name at that HEAD): the
    new commits extend those tallies, and the stored log is not even parsed. Otherwise it
    goes on through the stored commits.

    Until the paths are given, commits are read into a list; None when no path is given.
    Each path's tally is None when git has no commit of it."""
    commits = _commits(runner, cache, head)
    try:
        return _walk_commits(runner, cache, head, paths, first_parent, commits)
    finally:  # stops git's log if the walk ends early (no paths, stored tallies, an error)
        commits.close()


def _walk_commits(runner: GitRunner, cache: _Cache, head: str, paths: _Wanted,
                  first_parent: bool, commits: Iterator[Commit | None]) -> _Walked | None:
    early: list[Commit | None] = []
    if not paths.ready():
        for commit in commits:
            early.append(commit)
            if commit is None or paths.ready():  # None: the stored log follows
                break
    wanted = paths.get()
    if not wanted:
        return None
    cache.from_disk |= _read_current(paths.current, cache.blob_facts, head, cache.flow_fields)
    blobs = _Blobs(runner, cache.blob_facts, cache.promisor, cache.flow_fields)
    trails = [_Trail(path) for path in wanted]
    tracked = {trail.path: trail for trail in trails}  # by each file's name at this commit
    from_disk = cache.from_disk  # versions read from the files
    committed: set[str] = set()  # those of them some commit has

    def follow(commit: Commit) -> None:
        # Written out, not a helper called twice: this runs for every change of every
        # record (a call per change cost 2 % of a cold read's CPU at 2,000 records).
        for status, new, old, blob, before in commit.changes:
            trail = tracked.get(new)
            if trail is None or status == "D":
                continue
            trail.events.append((commit, blob, new, before))
            place = blobs.ask(blob)
            if place > trail.last:
                trail.last = place
            elif place < 0 and blob in from_disk:
                committed.add(blob)
            if not first_parent and before.strip("0"):
                # All commits: each is compared with its parent's version, which a commit on
                # another branch (walked in between) or a merge may have made.
                place = blobs.ask(before)
                if place > trail.last:
                    trail.last = place
                elif place < 0 and before in from_disk:
                    committed.add(before)
            if status == "A":
                del tracked[new]
            elif status in "RC" and old:
                del tracked[new]
                tracked[old] = trail

    def stored_tallies() -> dict[str, _Tally | None] | None:
        """At the end of the new commits: each file's tally at the cached HEAD (None for a
        file that was not committed then, nor in the new commits), or None if one is not
        stored, or the new main line does not come down to the cached HEAD."""
        if first_parent and expected != cache.head:  # it came in on a merged branch
            return None
        stored = cache.stored_tallies()
        if stored is None:
            return None
        name_then = {trail.path: name for name, trail in tracked.items()}
        found: dict[str, _Tally | None] = {}
        for target in wanted:
            name = name_then.get(target)
            if name is None:
                continue  # added in the new commits: nothing before them
            if name not in stored:
                return None
            found[target] = stored[name]
        return found

    expected: str | None = head  # the next commit on the main line
    held: dict[str, Commit] = {}  # commits printed before the main line reached them
    seen: list[Commit] = []
    merges = False
    before: dict[str, _Tally | None] = {}  # tallies the new commits extend
    try:
        for commit in itertools.chain(early, commits):
            if commit is None:  # the new commits end here; the stored ones follow
                if not first_parent:
                    # Every commit counts, in git's children-first order: the new ones come
                    # before all the stored ones only if they all descend from the cached
                    # HEAD; a branch forked earlier and merged since interleaves with them.
                    new = {c.sha for c in seen}
                    if any(p not in new and p != cache.head for c in seen for p in c.parents):
                        raise _CacheUnusable("new commits interleave with the stored ones")
                extended = stored_tallies()
                if extended is not None:
                    before = extended
                    break
                continue
            seen.append(commit)
            if len(commit.parents) > 1:
                merges = True
            if not first_parent:
                if len(commit.parents) < 2:
                    follow(commit)
                continue
            if commit.sha != expected:
                held[commit.sha] = commit
                continue
            follow(commit)
            expected = commit.parents[0] if commit.parents else None
            while expected in held:
                commit = held.pop(expected)
                follow(commit)
                expected = commit.parents[0] if commit.parents else None
        # Each cat-file answers in the order asked: each file is worked out as soon as every
        # request up to its last one is answered, while cat-file still works for the others
        # (Python would otherwise wait for it, then work them all out).
        blobs.close()
        landed = _landed_authors(seen, head) if first_parent and merges else {}
        # Meanwhile: the log to the cache, and the commits let go of as each file is worked
        # out (freeing them all at the end took 15 ms at 2,000 records).
        cache.save_log(head)
        seen.clear()
        early.clear()
        known = cache.blob_facts
        worked: dict[str, GitFacts] = {}
        unread: list[tuple[str, str, str]] = []
        for trail in sorted(trails, key=_LAST_ASKED):
            blobs.wait_for(trail.last)
            path, evs = trail.path, trail.events
            trail.events = []  # its commits let go of now (see above)
            if blobs.missing:  # some version could not be read: is it one of this file's?
                unread += ((path, c.sha, c.date) for c, blob, _, _ in evs if blob not in known)
            if evs:
                evs.reverse()  # oldest first
                tally: _Tally | None = _facts_of(evs, known, landed, before.get(path),
                                                 by_parent=not first_parent)
                _add_flow(tally, evs, known, cache.flow_fields, before.get(path))
            else:
                tally = before.get(path)
            worked[path] = facts = tally.facts() if tally is not None else _UNCOMMITTED
            cache.remember(path, facts, tally)
    finally:
        blobs.finish()
        cache.trouble = blobs.trouble
    if from_disk:  # files edited, not committed: their versions are not kept in the cache
        for name in from_disk - committed:
            del known[name]
            cache.flow_fields.pop(name, None)
        from_disk.clear()
    return _Walked({path: worked[path] for path in wanted}, blobs.missing, tuple(unread))


def _read_current(current: Mapping[str, bytes], known: dict[str, BlobFacts], head: str,
                  flows: dict[str, _Blocks] | None = None) -> set[str]:
    """The facts of the files the caller read, under their git object names: most records'
    newest version is the file on disk, which git then need not inflate and send. (A file
    git would store differently, say with other line endings, gets another name and is
    simply not used.) The names added to `known`."""
    added: set[str] = set()
    algorithm = {40: "sha1", 64: "sha256"}.get(len(head))
    if not current or algorithm is None:
        return added
    memo, flow_memo = FactsMemo(), FlowMemo()
    for data in current.values():
        digest = hashlib.new(algorithm, b"blob %d\x00" % len(data))
        digest.update(data)
        name = digest.hexdigest()
        if name not in known:
            memo.front = None
            known[name] = blob_facts(data, memo)
            added.add(name)
            if flows is not None and memo.front is not None:
                _read_flow(memo.front, name, flows, flow_memo)
    return added


def _commits(runner: GitRunner, cache: _Cache, head: str) -> Generator[Commit | None, None, None]:
    """The whole log: new commits streamed from git, then (after a None where they end) the
    cached ones, if still valid, parsed only if the walk goes on into them."""
    if cache.head == head and cache.raw:
        yield from cache.stored_log()
        return
    if cache.head is not None and cache.raw:
        try:
            runner.run("merge-base", "--is-ancestor", cache.head, head)
        except GitTrouble:  # history rewritten (rebase, force push): read it all again
            cache.forget_log()
        else:
            yield from _stream_log(runner, f"{cache.head}..{head}", cache)
            yield None
            yield from cache.stored_log()
            return
    yield from _stream_log(runner, head, cache)


_UNCOMMITTED = GitFacts(uncommitted=True)
_FIRST_STATUS = {rtype: statuses[0] for rtype, statuses in STATUSES.items()}  # the default


@dataclass(slots=True)
class _Tally:
    """What one file's facts are worked out from, kept in the cache so that the commits of a
    later build extend it instead of walking the whole history again."""

    created: str
    updated: str
    authors: dict[str, int]  # author → commits
    history: list[StatusChange]
    added: dict[str, str]  # depends_on id → date it was (last) added
    depends: tuple[str, ...] = ()  # depends_on of the newest version read
    status: str | None = None  # status of the newest version read
    word: str | None = None  # and what it was read from (see _status_of)
    flow: list[FlowVersion] = field(default_factory=list)  # see _flow_versions

    def facts(self) -> GitFacts:
        authors = self.authors
        return GitFacts(
            created=self.created, updated=self.updated,
            authors=tuple(sorted(authors, key=lambda a: (-authors[a], a))),
            status_history=tuple(self.history), depends_added=tuple(sorted(self.added.items())),
            flow_versions=tuple(self.flow))


def _facts_of(evs: list[_Event], blobs: dict[str, BlobFacts],
              landed: dict[tuple[str, str], tuple[str, ...]], before: _Tally | None = None,
              by_parent: bool = False) -> _Tally:
    """Oldest-first events of one file (see _Trail) → its created/updated/authors/status
    history, going on from `before` (its tally at an older HEAD) if given. `landed`: who
    wrote the commits a merge brought in, oldest first.

    First parent: each event is compared with the one before it, its parent on the main
    line. All commits (`by_parent`): each with the version its parent had, since the event
    before it in git's order (parents before children) may be on another branch; `updated`
    is then the newest date of them all, not that of the last in that order."""
    if before is None:
        authors: dict[str, int] = {}
        history: list[StatusChange] = []
        added: dict[str, str] = {}
        previous: tuple[str, ...] = ()
        last: str | None = None
        word: str | None = None
        created = evs[0][0].date
    else:
        authors, history, added = dict(before.authors), list(before.history), dict(before.added)
        previous, last, created = before.depends, before.status, before.created
        word = before.word
    for commit, blob, then, parent in evs:
        # A merge: each commit it brought in counts, and the newest is the author.
        wrote = (landed.get((commit.sha, then)) if landed else None) or (commit.author,)
        for author in wrote:
            authors[author] = authors.get(author, 0) + 1
        author = wrote[-1]
        info = blobs.get(blob)
        if info is None:
            continue
        if by_parent:
            if not parent.strip("0"):  # added: nothing before it
                last, word, previous = None, None, ()
            elif (was := blobs.get(parent)) is not None:  # else: as the event before it
                last, word, _ = _status_of(was, last)
                previous = was.depends_on
        status, read_from, reading = _status_of(info, last)
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
        updated = max([*(e[0].date for e in evs), *([before.updated] if before else [])],
                      key=datetime.fromisoformat)
    return _Tally(created, updated, authors, history, added, previous, last, word)


def _status_of(info: BlobFacts, before: str | None
               ) -> tuple[str | None, str | None, StatusRead | None]:
    """The status of a version (given the status before it), what tells it from another
    reading, and, for a version written for another tool, how it was read. A change of
    either makes a history entry: the day a record was marked `Done` (read as accepted, as
    `Accepted` is) is one. A headway version is told by its status alone."""
    reading = info.reading
    if reading is None:
        status = info.status or _FIRST_STATUS.get(info.type)  # type: ignore[arg-type]
        return status, status, None
    if reading.source == "kept" and before is not None:  # `Amended`: the status it had
        return before, reading.word, reading
    return reading.status, reading.word, reading


def _landed_authors(commits: list[Commit], head: str) -> dict[tuple[str, str], tuple[str, ...]]:
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
        for commit in sorted(brought, key=lambda c: datetime.fromisoformat(c.date)):
            if len(commit.parents) > 1:  # main merged into the branch: nobody wrote that
                continue
            for _, new, _, _, _ in commit.changes:
                credit.setdefault((merge_sha, new), []).append(commit.author)
    return {key: tuple(authors) for key, authors in credit.items()}


class _Cache:
    """The last result with each file's tally, so that a rebuild with no new commit reads
    nothing else and one after new commits extends the tallies with those alone; and the
    log as git printed it with the facts of old blobs, for when the new commits do not
    suffice (see `_walk`)."""

    def __init__(self, folder: Path | None, prefix: str, first_parent: bool,
                 names: bytes = b"") -> None:
        self.folder = folder
        # What the stored results were worked out with: this code's format, and the
        # repository's .mailmap (authors are named through it, in the stored log too).
        self.version = f"{CACHE_VERSION}/{hashlib.sha1(names).hexdigest()[:12]}" if names \
            else str(CACHE_VERSION)
        self.mode = "first-parent" if first_parent else "all"
        # All-commits mode needs children before parents, which git prints only after
        # walking everything; the first-parent walk takes git's faster date order. The two
        # orders are stored apart.
        self.topo = not first_parent
        self.blob_facts: dict[str, BlobFacts] = {}
        # the `waiting_on` and `actions` blocks of the versions that have them
        self.flow_fields: dict[str, _Blocks] = {}
        self.from_disk: set[str] = set()  # names in blob_facts read from files, not from git
        self.raw = b""  # the stored commits as git printed them, newest first
        self.fresh: list[bytes] = []  # commits read in this run, newer than those
        self.head: str | None = None
        # How git's log is asked for (see _MARKDOWN_ONLY), and the promisor remote of a
        # partial clone (see _Blobs): set by the reader for this repository.
        self.log_args: tuple[str, ...] = ()
        self.promisor: str | None = None
        self.trouble: str | None = None  # why old versions could not be fetched
        self._loaded = False
        self._last: dict[str, Any] | None = None  # the facts file, once read
        self._encoded: dict[str, str] = {}  # path → its entry of the facts file, in JSON
        self._log_bytes: int | None = None  # the length of the log save_log wrote
        self._log_written: Path | None = None  # where, until `save` puts it in place
        key = (re.sub(r"[^A-Za-z0-9]+", "_", prefix) or "root") + ("-topo" if self.topo else "")
        self.blobs_file = folder / f"history-{key}.json" if folder else None
        self.log_file = folder / f"history-{key}.log" if folder else None
        self.facts_file = folder / f"facts-{key}-{self.mode}.json" if folder else None

    def _facts_data(self) -> dict[str, Any] | None:
        if self._last is None:
            data = _read_json(self.facts_file)
            self._last = data if data and data.get("version") == self.version else {}
        return self._last or None

    def facts_head(self) -> str | None:
        """The HEAD the last result was worked out at."""
        data = self._facts_data()
        head = data.get("head") if data else None
        return head if isinstance(head, str) else None

    def stored_facts(self, head: str, wanted: list[str]) -> dict[str, GitFacts] | None:
        """The last result, when HEAD has not moved and it covers every wanted path."""
        data = self._facts_data()
        stored = data.get("facts") if data and data.get("head") == head else None
        if isinstance(stored, dict) and all(p in stored for p in wanted):
            try:
                return {p: _facts_from_json(stored[p]) for p in wanted}
            except _BAD_DATA:
                pass
        return None

    def stored_tallies(self) -> dict[str, _Tally | None] | None:
        """The tallies of the last result, if it was worked out at the stored log's HEAD."""
        data = self._facts_data()
        stored = data.get("facts") if data and data.get("head") == self.head else None
        if not isinstance(stored, dict):
            return None
        try:
            return {p: _tally_from_json(v) for p, v in stored.items()}
        except _BAD_DATA:
            return None

    def stored_log(self) -> list[Commit]:
        """The stored commits, parsed (_CacheUnusable if they cannot be)."""
        try:
            return _parse_log(self.raw)
        except _BAD_DATA as exc:
            raise _CacheUnusable(str(exc)) from exc

    def forget_log(self) -> None:
        """Drop the stored log (history rewritten, or the file damaged): read git in full."""
        self.raw, self.head, self.fresh = b"", None, []

    def load_log(self) -> None:
        """The stored log and facts of old versions, if they are whole and agree."""
        if self._loaded or self.log_file is None:
            return
        self._loaded = True
        data = _read_json(self.blobs_file)
        if data is None or data.get("version") != self.version:
            return
        try:
            head_line, _, raw = self.log_file.read_bytes().partition(b"\n")
            if head_line.decode() != data["head"] or len(raw) != data["log_bytes"]:
                return  # the two files are from different builds: read git again
            names, which = data["blobs"].split(), data["facts_of_blobs"]
            distinct = [BlobFacts(f[0], f[1], tuple(f[2]), StatusRead(*f[3]) if f[3:] else None)
                        for f in data["distinct_facts"]]
            self.blob_facts = dict(zip(names, map(distinct.__getitem__, which), strict=True))
            self.flow_fields = _flows_from_json(names, data["flow_of_blobs"])
            self.raw, self.head = raw, data["head"]
        except (OSError, *_BAD_DATA):
            self.blob_facts, self.flow_fields = {}, {}
            self.forget_log()

    def remember(self, path: str, facts: GitFacts, tally: _Tally | None) -> None:
        """One file's result, encoded for the facts file as soon as it is worked out (the walk
        does this while cat-file still answers for other files)."""
        if self.facts_file is not None:
            self._encoded[path] = f"{_ENCODE(path)}:{_ENCODE(_facts_to_json(facts, tally))}"

    def save_log(self, head: str) -> None:
        """The log as read up to `head`, written as soon as it is whole (while cat-file still
        works) beside the stored one, which `save` replaces with it; the file of old
        versions' facts, written after, names its length. A read that fails in between
        leaves the stored pair as it was (see `drop_log`)."""
        if self.log_file is None or self.head == head:
            return
        try:
            self._make_folder(self.log_file.parent)
            new = b"\x1e" + b"\x1e".join(self.fresh) if self.fresh else b""
            self._log_written = _write_beside(self.log_file, head.encode() + b"\n", new,
                                              self.raw)
            self._log_bytes = len(new) + len(self.raw)
        except OSError:
            return  # a read-only checkout still builds, only without the cache
        # The file holds the log now (not joined again in memory: it is not needed).
        self.raw, self.fresh = b"", []

    def drop_log(self) -> None:
        """Forget a log `save_log` wrote, when the read failed after it."""
        if self._log_written is not None:
            self._log_written.unlink(missing_ok=True)
            self._log_written, self._log_bytes = None, None

    @staticmethod
    def _make_folder(folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        ignore = folder.parent / ".gitignore"
        if folder.parent.name == ".cache" and not ignore.exists():
            ignore.write_text("*\n", "utf-8")

    def save(self, head: str, paths: Iterable[str] | None) -> None:
        """The facts of old versions (if `save_log` wrote the log), and the result for
        `paths` (each one `remember`ed), or no result at all for None."""
        if self.blobs_file is None or self.facts_file is None:
            return
        try:
            self._make_folder(self.facts_file.parent)
            if self._log_written is not None and self.log_file is not None:
                self._log_written.replace(self.log_file)
                self._log_written = None
                # Twenty thousand versions share a few hundred distinct facts: the names in
                # one string, and for each the index of its facts ([type, status, [ids]], and
                # for a version written for another tool [status, source, written, word]).
                distinct: dict[BlobFacts, int] = {}
                which = [distinct.setdefault(f, len(distinct)) for f in self.blob_facts.values()]
                _write_json(self.blobs_file, {
                    "version": self.version, "head": head, "log_bytes": self._log_bytes,
                    "blobs": " ".join(self.blob_facts), "facts_of_blobs": which,
                    "distinct_facts": [[*f[:3], [r.status, r.source, r.written, r.word]]
                                       if (r := f.reading) is not None else f[:3]
                                       for f in distinct],
                    "flow_of_blobs": _flows_to_json(self.blob_facts, self.flow_fields),
                })
                self.head, self._loaded, self._log_bytes = None, False, None
            if paths is None:
                self.facts_file.unlink(missing_ok=True)
                return
            encoded = self._encoded
            _write_bytes(self.facts_file, (
                f'{{"version":{_ENCODE(self.version)},"head":{_ENCODE(head)},'
                f'"facts":{{{",".join(encoded[p] for p in paths)}}}}}').encode())
        except OSError:
            pass  # a read-only checkout still builds, only without the cache


def _read_json(path: Path | None) -> dict[str, Any] | None:
    if path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    return data if isinstance(data, dict) else None


_ENCODE = json.JSONEncoder(separators=(",", ":")).encode


def _write_json(path: Path, data: dict[str, Any]) -> None:
    _write_bytes(path, _ENCODE(data).encode())


def _write_bytes(path: Path, *parts: bytes) -> None:
    """Written beside, then renamed: a reader sees the old file or the new one, never half."""
    _write_beside(path, *parts).replace(path)


def _write_beside(path: Path, *parts: bytes) -> Path:
    """The parts in a file beside `path` (to be renamed onto it); that file."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as out:
        for part in parts:
            out.write(part)
    return tmp


def _facts_to_json(f: GitFacts, tally: _Tally | None) -> list[Any]:
    """[created, updated, authors, status history, uncommitted, depends added] and what the
    next build needs to go on from here: [commits by author, newest status, newest
    depends_on] (empty for a file git has no commit of)."""
    return [f.created, f.updated, list(f.authors),
            [[s.status, s.date, s.commit, s.author, s.written, s.source] for s in f.status_history],
            f.uncommitted, [list(x) for x in f.depends_added],
            *([tally.authors, tally.status, list(tally.depends), _versions_to_json(tally.flow),
               tally.word] if tally else [])]


def _tally_from_json(v: list[Any]) -> _Tally | None:
    if len(v) < 9:
        return None
    facts = _facts_from_json(v)
    if facts.created is None or facts.updated is None:
        raise ValueError("a tally without dates")
    return _Tally(facts.created, facts.updated, {str(k): int(n) for k, n in v[6].items()},
                  list(facts.status_history), dict(facts.depends_added), tuple(v[8]), v[7],
                  v[10] if len(v) > 10 else None, list(facts.flow_versions))


def _facts_from_json(v: list[Any]) -> GitFacts:
    return GitFacts(v[0], v[1], tuple(v[2]), tuple(StatusChange(*s) for s in v[3]), v[4],
                    tuple((a, b) for a, b in v[5]),
                    _versions_from_json(v[9]) if len(v) > 9 else ())


# The lines of an old version's front matter that history reads: a top-level `type:` or
# `status:` line with its raw value, or a `depends_on:` line with the lines that continue it
# (indented, list items, blank). A line that starts with the key: indented lines belong to
# a nested value.
_FACT_LINES = re.compile(
    rb"\n(?:(type|status)[ \t]*:([^\n]*)"
    rb"|(depends_on[ \t]*:[^\n]*(?:\n(?:[ \t]+[^\n]*|-[^\n]*|\r?(?=\n)))*))")
_COMMENT = re.compile(rb"[ \t]#")
_FLOW_LIST = re.compile(r"^depends_on[ \t]*:[ \t]*\[([^\[\]{}#\"']*)\][ \t]*$")
# A block list of bare words, one `- item` a line, as most records write depends_on.
_BLOCK_LIST = re.compile(
    r"depends_on *: *\n( *)(- +[A-Za-z][\w.-]* *(?:\n\1- +[A-Za-z][\w.-]* *)*)")
_BLOCK_ITEM = re.compile(r"- +([^ \n]+)")
_BARE_WORD = re.compile(r"[A-Za-z][\w.-]*")  # text to YAML, unless one of _NOT_TEXT
# Bare words YAML (1.1, as PyYAML reads it) takes for something other than text.
_NOT_TEXT = frozenset(
    v for word in ("yes", "no", "true", "false", "on", "off", "null")
    for v in (word, word.capitalize(), word.upper()))
_NOTHING = BlobFacts(None, None)
_UNSEEN: Any = object()
_FM_LIMIT = 262_144


def _front_matter(data: bytes, start: int, end: int) -> tuple[int, int] | None:
    """Where the front matter of the file in `data[start:end]` lies: from the newline that
    ends the opening `---` line to the newline before the closing one (found in place: the
    file is never copied)."""
    if not data.startswith(b"---", start, end):  # the usual case first: this runs per version
        if not data.startswith(b"\xef\xbb\xbf---", start, end):
            return None
        start += 3
    opened = data.find(b"\n", start, end)
    if opened < 0 or (opened != start + 3 and data[start + 3:opened].strip()):
        return None
    limit = end if end - start < _FM_LIMIT else start + _FM_LIMIT
    closed = data.find(b"\n---", opened, limit)
    if closed < 0:
        closed = data.find(b"\n...", opened, limit)
        if closed < 0:
            return None
    return opened, closed


_NULL = frozenset((b"", b"~", b"null", b"Null", b"NULL"))


def _plain(raw: bytes) -> str | None:
    """A scalar's text: a trailing comment, spaces and quotes removed; None when empty or
    null (as YAML reads `~` and `null`). A block scalar (`>-` with the text on the next line,
    which people do not write for a status) is read as None too: the type's first status."""
    comment = _COMMENT.search(raw)
    if comment is not None:
        raw = raw[:comment.start()]
    raw = raw.strip()
    if raw in _NULL or raw[:1] in (b"|", b">"):
        return None
    return raw.strip(b"'\"").strip().decode("utf-8", "replace") or None


class FactsMemo:
    """Facts already worked out, by front matter and by the lines read from it: most versions
    change only the body, and most of the others change fields history does not read."""

    __slots__ = ("by_front_matter", "by_lines", "front")

    def __init__(self) -> None:
        self.by_front_matter: dict[bytes, BlobFacts | None] = {}
        self.by_lines: dict[_FactLines, BlobFacts | None] = {}
        self.front: bytes | None = None  # the front matter of the last version read


def blob_facts(data: bytes, memo: FactsMemo | None = None, start: int = 0,
               end: int | None = None) -> BlobFacts:
    """type, status and depends_on of one version of a file (`data[start:end]`), read
    without a full YAML parse (this runs on every old version of every record)."""
    end = len(data) if end is None else end
    span = _front_matter(data, start, end)
    if span is None:
        return _foreign(data[start:end])
    if memo is None:
        facts = _headway_facts(tuple(_FACT_LINES.findall(data, *span)))
    else:
        fm = memo.front = data[span[0]:span[1]]
        facts = memo.by_front_matter.get(fm, _UNSEEN)
        if facts is _UNSEEN:
            lines = tuple(_FACT_LINES.findall(fm))
            facts = memo.by_lines.get(lines, _UNSEEN)
            if facts is _UNSEEN:
                facts = memo.by_lines[lines] = _headway_facts(lines)
            memo.by_front_matter[fm] = facts
    return facts if facts is not None else _foreign(data[start:end])


def _headway_facts(lines: _FactLines) -> BlobFacts | None:
    """The facts of headway front matter from its lines read; None when it has no `type`.
    A key given twice counts as YAML reads it: the last one."""
    found: dict[bytes, bytes] = {}
    depends_block: bytes | None = None
    for key, raw, block in lines:
        if key:
            found[key] = raw
        else:
            depends_block = block
    rtype = _plain(found[b"type"]) if b"type" in found else None
    if rtype is None:
        return None
    status = _plain(found[b"status"]) if b"status" in found else None
    depends: tuple[str, ...] = ()
    if depends_block is not None:
        text = depends_block.decode("utf-8", "replace")
        depends = _depends((text.replace("\r\n", "\n") if "\r" in text else text).rstrip())
    return BlobFacts(rtype.lower(), status, depends)


def _foreign(data: bytes) -> BlobFacts:
    """A version without headway's front matter: a record written for another tool (an ADR
    folder) has a status of its own; anything else has nothing."""
    from .adr import version_reading  # only for such versions: it brings the ADR readers

    reading = version_reading(data)
    return BlobFacts("decision", reading.status, (), reading) if reading is not None \
        else _NOTHING


@lru_cache(maxsize=4096)
def _depends(snippet: str) -> tuple[str, ...]:
    """A `depends_on:` block as a tuple of ids (a flow or block list of bare words read
    directly, anything else by YAML); the same few snippets recur in thousands of versions,
    hence the cache."""
    flow = _FLOW_LIST.match(snippet)
    if flow:
        items = [item.strip() for item in flow.group(1).split(",")]
        if len(items) > 1 and not items[-1]:
            items.pop()  # a trailing comma; any other empty item is an error to YAML
    else:
        block = _BLOCK_LIST.fullmatch(snippet)
        items = _BLOCK_ITEM.findall(block.group(2)) if block else []
    if items and all(map(_BARE_WORD.fullmatch, items)) and not _NOT_TEXT.intersection(items):
        return tuple(items)
    try:
        loaded = yaml.load(snippet, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return ()
    value = loaded.get("depends_on") if isinstance(loaded, dict) else None
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, str | int))
    return ()


# ---------------------------------------------------------------- block history's inputs


class FlowMemo:
    """The blocks block history reads, by front matter: most versions change only the body."""

    __slots__ = ("by_front_matter",)

    def __init__(self) -> None:
        self.by_front_matter: dict[bytes, _Blocks] = {}


def _read_flow(front: bytes, name: str, flows: dict[str, _Blocks], memo: FlowMemo) -> None:
    """The `waiting_on` and `actions` blocks of the version `name` (whose front matter
    blob_facts has just read, and hashed) into `flows`, when it has any: found once per
    front matter, and read as YAML only by block history (flow.py), once per text."""
    blocks = memo.by_front_matter.get(front)
    if blocks is None:
        blocks = memo.by_front_matter[front] = flow_blocks(front) \
            if b"\nwaiting_on" in front or b"\nactions" in front else ()
    if blocks:
        flows[name] = blocks


def _add_flow(tally: _Tally | None, evs: list[_Event], blobs: dict[str, BlobFacts],
              flows: dict[str, _Blocks], before: _Tally | None) -> None:
    if tally is not None:
        tally.flow = _flow_versions(evs, blobs, flows, before)


def _flow_versions(evs: list[_Event], blobs: dict[str, BlobFacts],
                   flows: dict[str, _Blocks], before: _Tally | None) -> list[FlowVersion]:
    """Oldest-first events of one file (see _Trail) → the versions whose blocking inputs
    (type, status, depends_on, waits, actions) differ from the version before, going on from
    `before`'s."""
    out = list(before.flow) if before is not None else []
    last = tuple(out[-1][2:]) if out else None
    seen: tuple[BlobFacts | None, _Blocks | None] = (None, None)
    for commit, blob, _, _ in evs:
        info = blobs.get(blob)
        if info is None:  # a version git could not read: as the one before
            continue
        blocks = flows.get(blob, ())
        if info is seen[0] and blocks is seen[1]:  # the usual case: the same facts, shared
            continue
        seen = (info, blocks)
        state = (info.type, info.status or _FIRST_STATUS.get(info.type),  # type: ignore[arg-type]
                 info.depends_on, blocks)
        if state != last:
            out.append(FlowVersion(commit.date, commit.sha, *state))
            last = state
    return out


def _flows_to_json(names: Iterable[str], flows: dict[str, _Blocks]) -> dict[str, Any]:
    """The blocks of old versions as the facts are kept: the distinct blocks once, and for
    each version (in the order of `names`) the index of its own, -1 for none."""
    distinct: dict[_Blocks, int] = {}
    which = [distinct.setdefault(flows[n], len(distinct)) if n in flows else -1 for n in names]
    return {"distinct": [_blocks_to_json(b) for b in distinct], "of_blobs": which}


def _flows_from_json(names: list[str], value: dict[str, Any]) -> dict[str, _Blocks]:
    distinct = [_blocks_from_json(b) for b in value["distinct"]]
    return {name: distinct[i] for name, i in zip(names, value["of_blobs"], strict=True)
            if i >= 0}


def _blocks_to_json(blocks: _Blocks) -> list[str]:
    return [b.decode("utf-8", "surrogateescape") for b in blocks]


def _blocks_from_json(value: list[str]) -> _Blocks:
    return tuple(str(b).encode("utf-8", "surrogateescape") for b in value)


def _versions_to_json(versions: list[FlowVersion]) -> list[Any]:
    return [[v.date, v.commit, v.type, v.status, list(v.depends_on), _blocks_to_json(v.blocks)]
            for v in versions]


def _versions_from_json(value: list[Any]) -> tuple[FlowVersion, ...]:
    return tuple(FlowVersion(when, sha, rtype, status, tuple(depends), _blocks_from_json(blocks))
                 for when, sha, rtype, status, depends, blocks in value)
