"""The writer's and publisher's workflow: `new`, the schema, `check --changed`, `init`, the
GitHub workflows, and a `mkdocs gh-deploy` round trip to a local remote."""

from __future__ import annotations

import datetime
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import frontmatter
import jsonschema
import pytest
import yaml
from conftest import GitRepo, init_repo
from test_site import small_team

from headway.cli import main
from headway.schema import record_schema

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(("rtype", "sections"), [
    ("initiative", ["## Why", "## Scope", "## How we work"]),
    ("learning", ["## Question", "## What we learned", "## Sources", "## So what"]),
    ("decision", ["## Context", "## Options considered", "## Recommendation", "## Decision",
                  "## Actions"]),
])
def test_new_for_every_type(chdir_repo: GitRepo, capsys: pytest.CaptureFixture[str],
                            rtype: str, sections: list[str]) -> None:
    small_team(chdir_repo)
    args = ["new", rtype, "Card fees: what's fair?"]
    if rtype != "initiative":
        args += ["--initiative", "pay"]
    assert main(args) == 0
    path = Path(capsys.readouterr().out.strip())
    post = frontmatter.load(path)
    assert post["type"] == rtype and post["status"] in ("active", "open", "exploring")
    assert post.get("owner") == "Test Runner"  # git config user.name
    assert post.content.startswith("# Card fees: what's fair?")
    for heading in sections:
        assert heading in post.content
    assert main(["check"]) == 0
    assert main(args) == 2  # never overwrites
    assert "already exists" in capsys.readouterr().err


