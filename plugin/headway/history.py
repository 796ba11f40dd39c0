"""One pass over git: created, updated, authors and status history for every record, cached."""

from __future__ import annotations

import json
import os
import queue
import re
import subprocess
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from .adr import version_status
from .model import STATUSES, GitFacts, StatusChange

# gitpython looks for git when it is imported; without this a machine with no git would fail
# the import itself instead of getting our message.
os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
import contextlib

import git

CACHE_VERSION = 3
_LOG_FORMAT = "%x1e%H%x1f%P%x1f%an%x1f%cI"


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
    # (status, path, old_path or "", blob) for Markdown files under the docs folder
    changes: list[tuple[str, str, str, str]] = field(default_factory=list)


@dataclass(slots=True)
class History:
    """What git says about the requested paths, plus warnings about the repository itself."""

    facts: dict[str, GitFacts]
    warnings: list[str] = field(default_factory=list)
    head: str | None = None
    git_processes: int = 0


@dataclass(frozen=True, slots=True)
class BlobFacts:
    """The few front-matter values history needs from an old version of a file."""

    type: str | None
    status: str | None
    depends_on: tuple[str, ...] = ()


class GitTrouble(Exception):
    """git could not be used; the message says why and what to do."""


class GitRunner:
    """The git commands history needs, through gitpython's raw command interface."""

    def __init__(self, cwd: Path) -> None:
        self.cmd = git.Git(str(cwd))
        self.processes = 0
        self._running: list[Any] = []  # gitpython kills a process when its wrapper is collected

    def run(self, *args: str) -> bytes:
        self.processes += 1
        try:
            out = self.cmd.execute(["git", *args], stdout_as_string=False)
        except git.exc.GitCommandNotFound as exc:
            raise GitTrouble(_NO_GIT) from exc
        except git.exc.GitCommandError as exc:
            raise GitTrouble(_explain(str(exc.stderr))) from exc
        return out if isinstance(out, bytes) else str(out).encode()

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
        return popen


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


class _Blobs:
    """One `git cat-file --batch`, fed while `git log` still streams. A writer thread feeds it
    and a reader thread reads its answers, so that neither git process waits for the other
    and the log is never held up by a full pipe."""

    def __init__(self, runner: GitRunner, known: dict[str, BlobFacts]) -> None:
        self.runner = runner
        self.known = known
        self.asked: set[str] = set()
        self.missing = 0
        self.proc: subprocess.Popen[bytes] | None = None
        self.requests: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self.threads: list[threading.Thread] = []
        self.failure: BaseException | None = None

    def ask(self, sha: str) -> None:
        if sha in self.known or sha in self.asked:
            return
        self.asked.add(sha)
        if self.proc is None:
            self.proc = self.runner.stream("cat-file", "--batch", stdin=True)
            self.threads = [threading.Thread(target=self._write, daemon=True),
                            threading.Thread(target=self._read, daemon=True)]
            for thread in self.threads:
                thread.start()
        self.requests.put(sha.encode() + b"\n")

    def _write(self) -> None:
        assert self.proc is not None and self.proc.stdin is not None
        stdin = self.proc.stdin
        try:
            while (request := self.requests.get()) is not None:
                stdin.write(request)
                if self.requests.empty():
                    stdin.flush()
        except OSError as exc:
            self.failure = exc
        finally:
            with contextlib.suppress(OSError):
                stdin.close()

    def _read(self) -> None:
        assert self.proc is not None and self.proc.stdout is not None
        out = self.proc.stdout
        try:
            while True:
                header = out.readline()
                if not header:
                    return
                parts = header.split()
                if len(parts) != 3:  # "<sha> missing": a corrupt or absent object
                    self.missing += 1
                    continue
                data = out.read(int(parts[2]) + 1)
                self.known[parts[0].decode()] = blob_facts(data)
        except BaseException as exc:  # surfaced by finish(), never lost in the thread
            self.failure = exc

    def finish(self) -> None:
        if self.proc is None:
            return
        self.requests.put(None)
        for thread in self.threads:
            thread.join()
        self.proc.wait()
        if self.failure is not None:
            raise GitTrouble(f"reading old versions of records failed: {self.failure}")


