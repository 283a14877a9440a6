"""Link one decoded batch in memory, then append it: the write half of ``store.store_batch``.

Ingest speed is bound by how many bytes DuckDB moves per row. Joining, grouping and sorting the
batch's wide columns (hex txids, scripts, address strings) inside SQL made every such column
travel through hash tables and sorts two or three times before it reached its table. Here the
batch never leaves Arrow/numpy until its final INSERT:

* distinct addresses and "which batch transaction has this txid" come from Arrow's hash kernels
  (``dictionary_encode``, ``index_in``), which keep first-appearance order, so new address ids
  are assigned in the order the old SQL window function gave them;
* the stored tables are asked only narrow questions: ``(distinct prev txid) -> best stored
  tx_id``, ``(distinct address) -> address_id`` and ``(tx_id, vout) -> value, address_id``;
* outputs spent inside the batch, input values and fees are numpy over local indices;
* rows are built final and in id order, so every table gets one plain append (no ORDER BY, no
  UPDATE of fresh rows). Only outputs of earlier batches are updated in place.

The choice of the transaction an input links to is the one documented in ``store``: among the
stored and batch copies of the txid, main chain first, then the lowest tx_id (``STALE_PENALTY``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from sanctrace.chain.address import gather_slices, hex_at, hex_rows
from sanctrace.chain.decode import DecodedBlocks
from sanctrace.chain.link_index import LinkIndex, string_keys
from sanctrace.chain.schema import SCRIPT_TYPES
from sanctrace.engine.base import Engine

# added to a stale copy's tx_id when picking the copy of a txid to link to: main chain first
STALE_PENALTY = 1 << 62
_NONE = np.iinfo(np.int64).max

TX_COLUMNS = ("tx_id", "txid", "wtxid", "block_id", "height", "tx_index", "is_coinbase", "version", "locktime",
              "size", "vsize", "n_in", "n_out", "is_segwit", "fee")
OUT_COLUMNS = ("tx_id", "vout", "value", "script_type", "address_id", "script", "spent_tx_id", "spent_vin")
IN_COLUMNS = ("tx_id", "vin", "prev_txid", "prev_vout", "prev_tx_id", "sequence", "value", "address_id")
ADDR_COLUMNS = ("address_id", "address", "script_type")


@dataclass
class BatchRows:
    """One batch's new rows before linking. Transactions are numbered ``base_tx + local index``;
    outputs and inputs come grouped by transaction, in transaction order."""

    base_tx: int
    txs: pa.Table            # TX_COLUMNS without fee
    tx_main: np.ndarray      # bool per tx: its block is on the main chain
    tx_coinbase: np.ndarray  # bool per tx
    out_tx: np.ndarray       # local tx index per output
    out_vout: np.ndarray
    out_value: np.ndarray
    out_type: pa.Array       # script type strings
    out_address: pa.Array    # address strings (null for OP_RETURN)
    out_script: pa.Array     # raw scriptPubKey bytes
    in_tx: np.ndarray        # local tx index per input
    in_vin: np.ndarray
    in_prev_txid: pa.Array   # hex, null for coinbase inputs
    in_prev_vout: np.ndarray  # -1 for coinbase inputs
    in_sequence: np.ndarray
    in_value: np.ndarray     # value supplied with the input (getblock v3 / undo), -1 = unknown
    in_address: pa.Array     # address supplied with the input, or null
    # optional, from ``BatchColumns`` when every row of the decoded batch is stored:
    addr_codes: tuple[pa.Array, np.ndarray] | None = None  # out + in addresses dictionary-encoded
    prev_codes: tuple[pa.Array, np.ndarray] | None = None  # prev txids dictionary-encoded
    prev_in_batch: np.ndarray | None = None  # local tx with the prev txid (first copy), -1 = none


@dataclass
class BatchColumns:
    """The database-independent columns of every row of a decoded batch. The ingest reader
    thread computes them while the storing thread is busy with the previous batch, which takes
    this work off the critical path when a core is free."""

    hashes: np.ndarray      # block hashes, hex (object array)
    txid: pa.Array
    wtxid: pa.Array
    out_type: pa.Array
    out_script: pa.Array
    in_coinbase: np.ndarray
    in_prev_txid: pa.Array
    addr_codes: tuple[pa.Array, np.ndarray]
    prev_codes: tuple[pa.Array, np.ndarray]
    prev_in_batch: np.ndarray


def batch_columns(dec: DecodedBlocks) -> BatchColumns:
    """Compute ``BatchColumns`` for every row of ``dec``."""
    ina, outa = dec.ina, dec.outa
    txid = hex_rows(dec.txid)
    in_coinbase = np.isin(ina[:, 5], dec.blk[:, 3])  # inputs of the first tx of a block
    prev_txid = hex_at(dec.buf, ina[:, 0], 32, valid=~in_coinbase)
    in_address = dec.in_address if dec.in_address is not None else pa.nulls(len(ina), pa.large_string())
    return BatchColumns(
        hashes=hex_rows(dec.block_hash).to_numpy(zero_copy_only=False), txid=txid, wtxid=hex_rows(dec.wtxid),
        out_type=pa.DictionaryArray.from_arrays(pa.array(dec.out_kind.astype(np.int32)),
                                                pa.array(SCRIPT_TYPES)).cast(pa.string()),
        out_script=gather_binary(dec.buf, outa[:, 1], outa[:, 2]), in_coinbase=in_coinbase,
        in_prev_txid=prev_txid, addr_codes=encode(pa.concat_arrays([dec.out_address.cast(pa.large_string()),
                                                                    in_address.cast(pa.large_string())])),
        prev_codes=encode(prev_txid), prev_in_batch=_indices(pc.index_in(prev_txid, value_set=txid)),
    )


def gather_binary(buf: np.ndarray, offs: np.ndarray, lens: np.ndarray) -> pa.Array:
    """Arrow binary array of ``buf[offs[i]:offs[i]+lens[i]]`` without a Python loop."""
    data, offsets = gather_slices(buf, offs.astype(np.int64), lens.astype(np.int64))
    return pa.Array.from_buffers(pa.large_binary(), len(lens), [None, pa.py_buffer(offsets), pa.py_buffer(data)])


def encode(values: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """(distinct values in order of first appearance, index per row with -1 for null)."""
    enc = values.dictionary_encode()
    return enc.dictionary, _indices(enc.indices)


def _masked(values: np.ndarray, valid: np.ndarray) -> pa.Array:
    return pa.array(values, pa.int64(), mask=~valid)


def _column(table: pa.Table, name: str) -> np.ndarray:
    return np.asarray(table.column(name).to_numpy(zero_copy_only=False))


def _lookup(engine: Engine, name: str, table: pa.Table, sql: str, params: list[int] | None = None) -> pa.Table:
    engine.register(name, table)
    try:
        return engine.to_arrow(sql, params)
    finally:
        unregister = getattr(engine, "unregister", None)
        if unregister is not None:
            unregister(name)


def _indices(arr: pa.Array) -> np.ndarray:
    """Integer array with nulls -> int64 numpy, null = -1."""
    return np.asarray(arr.fill_null(-1).to_numpy(zero_copy_only=False), dtype=np.int64)


def assign_addresses(engine: Engine, b: BatchRows, index: LinkIndex | None = None
                     ) -> tuple[np.ndarray, np.ndarray, pa.Table]:
    """(address id per output, per input (-1 = none), new chain_addresses rows). New addresses get
    ids ``max + 1 ...`` in order of first appearance (outputs first, then inputs); their script type
    is that of the first output paying them (NULL when only inputs name them). Stored addresses
    are found in ``index`` when given, else with a join on chain_addresses."""
    n_out = len(b.out_vout)
    uniq, idx = b.addr_codes or encode(pa.concat_arrays([b.out_address.cast(pa.large_string()),
                                                         b.in_address.cast(pa.large_string())]))
    ids = np.full(len(uniq), -1, dtype=np.int64)
    if index is not None:
        next_id = index.next_address_id
        if len(uniq):
            ids = index.addresses.lookup(*string_keys(uniq))
    else:
        next_id = int(engine.scalar("SELECT coalesce(max(address_id), 0) + 1 FROM chain_addresses"))
        if len(uniq) and next_id > 1:
            found = _lookup(engine, "_b_uaddr",
                            pa.table({"ui": np.arange(len(uniq), dtype=np.int64), "address": uniq}),
                            "SELECT u.ui, a.address_id FROM _b_uaddr u JOIN chain_addresses a ON a.address = u.address")
            ids[_column(found, "ui")] = _column(found, "address_id")
    new = np.flatnonzero(ids < 0)
    ids[new] = next_id + np.arange(len(new), dtype=np.int64)
    # the dictionary is in order of first appearance: entry k first occurs where the running
    # maximum of the indices reaches k
    running = np.maximum.accumulate(idx) if len(idx) else idx
    first_row = np.flatnonzero(idx > np.concatenate(([-1], running[:-1])))
    new_first = first_row[new]
    from_output = new_first < n_out
    types = b.out_type.take(pa.array(np.where(from_output, new_first, 0), pa.int64(), mask=~from_output))
    new_rows = pa.table({"address_id": ids[new], "address": uniq.take(pa.array(new, pa.int64())),
                         "script_type": types.cast(pa.string())})
    row_ids = np.where(idx >= 0, ids[np.maximum(idx, 0)], -1)
    return row_ids[:n_out], row_ids[n_out:], new_rows


def link_inputs(engine: Engine, b: BatchRows, index: LinkIndex | None = None) -> np.ndarray:
    """tx_id of the transaction each input spends from (-1: not stored yet, or coinbase). Stored
    transactions are found in ``index`` when it holds their txids, else with a join on chain_txs."""
    n_in = len(b.in_vin)
    key = np.full(n_in, _NONE, dtype=np.int64)
    txid = b.txs.column("txid").combine_chunks()
    if b.prev_in_batch is not None and b.tx_main.all():
        hit = b.prev_in_batch >= 0
        key[hit] = b.base_tx + b.prev_in_batch[hit]
    else:
        for chosen, penalty in ((b.tx_main, 0), (~b.tx_main, STALE_PENALTY)):
            local = np.flatnonzero(chosen)
            if not len(local) or not n_in:
                continue
            pos = _indices(pc.index_in(b.in_prev_txid, value_set=txid.take(pa.array(local, pa.int64()))))
            hit = (pos >= 0) & (key == _NONE)
            key[hit] = b.base_tx + local[pos[hit]] + penalty
    if b.base_tx > 1 and n_in:  # earlier batches: best stored copy of each distinct prev txid
        distinct, qi = b.prev_codes or encode(b.in_prev_txid)
        if index is not None and index.txs is not None:
            stored = index.txs.lookup(*string_keys(distinct))
            stored[stored < 0] = _NONE
        else:
            found = _lookup(engine, "_b_prev", pa.table({"qi": np.arange(len(distinct), dtype=np.int64),
                                                         "txid": distinct}), """
                SELECT q.qi, min(CASE WHEN b.in_main_chain THEN t.tx_id ELSE t.tx_id + ? END) AS k
                FROM _b_prev q JOIN chain_txs t ON t.txid = q.txid JOIN chain_blocks b ON b.block_id = t.block_id
                GROUP BY q.qi""", [STALE_PENALTY])
            stored = np.full(len(distinct), _NONE, dtype=np.int64)
            stored[_column(found, "qi")] = _column(found, "k")
        has = qi >= 0
        key[has] = np.minimum(key[has], stored[qi[has]])
    return np.where(key == _NONE, -1, np.where(key >= STALE_PENALTY, key - STALE_PENALTY, key))


def _first_per_group(group: tuple[np.ndarray, ...], tx: np.ndarray, vin: np.ndarray) -> np.ndarray:
    """Positions of the lowest (tx, vin) per distinct ``group`` key."""
    order = np.lexsort((vin, tx, *group[::-1]))
    head = np.zeros(len(order), dtype=bool)
    head[:1] = True
    for g in group:
        s = g[order]
        head[1:] |= s[1:] != s[:-1]
    return np.asarray(order[head])


def write_batch(engine: Engine, blocks: pa.Table, b: BatchRows, defer_spends: bool = False,
                index: LinkIndex | None = None) -> int:
    """Link the batch and append it (inside the caller's transaction). Returns how many of its
    inputs name a transaction that is not stored yet. With ``defer_spends``, the spends of outputs
    stored by earlier batches are appended to ``chain_pending_spends`` instead of updating
    ``chain_outputs`` (see ``apply_pending_spends``). With ``index``, the stored rows the batch
    links to are looked up there instead of in the tables, and the batch is added to it."""
    base = b.base_tx
    n_tx, n_out, n_in = b.txs.num_rows, len(b.out_vout), len(b.in_vin)
    out_aid, in_aid, new_addresses = assign_addresses(engine, b, index)
    prev_tx = link_inputs(engine, b, index)
    n_out_tx = np.bincount(b.out_tx, minlength=n_tx)
    n_in_tx = np.bincount(b.in_tx, minlength=n_tx)
    out_first = np.zeros(n_tx, dtype=np.int64)
    np.cumsum(n_out_tx[:-1], out=out_first[1:])

    # the output each input spends: from this batch (numpy) or from earlier batches (one narrow join)
    value = np.zeros(n_in, dtype=np.int64)
    aid = np.full(n_in, -1, dtype=np.int64)
    matched = np.zeros(n_in, dtype=bool)
    out_row = np.full(n_in, -1, dtype=np.int64)
    here = np.flatnonzero(prev_tx >= base)
    local = prev_tx[here] - base
    vout = b.in_prev_vout[here]
    ok = (vout >= 0) & (vout < n_out_tx[local])
    here, rows = here[ok], out_first[local[ok]] + vout[ok]
    out_row[here] = rows
    value[here], aid[here], matched[here] = b.out_value[rows], out_aid[rows], True
    earlier = np.flatnonzero((prev_tx >= 0) & (prev_tx < base))
    if len(earlier) and index is not None:
        hit, hit_value, hit_aid = index.outputs.lookup(prev_tx[earlier], b.in_prev_vout[earlier])
        pos = earlier[hit]
        value[pos], aid[pos], matched[pos] = hit_value[hit], hit_aid[hit], True
    elif len(earlier):
        found = _lookup(engine, "_b_prevout", pa.table({"pos": earlier, "tx_id": prev_tx[earlier],
                                                        "vout": b.in_prev_vout[earlier]}), """
            SELECT p.pos, o.value, coalesce(o.address_id, -1) AS address_id
            FROM _b_prevout p JOIN chain_outputs o ON o.tx_id = p.tx_id AND o.vout = p.vout""")
        pos = _column(found, "pos")
        value[pos], aid[pos], matched[pos] = _column(found, "value"), _column(found, "address_id"), True
    in_value = np.where(matched, value, b.in_value)
    in_known = matched | (b.in_value >= 0)
    in_aid = np.where(aid >= 0, aid, in_aid)

    # spends: outputs of this batch are written final; outputs of earlier batches are updated
    spender_main = b.tx_main[b.in_tx]
    in_tx_id = base + b.in_tx
    spent_tx = np.full(n_out, -1, dtype=np.int64)
    spent_vin = np.full(n_out, -1, dtype=np.int64)
    sp = np.flatnonzero(spender_main & (out_row >= 0))
    if len(sp):
        pick = sp[_first_per_group((out_row[sp],), in_tx_id[sp], b.in_vin[sp])]
        spent_tx[out_row[pick]] = in_tx_id[pick]
        spent_vin[out_row[pick]] = b.in_vin[pick]

    # fees where every input value is known
    total_in = np.zeros(n_tx, dtype=np.int64)
    np.add.at(total_in, b.in_tx[in_known], in_value[in_known])
    total_out = np.zeros(n_tx, dtype=np.int64)
    np.add.at(total_out, b.out_tx, b.out_value)
    n_known = np.bincount(b.in_tx[in_known], minlength=n_tx)
    has_fee = ~b.tx_coinbase & (n_known == n_in_tx) & (n_in_tx > 0) & (n_out_tx > 0)

    txs = b.txs.append_column("fee", _masked(total_in - total_out, has_fee))
    outputs = pa.table({
        "tx_id": base + b.out_tx, "vout": b.out_vout, "value": b.out_value, "script_type": b.out_type,
        "address_id": _masked(out_aid, out_aid >= 0), "script": b.out_script,
        "spent_tx_id": _masked(spent_tx, spent_tx >= 0), "spent_vin": _masked(spent_vin, spent_tx >= 0),
    })
    inputs = pa.table({
        "tx_id": in_tx_id, "vin": b.in_vin, "prev_txid": b.in_prev_txid,
        "prev_vout": _masked(b.in_prev_vout, b.in_prev_vout >= 0), "prev_tx_id": _masked(prev_tx, prev_tx >= 0),
        "sequence": b.in_sequence, "value": _masked(in_value, in_known), "address_id": _masked(in_aid, in_aid >= 0),
    })
    for table, name, rows_ in (("chain_blocks", "_b_blocks", blocks), ("chain_addresses", "_b_addr", new_addresses),
                               ("chain_txs", "_b_txs_final", txs), ("chain_outputs", "_b_outs", outputs),
                               ("chain_inputs", "_b_ins", inputs)):
        _append(engine, table, name, rows_)
    if index is not None:
        index.add_batch(base, b.txs.column("txid"), b.tx_main, b.out_tx, b.out_vout, b.out_value, out_aid,
                        new_addresses.column("address"), _column(new_addresses, "address_id"))
    old = np.flatnonzero(spender_main & (prev_tx >= 0) & (prev_tx < base))
    if len(old):
        pick = old[_first_per_group((prev_tx[old], b.in_prev_vout[old]), in_tx_id[old], b.in_vin[old])]
        spends = pa.table({"prev_tx_id": prev_tx[pick], "prev_vout": b.in_prev_vout[pick],
                           "tx_id": in_tx_id[pick], "vin": b.in_vin[pick]})
        if defer_spends:
            _append(engine, "chain_pending_spends", "_b_pending", spends)
        else:
            engine.register("_b_spends", spends)
            try:
                engine.execute("""UPDATE chain_outputs AS o SET spent_tx_id = s.tx_id, spent_vin = s.vin
                                  FROM _b_spends s WHERE o.tx_id = s.prev_tx_id AND o.vout = s.prev_vout""")
            finally:
                getattr(engine, "unregister", lambda _n: None)("_b_spends")
    return int(((prev_tx < 0) & (b.in_prev_vout >= 0)).sum())


def _append(engine: Engine, table: str, name: str, rows: pa.Table) -> None:
    if not rows.num_rows:
        return
    cols = ", ".join(rows.column_names)
    engine.register(name, rows)
    try:
        engine.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {name}")
    finally:
        getattr(engine, "unregister", lambda _n: None)(name)


def apply_pending_spends(engine: Engine) -> int:
    """Apply the spends deferred by ``write_batch(..., defer_spends=True)`` in one set-wise UPDATE
    and empty ``chain_pending_spends`` (inside the caller's transaction); returns how many were
    pending. Updating ``chain_outputs`` once per ingest instead of once per batch keeps a batch's
    cost from growing with the store: every per-batch UPDATE rewrote the segments of old outputs.
    When several batches spent the same output (a double spend mined in competing blocks), the
    latest spender wins, as it did when each batch updated in turn (the spender with the highest
    tx_id: batches are numbered in order and keep one spender per output)."""
    pending = int(engine.scalar("SELECT count(*) FROM chain_pending_spends"))
    if not pending:
        return 0
    engine.execute("""UPDATE chain_outputs AS o SET spent_tx_id = s.tx_id, spent_vin = s.vin
                      FROM (SELECT prev_tx_id, prev_vout, max(tx_id) AS tx_id, arg_max(vin, tx_id) AS vin
                            FROM chain_pending_spends GROUP BY prev_tx_id, prev_vout) s
                      WHERE o.tx_id = s.prev_tx_id AND o.vout = s.prev_vout""")
    engine.execute("DELETE FROM chain_pending_spends")
    return pending
