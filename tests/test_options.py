"""The plugin's options and the site settings headway reads as MkDocs does: options refused
alike by the CLI and a build, defaults declared once, exclude_docs, .markdown pages, the feed
size, the plugin switched off, a docs folder outside the repository."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import GitRepo, build, init_repo, run_mkdocs
from test_pages import team
from test_site import small_team

from headway.cli import main


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


def test_the_plugin_takes_its_defaults_from_settings() -> None:
    from headway.mkdocs_plugin import HeadwayConfig
    from headway.settings import OPTION_DEFAULTS

    assert {name: option.default for name, option in HeadwayConfig._schema} == OPTION_DEFAULTS
