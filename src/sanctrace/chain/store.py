"""Write decoded blocks to the engine and link every input to the output it spends.

One call stores one batch inside one transaction, so an interrupted batch leaves nothing behind
and a re-run redoes exactly that batch. Linking is keyed on ``txid``/``vout``:

1. blocks already stored (by hash) are dropped from the batch — ingestion is idempotent;
2. ids are ``max + 1 ...`` in batch order; heights and the main chain come from the header graph
   (``store_chain``) before anything is written, so new rows are inserted final;
3. ``store_link`` gives new addresses ids, joins each input to the best transaction with its
   ``prev_txid`` (main chain first, stored or in this batch) and that output's value and
   address, marks the batch's outputs spent by its main-chain inputs and computes fees — in
   Arrow/numpy, asking the stored tables only narrow lookups — then appends every table once and
   updates the spends of outputs stored earlier (or, for ``ingest_paths``, queues them in
   ``chain_pending_spends`` and applies them all at the end of the call);
4. inputs stored earlier that waited for one of this batch's transactions (blocks out of order,
   across files) are linked now, with their spends and fees (set-wise SQL);
5. when the batch moved the main chain (a reorg), every input naming a transaction of a flipped
   block is re-linked and the affected outputs' spends are recomputed from main-chain inputs.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa

from sanctrace.chain.address import hex_rows
from sanctrace.chain.decode import DecodedBlocks, coinbase_info, header_columns
from sanctrace.chain.link_index import LinkIndex
from sanctrace.chain.schema import ensure_schema
from sanctrace.chain.store_chain import BlockState, ChainState
from sanctrace.chain.store_link import (
    STALE_PENALTY,
    BatchColumns,
    BatchRows,
    apply_pending_spends,
    batch_columns,
    write_batch,
)
from sanctrace.engine.base import Engine


@dataclass
class BatchResult:
    blocks: int = 0
    txs: int = 0
    inputs: int = 0
    outputs: int = 0
    skipped_blocks: int = 0
    skipped_txs: int = 0
    reorged_blocks: int = 0


@contextmanager
def _registered(engine: Engine, name: str, table: pa.Table) -> Iterator[None]:
    engine.register(name, table)
    try:
        yield
    finally:
        unregister = getattr(engine, "unregister", None)
        if unregister is not None:
            unregister(name)



def _or_minus1(value: int | None) -> int:
    return -1 if value is None else value


def _next_id(engine: Engine, table: str, column: str) -> int:
    return int(engine.scalar(f"SELECT coalesce(max({column}), 0) + 1 FROM {table}"))


def store_batch(engine: Engine, dec: DecodedBlocks, sources: list[str], state: ChainState | None = None,
                cols: BatchColumns | None = None, defer_spends: bool = False) -> BatchResult:
    """Store one decoded batch (one transaction). ``sources[i]`` labels block i (file@offset);
    ``cols``, when given, are ``batch_columns(dec)`` computed ahead (by the ingest reader thread).
    ``defer_spends``: spends of outputs stored by earlier batches go to ``chain_pending_spends``;
    the caller must run ``apply_pending_spends`` before anyone reads ``chain_outputs``' spends."""
    ensure_schema(engine)
    result = BatchResult()
    hashes = cols.hashes if cols is not None else hex_rows(dec.block_hash).to_numpy(zero_copy_only=False)
    with engine.transaction():
        if state is None:
            state = ChainState.load(engine)
        # 1. idempotency: keep the first copy of every block not yet stored
        _, first = np.unique(hashes, return_index=True)
        keep = np.zeros(len(hashes), dtype=bool)
        keep[first] = True
        keep &= np.array([h not in state.blocks for h in hashes], dtype=bool)
        result.skipped_blocks = int(len(hashes) - keep.sum())
        result.skipped_txs = int((~keep[dec.txa[:, 11]]).sum()) if len(dec.txa) else 0
        if not keep.any():
            return result
        _insert(engine, dec, sources, hashes, keep, state, result, cols, defer_spends)
    return result


