"""Files → the site's records: parse, check, drop the broken ones, attach git facts."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .bulk import gc_paused
from .git import HistoryOptions, PendingHistory, read_history
from .ids import version_id
from .model import Ghosts, GitFacts, Problem, Record
from .parse import UNBUILDABLE, may_be_record, parse_document
from .settings import AdrFolder, Settings
from .statuses import settle_statuses
from .urls import is_markdown, page_url
from .validate import (
    Checked,
    check_document,
    check_references,
    claimant_types,
    duplicate_ids,
)

if TYPE_CHECKING:
    from .adr import FolderIndex


@dataclass(frozen=True, slots=True)
class Source:
    """One Markdown page of the site: where it lives in the docs folder and on disk."""

    src_uri: str
    abs_path: str  # a path string, as MkDocs gives it (a Path per page costs more than reading it)
    url: str


@dataclass(slots=True)
class Catalog:
    """Every record of a site that can be published, the problems found, and git's facts."""

    records: dict[str, Record]  # published records by id, in path order
    problems: list[Problem]
    known_ids: dict[str, str]  # every id a document claimed (published or not) → type
    urls: dict[str, str]  # id → URL relative to the site root
    git: dict[str, GitFacts] = field(default_factory=dict)  # id → facts
    history_warnings: list[str] = field(default_factory=list)
    # for the reader's information, never problems: records of ADR folders that write no
    # status (read from what they say), or a status of their own (shown as written)
    notes: list[Problem] = field(default_factory=list)
    history_incomplete: bool = False  # git could not give some record's history in full
    excluded: dict[str, str] = field(default_factory=dict)  # path → id (or "") left out
    unbuildable: set[str] = field(default_factory=set)  # src_uris MkDocs cannot build
    refers_to: dict[str, frozenset[str]] = field(default_factory=dict)  # path → ids it names
    ids_by_path: dict[str, str] = field(default_factory=dict)  # path → id, broken ones too
    documents: set[str] = field(default_factory=set)  # src_uris of every record, even broken
    ghosts: Ghosts = field(default_factory=dict)  # deleted records (see model.Ghosts)

    @property
    def record_paths(self) -> set[str]:
        """Every file read as a record (published or not), relative to the repository root."""
        return set(self.refers_to)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def discover(settings: Settings) -> list[Source]:
    """Markdown pages under docs_dir as MkDocs finds them: dot-files and `templates/` left
    out, `exclude_docs` patterns (gitignore syntax) applied, a README beside an index
    skipped."""
    docs_dir, use_directory_urls = settings.docs_dir, settings.use_directory_urls
    excluded = _excluded(settings.exclude)
    found: dict[str, Source] = {}
    top = os.fspath(docs_dir)
    for root, dirs, files in os.walk(top):
        rel_root = os.path.relpath(root, top).replace(os.sep, "/")
        dirs.sort()
        for name in sorted(files):
            if not is_markdown(name):
                continue
            src_uri = name if rel_root == "." else f"{rel_root}/{name}"
            if excluded(src_uri):
                continue
            url = page_url(src_uri, use_directory_urls)
            if url in found and name.rpartition(".")[0] == "README":
                continue  # MkDocs skips README.md when index.md gives the same page
            found[url] = Source(src_uri, os.path.join(root, name), url)
    return sorted(found.values(), key=lambda s: s.src_uri)


def _excluded(patterns: tuple[str, ...]) -> Callable[[str], bool]:
    """MkDocs' test for a page left out: its defaults `.*` and `/templates/`, then the
    `exclude_docs` patterns, read as gitignore lines by pathspec (as MkDocs reads them; they
    may also bring back what the defaults leave out). Without patterns, the defaults alone,
    without pathspec."""
    if not patterns:
        return lambda src_uri: src_uri.startswith("templates/") or \
            any(part.startswith(".") for part in src_uri.split("/"))
    import pathspec  # a dependency of MkDocs

    return pathspec.GitIgnoreSpec.from_lines([".*", "/templates/", *patterns]).match_file


