"""Existing decision records (MADR, adr-tools/Nygard, log4brains) published as they are, and converted."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pytest
from conftest import ENGINE, GitRepo, build, init_repo, run_mkdocs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from headway.adr import parse_adr_document, read_status, version_status
from headway.cli import main
from headway.model import Decision
from headway.parse import Document, Limits
from headway.settings import AdrFolder
from headway.validate import check_document

ADR_PLUGIN = """\
  - headway:
      adr_folders:
        - folder: architecture/adr
          initiative: architecture
"""

# Records written for these tests after each tool's published template.


def nygard(number: int, title: str, status: str, date: str = "2026-01-10", links: str = "") -> str:
    """adr-tools' template: `# N. Title`, a Date line, `## Status` then the Nygard sections."""
    extra = f"\n{links}\n" if links else ""
    return textwrap.dedent(f"""\
        # {number}. {title}

        Date: {date}

        ## Status

        {status}
        """) + extra + textwrap.dedent(f"""\

        ## Context

        Why {title.lower()} came up.

        ## Decision

        We will {title.lower()}.

        ## Consequences

        What becomes easier, and what harder.
        """)


def madr(front: str, title: str, options: tuple[str, ...] = ("Option A", "Option B")) -> str:
    """MADR 3/4: YAML front matter, then Context, Considered Options, Decision Outcome."""
    items = "\n".join(f"* {o}" for o in options)
    return (f"---\n{textwrap.dedent(front).strip()}\n---\n\n# {title}\n\n"
            f"## Context and Problem Statement\n\nWhat we must decide about {title.lower()}.\n\n"
            f"## Considered Options\n\n{items}\n\n## Decision Outcome\n\n"
            f"Chosen option: \"{options[0]}\", because it fits.\n")


def log4brains(title: str, bullets: str, links: str = "") -> str:
    """log4brains (MADR 2): a bullet list of metadata under the title."""
    text = (f"# {title}\n\n{textwrap.dedent(bullets).strip()}\n\nTechnical Story: none\n\n"
            f"## Context and Problem Statement\n\nThe question about {title.lower()}.\n\n"
            f"## Considered Options\n\n- First choice\n- Second choice\n\n## Decision Outcome\n\n"
            f"Chosen option: \"First choice\".\n")
    return text + (f"\n## Links\n\n{textwrap.dedent(links).strip()}\n" if links else "")


def adr_site(repo: GitRepo, folder: str = "architecture/adr", initiative: str | None = "architecture"
             ) -> None:
    plugins = ADR_PLUGIN.replace("architecture/adr", folder)
    if initiative is None:
        plugins = plugins.replace("          initiative: architecture\n", "")
    repo.mkdocs_yml(plugins=plugins)


def nygard_chain(repo: GitRepo) -> None:
    """A chain as `adr new -s` leaves it: 1 superseded by 2, 2 superseded by 3 (each with its
    `Supercedes` line), and an unrelated record 4."""
    d = "docs/architecture/adr"
    repo.write(f"{d}/0001-use-mysql.md", nygard(
        1, "Use MySQL", "Superceded by [2. Use Postgres](0002-use-postgres.md)", "2026-01-05"))
    repo.write(f"{d}/0002-use-postgres.md", nygard(
        2, "Use Postgres", "Superceded by [3. Use SQLite for tests](0003-use-sqlite-for-tests.md)",
        "2026-01-12", links="Supercedes [1. Use MySQL](0001-use-mysql.md)"))
    repo.write(f"{d}/0004-record-architecture-decisions.md",
               nygard(4, "Record architecture decisions", "Accepted", "2026-01-02"))
    repo.write(f"{d}/0003-use-sqlite-for-tests.md", nygard(
        3, "Use SQLite for tests", "Accepted", "2026-02-01",
        links="Supercedes [2. Use Postgres](0002-use-postgres.md)"))


