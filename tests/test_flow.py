"""Flow (spec v2): block history from git, blocker clustering, lead times, the flow page, digest."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable
from datetime import date, timedelta

import pytest
from conftest import Built, GitRepo, build

TODAY = date(2026, 9, 25)  # conftest's SOURCE_DATE_EPOCH


def days(since: str, until: str | None = None) -> int:
    return ((date.fromisoformat(until) if until else TODAY) - date.fromisoformat(since)).days


def iv(blocker: str, kind: str, since: str, until: str | None) -> dict[str, str | None]:
    return {"blocker": blocker, "kind": kind, "since": since, "until": until}


INITIATIVE = """
    type: initiative
    id: checkout
    title: Checkout
"""


def known_blocks(repo: GitRepo) -> None:
    """A repository whose blocks are known: a wait opened and closed (vendor-quote), a chain
    through a learning waiting on a team (pay-provider → tax-rules → Legal), a dependency
    resolved by acceptance (ui-flow → api-design), a blocked action (api-design's)."""
    repo.record("checkout.md", INITIATIVE)
    repo.record("api-design.md", """
        type: decision
        initiative: checkout
        title: API design
    """)
    repo.record("tax-rules.md", """
        type: learning
        initiative: checkout
        title: Tax rules
    """)
    repo.commit("Start checkout", "2026-01-05")
    repo.record("pay-provider.md", """
        type: decision
        initiative: checkout
        title: Payment provider
        depends_on: [tax-rules]
    """)
    repo.commit("Payment provider waits for the tax rules", "2026-01-10")
    repo.record("tax-rules.md", """
        type: learning
        initiative: checkout
        title: Tax rules
        waiting_on:
          - who: Legal
            what: which countries need VAT invoices
            since: 2026-01-20
            due: 2026-03-01
    """)
    repo.commit("Tax rules wait on Legal", "2026-02-01")
    repo.record("api-design.md", """
        type: decision
        initiative: checkout
        title: API design
        status: proposed
    """)
    repo.record("ui-flow.md", """
        type: decision
        initiative: checkout
        title: UI flow
        depends_on: [api-design]
    """)
    repo.commit("API design proposed; UI flow depends on it", "2026-02-10")
    repo.record("vendor-quote.md", """
        type: learning
        initiative: checkout
        title: Vendor quote
        waiting_on:
          - who: Procurement
            what: a quote
    """)
    repo.commit("Vendor quote waits on Procurement", "2026-03-02")
    repo.record("vendor-quote.md", """
        type: learning
        initiative: checkout
        title: Vendor quote
        waiting_on:
          - who: Procurement
            what: a quote
            done: true
    """)
    repo.commit("Procurement answered", "2026-03-12")
    repo.record("api-design.md", """
        type: decision
        initiative: checkout
        title: API design
        status: accepted
    """)
    repo.commit("API design accepted", "2026-04-01")
    repo.record("api-design.md", """
        type: decision
        initiative: checkout
        title: API design
        status: accepted
        actions:
          - what: Deploy the gateway
            status: blocked
    """)
    repo.commit("Gateway deployment blocked", "2026-05-01")
    repo.record("api-design.md", """
        type: decision
        initiative: checkout
        title: API design
        status: accepted
        actions:
          - what: Deploy the gateway
            status: open
    """)
    repo.commit("Gateway deployment unblocked", "2026-05-11")


@pytest.fixture
def built(repo: GitRepo) -> Built:
    known_blocks(repo)
    return build(repo)


def test_block_history_gives_the_spec_intervals(built: Built) -> None:
    records = built.records
    assert built.export["version"] == 2
    assert records["vendor-quote"]["block_history"] == [
        iv("Procurement", "who", "2026-03-02", "2026-03-12")]
    assert records["tax-rules"]["block_history"] == [iv("Legal", "who", "2026-01-20", None)]
    # the chain: tax-rules was the root while nothing held it up; then Legal, since the
    # later of the day the dependency was added and the day Legal began to hold tax-rules up
    assert records["pay-provider"]["block_history"] == [
        iv("tax-rules", "record", "2026-01-10", "2026-02-01"),
        iv("Legal", "who", "2026-01-20", None)]
    assert records["pay-provider"]["root_blockers"] == ["Legal"]
    # resolved by acceptance
    assert records["ui-flow"]["block_history"] == [
        iv("api-design", "record", "2026-02-10", "2026-04-01")]
    assert records["ui-flow"]["blocked"] is False
    # the blocked action: blocked by its own decision (no `who`); the decision, accepted,
    # is not blocked itself
    (action,) = records["api-design"]["actions"]
    assert action["block_history"] == [iv("api-design", "record", "2026-05-01", "2026-05-11")]
    assert records["api-design"]["block_history"] == []
    assert records["checkout"]["block_history"] == []


def test_blocker_clustering_adds_up_the_days(built: Built) -> None:
    blockers = built.export["blockers"]
    assert blockers == [
        {"name": "Legal", "kind": "who", "blocked_days": 2 * days("2026-01-20"),
         "items": 2, "open_items": 2},
        {"name": "api-design", "kind": "record",
         "blocked_days": days("2026-02-10", "2026-04-01") + days("2026-05-01", "2026-05-11"),
         "items": 2, "open_items": 0},
        {"name": "tax-rules", "kind": "record", "blocked_days": days("2026-01-10", "2026-02-01"),
         "items": 1, "open_items": 0},
        {"name": "Procurement", "kind": "who", "blocked_days": 10, "items": 1,
         "open_items": 0},
    ]


def test_lead_time_of_decisions(built: Built) -> None:
    api = built.records["api-design"]
    assert api["decided"] == "2026-04-01"
    assert api["lead_time_days"] == days("2026-01-05", "2026-04-01") == 86
    assert api["exploring_days"] == days("2026-01-05", "2026-02-10")
    assert api["proposed_days"] == days("2026-02-10", "2026-04-01")
    ui = built.records["ui-flow"]
    assert ui["decided"] is None and ui["lead_time_days"] is None
    assert ui["exploring_days"] == days("2026-02-10")
    flow = built.records["checkout"]["flow"]
    assert flow["median_lead_time_days"] == 86
    assert flow["decided"] == 1
    assert flow["exploring_days"] == (days("2026-01-05", "2026-02-10") + days("2026-02-10")
                                      + days("2026-01-10"))
    assert flow["gathering_days"] == days("2026-01-05") + days("2026-03-02")


def test_flow_page_shows_blockers_lead_times_and_flow(built: Built) -> None:
    html = built.html("flow/")
    text = built.text("flow/")
    # blocked days per root blocker, the largest first, in the picture and in the table
    legal, api = 2 * days("2026-01-20"), days("2026-02-10", "2026-04-01") + 10
    assert text.index("Legal") < text.index("API design") < text.index("Tax rules") \
        < text.index("Procurement")
    assert f"Legal: {legal} blocked days (0 resolved, {legal} still open)" in text
    assert f"API design: {api} blocked days ({api} resolved, 0 still open)" in text
    assert "Procurement: 10 blocked days (10 resolved, 0 still open)" in text
    # drawn at build time, no script: blockers (a wide and a phone drawing), lead times, flow
    assert html.count('<svg class="hw-flow-svg') == 4
    assert html.count('<svg class="hw-flow-svg hw-flow-narrow"') == 1
    # decision lead times: the one decided decision, and the median
    assert "API design: 86 days, created 2026-01-05, decided 2026-04-01" in text
    assert "median 86 days" in text
    # in the table: created, decided, lead time, then the days exploring and proposed
    assert "2026-01-05 2026-04-01 86 days 36 days 50 days" in text
    assert '<time datetime="2026-04-01">' in html
    # cumulative flow: learnings and decisions by status, now
    assert "decided (accepted or rejected) (1)" in text
    assert "exploring (2)" in text and "learning open (2)" in text
    # per initiative
    assert "Checkout" in text and "86 days" in text
    assert 'href="../flow/"' in built.html("blocked/")  # in every page's headway nav


def test_the_flow_pictures_say_when(built: Built) -> None:
    """A time axis names its first and last days and, between them, the months: a span
    shorter than a year is not left without a date. Lead times count in whole days."""
    svgs = built.html("flow/").split('<svg class="hw-flow-svg')
    lead, cfd = svgs[-2], svgs[-1]
    axis = re.compile(r'<text class="hw-flow-axis"[^>]*>([^<]*)</text>')
    # one decision, decided 2026-04-01 after 86 days: its day under it, 0, 43 and 86 days up
    assert axis.findall(lead) == ["0", "43", "86", "2026-04-01", "days"]
    # from the first record (2026-01-05) to the build day (2026-09-25)
    assert axis.findall(cfd) == ["Mar", "Apr", "May", "Jun", "Jul",
                                 "2026-01-05", "2026-09-25"]


@pytest.mark.parametrize(("first", "last", "inner", "ends"), [
    ("2026-11-25", "2026-12-06", ["Dec"], ["2026-11-25", "2026-12-06"]),
    ("2025-12-20", "2026-02-10", ["2026"], ["2025-12-20", "2026-02-10"]),
    ("2024-03-01", "2026-09-25", ["Oct", "2025", "Apr", "Jul", "Oct", "2026"],
     ["2024-03-01", "2026-09-25"]),
    ("2015-03-01", "2026-09-25", ["2017", "2018", "2019", "2020", "2021", "2022", "2023", "2024"],
     ["2015-03-01", "2026-09-25"]),
    ("2026-09-25", "2026-09-25", [], ["2026-09-25"]),
])
def test_a_time_axis_names_its_ends_and_what_lies_between(first: str, last: str,
                                                          inner: list[str],
                                                          ends: list[str]) -> None:
    from headway.flowpages import time_axis

    a, b = date.fromisoformat(first), date.fromisoformat(last)
    span = max((b - a).days, 1)
    ticks, labels = time_axis(a, b, lambda day: 8 + 464 * (day - a).days / span)
    assert [label for _, label in ticks] == inner
    assert [label for _, label, _ in labels] == ends
    assert all(8 + 66 <= x <= 472 - 66 - 36 for x, _ in ticks)  # clear of the ends' labels


def test_initiative_page_has_a_flow_section(built: Built) -> None:
    html = built.html("initiatives/checkout/")
    text = built.text("initiatives/checkout/")
    assert 'id="hw-flow"' in html
    blocked = 2 * days("2026-01-20") + days("2026-02-10", "2026-04-01") + 10 + 22 + 10
    assert f"{blocked} blocked days in all; 1 decision decided, in 86 days (median)" in text
    assert "Legal" in text and "Procurement" in text


def test_flow_page_is_in_the_navigation(built: Built) -> None:
    index = built.html("")
    assert 'href="flow/"' in index


def test_digest_since_a_date(chdir_repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    from headway.cli import main

    known_blocks(chdir_repo)
    chdir_repo.mkdocs_yml(extra="site_url: https://example.org/records/\n")
    assert main(["digest", "--since", "2026-03-10"]) == 0
    out = capsys.readouterr().out
    url = "https://example.org/records/"
    assert out.startswith("## What changed since 2026-03-10\n")
    assert f"**Decided** (1)\n\n- [API design](<{url}api-design/>) (Checkout): accepted on " \
        "2026-04-01\n" in out
    assert "**Proposed**" not in out  # proposed on 2026-02-10, before the day asked
    assert f"**Newly blocked** (1)\n\n- action “Deploy the gateway” of [API design](<{url}" \
        "api-design/>) (Checkout): blocked by API design since 2026-05-01\n" in out
    unblocked = out.split("**Unblocked** (3)\n\n")[1].split("\n\n")[0].splitlines()
    assert unblocked == [
        f"- [Vendor quote](<{url}vendor-quote/>) (Checkout): no longer held up by "
        "Procurement, on 2026-03-12 after 10 days",
        f"- [UI flow](<{url}ui-flow/>) (Checkout): no longer held up by API design, on "
        "2026-04-01 after 50 days",
        f"- action “Deploy the gateway” of [API design](<{url}api-design/>) (Checkout): no "
        "longer held up by API design, on 2026-05-11 after 10 days"]
    assert f"**Overdue now** (1)\n\n- [Tax rules](<{url}tax-rules/>) (Checkout): waiting on " \
        f"Legal for “which countries need VAT invoices”, due 2026-03-01 " \
        f"({days('2026-03-01')} days ago)\n" in out


def test_digest_relative_and_without_site_url(chdir_repo: GitRepo,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from headway.cli import main

    known_blocks(chdir_repo)
    chdir_repo.commit("records", "2026-09-20")  # nothing new: an empty commit
    chdir_repo.record("ops.md", """
        type: learning
        initiative: checkout
        title: Ops *load* [test]
        status: done
    """)
    chdir_repo.commit("Ops learned", "2026-09-21")
    assert main(["digest", "--since", "7d"]) == 0  # 2026-09-18 to 2026-09-25
    out = capsys.readouterr().out
    assert out.startswith("## What changed since 2026-09-18\n")
    assert "- Ops \\*load\\* \\[test\\] (Checkout): done on 2026-09-21\n" in out  # text, no link
    assert "Decided" not in out and "Unblocked" not in out
    assert main(["digest", "--since", "last week"]) == 2
    assert "expected YYYY-MM-DD, or a number of days or weeks" in capsys.readouterr().err
    for too_far in ("99999999w", "9" * 5000 + "d"):  # before any date: refused, no traceback
        assert main(["digest", "--since", too_far]) == 2
        assert "is not a date" in capsys.readouterr().err


def test_feed_has_blocked_and_unblocked_events(built: Built) -> None:
    import xml.etree.ElementTree as ET

    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.fromstring((built.site / "headway" / "feed.xml").read_bytes())
    entries = {e.findtext(f"{atom}title"): e.findtext(f"{atom}updated")
               for e in feed.findall(f"{atom}entry")}
    assert entries["Vendor quote: blocked by Procurement"] == "2026-03-02T00:00:00+00:00"
    assert entries["Vendor quote: no longer held up by Procurement"] == \
        "2026-03-12T00:00:00+00:00"
    assert entries["UI flow: no longer held up by API design"] == "2026-04-01T00:00:00+00:00"
    # opened by the commit of 2026-02-01, though Legal's wait began on 2026-01-20
    assert entries["Payment provider: blocked by Legal"] == "2026-02-01T00:00:00+00:00"
    assert entries["API design, action “Deploy the gateway”: blocked by API design"] == \
        "2026-05-01T00:00:00+00:00"
    assert "Tax rules: no longer held up by Legal" not in entries


def test_bad_input_gives_a_reading_never_a_negative_duration(repo: GitRepo) -> None:
    repo.record("checkout.md", INITIATIVE)
    repo.record("early.md", """
        type: learning
        initiative: checkout
        title: Early
        waiting_on:
          - who: Finance
            what: numbers
            since: 2026-12-01
    """)
    repo.record("gone.md", "type: learning\ninitiative: checkout\ntitle: Gone")
    repo.commit("A wait dated in the future; a learning that will go", "2026-03-01")
    repo.record("needs-gone.md", """
        type: decision
        initiative: checkout
        title: Needs gone
        depends_on: [gone]
    """)
    repo.commit("Depends on gone", "2026-03-02")
    (repo.root / "docs" / "gone.md").unlink()
    repo.commit("Gone is deleted", "2026-03-03")
    repo.record("needs-gone.md", "type: decision\ninitiative: checkout\ntitle: Needs gone")
    repo.commit("The dependency is removed", "2026-03-09")
    repo.record("early.md", """
        type: learning
        initiative: checkout
        title: Early
        waiting_on:
          - who: Finance
            what: numbers
            since: 2026-12-01
            done: true
    """)
    # the clock of this commit is wrong: a day before the one that added the wait
    repo.commit("Finance answered", "2026-02-28")
    built = build(repo)
    records = built.records
    # a `since` later than the commit that recorded the wait counts from that commit; the
    # end, dated before it by a wrong clock, counts as that day: no negative length
    assert records["early"]["block_history"] == [
        iv("Finance", "who", "2026-03-01", "2026-03-01")]
    # a dependency on a record that was deleted holds up until the dependency is removed
    assert records["needs-gone"]["block_history"] == [
        iv("gone", "record", "2026-03-02", "2026-03-09")]
    assert all(b["blocked_days"] >= 0 for b in built.export["blockers"])
    assert any("docs/early.md:8: `waiting_on.0.since` is 2026-12-01, after today "
               "(2026-09-25): a wait cannot have begun in the future" in w
               for w in built.warnings), built.warnings


def test_block_history_is_kept_by_the_cache(repo: GitRepo) -> None:
    """A rebuild after a new commit extends the cached history: the same as a cold read."""
    known_blocks(repo)
    build(repo)
    repo.record("tax-rules.md", """
        type: learning
        initiative: checkout
        title: Tax rules
        waiting_on:
          - who: Legal
            what: which countries need VAT invoices
            since: 2026-01-20
            done: true
    """)
    repo.commit("Legal answered", "2026-06-01")
    warm = build(repo).export
    assert (repo.root / ".cache" / "headway").is_dir()
    shutil.rmtree(repo.root / ".cache")
    cold = build(repo).export
    warm.pop("generated"), cold.pop("generated")
    assert warm == cold
    records = {r["id"]: r for r in warm["records"]}
    assert records["pay-provider"]["block_history"] == [
        iv("tax-rules", "record", "2026-01-10", "2026-02-01"),
        iv("Legal", "who", "2026-01-20", "2026-06-01"),
        iv("tax-rules", "record", "2026-06-01", None)]


SHAPES = [
    "waiting_on:\n  - who: Legal\n    what: a review\n    since: 2026-01-20\n    done: true",
    "waiting_on:\n- who: Legal\n  what: 'quoted: text'\n  done: yes",
    "waiting_on: []",
    'waiting_on:\n  - who: "Legal"\n    what: x  # a comment\n',
    "waiting_on:\n  - {who: Legal, what: inline}",
    "waiting_on:\n  - who: Legal\n    what: >-\n      folded\n      text",
    "actions:\n  - what: Deploy\n    status: blocked\n    waiting_on:\n      - who: Ops\n"
    "        what: a window\n  - what: Announce\n    status: done",
    "actions:\n  - what: Deploy\n    waiting_on:\n    - who: Ops\n      what: w\n    owner: Ann",
    "actions:\n  - what: Deploy\n    waiting_on:\n      - who: Ops\n        done: 'true'",
    "waiting_on:\n  - who: Legal\n    what: a\n    who: Sales",
    "waiting_on:\n  - who: Legal\n    since: 2026-01-20 10:00:00",
    "waiting_on:\n  - who: Legal\n    since: 2026-02-30",
    "waiting_on:\n  - who: Legal\n    since: 2026-1-5",
    "waiting_on:\n  - who: 42\n    what: ~\n  - just text",
    "waiting_on: nonsense",
    "waiting_on:\n  - who: yes\n    what: Null",
    "waiting_on:\n  - who: Legal\n    what: Re: the contract",
    "waiting_on:\n  - who: Legal\n    due: 2026-13-01",
    "waiting_on:\n  - who: Legal\n    what: the ~ review\n    done: Off\n  - who: Ops\n"
    "    what: a window",
    "actions:\n  - what: Deploy\n    status: blocked\n    owner: Ann\n  - what: Tell\n",
    "actions:\n  - what: Deploy\n    status: blocked\n    owner: Ann\n  - status: open",
]


@pytest.mark.parametrize("text", SHAPES)
def test_fast_reader_of_old_versions_agrees_with_yaml(text: str,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from headway import flowfields

    front = ("\ntype: decision\n" + text + "\nstatus: proposed\n").encode()
    blocks = flowfields.flow_blocks(front)
    fast = flowfields.flow_fields(blocks)
    monkeypatch.setattr(flowfields, "_read_plainly", lambda blocks: None)
    simple = flowfields.flow_fields(blocks)
    monkeypatch.setattr(flowfields, "_read_simply", lambda blocks: None)
    assert fast == simple == flowfields.flow_fields(blocks)
    assert blocks and all(b.startswith((b"waiting_on", b"actions")) for b in blocks)


def test_replay_recomputes_only_what_changed_yet_agrees_with_the_rule() -> None:
    """The replay keeps root blockers only for records whose inputs changed (and those that
    depend on them); at every commit they equal derive's rule applied to all records."""
    import random

    from headway.derive import root_blockers
    from headway.flow import _Replay
    from headway.model import ActionState, WaitState

    rng = random.Random(7)
    ids = [f"r{n}" for n in range(12)]
    replay = _Replay()
    day = date(2026, 1, 1)
    for step in range(300):
        changes = {}
        for rid in rng.sample(ids, rng.randint(1, 3)):
            if rng.random() < 0.08:
                changes[rid] = None  # deleted (or never a record)
                continue
            rtype = rng.choice(["learning", "decision", "initiative"])
            status = rng.choice({"learning": ["open", "done"],
                                 "decision": ["exploring", "proposed", "accepted"],
                                 "initiative": ["active", "done"]}[rtype])
            # no cycles (an error `headway check` reports; inside one, the rule's answer
            # depends on the order the records are visited in)
            earlier = ids[:ids.index(rid)]
            deps = tuple(rng.sample(earlier, min(len(earlier), rng.randint(0, 2))))
            waits = tuple(WaitState(rng.choice(["Legal", "Ops"]), "x", None, rng.random() < .5)
                          for _ in range(rng.randint(0, 1)))
            actions = tuple(ActionState("act", rng.choice(["open", "blocked", "done"]), ())
                            for _ in range(rtype == "decision"))
            changes[rid] = (rtype, status, deps, waits, actions)
        day += timedelta(days=rng.randint(0, 3))
        replay.step(day, changes)
        assert replay.roots == root_blockers(replay.records), step
        for rid, held in replay.open.items():
            assert set(held) == set(replay.roots.get(rid, ())), (step, rid)
    history = replay.result()
    for intervals in [*history.records.values(), *history.actions.values()]:
        for interval in intervals:
            assert interval.until is None or interval.since <= interval.until


def test_a_renamed_record_is_replayed_under_the_id_it_had(repo: GitRepo) -> None:
    """A file renamed (its id from the file name) and a record whose `id:` was edited: each
    old version counts under the id it had then, so its dependents, naming that id, met it
    (accepted) and not a missing record; its own intervals stay its own, unbroken."""
    repo.record("checkout.md", INITIATIVE)
    repo.record("api.md", """
        type: decision
        initiative: checkout
        title: API
        waiting_on:
          - who: Legal
            what: a review
    """)
    repo.record("ui.md", """
        type: decision
        initiative: checkout
        title: UI
        depends_on: [api]
    """)
    repo.record("tax.md", """
        type: learning
        initiative: checkout
        id: tax
        title: Tax
    """)
    repo.record("pay.md", """
        type: decision
        initiative: checkout
        title: Pay
        depends_on: [tax]
    """)
    repo.record("quote.md", """
        type: learning
        initiative: checkout
        title: Quote
        waiting_on:
          - who: Ops
            what: numbers
    """)
    repo.commit("Start", "2026-01-05")
    repo.record("api.md", """
        type: decision
        initiative: checkout
        title: API
        status: accepted
        waiting_on:
          - who: Legal
            what: a review
            done: true
    """)
    repo.record("tax.md", """
        type: learning
        initiative: checkout
        id: tax
        title: Tax
        status: done
    """)
    repo.commit("API accepted, tax learned", "2026-02-01")
    repo.git("mv", "docs/api.md", "docs/api-v2.md")
    repo.git("mv", "docs/quote.md", "docs/vendor-quote.md")
    repo.record("ui.md", """
        type: decision
        initiative: checkout
        title: UI
        depends_on: [api-v2]
    """)
    repo.record("tax.md", """
        type: learning
        initiative: checkout
        id: tax-rules
        title: Tax
        status: done
    """)
    repo.record("pay.md", """
        type: decision
        initiative: checkout
        title: Pay
        depends_on: [tax-rules]
    """)
    repo.commit("Renamed: api to api-v2, quote to vendor-quote, tax to tax-rules", "2026-03-01")
    records = build(repo).records
    # through api, its root: Legal, until the review was done
    assert records["ui"]["block_history"] == [iv("Legal", "who", "2026-01-05", "2026-02-01")]
    assert records["pay"]["block_history"] == [iv("tax", "record", "2026-01-05", "2026-02-01")]
    assert records["api-v2"]["block_history"] == [iv("Legal", "who", "2026-01-05", "2026-02-01")]
    # a wait open across the rename: one interval, since the day the wait was added
    assert records["vendor-quote"]["block_history"] == [iv("Ops", "who", "2026-01-05", None)]
    assert set(records) == {"checkout", "api-v2", "ui", "tax-rules", "pay", "vendor-quote"}
    assert build(repo).records == records  # the names of old versions, read from the cache


def test_a_dependency_still_naming_the_old_id_meets_a_missing_record(repo: GitRepo) -> None:
    """Renamed, its dependent not updated until later: in between, the dependent named an id
    that no record had, which counts as unresolved (as `headway check` would have said)."""
    repo.record("checkout.md", INITIATIVE)
    repo.record("api.md", "type: decision\ninitiative: checkout\ntitle: API\nstatus: accepted")
    repo.record("ui.md", "type: decision\ninitiative: checkout\ntitle: UI\ndepends_on: [api]")
    repo.commit("Start", "2026-01-05")
    repo.git("mv", "docs/api.md", "docs/api-v2.md")
    repo.commit("Renamed", "2026-02-01")
    repo.record("ui.md", "type: decision\ninitiative: checkout\ntitle: UI\ndepends_on: [api-v2]")
    repo.commit("UI names the new id", "2026-02-11")
    records = build(repo).records
    assert records["ui"]["block_history"] == [iv("api", "record", "2026-02-01", "2026-02-11")]
    assert records["api-v2"]["block_history"] == []


def test_a_dependency_on_a_deleted_record_reads_it_as_it_was(repo: GitRepo) -> None:
    """A deleted record's history is read up to its deletion: a dependency on a record that
    was accepted until it was deleted (with the dependency, by a clock set wrong) never
    blocked anything; never a negative duration."""
    repo.record("checkout.md", INITIATIVE)
    repo.record("old.md", "type: decision\ninitiative: checkout\ntitle: Old\nstatus: accepted")
    repo.record("new.md", "type: decision\ninitiative: checkout\ntitle: New\ndepends_on: [old]")
    repo.commit("Start", "2026-01-05")
    (repo.root / "docs" / "old.md").unlink()
    repo.record("new.md", "type: decision\ninitiative: checkout\ntitle: New")
    repo.commit("Old deleted, the dependency dropped", "2026-01-04")  # a clock set wrong
    built = build(repo)
    assert built.records["new"]["block_history"] == []
    assert "old" not in built.records
    assert all(b["blocked_days"] >= 0 for b in built.export["blockers"])


def deleted_dependency(repo: GitRepo, remove: str, upto: str = "2026-04-01") -> None:
    """api is decided (02-01), then taken away (03-01: `remove` is "rm", or "mv" out of the
    docs folder) while ui still depends on it, until ui drops it (04-01); commits up to
    `upto`."""
    repo.record("checkout.md", INITIATIVE)
    repo.record("api.md", "type: decision\ninitiative: checkout\ntitle: API")
    repo.record("ui.md", "type: decision\ninitiative: checkout\ntitle: UI\ndepends_on: [api]")
    repo.commit("Start", "2026-01-05")
    repo.record("api.md", "type: decision\ninitiative: checkout\ntitle: API\nstatus: accepted")
    repo.commit("API accepted", "2026-02-01")
    if upto < "2026-03-01":
        return
    if remove == "rm":
        repo.git("rm", "-q", "docs/api.md")
    else:
        (repo.root / "archive").mkdir()
        repo.git("mv", "docs/api.md", "archive/api.md")
    repo.commit("API taken away", "2026-03-01")
    if upto < "2026-04-01":
        return
    repo.record("ui.md", "type: decision\ninitiative: checkout\ntitle: UI")
    repo.commit("UI no longer depends on it", "2026-04-01")


DELETED_API = [iv("api", "record", "2026-01-05", "2026-02-01"),
               iv("api", "record", "2026-03-01", "2026-04-01")]


@pytest.mark.parametrize("remove", ["rm", "mv"])
def test_a_deleted_record_holds_up_its_dependents_as_it_was(repo: GitRepo, remove: str) -> None:
    """Deleted (or moved out of the docs folder), a record's versions are still replayed: its
    dependent was blocked while it was undecided, free once it was accepted, and blocked by a
    missing record from its deletion until the dependency was dropped. The deleted record
    itself is on no page, and in no blocker's items."""
    deleted_dependency(repo, remove)
    built = build(repo)
    assert built.records["ui"]["block_history"] == DELETED_API
    assert "api" not in built.records
    assert built.export["blockers"] == [
        {"name": "api", "kind": "record", "items": 1, "open_items": 0,
         "blocked_days": days("2026-01-05", "2026-02-01") + days("2026-03-01", "2026-04-01")}]


@pytest.mark.expect_warnings("refers to 'api', which does not exist")  # built at 03-01
@pytest.mark.parametrize("first_build", ["2026-02-01", "2026-03-01", "2026-04-01"])
def test_deleted_records_come_through_the_cache(repo: GitRepo, first_build: str) -> None:
    """Built before the deletion, just after it or at the end, then built again after the
    later commits (or with none): the cache gives the deleted record's versions as a cold read
    does, whether the deletion is among the new commits or before the cached HEAD."""
    deleted_dependency(repo, "rm", upto=first_build)
    build(repo)
    if first_build < "2026-03-01":
        repo.git("rm", "-q", "docs/api.md")
        repo.commit("API taken away", "2026-03-01")
    if first_build < "2026-04-01":
        repo.record("ui.md", "type: decision\ninitiative: checkout\ntitle: UI")
        repo.commit("UI no longer depends on it", "2026-04-01")
    assert build(repo).records["ui"]["block_history"] == DELETED_API
    assert build(repo).records["ui"]["block_history"] == DELETED_API  # HEAD unmoved
    shutil.rmtree(repo.root / ".cache")
    assert build(repo).records["ui"]["block_history"] == DELETED_API


def test_a_record_deleted_then_written_again_is_two_records_in_time(repo: GitRepo) -> None:
    """api deleted while undecided, then written again (a new file, the same id) and
    accepted: the dependency counts the undecided record, the missing id, then the new
    record until its acceptance."""
    repo.record("checkout.md", INITIATIVE)
    repo.record("api.md", "type: decision\ninitiative: checkout\ntitle: API")
    repo.record("ui.md", "type: decision\ninitiative: checkout\ntitle: UI\ndepends_on: [api]")
    repo.commit("Start", "2026-01-05")
    repo.git("rm", "-q", "docs/api.md")
    repo.commit("API dropped", "2026-02-01")
    repo.record("api.md", "type: decision\ninitiative: checkout\ntitle: API again")
    repo.commit("API again", "2026-03-01")
    repo.record("api.md", "type: decision\ninitiative: checkout\ntitle: API again\n"
                          "status: accepted")
    repo.commit("API accepted", "2026-04-01")
    built = build(repo)
    assert built.records["ui"]["block_history"] == [
        iv("api", "record", "2026-01-05", "2026-04-01")]
    assert built.records["api"]["created"] == "2026-03-01"


def test_blocked_page_dates_each_root_by_its_block_history(repo: GitRepo) -> None:
    """The blocked page's "since" per root blocker is the open interval's of block history
    (one rule): Legal, met through a dependency added later than another one, holds the
    record up from the day that dependency was added, not from the first one's."""
    repo.record("checkout.md", INITIATIVE)
    repo.record("design.md", "type: decision\ninitiative: checkout\ntitle: Design")
    repo.record("tax.md", """
        type: learning
        initiative: checkout
        title: Tax
        waiting_on:
          - who: Legal
            what: a review
            since: 2025-12-20
    """)
    repo.record("pay.md", "type: decision\ninitiative: checkout\ntitle: Pay\ndepends_on: [design]")
    repo.commit("Pay needs the design; tax waits on Legal", "2026-01-01")
    repo.record("pay.md", """
        type: decision
        initiative: checkout
        title: Pay
        depends_on: [design, tax]
    """)
    repo.commit("Pay needs tax too", "2026-01-10")
    built = build(repo)
    pay = built.records["pay"]
    assert sorted(pay["root_blockers"]) == ["Legal", "design"]
    since = {i["blocker"]: i["since"] for i in pay["block_history"] if i["until"] is None}
    assert since == {"design": "2026-01-01", "Legal": "2026-01-10"}
    groups = built.html("blocked/").split('<section class="hw-group"')[1:]
    shown = {}
    for group in groups:
        root = "Legal" if '<span class="hw-who">Legal</span>\n  </h3>' in group else "design"
        item = group[group.index('<a href="../pay/">'):]
        shown[root] = item.split('<time datetime="', 1)[1].split('"', 1)[0]
    assert shown == since


def test_blocked_page_dates_each_action_by_its_block_history(repo: GitRepo) -> None:
    """An action's "since" on the blocked page is its open interval's too: a wait written
    without `since`, added to a decision months after the decision, counts from the commit
    that added it (not from the decision's created date)."""
    repo.record("checkout.md", INITIATIVE)
    repo.record("pay.md", """
        type: decision
        initiative: checkout
        title: Pay
        status: accepted
        actions:
          - what: Sign the contract
          - what: Set up billing
            status: blocked
    """)
    repo.commit("Pay decided", "2026-01-01")
    repo.record("pay.md", """
        type: decision
        initiative: checkout
        title: Pay
        status: accepted
        actions:
          - what: Sign the contract
            waiting_on:
              - who: Finance
                what: a signature
          - what: Set up billing
            status: blocked
    """)
    repo.commit("The contract waits on Finance", "2026-03-15")
    built = build(repo)
    actions = {a["what"]: a for a in built.records["pay"]["actions"]}
    signed = [i for i in actions["Sign the contract"]["block_history"] if i["until"] is None]
    assert signed == [{"blocker": "Finance", "kind": "who", "since": "2026-03-15",
                       "until": None}]
    billing = [i for i in actions["Set up billing"]["block_history"] if i["until"] is None]
    assert [i["since"] for i in billing] == ["2026-01-01"]
    page = built.html("blocked/")
    contract = page[page.index("Sign the contract"):]
    assert contract.split('<time datetime="', 1)[1].startswith("2026-03-15")
    billing_item = page[page.index("Set up billing"):]
    assert billing_item.split('<time datetime="', 1)[1].startswith("2026-01-01")


def test_each_initiatives_flow_is_worked_out_once(repo: GitRepo,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """records.json, the flow page and the initiative page show one initiative's flow,
    worked out once per build (not once for each of them)."""
    from headway import flow, flowpages  # flowpages' own median_days (its charts') stays

    assert vars(flowpages)["median_days"] is flow.median_days
    known_blocks(repo)
    counted: list[int] = []
    real = flow.median_days  # in flow.py, called once per initiative's flow

    def counting(values: Iterable[int]) -> float | None:
        counted.append(1)
        result: float | None = real(values)
        return result

    monkeypatch.setattr(flow, "median_days", counting)
    built = build(repo)
    assert len(counted) == 1  # one initiative, checkout
    assert built.records["checkout"]["flow"]["median_lead_time_days"] == 86
    assert "86 days (median)" in built.text("initiatives/checkout/")


def test_the_site_is_the_same_whatever_the_hash_seed(repo: GitRepo) -> None:
    """Two builds of one repository give the same files (records.json's `generated` aside),
    however Python seeds its string hashes: nothing is listed in a set's order."""
    import os
    import subprocess
    import sys

    known_blocks(repo)
    for name in ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot"):  # blocked together
        repo.record(f"{name}.md", f"""
            type: learning
            initiative: checkout
            title: {name.title()}
            waiting_on:
              - who: Security
                what: a review
        """)
    repo.record("rollout.md", """
        type: decision
        initiative: checkout
        title: Rollout
        status: accepted
        actions:
          - {what: Brief support, waiting_on: [{who: Support, what: a slot}]}
          - {what: Train sales, waiting_on: [{who: Sales, what: a slot}]}
          - {what: Tell finance, waiting_on: [{who: Finance, what: a slot}]}
          - {what: Update docs, waiting_on: [{who: Docs, what: a slot}]}
    """)
    repo.commit("Six learnings wait on Security; four actions on four teams", "2026-06-01")
    for name in ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot"):  # and freed together
        repo.record(f"{name}.md", f"""
            type: learning
            initiative: checkout
            title: {name.title()}
        """)
    repo.commit("Security reviewed them", "2026-06-08")
    sites = []
    for seed in ("1", "2", "3", "4"):
        site = repo.root.parent / f"site-{seed}"
        subprocess.run([sys.executable, "-m", "mkdocs", "build", "-q", "-d", str(site)],
                       cwd=repo.root, check=True, capture_output=True,
                       env={**os.environ, "PYTHONHASHSEED": seed, "NO_MKDOCS_2_WARNING": "1"})
        sites.append({path.relative_to(site).as_posix(): path.read_bytes()
                      for path in site.rglob("*") if path.is_file()})
    for files in sites:
        files["headway/records.json"] = b"\n".join(
            line for line in files["headway/records.json"].split(b"\n")
            if not line.startswith(b' "generated"'))
    assert "headway/feed.xml" in sites[0]
    for other in sites[1:]:
        assert sorted(other) == sorted(sites[0])
        assert [p for p in sites[0] if other[p] != sites[0][p]] == []


def test_a_median_of_days_reads_the_same_whether_it_came_out_whole_or_not() -> None:
    """The median of 0 and 0 is 0.0 and that of one value 0: the pages show both as 0, and a
    half day as such."""
    from headway.render import environment

    days = environment().from_string("{{ v|days }}")
    assert [days.render(v=v) for v in (0, 0.0, 86, 86.0, 2.5, 1.25, 7 / 3)] == \
        ["0", "0", "86", "86", "2.5", "1.2", "2.3"]