def read_history(
    repo_dir: Path,
    paths: Iterable[str],
    options: HistoryOptions = HistoryOptions(),
    docs_prefix: str = "",
) -> History:
    """Facts for each path (relative to the repository root), from one walk of `git log HEAD`.

    `docs_prefix` (the docs folder, relative to the root) limits what is read and cached;
    paths are filtered in Python, never with a pathspec, so that git still pairs renames.
    """
    wanted = list(dict.fromkeys(paths))
    runner = GitRunner(repo_dir)
    try:
        shallow, head = _locate(runner)
    except GitTrouble as exc:
        message = str(exc)
        if message == "not a git repository":
            message = (f"{repo_dir} is not in a git repository: no dates, authors or status "
                       f"history from git; front-matter `date` is used where given")
        return History({p: GitFacts() for p in wanted}, [message],
                       git_processes=runner.processes)
    warnings: list[str] = []
    if shallow:
        warnings.append("the git history is truncated (shallow clone), so created dates and "
                        "status histories are wrong; fetch the full history (in GitHub "
                        "Actions: actions/checkout with `fetch-depth: 0`)")
    if head is None:
        return History({p: GitFacts(uncommitted=True) for p in wanted}, warnings,
                       git_processes=runner.processes)
    prefix = docs_prefix.strip("/")
    cache = _Cache(options.cache_dir, f"{prefix}/" if prefix else "", options.first_parent)
    stored = cache.stored_facts(head, wanted)
    if stored is not None:
        return History(stored, warnings, head, git_processes=runner.processes)
    try:
        facts, missing = _walk(runner, cache, head, wanted, options.first_parent)
    except GitTrouble as exc:
        warnings.append(f"{exc}; history is left empty")
        return History({p: GitFacts() for p in wanted}, warnings, head,
                       git_processes=runner.processes)
    if missing:
        warnings.append(f"git could not read {missing} object(s) (corrupt or missing); the "
                        f"status history of the records concerned is incomplete")
    cache.save(head, facts)
    return History(facts, warnings, head, git_processes=runner.processes)


def _locate(runner: GitRunner) -> tuple[bool, str | None]:
    """Whether the repository is shallow, and HEAD (None before the first commit)."""
    shallow = runner.run("rev-parse", "--is-shallow-repository").decode().strip()
    try:
        head: str | None = runner.run("rev-parse", "-q", "--verify", "HEAD^{commit}").decode()
    except GitTrouble:  # a repository with no commit yet
        head = None
    return shallow == "true", head.strip() if head else None


_MARKDOWN = (b".md", b".markdown", b".mdown", b".mkdn", b".mkd")
_LOG = ["log", "-z", "--raw", "--no-abbrev", "-M", "--diff-merges=first-parent",
        "--topo-order", f"--format={_LOG_FORMAT}"]


def _stream_log(runner: GitRunner, revisions: str, prefix: str) -> Iterator[Commit]:
    """Commits newest first (children before parents) as git prints them."""
    proc = runner.stream(*_LOG, revisions, "--")
    assert proc.stdout is not None
    pending = b""
    while True:
        chunk = proc.stdout.read(1 << 16)
        if not chunk:
            break
        pending += chunk
        parts = pending.split(b"\x1e")
        pending = parts.pop()
        for part in parts:
            if part:
                yield _parse_commit(part, prefix)
    if pending:
        yield _parse_commit(pending, prefix)
    if proc.wait() != 0:
        stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        raise GitTrouble(_explain(stderr))