def test_nygard_folder_superseded_chain_both_ways(repo: GitRepo) -> None:
    adr_site(repo)
    nygard_chain(repo)
    repo.commit("Import ADRs", "2026-02-02", "Maya Chen")
    built = build(repo, strict=True)
    assert built.warnings == []
    records = built.records
    assert set(records) == {"0001-use-mysql", "0002-use-postgres", "0003-use-sqlite-for-tests",
                            "0004-record-architecture-decisions"}
    first, old, new = (records[i] for i in ("0001-use-mysql", "0002-use-postgres",
                                            "0003-use-sqlite-for-tests"))
    assert (first["supersedes"], first["superseded_by"]) == (None, "0002-use-postgres")
    assert (old["supersedes"], old["superseded_by"]) == ("0001-use-mysql", "0003-use-sqlite-for-tests")
    assert (old["type"], old["status"], old["initiative"]) == ("decision", "superseded", "architecture")
    assert old["title"] == "Use Postgres" and old["number"] == "0002" and old["format"] == "nygard"
    assert old["status_text"] == "Superceded by [3. Use SQLite for tests](0003-use-sqlite-for-tests.md)"
    assert (new["supersedes"], new["superseded_by"]) == ("0002-use-postgres", None)
    assert new["status"] == "accepted" and new["status_text"] == "Accepted"
    assert new["date"] == "2026-02-01" and new["created"] == "2026-02-02"
    assert new["authors"] == ["Maya Chen"]
    assert new["path"] == "docs/architecture/adr/0003-use-sqlite-for-tests.md"
    assert new["url"] == "architecture/adr/0003-use-sqlite-for-tests/"

    old_page = built.html("architecture/adr/0002-use-postgres/")
    new_page = built.html("architecture/adr/0003-use-sqlite-for-tests/")
    assert re.search(r"<dt>Superseded by</dt><dd><a href=\"../0003-use-sqlite-for-tests/\">"
                     r"Use SQLite for tests</a>", old_page)
    assert re.search(r"<dt>Supersedes</dt><dd><a href=\"../0001-use-mysql/\">Use MySQL</a>", old_page)
    assert re.search(r"<dt>Supersedes</dt><dd><a href=\"../0002-use-postgres/\">Use Postgres</a>",
                     new_page)
    assert '<span class="hw-number">#0002</span>' in old_page
    assert '<time datetime="2026-01-12">' in old_page  # the record's own Date line is shown
    # The implicit initiative named by adr_folders has its page, listing the records.
    initiative = built.text("initiatives/architecture/")
    assert "Use Postgres" in initiative and "Use SQLite for tests" in initiative


def test_the_decision_log_lists_them(repo: GitRepo) -> None:
    adr_site(repo)
    nygard_chain(repo)
    repo.commit("Import ADRs", "2026-02-02")
    log = build(repo).html("decisions/")
    rows = re.findall(r'<tr data-status="([a-z]+)" data-initiative="architecture">\s*<td>'
                      r'<span class="hw-number">(\d+)</span> <a href="[^"]+">([^<]+)</a>', log)
    assert sorted(rows) == [("accepted", "0003", "Use SQLite for tests"),
                            ("accepted", "0004", "Record architecture decisions"),
                            ("superseded", "0001", "Use MySQL"),
                            ("superseded", "0002", "Use Postgres")]


