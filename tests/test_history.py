"""Dates, authors and status history from git: one pass, renames, merges, cache, bad repos."""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import GitRepo, build, init_repo, run_mkdocs

from headway.git import HistoryOptions, read_history

DECISION = "type: decision\ninitiative: pay\nstatus: {status}\n"


def lifecycle(repo: GitRepo) -> None:
    """A decision proposed, renamed, accepted; several authors; a learning never touched."""
    repo.record("pay/index.md", "type: initiative\n", "# Payments\n")
    repo.record("use-stripe.md", DECISION.format(status="exploring"), "# Use Stripe\n")
    repo.commit("Explore payment providers", "2026-01-05", "Maya Chen")
    repo.record("use-stripe.md", DECISION.format(status="exploring"), "# Use Stripe\n\nMore.\n")
    repo.commit("Add context", "2026-01-20", "Raj Patel")
    repo.record("use-stripe.md", DECISION.format(status="proposed"), "# Use Stripe\n\nMore.\n")
    repo.commit("Propose Stripe", "2026-02-01", "Maya Chen")
    repo.git("mv", "docs/use-stripe.md", "docs/0001-use-stripe.md")
    repo.commit("Number the decisions", "2026-02-10", "Sam Ortiz")
    repo.record("0001-use-stripe.md", DECISION.format(status="accepted"),
                "# Use Stripe\n\nMore.\n")
    repo.commit("Accept Stripe", "2026-03-15", "Maya Chen")


def test_dates_authors_history_and_renames(repo: GitRepo) -> None:
    lifecycle(repo)
    repo.record("draft.md", "type: learning\ninitiative: pay\n", "# Draft\n")  # not committed
    built = build(repo, strict=True)
    rec = built.records["0001-use-stripe"]
    assert rec["created"] == "2026-01-05"
    assert rec["updated"] == "2026-03-15"
    assert rec["authors"] == ["Maya Chen", "Raj Patel", "Sam Ortiz"]
    assert [(s["status"], s["date"], s["author"]) for s in rec["status_history"]] == [
        ("exploring", "2026-01-05", "Maya Chen"),
        ("proposed", "2026-02-01", "Maya Chen"),
        ("accepted", "2026-03-15", "Maya Chen"),
    ]
    assert all(len(s["commit"]) == 40 for s in rec["status_history"])
    draft = built.records["draft"]
    assert draft["uncommitted"] is True and draft["status_history"] == []
    assert draft["created"] == "2026-09-25"  # today (SOURCE_DATE_EPOCH in tests)

    page = built.html("0001-use-stripe/")
    assert '<time datetime="2026-01-05">' in page
    assert page.count('class="hw-badge hw-status-') >= 3
    assert "Sam Ortiz" in page and "Raj Patel" in page
    assert "uncommitted" in built.html("draft/")


def test_history_panel_links_commits_when_repo_url_is_set(repo: GitRepo) -> None:
    lifecycle(repo)
    head = repo.git("rev-parse", "HEAD").strip()
    repo.mkdocs_yml("repo_url: https://github.com/acme/records\n")
    page = build(repo).html("0001-use-stripe/")
    assert f'href="https://github.com/acme/records/commit/{head}"' in page
    assert f"<code>{head[:7]}</code>" in page


def test_default_status_and_front_matter_date(repo: GitRepo) -> None:
    repo.record("pay/index.md", "type: initiative\n")
    repo.record("l.md", "type: learning\ninitiative: pay\ndate: 2025-12-24\n")
    repo.commit("Learning", "2026-01-05")
    repo.record("l.md", "type: learning\ninitiative: pay\ndate: 2025-12-24\nstatus: done\n")
    repo.commit("Done", "2026-01-09")
    built = build(repo)
    rec = built.records["l"]
    assert [(s["status"], s["date"]) for s in rec["status_history"]] == [
        ("open", "2026-01-05"), ("done", "2026-01-09")]
    assert rec["created"] == "2026-01-05" and rec["date"] == "2025-12-24"
    assert '<time datetime="2025-12-24">' in built.html("l/")  # shown, not the history


def unreadable(*args: object) -> object:
    """In place of history's reading of an old version: reading it fails."""
    raise ValueError("unreadable")


def pull_request(repo: GitRepo) -> None:
    repo.record("pay/index.md", "type: initiative\n")
    repo.record("d.md", DECISION.format(status="proposed"))
    repo.commit("Propose", "2026-04-01", "Maya Chen")
    repo.git("checkout", "-q", "-b", "accept-d")
    repo.record("d.md", DECISION.format(status="accepted"))
    repo.commit("Accept d", "2026-04-03", "Raj Patel")
    repo.git("checkout", "-q", "main")
    repo.record("other.md", "type: learning\ninitiative: pay\n")
    repo.commit("Unrelated work on main", "2026-04-05", "Sam Ortiz")
    repo.merge("accept-d", "Merge pull request #1", "2026-04-10", "Merge Bot")


