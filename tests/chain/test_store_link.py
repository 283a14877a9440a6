"""The in-memory linking of a batch (store_link): address ids, choice of the spent transaction,
and that batch boundaries and file order do not change what ends up linked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from sanctrace.chain.address import hex_at, hex_rows
from sanctrace.chain.ingest import ingest_paths
from sanctrace.chain.schema import ensure_schema
from sanctrace.chain.store_link import BatchRows, assign_addresses, link_inputs
from sanctrace.chain.synth import generate
from sanctrace.chain.synth_write import write_blk_files
from sanctrace.engine.duckdb_engine import DuckDBEngine

TABLES = ("chain_blocks", "chain_txs", "chain_inputs", "chain_outputs", "chain_addresses")


def _rows(base_tx: int, txids: list[str], tx_main: list[bool], out_address: list[str | None],
          out_types: list[str], in_prev: list[str | None], in_address: list[str | None]) -> BatchRows:
    n_tx, n_out, n_in = len(txids), len(out_address), len(in_prev)
    return BatchRows(
        base_tx=base_tx, txs=pa.table({"txid": pa.array(txids, pa.large_string())}),
        tx_main=np.array(tx_main, dtype=bool), tx_coinbase=np.zeros(n_tx, dtype=bool),
        out_tx=np.zeros(n_out, dtype=np.int64), out_vout=np.arange(n_out, dtype=np.int64),
        out_value=np.ones(n_out, dtype=np.int64), out_type=pa.array(out_types, pa.string()),
        out_address=pa.array(out_address, pa.large_string()), out_script=pa.array([b""] * n_out, pa.large_binary()),
        in_tx=np.zeros(n_in, dtype=np.int64), in_vin=np.arange(n_in, dtype=np.int64),
        in_prev_txid=pa.array(in_prev, pa.large_string()), in_prev_vout=np.zeros(n_in, dtype=np.int64),
        in_sequence=np.zeros(n_in, dtype=np.int64), in_value=np.full(n_in, -1, dtype=np.int64),
        in_address=pa.array(in_address, pa.large_string()),
    )


def test_new_addresses_numbered_by_first_appearance(engine: DuckDBEngine) -> None:
    ensure_schema(engine)
    engine.execute("INSERT INTO chain_addresses VALUES (7, 'A', 'p2pkh')")
    b = _rows(1, ["t"], [True], ["B", "A", None, "C", "B"], ["p2wpkh", "p2pkh", "op_return", "p2sh", "p2wpkh"],
              [None, None, None], [None, "D", "C"])
    out_ids, in_ids, new = assign_addresses(engine, b)
    assert out_ids.tolist() == [8, 7, -1, 9, 8]  # known A keeps 7; B, C, D follow max + 1 in order
    assert in_ids.tolist() == [-1, 10, 9]
    assert new.to_pylist() == [
        {"address_id": 8, "address": "B", "script_type": "p2wpkh"},
        {"address_id": 9, "address": "C", "script_type": "p2sh"},
        {"address_id": 10, "address": "D", "script_type": None},  # only an input names it
    ]


def test_link_prefers_main_chain_then_lowest_tx_id(engine: DuckDBEngine) -> None:
    ensure_schema(engine)
    x, y, z, w = (f"{k:064x}" for k in (1, 2, 3, 4))
    engine.execute("INSERT INTO chain_blocks (block_id, hash, in_main_chain) VALUES (1, 'm', true), (2, 's', false)")
    engine.execute(f"INSERT INTO chain_txs (tx_id, txid, block_id) VALUES (1, '{x}', 2), (2, '{y}', 1)")
    # batch: tx 3 = x (main), tx 4 = z (stale), tx 5 = y (main)
    b = _rows(3, [x, z, y], [True, False, True], ["A"], ["p2pkh"], [x, y, z, w, None], [None] * 5)
    assert link_inputs(engine, b).tolist() == [3, 2, 4, -1, -1]


def test_hex_at_matches_bytes_hex() -> None:
    rng = np.random.default_rng(3)
    rows = rng.integers(0, 256, (50, 32), dtype=np.uint8)
    valid = rng.random(50) > 0.3
    got = hex_rows(rows, valid=valid).to_pylist()
    assert got == [bytes(r[::-1]).hex() if v else None for r, v in zip(rows, valid, strict=True)]
    flat = rows.reshape(-1)
    assert hex_at(flat, np.array([0, 40]), 4, reverse=False).to_pylist() == [bytes(flat[0:4]).hex(),
                                                                            bytes(flat[40:44]).hex()]
    assert len(hex_rows(np.zeros((0, 32), np.uint8))) == 0


@pytest.fixture(scope="module")
def chain_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    chain = generate(3000, seed=11, txs_per_block=100)
    files = write_blk_files(chain, tmp_path_factory.mktemp("blk"), max_file_bytes=250_000)
    assert len(files) >= 4
    return files


def _tables(engine: DuckDBEngine) -> dict[str, list[tuple[Any, ...]]]:
    return {t: engine.query(f"SELECT * FROM {t} ORDER BY ALL") for t in TABLES}


def _links_by_txid(engine: DuckDBEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Links, spends, fees and addresses keyed by txids and strings: comparable across id orders."""
    return {
        "inputs": engine.query("""
            SELECT t.txid, i.vin, i.prev_txid, i.prev_vout, p.txid, i.value, a.address
            FROM chain_inputs i JOIN chain_txs t USING (tx_id) LEFT JOIN chain_txs p ON p.tx_id = i.prev_tx_id
            LEFT JOIN chain_addresses a ON a.address_id = i.address_id ORDER BY ALL"""),
        "outputs": engine.query("""
            SELECT t.txid, o.vout, o.value, a.address, s.txid, o.spent_vin
            FROM chain_outputs o JOIN chain_txs t USING (tx_id) LEFT JOIN chain_txs s ON s.tx_id = o.spent_tx_id
            LEFT JOIN chain_addresses a ON a.address_id = o.address_id ORDER BY ALL"""),
        "txs": engine.query("SELECT txid, fee, height FROM chain_txs ORDER BY ALL"),
        "blocks": engine.query("SELECT hash, height, in_main_chain FROM chain_blocks ORDER BY ALL"),
    }


