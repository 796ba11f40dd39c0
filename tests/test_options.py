"""Options and edges a user meets: URL style, excluded and .markdown pages, feed size, the
plugin switched off, commit links on other hosts, CLI mistakes, branches and renames."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import GitRepo, build, init_repo, run_mkdocs
from test_pages import team
from test_site import small_team

from headway.cli import main
from headway.pages import commit_url


def test_links_follow_use_directory_urls_false(repo: GitRepo) -> None:
    team(repo)
    repo.mkdocs_yml("use_directory_urls: false\n")
    built = build(repo, strict=True)
    assert built.records["0001-stripe"]["url"] == "pay/0001-stripe.html"
    page = (built.site / "pay" / "0001-stripe.html").read_text()
    assert 'href="../initiatives/pay/index.html"' in page
    cards = (built.site / "initiatives" / "index.html").read_text()
    assert 'href="pay/index.html"' in cards and 'href="../blocked/index.html"' in cards
    initiative = (built.site / "initiatives" / "pay" / "index.html").read_text()
    assert 'href="../../pay/0001-stripe.html"' in initiative


def test_cli_sees_the_pages_the_site_sees(chdir_repo: GitRepo,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    small_team(chdir_repo)
    chdir_repo.write("docs/drafts/wip.md", "---\ntype: decision\ninitiative: pay\nstatus: nope\n"
                     "---\n")
    chdir_repo.write("docs/pay/notes.markdown", "---\ntype: learning\ninitiative: pay\n---\n"
                     "# Notes in .markdown\n")
    chdir_repo.mkdocs_yml("exclude_docs: |\n  drafts/\n")
    assert main(["check"]) == 0, capsys.readouterr()
    chdir_repo.commit("records", "2026-04-01")
    assert main(["export", "-o", "out.json"]) == 0
    exported = {r["id"]: r for r in json.loads(Path("out.json").read_text())["records"]}
    assert exported["notes"]["created"] == "2026-04-01" and not exported["notes"]["uncommitted"]
    assert "wip" not in exported
    built = build(chdir_repo, strict=True)
    assert set(built.records) == set(exported)


def test_feed_limit_and_disabled_plugin(repo: GitRepo) -> None:
    team(repo)
    repo.mkdocs_yml(plugins="  - headway:\n      feed_limit: 3\n")
    feed = ET.fromstring((build(repo).site / "headway" / "feed.xml").read_bytes())
    assert len(feed.findall("{http://www.w3.org/2005/Atom}entry")) == 3
    repo.mkdocs_yml(plugins="  - headway:\n      enabled: false\n")
    built = build(repo, strict=True)
    assert not (built.site / "headway").exists() and not (built.site / "blocked").exists()


def test_commit_links_on_other_hosts() -> None:
    assert commit_url("https://gitlab.com/a/b", "c0ffee") == "https://gitlab.com/a/b/-/commit/c0ffee"
    assert commit_url("https://bitbucket.org/a/b/", "c0ffee") == \
        "https://bitbucket.org/a/b/commits/c0ffee"
    assert commit_url("https://github.com/a/b.git", "c0ffee") == \
        "https://github.com/a/b/commit/c0ffee"
    assert commit_url(None, "c0ffee") is None


def test_cli_mistakes_exit_2_without_a_traceback(chdir_repo: GitRepo,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    small_team(chdir_repo)
    assert main(["export", "-o", "/nonexistent/dir/out.json"]) == 2
    assert "No such file or directory" in capsys.readouterr().err
    chdir_repo.mkdocs_yml(plugins="  - headway:\n      max_file_bytes: 5MB\n")
    assert main(["check"]) == 2
    assert "option `max_file_bytes` must be a whole number" in capsys.readouterr().err
    chdir_repo.write("mkdocs.yml", "site_name: [unclosed\n")
    assert main(["init"]) == 2
    assert "not valid YAML" in capsys.readouterr().err
    chdir_repo.mkdocs_yml()
    assert main(["new", "decision", "X", "--initiative", "../../../etc"]) == 2
    assert "is not an id" in capsys.readouterr().err


def test_a_branch_that_takes_an_existing_id_is_caught_by_check_changed(
        chdir_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    small_team(chdir_repo)
    chdir_repo.commit("main", "2026-05-01")
    chdir_repo.git("checkout", "-q", "-b", "topic")
    chdir_repo.record("zz/new.md", "type: learning\ninitiative: pay\nid: 0002-tax")
    assert main(["check", "--changed", "main"]) == 1
    out = capsys.readouterr().out
    assert "docs/zz/new.md:4: duplicate id '0002-tax'" in out
    assert "docs/pay/decisions/0002-tax.md: duplicate id '0002-tax'" in out
    built = build(chdir_repo)
    assert "0002-tax" not in built.records  # neither claimant wins silently


def test_authors_survive_a_rename_after_a_merged_branch(repo: GitRepo) -> None:
    repo.record("i.md", "type: initiative")
    repo.commit("start", "2026-01-01", "Ann Admin")
    repo.git("checkout", "-q", "-b", "bob")
    repo.record("x.md", "type: decision\ninitiative: i", "# X\n")
    repo.commit("Bob writes x", "2026-01-02", "Bob Writer")
    repo.git("checkout", "-q", "main")
    repo.merge("bob", "Merge bob", "2026-01-03", "Ann Admin")
    repo.git("mv", "docs/x.md", "docs/0001-x.md")
    repo.commit("Number it", "2026-01-04", "Ann Admin")
    rec = build(repo).records["0001-x"]
    assert rec["authors"] == ["Ann Admin", "Bob Writer"]
    assert rec["status_history"][0]["author"] == "Bob Writer"


def test_blocked_counts_agree_between_cards_and_the_blocked_page(repo: GitRepo) -> None:
    repo.record("i.md", "type: initiative", "# I\n")
    repo.record("a.md", "type: decision\ninitiative: i\nstatus: proposed\nactions:\n"
                "  - {what: ship, status: blocked}", "# A\n")
    repo.record("b.md", "type: learning\ninitiative: i\nwaiting_on:\n"
                "  - {who: Legal, what: x}\n  - {who: Finance, what: y}", "# B\n")
    built = build(repo)
    blocked = built.html("blocked/")
    # B once, though under two blockers; A's action once
    assert "2 blocked items (1 record and 1 action)" in blocked
    assert "waiting for" not in blocked  # A is not its own blocker on the page
    assert "No blocker named" in blocked
    card = built.html("initiatives/")
    assert re.search(r'hw-count">2</span> blocked', card)
    assert built.records["a"]["root_blockers"] == ["a"]  # records.json keeps the spec's rule


def test_generated_pages_have_a_real_heading_for_the_toc(repo: GitRepo) -> None:
    team(repo)
    repo.mkdocs_yml(theme="material")
    page = build(repo).html("blocked/")
    assert re.search(r'<h1 id="what-is-blocked">What is blocked', page)
    assert 'href="#what-is-blocked"' in page  # Material's skip link finds it
    assert not (build(repo).site / "headway" / "init").exists()  # no stray template files


@pytest.mark.parametrize("directory_urls", [True, False])
def test_page_urls_agree_with_mkdocs(directory_urls: bool) -> None:
    """headway works out page URLs without MkDocs (for the CLI); they must be MkDocs' own."""
    from mkdocs.structure.files import File

    from headway.urls import page_url

    for src_uri in ["index.md", "README.md", "a/README.md", "a/index.markdown", "a/b.md",
                    "a/b/c.mdown", "x.y.md", "a/Index.md", "readme.md", "0001-use-stripe.md"]:
        expected = File(src_uri, "/docs", "/site", directory_urls).url
        expected = "" if expected == "./" else expected  # the site root, as headway writes it
        assert page_url(src_uri, directory_urls) == expected, src_uri


