"""The `headway` command: check, export and new, with the spec's output and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import GitRepo, build
from test_site import small_team

from headway.cli import main


def test_check_clean_and_with_problems(chdir_repo: GitRepo, capsys: pytest.CaptureFixture[str]
                                       ) -> None:
    small_team(chdir_repo)
    assert main(["check"]) == 0
    assert "4 record(s), no problems" in capsys.readouterr().err
    chdir_repo.record("bad.md", "type: decision\ninitiative: pay\nstatus: acepted\nfoo: 1\n")
    assert main(["check"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "docs/bad.md:4: unknown status 'acepted' for a decision; did you mean 'accepted'?; "
        "expected one of exploring, proposed, accepted, rejected, superseded, deprecated",
        "docs/bad.md:5: warning: unknown field `foo`; known fields: type, id, title, status, "
        "owner, date, tags, depends_on, waiting_on, initiative, deciders, informed_by, options, "
        "supersedes, superseded_by, actions",
    ]


def test_check_github_annotations(chdir_repo: GitRepo, capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    chdir_repo.record("bad.md", "type: decision\ninitiative: nowhere, really\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["check"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == ["::warning file=docs/bad.md,line=3,title=headway::initiative 'nowhere, "
                   "really' has no record; it is shown as an implicit initiative (add a record "
                   "with `type: initiative` and id 'nowhere, really')"]


def test_unusable_config_exits_2(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "-f", "/nonexistent/mkdocs.yml"]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["frobnicate"]) == 2


def test_export_matches_the_site(chdir_repo: GitRepo, capsys: pytest.CaptureFixture[str]
                                 ) -> None:
    small_team(chdir_repo)
    chdir_repo.commit("records", "2026-07-01", "Maya Chen")
    assert main(["export", "-o", "out.json"]) == 0
    exported = json.loads((chdir_repo.root / "out.json").read_text())
    site = build(chdir_repo).export
    exported.pop("generated"), site.pop("generated")
    assert exported == site
    assert main(["export"]) == 0
    assert json.loads(capsys.readouterr().out)["version"] == 1
    # One record per line, so that a diff of two exports shows which records changed.
    lines = (chdir_repo.root / "out.json").read_text().splitlines()
    assert lines[:2] == ["{", ' "version": 1,'] and lines[3] == ' "records": ['
    assert [json.loads(line.rstrip(","))["id"] for line in lines[4:-2]] == \
        [r["id"] for r in exported["records"]]
    assert lines[-2:] == [" ]", "}"]


def test_export_exit_1_when_records_are_left_out(chdir_repo: GitRepo) -> None:
    small_team(chdir_repo)
    chdir_repo.record("bad.md", "type: decision\ninitiative: pay\nstatus: nope\n")
    assert main(["export", "-o", "out.json"]) == 1
    ids = {r["id"] for r in json.loads((chdir_repo.root / "out.json").read_text())["records"]}
    assert "bad" not in ids and "pay" in ids


def test_new_writes_a_record_that_passes_check(chdir_repo: GitRepo,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    small_team(chdir_repo)
    assert main(["new", "decision", "Adopt Adyen: later?", "--initiative", "pay"]) == 0
    path = capsys.readouterr().out.strip()
    assert path.endswith("docs/pay/decisions/0003-adopt-adyen-later.md")
    assert main(["check"]) == 0
    assert main(["new", "learning", "Card fees", "--initiative", "pay"]) == 0
    assert capsys.readouterr().out.strip().endswith("docs/pay/learnings/card-fees.md")
    assert main(["new", "learning", "Card fees", "--initiative", "pay"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["new", "initiative", "Search revamp"]) == 0
    assert capsys.readouterr().out.strip().endswith("docs/search-revamp/index.md")
    assert main(["check"]) == 0


def test_console_script_runs() -> None:
    result = subprocess.run([sys.executable, "-m", "headway.cli", "--version"],
                            capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("headway ")


def test_core_does_not_import_mkdocs() -> None:
    code = ("import sys, headway.cli, headway.catalog, headway.history, headway.pages, "
            "headway.export, headway.render, headway.authoring; "
            "print('mkdocs' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr
