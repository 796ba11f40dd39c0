"""What stakeholders see: each page's content, order, dates and links, the feed, escaping,
and template overrides, read from real builds."""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from itertools import pairwise

import pytest
from conftest import GitRepo, build

ATOM = "{http://www.w3.org/2005/Atom}"


def team(repo: GitRepo) -> None:
    """Two initiatives; Legal holds up three things across both."""
    repo.record("pay/index.md", "type: initiative\ngoal: Card payments\nowner: Maya\n"
                "target: 2026-12-31", "# Payments\n")
    repo.record("eu/index.md", "type: initiative\ngoal: EU data stays in the EU\nstatus: paused",
                "# EU residency\n")
    repo.record("pay/fees.md", "type: learning\ninitiative: pay\nquestion: What do PSPs charge?",
                "# PSP fees\n")
    repo.record("pay/0001-stripe.md", "type: decision\ninitiative: pay\nstatus: exploring\n"
                "owner: Maya", "# Use Stripe\n")
    repo.commit("Start payments", "2026-03-02", "Maya Chen")
    repo.record("pay/0001-stripe.md", "type: decision\ninitiative: pay\nstatus: proposed\n"
                "owner: Maya\ninformed_by: [fees]\ndeciders: [Ruth]\n"
                "waiting_on:\n  - {who: Legal, what: DPA review, since: 2026-06-01, "
                "due: 2026-07-01}", "# Use Stripe\n")
    repo.record("eu/dpa.md", "type: learning\ninitiative: eu\nwaiting_on:\n"
                "  - {who: Legal, what: subprocessors, since: 2026-05-01}", "# Subprocessors\n")
    repo.record("eu/0001-region.md", "type: decision\ninitiative: eu\nstatus: accepted\n"
                "actions:\n  - what: Sign AWS addendum\n    owner: Tom\n    due: 2026-08-01\n"
                "    waiting_on: [{who: Legal, what: signature, since: 2026-07-15}]\n"
                "  - what: Move backups\n    due: 2026-10-30",
                "# Frankfurt region\n")
    repo.record("eu/0002-old.md", "type: decision\ninitiative: eu\nstatus: superseded",
                "# Ireland region\n")
    repo.record("eu/0003-new.md", "type: decision\ninitiative: eu\nstatus: accepted\n"
                "supersedes: 0002-old\ndepends_on: [dpa]", "# Two regions\n")
    repo.commit("More records", "2026-06-10", "Raj Patel")
    repo.record("pay/0001-stripe.md", "type: decision\ninitiative: pay\nstatus: accepted\n"
                "owner: Maya\ninformed_by: [fees]\ndeciders: [Ruth]", "# Use Stripe\n")
    repo.record("pay/fees.md", "type: learning\ninitiative: pay\nquestion: What do PSPs charge?\n"
                "status: done", "# PSP fees\n")
    repo.commit("Accept Stripe", "2026-08-20", "Maya Chen")


def test_initiatives_index_cards_and_counts(repo: GitRepo) -> None:
    team(repo)
    text = build(repo, strict=True).text("initiatives/")
    # most active first: payments had events in the last 90 days, EU residency is paused
    assert text.index("Payments") < text.index("EU residency")
    assert "Card payments" in text and "Maya" in text
    cards = build(repo).html("initiatives/")
    cards = cards[cards.index('class="grid cards'):]
    pay = cards[cards.index("Payments"):cards.index("EU residency")]
    assert '<time datetime="2026-12-31">' in pay
    assert re.search(r'hw-count">0</span> open learnings', pay)
    eu = cards[cards.index("EU residency"):]
    assert re.search(r'hw-count">1</span> open learning\b', eu)
    assert re.search(r'hw-count">2</span> blocked', eu)  # the learning, and the action
    assert re.search(r'hw-count">1</span> overdue action', eu)


