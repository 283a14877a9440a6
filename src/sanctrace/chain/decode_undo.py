"""Spent-prevout ("undo") records for one block, and applying them to its stored inputs.

Without a UTXO set, an isolated block's inputs have no values, so neither fees nor taint can be
computed. Undo data fills that gap: for every non-coinbase input, in block order (transaction 1..n,
input 0..k), the value and scriptPubKey of the output it spends. The format read here is the
simple record stream bcoin's test data uses: ``u64 LE value | varint script length | script``,
records back to back, nothing else. (Bitcoin Core's ``rev*.dat`` compresses amounts and scripts
and is not supported.)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
from numba import njit

from sanctrace.chain.address import encode_outputs
from sanctrace.chain.decode import ERRORS, _varint
from sanctrace.chain.schema import SCRIPT_TYPES, ensure_schema, find_block
from sanctrace.chain.script import classify_all
from sanctrace.chain.store import update_fees
from sanctrace.engine.base import Engine
from sanctrace.errors import InputError


@njit(cache=True)
def _scan_undo(buf: np.ndarray, fill: bool, values: np.ndarray, offs: np.ndarray, lens: np.ndarray
               ) -> tuple[int, int, int]:
    """Returns (error code, error offset, record count)."""
    p = 0
    n = 0
    end = len(buf)
    while p < end:
        if p + 9 > end:
            return 1, p, n
        v: np.int64 = np.int64(0)
        for i in range(8):
            v |= np.int64(buf[p + i]) << (8 * i)
        slen, p2 = _varint(buf, p + 8, end)
        if slen == -1:
            return 1, p + 8, n
        if slen < 0 or slen > end - p2 or v < 0:
            return 2, p + 8, n
        if fill:
            values[n] = v
            offs[n] = p2
            lens[n] = slen
        p = int(p2 + slen)
        n += 1
    return 0, 0, n


def read_undo(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(buf, values, script offsets, script lengths) of an undo record file."""
    try:
        buf = np.frombuffer(path.read_bytes(), dtype=np.uint8)
    except OSError as exc:
        raise InputError.at(str(path), None, f"cannot read: {exc.strerror}") from None
    empty = np.zeros(0, dtype=np.int64)
    err, off, n = _scan_undo(buf, False, empty, empty, empty)
    if err:
        raise InputError.at(str(path), f"byte {off}", f"record {n}: {ERRORS[err]}")
    values, offs, lens = (np.zeros(n, dtype=np.int64) for _ in range(3))
    _scan_undo(buf, True, values, offs, lens)
    return buf, values, offs, lens


def apply_undo(engine: Engine, block: str | int, path: Path) -> int:
    """Fill value and address of the block's inputs from an undo file; recompute fees.

    The record count must equal the block's non-coinbase input count. Returns that count."""
    ensure_schema(engine)
    info = find_block(engine, block)
    buf, values, offs, lens = read_undo(path)
    expected = int(engine.scalar(
        "SELECT count(*) FROM chain_inputs i JOIN chain_txs t USING (tx_id) WHERE t.block_id = ? "
        "AND NOT t.is_coinbase", [info["block_id"]]))
    if expected != len(values):
        raise InputError.at(str(path), None, f"{len(values)} records but block {info['hash']} has "
                            f"{expected} non-coinbase inputs")
    kinds = classify_all(buf, offs, lens)
    table = pa.table({
        "ordinal": np.arange(len(values), dtype=np.int64), "value": values,
        "address": encode_outputs(buf, offs, lens, kinds),
        "script_type": pa.DictionaryArray.from_arrays(pa.array(kinds.astype(np.int32)),
                                                      pa.array(SCRIPT_TYPES)).cast(pa.string()),
    })
    with engine.transaction():
        engine.register("_undo", table)
        try:
            engine.execute("""
                INSERT INTO chain_addresses
                SELECT (SELECT coalesce(max(address_id), 0) FROM chain_addresses)
                       + row_number() OVER (ORDER BY first_pos), address, script_type
                FROM (SELECT address, min(ordinal) AS first_pos, arg_min(script_type, ordinal) AS script_type
                      FROM _undo u WHERE address IS NOT NULL
                        AND NOT EXISTS (SELECT 1 FROM chain_addresses a WHERE a.address = u.address)
                      GROUP BY address)""")
            engine.execute("""
                UPDATE chain_inputs AS i SET value = r.value, address_id = r.address_id
                FROM (SELECT k.tx_id, k.vin, u.value, a.address_id
                      FROM (SELECT i.tx_id, i.vin,
                                   row_number() OVER (ORDER BY t.tx_index, i.vin) - 1 AS ordinal
                            FROM chain_inputs i JOIN chain_txs t USING (tx_id)
                            WHERE t.block_id = ? AND NOT t.is_coinbase) k
                      JOIN _undo u USING (ordinal)
                      LEFT JOIN chain_addresses a ON a.address = u.address) r
                WHERE i.tx_id = r.tx_id AND i.vin = r.vin""", [info["block_id"]])
        finally:
            unregister = getattr(engine, "unregister", None)
            if unregister is not None:
                unregister("_undo")
        update_fees(engine, f"SELECT tx_id FROM chain_txs WHERE block_id = {int(info['block_id'])}")
    return len(values)
