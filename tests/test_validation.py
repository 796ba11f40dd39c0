"""Each rule of the spec's "Errors" section, with the line it names and what it says."""

from __future__ import annotations

from pathlib import Path

import pytest

from headway.catalog import Source, build_catalog
from headway.model import Problem
from headway.parse import parse_document
from headway.settings import Settings
from headway.validate import check_document


def problems_of(text: str, name: str = "records/x.md") -> list[Problem]:
    doc, problems = parse_document(name, name.split("/", 1)[1], text.encode())
    if doc is None:
        return problems
    return list(check_document(doc).problems)


def one(text: str) -> Problem:
    found = problems_of(text)
    assert len(found) == 1, found
    return found[0]


def test_unknown_status_names_line_and_suggests() -> None:
    p = one("---\ntype: decision\ninitiative: i\nstatus: acepted\n---\n# X\n")
    assert (p.path, p.line) == ("records/x.md", 4)
    assert str(p) == ("records/x.md:4: unknown status 'acepted' for a decision; did you mean "
                      "'accepted'?; expected one of exploring, proposed, accepted, rejected, "
                      "superseded, deprecated")


def test_unknown_field_is_a_warning_with_the_nearest_name() -> None:
    p = one("---\ntype: decision\ninitiative: i\ninformedby: [a]\n---\n")
    assert p.severity == "warning" and p.line == 4
    assert "unknown field `informedby`" in p.message and "did you mean 'informed_by'?" in p.message


def test_unknown_type_suggests() -> None:
    p = one("---\ntitle: A\ntype: decisoin\n---\n")
    assert p.line == 3 and "unknown type 'decisoin'; did you mean 'decision'?" in p.message


def test_empty_type() -> None:
    p = one("---\nowner: x\ntype:\n---\n")
    assert p.line == 3 and p.message == "`type` is empty; expected one of initiative, learning, decision"


def test_missing_initiative() -> None:
    p = one("---\ntype: learning\n---\n")
    assert p.line == 2 and "needs `initiative: <id>`" in p.message


def test_bad_date_names_the_nested_line() -> None:
    text = ("---\ntype: decision\ninitiative: i\nwaiting_on:\n  - who: Legal\n"
            "    what: review\n    since: last tuesday\n---\n")
    p = one(text)
    assert p.line == 7 and "`waiting_on.0.since` is not a date: 'last tuesday'" in p.message
    assert "2026-03-31" in p.message


def test_bad_id() -> None:
    p = one("---\ntype: initiative\nid: Checkout Revamp\n---\n")
    assert p.line == 3 and "invalid id 'Checkout Revamp'" in p.message
    assert "id: checkout-revamp" in p.message


def test_string_where_a_list_belongs() -> None:
    p = one("---\ntype: decision\ninitiative: i\ndeciders: Maya\n---\n")
    assert p.line == 4 and "`deciders` must be a list, not text" in p.message
    assert "deciders: [Maya]" in p.message


@pytest.mark.parametrize(("front", "line", "words"), [
    ("type: decision\ninitiative: i\nowner: {name: x}", 4, "`owner` must be text, not a mapping"),
    ("type: decision\ninitiative: i\ntags: 3", 4, "`tags` must be a list, not a number"),
    ("type: decision\ninitiative: i\ntags:\n  - {a: b}", 5, "item 1 of `tags` must be text"),
    ("type: decision\ninitiative: i\nactions:\n  - what: x\n    status: finished", 6,
     "unknown status 'finished' for an action"),
    ("type: decision\ninitiative: i\nwaiting_on:\n  - who: Legal", 5, "`waiting_on.0.what` is "
     "required"),
    ("type: decision\ninitiative: i\nwaiting_on: Legal", 4, "`waiting_on` must be a list"),
    ("type: decision\ninitiative: i\nwaiting_on:\n  - who: A\n    what: b\n    done: maybe", 7,
     "`waiting_on.0.done` must be true or false"),
])
def test_wrong_kinds(front: str, line: int, words: str) -> None:
    p = one(f"---\n{front}\n---\n")
    assert p.line == line and words in p.message, p


