"""What the browser review found, checked in the built HTML (the browser tests in
test_browser.py check the same pages as a reader sees them)."""

from __future__ import annotations

import re

from conftest import GitRepo, build


def test_an_item_with_two_root_blockers_says_so_and_the_counts_agree(repo: GitRepo) -> None:
    repo.record("pay/index.md", "type: initiative", "# Payments\n")
    repo.record("pay/0001-tax.md", """
        type: decision
        initiative: pay
        status: proposed
        waiting_on:
          - {who: Legal, what: VAT opinion, since: 2026-08-01}
          - {who: Finance, what: Budget, since: 2026-08-03}
    """, "# Tax handling\n")
    repo.record("pay/0002-stripe.md", """
        type: decision
        initiative: pay
        status: proposed
        waiting_on:
          - {who: Legal, what: DPA, since: 2026-08-05}
    """, "# Use Stripe\n")
    repo.commit("Records", "2026-07-01")
    built = build(repo, strict=True)
    assert built.records["0001-tax"]["root_blockers"] == ["Legal", "Finance"]
    text = built.text("blocked/")
    assert "2 blocked items (2 records and 0 actions)" in text
    assert ("1 of them waits on more than one blocker and is listed under each, so the groups "
            "hold 3 entries for 2 items.") in text
    page = built.html("blocked/")
    bars = [int(v) for v in re.findall(r'<span class="hw-bar-value">(\d+)</span>', page)]
    assert sorted(bars) == [1, 2] and sum(bars) == 3
    also = re.findall(r'<span class="hw-also">also held up by <span class="hw-who">([^<]+)<', page)
    assert sorted(also) == ["Finance", "Legal"]  # under Legal it names Finance, and back


def test_a_docs_folder_without_a_home_page_gets_one(repo: GitRepo) -> None:
    (repo.root / "docs" / "index.md").unlink()
    repo.mkdocs_yml(plugins="  - headway:\n      adr_folders:\n        - folder: adr\n"
                            "          initiative: platform\n")
    repo.write("docs/adr/0001-use-madr.md", "---\nstatus: Accepted\ndate: 2024-02-01\n---\n\n"
               "# 0001 - Use MADR\n\nWe write decisions down.\n")
    repo.write("docs/adr/0002-use-kafka.md", "---\nstatus: proposed\ndate: 2025-05-01\n---\n\n"
               "# Use Kafka\n\nEvents between services.\n")
    repo.write("docs/adr/0003-use-postgres.md", "# Use Postgres\n\n## Decision\n\n"
               "We use Postgres.\n")  # no status written: read from its outcome
    repo.commit("ADRs", "2025-05-02")
    built = build(repo, strict=True)
    assert built.warnings == []
    home = built.text("")
    assert "1 initiative, 3 decisions, nothing blocked." in home
    # as the decision log says it: how a status nobody wrote was read
    latest = built.html("")[built.html("").index('id="hw-home-latest"'):]
    assert "Use Postgres</a>" in latest
    assert re.search(r'Use Postgres</a> <span class="hw-badge[^"]*"[^>]*>accepted</span> '
                     r'<span class="hw-note hw-status-reading" title="no status written; read as '
                     r'accepted: the record states its outcome">\(no status written: it states its '
                     r'outcome\)</span>', latest), latest[:1500]
    assert "Latest decisions" in home and home.index("Use Kafka") < home.index("0001 - Use MADR")
    assert "0001 0001" not in home and "0001 0001" not in built.text("decisions/")
    assert '<span class="hw-number">0002</span>' in built.html("decisions/")
    record = built.html("adr/0001-use-madr/")
    assert "(Accepted)" not in record  # the written status differs only in case
    assert "<dt>Decision date</dt>" in record and "<dt>Created</dt>" not in record
    assert '<th scope="col" data-hw-sort="date" aria-sort="descending">Date</th>' in \
        built.html("decisions/")
    learnings = built.html("learnings/")
    assert '<p class="hw-empty">No learnings yet.' in learnings
    assert "data-hw-filters" not in learnings and "0 of 0" not in learnings


def test_a_docs_folder_with_a_home_page_keeps_it(repo: GitRepo) -> None:
    repo.record("pay/index.md", "type: initiative", "# Payments\n")
    repo.commit("Records", "2026-07-01")
    built = build(repo, strict=True)
    assert "Records of a test team." in built.html("") and "hw-home" not in built.html("")


def test_the_feed_link_is_not_taken_for_a_language(repo: GitRepo) -> None:
    """Material fetches a sitemap.xml beside every link[rel=alternate] (a language version):
    the feed's link says `alternate feed`, which readers find and Material leaves alone."""
    repo.record("pay/index.md", "type: initiative", "# Payments\n")
    repo.commit("Records", "2026-07-01")
    page = build(repo).html("initiatives/")
    assert re.search(r'<link rel="alternate feed" type="application/atom\+xml" [^>]*'
                     r'href="\.\./headway/feed\.xml">', page)
    assert 'rel="alternate" type="application/atom+xml"' not in page