def _insert(engine: Engine, dec: DecodedBlocks, sources: list[str], hashes: np.ndarray, keep: np.ndarray,
            state: ChainState, result: BatchResult, cols: BatchColumns | None, defer_spends: bool) -> None:
    blk, txa, ina, outa = dec.blk, dec.txa, dec.ina, dec.outa
    hdr = header_columns(dec)
    bsel = np.flatnonzero(keep)
    tx_keep = keep[txa[:, 11]]
    tsel = np.flatnonzero(tx_keep)
    isel = np.flatnonzero(tx_keep[ina[:, 5]])
    osel = np.flatnonzero(tx_keep[outa[:, 3]])

    # 2. ids, heights, main chain
    base_block = _next_id(engine, "chain_blocks", "block_id")
    base_tx = _next_id(engine, "chain_txs", "tx_id")
    block_id = np.full(len(hashes), -1, dtype=np.int64)
    block_id[bsel] = base_block + np.arange(len(bsel))
    tx_id = np.full(len(txa), -1, dtype=np.int64)
    tx_id[tsel] = base_tx + np.arange(len(tsel))
    prev_hex = hex_rows(hdr["prev"]).to_numpy(zero_copy_only=False)
    cb_height: list[int | None] = []
    cb_text: list[str] = []
    for b in bsel:
        first_in = int(txa[blk[b, 3], 9])
        off, length = int(ina[first_in, 3]), int(ina[first_in, 4])
        height, text = coinbase_info(bytes(dec.buf[off: off + length]), int(hdr["version"][b]))
        cb_height.append(height)
        cb_text.append(text)
        hint = dec.height_hint[b] if dec.height_hint is not None else None
        state.add(BlockState(int(block_id[b]), str(hashes[b]), str(prev_hex[b]), int(hdr["bits"][b]), height,
                             hint=hint))
    changed = state.recompute()
    old_changed = [c for c in changed if c.block_id < base_block]
    result.reorged_blocks = len(old_changed)
    height_of = np.array([_or_minus1(state.blocks[str(hashes[b])].height) for b in bsel], dtype=np.int64)
    main_of = np.array([state.blocks[str(hashes[b])].in_main_chain for b in bsel], dtype=bool)

    size = dec.blk[bsel, 0] - dec.block_start[bsel]
    blocks = pa.table({
        "block_id": block_id[bsel], "hash": pa.array(hashes[bsel], pa.string()),
        "height": pa.array(height_of, pa.int64(), mask=height_of < 0),
        "prev_hash": pa.array(prev_hex[bsel], pa.string()),
        "time": hdr["time"][bsel], "version": hdr["version"][bsel], "bits": hdr["bits"][bsel],
        "nonce": hdr["nonce"][bsel], "merkle_root": hex_rows(hdr["merkle"][bsel]),
        "tx_count": blk[bsel, 1], "size": size, "weight": blk[bsel, 2] * 3 + size,
        "coinbase_text": pa.array(cb_text, pa.string()), "coinbase_height": pa.array(cb_height, pa.int64()),
        "in_main_chain": main_of, "source": pa.array([sources[b] for b in bsel], pa.string()),
    })
    # transactions
    t = txa[tsel]
    tsize = t[:, 1] - t[:, 0]
    tweight = (t[:, 3] - t[:, 2] + 8) * 3 + tsize
    tx_block = t[:, 11]
    tx_height = np.full(len(hashes), -1, dtype=np.int64)
    tx_height[bsel] = height_of
    tx_h = tx_height[tx_block]
    # the batch's columns (usually computed ahead by the reader thread); when some blocks were
    # stored already, the rows kept are taken from them (dictionary codes are then recomputed)
    cols = cols or batch_columns(dec)
    whole = bool(keep.all())

    def kept(values: pa.Array, sel: np.ndarray) -> pa.Array:
        return values if whole else values.take(pa.array(sel))

    txs = pa.table({
        "tx_id": tx_id[tsel], "txid": kept(cols.txid, tsel), "wtxid": kept(cols.wtxid, tsel),
        "block_id": block_id[tx_block], "height": pa.array(tx_h, pa.int64(), mask=tx_h < 0),
        "tx_index": tsel - blk[tx_block, 3], "is_coinbase": tsel == blk[tx_block, 3],
        "version": t[:, 7], "locktime": t[:, 8], "size": tsize, "vsize": (tweight + 3) // 4,
        "n_in": t[:, 5], "n_out": t[:, 6], "is_segwit": t[:, 4].astype(bool),
    })
    # outputs and inputs, with local transaction indices for linking
    o = outa[osel]
    i = ina[isel]
    in_tx = i[:, 5]
    block_main = np.zeros(len(hashes), dtype=bool)
    block_main[bsel] = main_of
    in_address = dec.in_address if dec.in_address is not None else pa.nulls(len(ina), pa.large_string())
    is_cb = cols.in_coinbase[isel]
    rows = BatchRows(
        base_tx=base_tx, txs=txs, tx_main=block_main[tx_block], tx_coinbase=tsel == blk[tx_block, 3],
        out_tx=tx_id[o[:, 3]] - base_tx, out_vout=osel - txa[o[:, 3], 10], out_value=o[:, 0],
        out_type=kept(cols.out_type, osel), out_address=kept(dec.out_address, osel),
        out_script=kept(cols.out_script, osel),
        in_tx=tx_id[in_tx] - base_tx, in_vin=isel - txa[in_tx, 9], in_prev_txid=kept(cols.in_prev_txid, isel),
        in_prev_vout=np.where(is_cb, -1, i[:, 1]), in_sequence=i[:, 2],
        in_value=dec.in_value[isel] if len(dec.in_value) else np.full(len(isel), -1, dtype=np.int64),
        in_address=kept(in_address, isel), addr_codes=cols.addr_codes if whole else None,
        prev_codes=cols.prev_codes if whole else None, prev_in_batch=cols.prev_in_batch if whole else None,
    )
    result.blocks, result.txs, result.inputs, result.outputs = len(bsel), len(tsel), len(isel), len(osel)
    index = _link_index(engine, state)
    unlinked = write_batch(engine, blocks, rows, defer_spends, index)
    _link_late(engine, txs, base_tx, state)
    assert state.waiting_inputs is not None
    state.waiting_inputs += unlinked
    if index is not None and any(bid < base_block for bid in state.main_flipped):
        index.txs = None  # which copy of a txid is best changed: rebuilt from the store next batch
    if old_changed:
        apply_pending_spends(engine)  # the reorg recomputes spends from chain_inputs: start from them applied
        _apply_reorg(engine, old_changed)