def test_a_change_counts_when_it_lands_on_the_main_line(repo: GitRepo) -> None:
    pull_request(repo)
    rec = build(repo).records["d"]
    assert [(s["status"], s["date"], s["author"]) for s in rec["status_history"]] == [
        ("proposed", "2026-04-01", "Maya Chen"), ("accepted", "2026-04-10", "Raj Patel")]
    assert rec["authors"] == ["Maya Chen", "Raj Patel"]
    assert rec["updated"] == "2026-04-10"


def test_every_commit_a_merge_brings_in_counts_for_its_author(repo: GitRepo) -> None:
    """A pull request of three commits by two people: each commit counts for its author
    (most commits first), not one per merge for the newest of them."""
    pull_request(repo)
    repo.git("checkout", "-q", "-b", "tidy-d")
    for day, text, author in (("2026-04-12", "Why", "Eve Adams"), ("2026-04-13", "Risks",
                              "Eve Adams"), ("2026-04-14", "Typo", "Raj Patel")):
        repo.record("d.md", DECISION.format(status="accepted"), f"# D\n\n{text}\n")
        repo.commit(text, day, author)
    repo.git("checkout", "-q", "main")
    repo.merge("tidy-d", "Merge pull request #2", "2026-04-15", "Merge Bot")
    rec = build(repo).records["d"]
    assert rec["authors"] == ["Eve Adams", "Raj Patel", "Maya Chen"]  # 2, 2 (a tie), 1
    assert rec["updated"] == "2026-04-15"


def test_a_merge_of_main_into_the_branch_is_nobodys_commit(repo: GitRepo) -> None:
    """GitHub's "Update branch" merges main into a pull request: what it brings is Sam's, on
    main already, not the merger's. And the newest commit is told by its instant, not by its
    text: 08:00-10:00 is later than 12:00+00:00."""
    body = "# D\n\n" + "".join(f"{n}\n" for n in range(12))
    pull_request(repo)
    repo.record("d.md", DECISION.format(status="accepted"), body)
    repo.commit("Body", "2026-04-11", "Maya Chen")
    repo.git("checkout", "-q", "-b", "retire-d")
    repo.record("d.md", DECISION.format(status="accepted"), body + "Why\n")
    repo.commit("Why", "2026-04-13T12:00:00+00:00", "Eve Adams")
    repo.git("checkout", "-q", "main")
    repo.record("d.md", DECISION.format(status="accepted"), body.replace("# D", "# Decision D"))
    repo.commit("Title", "2026-04-13T13:00:00+00:00", "Sam Ortiz")
    repo.git("checkout", "-q", "retire-d")
    repo.merge("main", "Merge branch 'main' into retire-d", "2026-04-13T14:00:00+00:00",
               "Eve Adams")
    text = (repo.root / "docs/d.md").read_text().replace("status: accepted", "status: deprecated")
    (repo.root / "docs/d.md").write_text(text)
    repo.commit("Deprecate", "2026-04-13T08:00:00-10:00", "Raj Patel")
    repo.git("checkout", "-q", "main")
    repo.merge("retire-d", "Merge pull request #3", "2026-04-15T12:00:00+00:00", "Merge Bot")
    rec = build(repo).records["d"]
    # Maya 2 (Propose, Body), Raj 2 (Accept d, Deprecate), Eve 1 (Why), Sam 1 (Title)
    assert rec["authors"] == ["Maya Chen", "Raj Patel", "Eve Adams", "Sam Ortiz"]
    assert rec["status_history"][-1]["status"] == "deprecated"
    assert rec["status_history"][-1]["author"] == "Raj Patel"


def test_all_commits_option_dates_the_branch_commit(repo: GitRepo) -> None:
    pull_request(repo)
    repo.mkdocs_yml(plugins="  - headway:\n      first_parent: false\n")
    rec = build(repo).records["d"]
    assert [(s["status"], s["date"]) for s in rec["status_history"]] == [
        ("proposed", "2026-04-01"), ("accepted", "2026-04-03")]


