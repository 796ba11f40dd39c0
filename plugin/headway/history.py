"""One pass over git: created, updated, authors and status history for every record, cached."""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .model import STATUSES, GitFacts, StatusChange

# gitpython looks for git when it is imported; without this a machine with no git would fail
# the import itself instead of getting our message.
os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")
import git

CACHE_VERSION = 2
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
    available: bool = True
    git_processes: int = 0


@dataclass(frozen=True, slots=True)
class BlobFacts:
    """The few front-matter values history needs from an old version of a file."""

    type: str | None
    status: str | None
    depends_on: tuple[str, ...] = ()


class GitTrouble(Exception):
    """git could not be used; the message says why and what to do."""


class _Git:
    """The git commands history needs, through gitpython's raw command interface."""

    def __init__(self, cwd: Path) -> None:
        self.cmd = git.Git(str(cwd))
        self.processes = 0

    def run(self, *args: str) -> bytes:
        self.processes += 1
        try:
            out = self.cmd.execute(["git", *args], stdout_as_string=False)
        except git.exc.GitCommandNotFound as exc:
            raise GitTrouble("git is not installed (or not on PATH); install git to read "
                             "dates and authors from history") from exc
        except git.exc.GitCommandError as exc:
            raise GitTrouble(_explain(exc.stderr if isinstance(exc.stderr, str) else
                                      str(exc.stderr))) from exc
        return out if isinstance(out, bytes) else str(out).encode()

    def blobs(self, shas: Sequence[str]) -> Iterator[tuple[str, bytes | None]]:
        """Every blob through one `git cat-file --batch`, written and read concurrently."""
        if not shas:
            return
        self.processes += 1
        try:
            proc = self.cmd.execute(["git", "cat-file", "--batch"], as_process=True,
                                    istream=subprocess.PIPE)
        except git.exc.GitCommandNotFound as exc:
            raise GitTrouble("git is not installed (or not on PATH)") from exc
        popen = proc.proc
        assert popen is not None and popen.stdin is not None and popen.stdout is not None
        stdin, stdout = popen.stdin, popen.stdout

        def feed() -> None:
            try:
                stdin.write("".join(f"{sha}\n" for sha in shas).encode())
            finally:
                stdin.close()

        writer = threading.Thread(target=feed, daemon=True)
        writer.start()
        try:
            for sha in shas:
                header = stdout.readline()
                parts = header.split()
                if len(parts) != 3:  # "<sha> missing" for a corrupt or absent object
                    yield sha, None
                    continue
                size = int(parts[2])
                data = stdout.read(size)
                stdout.read(1)
                yield sha, data
        finally:
            writer.join()
            stdout.close()
            popen.wait()


def _explain(stderr: str) -> str:
    text = stderr.strip().replace("stderr: ", "")
    if "dubious ownership" in text or "safe.directory" in text:
        return ("git refuses to read this repository because it belongs to another user "
                "(safe.directory); run `git config --global --add safe.directory <path>` "
                "(in CI, the checkout step's user must own the folder)")
    if "not a git repository" in text:
        return "not a git repository"
    return f"git failed: {text.splitlines()[-1] if text else 'no message'}"


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
    runner = _Git(repo_dir)
    try:
        top, shallow, head = _locate(runner)
    except GitTrouble as exc:
        message = str(exc)
        if message == "not a git repository":
            message = (f"{repo_dir} is not in a git repository: no dates, authors or status "
                       f"history from git; front-matter `date` is used where given")
        return History({p: GitFacts(uncommitted=True) for p in wanted}, [message],
                       available=False, git_processes=runner.processes)
    warnings: list[str] = []
    if shallow:
        warnings.append("the git history is truncated (shallow clone), so created dates and "
                        "status histories are wrong; fetch the full history (in GitHub "
                        "Actions: actions/checkout with `fetch-depth: 0`)")
    if head is None:
        return History({p: GitFacts(uncommitted=True) for p in wanted}, warnings,
                       git_processes=runner.processes)
    prefix = docs_prefix.strip("/")
    prefix = f"{prefix}/" if prefix else ""
    cache = _Cache(options.cache_dir, prefix, options.first_parent)
    try:
        commits = cache.commits(runner, head)
        facts = _facts(runner, commits, head, wanted, options.first_parent, cache, warnings)
    except GitTrouble as exc:
        warnings.append(f"{exc}; history is left empty")
        return History({p: GitFacts() for p in wanted}, warnings, head,
                       git_processes=runner.processes)
    cache.save()
    del top
    return History(facts, warnings, head, git_processes=runner.processes)