def _parse_commit(chunk: bytes, prefix: str) -> Commit:
    """One commit of `git log -z --raw`; only Markdown changes under the docs prefix kept."""
    header, _, rest = chunk.partition(b"\x00")
    sha, parents, author, date = header.decode("utf-8", "replace").split("\x1f")
    commit = Commit(sha, tuple(parents.split()), author, date)
    fields = rest.lstrip(b"\n").split(b"\x00")
    i, end = 0, len(fields) - 1
    while i < end:
        meta = fields[i]
        if not meta.startswith(b":"):
            i += 1
            continue
        parts = meta.split()
        status = chr(parts[4][0])
        if status in "RC":
            old, new = fields[i + 1], fields[i + 2]
            i += 3
        else:
            old, new = b"", fields[i + 1]
            i += 2
        if new.endswith(_MARKDOWN) or old.endswith(_MARKDOWN):
            new_s = new.decode("utf-8", "surrogateescape")
            old_s = old.decode("utf-8", "surrogateescape")
            if new_s.startswith(prefix) or old_s.startswith(prefix):
                commit.changes.append((status, new_s, old_s, parts[3].decode()))
    return commit


def _walk(runner: GitRunner, cache: _Cache, head: str, wanted: list[str], first_parent: bool
          ) -> tuple[dict[str, GitFacts], int]:
    """Follow every wanted file from HEAD back through its renames, newest commit first,
    asking for each old version's blob as soon as the log names it."""
    blobs = _Blobs(runner, cache.blob_facts)
    tracked: dict[str, str] = {p: p for p in wanted}
    events: dict[str, list[tuple[Commit, str, str]]] = {p: [] for p in wanted}
    expected: str | None = head  # the next commit on the main line
    seen: list[Commit] = []
    try:
        for commit in _commits(runner, cache, head):
            seen.append(commit)
            if first_parent:
                if commit.sha != expected:
                    continue
                expected = commit.parents[0] if commit.parents else None
            elif len(commit.parents) > 1:
                continue
            for status, new, old, blob in commit.changes:
                target = tracked.get(new)
                if target is None or status == "D":
                    continue
                events[target].append((commit, blob, new))  # new: the path at that commit
                blobs.ask(blob)
                if status == "A":
                    del tracked[new]
                elif status in "RC" and old:
                    del tracked[new]
                    tracked[old] = target
    finally:
        blobs.finish()
    cache.log = seen
    landed = _landed_authors(seen, head) if first_parent else {}
    facts: dict[str, GitFacts] = {}
    for path in wanted:
        evs = events[path]
        if not evs:
            facts[path] = GitFacts(uncommitted=True)
            continue
        evs.reverse()
        facts[path] = _facts_of([(c, b, landed.get((c.sha, then), c.author))
                                 for c, b, then in evs], cache.blob_facts)
    return facts, blobs.missing


def _commits(runner: GitRunner, cache: _Cache, head: str) -> Iterator[Commit]:
    """The whole log: new commits streamed from git, then the cached ones (if still valid)."""
    if cache.head == head and cache.log:
        yield from cache.log
        return
    if cache.head is not None and cache.log:
        try:
            runner.run("merge-base", "--is-ancestor", cache.head, head)
        except GitTrouble:  # history rewritten (rebase, force push): read it all again
            cache.log = []
        else:
            old = cache.log
            yield from _stream_log(runner, f"{cache.head}..{head}", cache.prefix)
            yield from old
            return
    yield from _stream_log(runner, head, cache.prefix)


def _facts_of(evs: list[tuple[Commit, str, str]], blobs: dict[str, BlobFacts]) -> GitFacts:
    """Oldest-first events of one file → its created/updated/authors/status history."""
    authors = Counter(author for _, _, author in evs)
    history: list[StatusChange] = []
    added: dict[str, str] = {}
    previous: set[str] = set()
    for commit, blob, author in evs:
        info = blobs.get(blob)
        if info is None:
            continue
        status = info.status or (STATUSES[info.type][0] if info.type in STATUSES else None)
        if status and (not history or history[-1].status != status):
            history.append(StatusChange(status, commit.date, commit.sha, author))
        current = set(info.depends_on)
        for dep in current - previous:
            added[dep] = commit.date
        for dep in previous - current:
            added.pop(dep, None)
        previous = current
    order = sorted(authors, key=lambda a: (-authors[a], a))
    return GitFacts(
        created=evs[0][0].date, updated=evs[-1][0].date, authors=tuple(order),
        status_history=tuple(history), depends_added=tuple(sorted(added.items())),
    )