def test_initiative_page_timeline_and_sections(repo: GitRepo) -> None:
    team(repo)
    built = build(repo)
    page = built.html("initiatives/pay/")
    svg = page[page.index("<svg class=\"hw-timeline-svg\""):page.index("</svg>")]
    assert svg.count("<circle") >= 4
    assert 'href="../../pay/0001-stripe/"' in svg
    assert "hw-bucket-1" in svg and "hw-bucket-2" in svg and "hw-bucket-3" in svg
    assert "Decided: accepted" in page  # the month-by-month list under the picture
    assert '<time datetime="2026-08-20">' in page
    events = page[page.index("hw-events"):]
    assert events.index("August 2026") < events.index("March 2026")
    eu = built.html("initiatives/eu/")
    assert "Supersedes Ireland region" in eu
    assert "Action due: Move backups" in eu
    # actions not done are open rings, told apart from what happened: ahead, or overdue
    eu_svg = eu[eu.index("<svg class=\"hw-timeline-svg\""):eu.index("</svg>")]
    assert re.search(r'hw-ev-action-due hw-mark-overdue">\s*<title>2026-08-01 Frankfurt region: '
                     r'Action due: Sign AWS addendum', eu_svg)
    assert re.search(r'hw-ev-action-due hw-mark-planned">\s*<title>2026-10-30 Frankfurt region: '
                     r'Action due: Move backups', eu_svg)
    assert "action due ahead</span>" in eu and "action overdue</span>" in eu
    assert "hw-mark-" not in page  # payments has no action due


def test_awaiting_decision_lists_the_pre_read(repo: GitRepo) -> None:
    team(repo)
    repo.record("pay/0002-fraud.md", "type: decision\ninitiative: pay\nstatus: proposed\n"
                "informed_by: [fees]\ndeciders: [Ruth, Maya]", "# Fraud rules\n")
    page = build(repo).html("initiatives/pay/")
    section = page[page.index('id="hw-awaiting-decision"'):page.index('id="hw-decisions"')]
    assert "Fraud rules" in section and "PSP fees" in section
    assert "What do PSPs charge?" in section and "Ruth, Maya" in section
    assert "Use Stripe" not in section


def test_blocked_page_groups_by_root_blocker(repo: GitRepo) -> None:
    team(repo)
    page = build(repo).html("blocked/")
    groups = re.findall(r'<section class="hw-group([^"]*)" id="hw-blocker-\d+">(.*?)</section>',
                        page, re.S)
    titles = [" ".join(re.sub(r"<[^>]+>", " ", g[1]).split()).split(" holds up")[0]
              for g in groups]
    assert titles[0].startswith("2 items: Legal")  # "items:" is for screen readers
    assert "single point of failure" not in titles[0]  # 2 items: not enough to be one
    legal = groups[0][1]
    assert legal.index("Subprocessors") < legal.index("Frankfurt region")  # oldest first
    assert '<time datetime="2026-05-01">' in legal
    assert "across 2 initiatives" not in legal  # both Legal items are in EU residency
    assert "Sign AWS addendum" in legal and "overdue, due" in legal


def test_single_point_of_failure_stands_out(repo: GitRepo) -> None:
    team(repo)
    for i in range(3):
        repo.record(f"pay/l{i}.md", f"type: learning\ninitiative: pay\nwaiting_on:\n"
                    f"  - {{who: Legal, what: q{i}, since: 2026-09-0{i + 1}}}", f"# Q{i}\n")
    page = build(repo).html("blocked/")
    first = page[page.index('<section class="hw-group'):]
    first = first[:first.index("</section>")]
    assert first.startswith('<section class="hw-group hw-spof"')
    assert "single point of failure" in first and "across 2 initiatives" in first
    assert 'class="hw-bar hw-spof"' in page


def test_a_record_and_its_own_action_count_once_under_a_blocker(repo: GitRepo) -> None:
    """The decision waits on Legal itself and, through one of its actions, on Platform: under
    Platform the action stands for it (not the record and its action, two items for one
    hold-up); what depends on the decision is held up by both."""
    repo.record("pay/index.md", "type: initiative", "# Payments\n")
    repo.record("pay/provider.md", "type: decision\ninitiative: pay\nstatus: proposed\n"
                "waiting_on:\n  - {who: Legal, what: Sign the DPA, since: 2026-02-10}\n"
                "actions:\n  - what: Wire webhooks\n    waiting_on:\n"
                "      - {who: Platform, what: Open the firewall, since: 2026-02-20}",
                "# Choose a provider\n")
    repo.record("pay/disputes.md", "type: decision\ninitiative: pay\ndepends_on: [provider]",
                "# Handle disputes\n")
    repo.commit("Payments", "2026-02-02", "Maya Chen")
    built = build(repo)
    page = built.html("blocked/")
    groups = dict(re.findall(r'<section class="hw-group[^"]*" id="hw-blocker-\d+">\s*<h3[^>]*>'
                             r'(.*?)</h3>(.*?)</section>', page, re.S))
    seen = {head: re.sub(r'<span class="hw-sr">.*?</span>', "", head) for head in groups}
    items = {" ".join(re.sub(r"<[^>]+>", " ", seen[head]).split()): body
             for head, body in groups.items()}
    assert sorted(items) == ["2 Legal", "2 Platform"], items  # v2: the blocked decision is no root
    platform, legal = items["2 Platform"], items["2 Legal"]
    assert "Wire webhooks" in platform and "Handle disputes" in platform
    assert platform.count("<li>") == 2 and "holds up 2 items" in platform
    assert "Choose a provider" in legal and "Handle disputes" in legal
    assert "Wire webhooks" not in legal
    provider = built.records["provider"]
    assert provider["root_blockers"] == ["Legal", "Platform"]  # the spec's facts: unchanged


