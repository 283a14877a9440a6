"""The CSR graph equals the tables it is built from; txids resolve; the cache follows changes."""

from __future__ import annotations

import numpy as np

from sanctrace.chain.graph import build_graph, chain_graph, resolve_txid, txid_hex
from sanctrace.chain.graph_synthetic import synthetic_chain, write_chain
from sanctrace.engine.duckdb_engine import DuckDBEngine


def test_csr_matches_tables(engine: DuckDBEngine) -> None:
    write_chain(engine, synthetic_chain(5_000, seed=9))
    graph = build_graph(engine)
    for tx_id, vin, prev, value in engine.query(
            "SELECT tx_id, vin, prev_tx_id, value FROM chain_inputs USING SAMPLE 300 ROWS"):
        k = graph.in_ptr[tx_id] + vin
        assert graph.in_prev_tx[k] == prev and graph.in_value[k] == value
    for tx_id, vout, value, spent in engine.query(
            "SELECT tx_id, vout, value, coalesce(spent_tx_id, -1) FROM chain_outputs USING SAMPLE 300 ROWS"):
        k = graph.output_index(tx_id, vout)
        assert graph.out_value[k] == value and graph.out_spent_tx[k] == spent
        assert graph.out_cum[k] == sum(graph.out_value[graph.out_ptr[tx_id]:k])
    n_out = dict(engine.query("SELECT tx_id, n_out FROM chain_txs"))
    assert all(int(graph.out_ptr[t + 1] - graph.out_ptr[t]) == n for t, n in n_out.items())
    for tx_id, txid in engine.query("SELECT tx_id, txid FROM chain_txs USING SAMPLE 50 ROWS"):
        assert resolve_txid(engine, graph, txid) == tx_id and txid_hex(graph, tx_id) == txid
    assert np.all(np.diff(graph.txid_keys.astype(np.float64)) >= 0)


def test_cache_follows_the_tables(engine: DuckDBEngine) -> None:
    write_chain(engine, synthetic_chain(2_000, seed=1))
    first = chain_graph(engine)
    assert chain_graph(engine) is first
    write_chain(engine, synthetic_chain(3_000, seed=2))
    assert chain_graph(engine, max_age_s=0).n_tx == 3_001