def _landed_authors(commits: list[Commit], head: str) -> dict[tuple[str, str], str]:
    """(merge, path) → the author of the newest branch commit the merge brought in for path,
    so a merged pull request credits whoever wrote it, not whoever pressed merge."""
    by_sha = {c.sha: c for c in commits}
    line: list[str] = []
    sha: str | None = head
    while sha is not None and sha in by_sha:
        line.append(sha)
        sha = by_sha[sha].parents[0] if by_sha[sha].parents else None
    on_line = set(line)
    seen: set[str] = set()
    credit: dict[tuple[str, str], str] = {}
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
        for commit in sorted(brought, key=lambda c: c.date):
            for _, new, _, _ in commit.changes:
                credit[(merge_sha, new)] = commit.author
    return credit


class _Cache:
    """The parsed log and the facts of old blobs on disk, so that a rebuild walks only new
    commits; and the last result in a small file of its own, so that a rebuild with no new
    commit reads nothing else."""

    def __init__(self, folder: Path | None, prefix: str, first_parent: bool) -> None:
        self.folder = folder
        self.prefix = prefix
        self.mode = "first-parent" if first_parent else "all"
        self.blob_facts: dict[str, BlobFacts] = {}
        self.log: list[Commit] = []
        self.head: str | None = None
        self._loaded = False
        key = re.sub(r"[^A-Za-z0-9]+", "_", prefix) or "root"
        self.log_file = folder / f"history-{key}.json" if folder else None
        self.facts_file = folder / f"facts-{key}-{self.mode}.json" if folder else None

    def stored_facts(self, head: str, wanted: list[str]) -> dict[str, GitFacts] | None:
        """The last result, when HEAD has not moved and it covers every wanted path."""
        data = _read_json(self.facts_file)
        stored = data.get("facts") if data and data.get("head") == head and \
            data.get("version") == CACHE_VERSION else None
        if isinstance(stored, dict) and all(p in stored for p in wanted):
            try:
                return {p: _facts_from_json(stored[p]) for p in wanted}
            except (TypeError, ValueError, IndexError):
                pass
        self._load_log()
        return None

    def _load_log(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        data = _read_json(self.log_file)
        if data is None or data.get("version") != CACHE_VERSION:
            return
        try:
            self.log = [Commit(c[0], tuple(c[1]), c[2], c[3], [tuple(x) for x in c[4]])
                        for c in data["log"]]
            self.blob_facts = {k: BlobFacts(v[0], v[1], tuple(v[2]))
                               for k, v in data["blobs"].items()}
            self.head = data["head"]
        except (KeyError, TypeError, IndexError, ValueError):
            self.head, self.log, self.blob_facts = None, [], {}

    def save(self, head: str, facts: dict[str, GitFacts]) -> None:
        if self.log_file is None or self.facts_file is None:
            return
        try:
            self.log_file.parent.mkdir(parents=True, exist_ok=True)
            ignore = self.log_file.parent.parent / ".gitignore"
            if self.log_file.parent.parent.name == ".cache" and not ignore.exists():
                ignore.write_text("*\n", "utf-8")
            if self.head != head:
                _write_json(self.log_file, {
                    "version": CACHE_VERSION, "head": head,
                    "log": [[c.sha, list(c.parents), c.author, c.date, c.changes]
                            for c in self.log],
                    "blobs": {k: [v.type, v.status, list(v.depends_on)]
                              for k, v in self.blob_facts.items()},
                })
                self.head = head
            _write_json(self.facts_file, {"version": CACHE_VERSION, "head": head,
                                          "facts": {p: _facts_to_json(f)
                                                    for p, f in facts.items()}})
        except OSError:
            pass  # a read-only checkout still builds, only without the cache


def _read_json(path: Path | None) -> dict[str, Any] | None:
    if path is None or not path.is_file():
        return None
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, separators=(",", ":")), "utf-8")
    tmp.replace(path)