def test_logs_newest_first_with_filters(repo: GitRepo) -> None:
    team(repo)
    built = build(repo)
    decisions = built.html("decisions/")
    rows = re.findall(r'<tr data-status="([^"]+)" data-initiative="([^"]+)">', decisions)
    assert len(rows) == 4
    assert ("accepted", "Payments") in rows
    order = [decisions.index(t) for t in ("Two regions", "Use Stripe")]
    assert order == sorted(order)  # 2026-06-10 records before 2026-03-02
    assert 'data-hw-filter="status"' in decisions and "headway.js" in decisions
    assert "PSP fees" in built.html("learnings/")


def test_record_page_relationships_both_ways(repo: GitRepo) -> None:
    team(repo)
    built = build(repo)
    old = built.html("eu/0002-old/")
    assert re.search(r"Superseded by</dt><dd><a href=\"\.\./0003-new/\">Two regions</a>", old)
    new = built.html("eu/0003-new/")
    assert re.search(r"Supersedes</dt><dd><a href=\"\.\./0002-old/\">Ireland region</a>", new)
    assert re.search(r"Depends on</dt><dd><a href=\"\.\./dpa/\">Subprocessors</a>", new)
    assert re.search(r"Blocks</dt><dd><a href=\"\.\./0003-new/\">Two regions", built.html(
        "eu/dpa/"))
    fees = built.html("pay/fees/")
    assert re.search(r"Informs</dt><dd><a href=\"\.\./0001-stripe/\">Use Stripe", fees)
    region = built.html("eu/0001-region/")
    assert "Sign AWS addendum" in region and "waiting on Legal" in region
    assert 'hw-overdue-row' in region


def test_feed_is_atom_with_one_entry_per_event(repo: GitRepo) -> None:
    team(repo)
    repo.mkdocs_yml("site_url: https://records.example.com/\n")
    built = build(repo)
    feed = ET.fromstring((built.site / "headway" / "feed.xml").read_bytes())
    assert feed.tag == f"{ATOM}feed"
    every = feed.findall(f"{ATOM}entry")
    # 8 records created + stripe proposed, accepted + fees done (and blocked and unblocked
    # events, which test_flow.py tests)
    entries = [e for e in every if not re.search(r":(un)?blocked:", e.findtext(f"{ATOM}id", ""))]
    assert len(entries) == 11
    updated = [e.findtext(f"{ATOM}updated") for e in every]
    assert updated == sorted(updated, reverse=True)
    first = entries[0]
    assert first.findtext(f"{ATOM}title") in ("Use Stripe: accepted", "PSP fees: done")
    link = first.find(f"{ATOM}link")
    assert link is not None and link.get("href", "").startswith("https://records.example.com/")
    assert len({e.findtext(f"{ATOM}id") for e in every}) == len(every)
    page = built.html("initiatives/")
    assert 'type="application/atom+xml"' in page and 'href="../headway/feed.xml"' in page


PAYLOAD = '<script>alert("hw")</script>'


