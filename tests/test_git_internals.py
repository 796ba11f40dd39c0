"""Internals of reading git: the pipes, the threads and the cat-file pipeline (the
behaviour they serve is tested in test_history.py)."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from conftest import GitRepo
from test_history import DECISION, lifecycle, unreadable

import headway.git.catfile as catfile
import headway.git.log as log
import headway.git.pipes as pipes
from headway.git import HistoryOptions, read_history


def test_files_read_by_the_caller_are_not_asked_of_git(
        repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The newest version of a record is usually the file the catalog has just read: given
    its bytes, git is not asked for it; bytes that differ (an edit not committed) are not
    taken for it. Either way the facts are those of a read without them."""
    lifecycle(repo)
    paths = ["docs/0001-use-stripe.md", "docs/pay/index.md"]
    expected = read_history(repo.root, paths, HistoryOptions(), "docs").facts
    asked: list[str] = []  # what cat-file is asked for
    real_send = catfile.CatFile.send

    def send(self: catfile.CatFile, names: list[str], first_place: int) -> None:
        asked.extend(names)
        real_send(self, names, first_place)

    monkeypatch.setattr(catfile.CatFile, "send", send)
    on_disk = {p: (repo.root / p).read_bytes() for p in paths}
    assert read_history(repo.root, paths, HistoryOptions(), "docs", on_disk).facts == expected
    heads = {repo.git("rev-parse", f"HEAD:{p}").strip() for p in paths}
    assert asked and not heads & set(asked)
    asked.clear()
    edited = {p: data + b"\nAn edit not committed.\n" for p, data in on_disk.items()}
    cache = HistoryOptions(cache_dir=tmp_path / "cache")
    assert read_history(repo.root, paths, cache, "docs", edited).facts == expected
    assert heads <= set(asked)
    stored = (tmp_path / "cache" / "history-docs_.json").read_text("utf-8")
    for data in edited.values():  # versions never committed are not kept
        assert hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest() not in stored
    assert all(sha in stored for sha in heads)