def test_madr_3_and_4_folder(repo: GitRepo) -> None:
    adr_site(repo, "decisions", initiative=None)
    repo.write("docs/decisions/0001-use-madr.md", madr("""
        status: accepted
        date: 2026-03-02
        deciders: Maya Chen, Raj Patel
        consulted: Security team
        informed: Everyone
    """, "Use MADR for decisions"))
    repo.write("docs/decisions/0002-use-kafka.md", madr("""
        # These are optional metadata elements. Feel free to remove any of them.
        status: "superseded by ADR-0003"
        date: 2026-03-09
        decision-makers: [Raj Patel]
        consulted: [Data team]
    """, "Use Kafka for events", ("Kafka", "RabbitMQ")))
    repo.write("docs/decisions/0003-use-nats.md", madr("""
        status: accepted
        date: 2026-04-01
        decision-makers:
          - Raj Patel
          - Sam Ortiz
    """, "Use NATS for events", ("NATS", "Kafka")))
    repo.write("docs/decisions/0004-drop-the-monolith.md", madr("""
        status: "superseded by [ADR-0003](0003-use-nats.md)"
        date: 2026-02-01
    """, "Drop the monolith"))
    repo.write("docs/decisions/adr-template.md", madr("""
        status: "{proposed | rejected | accepted | deprecated | … | superseded by ADR-0123}"
        date: "{YYYY-MM-DD when the decision was last updated}"
    """, "{short title, representative of solved problem and found solution}"))
    repo.commit("MADR records", "2026-04-02", "Raj Patel")
    built = build(repo, strict=True)
    assert built.warnings == []
    records = built.records
    assert {"0001-use-madr", "0002-use-kafka", "0003-use-nats", "0004-drop-the-monolith"} \
        <= set(records)
    assert "adr-template" not in records  # the template is an ordinary page
    first = records["0001-use-madr"]
    assert first["deciders"] == ["Maya Chen", "Raj Patel"] and first["format"] == "madr"
    assert first["date"] == "2026-03-02" and first["options"] == ["Option A", "Option B"]
    kafka = records["0002-use-kafka"]
    assert kafka["status"] == "superseded" and kafka["status_text"] == "superseded by ADR-0003"
    assert kafka["superseded_by"] == "0003-use-nats" and kafka["deciders"] == ["Raj Patel"]
    assert kafka["options"] == ["Kafka", "RabbitMQ"]
    assert records["0004-drop-the-monolith"]["superseded_by"] == "0003-use-nats"
    nats = records["0003-use-nats"]
    assert nats["deciders"] == ["Raj Patel", "Sam Ortiz"] and nats["status_text"] is None
    assert nats["supersedes_all"] == ["0002-use-kafka", "0004-drop-the-monolith"]
    assert first["initiative"] == "decisions"  # by default, the folder's name
    assert "Use NATS for events" in built.text("initiatives/decisions/")  # an implicit initiative


def test_log4brains_folder(repo: GitRepo) -> None:
    adr_site(repo, "adr")
    repo.write("docs/adr/index.md", "<!-- This file is the homepage of the knowledge base -->\n\n"
               "# Architecture knowledge base\n\n- Status: accepted\n")
    repo.write("docs/adr/template.md", log4brains("[short title of solved problem and solution]", """
        - Status: [draft | proposed | rejected | accepted | deprecated | … | superseded by [xxx]] <!-- optional -->
        - Deciders: [list everyone involved in the decision] <!-- optional -->
        - Date: [YYYY-MM-DD when the decision was last updated] <!-- optional -->
        - Tags: [space and/or comma separated list of tags] <!-- optional -->
    """))  # noqa: E501
    repo.write("docs/adr/20260105-use-log4brains.md", log4brains("Use Log4brains to manage the ADRs", """
        - Status: accepted
        - Deciders: Maya Chen, Sam Ortiz
        - Date: 2026-01-05
        - Tags: tooling, docs
    """))
    repo.write("docs/adr/20260210-use-react.md", log4brains("Use React for the front end", """
        - Status: superseded by [Use Vue for the front end](20260301-use-vue.md)
        - Deciders: Raj Patel
        - Date: 2026-02-10
        - Tags: frontend web
    """))
    repo.write("docs/adr/20260301-use-vue.md", log4brains("Use Vue for the front end", """
        * Status: draft
        * Date: 2026-03-01
    """, links="- Supersedes [Use React for the front end](20260210-use-react.md)"))
    repo.commit("log4brains records", "2026-03-02")
    built = build(repo, strict=True)
    assert built.warnings == []
    records = built.records
    assert {k for k, r in records.items() if r["type"] == "decision"} == {
        "20260105-use-log4brains", "20260210-use-react", "20260301-use-vue"}
    l4b = records["20260105-use-log4brains"]
    assert (l4b["status"], l4b["format"], l4b["number"]) == ("accepted", "log4brains", None)
    assert l4b["deciders"] == ["Maya Chen", "Sam Ortiz"] and l4b["tags"] == ["tooling", "docs"]
    assert l4b["options"] == ["First choice", "Second choice"]
    react = records["20260210-use-react"]
    assert react["status"] == "superseded" and react["superseded_by"] == "20260301-use-vue"
    assert react["tags"] == ["frontend", "web"]  # "space and/or comma separated"
    vue = records["20260301-use-vue"]
    assert (vue["status"], vue["status_text"]) == ("exploring", "draft")
    assert vue["supersedes"] == "20260210-use-react"
    assert "Architecture knowledge base" in built.html("adr/")  # index.md stays a page


