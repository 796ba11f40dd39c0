"""git's log, streamed and parsed: the commits that changed Markdown files, newest first."""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .pipes import PIPE_BYTES, SHORT_READ, widen_pipe
from .runner import GitRunner, GitTrouble, explain

_LOG_FORMAT = "%x1e%H%x1f%P%x1f%aN%x1f%cI"  # %aN: the name .mailmap gives


@dataclass(slots=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author: str
    date: datetime  # committer date, with the committer's offset
    # (status, path, old_path or "", blob, the blob before: all zeros for an added file) for
    # Markdown files
    changes: list[tuple[str, str, str, str, str]] = field(default_factory=list)


MARKDOWN = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")  # the files followed
_LOG_COMMAND = ["log", "-z", "--raw", "--no-abbrev", "-M", "--diff-merges=first-parent",
               f"--format={_LOG_FORMAT}"]
# The log of a partial clone, or of a repository git's whole log fails on: only Markdown
# files, so that rename detection reads (and a partial clone fetches) no other file's blobs.
# Slower than the whole log (0.5 against 0.3 s at 2,000 records: git compares trees twice),
# hence not the default. --full-history --sparse: every commit, with its true parents.
MARKDOWN_ONLY = ("--full-history", "--sparse", "--",
                 *(f"*{suffix}" for suffix in MARKDOWN))
NO_RENAMES = ("--no-renames", *MARKDOWN_ONLY)


class LogFailed(GitTrouble):
    """git's log stopped with an error (an object it needed is missing or corrupt)."""


@dataclass(slots=True)
class LogRequest:
    """How git's log is asked for in this repository."""

    topo: bool  # children before parents (all-commits mode), not by date
    # The remote a partial clone fetches missing objects from (see partial.py), or None.
    promisor: str | None = None
    # Read from all files (empty), or narrowed after a failure: MARKDOWN_ONLY, NO_RENAMES.
    narrowed: tuple[str, ...] = ()


def stream_log(runner: GitRunner, revisions: str, request: LogRequest,
               kept: list[bytes] | None) -> Iterator[Commit]:
    """Commits newest first as git prints them: by date, or children before parents when
    asked (all-commits mode). What the cache needs of each is appended to `kept` (if given)
    as git printed it: the whole entry of a commit that changed records, only the header
    (sha, parents, author, date) of any other."""
    proc = runner.stream(*_LOG_COMMAND, *(["--topo-order"] if request.topo else []), revisions,
                         *(request.narrowed or ("--",)))
    assert proc.stdout is not None
    drain = Drain(proc.stdout)
    pending = b""
    finished = False
    try:
        for chunk in drain.chunks():
            pending += chunk
            parts = pending.split(b"\x1e")
            pending = parts.pop() if chunk else b""
            for part in parts:
                if part:
                    commit = parse_commit(part)
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
        raise LogFailed(explain(runner.stderr_of(proc)))


class Drain:
    """A pipe read to its end by a thread of its own, so that the process writing it (git's
    log) never waits for Python: the thread parsing the log shares the GIL with the page
    parsing, and would otherwise let the pipe fill and git stop, then wait for git once the
    pages are done. Up to DRAIN_BYTES are held; beyond that the reading waits."""

    def __init__(self, pipe: Any) -> None:
        self._fd = pipe.fileno()
        self._gather = widen_pipe(pipe)
        self._chunks: deque[bytes] = deque()
        self._held = 0
        self._closed = False
        self._failure: BaseException | None = None
        self._ready = threading.Condition()
        self._thread = threading.Thread(target=self._read, name="headway-log", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        try:  # reads of up to the pipe's size, not READ_BYTES: a few dozen, not thousands
            while chunk := os.read(self._fd, PIPE_BYTES):
                if self._gather and len(chunk) < SHORT_READ:  # see SHORT_READ
                    time.sleep(self._gather)
                with self._ready:
                    while self._held > DRAIN_BYTES and not self._closed:
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


DRAIN_BYTES = 64 << 20  # log held in memory ahead of its parsing, at most


def parse_log(raw: bytes) -> list[Commit]:
    return [parse_commit(part) for part in raw.split(b"\x1e") if part]


def parse_commit(chunk: bytes) -> Commit:
    """One commit of `git log -z --raw`; only Markdown changes kept. Those outside the docs
    folder too: a record moved into it (or the folder renamed) has its history there."""
    header, _, rest = chunk.partition(b"\x00")
    sha, parents, author, date = header.decode("utf-8", "replace").split("\x1f")
    return Commit(sha, tuple(parents.split()), author, datetime.fromisoformat(date),
                  raw_changes(rest, MARKDOWN))


def raw_changes(raw: bytes, suffixes: tuple[str, ...]) -> list[tuple[str, str, str, str, str]]:
    """The changes `git log -z --raw --no-abbrev` lists for one commit (what follows its
    header), of files whose name (or old name) ends with one of `suffixes`: (status letter,
    path, old path or "", blob, the blob before).

    NUL-separated fields: each change is `:<modes> <blob before> <blob> <status>` then its
    path, or for a rename or copy (`R86`, `C100`) the old path and the new one. Split once
    and read by position: twice as fast as a regular expression over the entries, and this
    runs for every commit."""
    fields = raw.lstrip(b"\n").decode("utf-8", "surrogateescape").split("\x00")
    changes = []
    at, count = 0, len(fields) - 1  # the last field is what follows the final NUL
    while at < count:
        try:
            _, _, before, blob, status = fields[at].split(" ")  # modes, then blobs
        except ValueError:  # not a change as this reader knows them: skipped, not misread
            at += 1
            continue
        if status[:1] in ("R", "C"):
            old, new = fields[at + 1], fields[at + 2] if at + 2 <= count else ""
            if new.endswith(suffixes) or old.endswith(suffixes):
                changes.append((status[:1], new, old, blob, before))
            at += 3
        else:
            new = fields[at + 1]
            if new.endswith(suffixes):
                changes.append((status, new, "", blob, before))
            at += 2
    return changes