def _facts_to_json(f: GitFacts) -> list[Any]:
    return [f.created, f.updated, list(f.authors),
            [[s.status, s.date, s.commit, s.author] for s in f.status_history],
            f.uncommitted, [list(x) for x in f.depends_added]]


def _facts_from_json(v: list[Any]) -> GitFacts:
    return GitFacts(v[0], v[1], tuple(v[2]), tuple(StatusChange(*s) for s in v[3]), v[4],
                    tuple((a, b) for a, b in v[5]))


_SCALAR = re.compile(r"^(type|status)[ \t]*:[ \t]*(.*?)[ \t]*(?:[ \t]#.*)?$", re.MULTILINE)
_DEPENDS = re.compile(r"^depends_on[ \t]*:.*(?:\n(?:[ \t]+.*|-.*|))*", re.MULTILINE)
_FLOW_LIST = re.compile(r"^depends_on[ \t]*:[ \t]*\[([^\[\]{}#\"']*)\][ \t]*$")
_NOTHING = BlobFacts(None, None)
_FM_LIMIT = 262_144


def _front_matter(data: bytes) -> bytes | None:
    """The bytes between the opening and closing `---` of one version of a file, starting
    with the newline that ends the opening line."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.startswith(b"---"):
        return None
    start = data.find(b"\n")
    if start < 0 or data[3:start].strip():
        return None
    end = data.find(b"\n---", start, _FM_LIMIT)
    if end < 0:
        end = data.find(b"\n...", start, _FM_LIMIT)
        if end < 0:
            return None
    return data[start:end].replace(b"\r\n", b"\n")


def _scalar(fm: bytes, key: bytes) -> str | None:
    """A top-level `key: value` (plain, quoted, or with a trailing comment)."""
    pos = fm.find(b"\n" + key + b":")
    if pos < 0:
        if fm.find(b"\n" + key) < 0:
            return None
        text = fm.decode("utf-8", "replace")  # unusual spacing, e.g. `status : x`
        for name, value in _SCALAR.findall(text):
            if name == key.decode():
                return value.strip().strip("'\"").strip() or None
        return None
    start = pos + len(key) + 2
    end = fm.find(b"\n", start)
    value = fm[start:] if end < 0 else fm[start:end]
    hash_at = value.find(b" #")
    if hash_at >= 0:
        value = value[:hash_at]
    return value.strip().strip(b"'\"").strip().decode("utf-8", "replace") or None


def blob_facts(data: bytes) -> BlobFacts:
    """type, status and depends_on of one version of a file, read without a full YAML parse
    (this runs on every old version of every record)."""
    fm = _front_matter(data)
    rtype = _scalar(fm, b"type") if fm is not None else None
    if fm is None or rtype is None:
        # Not headway's front matter: a record written for another tool (an ADR folder)?
        adr_status = version_status(data)
        return BlobFacts("decision", adr_status) if adr_status is not None else _NOTHING
    status = _scalar(fm, b"status")
    depends: tuple[str, ...] = ()
    if fm.find(b"\ndepends_on") >= 0:
        match = _DEPENDS.search(fm.decode("utf-8", "replace"))
        if match:
            depends = _depends(match.group(0).rstrip())
    return BlobFacts(rtype.lower() if rtype else None, status, depends)


@lru_cache(maxsize=4096)
def _depends(snippet: str) -> tuple[str, ...]:
    """A `depends_on:` block as a tuple of ids (a flow list read directly, anything else by
    YAML); the same few snippets recur in thousands of versions, hence the cache."""
    flow = _FLOW_LIST.match(snippet)
    if flow:
        return tuple(item.strip() for item in flow.group(1).split(",") if item.strip())
    try:
        loaded = yaml.load(snippet, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return ()
    value = loaded.get("depends_on") if isinstance(loaded, dict) else None
    if isinstance(value, list):
        return tuple(str(v) for v in value if isinstance(v, str | int))
    return ()