def test_all_commits_mode_compares_each_commit_with_its_parent(repo: GitRepo,
                                                              tmp_path: Path) -> None:
    """Two pull requests open side by side: A moves the decision on; B, forked before, only
    adds a note (its copy still says exploring). A is merged, then B. Walked in git's order,
    B's commit comes after A's: compared with it, B seemed to put the status back."""
    body = "# D\n\n" + "".join(f"{n}\n" for n in range(12))
    repo.record("pay/index.md", "type: initiative\n")
    repo.record("d.md", DECISION.format(status="exploring"), body)
    repo.commit("Explore", "2024-01-01", "Alice Smith")
    repo.git("checkout", "-q", "-b", "a")
    repo.record("d.md", DECISION.format(status="proposed"), body)
    repo.commit("Propose", "2024-01-02", "Ann Lee")
    repo.git("checkout", "-q", "-b", "b", "main")
    repo.record("d.md", DECISION.format(status="exploring"), body + "A note\n")
    repo.commit("Note", "2024-01-05", "Ben Ray")
    repo.git("checkout", "-q", "a")
    repo.record("d.md", DECISION.format(status="accepted"), body)
    repo.commit("Accept", "2024-01-10", "Ann Lee")
    repo.git("checkout", "-q", "main")
    repo.merge("a", "Merge pull request #1", "2024-01-11", "Merge Bot")
    repo.merge("b", "Merge pull request #2", "2024-01-12", "Merge Bot")
    assert "status: accepted" in (repo.root / "docs/d.md").read_text()
    options = HistoryOptions(first_parent=False, cache_dir=tmp_path / "cache")
    for _ in range(2):  # from git, then from the cache
        facts = read_history(repo.root, ["docs/d.md"], options, "docs").facts["docs/d.md"]
        assert [(s.status, s.date.date().isoformat(), s.author) for s in facts.status_history] == [
            ("exploring", "2024-01-01", "Alice Smith"), ("proposed", "2024-01-02", "Ann Lee"),
            ("accepted", "2024-01-10", "Ann Lee")]
        assert facts.updated.date().isoformat() == "2024-01-10"  # the newest, though walked before B's


def test_detached_head(repo: GitRepo) -> None:
    lifecycle(repo)
    repo.git("checkout", "-q", "--detach", "HEAD")
    built = build(repo, strict=True)
    assert built.records["0001-use-stripe"]["created"] == "2026-01-05"


def test_cache_reads_only_new_commits(repo: GitRepo, tmp_path: Path) -> None:
    lifecycle(repo)
    paths = ["docs/0001-use-stripe.md", "docs/pay/index.md"]
    cache = HistoryOptions(cache_dir=tmp_path / "cache")
    cold = read_history(repo.root, paths, cache, "docs")
    assert cold.git_processes == 3  # rev-parse, log, cat-file
    warm = read_history(repo.root, paths, cache, "docs")
    assert warm.git_processes == 1 and warm.facts == cold.facts  # no log, no blobs
    repo.record("0001-use-stripe.md", DECISION.format(status="deprecated"), "# Use Stripe\n")
    repo.commit("Deprecate", "2026-06-01", "Raj Patel")
    after = read_history(repo.root, paths, cache, "docs")
    fresh = read_history(repo.root, paths, HistoryOptions(), "docs")
    assert after.facts == fresh.facts
    assert after.facts["docs/0001-use-stripe.md"].status_history[-1].status == "deprecated"
    assert after.git_processes == 4  # rev-parse, merge-base, log of the new commit, cat-file
    (tmp_path / "cache" / "history-docs_.json").write_text("{not json")
    assert read_history(repo.root, paths, cache, "docs").facts == fresh.facts


def test_cache_keeps_what_it_needs_of_other_commits(repo: GitRepo, tmp_path: Path) -> None:
    """The stored log keeps only the header of a commit that touched no record (code, say),
    and a stored log cut short (another build writing it) is read again from git."""
    lifecycle(repo)
    repo.write("src/app.py", "print('x')\n" * 200)
    repo.commit("Code only", "2026-04-01", "Raj Patel")
    code_only = repo.git("rev-parse", "HEAD").strip()
    repo.git("checkout", "-q", "-b", "topic")
    repo.record("0001-use-stripe.md", DECISION.format(status="deprecated"), "# Use Stripe\n")
    repo.commit("Deprecate on a branch", "2026-05-01", "Sam Ortiz")
    repo.git("checkout", "-q", "main")
    repo.merge("topic", "Merge topic", "2026-05-03", "Maya Chen")
    paths = ["docs/0001-use-stripe.md", "docs/pay/index.md"]
    cache = HistoryOptions(cache_dir=tmp_path / "cache")
    read_history(repo.root, paths, cache, "docs")
    stored = (tmp_path / "cache" / "history-docs_.log").read_bytes()
    assert code_only.encode() in stored and b"src/app.py" not in stored  # header only
    assert stored.count(b"\x1e") == int(repo.git("rev-list", "--count", "--all"))
    repo.write("src/app.py", "print('y')\n")
    repo.commit("More code", "2026-06-01", "Raj Patel")
    fresh = read_history(repo.root, paths, HistoryOptions(), "docs").facts
    assert read_history(repo.root, paths, cache, "docs").facts == fresh  # one new commit
    stripe = fresh["docs/0001-use-stripe.md"]
    assert (stripe.status_history[-1].status, stripe.status_history[-1].author,
            stripe.status_history[-1].date.date().isoformat()) == ("deprecated", "Sam Ortiz", "2026-05-03")
    log = tmp_path / "cache" / "history-docs_.log"
    log.write_bytes(log.read_bytes()[:-40])
    (tmp_path / "cache" / "facts-docs_-first-parent.json").unlink()
    again = read_history(repo.root, paths, cache, "docs")
    assert again.facts == fresh and again.git_processes == 3  # read from git in full


