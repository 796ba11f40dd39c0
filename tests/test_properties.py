"""Property-based tests: any front matter, valid or not, yields a record or problems that name
the file and say something, never an exception, and quickly."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from headway import parse
from headway.model import STATUSES, Problem
from headway.parse import may_be_record, parse_document
from headway.validate import check_document

CORPUS = Path(__file__).parent / "fuzz_corpus"
FIELDS = ["type", "id", "title", "status", "owner", "date", "tags", "depends_on", "waiting_on",
          "initiative", "goal", "target", "question", "participants", "sources", "deciders",
          "informed_by", "options", "supersedes", "superseded_by", "actions", "informedby",
          "Status", "x"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.text(max_size=30), st.dates(), st.sampled_from(
        ["decision", "learning", "initiative", "accepted", "acepted", "open", "2026-13-45",
         "../x", "A", "<script>x</script>", "&amp;", "🚀", "—"]),
)
values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(
        ["who", "what", "since", "due", "done", "owner", "status", "waiting_on", "zz"]),
        inner, max_size=4)), max_leaves=12)
front_matter = st.dictionaries(st.sampled_from(FIELDS), values, max_size=10)


def outcome(raw: bytes) -> list[Problem]:
    """Parse and check one file; the properties every outcome must have."""
    doc, problems = parse_document("docs/f.md", "f.md", raw)
    if doc is not None or problems:  # the byte test history starts with never misses one
        assert may_be_record(raw) or b"\r" in raw
    if doc is not None:
        checked = check_document(doc)
        problems = list(checked.problems)
        if checked.record is not None:
            assert checked.record.type in STATUSES
            assert checked.record.status in STATUSES[checked.record.type]
            assert checked.record.id and checked.record.title
        else:
            assert any(p.severity == "error" for p in problems)
    for problem in problems:
        assert problem.path == "docs/f.md"
        assert problem.message
        assert problem.line is None or problem.line >= 1
    return problems


@settings(max_examples=300, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
@given(front_matter, st.sampled_from(["decision", "learning", "initiative", None]))
def test_generated_front_matter(data: dict[str, Any], rtype: str | None) -> None:
    if rtype is not None:
        data = {"type": rtype, **data}
    try:
        text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=None)
    except yaml.YAMLError:
        return
    start = time.perf_counter()
    outcome(f"---\n{text}---\n# Title\n".encode())
    assert time.perf_counter() - start < 1


@settings(max_examples=300, deadline=1000)
@given(st.text(max_size=400))
def test_generated_text_after_a_type(text: str) -> None:
    outcome(f"---\ntype: decision\n{text}\n---\n".encode("utf-8", "surrogatepass"))


@settings(max_examples=200, deadline=1000)
@given(st.binary(max_size=300))
def test_generated_bytes(raw: bytes) -> None:
    outcome(b"---\ntype: learning\n" + raw)


def test_valid_records_always_pass() -> None:
    text = yaml.safe_dump({"type": "decision", "initiative": "i", "status": "accepted",
                           "date": date(2026, 1, 2), "deciders": ["a"],
                           "actions": [{"what": "x", "due": date(2026, 2, 1)}]})
    assert outcome(f"---\n{text}---\n".encode()) == []


def test_fuzz_corpus_never_crashes() -> None:
    """Inputs the fuzzer (tests/fuzz_frontmatter.py) found interesting or crashing."""
    files = sorted(CORPUS.glob("*"))
    assert files, "the corpus is committed with the tests"
    for path in files:
        start = time.perf_counter()
        outcome(path.read_bytes())
        assert time.perf_counter() - start < 2, path.name


def same_as_pyyaml(fm_text: str) -> None:
    """headway builds values and key lines in one walk of the YAML nodes; the values must be
    what PyYAML's own constructor makes of the same text, the lines what a walk of the nodes
    finds after it (merge keys rewrite the nodes they merge)."""
    try:
        expected = yaml.load(fm_text, Loader=parse._Loader)
    except (yaml.YAMLError, RecursionError, ValueError, OverflowError, TypeError):
        return
    data, lines, problems = parse.load_front_matter(fm_text, "f.md", parse.Limits())
    if problems:  # a limit headway enforces and PyYAML does not
        return
    assert data == expected or (data != data and expected != expected)  # NaN is not NaN
    loader = parse._Loader(fm_text)
    try:
        node = loader.get_single_node()
        if node is not None:
            loader.construct_document(node)
    finally:
        loader.dispose()
    want: dict[str, int] = {}
    if node is not None:
        parse._collect_lines(node, "", want, 1)
    assert lines == want


@settings(max_examples=300, deadline=1000, suppress_health_check=[HealthCheck.too_slow])
@given(front_matter)
def test_values_are_those_of_pyyaml(data: dict[str, Any]) -> None:
    try:
        text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=None)
    except yaml.YAMLError:
        return
    same_as_pyyaml(text)


@settings(max_examples=300, deadline=1000)
@given(st.text(max_size=300))
def test_values_of_any_text_are_those_of_pyyaml(text: str) -> None:
    same_as_pyyaml(f"type: decision\n{text}")


def test_values_of_tricky_yaml_are_those_of_pyyaml() -> None:
    for text in ["a: &x [1, 2]\nb: *x\n", "<<: {a: 1}\nb: 2\n", "? [a, b]\n: c\n",
                 "a: !!set {x, y}\n", "a: !!omap [b: 1]\n", "1: one\ntrue: yes\nnull: n\n",
                 "d: 2026-02-30\ne: 2026-02-03\nf: 2026-02-03T04:05:06Z\n", "a: !!binary aGk=\n",
                 "x: 0o17\ny: 0x1f\nz: 1_000\nw: .inf\n", "a: b\na: c\n", "- 1\n- 2\n", "plain",
                 "a:\n  - b: [c, {d: e}]\n", "=: x\na: {=: 1}\n"]:
        same_as_pyyaml(text)
    for path in sorted(CORPUS.glob("*")):
        raw = path.read_bytes()
        if raw.startswith(b"---\n") and b"\n---" in raw[4:]:
            same_as_pyyaml(raw[4:raw.index(b"\n---", 4)].decode("utf-8", "replace"))


path_part = st.text(st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)),
                    min_size=1, max_size=12).filter(lambda part: part != ".")


@given(st.lists(path_part, min_size=0, max_size=3), path_part,
       st.sampled_from([".md", ".markdown", ".MD"]))
def test_file_names_are_read_as_pathlib_reads_them(folders: list[str], name: str,
                                                   extension: str) -> None:
    """file_stem and default_id work on strings (they run for every page); they must agree
    with PurePosixPath, which they replaced, on the pages MkDocs gives them."""
    from pathlib import PurePosixPath

    from headway.ids import default_id, file_stem

    src_uri = "/".join([*folders, name + extension])
    path = PurePosixPath(src_uri)
    assert file_stem(src_uri) == path.stem
    expected = path.parent.name if path.stem in ("index", "README") and path.parent.name \
        else path.stem
    assert default_id(src_uri) == expected


def _depends_by_yaml(snippet: str) -> tuple[str, ...]:
    """What history's `_depends` must give: the ids as PyYAML reads the block."""
    try:
        loaded = yaml.load(snippet, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return ()
    value = loaded.get("depends_on") if isinstance(loaded, dict) else None
    if not isinstance(value, list):
        return ()
    return tuple(str(v) for v in value if isinstance(v, str | int))


depends_word = st.one_of(
    st.from_regex(r"[A-Za-z][\w.-]{0,12}", fullmatch=True),
    st.sampled_from(["yes", "No", "TRUE", "off", "null", "Null", "y", "n", "on1", "d-0001",
                     "12", "1.5", ".inf", "2026-01-02", "~", "a b", "a: b", "#x", "'q'"]))


@settings(max_examples=400, deadline=1000)
@given(st.lists(depends_word, min_size=1, max_size=4),
       st.lists(st.sampled_from(["", " ", "  ", "    ", "\t"]), min_size=4, max_size=4),
       st.sampled_from([" ", "  ", "\t"]), st.sampled_from(["", " ", "  # c"]))
def test_old_versions_depends_on_are_read_as_pyyaml_reads_them(
        words: list[str], indents: list[str], gap: str, tail: str) -> None:
    """The history reads block lists of bare words without YAML (they are most of the
    `depends_on` of old versions); whatever the indentation, spacing, words or comments,
    it must give what PyYAML gives."""
    from headway.git.versions import _depends

    lines = [f"{indents[i % 4]}-{gap}{word}{tail}" for i, word in enumerate(words)]
    snippet = "depends_on:\n" + "\n".join(lines)
    assert _depends(snippet) == _depends_by_yaml(snippet)


@settings(max_examples=400, deadline=1000)
@given(st.lists(st.one_of(depends_word, st.just(""), st.just(" ")), max_size=4),
       st.sampled_from(["", ",", ", "]), st.sampled_from([", ", ",", " ,  "]))
def test_old_versions_flow_lists_are_read_as_pyyaml_reads_them(
        words: list[str], trailing: str, comma: str) -> None:
    """The same for flow lists (`depends_on: [a, b]`), empty items and trailing commas
    included."""
    from headway.git.versions import _depends

    snippet = f"depends_on: [{comma.join(words)}{trailing}]"
    assert _depends(snippet) == _depends_by_yaml(snippet)


status_word = st.sampled_from(["exploring", "proposed", "accepted", "active", "done", "wip-2",
                               "~", "null", "NULL", "'proposed'"])


@settings(max_examples=300, deadline=1000)
@given(rtype=st.sampled_from(["decision", "Learning", "initiative"]),
       status=st.one_of(st.none(), status_word),
       depends=st.one_of(st.none(), st.lists(depends_word.filter(
           lambda w: w[:1].isalpha() and ":" not in w and " " not in w), max_size=3)),
       flow=st.booleans(), blank_in_list=st.booleans(), comment=st.booleans(),
       nested_status=st.booleans(), crlf=st.booleans(), bom=st.booleans(),
       order=st.permutations(range(4)), body_status=st.booleans(), twice=st.booleans())
def test_old_versions_are_read_as_pyyaml_reads_them(
        rtype: str, status: str | None, depends: list[str] | None, flow: bool,
        blank_in_list: bool, comment: bool, nested_status: bool, crlf: bool, bom: bool,
        order: list[int], body_status: bool, twice: bool) -> None:
    """History reads type, status and depends_on of every old version with a few regular
    expressions, not YAML; for front matter as people write it (any field order, comments,
    a nested `status:` in actions, blank lines in lists, CRLF, a BOM, `status:` in the
    body, `~` or null, a status given twice), it must agree with PyYAML."""
    from headway.git.versions import FactsMemo, read_version

    note = "  # why" if comment else ""
    fields = [f"type: {rtype}{note}", f"status: {status}{note}" if status else "title: T",
              "actions:\n  - what: x\n    status: done" if nested_status else "owner: Ana",
              ""]
    if depends is not None:
        if flow:
            fields[3] = f"depends_on: [{', '.join(depends)}]"
        else:
            items = [f"  - {d}" for d in depends]
            if blank_in_list and len(items) > 1:
                items.insert(1, "")
            fields[3] = "\n".join(["depends_on:", *items])
    fm = "\n".join(fields[i] for i in order if fields[i]) + ("\nstatus: done" if twice else "")
    body = "\nstatus: rejected\n" if body_status else "\n# Title\n"
    text = f"---\n{fm}\n---\n{body}"
    if crlf:
        text = text.replace("\n", "\r\n")
    raw = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    loaded = yaml.safe_load(fm)
    expected_depends = loaded.get("depends_on") or []
    expected = (rtype.lower(), loaded.get("status"),
                tuple(str(d) for d in expected_depends if isinstance(d, str | int)))
    shared = FactsMemo()
    for memo in (FactsMemo(), shared, shared):  # the last time from the memo
        facts, _blocks = read_version(b"xx" + raw + b"yy", memo, 2, 2 + len(raw))
        assert (facts.type, facts.status, facts.depends_on) == expected