def _locate(runner: _Git) -> tuple[str, bool, str | None]:
    """Repository root, whether it is shallow, and HEAD (None before the first commit)."""
    top, shallow = runner.run("rev-parse", "--show-toplevel",
                              "--is-shallow-repository").decode().split("\n")[:2]
    try:
        head: str | None = runner.run("rev-parse", "-q", "--verify", "HEAD^{commit}").decode()
    except GitTrouble:  # a repository with no commit yet
        head = None
    return top, shallow == "true", head.strip() if head else None


def _parse_log(raw: bytes, prefix: str) -> list[Commit]:
    """Parse `git log -z --raw` output; keep only Markdown changes under the docs prefix."""
    commits: list[Commit] = []
    for chunk in raw.split(b"\x1e")[1:]:
        header, _, rest = chunk.partition(b"\x00")
        sha, parents, author, date = header.decode("utf-8", "replace").split("\x1f")
        commit = Commit(sha, tuple(parents.split()), author, date)
        fields = rest.lstrip(b"\n").split(b"\x00")
        i = 0
        while i < len(fields) - 1:
            meta = fields[i].decode()
            if not meta.startswith(":"):
                i += 1
                continue
            parts = meta.split()
            status, blob = parts[4][0], parts[3]
            if status in "RC":
                old = fields[i + 1].decode("utf-8", "surrogateescape")
                new = fields[i + 2].decode("utf-8", "surrogateescape")
                i += 3
            else:
                old, new = "", fields[i + 1].decode("utf-8", "surrogateescape")
                i += 2
            if (new.startswith(prefix) or old.startswith(prefix)) and (
                new.endswith(".md") or old.endswith(".md")
            ):
                commit.changes.append((status, new, old, blob))
        commits.append(commit)
    return commits


class _Cache:
    """The parsed log and the facts of old blobs, on disk, so a rebuild walks only new commits."""

    def __init__(self, folder: Path | None, prefix: str, first_parent: bool) -> None:
        self.folder = folder
        self.prefix = prefix
        self.first_parent = first_parent
        self.blob_facts: dict[str, BlobFacts] = {}
        self.log: list[Commit] = []
        self.head: str | None = None
        self.results: dict[str, Any] = {}
        self.dirty = False
        if folder is not None:
            self._load()

    @property
    def file(self) -> Path | None:
        if self.folder is None:
            return None
        key = re.sub(r"[^A-Za-z0-9]+", "_", self.prefix) or "root"
        return self.folder / f"history-{key}.json"

    def _load(self) -> None:
        path = self.file
        if path is None or not path.is_file():
            return
        try:
            data = json.loads(path.read_text("utf-8"))
            if data.get("version") != CACHE_VERSION:
                return
            self.head = data["head"]
            self.log = [Commit(c[0], tuple(c[1]), c[2], c[3], [tuple(x) for x in c[4]])
                        for c in data["log"]]
            self.blob_facts = {k: BlobFacts(v[0], v[1], tuple(v[2]))
                               for k, v in data["blobs"].items()}
            self.results = data.get("results", {})
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            self.head, self.log, self.blob_facts, self.results = None, [], {}, {}

    def commits(self, runner: _Git, head: str) -> list[Commit]:
        """The whole log: from the cache when HEAD is unchanged, else only the new commits."""
        if self.head == head:
            return self.log
        base = ["log", "-z", "--raw", "--no-abbrev", "-M", "--diff-merges=first-parent",
                f"--format={_LOG_FORMAT}"]
        if self.head is not None and self.log:
            try:
                runner.run("merge-base", "--is-ancestor", self.head, head)
                new = _parse_log(runner.run(*base, f"{self.head}..{head}", "--"), self.prefix)
                self.log = new + self.log
            except GitTrouble:  # history rewritten (rebase, force push): read it all again
                self.log = _parse_log(runner.run(*base, head, "--"), self.prefix)
        else:
            self.log = _parse_log(runner.run(*base, head, "--"), self.prefix)
        self.head = head
        self.results = {}
        self.dirty = True
        return self.log

    def save(self) -> None:
        path = self.file
        if path is None or not self.dirty:
            return
        data = {
            "version": CACHE_VERSION,
            "head": self.head,
            "log": [[c.sha, list(c.parents), c.author, c.date, c.changes] for c in self.log],
            "blobs": {k: [v.type, v.status, list(v.depends_on)]
                      for k, v in self.blob_facts.items()},
            "results": self.results,
        }
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            ignore = path.parent.parent / ".gitignore"
            if path.parent.parent.name == ".cache" and not ignore.exists():
                ignore.write_text("*\n", "utf-8")
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, separators=(",", ":")), "utf-8")
            tmp.replace(path)
        except OSError:
            pass  # a read-only checkout still builds, only without the cache
        self.dirty = False


