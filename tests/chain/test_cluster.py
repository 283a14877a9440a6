"""Clustering: multi-input merges with witnesses, CoinJoin exclusion, change heuristics, incremental runs."""

from __future__ import annotations

import numpy as np
import pytest

from sanctrace.chain.cluster import ClusterConfig, cluster_addresses
from sanctrace.chain.graph_eval import cluster_labels, pairwise_scores
from sanctrace.chain.graph_synthetic import synthetic_chain, write_chain
from sanctrace.chain.graph_tiny import TinyChain
from sanctrace.chain.witness import cluster_info, why
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.errors import InputError, NotFound


def _peel_chain() -> TinyChain:
    c = TinyChain()
    c.tx([], [("1A", 5_000_000)])                     # 1 coinbase → A
    c.tx([], [("1B", 3_000_000)])                     # 2 coinbase → B
    c.tx([], [("1C", 10_000)])                        # 3 coinbase → C (C is seen before tx 4)
    c.tx([(1, 0), (2, 0)], [("1C", 2_000_000), ("1D", 5_987_654)])  # 4: A+B → C (round pay), D change
    c.tx([], [("1E", 1_000_000)])                     # 5 coinbase → E
    c.tx([(4, 1), (5, 0)], [("1F", 6_900_000)])       # 6: D+E → F
    return c


def _cluster_of(engine: DuckDBEngine, ids: dict[str, int], address: str) -> int:
    value = engine.scalar("SELECT cluster_id FROM chain_clusters WHERE address_id = ?", [ids[address]])
    return ids[address] if value is None else int(value)


def test_multi_input_and_why(engine: DuckDBEngine) -> None:
    ids = _peel_chain().write(engine)
    run = cluster_addresses(engine)
    assert run.merges == 2 and run.rebuilt
    assert _cluster_of(engine, ids, "1A") == _cluster_of(engine, ids, "1B") == ids["1A"]
    assert _cluster_of(engine, ids, "1D") == _cluster_of(engine, ids, "1E") == ids["1D"]
    assert _cluster_of(engine, ids, "1A") != _cluster_of(engine, ids, "1D")
    result = why(engine, "1B", "1A")
    assert result.linked and len(result.steps) == 1
    step = result.steps[0]
    assert step.heuristic == "multi_input" and step.txid == TinyChain().txid(engine, 4)
    assert "inputs of" in step.explanation
    assert not why(engine, "1A", "1E").linked
    info = cluster_info(engine, "1B")
    assert info["size"] == 2 and set(info["sample_addresses"]) == {"1A", "1B"}
    with pytest.raises(NotFound):
        why(engine, "1A", "1Nowhere")


def test_change_heuristics_link_peel_chain(engine: DuckDBEngine) -> None:
    ids = _peel_chain().write(engine)
    cluster_addresses(engine, ClusterConfig(change=("one_time", "round_amount")))
    assert _cluster_of(engine, ids, "1A") == _cluster_of(engine, ids, "1E")
    assert _cluster_of(engine, ids, "1C") == ids["1C"]  # the payment stays out
    result = why(engine, "1A", "1E")
    assert [s.heuristic for s in result.steps] == ["change+one_time+round_amount", "multi_input"]
    assert result.confidence == pytest.approx(1 - 0.3 * 0.4)
    # switching one heuristic off changes the witness and the confidence
    cluster_addresses(engine, ClusterConfig(change=("round_amount",)))
    assert why(engine, "1A", "1E").confidence == pytest.approx(0.6)
    with pytest.raises(InputError, match="unknown change heuristic"):
        ClusterConfig(change=("psychic",))


def test_coinjoins_do_not_merge(engine: DuckDBEngine) -> None:
    c = TinyChain()
    for i in range(5):
        c.tx([], [(f"1W{i}", 1_000_000)])
    c.tx([(i + 1, 0) for i in range(5)], [(f"1X{i}", 1_000_000) for i in range(5)])  # whirlpool 5x5
    for i in range(3):
        c.tx([], [(f"1J{i}", 3_000_000 + i)])
    c.tx([(7 + i, 0) for i in range(3)],
         [(f"1K{i}", 2_000_000) for i in range(3)] + [(f"1L{i}", 999_000 + i) for i in range(3)])
    for i in range(12):
        c.tx([], [(f"1V{i}", 11_000_000 + i)])                           # 11..22
    c.tx([(11 + i, 0) for i in range(12)],                               # 23: Wasabi 1.x, 0.1 BTC outputs
         [(f"1Z{i}", 10_000_000) for i in range(11)] + [("1Coord", 50_000)])
    c.tx([(23, 0), (23, 1)], [("1Q", 19_990_000)])                       # 24: a plain consolidation
    c.write(engine)
    run = cluster_addresses(engine)
    kinds = dict(engine.query("SELECT tx_id, kind FROM chain_coinjoin_txs"))
    assert kinds == {6: "whirlpool", 10: "joinmarket", 23: "wasabi"}
    assert run.merges == 1  # only tx 24
    run = cluster_addresses(engine, ClusterConfig(coinjoin_exclusion=False))
    assert run.merges == 4 + 2 + 11 + 1


def test_incremental_equals_rebuild() -> None:
    chain = synthetic_chain(30_000, seed=3, coinjoin_rate=0.02)
    full = DuckDBEngine(":memory:")
    write_chain(full, chain)
    cluster_addresses(full)
    inc = DuckDBEngine(":memory:")
    write_chain(inc, chain)
    with inc.transaction():
        for table in ("chain_txs", "chain_inputs", "chain_outputs"):
            inc.execute(f"DELETE FROM {table} WHERE tx_id > 12000")
    first = cluster_addresses(inc)
    write_chain(inc, chain)
    second = cluster_addresses(inc)
    assert first.rebuilt and not second.rebuilt and second.new_txs == 30_000 - 12_000
    n = len(chain.address_entity)
    assert np.array_equal(cluster_labels(inc, n), cluster_labels(full, n))
    assert inc.scalar("SELECT count(*) FROM chain_cluster_witness") == full.scalar(
        "SELECT count(*) FROM chain_cluster_witness")
    # nothing new: a no-op
    assert cluster_addresses(inc).merges == 0


def test_precision_against_ground_truth() -> None:
    chain = synthetic_chain(40_000, seed=11, coinjoin_rate=0.03)
    engine = DuckDBEngine(":memory:")
    write_chain(engine, chain)
    n = len(chain.address_entity)
    cluster_addresses(engine)
    with_exclusion = pairwise_scores(cluster_labels(engine, n), chain.address_entity)
    cluster_addresses(engine, ClusterConfig(coinjoin_exclusion=False))
    without = pairwise_scores(cluster_labels(engine, n), chain.address_entity)
    assert with_exclusion["precision"] > 0.99
    assert without["precision"] < with_exclusion["precision"]
    assert with_exclusion["recall"] > 0