def find_repo_root(start: Path) -> Path | None:
    """The nearest folder at or above `start` holding `.git` (no git process needed). Links
    are followed first: a docs folder linked from elsewhere is in the repository (if any)
    where its files are, which is where git tracks them."""
    start = start.resolve()
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def build_catalog(sources: Iterable[Source], settings: Settings, *,
                  with_history: bool = True) -> Catalog:
    """Read, check and date every record among `sources`; never raises on bad input.

    git's history is read in a second thread, begun before the files are read, while the
    records are parsed and checked: it is asked for every file that may be a record (a cheap
    test on the bytes, a superset of the records), and for any record the test missed once
    parsing is done."""
    with gc_paused():
        return _build_catalog(list(sources), settings, with_history)


def _build_catalog(sources: list[Source], settings: Settings, with_history: bool) -> Catalog:
    repo_root = find_repo_root(settings.docs_dir)
    base = repo_root or settings.config_dir
    # Paths in messages are relative to the repository root; worked out once for the docs
    # folder (each page's path is then a string join, not a filesystem call per page).
    docs_display = "" if _display_path(settings.docs_dir, base) == "." else \
        _display_path(settings.docs_dir, base)
    history_options = HistoryOptions(first_parent=settings.first_parent,
                                     cache_dir=settings.cache_dir)
    history_root, history_prefix = (repo_root, docs_display) if repo_root else \
        (settings.docs_dir, "")
    checked: list[Checked] = []
    problems: list[Problem] = []
    notes: list[Problem] = []
    folder_defaults: dict[str, str] = {}  # path of a record read from another format → default
    unbuildable: set[str] = set()
    documents: set[str] = set()
    adr_indexes = {f: _adr_index(f, sources) for f in settings.adr_folders}
    urls_by_path: dict[str, str] = {}
    pending = PendingHistory(history_root, history_options, history_prefix) \
        if with_history else None
    read: list[tuple[Source, str, bytes, AdrFolder | None]] = []  # the folder: ADR formats
    try:
        for source in sources:
            display = f"{docs_display}/{source.src_uri}" if docs_display else source.src_uri
            folder = settings.adr_folder_of(source.src_uri)
            try:
                raw = _read_bytes(source.abs_path)
                read.append((source, display, raw, folder
                             if folder is not None and folder.format != "headway" else None))
            except OSError as exc:
                problems.append(Problem(display, None, f"cannot be read: {exc.strerror or exc}"))
        candidates = {display: raw for _, display, raw, folder in read
                      if folder is not None or may_be_record(raw)}
    except BaseException:
        if pending is not None:  # the history thread waits for paths: none will come
            pending.give(())
        raise
    if pending is not None:
        pending.give(candidates, candidates if repo_root else None)  # paths, and their bytes
    for source, display, raw, folder in read:
        if folder is not None:
            from .adr import parse_adr_document  # ADR folders only: imported when needed

            doc, found = parse_adr_document(display, source.src_uri, raw, folder,
                                            settings.limits, index=adr_indexes[folder])
        else:
            doc, found = parse_document(display, source.src_uri, raw, settings.limits)
        if folder is not None:
            folder_defaults[display] = folder.default_status
            notes.extend(p for p in found if p.severity == "note")
            found = [p for p in found if p.severity != "note"]
        problems.extend(found)
        if any(p.code == UNBUILDABLE for p in found):
            unbuildable.add(source.src_uri)
        if doc is not None or found:
            documents.add(source.src_uri)
        if doc is None:
            continue
        urls_by_path[display] = source.url
        result = check_document(doc)
        checked.append(result)
        problems.extend(result.problems)
    duplicates = duplicate_ids(checked)
    problems.extend(duplicates)
    known: dict[str, str] = {}
    for c in checked:
        if c.id is not None:
            known.setdefault(c.id, c.type or "")
    candidates_checked = [c.record for c in checked if c.record is not None]
    ref_problems = check_references(candidates_checked, known,
                                    {f.initiative for f in settings.adr_folders},
                                    [c.draft for c in checked
                                     if c.record is None and c.draft is not None],
                                    claimant_types(checked) if duplicates else None)
    problems.extend(ref_problems)
    broken = {p.path for p in duplicates} | {p.path for p in ref_problems
                                             if p.severity == "error"}
    records = {rec.id: rec for rec in candidates_checked if rec.path not in broken}
    published = {rec.path for rec in records.values()}
    excluded = {c.path: c.id or "" for c in checked if c.path not in published}
    excluded.update({p.path: "" for p in problems if p.severity == "error"
                     and p.path not in excluded and p.path not in published})

    catalog = Catalog(records, problems, known,
                      {rec.id: urls_by_path[rec.path] for rec in records.values()},
                      excluded=excluded, unbuildable=unbuildable,
                      refers_to={c.path: c.refers_to for c in checked},
                      ids_by_path={c.path: c.id for c in checked if c.id},
                      documents=documents, notes=notes)
    # Only now: what precedes does not need git, and runs while the history thread waits
    # for git (the last old versions, or its log).
    history = pending.result() if pending is not None and candidates else None
    if with_history and records:
        missed = [path for path in published if history is None or path not in history.facts]
        if missed:  # records the byte test did not foresee (lone CR line ends): read again,
            # for all of them together, so that the facts cached for this HEAD cover both
            more = read_history(history_root, sorted({*candidates, *missed}),
                                history_options, history_prefix)
            if history is None:
                history = more
            else:
                history.facts.update(more.facts)
        assert history is not None
        catalog.git = {rec.id: history.facts.get(rec.path, GitFacts(uncommitted=True))
                       for rec in records.values()}
        catalog.history_warnings = list(history.warnings)
        settle_statuses(records, catalog.git, {rec.id: folder_defaults[rec.path]
                                               for rec in records.values()
                                               if rec.source_format != "headway"
                                               and rec.path in folder_defaults})
        catalog.history_incomplete = history.incomplete
        catalog.ghosts = ghosts_of(history.ghosts, docs_display, settings)
    return catalog