@pytest.mark.expect_warnings("evil-broken.md:4: unknown status 'bogus'")
def test_front_matter_html_is_escaped_everywhere(repo: GitRepo) -> None:
    team(repo)
    p = PAYLOAD
    repo.record("pay/evil.md", f"""
        type: decision
        initiative: pay
        title: '{p} title'
        owner: '{p} owner'
        tags: ['{p} tag']
        description: '"><script>alert("hw")</script> description'
        subtitle: '{p} subtitle'
        deciders: ['{p} decider']
        options: ['{p} option']
        status: proposed
        informed_by: [fees]
        waiting_on:
          - who: '{p} who'
            what: '{p} what'
        actions:
          - what: '<img src=x onerror=alert(1)> action'
            owner: '{p} action owner'
            status: blocked
    """, "Body without a heading.\n")
    repo.record("evil-init/index.md", f"type: initiative\ntitle: '{p} initiative'\n"
                f"goal: '{p} goal'\nowner: '<b>bold</b>'")
    repo.record("evil-broken.md", f"type: decision\ninitiative: pay\nstatus: bogus\n"
                f"title: '{p} broken'")  # left out of headway's pages, its own page built
    # Material with its tags plugin prints tags, and a page's description and subtitle, as
    # they are: headway hands it escaped text.
    for theme, plugins in (("mkdocs", "  - headway\n"),
                           ("material", "  - search\n  - tags\n  - headway\n")):
        repo.mkdocs_yml(theme=theme, plugins=plugins)
        built = build(repo)
        pages = [p for p in built.site.rglob("*.html")] + [built.site / "headway" / "feed.xml"]
        for page in pages:
            text = page.read_text("utf-8")
            assert "<script>alert" not in text, (theme, page)
            assert "<img src=x" not in text and "<b>bold</b>" not in text, (theme, page)
        escaped = "&lt;script&gt;alert(&#34;hw&#34;)&lt;/script&gt;"
        record = built.html("pay/evil/")
        assert re.search(r"<title>&lt;script&gt;alert\((&#34;|&quot;|\")hw", record), theme
        assert escaped in record or "&lt;script&gt;alert(&quot;hw&quot;)" in record
        assert "&lt;script&gt;" in built.html("blocked/")
        assert "&lt;script&gt;" in built.html("initiatives/evil-init/")
        assert "&lt;script&gt;" in built.html("evil-broken/")
        if theme == "material":
            assert 'class="md-tag">&lt;script&gt;alert' in record.replace("\n", "") or \
                re.search(r'md-tag[^>]*>\s*&lt;script&gt;alert', record), "tag escaped"
            assert '<meta name="description" content="&#34;&gt;&lt;script&gt;' in record or \
                '<meta name="description" content="&quot;&gt;&lt;script&gt;' in record


def test_templates_overridden_from_custom_dir(repo: GitRepo) -> None:
    team(repo)
    repo.write("overrides/headway/blocked.html",
               "<h1>Our own blocked page</h1><p>{{ groups|length }} blockers</p>\n")
    with open(_template("_macros.html"), encoding="utf-8") as default:
        macros = default.read().replace('class="hw-badge', 'class="custom-badge hw-badge')
    repo.write("overrides/headway/_macros.html", macros)
    repo.mkdocs_yml(theme="mkdocs\n  custom_dir: overrides")
    built = build(repo, strict=True)
    assert "<h1>Our own blocked page</h1><p>1 blockers</p>" in built.html("blocked/")
    assert "custom-badge" in built.html("decisions/")
    assert "hw-timeline-svg" in built.html("initiatives/pay/")  # the rest are headway's


def _template(name: str) -> str:
    from headway.render import template_dirs

    return f"{template_dirs()[0]}/headway/{name}"


def test_timeline_reads_with_five_events_and_with_five_hundred() -> None:
    from datetime import date, datetime, time

    from headway.derive import site_facts
    from headway.model import Decision, GitFacts, Initiative, StatusChange
    from headway.pages import TIMELINE_LEFT, Linker, timeline

    nine = time(9)

    def site(n: int, spacing: int) -> tuple[object, int]:
        records: dict[str, object] = {"i": Initiative(type="initiative", id="i", title="I",
                                                       path="i.md", src_uri="i.md",
                                                       status="active")}
        git = {}
        for k in range(n):
            rid = f"d{k}"
            records[rid] = Decision(type="decision", id=rid, title=rid, path=f"{rid}.md",
                                    src_uri=f"{rid}.md", status="accepted", initiative="i")
            day = date(2024, 1, 1).toordinal() + k * spacing
            history = [StatusChange("proposed", datetime.combine(date.fromordinal(day), nine),
                                    "a" * 40, "A"),
                       StatusChange("accepted", datetime.combine(date.fromordinal(day + 20), nine),
                                    "b" * 40, "B")]
            git[rid] = GitFacts(created=history[0].date, updated=history[1].date,
                                status_history=tuple(history))
        git["i"] = GitFacts(created=datetime(2023, 12, 10, 9), status_history=(
            StatusChange("active", datetime(2023, 12, 10, 9), "c" * 40, "C"),))
        facts = site_facts(records, git, {r: f"{r}/" for r in records},  # type: ignore[arg-type]
                           date(2024, 3, 1) if n < 10 else date(2026, 1, 1))
        return facts, 2 * n + 1

    small, small_events = site(2, 40)
    tl = timeline(small, "i", Linker(small, "initiatives/i/"))  # type: ignore[arg-type]
    assert tl is not None and tl.count == small_events == 5
    assert len(tl.markers) == 5 and all(m.count == 1 for m in tl.markers)

    big, big_events = site(250, 3)
    tl = timeline(big, "i", Linker(big, "initiatives/i/"))  # type: ignore[arg-type]
    assert tl is not None and tl.count == big_events == 501
    assert sum(m.count for m in tl.markers) == 501  # every event is drawn ...
    assert len(tl.markers) < 250  # ... in numbered clusters, not 501 overlapping dots
    assert all(m.r <= 14 for m in tl.markers)
    assert len(tl.groups) == len({g.key for g in tl.groups}) >= 24  # listed month by month
    assert tl.width <= TIMELINE_LEFT + 40 * 27 + 20  # 27 months in narrower columns than 64 px
    for lane in (1, 2, 3):  # no dot hides another
        dots = sorted((m.x, m.r) for m in tl.markers if m.lane == lane)
        assert all(x2 - x1 >= r1 + r2 for (x1, r1), (x2, r2) in pairwise(dots)), dots