def test_main_line_printed_out_of_order_by_a_wrong_clock(repo: GitRepo, tmp_path: Path
                                                         ) -> None:
    """git's date order prints a main-line commit before its child when the child's clock
    was behind: the walk holds it until the main line reaches it, in both modes and from
    the cache, so no step of the status history is lost."""
    repo.record("pay/index.md", "type: initiative\n", "# Payments\n")
    repo.record("use-stripe.md", DECISION.format(status="exploring"), "# Use Stripe\n")
    repo.commit("Explore", "2026-01-01", "Maya Chen")
    repo.record("use-stripe.md", DECISION.format(status="proposed"), "# Use Stripe\n")
    repo.commit("Propose", "2026-03-10", "Raj Patel")
    repo.git("checkout", "-q", "-b", "topic")
    repo.record("learned.md", "type: learning\ninitiative: pay\n", "# Learned\n")
    repo.commit("Learn on a branch", "2026-03-05", "Sam Ortiz")
    repo.git("checkout", "-q", "main")
    repo.record("use-stripe.md", DECISION.format(status="accepted"), "# Use Stripe\n")
    repo.commit("Accept, on a machine whose clock is behind", "2026-03-01", "Maya Chen")
    repo.merge("topic", "Merge topic", "2026-03-15", "Maya Chen")
    printed = repo.git("log", "--format=%s").splitlines()
    assert printed.index("Propose") < printed.index("Accept, on a machine whose clock is behind")
    paths = ["docs/use-stripe.md", "docs/learned.md"]
    expected = [("exploring", "2026-01-01", "Maya Chen"), ("proposed", "2026-03-10", "Raj Patel"),
                ("accepted", "2026-03-01", "Maya Chen")]
    for first_parent in (True, False):
        cache = HistoryOptions(first_parent=first_parent, cache_dir=tmp_path / "cache")
        for _ in range(2):  # from git, then from the cache
            facts = read_history(repo.root, paths, cache, "docs").facts
            stripe = facts["docs/use-stripe.md"]
            assert [(s.status, str(s.date.date()), s.author) for s in stripe.status_history] == expected
            assert stripe.created.date().isoformat() == "2026-01-01"
            assert facts["docs/learned.md"].created.date().isoformat() == (
                "2026-03-15" if first_parent else "2026-03-05")
            (tmp_path / "cache" / f"facts-docs_{'' if first_parent else '-topo'}-"
             f"{'first-parent' if first_parent else 'all'}.json").unlink()


def test_cache_survives_a_rewritten_history(repo: GitRepo, tmp_path: Path) -> None:
    lifecycle(repo)
    paths = ["docs/0001-use-stripe.md"]
    cache = HistoryOptions(cache_dir=tmp_path / "cache")
    read_history(repo.root, paths, cache, "docs")
    repo.git("reset", "-q", "--hard", "HEAD~1")
    repo.record("0001-use-stripe.md", DECISION.format(status="rejected"), "# Use Stripe\n")
    repo.commit("Reject instead", "2026-03-16")
    facts = read_history(repo.root, paths, cache, "docs").facts["docs/0001-use-stripe.md"]
    assert [s.status for s in facts.status_history] == ["exploring", "proposed", "rejected"]


def _new_commits(repo: GitRepo, scenario: str) -> None:
    """Commits made after a cached build, one kind of change per scenario."""
    if scenario == "status":
        repo.record("0001-use-stripe.md", DECISION.format(status="deprecated"), "# Stripe\n")
        repo.commit("Deprecate", "2026-04-01", "Raj Patel")
    elif scenario == "rename":
        repo.git("mv", "docs/0001-use-stripe.md", "docs/pay/0001-use-stripe.md")
        repo.commit("Move under the initiative", "2026-04-01", "Sam Ortiz")
        repo.record("pay/0001-use-stripe.md",
                    DECISION.format(status="superseded") + "superseded_by: adyen\n",
                    "# Use Stripe\n")
        repo.commit("Superseded", "2026-04-02", "Raj Patel")
    elif scenario == "new record":
        repo.record("adyen.md", DECISION.format(status="proposed") + "depends_on: [pay]\n")
        repo.commit("Propose Adyen", "2026-04-01", "Ana Lima")
    elif scenario == "depends":
        repo.record("0001-use-stripe.md",
                    DECISION.format(status="accepted") + "depends_on: [pay]\n", "# Stripe\n")
        repo.commit("Depend on the initiative", "2026-04-01", "Raj Patel")
    elif scenario == "merge":
        repo.git("checkout", "-q", "-b", "topic")
        repo.record("0001-use-stripe.md", DECISION.format(status="deprecated"), "# Stripe\n")
        repo.commit("Deprecate on a branch", "2026-04-01", "Ana Lima")
        repo.record("adyen.md", DECISION.format(status="exploring"))
        repo.commit("Explore Adyen on the branch", "2026-04-02", "Ana Lima")
        repo.git("checkout", "-q", "main")
        repo.merge("topic", "Merge pull request #2", "2026-04-05", "Merge Bot")