def _facts(
    runner: _Git,
    commits: list[Commit],
    head: str,
    wanted: list[str],
    first_parent: bool,
    cache: _Cache,
    warnings: list[str],
) -> dict[str, GitFacts]:
    key = "fp" if first_parent else "all"
    stored = cache.results.get(key, {})
    if all(p in stored for p in wanted):
        return {p: _facts_from_json(stored[p]) for p in wanted}

    by_sha = {c.sha: c for c in commits}
    line = _main_line(by_sha, head) if first_parent else None
    landed = _landed_authors(by_sha, line) if line is not None else {}
    walk = [by_sha[s] for s in line] if line is not None else [
        c for c in commits if len(c.parents) <= 1]

    # Walk newest → oldest, following each file back through its renames.
    tracked: dict[str, str] = {p: p for p in wanted}
    events: dict[str, list[tuple[Commit, str, str]]] = {p: [] for p in wanted}
    for commit in walk:
        for status, new, old, blob in commit.changes:
            if new not in tracked or status == "D":
                continue
            target = tracked[new]
            author = commit.author
            if len(commit.parents) > 1:  # a merge: credit whoever wrote the change on the branch
                author = landed.get((commit.sha, new), author)
            events[target].append((commit, blob, author))
            if status == "A":
                del tracked[new]
            elif status in "RC" and old:
                del tracked[new]
                tracked[old] = target

    needed = sorted({blob for evs in events.values() for _, blob, _ in evs
                     if blob not in cache.blob_facts})
    missing = 0
    for sha, data in runner.blobs(needed):
        if data is None:
            missing += 1
            continue
        cache.blob_facts[sha] = blob_facts(data)
    if missing:
        warnings.append(f"git could not read {missing} object(s) (corrupt or missing); the "
                        f"status history of the records concerned is incomplete")

    facts: dict[str, GitFacts] = {}
    for path in wanted:
        evs = list(reversed(events[path]))
        facts[path] = _facts_of(evs, cache.blob_facts) if evs else GitFacts(uncommitted=True)
    cache.results.setdefault(key, {}).update({p: _facts_to_json(f) for p, f in facts.items()})
    cache.dirty = True
    return facts


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


def _facts_to_json(f: GitFacts) -> list[Any]:
    return [f.created, f.updated, list(f.authors),
            [[s.status, s.date, s.commit, s.author] for s in f.status_history],
            f.uncommitted, [list(x) for x in f.depends_added]]


def _facts_from_json(v: list[Any]) -> GitFacts:
    return GitFacts(v[0], v[1], tuple(v[2]), tuple(StatusChange(*s) for s in v[3]), v[4],
                    tuple((a, b) for a, b in v[5]))


def _main_line(by_sha: dict[str, Commit], head: str) -> list[str]:
    """HEAD and its first parents, newest first: the commits where changes land."""
    line: list[str] = []
    sha: str | None = head
    while sha is not None and sha in by_sha:
        line.append(sha)
        parents = by_sha[sha].parents
        sha = parents[0] if parents else None
    return line


def _landed_authors(by_sha: dict[str, Commit], line: list[str]) -> dict[tuple[str, str], str]:
    """(merge, path) → the author of the newest branch commit the merge brought in for path."""
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


_FM = re.compile(rb"\A(?:\xef\xbb\xbf)?---[ \t]*\r?\n(.*?)(?:\r?\n)(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)",
                 re.DOTALL)
_SCALAR = re.compile(r"^(type|status)[ \t]*:[ \t]*(.*?)[ \t]*(?:[ \t]#.*)?$", re.MULTILINE)
_DEPENDS = re.compile(r"^depends_on[ \t]*:.*(?:\n(?:[ \t]+.*|-.*|))*", re.MULTILINE)


def blob_facts(data: bytes) -> BlobFacts:
    """type, status and depends_on of one version of a file, read without a full YAML parse."""
    match = _FM.match(data[:262_144])
    if match is None:
        return BlobFacts(None, None)
    text = match.group(1).decode("utf-8", "replace").replace("\r\n", "\n")
    values: dict[str, str] = {}
    for key, value in _SCALAR.findall(text):
        values.setdefault(key, value.strip().strip("'\"").strip())
    depends: tuple[str, ...] = ()
    dep_match = _DEPENDS.search(text)
    if dep_match:
        try:
            loaded = yaml.load(dep_match.group(0), Loader=yaml.CSafeLoader)
            value = loaded.get("depends_on") if isinstance(loaded, dict) else None
            if isinstance(value, list):
                depends = tuple(str(v) for v in value if isinstance(v, str | int))
        except yaml.YAMLError:
            pass
    rtype = values.get("type", "").lower() or None
    return BlobFacts(rtype, values.get("status") or None, depends)
