"""The `headway` command: check, export and new, with the spec's output and exit codes."""

from __future__ import annotations

import json
import os
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
    chdir_repo.record("bad.md", "type: decision\ninitiative: nowhere\n")
    chdir_repo.record("worse.md", "type: decision\ninitiative: nowhere, really\n")
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["check"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "::warning file=docs/bad.md,line=3,title=headway::initiative 'nowhere' has no record; "
        "it is shown as an implicit initiative (add a record with `type: initiative` and id "
        "'nowhere')",
        "::error file=docs/worse.md,line=3,title=headway::invalid initiative id 'nowhere, "
        "really': `initiative` names an initiative by its id (lowercase letters, digits, '-', "
        "'_' and '.', starting with a letter or digit), e.g. initiative: nowhere-really"]


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
    assert json.loads(capsys.readouterr().out)["version"] == 2
    # One record per line, so that a diff of two exports shows which records changed.
    lines = (chdir_repo.root / "out.json").read_text().splitlines()
    assert lines[:2] == ["{", ' "version": 2,'] and lines[4] == ' "records": ['
    assert lines[3].startswith(' "blockers": [')
    assert [json.loads(line.rstrip(","))["id"] for line in lines[5:-2]] == \
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


def test_command_flushes_its_output_and_keeps_its_exit_code(chdir_repo: GitRepo) -> None:
    """The command ends with os._exit (no teardown): everything written must still arrive,
    and the exit code must be main's."""
    for n in range(60):  # an export of about 100 KB, more than a pipe holds
        chdir_repo.record(f"d{n}.md", f"type: decision\ninitiative: pay\nstatus: proposed\n"
                          f"owner: {'Maya Chen ' * 40}\n")
    chdir_repo.commit("records", "2026-07-01", "Maya Chen")
    command = [sys.executable, "-m", "headway.cli"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # buffered, as usual
    result = subprocess.run([*command, "export"], capture_output=True, text=True,
                            cwd=chdir_repo.root, env=env)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout) > 65536
    assert len(json.loads(result.stdout)["records"]) == 60
    chdir_repo.record("bad.md", "type: decision\ninitiative: pay\nstatus: acepted\n")
    result = subprocess.run([*command, "check"], capture_output=True, text=True,
                            cwd=chdir_repo.root, env=env)
    assert result.returncode == 1
    assert "\ndocs/bad.md:4: unknown status 'acepted'" in result.stdout
    problems = int(result.stderr.split(" problem(s)")[0].split()[-1])  # "61 problem(s) …"
    assert result.stdout.endswith("\n") and result.stdout.count("\n") == problems


def test_core_does_not_import_mkdocs() -> None:
    code = ("import sys, headway.cli, headway.catalog, headway.git, headway.pages, "
            "headway.export, headway.render, headway.authoring; "
            "print('mkdocs' in sys.modules)")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "False", result.stderr


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


@pytest.mark.expect_warnings("duplicate id '0002-tax'")
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
