"""Tracing: haircut, FIFO and poison shares on a hand-checked chain; conservation on a synthetic one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sanctrace.chain.graph_synthetic import synthetic_chain, write_chain
from sanctrace.chain.trace import TraceOptions, to_graphml, trace
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.errors import InputError, NotFound
from tests.chain.trace_world import build


def _shares(result) -> dict[tuple[str, str], float]:  # type: ignore[no-untyped-def]
    return {(b.category, b.entity): b.share for b in result.breakdown}


def test_backward_haircut(engine: DuckDBEngine, tmp_path: Path, shared_data: Path) -> None:
    chain = build(engine, tmp_path, shared_data)
    deposit = chain.txid(engine, 6)
    result = trace(engine, f"{deposit}:0", "back", 5, "haircut")
    shares = _shares(result)
    x = 9_990_000 / 10_990_000
    assert shares[("coinbase", "EMCDPool")] == pytest.approx(x * 0.6, abs=1e-6)
    assert shares[("coinbase", "unknown pool")] == pytest.approx(x * 0.4, abs=1e-6)
    assert shares[("sanction", "OFAC SDN")] == pytest.approx(1 - x, abs=1e-6)
    assert sum(shares.values()) == pytest.approx(1.0)
    assert result.russia_mining_nexus_share == pytest.approx(x * 0.6, abs=1e-6)
    assert result.sanctioned_share == pytest.approx(1 - x, abs=1e-6)
    emcd = next(b for b in result.breakdown if b.entity == "EMCDPool")
    assert emcd.max_hops == 2 and emcd.value_sat == round(x * 0.6 * 10_980_000)
    assert any(s.startswith("55% from EMCDPool coinbases within 2 hops") for s in result.summary)
    top = result.paths[0]
    assert top.entity == "EMCDPool" and top.txids == [deposit, chain.txid(engine, 3)]
    assert top.terminal["outpoint"] == f"{chain.txid(engine, 1)}:0"


def test_backward_fifo_is_exact(engine: DuckDBEngine, tmp_path: Path, shared_data: Path) -> None:
    chain = build(engine, tmp_path, shared_data)
    result = trace(engine, f"{chain.txid(engine, 6)}:0", "back", 5, "fifo")
    values = {(b.category, b.entity): b.value_sat for b in result.breakdown}
    # first-in-first-out: X's 9.99M pay first, the fee comes out of Y's last satoshis
    assert values == {("coinbase", "EMCDPool"): 6_000_000, ("coinbase", "unknown pool"): 3_990_000,
                      ("sanction", "OFAC SDN"): 990_000}


def test_forward_and_poison(engine: DuckDBEngine, tmp_path: Path, shared_data: Path) -> None:
    chain = build(engine, tmp_path, shared_data)
    start = f"{chain.txid(engine, 1)}:0"
    haircut = _shares(trace(engine, start, "forward", 5, "haircut"))
    fee3 = 10_000 / 10_000_000
    fee6 = (1 - fee3) * 10_000 / 10_990_000
    assert haircut[("fee", "")] == pytest.approx(fee3 + fee6, abs=1e-6)
    assert haircut[("exchange", "SomeExchange")] == pytest.approx(1 - fee3 - fee6, abs=1e-6)
    fifo = trace(engine, start, "forward", 5, "fifo")
    assert _shares(fifo) == {("exchange", "SomeExchange"): 1.0}
    poison = trace(engine, f"{chain.txid(engine, 6)}:0", "back", 5, "poison")
    assert {k for k, v in _shares(poison).items() if v == 1.0} == {
        ("coinbase", "EMCDPool"), ("coinbase", "unknown pool"), ("sanction", "OFAC SDN")}
    # one hop back: nothing attributed yet except what the inputs touch directly
    one = _shares(trace(engine, f"{chain.txid(engine, 6)}:0", "back", 1, "haircut"))
    assert one[("unattributed", "")] == pytest.approx(1.0)


def test_address_start_and_graph_export(engine: DuckDBEngine, tmp_path: Path, shared_data: Path) -> None:
    build(engine, tmp_path, shared_data)
    result = trace(engine, "1X", "back", 3, "haircut")
    assert result.value_sat == 9_990_000
    assert result.graph is not None and any(n["type"] == "entity" for n in result.graph["nodes"])
    xml = to_graphml(result)
    assert xml.count("<edge ") == len(result.graph["edges"]) and "graphml" in xml
    with pytest.raises(NotFound):
        trace(engine, "1Nobody", "back", 3, "haircut")
    with pytest.raises(InputError):
        trace(engine, "1X", "sideways", 3, "haircut")  # type: ignore[arg-type]


@pytest.mark.parametrize("method", ["haircut", "fifo"])
def test_shares_sum_to_one_on_synthetic(method: str) -> None:
    engine = DuckDBEngine(":memory:")
    write_chain(engine, synthetic_chain(20_000, seed=5))
    rng = np.random.default_rng(1)
    rows = engine.query("SELECT tx_id, vout FROM chain_outputs WHERE tx_id > 10000 AND value > 0")
    for i in rng.choice(len(rows), 20, replace=False):
        tx_id, vout = rows[int(i)]
        txid = engine.scalar("SELECT txid FROM chain_txs WHERE tx_id = ?", [tx_id])
        for direction in ("back", "forward"):
            result = trace(engine, f"{txid}:{vout}", direction, 6, method,  # type: ignore[arg-type]
                           TraceOptions(hops=6, min_share=1e-6, with_graph=False))
            assert sum(b.share for b in result.breakdown) == pytest.approx(1.0, abs=1e-6)
            if method == "fifo":
                assert sum(b.value_sat for b in result.breakdown) == result.value_sat
    # a tiny walk budget truncates, but the truncated part is reported, never lost
    tx_id, vout = rows[-1]
    txid = engine.scalar("SELECT txid FROM chain_txs WHERE tx_id = ?", [tx_id])
    small = trace(engine, f"{txid}:{vout}", "back", 8, method,  # type: ignore[arg-type]
                  TraceOptions(hops=8, min_share=0.0, max_edges=3, with_graph=False))
    assert sum(b.share for b in small.breakdown) == pytest.approx(1.0, abs=1e-6)


def test_coinbase_start_is_its_own_source(engine: DuckDBEngine, tmp_path: Path, shared_data: Path) -> None:
    chain = build(engine, tmp_path, shared_data)
    result = trace(engine, f"{chain.txid(engine, 1)}:0", "back", 3, "haircut")
    assert _shares(result) == {("coinbase", "EMCDPool"): 1.0}
    assert result.breakdown[0].min_hops == 0 and result.russia_mining_nexus_share == 1.0