def test_new_follows_the_folder_numbering(chdir_repo: GitRepo,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    small_team(chdir_repo)
    chdir_repo.record("pay/decisions/0009-later.md", "type: decision\ninitiative: pay")
    assert main(["new", "decision", "Next one", "--initiative", "pay"]) == 0
    assert capsys.readouterr().out.strip().endswith("pay/decisions/0010-next-one.md")
    assert main(["new", "learning", "Plain names", "--initiative", "pay"]) == 0
    assert capsys.readouterr().out.strip().endswith("pay/learnings/plain-names.md")


def test_new_fits_flat_folders_new_initiatives_and_any_title(
        chdir_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    small_team(chdir_repo)  # pay/decisions/ numbers its records
    chdir_repo.record("flat/index.md", "type: initiative")
    chdir_repo.record("flat/001-a.md", "type: decision\ninitiative: flat")
    assert main(["new", "decision", "Flat one", "--initiative", "flat"]) == 0
    assert capsys.readouterr().out.strip().endswith("docs/flat/002-flat-one.md")
    assert main(["new", "initiative", "Mobile app"]) == 0
    capsys.readouterr()
    assert main(["new", "decision", "Pick a framework", "--initiative", "mobile-app"]) == 0
    # numbered from 1, as the other initiatives' decisions folders number theirs
    assert capsys.readouterr().out.strip().endswith("mobile-app/decisions/0001-pick-a-framework.md")
    assert main(["new", "learning", "Héllo Straße", "--initiative", "mobile-app"]) == 0
    assert capsys.readouterr().out.strip().endswith("mobile-app/learnings/hello-strasse.md")
    assert main(["new", "learning", "a very long title " * 20, "--initiative", "pay"]) == 0
    name = Path(capsys.readouterr().out.strip()).name
    assert name == "a-very-long-title-a-very-long-title-a-very-long-title-a-very.md", name
    assert main(["new", "learning", "Elsewhere", "--initiative", "pay", "--dir", "/tmp"]) == 2
    assert "is outside the docs folder" in capsys.readouterr().err
    assert main(["new", "learning", "In a docs folder", "--initiative", "pay", "--dir",
                 "pay"]) == 0  # relative to the docs folder when it names a folder there
    assert capsys.readouterr().out.strip().endswith("docs/pay/in-a-docs-folder.md")
    # a title with nothing to name a file by: a made-up name, a new one each time
    made = []
    for title in ("決定事項", "別の決定"):
        assert main(["new", "learning", title, "--initiative", "mobile-app"]) == 0
        made.append(Path(capsys.readouterr().out.strip()))
    assert [p.name for p in made] == ["record.md", "record-2.md"]
    assert "# 別の決定" in made[1].read_text(encoding="utf-8")
    assert main(["new", "initiative", "新しい取り組み"]) == 0  # `record` is taken as an id
    assert capsys.readouterr().out.strip().endswith("docs/record-3/index.md")
    # a folder named for an id already taken: the made-up name does not name the file
    assert main(["new", "initiative", "別の取り組み", "--dir", "docs/record"]) == 2
    assert "a record with id 'record' already exists" in capsys.readouterr().err
    assert main(["check"]) == 0


def test_new_uses_the_repository_template(chdir_repo: GitRepo,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    small_team(chdir_repo)
    chdir_repo.write(".headway/new/learning.md", "# {{ title }}\n\n## Our own section\n")
    assert main(["new", "learning", "Custom", "--initiative", "pay"]) == 0
    assert "## Our own section" in Path(capsys.readouterr().out.strip()).read_text()


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def test_schema_validates_every_record_of_this_repository(capsys: pytest.CaptureFixture[str]
                                                          ) -> None:
    assert main(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema == record_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    records = [p for p in (ROOT / "records").rglob("*.md")
               if "type" in frontmatter.load(p).metadata]
    assert len(records) >= 16
    for path in records:
        errors = list(validator.iter_errors(_plain(frontmatter.load(path).metadata)))
        assert errors == [], (path, [e.message for e in errors])


@pytest.mark.parametrize("front", [
    {"type": "decision", "initiative": "x", "deciders": "Maya"},
    {"type": "decision", "initiative": "x", "status": "acepted"},
    {"type": "learning"},
    {"type": "decision", "initiative": "x", "informedby": ["a"]},
    {"type": "decision", "initiative": "x", "actions": [{"owner": "no what"}]},
    {"type": "initiative", "target": "next spring"},
])
def test_schema_rejects_wrong_fields(front: dict[str, Any]) -> None:
    assert list(jsonschema.Draft202012Validator(record_schema()).iter_errors(front))


def test_schema_is_published_with_the_site(repo: GitRepo) -> None:
    from conftest import build

    small_team(repo)
    built = build(repo)
    assert json.loads((built.site / "headway" / "schema.json").read_text()) == record_schema()


def test_check_changed_reports_only_what_a_branch_touched(
        chdir_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    small_team(chdir_repo)
    chdir_repo.record("old-bad.md", "type: decision\ninitiative: pay\nstatus: nope")
    chdir_repo.commit("main", "2026-05-01")
    chdir_repo.git("checkout", "-q", "-b", "topic")
    # the branch breaks 0002-tax (its status) and adds a record; 0001-use-stripe depends on
    # 0002-tax, so it is checked too
    chdir_repo.record("pay/decisions/0002-tax.md", "type: decision\ninitiative: pay\n"
                      "status: exploring\nfoo: bar")
    chdir_repo.record("new.md", "type: learning\ninitiative: pay\nstatus: finished")
    chdir_repo.commit("topic", "2026-05-02")
    assert main(["check", "--changed", "main"]) == 1
    out = capsys.readouterr()
    assert "docs/pay/decisions/0002-tax.md:5: warning: unknown field `foo`" in out.out
    assert "docs/new.md:4: unknown status 'finished'" in out.out
    assert "old-bad" not in out.out
    assert "checked 3 record(s) changed or affected since main" in out.err
    assert main(["check"]) == 1
    assert "old-bad" in capsys.readouterr().out
    assert main(["check", "--changed", "no-such-branch"]) == 2


def test_check_changed_finds_references_to_an_id_the_branch_removed(
        chdir_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    """Ids that are not the file name: the branch deletes a record with its own `id:` and
    changes another record's `id:`; the records still naming the old ids are reported."""
    small_team(chdir_repo)
    chdir_repo.record("pay/market.md", "type: learning\ninitiative: pay\nid: market-size")
    chdir_repo.record("pay/renamed.md", "type: learning\ninitiative: pay\nid: old-name")
    chdir_repo.record("pay/uses.md", "type: decision\ninitiative: pay\n"
                      "informed_by: [market-size, old-name]")
    chdir_repo.commit("main", "2026-05-01")
    chdir_repo.git("checkout", "-q", "-b", "topic")
    chdir_repo.git("rm", "-q", "docs/pay/market.md")
    chdir_repo.record("pay/renamed.md", "type: learning\ninitiative: pay\nid: new-name")
    chdir_repo.commit("topic", "2026-05-02")
    assert main(["check", "--changed", "main"]) == 1
    out = capsys.readouterr().out
    assert "docs/pay/uses.md:4: `informed_by` refers to 'market-size', which does not exist" \
        in out
    assert "refers to 'old-name', which does not exist" in out
    chdir_repo.git("checkout", "-q", "--orphan", "alone")
    chdir_repo.commit("unrelated", "2026-05-03")
    assert main(["check", "--changed", "main"]) == 2
    assert "no history in common" in capsys.readouterr().err


def test_workflows_are_valid_and_use_pinned_official_actions() -> None:
    for name in ("check-records.yml", "publish-site.yml"):
        template = (ROOT / "templates" / "headway" / "init" / name).read_text()
        ours = (ROOT / ".github" / "workflows" / name).read_text()
        # this repository runs the same workflow, installing headway from its own checkout
        assert ours == template.replace("pip install mkdocs-headway", "pip install .")
        workflow = yaml.safe_load(template)
        assert workflow["name"] and workflow["jobs"]
        uses = [step["uses"] for job in workflow["jobs"].values()
                for step in job["steps"] if "uses" in step]
        assert uses
        for action in uses:
            owner, _, version = action.partition("@")
            assert owner.split("/")[0] == "actions", action
            assert version.startswith("v") and version[1:].isdigit(), action
        checkouts = [step for job in workflow["jobs"].values() for step in job["steps"]
                     if step.get("uses", "").startswith("actions/checkout")]
        assert all(step["with"]["fetch-depth"] == 0 for step in checkouts)
    publish = yaml.safe_load((ROOT / "templates/headway/init/publish-site.yml").read_text())
    steps = [s.get("uses", s.get("run", "")) for j in publish["jobs"].values()
             for s in j["steps"]]
    assert "mkdocs build --strict" in steps
    assert any(s.startswith("actions/upload-pages-artifact@") for s in steps)
    assert any(s.startswith("actions/deploy-pages@") for s in steps)
    assert publish["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}


def test_init_sets_up_an_existing_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    repo = init_repo(tmp_path / "team")
    repo.write("mkdocs.yml", "site_name: Team docs\nplugins:\n  - search\n")
    repo.write("docs/index.md", "# Team docs\n")
    monkeypatch.chdir(repo.root)
    assert main(["init", "--initiative", "Faster onboarding"]) == 0
    out = capsys.readouterr().out
    assert ".github/workflows/check-records.yml" in out
    config = yaml.safe_load((repo.root / "mkdocs.yml").read_text())
    assert "headway" in config["plugins"] and "search" in config["plugins"]
    assert (repo.root / "docs/faster-onboarding/index.md").is_file()
    assert (repo.root / ".github/workflows/publish-site.yml").read_text() == (
        ROOT / "templates/headway/init/publish-site.yml").read_text().replace(
        "pip install mkdocs-headway", 'pip install "mkdocs-headway~=0.1.0"')  # a pinned release
    assert main(["check"]) == 0
    assert main(["init"]) == 0  # a second run changes nothing and overwrites nothing
    assert "already" in capsys.readouterr().out


def test_init_for_a_site_in_a_folder_on_a_pull_request_branch(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """As a team adopts headway: on the branch of a pull request, in a repository whose site
    is one folder of many. The workflows go where GitHub reads them (the repository's root),
    run in the site's folder, and publish from the remote's default branch."""
    repo = init_repo(tmp_path / "mono")
    repo.write("handbook/docs.yml", "site_name: Handbook\nplugins:\n  - search\n  - redirects\n")
    repo.write("handbook/docs/index.md", "# Handbook\n")
    repo.commit("Handbook", "2026-05-01")
    repo.git("update-ref", "refs/remotes/origin/trunk", "HEAD")
    repo.git("symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")
    repo.git("checkout", "-q", "-b", "add-headway")
    monkeypatch.chdir(repo.root)
    assert main(["init", "-f", "handbook/docs.yml"]) == 0
    out = capsys.readouterr().out
    assert not (repo.root / "handbook/.github").exists()
    publish = yaml.safe_load((repo.root / ".github/workflows/publish-site.yml").read_text())
    assert publish[True]["push"]["branches"] == ["trunk"]
    assert publish["defaults"]["run"]["working-directory"] == "handbook"
    steps = publish["jobs"]["build"]["steps"]
    assert {"run": "mkdocs build --strict -f \"docs.yml\"", "name": "Build the site (strict)",
            "env": {"NO_MKDOCS_2_WARNING": "1"}} in steps
    paths = [step["with"]["path"] for step in steps if "path" in step.get("with", {})]
    assert paths == ["handbook/.cache/headway", "handbook/site"]
    check = yaml.safe_load((repo.root / ".github/workflows/check-records.yml").read_text())
    assert any(step.get("run") == 'headway check -f "docs.yml"'
               for step in check["jobs"]["check"]["steps"])
    assert "publishing on every push to trunk" in out
    assert "to do: add the packages of the site's other plugins (redirects)" in out


def test_init_keeps_line_ends_the_branch_and_inherited_plugins(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo = init_repo(tmp_path / "team")
    repo.git("checkout", "-q", "-b", "trunk")
    (repo.root / "mkdocs.yml").write_bytes(
        b"site_name: Team\r\nplugins:\r\n  - search\r\n  - tags:\r\n      tags_file: tags.md\r\n"
        b"  # more to come\r\nnav:\r\n  - index.md\r\n")
    repo.write("docs/index.md", "# Team\n")
    monkeypatch.chdir(repo.root)
    assert main(["init"]) == 0
    assert (repo.root / "mkdocs.yml").read_bytes() == (  # at the end of the list
        b"site_name: Team\r\nplugins:\r\n  - search\r\n  - tags:\r\n      tags_file: tags.md\r\n"
        b"  - headway\r\n  # more to come\r\nnav:\r\n  - index.md\r\n")
    publish = yaml.safe_load((repo.root / ".github/workflows/publish-site.yml").read_text())
    assert publish[True]["push"]["branches"] == ["trunk"]  # YAML 1.1 reads `on:` as true
    other = init_repo(tmp_path / "inherits")
    other.write("base.yml", "site_name: Team\nplugins:\n  - search\n  - tags\n")
    other.write("mkdocs.yml", "INHERIT: base.yml\n")
    monkeypatch.chdir(other.root)
    assert main(["init"]) == 2
    assert (other.root / "mkdocs.yml").read_text() == "INHERIT: base.yml\n"


def test_gh_deploy_round_trip(repo: GitRepo, tmp_path: Path) -> None:
    small_team(repo)
    repo.commit("records", "2026-07-01", "Maya Chen")
    remote = tmp_path / "remote.git"
    subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True)
    repo.git("remote", "add", "origin", str(remote))
    repo.git("push", "-q", "origin", "main")
    result = subprocess.run([sys.executable, "-m", "mkdocs", "gh-deploy", "--force",
                             "--message", "Deploy records"], cwd=repo.root, text=True,
                            capture_output=True, env={**os.environ, **repo.env})
    assert result.returncode == 0, result.stderr
    files = subprocess.run(["git", "--git-dir", str(remote), "ls-tree", "-r", "--name-only",
                            "gh-pages"], capture_output=True, text=True, check=True).stdout
    assert "headway/records.json" in files.split()
    assert "initiatives/pay/index.html" in files.split()
    assert ".nojekyll" in files.split()
    exported = json.loads(subprocess.run(
        ["git", "--git-dir", str(remote), "show", "gh-pages:headway/records.json"],
        capture_output=True, text=True, check=True).stdout)
    assert exported["records"][0]["created"] == "2026-07-01"
