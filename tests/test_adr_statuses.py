"""ADR statuses: statuses of the past (done, amended, unknown) and records that write none."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from conftest import GitRepo, build, run_mkdocs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from headway.adr import parse_adr_document, read_status, version_reading
from headway.cli import main
from headway.errors import ConfigError
from headway.settings import AdrFolder, adr_folders
from headway.validate import check_document

D = "docs/architecture/adr"


def plugin(default_status: str | None = None) -> str:
    extra = f"          default_status: {default_status}\n" if default_status else ""
    return ("  - headway:\n      adr_folders:\n        - folder: architecture/adr\n"
            f"          initiative: architecture\n{extra}")


# Records after each template (MADR 2.1.2, 3.0.0, 4.0.0; adr-tools' Nygard), statuses optional.

def madr2(title: str, status: str | None, chosen: str | None) -> str:
    meta = f"* Status: {status}\n" if status else ""
    meta += "* Deciders: Maya Chen, Raj Patel\n"
    outcome = f'Chosen option: "{chosen}", because it is the only one that scales.\n' \
        if chosen else "We have not chosen yet.\n"
    return (f"# {title}\n\n{meta}\nTechnical Story: none\n\n## Context and Problem Statement\n\n"
            f"What about {title.lower()}?\n\n## Considered Options\n\n* Kafka\n* NATS\n\n"
            f"## Decision Outcome\n\n{outcome}\n### Positive Consequences\n\n* Fewer outages\n")


def madr3(title: str, status: str | None, chosen: str | None, *, v4: bool = False) -> str:
    front = "---\n"
    front += f"status: {status}\n" if status else ""
    front += "nav_order: 3\nparent: Decisions\n---\n\n"
    outcome = f'Chosen option: "{chosen}", because it fits.\n' if chosen else ""
    consequences = "### Consequences\n\n* Good, because it is simple.\n" if v4 else \
        "### Positive Consequences\n\n* Simple.\n"
    return (f"{front}# {title}\n\n## Context and Problem Statement\n\nWe must decide.\n\n"
            f"## Considered Options\n\n* Kafka\n* NATS\n\n"
            + (f"## Decision Outcome\n\n{outcome}\n{consequences}" if chosen else
               "## Pros and Cons of the Options\n\n### Kafka\n\n* Good, because mature.\n"))


def nygard(number: int, title: str, status: str | None, decision: str | None) -> str:
    text = f"# {number}. {title}\n\nDate: 2026-01-10\n\n"
    text += f"## Status\n\n{status}\n\n" if status else ""
    text += "## Context\n\nWhy it came up.\n\n"
    text += f"## Decision\n\n{decision}\n\n" if decision is not None else ""
    return text + "## Consequences\n\nWhat becomes easier.\n"


def site(repo: GitRepo, default_status: str | None = None) -> None:
    repo.mkdocs_yml(plugins=plugin(default_status))


def write_folder(repo: GitRepo) -> None:
    repo.write(f"{D}/0001-madr2-chosen.md", madr2("Use Kafka", None, "Kafka"))
    repo.write(f"{D}/0002-madr2-open.md", madr2("Pick a queue", None, None))
    repo.write(f"{D}/0003-madr2-written.md", madr2("Use NATS", "proposed", "NATS"))
    repo.write(f"{D}/0004-madr3-chosen.md", madr3("Use Postgres", None, "Postgres"))
    repo.write(f"{D}/0005-madr3-open.md", madr3("Pick a cache", None, None))
    repo.write(f"{D}/0006-madr4-chosen.md", madr3("Use Redis", None, "Redis", v4=True))
    repo.write(f"{D}/0007-madr4-on-hold.md", madr3("Use Memcached", "on hold", "Memcached",
                                                   v4=True))
    repo.write(f"{D}/0008-nygard-decided.md", nygard(8, "Use Go", None, "We will use Go."))
    repo.write(f"{D}/0009-nygard-open.md", nygard(9, "Pick a language", None, None))
    repo.write(f"{D}/0010-nygard-written.md", nygard(10, "Use Rust", "Rejected", "We will not."))


EXPECTED = {  # id: (status, status_source, status_text)
    "0001-madr2-chosen": ("accepted", "inferred", None),
    "0002-madr2-open": ("exploring", "default", None),
    "0003-madr2-written": ("proposed", "written", None),
    "0004-madr3-chosen": ("accepted", "inferred", None),
    "0005-madr3-open": ("exploring", "default", None),
    "0006-madr4-chosen": ("accepted", "inferred", None),
    "0007-madr4-on-hold": ("exploring", "kept", "on hold"),
    "0008-nygard-decided": ("accepted", "inferred", None),
    "0009-nygard-open": ("exploring", "default", None),
    "0010-nygard-written": ("rejected", "written", "Rejected"),
}
INFERRED = "no status written; read as accepted: the record states its outcome"


def test_a_missing_status_is_read_from_what_the_record_says(repo: GitRepo) -> None:
    site(repo)
    write_folder(repo)
    repo.commit("Import ADRs", "2026-02-02", "Maya Chen")
    built = build(repo)
    records = built.records
    assert {rid: (r["status"], r["status_source"], r["status_text"])
            for rid, r in records.items() if r["type"] == "decision"} == EXPECTED
    assert records["0004-madr3-chosen"]["status_note"] == INFERRED
    assert records["0005-madr3-open"]["status_note"] == (
        "no status written and no outcome stated; read as exploring, headway's default")
    assert records["0003-madr2-written"]["status_note"] is None
    assert records["0004-madr3-chosen"]["status_history"] == [{
        "status": "accepted", "date": "2026-02-02", "datetime": "2026-02-02T12:00:00+00:00",
        "commit": records["0004-madr3-chosen"]["status_history"][0]["commit"],
        "author": "Maya Chen", "written": None, "status_source": "inferred"}]
    history = records["0010-nygard-written"]["status_history"]
    assert [(h["status"], h["written"], h["status_source"]) for h in history] == [
        ("rejected", "Rejected", "written")]
    # only the unknown status warns; the records without one are notes, not warnings
    assert [w for w in built.warnings if "0007" not in w] == []

    page = built.text("architecture/adr/0004-madr3-chosen/")
    assert INFERRED in page
    assert "(no status written: it states its outcome)" in page  # its status history
    held = built.text("architecture/adr/0007-madr4-on-hold/")
    assert "(on hold)" in held and "accepted" not in held.split("Status history")[0]

    log = built.html("decisions/")
    row = re.search(r'<tr data-status="accepted"[^>]*>(?:(?!</tr>).)*Use Postgres.*?</tr>', log, re.S)
    assert row is not None
    assert f'title="{INFERRED}">(no status written: it states its outcome)</span>' in row.group(0)
    open_row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*Pick a cache.*?</tr>", log, re.S)
    assert open_row is not None and '(no status written)</span>' in open_row.group(0)
    assert 'data-status="exploring"' in open_row.group(0)

    feed = (built.site / "headway" / "feed.xml").read_text("utf-8")
    assert ("<summary>Decision in architecture, created as accepted (no status written: it "
            "states its outcome)</summary>") in feed
    assert "created as rejected</summary>" in feed  # written as Rejected: nothing to add

    timeline = built.text("initiatives/architecture/")
    assert "Decision created as accepted (no status written: it states its outcome) · Use Go" \
        in timeline
    assert "Decision created as exploring (no status written) · Pick a language" in timeline


def test_a_strict_build_and_check_pass_on_a_valid_madr_folder(
        repo: GitRepo, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    site(repo)
    write_folder(repo)
    repo.write(f"{D}/0007-madr4-on-hold.md", madr3("Use Memcached", None, "Memcached", v4=True))
    repo.commit("Import ADRs", "2026-02-02")
    result = run_mkdocs(repo, "--strict")
    assert result.returncode == 0, result.stderr
    assert "8 record(s) in adr_folders write no status" in result.stderr
    monkeypatch.chdir(repo.root)
    capsys.readouterr()
    assert main(["check"]) == 0
    out, err = capsys.readouterr()
    notes = out.splitlines()
    assert len(notes) == 8 and all(": note: no status written" in n for n in notes)
    assert ("docs/architecture/adr/0004-madr3-chosen.md:1: note: no status written; read as "
            "accepted: the record states its outcome (write a status line to say it outright)") in notes
    assert "docs/architecture/adr/0008-nygard-decided.md:1: note: no status written; read as " \
        "accepted" in out
    assert "8 note(s)" in err and "no problems" in err
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    assert main(["check"]) == 0
    assert capsys.readouterr().out.startswith("::notice file=docs/architecture/adr/0001-madr2")


def test_history_of_a_record_without_a_status_line(repo: GitRepo) -> None:
    """One entry at creation with the status it was read as, then one whenever the written
    status, or what it was read from, changed; none for an edit that changes neither."""
    site(repo)
    path = f"{D}/0001-use-kafka.md"
    repo.write(path, madr3("Use Kafka", None, None))
    repo.commit("Draft", "2026-01-05", "Maya Chen")
    repo.write(path, madr3("Use Kafka", None, "Kafka"))
    repo.commit("Choose Kafka", "2026-01-12", "Raj Patel")
    repo.write(path, madr3("Use Kafka", None, "Kafka") + "\nMore context.\n")
    repo.commit("Edit the body", "2026-01-19", "Raj Patel")
    repo.write(path, madr3("Use Kafka", "accepted", "Kafka") + "\nMore context.\n")
    repo.commit("Write the status", "2026-01-26", "Sam Ortiz")
    repo.write(path, madr3("Use Kafka", "Done", "Kafka") + "\nMore context.\n")
    repo.commit("Done", "2026-02-02", "Sam Ortiz")
    built = build(repo, strict=True)
    rec = built.records["0001-use-kafka"]
    assert [(h["status"], h["date"], h["written"], h["status_source"])
            for h in rec["status_history"]] == [
        ("exploring", "2026-01-05", None, "default"),
        ("accepted", "2026-01-12", None, "inferred"),
        ("accepted", "2026-01-26", "accepted", "written"),
        ("accepted", "2026-02-02", "Done", "written")]
    assert (rec["status"], rec["status_source"], rec["status_text"]) == ("accepted", "written", "Done")
    timeline = built.text("initiatives/architecture/")
    assert "Decided: accepted (no status written: it states its outcome)" in timeline
    assert "Now: accepted (Done)" in timeline and "Decided: accepted (Done)" not in timeline
    assert "Decided: accepted ·" not in timeline  # the status written where it was read: no decision
    feed = (built.site / "headway" / "feed.xml").read_text("utf-8")
    assert "<title>Use Kafka: accepted (Done)</title>" in feed


@pytest.mark.parametrize("first_parent", [True, False])
def test_statuses_of_the_past(repo: GitRepo, first_parent: bool) -> None:
    """Done, Completed, Implemented read as accepted; Amended and Modified keep the status
    the record had; one headway does not know keeps it too, shown as written: no step back
    to exploring that never happened (in either history mode)."""
    repo.mkdocs_yml(plugins=plugin() + ("" if first_parent else "      first_parent: false\n"))
    path = f"{D}/0003-use-grpc.md"
    steps = [("Proposed", "2026-01-05"), ("Accepted", "2026-01-12"), ("In progress", "2026-01-15"),
             ("Done", "2026-01-19"),
             ("Amended by [5. Use REST for public APIs](0005-use-rest.md)", "2026-02-02"),
             ("Parked", "2026-02-09"), ("Completed", "2026-02-16")]
    for status, day in steps:
        repo.write(path, nygard(3, "Use gRPC", status, "We will use gRPC."))
        repo.commit(status, day, "Maya Chen")
    repo.write(path, nygard(3, "Use gRPC", "Completed", "We will use gRPC inside."))
    repo.commit("Body only", "2026-02-23", "Maya Chen")
    modified = f"{D}/0004-use-protobuf.md"
    repo.write(modified, nygard(4, "Use protobuf", "Modified", "We will use protobuf."))
    repo.write(f"{D}/0005-use-rest.md", nygard(5, "Use REST for public APIs", "Implemented",
                                               "We will use REST."))
    repo.commit("More", "2026-03-01", "Raj Patel")
    built = build(repo)
    records = built.records
    history = records["0003-use-grpc"]["status_history"]
    assert [(h["status"], h["date"], h["written"], h["status_source"]) for h in history] == [
        ("proposed", "2026-01-05", "Proposed", "written"),
        ("accepted", "2026-01-12", "Accepted", "written"),
        ("accepted", "2026-01-15", "In progress", "kept"),
        ("accepted", "2026-01-19", "Done", "written"),
        ("accepted", "2026-02-02", "Amended by [5. Use REST for public APIs](0005-use-rest.md)",
         "kept"),
        ("accepted", "2026-02-09", "Parked", "kept"),
        ("accepted", "2026-02-16", "Completed", "written")]
    assert records["0003-use-grpc"]["status"] == "accepted"
    assert [(h["status"], h["written"]) for h in records["0004-use-protobuf"]["status_history"]] \
        == [("accepted", "Modified")]
    assert records["0004-use-protobuf"]["status"] == "accepted"
    assert records["0005-use-rest"]["status"] == "accepted"
    page = built.text("architecture/adr/0003-use-grpc/")
    assert "(Parked)" in page and "(Done)" in page and "exploring" not in page


def test_an_unknown_current_status_keeps_the_one_it_had(repo: GitRepo) -> None:
    site(repo)
    path = f"{D}/0001-use-s3.md"
    repo.write(path, madr3("Use S3", "accepted", "S3"))
    repo.commit("Accept", "2026-01-05")
    repo.write(path, madr3("Use S3", "On hold", "S3"))
    repo.commit("Hold", "2026-01-12")
    built = build(repo)
    rec = built.records["0001-use-s3"]
    assert (rec["status"], rec["status_source"], rec["status_text"]) == ("accepted", "kept", "On hold")
    assert rec["status_note"] == ("written as 'On hold', which names no status of its own: the "
                                  "record keeps the status it had (accepted)")
    assert [(h["status"], h["written"]) for h in rec["status_history"]] == [
        ("accepted", "accepted"), ("accepted", "On hold")]
    assert rec["status_note"].replace("'", "&#39;") in built.text("architecture/adr/0001-use-s3/")
    log = built.html("decisions/")
    assert '<tr data-status="accepted"' in log and "(On hold)</span>" in log


def test_the_folders_default_status(repo: GitRepo) -> None:
    site(repo, "proposed")
    path = f"{D}/0001-pick-a-queue.md"
    repo.write(path, madr3("Pick a queue", None, None))
    repo.write(f"{D}/0002-use-kafka.md", madr3("Use Kafka", None, "Kafka"))
    repo.write(f"{D}/0003-amend.md", nygard(3, "Amend", "Amended", "We amend."))
    repo.commit("Draft", "2026-01-05")
    repo.write(path, madr3("Pick a queue", "Parked", None))
    repo.commit("Park", "2026-01-12")
    repo.write(path, madr3("Pick a queue", None, None) + "\nNotes.\n")
    repo.commit("Unpark", "2026-01-19")
    built = build(repo, strict=True)
    records = built.records
    rec = records["0001-pick-a-queue"]
    assert (rec["status"], rec["status_source"]) == ("proposed", "default")
    assert rec["status_note"] == ("no status written and no outcome stated; read as proposed, "
                                  "the folder's default_status")
    assert [(h["status"], h["written"], h["status_source"]) for h in rec["status_history"]] == [
        ("proposed", None, "default"), ("proposed", "Parked", "kept"), ("proposed", None, "default")]
    assert (records["0002-use-kafka"]["status"], records["0002-use-kafka"]["status_source"]) == (
        "accepted", "inferred")
    assert records["0003-amend"]["status"] == "accepted"


def test_default_status_must_be_a_decision_status() -> None:
    with pytest.raises(ConfigError, match="default_status 'done' is not one of exploring, "
                                          "proposed, accepted"):
        adr_folders([{"folder": "adr", "default_status": "done"}])
    assert adr_folders([{"folder": "adr", "default_status": "proposed"}])[0].default_status == \
        "proposed"


def test_a_bad_default_status_fails_the_build(repo: GitRepo) -> None:
    site(repo, "finished")
    result = run_mkdocs(repo)
    assert result.returncode != 0 and "default_status" in result.stderr


def test_convert_writes_the_status_it_read(repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    site(repo)
    write_folder(repo)
    repo.commit("Import", "2026-02-02")
    monkeypatch.chdir(repo.root)
    before = {rid: (r["status"], r["title"]) for rid, r in build(repo).records.items()}
    assert main(["convert", "docs/architecture/adr", "--write"]) == 0
    capsys.readouterr()
    text = (repo.root / D / "0004-madr3-chosen.md").read_text("utf-8")
    assert text.startswith("---\ntype: decision\ninitiative: architecture\nstatus: accepted  # "
                           f"inferred: {INFERRED}\n")
    kafka = (repo.root / D / "0001-madr2-chosen.md").read_text("utf-8")
    assert f"status: accepted  # inferred: {INFERRED}\n" in kafka
    nygard_text = (repo.root / D / "0008-nygard-decided.md").read_text("utf-8")
    assert f"status: accepted  # inferred: {INFERRED}\n" in nygard_text
    cache = (repo.root / D / "0005-madr3-open.md").read_text("utf-8")
    assert "status: exploring  # no status written and no outcome stated; read as exploring, " \
        "headway's default\n" in cache
    assert main(["check"]) == 0
    after = {rid: (r["status"], r["title"]) for rid, r in build(repo).records.items()}
    assert after == before


def test_the_history_cache_keeps_what_a_status_was_read_from(repo: GitRepo) -> None:
    """A later build goes on from the stored tally: a body edit after `Done` makes no entry."""
    repo.mkdocs_yml(plugins=plugin() + "      cache_dir: .cache/headway\n")
    path = f"{D}/0001-use-kafka.md"
    repo.write(path, nygard(1, "Use Kafka", "Done", "We will use Kafka."))
    repo.commit("Done", "2026-01-05")
    first = build(repo, strict=True).records["0001-use-kafka"]["status_history"]
    repo.write(path, nygard(1, "Use Kafka", "Done", "We will use Kafka, and more."))
    repo.commit("Edit", "2026-01-12")
    second = build(repo, strict=True).records["0001-use-kafka"]["status_history"]
    assert second == first and [(h["status"], h["written"]) for h in second] == [
        ("accepted", "Done")]
    repo.write(path, nygard(1, "Use Kafka", "Amended by ADR 2", "We will use Kafka, and more."))
    repo.commit("Amend", "2026-01-19")
    third = build(repo, strict=True).records["0001-use-kafka"]["status_history"]
    assert [(h["status"], h["written"], h["status_source"]) for h in third] == [
        ("accepted", "Done", "written"), ("accepted", "Amended by ADR 2", "kept")]


@pytest.mark.parametrize(("written", "status", "keeps"), [
    ("Done", "accepted", False), ("completed", "accepted", False), ("IMPLEMENTED", "accepted", False),
    ("Amended", "accepted", True), ("Modified by ADR-0007", "accepted", True),
    ("Amended by [7. X](0007-x.md)", "accepted", True), ("On hold", "exploring", True),
    ("In progress", "exploring", True), ("Work in progress", "exploring", False),
    ("Accepted", "accepted", False),
])
def test_statuses_of_the_past_map(written: str, status: str, keeps: bool) -> None:
    reading = read_status(written)
    assert (reading.status, reading.keeps) == (status, keeps)


# ---------------------------------------------------------------- one reading, two paths

FOLDER = AdrFolder("architecture/adr", "architecture")
_OUTCOMES = [
    None, 'Chosen option: "Kafka", because it scales.', "Chosen alternative: NATS",
    "* **Chosen option:** Redis", 'Chosen option: "{title of option 1}", because {reason}',
    'Chosen option: "[option 1]", because [justification]', "TBD", "We chose Postgres.",
    "<!-- to be written -->", "```\nChosen option: in a code block\n```",
]


@st.composite
def adr_texts(draw: st.DrawFn) -> str:
    shape = draw(st.sampled_from(["madr2", "madr3", "nygard"]))
    status = draw(st.sampled_from([None, "accepted", "Done", "Amended", "on hold", "Proposed"]))
    outcome = draw(st.sampled_from(_OUTCOMES))
    heading = draw(st.sampled_from(["Decision Outcome", "Decision", "Considered Options"]))
    extra = draw(st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40))
    body = f"## {heading}\n\n{outcome}\n" if outcome is not None else f"## {heading}\n\n"
    body += f"\n## Notes\n\n{extra}\n"
    if shape == "madr2":
        meta = f"* Status: {status}\n* Date: 2026-01-02\n" if status else "* Date: 2026-01-02\n"
        return f"# Use X\n\n{meta}\n## Context and Problem Statement\n\nWhy.\n\n{body}"
    if shape == "madr3":
        front = f"---\nstatus: {status}\n---\n" if status else "---\ntitle: Use X\n---\n"
        return f"{front}\n# Use X\n\n## Context and Problem Statement\n\nWhy.\n\n{body}"
    status_section = f"## Status\n\n{status}\n\n" if status else ""
    return f"# 1. Use X\n\nDate: 2026-01-02\n\n{status_section}## Context\n\nWhy.\n\n{body}"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(adr_texts())
def test_old_and_current_versions_read_alike(text: str) -> None:
    """headway.git reads each old version through adr.version_reading; the page reads the
    current one through parse_adr_document: both must come to the same status, read the
    same way."""
    raw = text.encode()
    doc, _ = parse_adr_document("docs/architecture/adr/0001-use-x.md",
                                "architecture/adr/0001-use-x.md", raw, FOLDER)
    old = version_reading(raw)
    if doc is None:
        assert old is None
        return
    record = check_document(doc).record
    assert record is not None and old is not None
    assert (record.status, record.status_source) == (old.status, old.source)


def test_outcomes_read_and_not_read() -> None:
    def source(body: str) -> str | None:
        read = version_reading(f"# 1. X\n\nDate: 2026-01-02\n\n## Context\n\nWhy.\n\n{body}".encode())
        return read.source if read is not None else None

    assert source('## Decision Outcome\n\nChosen option: "A", because.\n') == "inferred"
    assert source("## Decision\n\nWe will use A.\n") == "inferred"
    assert source("Chosen alternative: B\n") == "inferred"
    assert source("## Decision\n\nTBD\n") == "default"
    assert source("## Decision Outcome\n\nNot chosen yet: we meet on Monday.\n") == "default"
    assert source("## Decision Outcome\n\n**Chosen:** Kafka\n") == "inferred"
    assert source('## Decision Outcome\n\nChosen option: "{title of option 1}", because x\n') \
        == "default"
    assert source("## Decision\n\n<!-- later -->\n") == "default"
    assert source(textwrap.dedent("""\
        ## Consequences

        ```
        Chosen option: "A"
        ```
        """)) == "default"


def test_a_record_that_states_an_outcome_needs_no_number(tmp_path: Path) -> None:
    doc, problems = parse_adr_document(
        "adr/use-kafka.md", "adr/use-kafka.md",
        madr3("Use Kafka", None, "Kafka").encode(), AdrFolder("adr", "arch"))
    assert doc is not None and doc.data["status"] == "accepted"
    assert [p.severity for p in problems] == ["note"]


@pytest.mark.parametrize("first_parent", [True, False])
def test_a_warm_history_reads_as_a_cold_one(repo: GitRepo, tmp_path: Path,
                                            first_parent: bool) -> None:
    """The stored facts of old versions (with how their status was read) and the stored
    tallies give the same history as a read from scratch, after new commits too."""
    from headway.git import HistoryOptions, read_history

    path = f"{D}/0001-use-kafka.md"
    paths = [path]
    for status, day in (("Proposed", "2026-01-05"), ("Done", "2026-01-12")):
        repo.write(path, nygard(1, "Use Kafka", status, "We will use Kafka."))
        repo.commit(status, day)
    cache = HistoryOptions(first_parent=first_parent, cache_dir=tmp_path / "cache")
    fresh = HistoryOptions(first_parent=first_parent)
    cold = read_history(repo.root, paths, cache, "docs")
    assert read_history(repo.root, paths, cache, "docs").facts == cold.facts
    repo.git("checkout", "-q", "-b", "topic")
    repo.write(path, nygard(1, "Use Kafka", "Amended by ADR 2", "We will use Kafka."))
    repo.commit("Amend", "2026-01-19", "Raj Patel")
    repo.git("checkout", "-q", "main")
    repo.write(path.replace("0001-use-kafka", "0002-other"), nygard(2, "Other", None, "Yes."))
    repo.commit("Other", "2026-01-20")
    repo.merge("topic", "Merge topic", "2026-01-26", "Maya Chen")
    warm = read_history(repo.root, paths, cache, "docs")
    assert warm.facts == read_history(repo.root, paths, fresh, "docs").facts
    history = warm.facts[path].status_history
    assert [(s.status, s.written, s.source) for s in history] == [
        ("proposed", "Proposed", "written"), ("accepted", "Done", "written"),
        ("accepted", "Amended by ADR 2", "kept")]
    assert str(history[-1].date.date()) == ("2026-01-26" if first_parent else "2026-01-19")
