"""What a branch changed: the records it touched and every record that refers to them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .catalog import Catalog
from .git.runner import GitRunner, GitTrouble
from .ids import default_id, file_id
from .parse import parse_document
from .urls import is_markdown


@dataclass(frozen=True, slots=True)
class Changes:
    """Paths (relative to the repository root) changed since the branch left its base, and
    the commit it left from."""

    paths: set[str]
    fork: str


def changed_paths(repo_root: Path, base: str) -> Changes:
    """What changed since the branch left `base`: committed on the branch, modified in the
    working tree, or new and not ignored."""
    runner = GitRunner(repo_root)
    try:
        runner.run("rev-parse", "--verify", "--end-of-options", f"{base}^{{commit}}")
    except GitTrouble as exc:
        raise GitTrouble(f"cannot compare with '{base}': {exc} (is it a branch, tag or commit "
                         f"of this repository? in CI, fetch it first)") from exc
    try:
        fork = runner.run("merge-base", base, "HEAD").decode().strip()
    except GitTrouble as exc:  # both exist, but no commit is an ancestor of both
        raise GitTrouble(f"cannot compare with '{base}': it has no history in common with "
                         f"HEAD (in CI, fetch the full history: fetch-depth: 0)") from exc
    names = runner.run("diff", "--name-only", "-z", "--no-renames", fork).split(b"\x00")
    names += runner.run("ls-files", "--others", "--exclude-standard", "-z").split(b"\x00")
    return Changes({n.decode("utf-8", "surrogateescape") for n in names if n}, fork)


def former_ids(repo_root: Path, changes: Changes, docs_prefix: str) -> set[str]:
    """The ids the changed records had where the branch left its base, so that a record still
    naming one (the record deleted, renamed, or its `id:` changed) is checked too: the `id:`
    of each one's old version (read from git in one `git cat-file`), and the ids its file name
    gives (as a headway record, and as an ADR)."""
    prefix = f"{docs_prefix.strip('/')}/" if docs_prefix.strip("/") else ""
    wanted = sorted(p for p in changes.paths if is_markdown(p) and p.startswith(prefix))
    ids: set[str] = set()
    for path in wanted:
        rel = path[len(prefix):]
        ids.update((default_id(rel), file_id(rel)))
    if not wanted:
        return ids
    runner = GitRunner(repo_root)  # kept: it owns the process (see GitRunner.stream)
    proc = runner.stream("cat-file", "--batch", stdin=True)
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write("".join(f"{changes.fork}:{p}\n" for p in wanted
                                 ).encode("utf-8", "surrogateescape"))
        proc.stdin.close()
        out = proc.stdout.read()
    finally:
        proc.wait()
    pos = 0
    for path in wanted:  # answers come in the order asked
        eol = out.find(b"\n", pos)
        if eol < 0:
            break
        header = out[pos:eol].split()
        if len(header) != 3 or header[1] != b"blob":  # "… missing": new on the branch
            pos = eol + 1
            continue
        size = int(header[2])
        raw = out[eol + 1:eol + 1 + size]
        pos = eol + 2 + size
        doc, _ = parse_document(path, path[len(prefix):], raw)
        old_id = doc.data.get("id") if doc is not None else None
        if isinstance(old_id, str | int) and not isinstance(old_id, bool):
            ids.add(str(old_id).strip())
    return ids


def affected_paths(catalog: Catalog, changed: Iterable[str], formerly: Iterable[str] = ()
                   ) -> set[str]:
    """The changed records, plus every record that names one of them, by its id now or by an
    id it had before the branch (`formerly`: see `former_ids`), so that a broken reference is
    caught where it is written."""
    changed = set(changed)
    ids = {catalog.ids_by_path[p] for p in changed if p in catalog.ids_by_path} | set(formerly)
    referring = {p for p, names in catalog.refers_to.items() if names & ids}
    claiming = {p for p, rid in catalog.ids_by_path.items() if rid in ids}  # duplicates too
    return (changed & catalog.record_paths) | referring | claiming
