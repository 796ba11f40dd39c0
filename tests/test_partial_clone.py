"""History in the repositories CI really checks out: blobless partial clones, and copies that
lack objects (a record's old version, or a binary file no record touches)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import GitRepo, build, init_repo

from headway.cli import main

DECISION = "type: decision\ninitiative: pay\nstatus: {status}\n"
FACTS = ("created", "updated", "authors", "status_history", "path")


def _binary(size: int, seed: int) -> bytes:
    """Bytes that do not compress (as a .dll or .nupkg), the same on every run."""
    out = bytearray()
    state = seed
    while len(out) < size:
        state = (state * 6364136223846793005 + 1442695040888963407) % (1 << 64)
        out += state.to_bytes(8, "little")
    return bytes(out[:size])


def _origin(tmp_path: Path) -> GitRepo:
    """Records with a status history and an inexact rename, beside large binary files that
    are renamed and modified (git's rename detection compares their contents), deleted and
    added; a remote a partial clone may fetch single objects from."""
    repo = init_repo(tmp_path / "origin")
    repo.mkdocs_yml()
    repo.write("docs/index.md", "# Home\n")
    bins = repo.root / "bin"
    bins.mkdir()
    (bins / "tool.dll").write_bytes(_binary(400_000, 1))
    (bins / "pkg.nupkg").write_bytes(_binary(300_000, 2))
    repo.record("pay/index.md", "type: initiative\n", "# Payments\n")
    repo.record("use-stripe.md", DECISION.format(status="exploring"), "# Use Stripe\n")
    repo.commit("Explore payment providers, vendor the tools", "2026-01-05", "Maya Chen")
    repo.record("use-stripe.md", DECISION.format(status="exploring"), "# Use Stripe\n\nWhy.\n")
    (bins / "pkg.nupkg").write_bytes(_binary(300_000, 3))
    repo.commit("Say why, new package", "2026-02-01", "Raj Patel")
    repo.git("mv", "bin/tool.dll", "bin/tool-v2.dll")
    (bins / "tool-v2.dll").write_bytes(_binary(400_000, 1) + b"patched")
    repo.git("mv", "docs/use-stripe.md", "docs/0001-use-stripe.md")
    repo.record("0001-use-stripe.md", DECISION.format(status="exploring"),
                "# Use Stripe\n\nWhy, at more length.\n")
    repo.commit("Number the decisions, tool v2", "2026-02-10", "Sam Ortiz")
    (bins / "pkg.nupkg").unlink()
    (bins / "other.nupkg").write_bytes(_binary(300_000, 4))
    repo.record("0001-use-stripe.md", DECISION.format(status="proposed"),
                "# Use Stripe\n\nWhy, at more length.\n")
    repo.record("learn.md", "type: learning\ninitiative: pay\n", "# What fees?\n")
    repo.commit("Propose Stripe, replace the package, ask about fees", "2026-02-20",
                "Raj Patel")
    repo.record("0001-use-stripe.md", DECISION.format(status="accepted"),
                "# Use Stripe\n\nWhy, at more length.\n")
    repo.record("learn.md", "type: learning\ninitiative: pay\nstatus: done\n", "# What fees?\n")
    repo.commit("Accept Stripe", "2026-03-15", "Maya Chen")
    repo.git("config", "uploadpack.allowFilter", "true")
    repo.git("config", "uploadpack.allowAnySHA1InWant", "true")
    return repo


def _clone(origin: GitRepo, dest: Path, *options: str) -> GitRepo:
    source = f"file://{origin.root}" if "--filter=blob:none" in options else str(origin.root)
    subprocess.run(["git", "clone", "-q", *options, source, str(dest)], check=True,
                   env={**os.environ, **origin.env}, capture_output=True)
    clone = GitRepo(dest, "docs", env=origin.env)
    clone.mkdocs_yml()  # the same config (not committed: .gitignore has site/ only)
    return clone


def _blobs(repo: GitRepo) -> set[str]:
    """The blobs the clone holds now (listing them fetches nothing)."""
    out = repo.git("cat-file", "--batch-all-objects", "--batch-check=%(objectname) %(objecttype)")
    return {line.split()[0] for line in out.splitlines() if line.endswith(" blob")}


def _versions(repo: GitRepo, folder: str) -> set[str]:
    """Every blob any commit gave a file under `folder`."""
    out = repo.git("log", "--format=", "--raw", "--no-abbrev", "--no-renames", "HEAD", "--",
                   folder)
    return {field for line in out.splitlines() for field in line.split()[2:4]} - {"0" * 40}


def _facts(records: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {rid: {k: rec[k] for k in FACTS} for rid, rec in records.items()}


def test_blobless_clone_reads_full_history_fetching_only_record_versions(
        tmp_path: Path) -> None:
    origin = _origin(tmp_path)
    full = build(origin, strict=True)
    clone = _clone(origin, tmp_path / "ci", "--filter=blob:none")
    packs = clone.root / ".git" / "objects" / "pack"
    fetches_before = len(list(packs.glob("*.promisor")))
    before = _blobs(clone)
    records, binaries = _versions(origin, "docs"), _versions(origin, "bin")
    assert len(binaries - before) == 3  # the old binaries are not in the clone

    built = build(clone, strict=True)

    fetched = _blobs(clone) - before
    assert fetched and fetched <= records  # old versions of records, and nothing else
    assert not (binaries - before) & _blobs(clone)
    # In batches (git's own for the one renamed record, then headway's), not one by one.
    assert len(list(packs.glob("*.promisor"))) - fetches_before <= 2 < len(fetched)
    assert built.warnings == []
    assert _facts(built.records) == _facts(full.records)
    stripe = built.records["0001-use-stripe"]
    assert [(s["status"], s["date"]) for s in stripe["status_history"]] == [
        ("exploring", "2026-01-05"), ("proposed", "2026-02-20"), ("accepted", "2026-03-15")]
    assert stripe["authors"] == ["Maya Chen", "Raj Patel", "Sam Ortiz"]

    again = _blobs(clone)
    assert _facts(build(clone, strict=True).records) == _facts(full.records)
    assert _blobs(clone) == again  # a second build (cached) fetches nothing


def test_blobless_clone_whose_remote_is_gone_warns_per_record(tmp_path: Path) -> None:
    """The promisor remote cannot be reached: the versions it would give are named per
    record, what can be known is kept (the renamed record's history from its rename: git
    could not compare its two sides), and the build says so."""
    origin = _origin(tmp_path)
    clone = _clone(origin, tmp_path / "ci", "--filter=blob:none")
    clone.git("remote", "set-url", "origin", f"file://{tmp_path / 'gone'}")
    built = build(clone)
    stripe = built.records["0001-use-stripe"]
    assert stripe["created"] == "2026-02-10" and stripe["updated"] == "2026-03-15"
    assert stripe["status_history"][-1]["status"] == "accepted"
    assert built.records["learn"]["created"] == "2026-02-20"
    assert any("promisor remote 'origin' failed (fatal: " in w for w in built.warnings)
    assert any("renames are not followed" in w for w in built.warnings)
    assert any("docs/0001-use-stripe.md: git could not read" in w
               for w in built.warnings)


def _loose_clone(tmp_path: Path) -> tuple[GitRepo, GitRepo]:
    origin = _origin(tmp_path)
    clone = _clone(origin, tmp_path / "copy", "--no-hardlinks")  # objects copied, loose
    return origin, clone


def _drop(repo: GitRepo, name: str) -> None:
    loose = repo.root / ".git" / "objects" / name[:2] / name[2:]
    assert loose.is_file()
    loose.unlink()


def test_a_missing_unrelated_object_leaves_every_record_its_history(tmp_path: Path) -> None:
    """The old version of a binary file that was renamed and modified is gone: git's log
    over the whole repository dies on it (rename detection reads it), yet every record keeps
    its history, with no warning, and export exits 0."""
    origin, clone = _loose_clone(tmp_path)
    old_tool = clone.git("rev-parse", "HEAD~3:bin/tool.dll").strip()
    _drop(clone, old_tool)
    log = subprocess.run(["git", "log", "-M", "--raw", "HEAD"], cwd=clone.root,
                         capture_output=True, env={**os.environ, **clone.env})
    assert log.returncode != 0  # what emptied every record's history before
    built = build(clone, strict=True)
    assert built.warnings == []
    assert _facts(built.records) == _facts(build(origin).records)


def test_a_records_missing_old_version_is_named_and_fails_strict(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
        ) -> None:
    """A record's own old version is gone: a warning names the record and the commit, the
    rest of its history is kept, `--strict` fails and `headway export` exits 1."""
    from mkdocs.exceptions import Abort

    origin, clone = _loose_clone(tmp_path)
    commit = clone.git("rev-parse", "HEAD~1").strip()  # Propose Stripe
    _drop(clone, clone.git("rev-parse", f"{commit}:docs/0001-use-stripe.md").strip())
    built = build(clone)
    warning = next(w for w in built.warnings if "git could not read" in w)
    assert "docs/0001-use-stripe.md: git could not read 1 old version" in warning
    assert f"{commit[:12]} of 2026-02-20" in warning
    stripe = built.records["0001-use-stripe"]
    assert stripe["created"] == "2026-01-05" and stripe["updated"] == "2026-03-15"
    assert stripe["authors"] == ["Maya Chen", "Raj Patel", "Sam Ortiz"]
    # The proposed version cannot be read: the step to it is not known, the rest is.
    assert [(s["status"], s["date"]) for s in stripe["status_history"]] == [
        ("exploring", "2026-01-05"), ("accepted", "2026-03-15")]
    others = _facts(build(origin).records)
    assert {k: v for k, v in _facts(built.records).items() if k != "0001-use-stripe"} == \
        {k: v for k, v in others.items() if k != "0001-use-stripe"}
    with pytest.raises(Abort):
        build(clone, strict=True)
    monkeypatch.chdir(clone.root)
    capsys.readouterr()
    assert main(["export", "-o", str(tmp_path / "records.json")]) == 1
    err = capsys.readouterr().err
    assert "warning: docs/0001-use-stripe.md: git could not read 1 old version" in err
    assert (tmp_path / "records.json").is_file()


def test_a_missing_version_git_needs_for_a_rename_keeps_the_rest(tmp_path: Path) -> None:
    """The version a record was renamed from is gone: git cannot pair the rename even among
    Markdown files, so the log is read without renames, with a warning that says so; every
    other record keeps its history."""
    origin, clone = _loose_clone(tmp_path)
    _drop(clone, clone.git("rev-parse", "HEAD~3:docs/use-stripe.md").strip())
    built = build(clone)
    assert any("renames are not followed" in w for w in built.warnings)
    assert built.records["0001-use-stripe"]["created"] == "2026-02-10"  # from the rename on
    assert built.records["0001-use-stripe"]["updated"] == "2026-03-15"
    others = _facts(build(origin).records)
    assert {k: v for k, v in _facts(built.records).items() if k != "0001-use-stripe"} == \
        {k: v for k, v in others.items() if k != "0001-use-stripe"}
    again = build(clone)  # the incomplete result was not cached: the next build says it too
    assert any("renames are not followed" in w for w in again.warnings)
    assert (clone.root / ".cache" / "headway").is_dir()


def test_history_git_cannot_read_at_all_is_not_lost_silently(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
        ) -> None:
    """A tree git needs to compare two commits is gone: no log can be read. Every record is
    still published, the build warns, and export exits 1 (never a traceback)."""
    _, clone = _loose_clone(tmp_path)
    _drop(clone, clone.git("rev-parse", "HEAD~2^{tree}").strip())
    built = build(clone)
    assert any("history is left empty" in w for w in built.warnings)
    assert {"pay", "0001-use-stripe", "learn"} <= set(built.records)
    monkeypatch.chdir(clone.root)
    capsys.readouterr()
    assert main(["export", "-o", str(tmp_path / "records.json")]) == 1
    assert "history is left empty" in capsys.readouterr().err
