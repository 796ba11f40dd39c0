"""Tests of benchmarks/generate.py: the benchmark repository it writes, read back with real git."""

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import frontmatter
import pytest
import yaml

GENERATOR_PATH = Path(__file__).resolve().parents[1] / "benchmarks" / "generate.py"
RECORDS = 60
COMMITS = 200
SEED = 7
STATUSES = {
    "initiative": {"active", "paused", "done", "cancelled"},
    "learning": {"open", "done"},
    "decision": {"exploring", "proposed", "accepted", "rejected", "superseded", "deprecated"},
}


@dataclass(frozen=True)
class Generated:
    repo: Path
    summary: Any  # the generator's GenerationSummary


@pytest.fixture(scope="module")
def generator() -> Iterator[ModuleType]:
    # benchmarks/ is not a package; registering the module lets its dataclasses resolve types.
    spec = importlib.util.spec_from_file_location("headway_benchmark_generate", GENERATOR_PATH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


@pytest.fixture(scope="module")
def generated(generator: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Generated:
    repo = tmp_path_factory.mktemp("bench") / "repo"
    summary = generator.generate(repo, records=RECORDS, commits=COMMITS, seed=SEED)
    return Generated(repo, summary)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True
    ).stdout


def front_matter(repo: Path, revision: str, path: str) -> dict[str, Any]:
    return dict(frontmatter.loads(git(repo, "show", f"{revision}:{path}")).metadata)


def record_id(path: str, meta: dict[str, Any]) -> str:
    if "id" in meta:
        return str(meta["id"])
    file = Path(path)
    return file.parent.name if file.name in {"index.md", "README.md"} else file.stem


def records_at_head(repo: Path) -> dict[str, tuple[str, dict[str, Any]]]:
    """Every record at HEAD: id -> (path, front matter)."""
    records: dict[str, tuple[str, dict[str, Any]]] = {}
    for path in git(repo, "ls-tree", "-r", "--name-only", "HEAD").splitlines():
        if not path.endswith(".md"):
            continue
        meta = front_matter(repo, "HEAD", path)
        if "type" in meta:
            identifier = record_id(path, meta)
            assert identifier not in records, f"duplicate id {identifier}"
            records[identifier] = (path, meta)
    return records


def test_repository_has_exactly_the_requested_commits(generated: Generated) -> None:
    assert git(generated.repo, "rev-list", "--count", "HEAD").strip() == str(COMMITS)
    assert generated.summary.commits == COMMITS


def test_repository_has_exactly_the_requested_records(generated: Generated) -> None:
    records = records_at_head(generated.repo)
    summary = generated.summary
    kinds = [meta["type"] for _, meta in records.values()]
    assert len(records) == RECORDS == summary.records
    assert kinds.count("initiative") == summary.initiatives >= 1
    assert kinds.count("learning") == summary.learnings > 0
    assert kinds.count("decision") == summary.decisions > summary.learnings
    for path, meta in records.values():
        assert path.startswith("records/")
        assert meta["status"] in STATUSES[meta["type"]], path


def test_working_tree_is_checked_out_with_an_uncommitted_mkdocs_yml(generated: Generated) -> None:
    assert git(generated.repo, "status", "--porcelain").splitlines() == ["?? mkdocs.yml"]
    config = yaml.safe_load((generated.repo / "mkdocs.yml").read_text())
    assert config["docs_dir"] == "records"
    assert config["theme"] == {"name": "material", "features": ["navigation.prune"]}
    assert config["plugins"] == ["headway"]


def test_same_seed_gives_the_same_repository(
    generator: ModuleType, generated: Generated, tmp_path: Path
) -> None:
    head = git(generated.repo, "rev-parse", "HEAD")
    generator.generate(tmp_path / "same", records=RECORDS, commits=COMMITS, seed=SEED)
    generator.generate(tmp_path / "other", records=RECORDS, commits=COMMITS, seed=SEED + 1)
    assert git(tmp_path / "same", "rev-parse", "HEAD") == head
    assert git(tmp_path / "other", "rev-parse", "HEAD") != head


def test_some_commits_change_a_status(generated: Generated) -> None:
    assert generated.summary.status_changes > 0
    repo = generated.repo
    for path, _ in records_at_head(repo).values():
        revisions = git(repo, "log", "--format=%H", "--", path).split()
        statuses = [front_matter(repo, revision, path)["status"] for revision in revisions]
        if any(newer != older for newer, older in itertools.pairwise(statuses)):
            return
    pytest.fail("no file changes its status between two of its versions")


def test_renames_keep_the_record_id(generated: Generated) -> None:
    assert generated.summary.renames > 0
    repo = generated.repo
    log = git(repo, "log", "-M", "--name-status", "--format=commit %H")
    renames: list[tuple[str, str, str]] = []
    commit = ""
    for line in log.splitlines():
        if line.startswith("commit "):
            commit = line.split()[1]
        elif line.startswith("R"):
            _, old, new = line.split("\t")
            renames.append((commit, old, new))
    assert renames
    for commit, old, new in renames:
        before = record_id(old, front_matter(repo, f"{commit}^", old))
        assert record_id(new, front_matter(repo, commit, new)) == before


def test_every_reference_names_an_existing_record(generated: Generated) -> None:
    records = records_at_head(generated.repo)

    def kind_of(identifier: object) -> str:
        assert identifier in records, f"reference to missing record {identifier!r}"
        return str(records[str(identifier)][1]["type"])

    references = 0
    for _path, meta in records.values():
        if meta["type"] == "initiative":
            continue
        assert kind_of(meta["initiative"]) == "initiative"
        for learning in meta.get("informed_by", []):
            assert kind_of(learning) == "learning"
            assert records[learning][1]["initiative"] == meta["initiative"]
        for decision in meta.get("depends_on", []):
            assert kind_of(decision) == "decision"
        if "supersedes" in meta:
            assert kind_of(meta["supersedes"]) == "decision"
            assert records[meta["supersedes"]][1]["status"] == "superseded"
        references += len(meta.get("informed_by", [])) + len(meta.get("depends_on", []))
    assert references > 0


def test_waiting_on_and_actions_have_the_spec_shape(generated: Generated) -> None:
    records = records_at_head(generated.repo)
    entries = [w for _, meta in records.values() for w in meta.get("waiting_on", [])]
    actions = [a for _, meta in records.values() for a in meta.get("actions", [])]
    assert entries and actions
    for entry in entries:
        assert isinstance(entry["who"], str) and isinstance(entry["what"], str)
        assert isinstance(entry["since"], dt.date)
    for action in actions:
        assert action["status"] in {"open", "done", "blocked"}
        assert isinstance(action["due"], dt.date)


def test_commit_dates_increase_from_the_fixed_start(generated: Generated) -> None:
    lines = git(generated.repo, "log", "--reverse", "--format=%at|%ct|%an <%ae>|%cn <%ce>")
    rows = [line.split("|") for line in lines.splitlines()]
    times = [int(author_time) for author_time, *_ in rows]
    start = dt.datetime(2022, 1, 1, 9, 0, tzinfo=dt.UTC)
    assert times[0] == int(start.timestamp())
    assert all(earlier < later for earlier, later in itertools.pairwise(times))
    for author_time, committer_time, author, committer in rows:
        assert (author_time, author) == (committer_time, committer)
    assert len({author for _, _, author, _ in rows}) >= 6


def test_too_few_commits_still_create_every_record(
    generator: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "dense"
    argv = [
        str(repo),
        "--records",
        "30",
        "--commits",
        "5",
        "--docs-dir",
        "docs",
        "--plugins",
        "none",
    ]
    assert generator.main(argv) == 0
    assert "30 records" in capsys.readouterr().out
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "5"
    paths = git(repo, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
    assert sum("type" in front_matter(repo, "HEAD", path) for path in paths) == 30
    config = yaml.safe_load((repo / "mkdocs.yml").read_text())
    assert config["docs_dir"] == "docs" and config["plugins"] == []


def test_mkdocs_yml_variants(generator: ModuleType, tmp_path: Path) -> None:
    def plugins(variant: str) -> Any:
        generator.write_mkdocs_yml(tmp_path, variant)
        return yaml.safe_load((tmp_path / "mkdocs.yml").read_text())["plugins"]

    assert plugins("headway") == ["headway"]
    assert plugins("git-dates") == [{"git-revision-date-localized": {"enable_creation_date": True}}]
    assert plugins("headway,git-dates")[0] == "headway"
    assert plugins("none") == []
    with pytest.raises(ValueError, match="unknown plugins"):
        generator.write_mkdocs_yml(tmp_path, "nope")
