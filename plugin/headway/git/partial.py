"""Partial clones (`git clone --filter=blob:none`): the old versions they lack, fetched in
one batch instead of one fetch per object."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .log import MARKDOWN, raw_changes
from .runner import GitRunner


def promisor_remote(runner: GitRunner, objects: Path | None) -> str | None:
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


def fetch_objects(runner: GitRunner, promisor: str, names: Iterable[str]) -> tuple[set[str], str | None]:
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


def prefetch_renames(runner: GitRunner, revisions: str, promisor: str) -> None:
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
        added: set[str] = set()
        deleted: set[str] = set()
        for status, _, _, blob, before in raw_changes(chunk.partition(b"\x00")[2], MARKDOWN):
            if status == "A":
                added.add(blob)
            elif status == "D":
                deleted.add(before)
        if added and deleted:
            moved = added & deleted  # the same content: paired without reading it
            if added - moved and deleted - moved:
                wanted.update((added | deleted) - moved)
    if wanted:
        fetch_objects(runner, promisor, wanted)

