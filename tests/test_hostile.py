"""Hostile and broken records: each gets a clear problem naming the file; nothing crashes,
hangs or executes, and every other record is still published."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

import pytest
from conftest import GitRepo, build, run_mkdocs

from headway.parse import Limits, parse_document


def problems(text: str | bytes, limits: Limits | None = None) -> list[str]:
    raw = text.encode() if isinstance(text, str) else text
    doc, found = parse_document("docs/x.md", "x.md", raw, limits or Limits())
    if doc is not None:
        from headway.validate import check_document

        found = list(check_document(doc).problems)
    return [str(p) for p in found]


def test_yaml_that_does_not_parse() -> None:
    assert problems("---\ntype: decision\ninitiative: [a\n---\n")[0].startswith(
        "docs/x.md:3: front matter is not valid YAML: a [ list begins on this line")


@pytest.mark.parametrize(("front", "kind"), [
    ("- type: decision\n- initiative: a", "a list"),
    ('"type: decision"', "a string"),
])
def test_front_matter_that_is_not_a_mapping(front: str, kind: str) -> None:
    assert problems(f"---\n{front}\n---\n") == [
        f"docs/x.md:2: front matter must be a mapping of fields (`type: decision` …), but it "
        f"is {kind}"]


def test_empty_front_matter_is_an_ordinary_page() -> None:
    assert problems("---\n---\n# Just a page\n") == []


def test_front_matter_never_closed() -> None:
    assert problems("---\ntype: decision\ninitiative: a\n# Title\n") == [
        "docs/x.md:1: front matter opened with '---' is never closed; add a line '---' after "
        "the last field"]


def test_object_constructing_tags_are_refused_never_run(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    found = problems(f"---\ntype: !!python/object/apply:os.system ['touch {marker}']\n---\n")
    assert len(found) == 1 and "YAML tag not allowed" in found[0] and found[0].startswith(
        "docs/x.md:2:")
    assert not marker.exists()
    found = problems("---\ntype: decision\ninitiative: !!python/name:os.getcwd\n---\n")
    assert "YAML tag not allowed" in found[0]


BOMB = "---\ntype: decision\ninitiative: x\na: &a [lol, lol, lol, lol, lol, lol, lol, lol]\n" + \
    "".join(f"{n}: &{n} [{', '.join([f'*{p}'] * 8)}]\n"
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)) + "---\n# Bomb\n"


def test_alias_bomb_is_refused_quickly() -> None:
    start = time.perf_counter()
    found = problems(BOMB)
    assert time.perf_counter() - start < 1
    assert found == ["docs/x.md:2: the front matter expands to more than 20,000 values "
                     "(nested anchors and aliases?); write the values out plainly"]


def test_recursive_anchor_is_refused() -> None:
    found = problems("---\ntype: decision\ninitiative: x\nloop: &l [*l]\n---\n")
    assert found and ("expands to more than" in found[0] or "not valid YAML" in found[0])


def test_deep_nesting_is_refused_quickly() -> None:
    deep = "---\ntype: decision\nx: " + "[" * 50_000 + "]" * 50_000 + "\n---\n"
    start = time.perf_counter()
    assert problems(deep) == ["docs/x.md:3: the front matter nests deeper than 40 levels; "
                              "records need at most three"]
    block = "---\ntype: decision\nx:\n" + "".join(" " * i + "- \n" for i in range(0, 400, 2))
    assert "nests deeper" in problems(block + "---\n")[0]
    assert time.perf_counter() - start < 2


def test_size_limits_are_clear_and_configurable() -> None:
    title = "---\ntype: initiative\ntitle: " + "x" * 3_000_000 + "\n---\n"
    assert problems(title) == ["docs/x.md:2: the front matter is 3,000,026 bytes, over the "
                               "limit of 262,144 (option max_front_matter_bytes); move long "
                               "text into the body"]
    big = "---\ntype: initiative\n---\n" + "word " * 10_000_000
    assert problems(big)[0].startswith("docs/x.md: the record is 50,000,025 bytes, over the "
                                       "limit of 5,242,880 (option max_file_bytes)")
    assert problems(big, Limits(max_file_bytes=60_000_000)) == []


def test_bytes_that_are_not_utf8() -> None:
    assert problems(b"---\ntype: decision\ninitiative: a\ntitle: caf\xe9\n---\n") == [
        "docs/x.md:4: the file is not valid UTF-8 (byte 0xe9 at offset 43); save it as UTF-8"]


@pytest.mark.parametrize("text", [
    "\ufeff---\ntype: initiative\n---\n# Café\n",
    "---\r\ntype: initiative\r\nstatus: paused\r\n---\r\n# CRLF\r\n",
    "---\ntype:\tinitiative\ngoal:\tTabs\tinside\n---\n\t# Tabs\n",
    "---\ntype: initiative\ntitle: 決定とアクション\n---\n",
    "---\ntype: initiative\ntitle: \"مبادرة الدفع\"\n---\n",
    "---\ntype: initiative\ntitle: Ship it 🚀\n---\n",
    "---\ntype: initiative\ndate: 2026-03-01T09:30:00+02:00\ntarget: 2026-12-31 18:00:00Z\n---\n",
])
def test_valid_unusual_records_are_accepted(text: str) -> None:
    assert problems(text) == []


def test_ids_that_escape_or_collide(repo: GitRepo) -> None:
    repo.record("i.md", "type: initiative")
    repo.record("a.md", "type: learning\ninitiative: i\nid: ../x")
    repo.record("b.md", "type: learning\ninitiative: i\nid: ./b")
    repo.record("sub/c.md", "type: learning\ninitiative: i\nid: dup")
    repo.record("sub/d.md", "type: learning\ninitiative: i\nid: DUP")
    repo.record("E.md", "type: learning\ninitiative: i")
    built = build(repo)
    text = " ".join(built.warnings)
    assert "docs/a.md:4: invalid id '../x'" in text
    assert "docs/b.md:4: invalid id './b'" in text
    assert "docs/sub/d.md:4: invalid id 'DUP'" in text  # upper case is not an id
    assert "the id 'E' taken from the file name is not valid" in text
    assert set(built.records) == {"i", "dup"}


@pytest.mark.parametrize(("front", "words"), [
    ("depends_on: 3", "`depends_on` must be a list, not a number"),
    ("owner: {first: Ada}", "`owner` must be text, not a mapping"),
    ("tags:\n  - {name: x}", "item 1 of `tags` must be text, not a mapping"),
    ("waiting_on: [Legal]", "entry 1 of `waiting_on` must be a mapping"),
    ("actions: {what: x}", "`actions` must be a list"),
    ("title: [a, b]", "`title` must be text, not a list"),
])
def test_wrong_kinds_anywhere(front: str, words: str) -> None:
    found = problems(f"---\ntype: decision\ninitiative: i\n{front}\n---\n")
    assert any(words in p for p in found), found


def test_broken_references(repo: GitRepo) -> None:
    repo.record("i.md", "type: initiative")
    repo.record("l.md", "type: learning\ninitiative: i")
    repo.record("self.md", "type: decision\ninitiative: i\ndepends_on: [self]")
    repo.record("wrong.md", "type: decision\ninitiative: i\ninformed_by: [self]")
    repo.record("s1.md", "type: decision\ninitiative: i\nsupersedes: s2")
    repo.record("s2.md", "type: decision\ninitiative: i\nsupersedes: s1")
    repo.record("gone.md", "type: decision\ninitiative: i\ndepends_on: [l, nowhere]")
    text = " ".join(build(repo).warnings)
    assert "docs/self.md:4: `depends_on` refers to the record itself ('self')" in text
    assert "docs/wrong.md:4: `informed_by` must name a learning, but 'self' is a decision" in text
    assert "docs/s1.md:4: `supersedes` forms a cycle (s1 → s2 → s1)" in text
    assert "docs/gone.md:4: `depends_on` refers to 'nowhere', which does not exist" in text


@pytest.mark.expect_warnings(
    'bomb.md:2: the front matter expands',
    'evil.md:2: YAML tag not allowed',
    'huge.md: the record is 6,000,037 bytes',
    'latin1.md:\\d: the file is not valid UTF-8')
def test_one_bad_record_never_hides_the_others(repo: GitRepo) -> None:
    repo.record("i.md", "type: initiative")
    repo.record("good.md", "type: decision\ninitiative: i\nstatus: accepted")
    repo.write("docs/bomb.md", BOMB)
    repo.write("docs/latin1.md", "")
    (repo.root / "docs/latin1.md").write_bytes(b"---\ntype: learning\ninitiative: i\n---\n"
                                               b"# Caf\xe9\n")
    repo.write("docs/plain-latin1.md", "")
    (repo.root / "docs/plain-latin1.md").write_bytes(b"# Just a page, caf\xe9\n")
    repo.write("docs/huge.md", "---\ntype: learning\ninitiative: i\n---\n" + "x" * 6_000_000)
    repo.write("docs/evil.md", "---\ntype: !!python/object/apply:os.system ['echo hi']\n---\n")
    repo.commit("records", "2026-05-01")
    start = time.perf_counter()
    built = build(repo)
    assert time.perf_counter() - start < 30
    assert set(built.records) == {"i", "good"}
    listed = built.text("problems/")
    for name in ("bomb.md", "latin1.md", "plain-latin1.md", "huge.md", "evil.md"):
        assert f"docs/{name}" in listed, name
    assert not (built.site / "huge").exists() and not (built.site / "latin1").exists()
    assert (built.site / "bomb" / "index.html").exists()  # MkDocs builds it as a plain page
    assert run_mkdocs(repo, "--strict").returncode == 1


def test_git_trouble_leaves_history_empty_with_a_warning(repo: GitRepo) -> None:
    repo.record("i.md", "type: initiative")
    repo.record("d.md", "type: decision\ninitiative: i\nstatus: proposed")
    repo.commit("one", "2026-01-01")
    old_blob = repo.git("rev-parse", "HEAD:docs/d.md").strip()
    repo.record("d.md", "type: decision\ninitiative: i\nstatus: accepted")
    repo.commit("two", "2026-02-01")
    obj = repo.root / ".git" / "objects" / old_blob[:2] / old_blob[2:]
    obj.chmod(0o644)
    obj.unlink()  # a corrupt repository: one old version of the record is gone
    built = build(repo)
    assert any("could not read" in w or "history is left empty" in w for w in built.warnings)
    assert set(built.records) == {"i", "d"}
    assert "Traceback" not in " ".join(built.warnings)


def test_repository_mid_rebase(repo: GitRepo) -> None:
    repo.record("i.md", "type: initiative")
    repo.record("d.md", "type: decision\ninitiative: i\nstatus: proposed")
    repo.commit("base", "2026-01-01")
    repo.git("checkout", "-q", "-b", "topic")
    repo.record("d.md", "type: decision\ninitiative: i\nstatus: accepted")
    repo.commit("topic", "2026-01-02")
    repo.git("checkout", "-q", "main")
    repo.record("d.md", "type: decision\ninitiative: i\nstatus: rejected")
    repo.commit("main", "2026-01-03")
    result = subprocess.run(["git", "rebase", "main", "topic"], cwd=repo.root,
                            capture_output=True, text=True, env={**repo.env, "PATH": "/usr/bin:/bin",
                                                                 "HOME": str(repo.root)})
    assert result.returncode != 0  # stopped on the conflict, HEAD detached mid-rebase
    assert (repo.root / ".git" / "rebase-merge").exists() or (
        repo.root / ".git" / "rebase-apply").exists()
    repo.record("d.md", "type: decision\ninitiative: i\nstatus: accepted")  # conflict resolved
    built = build(repo)
    assert built.records["d"]["created"] == "2026-01-01"
