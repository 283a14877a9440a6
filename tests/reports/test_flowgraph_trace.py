"""The fund-flow graph falls back to a chain trace when the alerts carry no paths."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sanctrace.cases.alerts import record_alerts
from sanctrace.chain.ingest import ingest_paths
from sanctrace.chain.synth import generate
from sanctrace.chain.synth_write import write_blk_files
from sanctrace.chain.trace import TraceOptions, trace
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.model.alert import Alert
from sanctrace.reports.facts import gather
from sanctrace.reports.flowgraph import trace_edges
from sanctrace.reports.investigation import view


def test_deposit_traced_back_to_coinbases(engine: DuckDBEngine, tmp_path: Path) -> None:
    chain = generate(600, seed=11, txs_per_block=200, n_users=300, n_miners=20)
    ingest_paths(engine, write_blk_files(chain, tmp_path / "blk"))
    candidates = [r[0] for r in engine.query(
        "SELECT txid FROM chain_txs WHERE NOT is_coinbase ORDER BY tx_id LIMIT 400")]
    txid = next(t for t in candidates if len(trace(engine, f"{t}:0", "back", 5, "haircut",
                                                   TraceOptions(hops=5, with_graph=False)).paths) >= 3)
    alert = Alert("RU-MINING-EXPOSURE", "1", "critical", "customer", "cust-9",  # type: ignore[arg-type]
                  "dep-9", datetime(2025, 1, 1, tzinfo=UTC), 0.9, "synthetic deposit",
                  {"transfer": {"txid": txid, "vout": 0, "address": "bc1qdeposit", "amount_sat": 1000,
                                "direction": "in"}})
    record_alerts(engine, [alert])

    edges = trace_edges(engine, gather(engine, "case-000001").transfers)
    assert edges and all(e.source != e.target for e in edges)
    sources = {e.source for e in edges} - {e.target for e in edges}
    sinks = {e.target for e in edges} - {e.source for e in edges}
    assert sinks == {"bc1qdeposit"}
    assert sources and all(s.startswith("coinbase:") for s in sources)
    assert any(e.source == txid and e.target == "bc1qdeposit" for e in edges)

    data = view(engine, "case-000001")
    assert data["graph_source"].startswith("chain trace") and data["graph_bytes"].startswith(b"\x89PNG")
