"""The OFAC/EU aggregate rule over the whole party graph without building Python objects per edge:
DuckDB numbers the parties and collapses parallel edges, Arrow hands the columns to numpy, and
:func:`sanctrace.ownership.graph.aggregate_fixed_point` propagates. This is the path for millions
of parties (``benchmarks/ownership.py``); :func:`sanctrace.ownership.verdicts` adds the per-party
evidence on top for the parties it reports.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sanctrace.engine.base import Engine
from sanctrace.ownership.graph import BoolArray, FloatArray, ShareGraph, aggregate_fixed_point
from sanctrace.ownership.store import active_clause, ensure_schema

THRESHOLD = 0.5


@dataclass
class BulkResult:
    ids: list[str]
    listed: BoolArray
    blocked: BoolArray  # certainly blocked (listed or owned)
    possibly: BoolArray  # blocked with the upper end of every range
    share: FloatArray  # aggregate share held by blocked parties (certain)

    def blocked_ids(self) -> list[str]:
        return [self.ids[i] for i in np.flatnonzero(self.blocked).tolist()]


def load_share_graph(engine: Engine, regime: str, as_of: str | None = None
                     ) -> tuple[list[str], ShareGraph, BoolArray]:
    ensure_schema(engine)
    engine.execute("CREATE OR REPLACE TEMP TABLE _bulk_ids AS SELECT party_id, "
                   "(row_number() OVER (ORDER BY party_id) - 1)::BIGINT AS i FROM parties")
    ids_table = engine.to_arrow("SELECT party_id FROM _bulk_ids ORDER BY i")
    ids = ids_table.column(0).to_pylist()
    edges = engine.to_arrow(
        f"""SELECT s.i AS src, t.i AS dst, max(coalesce(share_min, 0.0)) AS lo,
                   max(coalesce(share_max, 1.0)) AS hi
            FROM party_relations r JOIN _bulk_ids s ON s.party_id = r.source_id
            JOIN _bulk_ids t ON t.party_id = r.target_id
            WHERE r.rel_type IN ('ownership', 'owned_or_controlled') AND {active_clause(as_of)}
            GROUP BY 1, 2""")
    listed_rows = engine.to_arrow(
        "SELECT DISTINCT i FROM _bulk_ids JOIN party_listings l USING (party_id) "
        "WHERE l.regime = ? OR l.regime IN ('any', 'un')", [regime])
    engine.execute("DROP TABLE IF EXISTS _bulk_ids")
    n = len(ids)
    graph = ShareGraph.build(
        n, edges.column("src").to_numpy().astype(np.int64), edges.column("dst").to_numpy().astype(np.int64),
        edges.column("lo").to_numpy().astype(np.float64), edges.column("hi").to_numpy().astype(np.float64))
    listed = np.zeros(n, dtype=np.bool_)
    listed[listed_rows.column(0).to_numpy().astype(np.int64)] = True
    return ids, graph, listed


def blocked_set(engine: Engine, regime: str = "ofac", as_of: str | None = None) -> BulkResult:
    """Every party blocked under the aggregate 50% rule (``ofac`` or ``eu`` ownership part)."""
    ids, graph, listed = load_share_graph(engine, regime, as_of)
    blocked, share = aggregate_fixed_point(graph, listed, graph.lo, THRESHOLD)
    possibly, _ = aggregate_fixed_point(graph, listed, graph.hi, THRESHOLD)
    return BulkResult(ids, listed, blocked, possibly, share)
