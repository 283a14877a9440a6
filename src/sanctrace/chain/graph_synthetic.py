"""Synthetic chains with ground truth, written straight into the chain tables.

Clustering and tracing need chains whose owners are known: precision/recall of clustering is
only measurable against ground truth, and the 10M-transaction targets need 10M transactions.
This module produces them at table level (the ingest engineer's generator produces the same kind
of world as real ``blk*.dat`` files, to exercise decoding; this one exercises analysis).

The world: entities with power-law activity (a few exchanges and pools do most transactions),
pools mining coinbases (one per block) to reused payout addresses, payments with fresh change
addresses (peel chains emerge), consolidations, fan-out payouts and CoinJoins (Whirlpool-like
5×5 and generic equal-output mixes whose inputs belong to different entities). Values are
integer satoshi and every transaction balances: inputs = outputs + fee.

Hand-written scenarios live in :mod:`graph_tiny`, precision/recall in :mod:`graph_eval`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from numba import njit

from sanctrace.engine.base import Engine

I64 = npt.NDArray[np.int64]

def _ensure_schema(engine: Engine) -> None:
    from sanctrace.chain.schema import ensure_schema

    ensure_schema(engine)


@njit(cache=True)
def _generate(n_tx: int, n_entities: int, n_pools: int, block_size: int, seed: int,
              coinjoin_rate: float) -> tuple[Any, ...]:  # pragma: no cover - compiled
    np.random.seed(seed)
    max_out = n_tx * 3 + 1000
    max_in = n_tx * 3 + 1000
    # entities: activity ~ power law; the first n_pools are pools
    weights = 1.0 / np.arange(1, n_entities + 1) ** 1.1
    cdf = np.cumsum(weights)
    cdf /= cdf[-1]
    script_of_entity = np.random.randint(0, 3, n_entities)  # 0 p2pkh, 1 p2sh, 2 p2wpkh
    # per-entity unspent stack (linked list through out_next)
    head = np.full(n_entities, -1, np.int64)
    out_next = np.full(max_out, -1, np.int64)
    last_addr = np.full(n_entities, -1, np.int64)
    addr_entity = np.empty(max_out + n_entities, np.int64)
    n_addr = 0
    # transactions
    tx_block = np.empty(n_tx, np.int64)
    tx_cb = np.zeros(n_tx, np.bool_)
    tx_nin = np.zeros(n_tx, np.int64)
    tx_nout = np.zeros(n_tx, np.int64)
    tx_locktime = np.zeros(n_tx, np.int64)
    tx_fee = np.zeros(n_tx, np.int64)
    tx_kind = np.zeros(n_tx, np.int64)  # 0 coinbase 1 payment 2 consolidation 3 fanout 4 coinjoin
    # outputs
    o_tx = np.empty(max_out, np.int64)
    o_vout = np.empty(max_out, np.int64)
    o_value = np.empty(max_out, np.int64)
    o_addr = np.empty(max_out, np.int64)
    o_owner = np.empty(max_out, np.int64)
    o_spent_tx = np.full(max_out, -1, np.int64)
    o_spent_vin = np.full(max_out, -1, np.int64)
    n_o = 0
    # inputs
    i_tx = np.empty(max_in, np.int64)
    i_vin = np.empty(max_in, np.int64)
    i_out = np.empty(max_in, np.int64)
    n_i = 0
    locktime_user = np.random.random(n_entities) < 0.5

    for t in range(n_tx):
        if n_o + 120 >= max_out or n_i + 120 >= max_in:
            return (t, n_addr, n_o, n_i, tx_block, tx_cb, tx_nin, tx_nout, tx_locktime, tx_fee, tx_kind,
                    o_tx, o_vout, o_value, o_addr, o_spent_tx, o_spent_vin, i_tx, i_vin, i_out,
                    addr_entity, script_of_entity)
        tx_block[t] = t // block_size
        if t % block_size == 0:
            pool = np.random.randint(0, n_pools)
            tx_cb[t] = True
            if last_addr[pool] == -1 or np.random.random() < 0.02:
                addr_entity[n_addr] = pool
                last_addr[pool] = n_addr
                n_addr += 1
            o_tx[n_o] = t
            o_vout[n_o] = 0
            o_value[n_o] = 625_000_000 + np.random.randint(0, 50_000_000)
            o_addr[n_o] = last_addr[pool]
            o_owner[n_o] = pool
            out_next[n_o] = head[pool]
            head[pool] = n_o
            n_o += 1
            tx_nout[t] = 1
            continue
        # pick a spender with money
        owner = -1
        for _ in range(8):
            pick = int(np.searchsorted(cdf, np.random.random()))
            if head[pick] != -1:
                owner = pick
                break
        if owner == -1:
            owner = int(np.random.randint(0, n_pools))
            if head[owner] == -1:
                owner = -1
                for e in range(n_entities):
                    if head[e] != -1:
                        owner = e
                        break
        r = np.random.random()
        kind = 1
        if r < coinjoin_rate:
            kind = 4
        elif r < coinjoin_rate + 0.03:
            kind = 2
        elif r < coinjoin_rate + 0.06:
            kind = 3
        if owner < n_pools and kind == 1 and np.random.random() < 0.5:
            kind = 3  # pools pay out
        tx_kind[t] = kind
        tx_locktime[t] = tx_block[t] if locktime_user[owner] else 0
        total = 0
        vin = 0
        if kind == 4:
            # CoinJoin: k different entities, one input each, k equal outputs + change outputs
            k = 5 if np.random.random() < 0.5 else 8 + np.random.randint(0, 8)
            denom = 1_000_000 if k == 5 else 2_000_000
            parts = np.full(k, -1, np.int64)
            n_parts = 0
            for _ in range(k * 6):
                e = int(np.searchsorted(cdf, np.random.random()))
                ok = head[e] != -1 and o_value[head[e]] > denom + 10_000
                for q in range(n_parts):
                    if parts[q] == e:
                        ok = False
                if ok:
                    parts[n_parts] = e
                    n_parts += 1
                    if n_parts == k:
                        break
            if n_parts >= 3:
                k = n_parts
                vout = 0
                for q in range(k):
                    e = parts[q]
                    o = head[e]
                    head[e] = out_next[o]
                    i_tx[n_i] = t
                    i_vin[n_i] = q
                    i_out[n_i] = o
                    o_spent_tx[o] = t
                    o_spent_vin[o] = q
                    n_i += 1
                    total += o_value[o]
                for q in range(k):
                    e = parts[q]
                    addr_entity[n_addr] = e
                    o_tx[n_o] = t
                    o_vout[n_o] = vout
                    o_value[n_o] = denom
                    o_addr[n_o] = n_addr
                    o_owner[n_o] = e
                    out_next[n_o] = head[e]
                    head[e] = n_o
                    n_addr += 1
                    n_o += 1
                    vout += 1
                out_sum = denom * k
                for q in range(k):  # every participant takes change back (JoinMarket-like)
                    e = parts[q]
                    change = o_value[i_out[n_i - k + q]] - denom - 1_000
                    if change <= 0:
                        continue
                    addr_entity[n_addr] = e
                    o_tx[n_o] = t
                    o_vout[n_o] = vout
                    o_value[n_o] = change
                    o_addr[n_o] = n_addr
                    o_owner[n_o] = e
                    out_next[n_o] = head[e]
                    head[e] = n_o
                    n_addr += 1
                    n_o += 1
                    vout += 1
                    out_sum += change
                tx_nin[t] = k
                tx_nout[t] = vout
                tx_fee[t] = total - out_sum
                continue
            # could not gather participants (nothing was spent yet): make it a payment
            kind = 1
            tx_kind[t] = 1
        if owner == -1:
            tx_kind[t] = 0
            continue
        n_want = 1
        if kind == 2:
            n_want = 5 + np.random.randint(0, 40)
        elif kind == 1:
            while np.random.random() < 0.35 and n_want < 10:
                n_want += 1
        while vin < n_want and head[owner] != -1:
            o = head[owner]
            head[owner] = out_next[o]
            i_tx[n_i] = t
            i_vin[n_i] = vin
            i_out[n_i] = o
            o_spent_tx[o] = t
            o_spent_vin[o] = vin
            n_i += 1
            vin += 1
            total += o_value[o]
        fee = min(200 + np.random.randint(0, 5_000), total // 10)
        avail = total - fee
        vout = 0
        n_pay = 1
        if kind == 3:
            n_pay = 5 + np.random.randint(0, 60)
        elif kind == 2:
            n_pay = 0
        spent = 0
        for q in range(n_pay):
            left = avail - spent
            if left <= 1_000:
                break
            if kind == 3:
                amount = max(left // (n_pay - q + 1), 1)
            else:
                amount = max(left * np.random.randint(5, 95) // 100, 1)
                if np.random.random() < 0.3 and amount > 100_000:
                    amount = (amount // 100_000) * 100_000
            dest = int(np.searchsorted(cdf, np.random.random()))
            if dest == owner:
                dest = (dest + 1) % n_entities
            if last_addr[dest] == -1 or np.random.random() < (0.3 if dest >= n_pools + 10 else 0.05):
                addr_entity[n_addr] = dest
                last_addr[dest] = n_addr
                n_addr += 1
            o_tx[n_o] = t
            o_vout[n_o] = vout
            o_value[n_o] = amount
            o_addr[n_o] = last_addr[dest]
            o_owner[n_o] = dest
            out_next[n_o] = head[dest]
            head[dest] = n_o
            n_o += 1
            vout += 1
            spent += amount
        change = avail - spent
        if change > 0:
            addr_entity[n_addr] = owner  # fresh change address
            o_tx[n_o] = t
            o_vout[n_o] = vout
            o_value[n_o] = change
            o_addr[n_o] = n_addr
            o_owner[n_o] = owner
            out_next[n_o] = head[owner]
            head[owner] = n_o
            n_addr += 1
            n_o += 1
            vout += 1
        tx_nin[t] = vin
        tx_nout[t] = vout
        tx_fee[t] = total - spent - max(change, 0)
    return (n_tx, n_addr, n_o, n_i, tx_block, tx_cb, tx_nin, tx_nout, tx_locktime, tx_fee, tx_kind,
            o_tx, o_vout, o_value, o_addr, o_spent_tx, o_spent_vin, i_tx, i_vin, i_out,
            addr_entity, script_of_entity)


POOL_NAMES = ("EMCDPool", "F2Pool", "AntPool", "Foundry USA", "ViaBTC")
POOL_TAGS = ("/EMCD/", "/F2Pool/", "/AntPool/", "/Foundry USA Pool/", "/ViaBTC/")
SCRIPT_NAMES = ("p2pkh", "p2sh", "p2wpkh")


@dataclass
class SyntheticChain:
    """Arrays of a generated chain (0-based indices; table ids are index + 1)."""

    n_tx: int
    tables: dict[str, pa.Table]
    address_entity: I64  # ground truth: entity of address index i
    tx_kind: I64
    n_pools: int
    extra: dict[str, Any] = field(default_factory=dict)


def synthetic_chain(n_tx: int, *, seed: int = 7, n_entities: int | None = None, block_size: int = 2000,
                    coinjoin_rate: float = 0.004) -> SyntheticChain:
    """Generate a chain of ``n_tx`` transactions (all set-wise/compiled; no Python loop per tx)."""
    n_entities = n_entities or max(50, n_tx // 40)
    n_pools = len(POOL_NAMES)
    (n_tx, n_addr, n_o, n_i, tx_block, tx_cb, tx_nin, tx_nout, tx_locktime, tx_fee, tx_kind,
     o_tx, o_vout, o_value, o_addr, o_spent_tx, o_spent_vin, i_tx, i_vin, i_out,
     addr_entity, script_of_entity) = _generate(n_tx, n_entities, n_pools, block_size, seed, coinjoin_rate)
    ids = np.arange(1, n_tx + 1, dtype=np.int64)
    o_sl = slice(0, n_o)
    i_sl = slice(0, n_i)
    spent = o_spent_tx[o_sl]
    i_src = i_out[i_sl]
    n_blocks = int(tx_block[n_tx - 1]) + 1 if n_tx else 0
    cb_idx = np.nonzero(tx_cb[:n_tx])[0]
    cb_pool = addr_entity[o_addr[np.searchsorted(o_tx[o_sl], cb_idx)]]
    block_pool = np.full(n_blocks, -1, np.int64)
    block_pool[tx_block[cb_idx]] = cb_pool
    tags = np.array(POOL_TAGS, dtype=object)
    tables = {
        "blocks": pa.table({
            "block_id": np.arange(1, n_blocks + 1, dtype=np.int64),
            "height": np.arange(n_blocks, dtype=np.int64),
            "coinbase_text": pa.array(["Mined by " + str(tags[p]) if p >= 0 else "" for p in block_pool]),
            "tx_count": np.bincount(tx_block[:n_tx], minlength=n_blocks).astype(np.int64),
        }),
        "txs": pa.table({
            "tx_id": ids, "block_id": tx_block[:n_tx] + 1, "height": tx_block[:n_tx].copy(),
            "tx_index": ids - 1 - tx_block[:n_tx] * block_size, "is_coinbase": tx_cb[:n_tx].copy(),
            "locktime": tx_locktime[:n_tx].copy(), "n_in": tx_nin[:n_tx].copy(), "n_out": tx_nout[:n_tx].copy(),
            "fee": pa.array(tx_fee[:n_tx], mask=tx_cb[:n_tx]),
        }),
        "outputs": pa.table({
            "tx_id": o_tx[o_sl] + 1, "vout": o_vout[o_sl].copy(), "value": o_value[o_sl].copy(),
            "script_type": pa.DictionaryArray.from_arrays(
                pa.array(script_of_entity[addr_entity[o_addr[o_sl]]].astype(np.int32)),
                pa.array(SCRIPT_NAMES)).cast(pa.string()),
            "address_id": o_addr[o_sl] + 1,
            "spent_tx_id": pa.array(spent + 1, mask=spent < 0),
            "spent_vin": pa.array(o_spent_vin[o_sl], mask=spent < 0),
        }),
        "inputs": pa.table({
            "tx_id": i_tx[i_sl] + 1, "vin": i_vin[i_sl].copy(), "prev_tx_id": o_tx[i_src] + 1,
            "prev_vout": o_vout[i_src], "value": o_value[i_src], "address_id": o_addr[i_src] + 1,
        }),
        "addresses": pa.table({
            "address_id": np.arange(1, n_addr + 1, dtype=np.int64),
            "script_type": pa.DictionaryArray.from_arrays(
                pa.array(script_of_entity[addr_entity[:n_addr]].astype(np.int32)),
                pa.array(SCRIPT_NAMES)).cast(pa.string()),
        }),
    }
    return SyntheticChain(n_tx, tables, addr_entity[:n_addr].copy(), tx_kind[:n_tx].copy(), n_pools)


def write_chain(engine: Engine, chain: SyntheticChain) -> None:
    """Write a synthetic chain into the chain tables (replacing what is there)."""
    _ensure_schema(engine)
    t = chain.tables
    with engine.transaction():
        for name in ("chain_blocks", "chain_txs", "chain_outputs", "chain_inputs", "chain_addresses"):
            engine.execute(f"DELETE FROM {name}")
        for name, table in t.items():
            engine.register(f"_syn_{name}", table)
        engine.execute(
            """INSERT INTO chain_blocks (block_id, hash, height, prev_hash, time, version, tx_count,
            coinbase_text, in_main_chain, source)
            SELECT block_id, sha256('synthetic-block-' || block_id), height, NULL, 1700000000 + 600 * height,
                   2, tx_count, coinbase_text, TRUE, 'synthetic' FROM _syn_blocks"""
        )
        engine.execute(
            """INSERT INTO chain_txs (tx_id, txid, wtxid, block_id, height, tx_index, is_coinbase, version,
            locktime, size, vsize, n_in, n_out, is_segwit, fee)
            SELECT tx_id, sha256('synthetic-tx-' || tx_id), NULL, block_id, height, tx_index, is_coinbase, 2,
                   locktime, 200, 200, n_in, n_out, FALSE, fee FROM _syn_txs"""
        )
        engine.execute(
            """INSERT INTO chain_outputs (tx_id, vout, value, script_type, address_id, spent_tx_id, spent_vin)
            SELECT tx_id, vout, value, script_type, address_id, spent_tx_id, spent_vin FROM _syn_outputs"""
        )
        engine.execute(
            """INSERT INTO chain_inputs (tx_id, vin, prev_txid, prev_vout, prev_tx_id, sequence, value, address_id)
            SELECT tx_id, vin, NULL, prev_vout, prev_tx_id, 4294967295, value, address_id FROM _syn_inputs"""
        )
        engine.execute(
            """INSERT INTO chain_addresses SELECT address_id,
            (CASE script_type WHEN 'p2wpkh' THEN 'bc1qsyn' WHEN 'p2sh' THEN '3Syn' ELSE '1Syn' END)
              || address_id::VARCHAR, script_type FROM _syn_addresses"""
        )


def pool_name(index: int) -> str:
    return POOL_NAMES[index]


def from_synth(synth: Any) -> SyntheticChain:
    """Tables of the ingest side's generator (:mod:`sanctrace.chain.synth`) without serializing blocks.

    The ground truth is the same as that of the ``blk*.dat`` files it writes; going straight to
    tables lets the analysis benchmarks reach 10M transactions without decoding them first.
    """
    from sanctrace.chain.schema import SCRIPT_TYPES

    n_tx = int(synth.n_txs)
    tx_ids = np.arange(1, n_tx + 1, dtype=np.int64)
    n_in = synth.tx_n_in.astype(np.int64)
    n_out = synth.tx_n_out.astype(np.int64)
    in_tx = np.repeat(np.arange(n_tx, dtype=np.int64), n_in)
    vin = np.arange(in_tx.shape[0], dtype=np.int64) - synth.tx_first_in.astype(np.int64)[in_tx]
    prev = synth.in_prev_out.astype(np.int64)
    linked = prev >= 0
    prev_safe = np.where(linked, prev, 0)
    out_tx = synth.out_tx.astype(np.int64)
    vout = np.arange(out_tx.shape[0], dtype=np.int64) - synth.tx_first_out.astype(np.int64)[out_tx]
    spent_tx = np.full(out_tx.shape[0], -1, np.int64)
    spent_vin = np.full(out_tx.shape[0], -1, np.int64)
    spent_tx[prev[linked]] = in_tx[linked]
    spent_vin[prev[linked]] = vin[linked]
    value = synth.out_value.astype(np.int64)
    out_addr = synth.out_addr.astype(np.int64)
    in_value = np.where(linked, value[prev_safe], 0)
    in_sum = np.bincount(in_tx, weights=in_value, minlength=n_tx)
    out_sum = np.bincount(out_tx, weights=value, minlength=n_tx)
    is_cb = np.zeros(n_tx, np.bool_)
    is_cb[in_tx[~linked]] = True
    fee = np.rint(in_sum - out_sum).astype(np.int64)
    names = pa.array(list(SCRIPT_TYPES))
    addr_type = synth.addr_type.astype(np.int32)
    tags = synth.coinbase_tags
    block_pool = synth.block_pool.astype(np.int64)
    tx_block = synth.tx_block.astype(np.int64)
    first_tx_of_block = np.searchsorted(tx_block, np.arange(synth.n_blocks))
    tables = {
        "blocks": pa.table({
            "block_id": np.arange(1, synth.n_blocks + 1, dtype=np.int64),
            "height": np.arange(synth.n_blocks, dtype=np.int64),
            "coinbase_text": pa.array([tags.get(int(p), "") for p in block_pool]),
            "tx_count": np.bincount(tx_block, minlength=synth.n_blocks).astype(np.int64),
        }),
        "txs": pa.table({
            "tx_id": tx_ids, "block_id": tx_block + 1, "height": tx_block,
            "tx_index": np.arange(n_tx, dtype=np.int64) - first_tx_of_block[tx_block],
            "is_coinbase": is_cb, "locktime": synth.tx_locktime.astype(np.int64), "n_in": n_in, "n_out": n_out,
            "fee": pa.array(fee, mask=is_cb),
        }),
        "outputs": pa.table({
            "tx_id": out_tx + 1, "vout": vout, "value": value,
            "script_type": pa.DictionaryArray.from_arrays(pa.array(addr_type[out_addr]), names).cast(pa.string()),
            "address_id": out_addr + 1,
            "spent_tx_id": pa.array(spent_tx + 1, mask=spent_tx < 0),
            "spent_vin": pa.array(spent_vin, mask=spent_tx < 0),
        }),
        "inputs": pa.table({
            "tx_id": in_tx + 1, "vin": vin,
            "prev_tx_id": pa.array(out_tx[prev_safe] + 1, mask=~linked),
            "prev_vout": pa.array(vout[prev_safe], mask=~linked),
            "value": pa.array(in_value, mask=~linked),
            "address_id": pa.array(out_addr[prev_safe] + 1, mask=~linked),
        }),
        "addresses": pa.table({
            "address_id": np.arange(1, addr_type.shape[0] + 1, dtype=np.int64),
            "script_type": pa.DictionaryArray.from_arrays(pa.array(addr_type), names).cast(pa.string()),
        }),
    }
    n_pools = int(np.count_nonzero(np.asarray(synth.entity_kind) == 0))
    return SyntheticChain(n_tx, tables, synth.addr_owner.astype(np.int64), synth.tx_pattern.astype(np.int64), n_pools,
                          {"entity_kind": np.asarray(synth.entity_kind), "entity_names": list(synth.entity_names)})