MIXED = {
    "0001-nygard.md": nygard(1, "Keep a decision log", "Accepted"),
    "0002-madr.md": madr("status: proposed\ndate: 2026-02-02\ndeciders: [Maya]", "Use MADR"),
    "0003-log4brains.md": log4brains("Try log4brains", "- Status: rejected\n- Date: 2026-02-03"),
    "0004-variants.md": textwrap.dedent("""\
        ---
        title: Use feature flags
        status: Accepted
        authors: [Maya Chen, Raj Patel]
        created: 2026-02-04
        tags: [release, risk]
        superseded_by: 0006-native
        adr:
          number: 4
          deciders: [Product council]
        ---

        Flags let us ship dark.
        """),
    "ADR-005 Drop Flags.md": textwrap.dedent("""\
        ---
        adr: 5
        status: Deprecated
        date: 2026-02-05
        author: Sam Ortiz
        supersedes: 3
        ---

        # Drop flags
        """),
    "0006-native.md": textwrap.dedent("""\
        ---
        type: decision
        initiative: architecture
        status: accepted
        supersedes: 0004-variants
        ---

        # Flags, but native
        """),
}


def test_mixed_formats_in_one_folder(repo: GitRepo) -> None:
    adr_site(repo)
    for name, text in MIXED.items():
        repo.write(f"docs/architecture/adr/{name}", text)
    repo.commit("Records of every kind", "2026-02-06")
    built = build(repo, strict=True)
    assert built.warnings == []
    r = built.records
    assert [(r[i].get("format", "headway"), r[i]["status"]) for i in (
        "0001-nygard", "0002-madr", "0003-log4brains", "0004-variants", "adr-005-drop-flags",
        "0006-native")] == [("nygard", "accepted"), ("madr", "proposed"), ("log4brains", "rejected"),
                            ("madr", "accepted"), ("madr", "deprecated"), ("headway", "accepted")]
    variants = r["0004-variants"]
    assert variants["title"] == "Use feature flags" and variants["owner"] == "Maya Chen, Raj Patel"
    assert variants["date"] == "2026-02-04" and variants["tags"] == ["release", "risk"]
    assert variants["number"] == "4" and variants["deciders"] == ["Product council"]
    assert variants["status_text"] == "Accepted"
    assert variants["superseded_by"] == "0006-native"  # both sides agree
    assert r["adr-005-drop-flags"]["supersedes"] == "0003-log4brains"  # `supersedes: 3`, a number
    assert r["0003-log4brains"]["superseded_by"] == "adr-005-drop-flags"
    assert r["adr-005-drop-flags"]["owner"] == "Sam Ortiz" and r["adr-005-drop-flags"]["number"] == "5"
    assert r["0006-native"]["supersedes"] == "0004-variants"
    assert r["adr-005-drop-flags"]["url"] == "architecture/adr/ADR-005%20Drop%20Flags/"