def test_yaml_error_has_its_line() -> None:
    p = one("---\ntype: decision\ninitiative: i\nowner: [unclosed\nstatus: x\n---\n")
    assert p.line is not None and 4 <= p.line <= 6
    assert p.message.startswith("front matter is not valid YAML")


def test_every_problem_of_a_file_is_reported() -> None:
    found = problems_of("---\ntype: decision\ninitiative: i\nstatus: done\ndate: soon\n"
                        "deciders: x\nfoo: 1\n---\n")
    assert [p.line for p in found] == [7, 4, 5, 6]


def test_pages_without_type_are_not_records() -> None:
    assert parse_document("a.md", "a.md", b"---\ntitle: Home\n---\n# Home\n") == (None, [])
    assert parse_document("a.md", "a.md", b"# Just markdown\n") == (None, [])


def test_defaults_id_title_status() -> None:
    doc, _ = parse_document("r/pay/index.md", "pay/index.md",
                            b"---\ntype: initiative\n---\n\n# Payments revamp\n")
    assert doc is not None
    rec = check_document(doc).record
    assert rec is not None
    assert (rec.id, rec.title, rec.status) == ("pay", "Payments revamp", "active")
    doc, _ = parse_document("r/a/README.md", "a/README.md", b"---\ntype: initiative\n---\n")
    assert doc is not None and check_document(doc).record.id == "a"  # type: ignore[union-attr]
    doc, _ = parse_document("r/0007-use-x.md", "0007-use-x.md",
                            b"---\ntype: decision\ninitiative: a\n---\nno heading\n")
    rec = check_document(doc).record  # type: ignore[arg-type]
    assert rec is not None and (rec.id, rec.title, rec.status) == (
        "0007-use-x", "0007-use-x", "exploring")


def _catalog(tmp_path: Path, files: dict[str, str]) -> list[str]:
    docs = tmp_path / "docs"
    sources = []
    for name, text in files.items():
        path = docs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
        sources.append(Source(name, str(path), name[:-3] + "/"))
    settings = Settings(docs_dir=docs, config_dir=tmp_path)
    catalog = build_catalog(sources, settings, with_history=False)
    return [str(p) for p in catalog.problems]


def test_site_wide_rules(tmp_path: Path) -> None:
    problems = _catalog(tmp_path, {
        "i.md": "---\ntype: initiative\n---\n",
        "a.md": "---\ntype: decision\ninitiative: i\ndepends_on:\n  - nope\n  - b\n---\n",
        "b.md": "---\ntype: decision\ninitiative: i\ninformed_by: [i]\n---\n",
        "c.md": "---\ntype: learning\ninitiative: ghost\n---\n",
        "sub/a.md": "---\ntype: learning\ninitiative: i\n---\n",
        "d.md": "---\ntype: decision\ninitiative: i\nsupersedes: d\n---\n",
    })
    assert "docs/a.md:5: `depends_on` refers to 'nope', which does not exist" in problems
    assert "docs/b.md:4: `informed_by` must name a learning, but 'i' is an initiative" \
        in problems
    assert any(p.startswith("docs/c.md:3: initiative 'ghost' has no record") for p in problems)
    assert "docs/sub/a.md: duplicate id 'a', which this file's name gives it: docs/a.md (from " \
        "its file name) has it too; give the other record another `id:`, or this one an " \
        "`id:` of its own" in problems
    assert "docs/a.md: duplicate id 'a', which this file's name gives it: docs/sub/a.md (from " \
        "its file name) has it too; give the other record another `id:`, or this one an " \
        "`id:` of its own" in problems
    assert "docs/d.md:4: `supersedes` refers to the record itself ('d'); name another record" \
        in problems


def test_cycle_is_an_error_on_every_member(tmp_path: Path) -> None:
    problems = _catalog(tmp_path, {
        "i.md": "---\ntype: initiative\n---\n",
        "a.md": "---\ntype: decision\ninitiative: i\ndepends_on: [b]\n---\n",
        "b.md": "---\ntype: decision\ninitiative: i\ndepends_on: [c]\n---\n",
        "c.md": "---\ntype: decision\ninitiative: i\ndepends_on: [a]\n---\n",
    })
    cycle = [p for p in problems if "forms a cycle (a → b → c → a)" in p]
    assert [p.split(":")[0] for p in cycle] == ["docs/a.md", "docs/b.md", "docs/c.md"]


