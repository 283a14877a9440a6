"""Baselines for the ingest benchmark, measured in the same run as the current code.

* ``previous_write``: the write path ingest used before linking moved out of SQL (up to commit
  fb42e69): the batch registered as Arrow tables with address strings, then addresses, links,
  spends and fees computed by DuckDB joins, window functions and ORDER BY inside the INSERTs.
  It is kept here, not in the product, only so every benchmark run can compare against it on
  the same machine at the same load (this 2-core machine's load moves rates by 2-5x).
* ``capture_final_rows`` + ``append_floor``: the final rows the current code appends, copied
  into a fresh database with plain INSERTs, the same per-batch commits and DuckDB thread count,
  and nothing else: the floor any ingest that writes these tables must pay.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sanctrace.chain import ingest, store, store_link
from sanctrace.chain.store_link import STALE_PENALTY, BatchRows
from sanctrace.engine.base import Engine


def previous_write(engine: Engine, blocks: pa.Table, b: BatchRows, defer_spends: bool = False,
                   index: Any = None) -> int:
    """The previous SQL write path, fed from the same BatchRows as the current one; returns the
    count of the batch's inputs left unlinked, as ``write_batch`` does. (Run it with
    ``ingest_paths(..., link_index=False)``: it never uses the in-memory index.)"""
    n_out, n_in = len(b.out_vout), len(b.in_vin)
    txs = b.txs.append_column("fee", pa.nulls(b.txs.num_rows, pa.int64()))
    outputs = pa.table({
        "tx_id": b.base_tx + b.out_tx, "vout": b.out_vout, "value": b.out_value, "script_type": b.out_type,
        "address": b.out_address, "script": b.out_script, "pos": np.arange(n_out, dtype=np.int64),
    })
    inputs = pa.table({
        "tx_id": b.base_tx + b.in_tx, "vin": b.in_vin, "prev_txid": b.in_prev_txid,
        "prev_vout": pa.array(b.in_prev_vout, pa.int64(), mask=b.in_prev_vout < 0), "sequence": b.in_sequence,
        "value": pa.array(b.in_value, pa.int64(), mask=b.in_value < 0), "address": b.in_address,
        "pos": np.arange(n_in, dtype=np.int64) + (1 << 40),
    })
    base = int(b.base_tx)
    names = ("_b_blocks", "_b_txs", "_b_out", "_b_in")
    for name, table in zip(names, (blocks, txs, outputs, inputs), strict=True):
        engine.register(name, table)
    try:
        _previous_sql(engine, base)
    finally:
        for name in names:
            getattr(engine, "unregister", lambda _n: None)(name)
    return int(engine.scalar("""SELECT count(*) FROM chain_inputs
                                WHERE tx_id >= ? AND prev_tx_id IS NULL AND prev_txid IS NOT NULL""", [base]))


def _previous_sql(engine: Engine, base: int) -> None:
    engine.execute("INSERT INTO chain_blocks SELECT * FROM _b_blocks")
    engine.execute("""
        CREATE OR REPLACE TEMP TABLE _addr AS
        WITH u AS (
            SELECT address, min(pos) AS first_pos, arg_min(script_type, pos) AS script_type
            FROM (SELECT address, script_type, pos FROM _b_out WHERE address IS NOT NULL
                  UNION ALL
                  SELECT address, NULL, pos FROM _b_in WHERE address IS NOT NULL)
            GROUP BY address),
        hit AS (SELECT address, address_id FROM chain_addresses WHERE address IN (SELECT address FROM u)),
        known AS (SELECT u.address, u.script_type, u.first_pos, hit.address_id FROM u LEFT JOIN hit USING (address))
        SELECT address, script_type, address_id FROM known WHERE address_id IS NOT NULL
        UNION ALL
        SELECT address, script_type, (SELECT coalesce(max(address_id), 0) FROM chain_addresses)
               + row_number() OVER (ORDER BY first_pos)
        FROM known WHERE address_id IS NULL""")
    engine.execute("""INSERT INTO chain_addresses SELECT address_id, address, script_type FROM _addr
                      WHERE address_id > (SELECT coalesce(max(address_id), 0) FROM chain_addresses)
                      ORDER BY address_id""")
    engine.execute("""
        CREATE OR REPLACE TEMP TABLE _outs AS
        SELECT o.tx_id, o.vout, o.value, o.script_type, a.address_id, o.script
        FROM _b_out o LEFT JOIN _addr a ON a.address = o.address""")
    engine.execute("""
        CREATE OR REPLACE TEMP TABLE _links AS
        WITH txs AS (
            SELECT t.txid, t.tx_id, b.in_main_chain FROM chain_txs t JOIN chain_blocks b USING (block_id)
            WHERE t.txid IN (SELECT prev_txid FROM _b_in)
            UNION ALL
            SELECT t.txid, t.tx_id, b.in_main_chain FROM _b_txs t JOIN _b_blocks b USING (block_id)
            WHERE t.txid IN (SELECT prev_txid FROM _b_in)),
        best AS (SELECT txid, arg_min(tx_id, CASE WHEN in_main_chain THEN tx_id ELSE tx_id + ? END) AS tx_id
                 FROM txs GROUP BY txid),
        prev_out AS (
            SELECT tx_id, vout, value, address_id FROM chain_outputs
            WHERE tx_id IN (SELECT tx_id FROM best WHERE tx_id < ?)
            UNION ALL
            SELECT tx_id, vout, value, address_id FROM _outs)
        SELECT i.tx_id, i.vin, i.prev_txid, i.prev_vout, p.tx_id AS prev_tx_id, i.sequence,
               coalesce(o.value, i.value) AS value, coalesce(o.address_id, ia.address_id) AS address_id,
               sb.in_main_chain AS spender_main
        FROM _b_in i
        JOIN _b_txs st ON st.tx_id = i.tx_id JOIN _b_blocks sb ON sb.block_id = st.block_id
        LEFT JOIN best p ON p.txid = i.prev_txid
        LEFT JOIN prev_out o ON o.tx_id = p.tx_id AND o.vout = i.prev_vout
        LEFT JOIN _addr ia ON ia.address = i.address""", [STALE_PENALTY, base])
    engine.execute("""
        INSERT INTO chain_txs
        SELECT t.* EXCLUDE (fee), CASE WHEN NOT t.is_coinbase AND f.n_known = f.n THEN f.total_in - s.total_out END
        FROM _b_txs t
        LEFT JOIN (SELECT tx_id, count(*) AS n, count(value) AS n_known, sum(value) AS total_in
                   FROM _links GROUP BY tx_id) f USING (tx_id)
        LEFT JOIN (SELECT tx_id, sum(value) AS total_out FROM _outs GROUP BY tx_id) s USING (tx_id)
        ORDER BY t.tx_id""")
    engine.execute("""
        INSERT INTO chain_outputs
        SELECT o.tx_id, o.vout, o.value, o.script_type, o.address_id, o.script, s.tx_id, s.vin
        FROM _outs o LEFT JOIN (
            SELECT prev_tx_id, prev_vout, min(tx_id) AS tx_id, arg_min(vin, tx_id) AS vin FROM _links
            WHERE spender_main AND prev_tx_id >= ? GROUP BY prev_tx_id, prev_vout) s
          ON s.prev_tx_id = o.tx_id AND s.prev_vout = o.vout
        ORDER BY o.tx_id, o.vout""", [base])
    engine.execute("""INSERT INTO chain_inputs
        SELECT tx_id, vin, prev_txid, prev_vout, prev_tx_id, sequence, value, address_id FROM _links
        ORDER BY tx_id, vin""")
    engine.execute("""
        UPDATE chain_outputs AS o SET spent_tx_id = s.tx_id, spent_vin = s.vin
        FROM (SELECT prev_tx_id, prev_vout, tx_id, vin FROM _links WHERE spender_main AND prev_tx_id < ?) s
        WHERE o.tx_id = s.prev_tx_id AND o.vout = s.prev_vout""", [base])
    for name in ("_links", "_outs", "_addr"):
        engine.execute(f"DROP TABLE IF EXISTS {name}")


@contextmanager
def previous_path() -> Iterator[None]:
    """Run ingest as before for the duration of the block: the previous write path, DuckDB's
    default thread count, and the batch columns computed by the storing thread, not the reader
    (they include two dictionary encodings the previous path does not use, ~5% of its time)."""
    current, threads, columns = store.write_batch, ingest._leave_a_core, ingest.batch_columns
    store.write_batch = previous_write
    ingest._leave_a_core = _default_threads
    ingest.batch_columns = _none
    try:
        yield
    finally:
        store.write_batch, ingest._leave_a_core, ingest.batch_columns = current, threads, columns


def _none(_dec: Any) -> None:
    return None


@contextmanager
def _default_threads(_engine: Engine) -> Iterator[None]:
    yield


@contextmanager
def capture_final_rows(into: list[tuple[str, pa.Table] | None]) -> Iterator[None]:
    """Record every append of the current write path (``None`` marks a batch boundary)."""
    append: Callable[[Engine, str, str, pa.Table], None] = store_link._append
    write = store.write_batch

    def recording_append(engine: Engine, table: str, name: str, rows: pa.Table) -> None:
        into.append((table, rows))
        append(engine, table, name, rows)

    def recording_write(engine: Engine, blocks: pa.Table, b: BatchRows, defer_spends: bool = False,
                        index: Any = None) -> int:
        into.append(None)
        return write(engine, blocks, b, defer_spends, index)

    store_link._append = recording_append
    store.write_batch = recording_write
    try:
        yield
    finally:
        store_link._append = append
        store.write_batch = write


def append_floor(path: Path, captured: list[tuple[str, pa.Table] | None]) -> dict[str, Any]:
    """Plain INSERTs of the captured rows into a fresh database, one transaction per batch."""
    from sanctrace.chain.schema import ensure_schema
    from sanctrace.engine.duckdb_engine import DuckDBEngine

    engine = DuckDBEngine(path)
    ensure_schema(engine)
    wall = time.perf_counter()
    cpu = time.process_time()
    batches = [i for i, item in enumerate(captured) if item is None] + [len(captured)]
    with ingest._leave_a_core(engine):  # the same DuckDB thread count as the ingest
        for start, end in itertools.pairwise(batches):
            with engine.transaction():
                for item in captured[start + 1: end]:
                    assert item is not None
                    table, rows = item
                    cols = ", ".join(rows.column_names)
                    engine.register("_floor", rows)
                    engine.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _floor")
                    engine.unregister("_floor")
    engine.close()
    return {"seconds": time.perf_counter() - wall, "cpu_seconds": time.process_time() - cpu}
