"""Blocked, root blockers and blocked-since, derived exactly as the spec says."""

from __future__ import annotations

from datetime import date, datetime

from headway.derive import derive, is_blocked, root_blockers
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
