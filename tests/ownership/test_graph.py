"""The set-wise kernels against a plain-Python reading of the rule on random graphs."""

from __future__ import annotations

import numpy as np
import pytest

from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.model.list_entry import EntityKind, EntryName, EntryRelation, ListEntry
from sanctrace.ownership import check
from sanctrace.ownership.graph import ShareGraph, aggregate_fixed_point, lookthrough, strongly_connected_cycles
from sanctrace.ownership.listsync import sync_lists


def naive_fixed_point(n: int, edges: list[tuple[int, int, float]], seeds: set[int]) -> set[int]:
    blocked = set(seeds)
    while True:
        share = [0.0] * n
        for s, d, w in edges:
            if s in blocked:
                share[d] += w
        new = {i for i in range(n) if share[i] >= 0.5 - 1e-9} | blocked
        if new == blocked:
            return blocked
        blocked = new


@pytest.mark.parametrize("seed", range(8))
def test_fixed_point_matches_naive(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, m = 200, 500
    src = rng.integers(0, n, m)
    dst = rng.integers(0, n, m)
    keep = src != dst
    src, dst = src[keep], dst[keep]
    w = rng.choice([0.1, 0.2, 0.25, 0.3, 0.5, 0.6], size=src.size)
    seeds = np.zeros(n, dtype=bool)
    seeds[rng.choice(n, 20, replace=False)] = True
    graph = ShareGraph.build(n, src.astype(np.int64), dst.astype(np.int64), w, w)
    blocked, _ = aggregate_fixed_point(graph, seeds, graph.lo, 0.5)
    expected = naive_fixed_point(n, list(zip(src.tolist(), dst.tolist(), w.tolist(), strict=True)),
                                 set(np.flatnonzero(seeds).tolist()))
    assert set(np.flatnonzero(blocked).tolist()) == expected


def test_lookthrough_converges_on_cross_holdings() -> None:
    # S listed owns 50% of A; A and B hold 50% of each other: A = 0.5 + 0.5 B, B = 0.5 A → A = 2/3
    graph = ShareGraph.build(3, np.array([0, 1, 2]), np.array([1, 2, 1]), np.array([0.5, 0.5, 0.5]),
                             np.array([0.5, 0.5, 0.5]))
    seeds = np.array([True, False, False])
    x = lookthrough(graph, seeds, graph.lo)
    assert x[1] == pytest.approx(2 / 3, abs=1e-6) and x[2] == pytest.approx(1 / 3, abs=1e-6)


def test_strongly_connected_cycles() -> None:
    src = np.array([0, 1, 2, 3, 4])
    dst = np.array([1, 2, 0, 4, 4])
    assert strongly_connected_cycles(5, src, dst) == [[0, 1, 2], [4]]


def test_list_side_owned_or_controlled_by(engine: DuckDBEngine) -> None:
    entries = [
        ListEntry("ofac:1", "ofac", "1", EntityKind.PERSON, [EntryName("OLIGARCH, Ivan")],
                  programs=["RUSSIA-EO14024"]),
        ListEntry("ofac:2", "ofac", "2", EntityKind.ORGANIZATION, [EntryName("HOLDCO LLC")],
                  programs=["RUSSIA-EO14024"], relations=[EntryRelation("owned_or_controlled_by", "ofac:1"),
                                                          EntryRelation("associate_of", "ofac:999")]),
        ListEntry("uk:3", "uk", "RUS3", EntityKind.ORGANIZATION, [EntryName("СУБСИДИАРИЯ", script="Cyrl")],
                  relations=[EntryRelation("owned_or_controlled_by", "ofac:2")]),
    ]
    summary = sync_lists(engine, entries)
    assert summary.parties == 3 and summary.relations == 2
    assert any("ofac:999" in w.problem for w in summary.warnings)
    v = check(engine, "uk:3", "ofac")  # owned or controlled, share unknown: possibly, not certainly
    assert not v.blocked and v.possibly_blocked and v.paths[0]["root"] == "ofac:2"
    assert check(engine, "uk:3", "uk").listed
    sync_lists(engine, entries)
    assert engine.scalar("SELECT count(*) FROM party_relations") == 2
