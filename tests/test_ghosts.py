"""Deleted records' history (ghost trails): read from git up to their deletion, the same
through the cache as cold, in the odd cases."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import GitRepo, build
from test_flow import INITIATIVE, iv

API = "type: decision\ninitiative: checkout\ntitle: API"
UI = "type: decision\ninitiative: checkout\ntitle: UI"


def flow_of(export: dict[str, Any]) -> tuple[Any, ...]:
    """What block history gives: every record's intervals, and the blockers."""
    return ({r["id"]: r["block_history"] for r in export["records"]}, export["blockers"])


def built_each_time(repo: GitRepo, steps: list[Callable[[], None]]) -> tuple[Any, ...]:
    """Run the steps (each commits), building after each one through the cache; then the
    flow of the last build, checked against a cold build's."""
    export: dict[str, Any] = {}
    for step in steps:
        step()
        export = build(repo).export
    warm = flow_of(export)
    shutil.rmtree(repo.root / ".cache")
    cold = flow_of(build(repo).export)
    assert warm == cold
    return cold


def test_a_record_deleted_in_a_merge(repo: GitRepo) -> None:
    """Deleted on a branch, the deletion merged: gone from the day of the merge."""
    repo.record("checkout.md", INITIATIVE)
    repo.record("api.md", API)
    repo.record("ui.md", f"{UI}\ndepends_on: [api]")
    repo.commit("Start", "2026-01-05")
    repo.record("api.md", f"{API}\nstatus: accepted")
    repo.commit("API accepted", "2026-02-01")
    repo.git("checkout", "-q", "-b", "drop")
    repo.git("rm", "-q", "docs/api.md")
    repo.commit("API dropped", "2026-02-20")
    repo.git("checkout", "-q", "main")
    repo.record("checkout.md", INITIATIVE, "Who pays what.\n")
    repo.commit("Owner", "2026-02-25")
    repo.merge("drop", "Merge drop", "2026-03-01", "Bob Builder")
    repo.record("ui.md", UI)
    repo.commit("UI no longer depends on it", "2026-04-01")
    built = build(repo)
    assert built.records["ui"]["block_history"] == [
        iv("api", "record", "2026-01-05", "2026-02-01"),
        iv("api", "record", "2026-03-01", "2026-04-01")]


def commit_step(repo: GitRepo, date: str, **files: str | None) -> Callable[[], None]:
    """A step of built_each_time: files written (None: removed), committed on `date`."""
    def step() -> None:
        for name, front in files.items():
            path = f"{name.replace('__', '/')}.md"
            if front is None:
                repo.git("rm", "-q", f"docs/{path}")
            else:
                repo.record(path, front)
        repo.commit(f"Change of {date}", date)
    return step


def api_accepted(repo: GitRepo) -> list[Callable[[], None]]:
    """The first steps: ui depends on api (2026-01-05), which is accepted (2026-02-01)."""
    return [commit_step(repo, "2026-01-05", checkout=INITIATIVE, api=API,
                        ui=f"{UI}\ndepends_on: [api]"),
            commit_step(repo, "2026-02-01", api=f"{API}\nstatus: accepted")]


def move_step(repo: GitRepo, source: str, target: str, date: str) -> Callable[[], None]:
    """A step of built_each_time: `git mv source target`, committed on `date`."""
    def step() -> None:
        (repo.root / target).parent.mkdir(exist_ok=True)
        repo.git("mv", source, target)
        repo.commit(f"{source} to {target}", date)
    return step


def plain_step(repo: GitRepo, date: str) -> Callable[[], None]:
    """A step of built_each_time: api's front matter dropped (a plain page, not asked for)."""
    def step() -> None:
        repo.write("docs/api.md", "# API\n\nplain\n")
        repo.commit("plain", date)
    return step


