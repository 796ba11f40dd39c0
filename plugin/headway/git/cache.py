"""The cache: the log as git printed it with the facts of old versions (the stored log), and
the last result with each file's tally (the stored facts)."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from ..model import FlowVersion, GitFacts, StatusChange, StatusRead
from .log import Commit, parse_log
from .tally import Tally
from .versions import BlobFacts, Blocks

CACHE_VERSION = 14  # 14: deleted records' versions (ghosts), for block history


class CacheUnusable(Exception):
    """The stored log cannot be used after all: damaged on disk, or (all-commits mode) the
    new commits would have to be interleaved with it."""


# What reading a cache file that is not what headway wrote can raise: such a file is left
# aside and git read again, never a failed build.
BAD_DATA = (TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError,
            RecursionError, UnicodeError)


class Cache:
    """What a build keeps for the next one, in one folder: the stored log (so that only new
    commits are read from git) and the stored facts (so that a rebuild with no new commit
    reads nothing else, and one after new commits extends each file's tally with those
    alone; see `walk`)."""

    def __init__(self, folder: Path | None, prefix: str, first_parent: bool,
                 mailmap: bytes = b"") -> None:
        # What the stored results were worked out with: this code's format, and the
        # repository's .mailmap (authors are named through it, in the stored log too).
        version = f"{CACHE_VERSION}/{hashlib.sha1(mailmap).hexdigest()[:12]}" if mailmap \
            else str(CACHE_VERSION)
        # All-commits mode needs children before parents, which git prints only after
        # walking everything; the first-parent walk takes git's faster date order. The two
        # orders are stored apart.
        key = (re.sub(r"[^A-Za-z0-9]+", "_", prefix) or "root") + \
            ("" if first_parent else "-topo")
        self.folder = folder
        self.log = StoredLog(folder, key, version)
        self.facts = StoredFacts(folder, key, "first-parent" if first_parent else "all", version)

    def save(self, head: str, paths: Iterable[str] | None, ghosts: Iterable[str] = ()) -> None:
        """The stored log (if `StoredLog.write_beside` wrote it) with the facts of old
        versions, and the result for `paths` and `ghosts` (each one `remember`ed), or no
        result at all for None."""
        if self.folder is None:
            return
        try:
            _make_folder(self.folder)
            self.log.put_in_place(head)
            self.facts.write(head, paths, ghosts)
        except OSError:
            pass  # a read-only checkout still builds, only without the cache


class StoredLog:
    """The log as git printed it, newest first, up to the HEAD of the build that stored it
    (history-*.log), and the facts of the old versions it names (history-*.json): the two
    are written by one build, the facts file naming the log's length."""

    def __init__(self, folder: Path | None, key: str, version: str) -> None:
        self.version = version
        self.log_file = folder / f"history-{key}.log" if folder else None
        self.blobs_file = folder / f"history-{key}.json" if folder else None
        # type, status and depends_on of old versions, by object name (read by cat-file's
        # reader threads as the walk asks for them)
        self.version_facts: dict[str, BlobFacts] = {}
        # the `waiting_on` and `actions` blocks of the versions that have them
        self.version_blocks: dict[str, Blocks] = {}
        # names in version_facts read from the files on disk, not from git: not stored
        self.from_files: set[str] = set()
        self.raw = b""  # the stored commits as git printed them, newest first
        self.fresh: list[bytes] = []  # commits read in this run, newer than those
        self.head: str | None = None  # the HEAD the stored commits go down from
        self._loaded = False
        self._log_bytes: int | None = None  # the length of the log write_beside wrote
        self._log_written: Path | None = None  # where, until `put_in_place` moves it

    def discard(self) -> None:
        """Neither read nor write the log (one read without renames: the next build tries
        again)."""
        self.log_file = None

    def load(self) -> None:
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
            distinct = [BlobFacts(f[0], f[1], tuple(f[2]), StatusRead(*f[3]) if f[3] else None,
                                  f[4]) for f in data["distinct_facts"]]
            self.version_facts = dict(zip(names, map(distinct.__getitem__, which), strict=True))
            self.version_blocks = flows_from_json(names, data["flow_of_blobs"])
            self.raw, self.head = raw, data["head"]
        except (OSError, *BAD_DATA):
            self.version_facts, self.version_blocks = {}, {}
            self.forget()

    def commits(self) -> list[Commit]:
        """The stored commits, parsed (CacheUnusable if they cannot be)."""
        try:
            return parse_log(self.raw)
        except BAD_DATA as exc:
            raise CacheUnusable(str(exc)) from exc

    def forget(self) -> None:
        """Drop the stored commits (history rewritten, or the file damaged): read git in
        full."""
        self.raw, self.head, self.fresh = b"", None, []

    def write_beside(self, head: str) -> None:
        """The log as read up to `head`, written as soon as it is whole (while cat-file still
        works) beside the stored one, which `put_in_place` replaces with it; the file of old
        versions' facts, written after, names its length. A read that fails in between
        leaves the stored pair as it was (see `drop_written`)."""
        if self.log_file is None or self.head == head:
            return
        try:
            _make_folder(self.log_file.parent)
            new = b"\x1e" + b"\x1e".join(self.fresh) if self.fresh else b""
            self._log_written = _write_beside(self.log_file, head.encode() + b"\n", new,
                                             self.raw)
            self._log_bytes = len(new) + len(self.raw)
        except OSError:
            return  # a read-only checkout still builds, only without the cache
        # The file holds the log now (not joined again in memory: it is not needed).
        self.raw, self.fresh = b"", []

    def drop_written(self) -> None:
        """Forget a log `write_beside` wrote, when the read failed after it."""
        if self._log_written is not None:
            self._log_written.unlink(missing_ok=True)
            self._log_written, self._log_bytes = None, None

    def put_in_place(self, head: str) -> None:
        """The log `write_beside` wrote (if it did) in place of the stored one, and the facts
        of old versions beside it."""
        if self._log_written is None or self.log_file is None or self.blobs_file is None:
            return
        self._log_written.replace(self.log_file)
        self._log_written = None
        # Twenty thousand versions share a few hundred distinct facts: the names in one
        # string, and for each the index of its facts ([type, status, [ids], for a version
        # written for another tool [status, source, written, word] else null, its `id`]).
        distinct: dict[BlobFacts, int] = {}
        which = [distinct.setdefault(f, len(distinct)) for f in self.version_facts.values()]
        _write_json(self.blobs_file, {
            "version": self.version, "head": head, "log_bytes": self._log_bytes,
            "blobs": " ".join(self.version_facts), "facts_of_blobs": which,
            "distinct_facts": [[*f[:3], [r.status, r.source, r.written, r.word]
                                if (r := f.reading) is not None else None, f.id]
                               for f in distinct],
            "flow_of_blobs": flows_to_json(self.version_facts, self.version_blocks),
        })
        self.head, self._loaded, self._log_bytes = None, False, None


class StoredFacts:
    """The last result (facts-*.json): each file's facts at the HEAD it was worked out at,
    with its tally, which the commits of a later build extend."""

    def __init__(self, folder: Path | None, key: str, mode: str, version: str) -> None:
        self.version = version
        self.facts_file = folder / f"facts-{key}-{mode}.json" if folder else None
        self._last: dict[str, Any] | None = None  # the facts file, once read
        self._encoded: dict[str, str] = {}  # path → its entry of the facts file, in JSON

    def _data(self) -> dict[str, Any] | None:
        if self._last is None:
            data = _read_json(self.facts_file)
            self._last = data if data and data.get("version") == self.version else {}
        return self._last or None

    def head(self) -> str | None:
        """The HEAD the last result was worked out at."""
        data = self._data()
        head = data.get("head") if data else None
        return head if isinstance(head, str) else None

    def facts_at(self, head: str, wanted: list[str]) -> dict[str, GitFacts] | None:
        """The last result, when it was worked out at `head` and covers every wanted path."""
        data = self._data()
        stored = data.get("facts") if data and data.get("head") == head else None
        if isinstance(stored, dict) and all(p in stored for p in wanted):
            try:
                return {p: facts_from_json(stored[p]) for p in wanted}
            except BAD_DATA:
                pass
        return None

    def ghosts_at(self, head: str | None) -> dict[str, GitFacts] | None:
        """The facts of the files deleted from the docs folder (by ghost key), if the last
        result was worked out at `head`."""
        data = self._data()
        if not data or data.get("head") != head:
            return None
        stored, keys = data.get("facts"), data.get("ghosts", [])
        try:
            return {str(k): facts_from_json(stored[k]) for k in keys}  # type: ignore[index]
        except BAD_DATA:
            return None

    def carry_ghosts(self, head: str | None) -> dict[str, GitFacts]:
        """The ghosts of the last result, worked out at `head`, remembered for this one (a
        walk that stops at the cached HEAD meets none of them)."""
        ghosts = self.ghosts_at(head) or {}
        if ghosts and self.facts_file is not None:
            stored = self._data()["facts"]  # type: ignore[index]
            for key in ghosts:
                self._encoded[key] = f"{_ENCODE(key)}:{_ENCODE(stored[key])}"
        return ghosts

    def tallies_at(self, head: str | None) -> dict[str, Tally | None] | None:
        """The tallies of the last result, if it was worked out at `head`."""
        data = self._data()
        stored = data.get("facts") if data and data.get("head") == head else None
        if not isinstance(stored, dict):
            return None
        try:
            return {p: _tally_from_json(v) for p, v in stored.items()}
        except BAD_DATA:
            return None

    def remember(self, path: str, facts: GitFacts, tally: Tally | None) -> None:
        """One file's result, encoded for the facts file as soon as it is worked out (the walk
        does this while cat-file still answers for other files)."""
        if self.facts_file is not None:
            self._encoded[path] = f"{_ENCODE(path)}:{_ENCODE(_facts_to_json(facts, tally))}"

    def write(self, head: str, paths: Iterable[str] | None, ghosts: Iterable[str] = ()) -> None:
        """The result for `paths` and `ghosts` (each one remembered); for None, no result
        at all."""
        if self.facts_file is None:
            return
        if paths is None:
            self.facts_file.unlink(missing_ok=True)
            return
        encoded = self._encoded
        ghosts = list(ghosts)
        _write_bytes(self.facts_file, (
            f'{{"version":{_ENCODE(self.version)},"head":{_ENCODE(head)},'
            f'"ghosts":{_ENCODE(ghosts)},'
            f'"facts":{{{",".join(encoded[p] for p in [*paths, *ghosts])}}}}}').encode())