def test_batch_size_and_file_order_do_not_change_links(chain_files: list[Path], tmp_path: Path) -> None:
    whole = DuckDBEngine(tmp_path / "whole.duckdb")
    report = ingest_paths(whole, chain_files)
    assert report.txs == 3000
    assert whole.scalar("SELECT count(*) FROM chain_inputs WHERE prev_txid IS NOT NULL AND prev_tx_id IS NULL") == 0
    assert whole.scalar("SELECT count(*) FROM chain_txs WHERE NOT is_coinbase AND fee IS NULL") == 0
    # every spend names the input that spends the output, and every linked input marks its output
    linked = whole.scalar("SELECT count(prev_tx_id) FROM chain_inputs")
    assert linked > 5000
    assert whole.query("""
        SELECT count(*), count(i.tx_id) FROM chain_outputs o
        LEFT JOIN chain_inputs i ON i.tx_id = o.spent_tx_id AND i.vin = o.spent_vin
             AND i.prev_tx_id = o.tx_id AND i.prev_vout = o.vout
        WHERE o.spent_tx_id IS NOT NULL""") == [(linked, linked)]
    small = DuckDBEngine(tmp_path / "small.duckdb")
    ingest_paths(small, chain_files, batch_bytes=20_000)
    assert _tables(small) == _tables(whole)  # same ids, same rows
    reverse = DuckDBEngine(tmp_path / "reverse.duckdb")
    backwards = chain_files[::-1]  # spends stored before what they spend, over two runs
    ingest_paths(reverse, backwards[:2], batch_bytes=60_000)
    assert reverse.scalar("SELECT count(*) FROM chain_inputs WHERE prev_txid IS NOT NULL AND prev_tx_id IS NULL") > 0
    ingest_paths(reverse, backwards[2:], batch_bytes=60_000)
    assert _links_by_txid(reverse) == _links_by_txid(whole)


def test_batch_with_some_blocks_already_stored(chain_files: list[Path], tmp_path: Path) -> None:
    whole = DuckDBEngine(tmp_path / "whole.duckdb")
    ingest_paths(whole, chain_files)
    both = tmp_path / "first_two.dat"  # blk framing concatenates: the first file's blocks come again
    both.write_bytes(chain_files[0].read_bytes() + chain_files[1].read_bytes())
    parts = DuckDBEngine(tmp_path / "parts.duckdb")
    ingest_paths(parts, [chain_files[0]])
    report = ingest_paths(parts, [both, *chain_files[2:]])
    assert report.blocks_skipped > 0 and report.blocks > 0
    assert _links_by_txid(parts) == _links_by_txid(whole)
    for table in TABLES[1:]:  # same ids; only chain_blocks.source names the other file
        assert _tables(parts)[table] == _tables(whole)[table], table