@pytest.mark.expect_warnings("refers to 'api', which does not exist")
def test_deleted_and_written_again_several_times_through_the_cache(repo: GitRepo) -> None:
    """Each deletion is a ghost of its own; built after every commit as cold."""
    flow = built_each_time(repo, [
        *api_accepted(repo),
        commit_step(repo, "2026-03-01", api=None),
        commit_step(repo, "2026-04-01", api=API),
        commit_step(repo, "2026-05-01", api=None),
        commit_step(repo, "2026-06-01", api=f"{API}\nstatus: accepted"),
        commit_step(repo, "2026-07-01", ui=UI),
    ])
    assert flow[0]["ui"] == [iv("api", "record", "2026-01-05", "2026-02-01"),
                             iv("api", "record", "2026-03-01", "2026-06-01")]


@pytest.mark.expect_warnings("refers to 'api', which does not exist")
def test_a_deleted_record_whose_id_is_not_its_file_name(repo: GitRepo) -> None:
    """The ghost goes by its `id:`, not its file name."""
    flow = built_each_time(repo, [
        commit_step(repo, "2026-01-05", checkout=INITIATIVE, old_api=f"{API}\nid: api",
                    ui=f"{UI}\ndepends_on: [api]"),
        commit_step(repo, "2026-02-01", old_api=f"{API}\nid: api\nstatus: accepted"),
        commit_step(repo, "2026-03-01", old_api=None),
        commit_step(repo, "2026-04-01", ui=UI),
    ])
    assert flow[0]["ui"] == [iv("api", "record", "2026-01-05", "2026-02-01"),
                             iv("api", "record", "2026-03-01", "2026-04-01")]


@pytest.mark.expect_warnings("refers to 'api', which does not exist")
def test_moved_out_and_back_in(repo: GitRepo) -> None:
    """A record moved out of the docs folder and back is followed through: no ghost."""
    flow = built_each_time(repo, [
        *api_accepted(repo),
        move_step(repo, "docs/api.md", "archive/api.md", "2026-03-01"),
        move_step(repo, "archive/api.md", "docs/api.md", "2026-04-01"),
        commit_step(repo, "2026-05-01", ui=UI),
    ])
    assert flow[0]["ui"] == [iv("api", "record", "2026-01-05", "2026-02-01")]


@pytest.mark.expect_warnings("refers to 'api', which does not exist")
def test_a_page_no_longer_a_record_then_deleted_through_the_cache(repo: GitRepo) -> None:
    """api is a record, then a plain page (not asked for at the cached HEAD), then deleted."""
    flow = built_each_time(repo, [
        *api_accepted(repo),
        plain_step(repo, "2026-03-01"),
        commit_step(repo, "2026-04-01", api=None),
        commit_step(repo, "2026-05-01", ui=UI),
    ])
    assert flow[0]["ui"] == [iv("api", "record", "2026-01-05", "2026-02-01"),
                             iv("api", "record", "2026-03-01", "2026-05-01")]


@pytest.mark.expect_warnings("refers to 'api', which does not exist")
def test_moved_out_back_in_then_no_longer_a_record(repo: GitRepo) -> None:
    """api moved out and back in, then its front matter dropped: it is there now (a page,
    not asked for), so no ghost, whichever paths the cached build asked for; a dependency
    on it is unresolved all along, as on any record that became a plain page."""
    flow = built_each_time(repo, [
        *api_accepted(repo),
        move_step(repo, "docs/api.md", "archive/api.md", "2026-03-01"),
        move_step(repo, "archive/api.md", "docs/api.md", "2026-04-01"),
        plain_step(repo, "2026-05-01"),
        commit_step(repo, "2026-06-01", ui=UI),
    ])
    assert flow[0]["ui"] == [iv("api", "record", "2026-01-05", "2026-06-01")]