def _link_index(engine: Engine, state: ChainState) -> LinkIndex | None:
    """The call's in-memory lookup index (built on first use), or None to look up in SQL."""
    if not state.use_link_index:
        return None
    index: LinkIndex | None = state.link_index
    started = time.perf_counter()
    if index is None:
        index = state.link_index = LinkIndex.build(engine, STALE_PENALTY)
    elif index.txs is None:
        index.build_txs(engine)
    else:
        return index
    state.link_index_build_s += time.perf_counter() - started
    return index


def _waiting_inputs(engine: Engine, base_tx: int) -> int:
    return int(engine.scalar("""SELECT count(*) FROM chain_inputs
                                WHERE tx_id < ? AND prev_tx_id IS NULL AND prev_txid IS NOT NULL""", [base_tx]))


def _link_late(engine: Engine, txs: pa.Table, base_tx: int, state: ChainState) -> None:
    """Inputs of earlier batches that waited for one of this batch's transactions (blocks out of
    order, across files) are linked now, with their spends and fees. Skipped without a scan of
    chain_inputs while no stored input waits (``state.waiting_inputs``)."""
    base = int(base_tx)
    if state.waiting_inputs is None:
        state.waiting_inputs = _waiting_inputs(engine, base)
    if not state.waiting_inputs:
        return
    with _registered(engine, "_b_txs", txs.select(["tx_id", "txid"])):
        late = engine.scalar("""
            SELECT count(*) FROM chain_inputs i WHERE i.tx_id < ? AND i.prev_tx_id IS NULL
              AND i.prev_txid IN (SELECT txid FROM _b_txs)""", [base])
        if late:
            engine.execute("""
                UPDATE chain_inputs AS i SET prev_tx_id = n.tx_id,
                       value = coalesce(o.value, i.value), address_id = coalesce(o.address_id, i.address_id)
                FROM (SELECT txid, min(tx_id) AS tx_id FROM _b_txs GROUP BY txid) n  -- BIP30 duplicates
                JOIN chain_outputs o ON o.tx_id = n.tx_id
                WHERE i.tx_id < ? AND i.prev_tx_id IS NULL AND i.prev_txid = n.txid
                  AND o.vout = i.prev_vout""", [base])
            _mark_spent_late(engine, base)
            update_fees(engine, f"""SELECT DISTINCT i.tx_id FROM chain_inputs i
                                     WHERE i.tx_id < {base} AND i.prev_tx_id >= {base}""")
            state.waiting_inputs = _waiting_inputs(engine, base)


def _mark_spent(engine: Engine, spender_txs_sql: str) -> None:
    """Set spent_tx_id/spent_vin on outputs spent by main-chain inputs of the given transactions."""
    engine.execute(f"""
        UPDATE chain_outputs AS o SET spent_tx_id = s.tx_id, spent_vin = s.vin
        FROM (SELECT i.prev_tx_id, i.prev_vout, i.tx_id, i.vin
              FROM chain_inputs i JOIN chain_txs t ON t.tx_id = i.tx_id
              JOIN chain_blocks b ON b.block_id = t.block_id
              WHERE b.in_main_chain AND i.prev_tx_id IS NOT NULL
                AND i.tx_id IN ({spender_txs_sql})) s
        WHERE o.tx_id = s.prev_tx_id AND o.vout = s.prev_vout""")


def _mark_spent_late(engine: Engine, base_tx: int) -> None:
    """Outputs of this batch spent by inputs stored in earlier batches."""
    engine.execute(f"""
        UPDATE chain_outputs AS o SET spent_tx_id = s.tx_id, spent_vin = s.vin
        FROM (SELECT i.prev_tx_id, i.prev_vout, i.tx_id, i.vin
              FROM chain_inputs i JOIN chain_txs t ON t.tx_id = i.tx_id
              JOIN chain_blocks b ON b.block_id = t.block_id
              WHERE b.in_main_chain AND i.tx_id < {int(base_tx)} AND i.prev_tx_id >= {int(base_tx)}) s
        WHERE o.tx_id = s.prev_tx_id AND o.vout = s.prev_vout""")