def _make_folder(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    ignore = folder.parent / ".gitignore"
    if folder.parent.name == ".cache" and not ignore.exists():
        ignore.write_text("*\n", "utf-8")


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


def _facts_to_json(f: GitFacts, tally: Tally | None) -> list[Any]:
    """[created, updated, authors, status history, uncommitted, depends added] and what the
    next build needs to go on from here: [commits by author, newest status, newest
    depends_on] (empty for a file git has no commit of). Dates as git printed them."""
    return [_iso(f.created), _iso(f.updated), list(f.authors),
            [[s.status, s.date.isoformat(), s.commit, s.author, s.written, s.source]
             for s in f.status_history],
            f.uncommitted, [[dep, when.isoformat()] for dep, when in f.depends_added],
            *([tally.authors, tally.status, list(tally.depends), _versions_to_json(tally.flow),
               tally.word] if tally else [])]


def _tally_from_json(v: list[Any]) -> Tally | None:
    if len(v) < 9:
        return None
    facts = facts_from_json(v)
    if facts.created is None or facts.updated is None:
        raise ValueError("a tally without dates")
    return Tally(facts.created, facts.updated, {str(k): int(n) for k, n in v[6].items()},
                  list(facts.status_history), dict(facts.depends_added), tuple(v[8]), v[7],
                  v[10] if len(v) > 10 else None, list(facts.flow_versions))


def facts_from_json(v: list[Any]) -> GitFacts:
    return GitFacts(_datetime(v[0]), _datetime(v[1]), tuple(v[2]),
                    tuple(StatusChange(s[0], datetime.fromisoformat(s[1]), *s[2:]) for s in v[3]),
                    v[4], tuple((a, datetime.fromisoformat(b)) for a, b in v[5]),
                    _versions_from_json(v[9]) if len(v) > 9 else ())


def _iso(when: datetime | None) -> str | None:
    return when.isoformat() if when is not None else None


def _datetime(iso: str | None) -> datetime | None:
    return datetime.fromisoformat(iso) if iso is not None else None


def flows_to_json(names: Iterable[str], flows: dict[str, Blocks]) -> dict[str, Any]:
    """The blocks of old versions as the facts are kept: the distinct blocks once, and for
    each version (in the order of `names`) the index of its own, -1 for none."""
    distinct: dict[Blocks, int] = {}
    which = [distinct.setdefault(flows[n], len(distinct)) if n in flows else -1 for n in names]
    return {"distinct": [_blocks_to_json(b) for b in distinct], "of_blobs": which}


def flows_from_json(names: list[str], value: dict[str, Any]) -> dict[str, Blocks]:
    distinct = [_blocks_from_json(b) for b in value["distinct"]]
    return {name: distinct[i] for name, i in zip(names, value["of_blobs"], strict=True)
            if i >= 0}


def _blocks_to_json(blocks: Blocks) -> list[str]:
    return [b.decode("utf-8", "surrogateescape") for b in blocks]


def _blocks_from_json(value: list[str]) -> Blocks:
    return tuple(str(b).encode("utf-8", "surrogateescape") for b in value)


def _versions_to_json(versions: list[FlowVersion]) -> list[Any]:
    return [[v.date.isoformat(), v.commit, v.type, v.status, list(v.depends_on),
             _blocks_to_json(v.blocks), v.id, v.path] for v in versions]


def _versions_from_json(value: list[Any]) -> tuple[FlowVersion, ...]:
    return tuple(FlowVersion(datetime.fromisoformat(when), sha, rtype, status, tuple(depends),
                             _blocks_from_json(blocks), rid, path)
                 for when, sha, rtype, status, depends, blocks, rid, path in value)
