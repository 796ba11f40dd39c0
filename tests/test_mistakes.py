"""Writers' mistakes, made as a new user makes them: each gets a clear message and the exit
status the spec gives, never a silent wrong result or a misleading follow-on error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import GitRepo, build, init_repo
from test_site import small_team

from headway.cli import main


def test_new_refuses_a_misspelt_initiative_and_names_the_nearest(
        chdir_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    small_team(chdir_repo)
    chdir_repo.record("onboarding/index.md", "type: initiative\nid: mobile-onboarding\n",
                      "# Mobile onboarding\n")
    docs = chdir_repo.root / "docs"
    before = sorted(p.relative_to(docs) for p in docs.rglob("*"))
    assert main(["new", "decision", "Use SMS", "--initiative", "mobile-onbording"]) == 2
    err = capsys.readouterr().err
    assert "initiative 'mobile-onbording' does not exist; did you mean --initiative " \
        "mobile-onboarding?" in err
    assert "--new-initiative" in err
    assert sorted(p.relative_to(docs) for p in docs.rglob("*")) == before  # nothing written

    assert main(["new", "decision", "Use SMS", "--initiative", "mobile-onboarding"]) == 0
    assert capsys.readouterr().out.strip().endswith("onboarding/decisions/0001-use-sms.md")
    # An initiative with no record that records name (an implicit one) exists too.
    chdir_repo.record("ops/x.md", "type: learning\ninitiative: ops\n", "# X\n")
    assert main(["new", "learning", "Uptime", "--initiative", "ops"]) == 0
    # A record that is not an initiative is not one.
    assert main(["new", "learning", "Why", "--initiative", "psp-fees"]) == 2
    assert "'psp-fees' is a learning, not an initiative" in capsys.readouterr().err
    # Asked for: a new initiative is started.
    assert main(["new", "decision", "First", "--initiative", "growth", "--new-initiative"]) == 0
    assert [p.name for p in (docs / "growth" / "decisions").iterdir()] == ["0001-first.md"]


@pytest.mark.expect_warnings("duplicate id 'psp-fees'")
def test_a_duplicated_id_is_reported_without_follow_on_errors(
        chdir_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    """A decision copied from another file keeps `id: psp-fees`, the learning's id (its file
    name). The duplicate is reported on both files, each naming where the other's claim comes
    from; the decision that is informed by the learning and depends on it stays correct."""
    small_team(chdir_repo)
    chdir_repo.record("pay/decisions/0000-copy.md",
                      "type: decision\ninitiative: pay\nid: psp-fees\n", "# Copy\n")
    chdir_repo.record("pay/decisions/0003-use-adyen.md", """
        type: decision
        initiative: pay
        informed_by: [psp-fees]
        depends_on: [psp-fees, 0002-tax]
    """, "# Adyen\n")
    assert main(["check"]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "docs/pay/decisions/0000-copy.md:4: duplicate id 'psp-fees': "
        "docs/pay/learnings/psp-fees.md (from its file name) has it too; give each record its "
        "own `id:`",
        "docs/pay/learnings/psp-fees.md: duplicate id 'psp-fees', which this file's name gives "
        "it: docs/pay/decisions/0000-copy.md:4 (its `id:`) has it too; give the other record "
        "another `id:`, or this one an `id:` of its own",
    ]
    built = build(chdir_repo)
    assert "0003-use-adyen" in built.records and "0001-use-stripe" in built.records
    assert "psp-fees" not in built.records  # both claimants are left out, and listed
    assert "duplicate id" in built.text("problems/")


@pytest.mark.parametrize("command", [["check"], ["export"], ["schema"], ["init"],
                                     ["convert", "docs"], ["new", "initiative", "X"]])
def test_a_missing_config_file_is_refused_by_every_command(
        chdir_repo: GitRepo, capsys: pytest.CaptureFixture[str], command: list[str]) -> None:
    assert main([*command, "-f", "nosuch.yml"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("headway: nosuch.yml: no such file; give the site's mkdocs.yml "
                          "with -f")
    assert not (chdir_repo.root / "nosuch.yml").exists()


def test_init_writes_a_config_named_by_f_only_when_asked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    repo = init_repo(tmp_path / "team")
    monkeypatch.chdir(repo.root)
    assert main(["init", "-f", "site.yml"]) == 2
    assert "add --create-config to write a minimal one there" in capsys.readouterr().err
    assert not (repo.root / "site.yml").exists()
    assert main(["init", "-f", "site.yml", "--create-config"]) == 0
    assert "headway" in yaml.safe_load((repo.root / "site.yml").read_text())["plugins"]


def test_init_writes_an_initiative_with_a_goal(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The initiative's body says its goal is in the front matter: it is, to fill in."""
    repo = init_repo(tmp_path / "team")
    monkeypatch.chdir(repo.root)
    assert main(["init", "--initiative", "Faster onboarding"]) == 0
    text = (repo.root / "docs/faster-onboarding/index.md").read_text()
    front = yaml.safe_load(text.split("---")[1])
    assert front["type"] == "initiative" and "goal" in front
    assert "(also in the front matter as `goal`)" in text
    assert main(["check"]) == 0


def _headway(*args: str, stdout: int | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "headway.cli", *args], text=True,
                          stdout=stdout, stderr=subprocess.PIPE)


def test_a_closed_standard_output_ends_quietly() -> None:
    """`headway schema | head -1`: the reader is gone before headway writes; no "Broken pipe"
    message, exit status 0."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        done = _headway("schema", stdout=write_end)
    finally:
        os.close(write_end)
    assert (done.returncode, done.stderr) == (0, "")


def test_an_unknown_option_shows_the_subcommands_usage(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--bogus"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: headway check [-h] [-f FILE] [--changed BASE]")
    assert "headway check: error: unrecognized arguments: --bogus" in err


def test_last_activity_is_what_happened_not_what_is_due(repo: GitRepo) -> None:
    """An action due in the future, and one due (and missed) after the last commit: neither
    is activity; the last commit is."""
    repo.record("pay/index.md", "type: initiative\n", "# Payments\n")
    repo.record("pay/use-stripe.md", """
        type: decision
        initiative: pay
        actions:
          - what: Sign the contract
            due: 2026-09-10
          - what: Go live
            due: 2027-03-01
    """, "# Use Stripe\n")
    repo.commit("Payments", "2026-06-02")
    page = build(repo, strict=True).html("initiatives/")
    assert '<dt>Last activity</dt><dd><time datetime="2026-06-02">' in page
    assert "2026-09-10" not in page and "2027-03-01" not in page
