"""Real `mkdocs build`s of real git repositories: the pages, records.json, problems, strict."""

from __future__ import annotations

import re

from conftest import GitRepo, build, run_mkdocs


def small_team(repo: GitRepo) -> None:
    repo.record("pay/index.md", """
        type: initiative
        goal: Customers pay by card
        owner: Maya
        target: 2026-12-31
    """, "# Payments\n\nWhy we do it.\n")
    repo.record("pay/learnings/psp-fees.md", """
        type: learning
        initiative: pay
        question: What do providers charge?
    """, "# Provider fees\n")
    repo.record("pay/decisions/0001-use-stripe.md", """
        type: decision
        initiative: pay
        status: proposed
        informed_by: [psp-fees]
        deciders: [Maya, Raj]
        depends_on: [0002-tax]
    """, "# Use Stripe\n")
    repo.record("pay/decisions/0002-tax.md", """
        type: decision
        initiative: pay
        status: exploring
        waiting_on:
          - who: Legal
            what: VAT opinion
            since: 2026-08-01
    """, "# Tax handling\n")


def test_site_pages_and_export(repo: GitRepo) -> None:
    small_team(repo)
    repo.commit("Add payments records", "2026-07-01", "Maya Chen")
    built = build(repo, strict=True)
    assert built.warnings == []
    records = built.records
    assert set(records) == {"pay", "psp-fees", "0001-use-stripe", "0002-tax"}
    stripe = records["0001-use-stripe"]
    assert stripe["url"] == "pay/decisions/0001-use-stripe/"
    assert stripe["path"] == "docs/pay/decisions/0001-use-stripe.md"
    assert stripe["title"] == "Use Stripe" and stripe["initiative"] == "pay"
    assert stripe["created"] == "2026-07-01" and stripe["authors"] == ["Maya Chen"]
    assert stripe["blocked"] is True
    assert stripe["root_blockers"] == ["Legal"]  # v2: 0002-tax waits on Legal
    assert stripe["blocked_since"] == "2026-07-01"
    assert records["0002-tax"]["blocked_since"] == "2026-08-01"
    assert records["psp-fees"]["informs"] == ["0001-use-stripe"]
    for key in ("id", "type", "title", "initiative", "status", "owner", "url", "path",
                "created", "updated", "authors", "status_history", "depends_on", "waiting_on",
                "blocked", "root_blockers", "blocked_since"):
        assert all(key in r for r in records.values()), key
    assert built.export["version"] == 2

    # Every page of the spec's Site table exists with its content.
    initiatives = built.text("initiatives/")
    assert "Payments" in initiatives and "Customers pay by card" in initiatives
    page = built.html("initiatives/pay/")
    assert '<time datetime="2026-12-31">' in page
    assert "Awaiting decision" in page and "Provider fees" in page
    blocked = built.text("blocked/")
    assert "Legal" in blocked and "Tax handling" in blocked and "Use Stripe" in blocked
    decisions = built.html("decisions/")
    assert decisions.index("Use Stripe") > 0 and "Tax handling" in decisions
    assert "Provider fees" in built.text("learnings/")
    assert not (built.site / "problems").exists()
    record_page = built.html("pay/decisions/0001-use-stripe/")
    assert 'class="hw-panel hw-record-panel"' in record_page
    assert re.search(r'Informed by.*?href="\.\./\.\./learnings/psp-fees/"', record_page, re.S)


def test_broken_record_is_left_out_and_listed(repo: GitRepo) -> None:
    small_team(repo)
    repo.record("pay/decisions/0003-broken.md", """
        type: decision
        initiative: pay
        status: acepted
    """, "# Broken\n")
    built = build(repo)
    assert "headway: docs/pay/decisions/0003-broken.md:4: unknown status 'acepted' for a decision; " \
        "did you mean 'accepted'?; expected one of exploring, proposed, accepted, rejected, " \
        "superseded, deprecated" in built.warnings
    assert "0003-broken" not in built.records
    assert len(built.records) == 4
    problems = built.text("problems/")
    assert "docs/pay/decisions/0003-broken.md:4" in problems and "acepted" in problems
    assert "Broken" not in built.text("decisions/")
    # the page itself is still an ordinary page of the site
    assert (built.site / "pay/decisions/0003-broken/index.html").exists()


def test_strict_build_fails_listing_every_problem(repo: GitRepo) -> None:
    small_team(repo)
    repo.record("a.md", "type: decision\ninitiative: pay\nstatus: done\n")
    repo.record("b.md", "type: learning\ninitiative: pay\ndepends_on: [nowhere]\n")
    repo.commit("records", "2026-07-01")
    result = run_mkdocs(repo, "--strict")
    assert result.returncode == 1
    assert "docs/a.md:4: unknown status 'done' for a decision" in result.stderr
    assert "docs/b.md:4: `depends_on` refers to 'nowhere', which does not exist" in result.stderr
    assert "Aborted with 2 warnings in strict mode" in result.stdout + result.stderr


def test_records_stay_out_of_the_navigation(repo: GitRepo) -> None:
    small_team(repo)
    repo.commit("records", "2026-07-01")
    built = build(repo)
    home = built.html("")
    nav = home[home.find('role="navigation"'):] if 'role="navigation"' in home else home
    assert "Use Stripe" not in nav
    assert "initiatives/" in home
    repo.mkdocs_yml(plugins="  - headway:\n      nav_records: true\n")
    assert "Use Stripe" in build(repo).html("")


def test_material_build(repo: GitRepo) -> None:
    small_team(repo)
    repo.commit("records", "2026-07-01")
    repo.mkdocs_yml(theme="material\n  features: [navigation.prune]")
    built = build(repo, strict=True)
    page = built.html("initiatives/pay/")
    assert "md-content" in page and "hw-timeline-svg" in page
    assert "assets/headway/headway.css" in page
    assert (built.site / "assets/headway/headway.css").is_file()


def test_authors_survive_a_rename_after_a_merged_branch(repo: GitRepo) -> None:
    repo.record("i.md", "type: initiative")
    repo.commit("start", "2026-01-01", "Ann Admin")
    repo.git("checkout", "-q", "-b", "bob")
    repo.record("x.md", "type: decision\ninitiative: i", "# X\n")
    repo.commit("Bob writes x", "2026-01-02", "Bob Writer")
    repo.git("checkout", "-q", "main")
    repo.merge("bob", "Merge bob", "2026-01-03", "Ann Admin")
    repo.git("mv", "docs/x.md", "docs/0001-x.md")
    repo.commit("Number it", "2026-01-04", "Ann Admin")
    rec = build(repo).records["0001-x"]
    assert rec["authors"] == ["Ann Admin", "Bob Writer"]
    assert rec["status_history"][0]["author"] == "Bob Writer"