@pytest.mark.parametrize("first_parent", [True, False], ids=["first-parent", "all"])
@pytest.mark.parametrize("scenario", ["status", "rename", "new record", "depends", "merge"])
def test_a_rebuild_extends_the_cached_facts_with_the_new_commits(
        repo: GitRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenario: str,
        first_parent: bool) -> None:
    """After new commits, the cached facts are extended by the new commits alone (the
    stored log is not even parsed), and come out exactly as a read of the whole history."""
    import headway.git.cache as cache

    lifecycle(repo)
    options = HistoryOptions(first_parent=first_parent, cache_dir=tmp_path / "cache")
    before = ["docs/0001-use-stripe.md", "docs/pay/index.md"]
    read_history(repo.root, before, options, "docs")
    _new_commits(repo, scenario)
    after = [p for p in ["docs/0001-use-stripe.md", "docs/pay/0001-use-stripe.md",
                         "docs/pay/index.md", "docs/adyen.md"] if (repo.root / p).exists()]
    whole = read_history(repo.root, after, HistoryOptions(first_parent=first_parent), "docs")
    parsed: list[int] = []
    real_parse = cache.parse_log
    monkeypatch.setattr(cache, "parse_log",
                        lambda raw: parsed.append(1) or real_parse(raw))
    extended = read_history(repo.root, after, options, "docs")
    assert extended.facts == whole.facts and extended.warnings == whole.warnings
    assert parsed == []  # the stored log was not parsed
    again = read_history(repo.root, after, options, "docs")  # and the result is cached
    assert again.facts == whole.facts and again.git_processes == 1


def test_a_rebuild_walks_the_stored_log_when_the_new_commits_do_not_suffice(
        repo: GitRepo, tmp_path: Path) -> None:
    """A record the cached build did not ask for (its history is in old commits), and a
    cached HEAD that came in on a merged branch (the main line does not pass through it):
    the stored log is walked, with the same result as a whole read."""
    lifecycle(repo)
    options = HistoryOptions(cache_dir=tmp_path / "cache")
    read_history(repo.root, ["docs/0001-use-stripe.md"], options, "docs")
    repo.write("README.md", "code\n")
    repo.commit("Unrelated", "2026-04-01")
    both = ["docs/0001-use-stripe.md", "docs/pay/index.md"]
    assert read_history(repo.root, both, options, "docs").facts == \
        read_history(repo.root, both, HistoryOptions(), "docs").facts
    repo.git("checkout", "-q", "-b", "topic")
    repo.record("0001-use-stripe.md", DECISION.format(status="deprecated"), "# Stripe\n")
    repo.commit("Deprecate on a branch", "2026-04-02", "Ana Lima")
    read_history(repo.root, both, options, "docs")  # a build of the branch
    repo.git("checkout", "-q", "main")
    repo.record("pay/index.md", "type: initiative\nstatus: done\n", "# Payments\n")
    repo.commit("Payments done", "2026-04-03", "Raj Patel")
    repo.merge("topic", "Merge pull request #3", "2026-04-05", "Merge Bot")
    assert read_history(repo.root, both, options, "docs").facts == \
        read_history(repo.root, both, HistoryOptions(), "docs").facts


def test_an_old_version_git_cannot_find_is_reported_on_every_build(repo: GitRepo,
                                                                    tmp_path: Path) -> None:
    """A version whose object is gone: a warning, and the result is not cached (a later
    build would build on the gap and no longer say so)."""
    lifecycle(repo)
    sha = repo.git("rev-parse", "HEAD~3:docs/use-stripe.md").strip()
    (repo.root / ".git" / "objects" / sha[:2] / sha[2:]).unlink()
    options = HistoryOptions(cache_dir=tmp_path / "cache")
    paths = ["docs/0001-use-stripe.md"]
    for _ in range(2):
        result = read_history(repo.root, paths, options, "docs")
        commit = repo.git("rev-parse", "HEAD~3").strip()
        assert any(w.startswith("docs/0001-use-stripe.md: git could not read 1 old version")
                   and commit[:12] in w for w in result.warnings), result.warnings
        assert result.incomplete
        stripe = result.facts["docs/0001-use-stripe.md"]
        assert stripe.created.isoformat() == "2026-01-05T12:00:00+00:00"
        assert not (tmp_path / "cache" / "facts-docs_-first-parent.json").exists()