def test_capitalised_and_unknown_statuses(repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    adr_site(repo)
    d = "docs/architecture/adr"
    repo.write(f"{d}/0001-capitals.md", nygard(1, "Shout the status", "ACCEPTED"))
    repo.write(f"{d}/0002-approved.md", madr("status: Approved", "Approve things"))
    repo.write(f"{d}/0003-on-hold.md", nygard(3, "Wait for the vendor", "On hold"))
    repo.write(f"{d}/0004-madr-unknown.md", madr("status: Postponed\ndate: 2026-01-04", "Later"))
    repo.commit("Statuses", "2026-01-20")
    built = build(repo)
    r = built.records
    assert (r["0001-capitals"]["status"], r["0001-capitals"]["status_text"]) == ("accepted", "ACCEPTED")
    assert (r["0002-approved"]["status"], r["0002-approved"]["status_text"]) == ("accepted", "Approved")
    assert (r["0003-on-hold"]["status"], r["0003-on-hold"]["status_text"]) == ("exploring", "On hold")
    assert (r["0004-madr-unknown"]["status"], r["0004-madr-unknown"]["status_text"]) == (
        "exploring", "Postponed")
    # ADR templates allow a team's own statuses (MADR: `proposed | … | accepted | …`): shown as
    # written, listed by `headway check` as notes, never warnings (a valid folder builds strict)
    assert not [w for w in built.warnings if "is not one headway knows" in w]
    monkeypatch.chdir(repo.root)
    assert main(["check"]) == 0
    unknown = [line.replace(": note: ", ": ", 1) for line in capsys.readouterr().out.splitlines()
               if "is not one headway knows" in line]
    assert len(unknown) == 2
    assert unknown[0].startswith("docs/architecture/adr/0003-on-hold.md:7: status 'On hold' is not "
                                 "one headway knows, so the record keeps the status it had before "
                                 "('exploring' when it had none), with 'On hold' shown beside it; "
                                 "known statuses (any case): draft, ")
    assert "accepted" in unknown[0] and "superseded by <record>" in unknown[0]
    assert unknown[1].startswith("docs/architecture/adr/0004-madr-unknown.md:2: status 'Postponed'")
    page = built.html("architecture/adr/0003-on-hold/")
    assert 'title="status as written in the record">(On hold)</span>' in page
    assert run_mkdocs(repo, "--strict").returncode == 0


def test_numbered_duplicates_are_two_records(repo: GitRepo) -> None:
    adr_site(repo)
    d = "docs/architecture/adr"
    repo.write(f"{d}/0001-start.md", nygard(1, "Start", "Accepted"))
    repo.write(f"{d}/0002-use-grpc.md", nygard(2, "Use gRPC", "Accepted"))
    repo.write(f"{d}/0002-use-rest.md", nygard(2, "Use REST", "Proposed"))
    repo.write(f"{d}/0003-later.md", nygard(3, "Later", "Accepted", links="Supersedes ADR 2"))
    repo.commit("Two branches picked the same number", "2026-01-15")
    built = build(repo)
    r = built.records
    assert r["0002-use-grpc"]["number"] == r["0002-use-rest"]["number"] == "0002"
    assert (r["0002-use-grpc"]["title"], r["0002-use-rest"]["title"]) == ("Use gRPC", "Use REST")
    assert [w.removeprefix("headway: ") for w in built.warnings] == [
        "docs/architecture/adr/0002-use-rest.md:1: ADR number 0002 is also used by 0002-use-grpc.md: "
        "both are published, as '0002-use-grpc' and '0002-use-rest', but a reference to ADR 2 by "
        "number cannot tell them apart; renumber one of them",
        "docs/architecture/adr/0003-later.md:9: 'supersedes ADR 2' is ambiguous: 0002-use-grpc, "
        "0002-use-rest share that number; the link is left out (link the record's file, e.g. "
        "[7. Title](0007-title.md), or write its number)",
    ]
    assert r["0003-later"]["supersedes"] is None and r["0003-later"]["status"] == "accepted"


def test_generated_and_ordinary_pages_are_left_alone(repo: GitRepo) -> None:
    adr_site(repo)
    d = "docs/architecture/adr"
    repo.write(f"{d}/README.md", "# Architecture Decision Records\n\n"
               "* [1. Start](0001-start.md)\n")
    repo.write(f"{d}/decision-log.md", "<!-- This file was automatically generated by adr-log. "
               "Do not edit. -->\n\n# Decision log\n\n- Status: accepted\n- [1. Start](0001-start.md)\n")
    repo.write(f"{d}/toc.md", "---\ngenerated: true\nstatus: accepted\n---\n\n# Contents\n")
    repo.write(f"{d}/guidelines.md", "# How we write ADRs\n\nNumber them, and keep them short.\n")
    repo.write(f"{d}/0001-start.md", nygard(1, "Start", "Accepted"))
    repo.commit("Pages", "2026-01-15")
    built = build(repo, strict=True)
    assert built.warnings == []
    assert {k for k, v in built.records.items() if v["type"] == "decision"} == {"0001-start"}
    assert "Number them" in built.html("architecture/adr/guidelines/")
    assert "Decision log" in built.html("architecture/adr/decision-log/")
    assert "hw-record-panel" not in built.html("architecture/adr/")


def test_status_history_of_a_nygard_record(repo: GitRepo) -> None:
    adr_site(repo)
    path = "docs/architecture/adr/0001-use-postgres.md"
    repo.write(path, nygard(1, "Use Postgres", "Proposed"))
    repo.commit("Propose Postgres", "2026-03-01", "Maya Chen")
    repo.write(path, nygard(1, "Use Postgres", "Accepted"))
    repo.commit("Accept Postgres", "2026-03-08", "Raj Patel")
    rec = build(repo, strict=True).records["0001-use-postgres"]
    assert [(s["status"], s["date"], s["author"]) for s in rec["status_history"]] == [
        ("proposed", "2026-03-01", "Maya Chen"), ("accepted", "2026-03-08", "Raj Patel")]
    assert rec["created"] == "2026-03-01" and rec["updated"] == "2026-03-08"


def test_version_status_reads_each_format() -> None:
    assert version_status(nygard(1, "X", "Proposed").encode()) == "proposed"
    assert version_status(madr("status: Accepted", "X").encode()) == "accepted"
    assert version_status(log4brains("X", "- Status: draft").encode()) == "exploring"
    assert version_status(b"# Just a page\n\nText.\n") is None


def test_a_site_of_nothing_but_an_adr_folder(tmp_path: Path) -> None:
    """An existing repository: an adr-tools folder, and a mkdocs.yml with three lines for headway."""
    repo = init_repo(tmp_path / "legacy")
    # ProperDocs warns when no theme is named (which fails --strict); MkDocs defaults quietly
    theme = "theme: mkdocs\n" if ENGINE == "properdocs" else ""
    (repo.root / "mkdocs.yml").write_text(
        "site_name: Legacy\ndocs_dir: doc\nplugins:\n  - headway:\n      adr_folders:\n"
        "        - folder: adr\n" + theme, "utf-8")
    repo.write("doc/adr/0001-record-architecture-decisions.md",
               nygard(1, "Record architecture decisions", "Accepted", "2025-06-01"))
    repo.write("doc/adr/0002-use-http-apis.md", nygard(2, "Use HTTP APIs", "Accepted", "2025-07-01"))
    repo.write("doc/adr/0003-use-grpc.md", nygard(
        3, "Use gRPC", "Proposed", "2025-08-01",
        links="Supersedes [2. Use HTTP APIs](0002-use-http-apis.md)"))
    repo.commit("adr-tools records", "2025-08-02")
    built = build(repo, strict=True)
    assert built.warnings == []
    assert set(built.records) == {"0001-record-architecture-decisions", "0002-use-http-apis",
                                  "0003-use-grpc"}
    assert {r["initiative"] for r in built.records.values()} == {"adr"}  # the folder's name
    assert built.records["0002-use-http-apis"]["superseded_by"] == "0003-use-grpc"
    assert run_mkdocs(repo, "--strict").returncode == 0


def test_check_and_export_honour_adr_folders(repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    adr_site(repo)
    nygard_chain(repo)
    repo.commit("Import ADRs", "2026-02-02")
    monkeypatch.chdir(repo.root)
    assert main(["check"]) == 0
    assert "4 record(s), no problems" in capsys.readouterr().err
    assert main(["export", "-o", "out.json"]) == 0
    exported = json.loads((repo.root / "out.json").read_text())
    by_id = {r["id"]: r for r in exported["records"]}
    assert by_id["0002-use-postgres"]["superseded_by"] == "0003-use-sqlite-for-tests"
    site = build(repo).export
    exported.pop("generated"), site.pop("generated")
    assert exported == site
    repo.write("docs/architecture/adr/0004-odd.md", nygard(4, "Odd", "Parked"))
    assert main(["check"]) == 1  # two records numbered 4: a warning
    out = capsys.readouterr().out
    assert out.startswith("docs/architecture/adr/0004-odd.md:7: note: status 'Parked' is not one "
                          "headway knows")  # a team's own status: a note, shown as written


def test_convert_dry_run_then_write(repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    adr_site(repo)
    nygard_chain(repo)
    d = repo.root / "docs/architecture/adr"
    for name in ("0002-madr.md", "0003-log4brains.md", "0004-variants.md"):
        (d / name.replace("000", "001")).write_text(MIXED[name], "utf-8")
    (d / "0014-variants.md").write_text(MIXED["0004-variants.md"].replace(
        "superseded_by: 0006-native", "superseded_by: 0013-log4brains"), "utf-8")
    (d / "0015-on-hold.md").write_text(nygard(15, "Hold", "On hold", links="See the vendor's call."))
    (d / "README.md").write_text("# ADRs\n")
    repo.commit("Import ADRs", "2026-02-02")
    monkeypatch.chdir(repo.root)
    before = {p.name: p.read_text() for p in d.iterdir()}
    ids_before = _facts(repo)
    capsys.readouterr()

    assert main(["convert", "docs/architecture/adr"]) == 0
    out, err = capsys.readouterr()
    assert {p.name: p.read_text() for p in d.iterdir()} == before  # nothing written
    assert "--- a/docs/architecture/adr/0002-use-postgres.md\n" in out
    assert "+++ b/docs/architecture/adr/0002-use-postgres.md\n" in out
    assert "+type: decision\n" in out and "+superseded_by: 0003-use-sqlite-for-tests\n" in out
    assert "8 record(s) in docs/architecture/adr to convert; nothing written" in err

    assert main(["convert", "architecture/adr", "--write"]) == 0  # relative to docs_dir works too
    assert "converted 8 record(s)" in capsys.readouterr().err
    assert main(["check"]) == 0
    assert _facts(repo) == ids_before
    nygard_text = (d / "0003-use-sqlite-for-tests.md").read_text()
    assert nygard_text.startswith(
        "---\ntype: decision\ntitle: Use SQLite for tests\ninitiative: architecture\nstatus: accepted\n"
        "date: 2026-02-01\nsupersedes: 0002-use-postgres\n---\n\n# 3. Use SQLite for tests\n"
        "\n## Context\n")  # the Date line and the Status section moved into the front matter
    madr_text = (d / "0012-madr.md").read_text()
    assert madr_text.startswith("---\ntype: decision\ninitiative: architecture\nstatus: proposed\n"
                                "date: 2026-02-02\ndeciders: [Maya]\n")
    assert madr_text.endswith(MIXED["0002-madr.md"].split("---\n", 2)[2])  # body kept
    l4b = (d / "0013-log4brains.md").read_text()
    assert "- Status:" not in l4b and "Technical Story: none" in l4b
    held = (d / "0015-on-hold.md").read_text()
    assert "status: exploring  # was: On hold\n" in held
    assert "## Status\n\nOn hold\n\nSee the vendor's call.\n" in held  # kept: not safely movable
    variants = (d / "0014-variants.md").read_text()
    assert "owner: Maya Chen, Raj Patel\n" in variants and "superseded_by: 0013-log4brains" in variants
    assert "# adr:\n#   number: 4\n#   deciders: [Product council]\n" in variants  # kept, as a comment
    assert "created" not in variants.split("# kept")[1]  # moved: it became `date`
    assert (d / "README.md").read_text() == "# ADRs\n"
    assert main(["convert", "architecture/adr"]) == 0  # a second run has nothing left to do
    assert "0 record(s)" in capsys.readouterr().err


def _facts(repo: GitRepo) -> dict[str, tuple[object, ...]]:
    assert main(["export", "-o", "facts.json"]) in (0, 1)
    records = json.loads((repo.root / "facts.json").read_text())["records"]
    return {r["id"]: (r["status"], r["title"], r["supersedes"], r["superseded_by"], r["date"],
                      r["deciders"], r["owner"]) for r in records if r["type"] == "decision"}


def test_convert_needs_a_folder(repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(repo.root)
    assert main(["convert", "no/such/folder"]) == 2
    assert "no such folder" in capsys.readouterr().err


# ---------------------------------------------------------------- reading one file


FOLDER = AdrFolder("adr", "arch")
LIMITS = Limits()


def read(text: str | bytes, name: str = "0001-x.md", folder: AdrFolder = FOLDER,
         limits: Limits = LIMITS) -> tuple[Document | None, list[str]]:
    raw = text.encode() if isinstance(text, str) else text
    doc, problems = parse_adr_document(f"docs/adr/{name}", f"adr/{name}", raw, folder, limits)
    return doc, [str(p) for p in problems]


@pytest.mark.parametrize(("written", "status", "superseded_by"), [
    ("Accepted", "accepted", None), ("ACCEPTED", "accepted", None), ("**Accepted**", "accepted", None),
    ("draft", "exploring", None), ("Proposed", "proposed", None), ("approved", "accepted", None),
    ("Adopted", "accepted", None), ("rejected", "rejected", None), ("Deprecated", "deprecated", None),
    ("Superseded", "superseded", None), ("Accepted on 2021-03-04", "accepted", None),
    ("superseded by ADR-0123", "superseded", "ADR-0123"),
    ("Superceded by [2. B](0002-b.md)", "superseded", "[2. B](0002-b.md)"),
    ("Replaced by 0007", "superseded", "0007"), ("Not accepted", "exploring", None),
])
def test_status_mapping(written: str, status: str, superseded_by: str | None) -> None:
    reading = read_status(written)
    assert (reading.status, reading.superseded_by) == (status, superseded_by)
    assert reading.known is (written != "Not accepted")


def test_a_headway_record_in_the_folder_is_read_as_headways() -> None:
    doc, problems = read("---\ntype: decision\ninitiative: arch\nstatus: acepted\n---\n# X\n")
    assert problems == [] and doc is not None and doc.source_format == "headway"
    result = check_document(doc)
    assert "unknown status 'acepted'" in str(result.problems[0])


def test_broken_files_are_problems_and_nothing_raises() -> None:
    assert read("---\nstatus: [accepted\n---\n# X\n")[1][0].startswith(
        "docs/adr/0001-x.md:2: front matter is not valid YAML: a [ list begins on this line "
        "and is not closed with ]")
    doc, problems = read(b"# 1. X\n\n## Status\n\nAccepted \xff\n")
    assert doc is None and "not valid UTF-8" in problems[0]
    assert read(b"\x00\x01\x02 binary \xff") == (None, [])
    big = nygard(1, "X", "Accepted") + "x" * 2000
    doc, problems = read(big, limits=Limits(max_file_bytes=1000))
    assert doc is None and "over the limit of 1,000" in problems[0]
    assert read("# Notes\n\n" + "x" * 2000, limits=Limits(max_file_bytes=1000)) == (None, [])
    doc, problems = read(nygard(1, "X", "Accepted", date="last Tuesday"))
    assert doc is not None and "date 'last Tuesday' is not a date" in problems[0]
    doc, problems = read(nygard(1, "X", "Accepted", links="Supersedes [1. X](0001-x.md)"))
    assert doc is not None and "names the record itself" in problems[0]
    assert read("---\n- a\n- b\n---\n# A list\n") == (None, [])


def decision(text: str, folder: AdrFolder = FOLDER) -> Decision:
    doc, _ = read(text, folder=folder)
    assert doc is not None
    record = check_document(doc).record
    assert isinstance(record, Decision)
    return record


def test_forced_format_reads_only_that_format() -> None:
    both = log4brains("Mixed", "- Status: rejected").replace(
        "## Context and Problem Statement", "## Status\n\nAccepted\n\n## Context")
    assert decision(both).status == "rejected"
    assert decision(both, AdrFolder("adr", "arch", "nygard")).status == "accepted"
    assert decision(both, AdrFolder("adr", "arch", "log4brains")).status == "rejected"


def test_status_written_in_other_places() -> None:
    assert decision("# 1. X\n\n## Status: Accepted\n\n## Context\n").status == "accepted"
    assert decision("# 1. X\n\n**Status:** Proposed\n\n## Context\n").status == "proposed"
    assert decision("---\nadr:\n  status: Rejected\n---\n# X\n").status == "rejected"
    record = decision("# ADR-0012: Cache reads\n\n## Status\n\n- Deprecated <!-- 2026 -->\n")
    assert (record.status, record.title, record.number) == ("deprecated", "Cache reads", "0001")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(
    st.binary(max_size=400),
    st.lists(st.sampled_from([
        "---", "...", "# 1. T", "## Status", "Accepted", "Superseded by [x](0002-x.md)", "- Status: ",
        "Date: 2020-13-45", "status: {a: [", "adr:", "  number: x", "```", "<!--", "-->", "* Tags: a,",
        "Supersedes ADR-9", "type: decision", "deciders: [", "", "## Links", "- Superseded by 7",
    ]), max_size=30).map("\n".join),
))
def test_no_input_raises(data: bytes | str) -> None:
    doc, _ = read(data)
    if doc is not None:
        check_document(doc)
    version_status(data.encode() if isinstance(data, str) else data)