def test_default_exclusions_are_mkdocs_own() -> None:
    """Without exclude_docs, pages are left out by a test written out by hand; it must agree
    with MkDocs' defaults read as gitignore lines (as MkDocs reads them)."""
    import pathspec

    from headway.catalog import _excluded

    mkdocs_defaults = pathspec.GitIgnoreSpec.from_lines([".*", "/templates/"]).match_file
    for src_uri in ["x.md", "a/b.md", ".hidden.md", "a/.b.md", ".dir/x.md", "a/.dir/y.md",
                    "templates/x.md", "templates/a/y.md", "a/templates/x.md", "templatesx/y.md",
                    "x.templates.md", "a.b/c.md"]:
        assert _excluded(())(src_uri) == mkdocs_defaults(src_uri), src_uri


@pytest.mark.parametrize(("options", "words"), [
    ("      enabled: 'no'\n", "option `enabled` must be true or false"),
    ("      nav_records: yes please\n", "option `nav_records` must be true or false"),
    ("      nav_recrods: true\n", "unknown option `nav_recrods` of the headway plugin; did you "
                                  "mean 'nav_records'?"),
    ("      max_file_bytes: -1\n", "option `max_file_bytes` must be a positive number of bytes"),
    ("      max_front_matter_bytes: 0\n", "option `max_front_matter_bytes` must be a positive"),
    ("      adr_folders: [{folder: architecture/adrs}]\n", "adr_folders: 'architecture/adrs' "
                                                         "is not a folder in docs_dir"),
    ("      adr_folders: [{folder: /tmp/adr}]\n", "folder '/tmp/adr' must be relative to "
                                                  "docs_dir"),
    ("      cache_dir: README.md\n", "cache_dir: 'README.md' is not a folder (README.md is a file)"),
    ("      cache_dir: README.md/cache\n", "'README.md/cache' is not a folder (README.md is a file)"),
])
def test_check_refuses_options_a_build_would_refuse(chdir_repo: GitRepo, options: str,
                                                    words: str,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """`headway check` reads mkdocs.yml itself: a wrong option is exit 2 with the option named,
    as it fails the build, never a green check over a site that does not build (or is empty)."""
    small_team(chdir_repo)
    chdir_repo.write("docs/architecture/adr/0001-x.md", "# 1. X\n\n## Status\n\nAccepted\n")
    chdir_repo.write("README.md", "# A file where a folder is wanted\n")
    chdir_repo.mkdocs_yml(plugins="  - headway:\n" + options)
    assert main(["check"]) == 2
    assert words in capsys.readouterr().err
    if any(key in options for key in ("adr_folders", "max_", "cache_dir")):  # MkDocs passes these
        result = run_mkdocs(chdir_repo, "-q")
        assert result.returncode != 0 and words in result.stderr, result.stderr


def test_the_cli_knows_the_options_the_plugin_declares() -> None:
    from headway.mkdocs_plugin import HeadwayConfig
    from headway.settings import OPTION_NAMES

    assert sorted(OPTION_NAMES) == sorted(name for name, _ in HeadwayConfig._schema)


def test_a_docs_folder_linked_from_outside_the_repository(tmp_path: Path) -> None:
    """git does not follow the link: the records are not in the repository, which the build
    says, and paths stay relative (never the absolute path of the machine that built it)."""
    outside = tmp_path / "elsewhere"
    (outside / "pay").mkdir(parents=True)
    (outside / "pay" / "index.md").write_text("---\ntype: initiative\n---\n# Payments\n")
    repo = init_repo(tmp_path / "site")
    (repo.root / "docs").symlink_to(outside, target_is_directory=True)
    repo.mkdocs_yml()
    repo.commit("site", "2026-05-01")
    built = build(repo)
    assert any("is not in a git repository" in w for w in built.warnings), built.warnings
    record = built.records["pay"]
    assert not record["path"].startswith("/") and record["path"].endswith("pay/index.md")
