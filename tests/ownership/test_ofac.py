"""OFAC 50% rule, the examples from OFAC's own FAQs, ranges, cycles and near misses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sanctrace import ownership
from sanctrace.engine.duckdb_engine import DuckDBEngine

Graph = Callable[[list[str], list[str]], Any]


def check(engine: DuckDBEngine, party: str, regime: str = "ofac") -> ownership.Verdict:
    return ownership.check(engine, party, regime, as_of="2026-01-01")


def test_faq_401_blocked_intermediary_whole_stake_counts(engine: DuckDBEngine, graph: Graph) -> None:
    graph(["X,person,Blocked Person X,ru,ofac,false,,,", "A,company,Entity A,cy,,false,,,",
           "B,company,Entity B,sg,,true,,,"],
          ["X,A,ownership,50,,,,,", "X,B,ownership,10,,,,,", "A,B,ownership,40,,,,,"])
    a = check(engine, "A")
    assert a.blocked and a.status == "blocked" and a.share["certain"] == pytest.approx(0.5)
    b = check(engine, "B")
    assert b.blocked and b.share["certain"] == pytest.approx(0.5)
    # look-through is the economic figure: 10% + 50% x 40% = 30%
    assert b.lookthrough == pytest.approx(0.3)
    roots = sorted((p["root"], len(p["chain"])) for p in b.paths)
    assert roots == [("X", 1), ("X", 2)]
    assert b.paths[0]["chain"][-1]["asset"] == "B"
    assert any("50.00%" in r for r in b.reasons)


def test_unblocked_intermediary_passes_nothing(engine: DuckDBEngine, graph: Graph) -> None:
    # X holds 40% of A (A not blocked); A holds 100% of B: B is not blocked under OFAC
    graph(["X,person,X,ru,ofac,false,,,", "A,company,A,cy,,false,,,", "B,company,B,sg,,false,,,",
           "C,company,C,sg,,false,,,"],
          ["X,A,ownership,40,,,,,", "A,B,ownership,100,,,,,", "X,C,ownership,25,,,,,"])
    b = check(engine, "B")
    assert not b.blocked and b.share["certain"] == 0.0 and b.status == "clear"
    assert b.lookthrough == pytest.approx(0.4)  # economic exposure still reported
    a = check(engine, "A")
    assert not a.blocked and a.near_miss and a.status == "near_miss"
    assert check(engine, "C").near_miss  # exactly 25% is a near miss


def test_faq_398_control_is_not_ownership(engine: DuckDBEngine, graph: Graph) -> None:
    graph(["X,person,X,ru,ofac,false,,,", "A,company,A,cy,,false,,,"],
          ["X,A,director,,,,,,CEO", "X,A,board_appointment,,,,,,", "X,A,ownership,20,,,,,"])
    a = check(engine, "A")
    assert not a.blocked
    assert {f.name for f in a.flags} >= {"control_board_appointment", "control_representative_director"}
    assert all("FAQ 398" in f.explanation for f in a.flags)


def test_aggregation_across_blocked_persons_and_fixed_point(engine: DuckDBEngine, graph: Graph) -> None:
    graph(["X,person,X,ru,ofac,false,,,", "Y,person,Y,ru,ofac,false,,,", "A,company,A,cy,,false,,,",
           "B,company,B,ae,,false,,,", "C,company,C,hk,,false,,,"],
          ["X,A,ownership,30,,,,,", "Y,A,ownership,20,,,,,", "A,B,ownership,60,,,,,",
           "B,C,ownership,50,,,,,"])
    assert check(engine, "A").blocked  # 30 + 20
    c = check(engine, "C")
    assert c.blocked and [len(p["chain"]) for p in c.paths] == [3, 3]


def test_cycles_terminate(engine: DuckDBEngine, graph: Graph) -> None:
    summary = graph(["X,person,X,ru,ofac,false,,,", "A,company,A,cy,,false,,,", "B,company,B,cy,,false,,,",
                     "C,company,C,cy,,false,,,"],
                    ["A,B,ownership,60,,,,,", "B,A,ownership,30,,,,,", "X,A,ownership,30,,,,,",
                     "B,C,ownership,10,,,,,", "C,B,ownership,10,,,,,"])
    assert any("cycle" in w.problem for w in summary.warnings)
    # X 30% + B 30%, but B is only blocked if A is: the fixed point does not bootstrap itself
    assert not check(engine, "A").blocked
    assert not check(engine, "B").blocked


def test_share_ranges_certainly_and_possibly(engine: DuckDBEngine, graph: Graph) -> None:
    graph(["X,person,X,ru,ofac,false,,,", "A,company,A,cy,,false,,,"],
          ["X,A,ownership,,25,75,,,"])
    a = check(engine, "A")
    assert not a.blocked and a.possibly_blocked and a.status == "possibly_blocked"
    assert a.share == {"certain": 0.25, "possible": 0.75}


def test_listing_of_other_regime_does_not_block(engine: DuckDBEngine, graph: Graph) -> None:
    graph(["X,person,X,ru,eu,false,,,", "A,company,A,cy,,false,,,"], ["X,A,ownership,100,,,,,"])
    assert not check(engine, "A", "ofac").blocked
    assert check(engine, "A", "eu").blocked


def test_ended_relations_do_not_count(engine: DuckDBEngine, graph: Graph) -> None:
    graph(["X,person,X,ru,ofac,false,,,", "A,company,A,cy,,false,,,"],
          ["X,A,ownership,60,,,2010-01-01,2020-01-01,"])
    assert not check(engine, "A").blocked
    assert ownership.check(engine, "A", "ofac", as_of="2015-06-01").blocked


def test_verdicts_are_stored_for_monitoring(engine: DuckDBEngine, graph: Graph) -> None:
    graph(["X,person,X,ru,ofac,false,,,", "A,company,A,cy,,true,,,", "B,company,B,cy,,true,,,"],
          ["X,A,ownership,50,,,,,"])
    found = ownership.verdicts(engine, "ofac", as_of="2026-01-01")
    assert {k: v.blocked for k, v in found.items()} == {"A": True, "B": False, "X": True}
    rows = engine.query("SELECT party_id, status FROM ownership_verdicts WHERE regime = 'ofac' ORDER BY 1")
    assert rows == [("A", "blocked"), ("B", "clear"), ("X", "listed")]
    ownership.verdicts(engine, "ofac", as_of="2026-01-01")
    assert engine.scalar("SELECT count(*) FROM ownership_verdicts") == 3  # replaced, not appended