def test_an_id_with_no_value_is_taken_from_the_file_name() -> None:
    """Found by hypothesis: `id:` left empty (YAML null) dropped the record with no problem."""
    from headway.parse import parse_document
    from headway.validate import check_document

    doc, _ = parse_document("docs/f.md", "f.md",
                            b"---\nid:\ntitle:\ntype: initiative\n---\n# Title\n")
    assert doc is not None
    checked = check_document(doc)
    assert checked.record is not None and checked.record.id == "f"


def test_references_of_a_record_with_other_errors_are_reported_too(tmp_path: Path) -> None:
    """All problems at once: a broken status does not hide a broken reference (nor a cycle
    through the broken record)."""
    problems = _catalog(tmp_path, {
        "i.md": "---\ntype: initiative\n---\n",
        "k.md": "---\ntype: decision\ninitiative: i\ndepends_on: [qq, m]\nstatus: acepted\n"
                "informed_by: [m]\n---\n",
        "m.md": "---\ntype: decision\ninitiative: i\ndepends_on: [k]\n---\n",
    })
    assert any(p.startswith("docs/k.md:5: unknown status 'acepted'") for p in problems)
    assert "docs/k.md:4: `depends_on` refers to 'qq', which does not exist" in problems
    assert "docs/k.md:6: `informed_by` must name a learning, but 'm' is a decision" in problems
    assert any(p.startswith("docs/m.md:4:") and "forms a cycle" in p for p in problems)


def test_initiative_must_be_an_id() -> None:
    p = one("---\ntype: decision\ninitiative: Payments Team\n---\n# X\n")
    assert p.severity == "error" and p.line == 3
    assert p.message.startswith("invalid initiative id 'Payments Team'")
    assert p.message.endswith("e.g. initiative: payments-team")
    for hostile in ("../../evil", "a/b", "<script>x</script>"):
        found = problems_of(f"---\ntype: learning\ninitiative: '{hostile}'\n---\n")
        assert [q.message.split(":")[0] for q in found] == [
            f"invalid initiative id '{hostile}'"], found


@pytest.mark.parametrize(("front", "line", "message"), [
    ('question: "unterminated\nstatus: open\n', 4,
     "a quoted value begins on this line and its closing quote is missing"),
    ("participants: [a, b\nstatus: open\n", 4, "a [ list begins on this line"),
    ("sources: {a: 1\nstatus: open\n", 4, "a { mapping begins on this line"),
])
def test_yaml_left_open_is_reported_where_it_opens(front: str, line: int, message: str) -> None:
    p = one(f"---\ntype: learning\ninitiative: i\n{front}---\n# X\n")
    assert p.line == line, p
    assert p.message.startswith(f"front matter is not valid YAML: {message}"), p


def test_a_field_of_another_type_is_named_as_such() -> None:
    found = problems_of("---\ntype: decision\ninitiative: i\ntarget: 2026-05-01\n"
                        "question: why?\n---\n")
    assert [(p.line, p.severity, p.message) for p in found] == [
        (4, "warning", "`target` is a field of initiatives, not of decisions; it is ignored here"),
        (5, "warning", "`question` is a field of learnings, not of decisions; it is ignored "
                       "here"),
    ]


def test_a_field_given_twice_is_a_warning_and_the_last_counts() -> None:
    doc, problems = parse_document("records/x.md", "x.md", b"---\ntype: decision\n"
                                   b"initiative: i\nstatus: accepted\nstatus: rejected\n---\n")
    assert doc is not None and doc.data["status"] == "rejected"
    assert [p.severity for p in problems] == ["warning"]
    assert [str(p) for p in problems] == [
        "records/x.md:5: `status` is given twice (lines 4 and 5); the last one "
        "counts: remove the other"]
