"""Blocked, root blockers and blocked-since, derived exactly as the spec says."""

from __future__ import annotations

from datetime import date, datetime

from headway.derive import (
    created_date,
    derive,
    is_blocked,
    met_only_through_actions,
    open_waits,
    overdue_actions,
    own_open_waits,
    root_blockers,
    supersession,
)
from headway.model import Action, Decision, GitFacts, Initiative, Learning, Record, WaitingOn


def decision(rid: str, status: str = "proposed", **kw: object) -> Decision:
    return Decision(type="decision", id=rid, title=rid, path=f"{rid}.md", src_uri=f"{rid}.md",
                    status=status, initiative="i", **kw)  # type: ignore[arg-type]


def by_id(*records: Record) -> dict[str, Record]:
    return {r.id: r for r in records}


def test_chain_of_three_records_ends_at_the_waiting_who() -> None:
    recs = by_id(
        decision("a", depends_on=("b",)),
        decision("b", depends_on=("c",)),
        Learning(type="learning", id="c", title="c", path="c.md", src_uri="c.md", status="open",
                 initiative="i", waiting_on=(WaitingOn("Legal", "review"),)),
    )
    roots = root_blockers(recs)
    # v2: c is itself blocked (it waits on Legal), so c is not a root; Legal, what blocks it,
    # is the root of everything that depends on c.
    assert roots == {"a": ("Legal",), "b": ("Legal",), "c": ("Legal",)}


def test_resolved_dependencies_do_not_block() -> None:
    recs = by_id(decision("a", depends_on=("b",)), decision("b", status="accepted"))
    assert not is_blocked(recs["a"], recs)
    assert root_blockers(recs) == {}


def test_unresolved_dependency_that_is_not_blocked_is_the_root() -> None:
    recs = by_id(decision("a", depends_on=("b", "gone")), decision("b", status="exploring"))
    assert root_blockers(recs) == {"a": ("b", "gone")}


def test_done_waits_do_not_block_and_resolved_records_are_never_blocked() -> None:
    recs = by_id(
        decision("a", waiting_on=(WaitingOn("Legal", "x", done=True),)),
        decision("b", status="accepted", waiting_on=(WaitingOn("Legal", "x"),)),
    )
    assert root_blockers(recs) == {}


def test_blocked_action_blocks_the_record_and_the_action() -> None:
    action = Action("ship", status="blocked")
    waiting = Action("sign", waiting_on=(WaitingOn("Vendor", "contract"),))
    recs = by_id(decision("a", actions=(action, waiting)))
    assert action.blocked and waiting.blocked
    assert root_blockers(recs) == {"a": ("Vendor",)}
    assert root_blockers(by_id(decision("b", actions=(action,)))) == {"b": ("b",)}


def test_a_cycle_never_loops() -> None:
    recs = by_id(decision("a", depends_on=("b",)), decision("b", depends_on=("a",)))
    roots = root_blockers(recs)
    assert set(roots) == {"a", "b"}


def test_long_chain_is_iterative() -> None:
    n = 5000
    recs = by_id(*[decision(f"d{i}", depends_on=(f"d{i + 1}",)) for i in range(n)],
                 decision(f"d{n}", waiting_on=(WaitingOn("Ops", "x"),)))
    roots = root_blockers(recs)
    assert roots["d0"] == ("Ops",)  # v2: the blocked end is not a root


def test_blocked_since_and_backlinks() -> None:
    recs = by_id(
        Initiative(type="initiative", id="i", title="I", path="i.md", src_uri="i.md",
                   status="active"),
        decision("a", depends_on=("b",), waiting_on=(WaitingOn("Legal", "x", since=date(2026, 5,
                                                                                           1)),)),
        decision("b", supersedes="c", informed_by=("l",)),
        decision("c", status="superseded"),
        Learning(type="learning", id="l", title="l", path="l.md", src_uri="l.md", status="done",
                 initiative="i"),
    )
    git = {"a": GitFacts(created=datetime.fromisoformat("2026-01-01T00:00:00+00:00"),
                         depends_added=(("b", datetime.fromisoformat("2026-03-02T10:00:00+00:00")),))}
    created = {rid: date(2026, 1, 1) for rid in recs}
    d = derive(recs, git, created)
    assert d.blocked_since["a"] == date(2026, 3, 2)  # the dependency came before the wait
    assert d.informs == {"l": ("b",)}
    assert d.superseded_by == {"c": "b"}
    assert d.blocks == {"b": ("a",)}
    assert d.members["i"] == ("a", "b", "c", "l")


def test_open_waits_are_the_records_own_then_its_actions_not_done() -> None:
    mine, done = WaitingOn("Legal", "x"), WaitingOn("Ops", "y", done=True)
    theirs = WaitingOn("Vendor", "z")
    rec = decision("a", waiting_on=(mine, done), actions=(
        Action("sign", waiting_on=(theirs,)), Action("old", status="done", waiting_on=(mine,))))
    assert own_open_waits(rec) == [mine]
    assert open_waits(rec) == [mine, theirs]


def test_met_only_through_actions() -> None:
    recs = by_id(
        decision("a", depends_on=("b",), waiting_on=(WaitingOn("Legal", "x"),), actions=(
            Action("sign", waiting_on=(WaitingOn("Vendor", "z"), WaitingOn("Legal", "x"),
                                       WaitingOn("Ops", "y"))),)),
        decision("b", waiting_on=(WaitingOn("Ops", "y"),)),
    )
    roots = root_blockers(recs)
    assert met_only_through_actions(recs["a"], recs, roots) == {"Vendor"}
    assert met_only_through_actions(recs["b"], recs, roots) == set()


def test_created_date_is_front_matter_then_git_then_today() -> None:
    today = date(2026, 6, 1)
    facts = GitFacts(created=datetime.fromisoformat("2026-02-03T23:30:00-05:00"))
    assert created_date(decision("a", date=date(2025, 1, 1)), facts, today) == date(2025, 1, 1)
    assert created_date(decision("a"), facts, today) == date(2026, 2, 3)
    assert created_date(decision("a"), None, today) == today


def test_supersession_reads_both_sides() -> None:
    recs = [decision("b", supersedes="a"), decision("c", superseded_by="b"),
            decision("d", supersedes="c")]
    assert supersession(recs) == {"a": "b", "c": "d"}


def test_overdue_actions_only_of_a_decision_in_force() -> None:
    late = Action("ship", due=date(2026, 1, 1))
    today = date(2026, 2, 1)
    assert overdue_actions(decision("a", actions=(late,)), today) == [late]
    assert overdue_actions(decision("a", status="rejected", actions=(late,)), today) == []
    assert overdue_actions(decision("a", actions=(Action("x", due=date(2026, 1, 1),
                                                         status="done"),)), today) == []