def test_all_commits_mode_does_not_extend_past_a_branch_forked_before_the_cache(
        repo: GitRepo, tmp_path: Path) -> None:
    """All-commits mode, a build on main, then a build of a branch forked before that commit
    with main merged in: git's children-first order interleaves the branch with the cached
    commits, so the stored log is walked, and the result is that of a whole read."""
    lifecycle(repo)
    options = HistoryOptions(first_parent=False, cache_dir=tmp_path / "cache")
    paths = ["docs/0001-use-stripe.md", "docs/pay/index.md"]
    repo.git("checkout", "-q", "-b", "feature", "HEAD~1")
    repo.git("checkout", "-q", "main")
    repo.record("pay/index.md", "type: initiative\nstatus: done\n", "# Payments\n")
    repo.commit("Payments done", "2026-04-01", "Raj Patel")
    read_history(repo.root, paths, options, "docs")
    repo.git("checkout", "-q", "feature")
    repo.record("pay/index.md", "type: initiative\n", "# Payments\n\nMore on the branch.\n")
    repo.commit("Write on the feature branch", "2026-04-02", "Ana Lima")
    repo.merge("main", "Merge main into feature", "2026-04-03", "Ana Lima")
    edited = {p: (repo.root / p).read_bytes() + b"\nNot committed.\n" for p in paths}
    assert read_history(repo.root, paths, options, "docs", edited).facts == \
        read_history(repo.root, paths, HistoryOptions(first_parent=False), "docs").facts
    stored = (tmp_path / "cache" / "history-docs_-topo.json").read_text("utf-8")
    for data in edited.values():  # read from disk in the abandoned first walk: not kept
        assert hashlib.sha1(b"blob %d\x00" % len(data) + data).hexdigest() not in stored


@pytest.mark.parametrize("damage", ["log", "facts", "blobs", "deep"])
def test_a_damaged_cache_is_read_again_from_git(repo: GitRepo, tmp_path: Path,
                                                damage: str) -> None:
    """A cache file edited or damaged on disk (same length, so that only parsing finds
    out) never fails a build: what cannot be read is read again from git."""
    lifecycle(repo)
    options = HistoryOptions(cache_dir=tmp_path / "cache")
    paths = ["docs/0001-use-stripe.md"]
    expected = read_history(repo.root, paths, options, "docs").facts
    cache = tmp_path / "cache"
    facts_file = cache / "facts-docs_-first-parent.json"
    if damage == "log":  # a separator byte turned into another: the same length
        log = cache / "history-docs_.log"
        data = log.read_bytes()
        log.write_bytes(data.replace(b"\x1f", b"_", 1))
        facts_file.unlink()  # so that the stored log is what is read
    elif damage == "facts":
        text = facts_file.read_text("utf-8")
        facts_file.write_text(text.replace('"docs/0001-use-stripe.md":[',
                                           '"docs/0001-use-stripe.md":{"0":[', 1)
                              .replace("]}}", "]}}}", 1), "utf-8")
    elif damage == "blobs":
        blobs = cache / "history-docs_.json"
        blobs.write_text(blobs.read_text("utf-8").replace('"blobs":"', '"blobs":["', 1)
                         .replace('","facts_of_blobs"', '"],"facts_of_blobs"', 1), "utf-8")
        facts_file.unlink()
    else:
        facts_file.write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    result = read_history(repo.root, paths, options, "docs")
    assert result.facts == expected and result.warnings == []


def test_a_build_that_fails_before_giving_paths_leaves_no_thread_waiting(
        repo: GitRepo, monkeypatch: pytest.MonkeyPatch) -> None:
    """The history read begins before the files are read; if reading them fails, it is told
    there are no paths, so that its thread ends instead of waiting for ever."""
    import threading

    import headway.catalog as catalog
    from headway.settings import read_settings

    lifecycle(repo)
    repo.mkdocs_yml()

    def boom(raw: bytes) -> bool:
        raise RuntimeError("interrupted")

    monkeypatch.setattr(catalog, "may_be_record", boom)
    settings = read_settings(repo.root / "mkdocs.yml")
    with pytest.raises(RuntimeError, match="interrupted"):
        catalog.build_catalog(catalog.discover(settings), settings)
    for thread in threading.enumerate():
        if thread.name == "headway-history":
            thread.join(timeout=30)
            assert not thread.is_alive()


def test_history_begun_before_the_paths_are_known(repo: GitRepo, tmp_path: Path) -> None:
    """PendingHistory starts git's log at once and takes the paths later (as the catalog
    does while it reads the files): the same facts as a read given the paths at the start,
    and the same cache."""
    from headway.git import PendingHistory

    lifecycle(repo)
    paths = ["docs/0001-use-stripe.md", "docs/pay/index.md", "docs/never.md"]
    expected = read_history(repo.root, paths, HistoryOptions(), "docs")
    cache = HistoryOptions(cache_dir=tmp_path / "cache")
    pending = PendingHistory(repo.root, cache, "docs")
    pending.give(paths)
    first = pending.result()
    assert first.facts == expected.facts and first.git_processes == 3
    again = PendingHistory(repo.root, cache, "docs")  # HEAD has not moved: the last result
    again.give(paths)
    assert again.result().facts == expected.facts and again.result().git_processes == 1


