"""Old versions of records read through pipelined `git cat-file --batch` processes, while
git's log still streams."""

from __future__ import annotations

import bisect
import contextlib
import os
import sys
import threading
import time

from .partial import fetch_objects
from .pipes import READ_BYTES, SHORT_READ, widen_pipe
from .runner import GitRunner, GitTrouble, explain
from .versions import BlobFacts, Blocks, FactsMemo, read_version

ALL_ANSWERED = sys.maxsize  # `answered` once cat-file's reader has stopped


class CatFile:
    """One `git cat-file --batch --buffer` and the thread that parses its answers, straight
    from large reads of a widened pipe. Each answer is headed by its size alone: cat-file
    answers in the order it was asked, so the name is the next one of `order`."""

    def __init__(self, runner: GitRunner, known: dict[str, BlobFacts],
                 progress: threading.Condition, flows: dict[str, Blocks] | None = None
                 ) -> None:
        self.runner = runner
        self.known = known
        self.flows: dict[str, Blocks] = {} if flows is None else flows
        self.order: list[str] = []  # names in the order they were sent
        self.places: list[int] = []  # the place of each among all requests (increasing)
        self.answered = 0  # answers read so far (ALL_ANSWERED once the reader has stopped)
        self.missing = 0
        self.failure: BaseException | None = None
        self._progress = progress
        self.proc = runner.stream("cat-file", "--batch=%(objectsize)", "--buffer", stdin=True)
        assert self.proc.stdin is not None
        widen_pipe(self.proc.stdin)
        self._gather = widen_pipe(self.proc.stdout)  # seconds to wait after a short read
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
        flows = self.flows
        answered = 0
        buf, pos, wanted = b"", 0, 0  # wanted: bytes the object begun in buf still needs
        try:
            while chunk := os.read(fd, READ_BYTES):
                if gather and len(chunk) < SHORT_READ:  # fewer reads and GIL trips
                    time.sleep(gather)
                if wanted > len(chunk):  # a large object: gather its reads, join them once
                    chunks = [chunk]
                    got = len(chunk)
                    while got < wanted and (more := os.read(fd, max(READ_BYTES, wanted - got))):
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
                    name = order[answered]
                    known[name], blocks = read_version(buf, memo, eol + 1, end)
                    if blocks:
                        flows[name] = blocks
                    answered += 1
                    pos = end + 1
                self._answered(answered)
            if buf[pos:].strip():  # cat-file stopped in the middle of an answer
                self.failure = self.failure or EOFError("git cat-file stopped mid-object")
        except BaseException as exc:  # surfaced by finish(), never lost in the thread
            self.failure = exc
            self._answered(ALL_ANSWERED)  # no more answers: nobody may wait for them
            # Keep reading what cat-file writes: if it blocked on a full pipe, the thread
            # writing requests to it would wait for ever.
            with contextlib.suppress(OSError):
                while os.read(fd, READ_BYTES):
                    pass
        finally:
            self._answered(ALL_ANSWERED)

    def finish(self) -> BaseException | None:
        """Wait for cat-file to end; what went wrong, if anything."""
        self.close()
        self.reader.join()
        code = self.proc.wait()
        if self.failure is None and code != 0:  # e.g. an object it could not inflate
            stderr = self.runner.stderr_of(self.proc)
            self.failure = RuntimeError(f"git cat-file exited with status {code}: "
                                        f"{explain(stderr)}")
        return self.failure


class OldVersions:
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
                 promisor: str | None = None, flows: dict[str, Blocks] | None = None) -> None:
        self.runner = runner
        self.known = known
        self.flows: dict[str, Blocks] = {} if flows is None else flows
        self.asked: dict[str, int] = {}  # name → its place among the requests
        self.names: list[str] = []  # every name asked, in order (its index is its place)
        self.sent = 0  # names sent so far
        self._feed_at = self._BATCH  # ask() sends when this many names are asked
        self.workers: list[CatFile] = []
        self._progress = threading.Condition()
        # A partial clone (the remote that promises its missing objects): cat-file would
        # fetch each missing version on its own, one fetch per object. Nothing is sent while
        # the log is read; at its end the missing versions are fetched in one batch.
        self.promisor = promisor
        if promisor is not None:
            self._feed_at = ALL_ANSWERED
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

    def _worker(self, index: int) -> CatFile:
        while len(self.workers) <= index:
            self.workers.append(CatFile(self.runner, self.known, self._progress, self.flows))
        return self.workers[index]

    def _send(self, worker: CatFile, count: int) -> None:
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
        absent, trouble = fetch_objects(self.runner, self.promisor or "origin", names)
        if trouble is not None:
            self.absent = absent
            self.trouble = f"fetching {len(absent)} old version(s) of records {trouble}"

    def answered(self, place: int) -> bool:
        """Whether the answers to every request up to `place` have been read (never waits)."""
        if place < 0:
            return True
        if place >= self.sent:
            return False
        return all(bisect.bisect_right(worker.places, place) <= worker.answered
                   for worker in self.workers)

    def wait_for(self, place: int) -> None:
        """Until the answers to every request up to `place` have been read (or the readers
        have stopped); once `close` has sent every request."""
        if self.answered(place):
            return
        with self._progress:
            while not self.answered(place):
                self._progress.wait()

    def finish(self) -> None:
        failures = [worker.finish() for worker in self.workers]
        failure = next((f for f in failures if f is not None), None)
        if failure is not None:
            raise GitTrouble(f"reading old versions of records failed: {failure}")