def ghosts_of(deleted: dict[str, GitFacts], docs_display: str, settings: Settings) -> Ghosts:
    """The deleted files that were records at some point, with the id each of their versions
    had: its `id:`, else the one its file name gave (by the rule of the folder it was in)."""
    prefix = f"{docs_display}/" if docs_display else ""
    ghosts: Ghosts = {}
    for key, facts in deleted.items():
        versions = facts.flow_versions
        if not any(v.type for v in versions):  # never a record: nothing depended on it
            continue
        names = []
        for version in versions:
            path = version.path
            src_uri = path[len(prefix):] if path.startswith(prefix) else path
            folder = settings.adr_folder_of(src_uri)
            names.append(version_id(version.id, src_uri,
                                    folder is None or folder.format == "headway"))
        ghosts[key] = (versions, tuple(names))
    return ghosts


def _read_bytes(path: str) -> bytes:
    """A file's bytes, read through the os module: no buffered file object per page, which
    halves the time of reading thousands of small pages (`open(path, "rb").read()`)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))  # O_BINARY: Windows
    try:
        chunks = [os.read(fd, _CHUNK)]
        while chunks[-1]:
            chunks.append(os.read(fd, _CHUNK))
        return b"".join(chunks)
    finally:
        os.close(fd)


_CHUNK = 1 << 16  # most records are read in one call (and one more that finds the end)


def _adr_index(folder: AdrFolder, sources: list[Source]) -> FolderIndex:
    """The file names of an ADR folder, so that its records can refer to each other by
    number or link (made from the site's pages: no second listing of the disk)."""
    from .adr import folder_index

    prefix = f"{folder.folder}/" if folder.folder else ""
    return folder_index(s.src_uri[len(prefix):] for s in sources
                        if folder.holds(s.src_uri))


def _display_path(path: Path, base: Path) -> str:
    """`path` relative to `base` (with `..` when it lies elsewhere: never an absolute path,
    which would say where the site was built instead of where a record is)."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        try:
            return Path(os.path.relpath(path.resolve(), base.resolve())).as_posix()
        except ValueError:  # another drive (Windows): nothing relative to say
            return path.as_posix()