def test_history_given_no_paths_stops_git_and_caches_nothing(repo: GitRepo,
                                                              tmp_path: Path) -> None:
    """A site with no records after all: git's log, begun early, is stopped part-read and
    nothing is cached (a part-read log would be taken for the whole history next time)."""
    from headway.git import PendingHistory

    lifecycle(repo)
    pending = PendingHistory(repo.root, HistoryOptions(cache_dir=tmp_path / "cache"), "docs")
    result = pending.result()  # no paths given
    assert result.facts == {} and result.warnings == []
    assert not (tmp_path / "cache").exists()


def test_git_process_count_does_not_grow_with_records(tmp_path: Path) -> None:
    """A `git` shim on PATH counts every git process `headway export` starts."""
    real_git = shutil.which("git")
    assert real_git
    shim_dir = tmp_path / "shim"
    shim_dir.mkdir()
    log = tmp_path / "calls.log"
    shim = shim_dir / "git"
    shim.write_text(f'#!/bin/sh\necho "$1" >> "{log}"\nexec "{real_git}" "$@"\n')
    shim.chmod(shim.stat().st_mode | stat.S_IEXEC)
    counts = []
    for n in (3, 40):
        repo = init_repo(tmp_path / f"repo{n}")
        repo.mkdocs_yml()
        repo.record("i/index.md", "type: initiative\n")
        for i in range(n):
            repo.record(f"i/d{i}.md", DECISION.format(status="exploring").replace("pay", "i"))
            repo.commit(f"d{i}", f"2026-01-{1 + i % 28:02d}")
            repo.record(f"i/d{i}.md", DECISION.format(status="proposed").replace("pay", "i"))
            repo.commit(f"d{i} proposed", f"2026-02-{1 + i % 28:02d}")
        log.write_text("")
        env = {**os.environ, **repo.env, "PATH": f"{shim_dir}{os.pathsep}{os.environ['PATH']}"}
        out = subprocess.run([sys.executable, "-m", "headway.cli", "export", "-o", "r.json"],
                             cwd=repo.root, env=env, capture_output=True, text=True)
        assert out.returncode == 0, out.stderr
        counts.append(log.read_text().split())
    assert counts[0] == counts[1]  # the same git processes for 3 records and for 40
    # gitpython itself asks `git version` when it starts; headway's own are these three
    assert [c for c in counts[0] if c != "version"] == ["rev-parse", "log", "cat-file"]


def test_shallow_clone_warns_and_strict_fails(repo: GitRepo, tmp_path: Path) -> None:
    lifecycle(repo)
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)],
                   check=True)
    shallow = GitRepo(clone, env=repo.env)
    built = build(shallow)
    assert any("shallow clone" in w and "fetch-depth: 0" in w for w in built.warnings)
    assert run_mkdocs(shallow, "--strict").returncode == 1
    # Doing what the warning says is enough: the truncated facts were not cached, to come
    # back once the full history is there (fetching it does not move HEAD).
    shallow.git("fetch", "-q", "--unshallow")
    full, whole = build(shallow), build(repo)
    assert not any("shallow" in w for w in full.warnings)
    assert full.records == whole.records


def test_records_moved_into_the_docs_folder_keep_their_history(repo: GitRepo) -> None:
    """A record written elsewhere and moved in, and the docs folder itself renamed: git
    follows both renames, and so does the history (it was cut at the move)."""
    repo.write("drafts/fees.md", "---\ntype: learning\ninitiative: pay\n---\n# Fees\n")
    repo.record("pay/index.md", "type: initiative")
    repo.record("pay/0001-psp.md", "type: decision\ninitiative: pay\nstatus: exploring")
    repo.commit("Start", "2026-01-05", "Alice Smith")
    repo.record("pay/0001-psp.md", "type: decision\ninitiative: pay\nstatus: accepted")
    repo.commit("Accept", "2026-02-05", "Bob Jones")
    repo.git("mv", "drafts/fees.md", "docs/pay/fees.md")
    repo.commit("Publish the fees learning", "2026-03-05", "Carol White")
    repo.git("mv", "docs", "records")
    repo.docs = "records"
    repo.mkdocs_yml()
    repo.commit("Rename the docs folder", "2026-04-05", "Carol White")
    records = build(repo).records
    psp, fees = records["0001-psp"], records["fees"]
    assert psp["created"] == "2026-01-05" and fees["created"] == "2026-01-05"
    assert [(h["status"], h["date"]) for h in psp["status_history"]] == [
        ("exploring", "2026-01-05"), ("accepted", "2026-02-05")]
    assert psp["authors"] == ["Alice Smith", "Bob Jones", "Carol White"]
    assert fees["authors"] == ["Carol White", "Alice Smith"]


