"""What a branch changed: the records it touched and every record that refers to them."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from .catalog import Catalog, is_markdown
from .history import GitRunner, GitTrouble
from .validate import default_id


def changed_paths(repo_root: Path, base: str) -> set[str]:
    """Paths (relative to the repository root) changed since the branch left `base`:
    committed on the branch, modified in the working tree, or new and not ignored."""
    runner = GitRunner(repo_root)
    try:
        fork = runner.run("merge-base", base, "HEAD").decode().strip()
    except GitTrouble as exc:
        raise GitTrouble(f"cannot compare with '{base}': {exc} (is it a branch, tag or commit "
                         f"of this repository? in CI, fetch it first)") from exc
    names = runner.run("diff", "--name-only", "-z", "--no-renames", fork).split(b"\x00")
    names += runner.run("ls-files", "--others", "--exclude-standard", "-z").split(b"\x00")
    return {n.decode("utf-8", "surrogateescape") for n in names if n}


def affected_paths(catalog: Catalog, changed: set[str], docs_prefix: str) -> set[str]:
    """The changed records, plus every record that names one of them (or names a record the
    branch deleted), so that a broken reference is caught where it is written."""
    ids = {catalog.ids_by_path[p] for p in changed if p in catalog.ids_by_path}
    prefix = f"{docs_prefix.strip('/')}/" if docs_prefix.strip("/") else ""
    for path in changed:  # deleted records: their ids as the file names gave them
        if path not in catalog.ids_by_path and is_markdown(path) and path.startswith(prefix):
            ids.add(default_id(str(PurePosixPath(path[len(prefix):]))))
    referring = {p for p, names in catalog.refers_to.items() if names & ids}
    claiming = {p for p, rid in catalog.ids_by_path.items() if rid in ids}  # duplicates too
    return (changed & catalog.record_paths) | referring | claiming