@pytest.mark.expect_warnings('decisions/index.md exists in docs_dir')
def test_pages_read_well_with_a_screen_reader(repo: GitRepo) -> None:
    """Found by an accessibility review: unique ids whatever the titles, headings in order,
    the timeline's links exposed (a `group`, not an `img` that hides them), and the words a
    colour or a count stands for written out for screen readers."""
    team(repo)
    repo.record("decisions/index.md", "type: initiative", "# Decisions\n")
    repo.record("decisions/x.md", "type: learning\ninitiative: decisions", "# X\n")
    built = build(repo)
    for url in ("initiatives/decisions/", "initiatives/eu/", "blocked/"):
        page = built.html(url)
        ids = re.findall(r'\sid="([^"]+)"', page)
        assert len(ids) == len(set(ids)), (url, sorted(i for i in ids if ids.count(i) > 1))
        content = page[page.index("<h1"):page.index('<div class="modal')]  # the theme's own after
        levels = [int(h) for h in re.findall(r"<h([1-6])[\s>]", content)]
        assert all(b <= a + 1 for a, b in itertools.pairwise(levels)), (url, str(levels))
    eu = built.html("initiatives/eu/")
    assert 'role="group" aria-labelledby="hw-tl-title"' in eu and 'role="img"' not in eu
    assert '<span class="hw-sr"> decision &amp; execution</span>' in eu  # the month's counts
    assert 'aria-current="true" class="hw-current">Initiatives' in eu  # a section, not the page
    blocked = built.html("blocked/")
    assert 'aria-current="page" class="hw-current">What is blocked' in blocked
    assert '2<span class="hw-sr"> items:</span>' in blocked and "aria-label=\"2 items\"" not in blocked


def test_blocked_counts_agree_between_cards_and_the_blocked_page(repo: GitRepo) -> None:
    repo.record("i.md", "type: initiative", "# I\n")
    repo.record("a.md", "type: decision\ninitiative: i\nstatus: proposed\nactions:\n"
                "  - {what: ship, status: blocked}", "# A\n")
    repo.record("b.md", "type: learning\ninitiative: i\nwaiting_on:\n"
                "  - {who: Legal, what: x}\n  - {who: Finance, what: y}", "# B\n")
    built = build(repo)
    blocked = built.html("blocked/")
    # B once, though under two blockers; A's action once
    assert "2 blocked items (1 record and 1 action)" in blocked
    assert "waiting for" not in blocked  # A is not its own blocker on the page
    assert "No blocker named" in blocked
    card = built.html("initiatives/")
    assert re.search(r'hw-count">2</span> blocked', card)
    assert built.records["a"]["root_blockers"] == ["a"]  # records.json keeps the spec's rule


def test_generated_pages_have_a_real_heading_for_the_toc(repo: GitRepo) -> None:
    team(repo)
    repo.mkdocs_yml(theme="material")
    page = build(repo).html("blocked/")
    assert re.search(r'<h1 id="what-is-blocked">What is blocked', page)
    assert 'href="#what-is-blocked"' in page  # Material's skip link finds it
    assert not (build(repo).site / "headway" / "init").exists()  # no stray template files