def test_plain_folder_publishes_every_record(repo: GitRepo) -> None:
    lifecycle(repo)
    shutil.rmtree(repo.root / ".git")
    repo.record("dated.md", "type: learning\ninitiative: pay\ndate: 2025-11-02\n")
    built = build(repo)
    assert any("not in a git repository" in w for w in built.warnings)
    assert set(built.records) == {"pay", "0001-use-stripe", "dated"}
    assert built.records["dated"]["created"] == "2025-11-02"
    assert run_mkdocs(repo).returncode == 0


def test_git_missing_from_the_machine(repo: GitRepo, tmp_path: Path) -> None:
    lifecycle(repo)
    empty = tmp_path / "nobin"
    empty.mkdir()
    env = {**os.environ, "PATH": str(empty)}
    out = subprocess.run([sys.executable, "-m", "headway.cli", "export", "-o", "r.json"],
                         cwd=repo.root, env=env, capture_output=True, text=True)
    assert out.returncode == 0
    assert "git is not installed" in out.stderr and "Traceback" not in out.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="needs to own files as another user")
def test_safe_directory_refusal(repo: GitRepo) -> None:
    lifecycle(repo)
    for path in (repo.root, repo.root / ".git"):
        os.chown(path, 65534, 65534)
    try:
        out = subprocess.run([sys.executable, "-m", "headway.cli", "export", "-o", "/dev/null"],
                             cwd=repo.root, env={**os.environ, **repo.env}, capture_output=True,
                             text=True)
    finally:
        for path in (repo.root, repo.root / ".git"):
            os.chown(path, 0, 0)
    assert "safe.directory" in out.stderr and "Traceback" not in out.stderr


def test_records_the_byte_test_misses_still_get_history(repo: GitRepo) -> None:
    """History is read beside parsing for files that look like records; a record written
    with old Mac line endings (CR only) slips past that test and is read in a second pass."""
    lifecycle(repo)
    repo.write("docs/cr.md", "---\rtype: learning\rinitiative: pay\r---\r# Old Mac\r")
    repo.commit("A learning from an old editor", "2026-04-02", "Raj Patel")
    built = build(repo, strict=True)
    assert built.records["cr"]["created"] == "2026-04-02"
    assert built.records["cr"]["authors"] == ["Raj Patel"]
    assert built.records["0001-use-stripe"]["created"] == "2026-01-05"


def test_a_damaged_old_version_is_reported(repo: GitRepo) -> None:
    """cat-file stops with an error in the middle of its answers: a warning, not a status
    history that silently lacks its older steps."""
    lifecycle(repo)
    sha = repo.git("rev-parse", "HEAD~1:docs/0001-use-stripe.md").strip()
    loose = repo.root / ".git" / "objects" / sha[:2] / sha[2:]
    loose.chmod(0o644)
    loose.write_bytes(loose.read_bytes()[:20])
    result = read_history(repo.root, ["docs/0001-use-stripe.md"], HistoryOptions(), "docs")
    assert any("reading old versions of records failed" in w for w in result.warnings), \
        result.warnings


def test_git_log_failing_says_what_git_said(repo: GitRepo) -> None:
    """git's own complaint (read from its stderr as it runs) reaches the warning."""
    lifecycle(repo)
    tree = repo.git("rev-parse", "HEAD~2^{tree}").strip()
    loose = repo.root / ".git" / "objects" / tree[:2] / tree[2:]
    loose.chmod(0o644)
    loose.unlink()
    result = read_history(repo.root, ["docs/0001-use-stripe.md"], HistoryOptions(), "docs")
    assert any("git failed:" in w and tree[:7] in w for w in result.warnings), result.warnings


def test_authors_are_named_as_the_mailmap_says(repo: GitRepo) -> None:
    """One person committing under two spellings of their name is one author, as `git
    shortlog` counts them with the repository's .mailmap; a .mailmap added later applies to
    what was cached before it too."""
    repo.record("pay/index.md", "type: initiative")
    repo.commit("Start", "2026-01-05", "bob", "bob@old.example")
    repo.record("pay/index.md", "type: initiative\nstatus: done")
    repo.commit("Done", "2026-02-05", "Robert Jones", "bob@example.com")
    assert build(repo).records["pay"]["authors"] == ["Robert Jones", "bob"]  # and cached
    repo.write(".mailmap", "Robert Jones <bob@example.com> bob <bob@old.example>\n")
    repo.commit("Mailmap", "2026-03-05", "Robert Jones", "bob@example.com")
    record = build(repo).records["pay"]
    assert record["authors"] == ["Robert Jones"]
    assert [(h["status"], h["author"]) for h in record["status_history"]] == [
        ("active", "Robert Jones"), ("done", "Robert Jones")]