def test_deleted_then_written_again_before_a_commit(repo: GitRepo) -> None:
    """api deleted, then written again and built before it is committed: the deleted record
    is a ghost, and the new file has no history yet; once committed, the cache agrees with
    a cold read."""
    repo.record("checkout.md", INITIATIVE)
    repo.record("api.md", API)
    repo.record("ui.md", f"{UI}\ndepends_on: [api]")
    repo.commit("Start", "2026-01-05")
    repo.record("api.md", f"{API}\nstatus: accepted")
    repo.commit("API accepted", "2026-02-01")
    repo.git("rm", "-q", "docs/api.md")
    repo.commit("API dropped", "2026-03-01")
    repo.record("api.md", f"{API} again")
    built = build(repo)
    assert built.records["api"]["created"] != "2026-01-05"
    repo.commit("API again", "2026-04-01")
    warm = flow_of(build(repo).export)
    shutil.rmtree(repo.root / ".cache")
    assert warm == flow_of(build(repo).export)


def test_a_deleted_adr_goes_by_its_file_name(repo: GitRepo) -> None:
    """In an ADR folder, a deleted record's id is its file name's, as a current one's."""
    from test_adr import adr_site, nygard

    adr_site(repo)
    adr = "docs/architecture/adr/0002-use-postgres.md"
    repo.record("checkout.md", INITIATIVE)
    repo.write(adr, nygard(2, "Use Postgres", "Proposed"))
    repo.write("docs/architecture/adr/0001-record.md", nygard(1, "Record", "Accepted"))
    repo.record("ui.md", f"{UI}\ndepends_on: [0002-use-postgres]")
    repo.commit("Start", "2026-01-05")
    repo.write(adr, nygard(2, "Use Postgres", "Accepted"))
    repo.commit("Accepted", "2026-02-01")
    repo.git("rm", "-q", adr)
    repo.commit("Dropped", "2026-03-01")
    repo.record("ui.md", UI)
    repo.commit("UI no longer depends on it", "2026-04-01")
    assert build(repo).records["ui"]["block_history"] == [
        iv("0002-use-postgres", "record", "2026-01-05", "2026-02-01"),
        iv("0002-use-postgres", "record", "2026-03-01", "2026-04-01")]


@pytest.mark.parametrize("page", ["notes.md", "api.md"])
def test_a_deleted_files_missing_old_version_warns_of_nothing(repo: GitRepo, tmp_path: Path,
                                                               page: str) -> None:
    """An old version of a deleted file (a plain page, or a record) is gone from the clone:
    block history reads the file as far as git can, the records' own histories are whole,
    so there is no warning, `--strict` passes, and the next build reads from the cache."""
    repo.record("checkout.md", INITIATIVE)
    repo.record("ui.md", UI)
    repo.write(f"docs/{page}", "# Notes\n\nA first draft.\n" if page == "notes.md" else
               f"---\n{API}\n---\n\nA first draft.\n")
    repo.commit("Start", "2026-01-05")
    repo.write(f"docs/{page}", "# Notes\n\nA second draft.\n" if page == "notes.md" else
               f"---\n{API}\nstatus: proposed\n---\n\nA second draft.\n")
    repo.commit("Second draft", "2026-02-01")
    repo.git("rm", "-q", f"docs/{page}")
    repo.commit("Dropped", "2026-03-01")
    clone = GitRepo(tmp_path / "copy", "docs", env=repo.env)
    subprocess.run(["git", "clone", "-q", "--no-hardlinks", str(repo.root), str(clone.root)],
                   check=True, capture_output=True, env={**os.environ, **repo.env})
    clone.mkdocs_yml()
    old = clone.git("rev-parse", f"HEAD~2:docs/{page}").strip()  # the first draft
    (clone.root / ".git" / "objects" / old[:2] / old[2:]).unlink()
    built = build(clone, strict=True)
    assert built.warnings == []
    assert built.records["ui"]["created"] == "2026-01-05"
    assert any((clone.root / ".cache").rglob("facts-*.json"))  # kept: not incomplete