def update_fees(engine: Engine, txs_sql: str) -> None:
    engine.execute(f"""
        UPDATE chain_txs AS t SET fee = f.fee
        FROM (SELECT i.tx_id, CASE WHEN count(i.value) = count(*) THEN sum(i.value) END
                                   - (SELECT sum(o.value) FROM chain_outputs o WHERE o.tx_id = i.tx_id) AS fee
              FROM chain_inputs i WHERE i.tx_id IN ({txs_sql}) GROUP BY i.tx_id) f
        WHERE t.tx_id = f.tx_id AND NOT t.is_coinbase""")


def _apply_reorg(engine: Engine, changed: list[BlockState]) -> None:
    """Existing blocks changed height or main-chain membership: propagate and re-link."""
    table = pa.table({
        "block_id": pa.array([c.block_id for c in changed], pa.int64()),
        "height": pa.array([c.height for c in changed], pa.int64()),
        "in_main_chain": pa.array([c.in_main_chain for c in changed], pa.bool_()),
    })
    with _registered(engine, "_b_changed", table):
        engine.execute("""UPDATE chain_blocks AS b SET height = c.height, in_main_chain = c.in_main_chain
                          FROM _b_changed c WHERE b.block_id = c.block_id""")
        engine.execute("""UPDATE chain_txs AS t SET height = c.height FROM _b_changed c
                          WHERE t.block_id = c.block_id AND t.height IS DISTINCT FROM c.height""")
        engine.execute("""CREATE OR REPLACE TEMP TABLE _reorg_txids AS
            SELECT DISTINCT txid FROM (
                SELECT t.txid FROM chain_txs t JOIN _b_changed c USING (block_id)
                UNION ALL
                SELECT i.prev_txid FROM chain_inputs i JOIN chain_txs t ON t.tx_id = i.tx_id
                JOIN _b_changed c ON c.block_id = t.block_id WHERE i.prev_txid IS NOT NULL)""")
    relink_txids(engine, "SELECT txid FROM _reorg_txids")
    engine.execute("DROP TABLE IF EXISTS _reorg_txids")


def relink_txids(engine: Engine, txids_sql: str) -> None:
    """Re-link every input spending one of these txids and recompute those outputs' spends."""
    engine.execute(f"""
        UPDATE chain_inputs AS i SET prev_tx_id = p.tx_id,
               value = coalesce(o.value, i.value), address_id = coalesce(o.address_id, i.address_id)
        FROM (SELECT t.txid, arg_min(t.tx_id, CASE WHEN b.in_main_chain THEN t.tx_id
                                                  ELSE t.tx_id + {STALE_PENALTY} END) AS tx_id
              FROM chain_txs t JOIN chain_blocks b USING (block_id)
              WHERE t.txid IN ({txids_sql}) GROUP BY t.txid) p
        LEFT JOIN chain_outputs o ON o.tx_id = p.tx_id
        WHERE i.prev_txid = p.txid AND (o.vout = i.prev_vout)""")
    affected = f"SELECT tx_id FROM chain_txs WHERE txid IN ({txids_sql})"
    engine.execute(f"UPDATE chain_outputs SET spent_tx_id = NULL, spent_vin = NULL WHERE tx_id IN ({affected})")
    engine.execute(f"""
        UPDATE chain_outputs AS o SET spent_tx_id = s.tx_id, spent_vin = s.vin
        FROM (SELECT i.prev_tx_id, i.prev_vout, min(i.tx_id) AS tx_id, arg_min(i.vin, i.tx_id) AS vin
              FROM chain_inputs i JOIN chain_txs t ON t.tx_id = i.tx_id
              JOIN chain_blocks b ON b.block_id = t.block_id
              WHERE b.in_main_chain AND i.prev_tx_id IN ({affected})
              GROUP BY i.prev_tx_id, i.prev_vout) s
        WHERE o.tx_id = s.prev_tx_id AND o.vout = s.prev_vout""")


def stats(engine: Engine) -> dict[str, Any]:
    """Row counts of the chain tables (for the CLI and tests)."""
    ensure_schema(engine)
    out: dict[str, Any] = {}
    for name in ("chain_blocks", "chain_txs", "chain_inputs", "chain_outputs", "chain_addresses"):
        out[name] = int(engine.scalar(f"SELECT count(*) FROM {name}"))
    out["linked_inputs"] = int(engine.scalar("SELECT count(prev_tx_id) FROM chain_inputs"))
    return out