def test_reads_wait_for_output_to_gather_only_in_wide_pipes(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """After a short read the readers wait a little for more, which pays only in a pipe
    widened to 1 MiB; in a pipe of a few KiB (Windows) each wait would cap the reading."""
    read_end, write_end = os.pipe()
    try:
        with open(read_end, "rb", closefd=False) as pipe:
            if hasattr(pipes.fcntl, "F_SETPIPE_SZ"):
                assert pipes.widen_pipe(pipe) == pipes.GATHER_SECONDS
            monkeypatch.setattr(pipes, "fcntl", None)
            assert pipes.widen_pipe(pipe) == 0.0
    finally:
        os.close(read_end)
        os.close(write_end)


def test_the_log_is_drained_ahead_of_its_parsing_within_a_bound(
        repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """git's log is read by a thread of its own, held in memory up to a bound: with a bound
    of a few bytes the reading waits for the parsing at every chunk, and the result is the
    same. A drain closed early lets its thread end even while it waits at the bound."""
    import threading

    lifecycle(repo)
    paths = ["docs/0001-use-stripe.md", "docs/adyen.md"]
    unbounded = read_history(repo.root, paths, HistoryOptions(), "docs")
    monkeypatch.setattr(log, "DRAIN_BYTES", 10)
    monkeypatch.setattr(log, "PIPE_BYTES", 64)  # many small chunks
    monkeypatch.setattr(pipes, "PIPE_BYTES", 64)
    assert read_history(repo.root, paths, HistoryOptions(), "docs") == unbounded

    read_end, write_end = os.pipe()
    os.write(write_end, b"x" * 200)
    with open(read_end, "rb") as pipe:
        drain = log.Drain(pipe)
        chunks = drain.chunks()
        assert next(chunks) == b"x" * 64
        while drain._held <= 10:  # the reader holds more than the bound, then waits
            threading.Event().wait(0.01)
        drain.close()
        drain._thread.join(timeout=5)
        assert not drain._thread.is_alive()
    os.close(write_end)


@pytest.mark.parametrize(("batch", "ahead", "shared"), [(1, 1, 1), (2, 2, 3), (3, 100, 1000)])
def test_old_versions_left_at_the_end_are_shared_by_two_cat_files(
        repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int,
        ahead: int, shared: int) -> None:
    """While the log is read, one cat-file is kept a few requests ahead; what is left when
    the log ends goes to two, in turn, and each file is worked out once both have answered
    its requests. With batches of one to three versions (a file's versions spread over both
    cat-files), or with everything left to one, the result is that of the usual sizes; and
    a version git cannot find, or a reader that fails, ends the waiting."""
    lifecycle(repo)
    for n in range(4):
        for status in ("exploring", "proposed", "accepted"):
            repo.record(f"d{n}.md", DECISION.format(status=status), f"# D{n} {status}\n")
            repo.commit(f"d{n} {status}", f"2026-04-{1 + n:02d}")
    paths = ["docs/0001-use-stripe.md", "docs/pay/index.md", *(f"docs/d{n}.md" for n in range(4))]
    whole = read_history(repo.root, paths, HistoryOptions(), "docs")
    for name, value in (("_BATCH", batch), ("_AHEAD", ahead), ("_SHARED", shared),
                        ("_END_BATCH", batch)):
        monkeypatch.setattr(catfile.OldVersions, name, value)
    split = read_history(repo.root, paths, HistoryOptions(cache_dir=tmp_path / "c"), "docs")
    assert split.facts == whole.facts
    assert split.facts["docs/d3.md"].status_history[-1].status == "accepted"

    sha = repo.git("rev-parse", "HEAD~5:docs/d2.md").strip()
    (repo.root / ".git" / "objects" / sha[:2] / sha[2:]).unlink()
    gap = read_history(repo.root, paths, HistoryOptions(), "docs")
    assert any(w.startswith("docs/d2.md: git could not read 1 old version")
               for w in gap.warnings)

    monkeypatch.setattr(catfile, "read_version", unreadable)
    failed = read_history(repo.root, paths, HistoryOptions(), "docs")
    assert any("reading old versions of records failed: unreadable" in w
               for w in failed.warnings)


def test_waiting_for_a_request_waits_for_each_cat_file_holding_an_earlier_one() -> None:
    """A file is worked out once every request up to its last one is answered, by whichever
    cat-file it went to."""
    import threading
    from types import SimpleNamespace

    blobs = catfile.OldVersions(None, {})  # type: ignore[arg-type]  # no cat-file is started
    first = SimpleNamespace(places=[0, 1, 4, 5], answered=4)
    second = SimpleNamespace(places=[2, 3, 6], answered=1)
    blobs.workers = [first, second]  # type: ignore[list-item]
    blobs.sent = 7  # as after close(): every request sent
    done = threading.Event()
    waiter = threading.Thread(target=lambda: (blobs.wait_for(4), done.set()), daemon=True)
    waiter.start()
    assert not done.wait(0.2)  # the second has answered for place 2, not yet for 3
    with blobs._progress:
        second.answered = 2
        blobs._progress.notify_all()
    assert done.wait(5)
    waiter.join()
    blobs.wait_for(-1)  # a version whose facts were known: nothing to wait for


def test_a_failure_reading_old_versions_is_reported_not_hung(
        repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """If reading an old version fails, the rest of cat-file's answer (here 6 MB, more than
    a pipe holds) is still drained, so that git can finish and the build goes on."""
    body = "# Big\n" + "words " * 500_000
    repo.record("big.md", DECISION.format(status="exploring"), body)
    repo.commit("Big", "2026-01-05")
    repo.record("big.md", DECISION.format(status="proposed"), body + "more\n")
    repo.commit("Bigger", "2026-01-06")

    monkeypatch.setattr(catfile, "read_version", unreadable)
    result = read_history(repo.root, ["docs/big.md"], HistoryOptions(), "docs")
    assert any("reading old versions of records failed: unreadable" in w
               for w in result.warnings)


def test_a_read_that_fails_leaves_the_stored_cache_as_it_was(
        repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The log is written as soon as it is whole, beside the stored one; if reading the old
    versions then fails, the stored pair (log, facts of old versions) is left as it was, with
    nothing beside it, and the next build still builds on it."""
    lifecycle(repo)
    cache_dir = tmp_path / "cache"
    paths = ["docs/0001-use-stripe.md"]
    read_history(repo.root, paths, HistoryOptions(cache_dir=cache_dir), "docs")
    old_head = repo.git("rev-parse", "HEAD").strip()
    stored = {p.name: p.read_bytes() for p in cache_dir.iterdir()}
    repo.record("0001-use-stripe.md", DECISION.format(status="superseded"), "# Use Stripe\n")
    repo.commit("Supersede Stripe", "2026-04-01")

    with monkeypatch.context() as patched:
        patched.setattr(catfile, "read_version", unreadable)
        failed = read_history(repo.root, paths, HistoryOptions(cache_dir=cache_dir), "docs")
    assert any("reading old versions of records failed" in w for w in failed.warnings)
    assert {p.name: p.read_bytes() for p in cache_dir.iterdir()} == stored
    assert (cache_dir / "history-docs_.log").read_bytes().startswith(old_head.encode())
    again = read_history(repo.root, paths, HistoryOptions(cache_dir=cache_dir), "docs")
    assert again.facts[paths[0]].status_history[-1].status == "superseded"
    assert again.git_processes == 4  # rev-parse, merge-base, log of the new commit, cat-file


def test_gitpython_is_imported_only_when_git_is_run(repo: GitRepo) -> None:
    """Importing the modules that run git costs no GitPython import (nor its setting); it
    is imported by the first git command."""
    import subprocess
    import sys

    code = ("import os, sys, headway.catalog, headway.git, headway.authoring, headway.changes, "
            "headway.scaffold, headway.cli; "
            "print('git' in sys.modules, 'GIT_PYTHON_REFRESH' in os.environ); "
            "from headway.git import GitRunner; "
            "GitRunner(sys.argv[1]).answer('rev-parse', '--git-dir'); print('git' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k != "GIT_PYTHON_REFRESH"}
    result = subprocess.run([sys.executable, "-c", code, str(repo.root)], capture_output=True,
                            text=True, env=env)
    assert result.stdout.split() == ["False", "False", "True"], result.stderr
