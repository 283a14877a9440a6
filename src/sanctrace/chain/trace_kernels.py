"""Compiled walks over the CSR transaction graph (see :mod:`graph`) for tracing and exposure.

Three ways to say how much of an output's value came from (or went to) each source:

* ``haircut`` — value mixes proportionally: an input contributing 30% of a transaction's input
  value contributes 30% of every output; forward, the fee takes its proportional share.
* ``poison`` — any contact taints fully: every reached source counts with weight 1.
* ``fifo`` — satoshis keep their order: the first input satoshis pay the first outputs, the fee
  comes out of the last input satoshis (exact integer amounts along ranges).

A walk stops at an attributed address (tag), at a coinbase (the block's pool), at an input whose
spent output is not stored, at a hub (more inputs/outputs than ``hub_cap``), below ``min_share``,
and after ``hops``; each stop is a *terminal* with a kind, an entity index, a weight (share of
the start value) and the hop where it was found. Per-transaction state lives in arrays owned by
the cached graph (``acc``, ``mark``, ``parent``), so a walk allocates only for what it visits.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

ENTITY, COINBASE, UNATTRIBUTED, UNKNOWN_SOURCE, HUB, PRUNED, UNSPENT, FEE, TRUNCATED = range(9)
KIND_NAMES = ("entity", "coinbase", "unattributed", "unknown_source", "hub", "below_threshold", "unspent", "fee",
              "truncated")


@njit(cache=True, nogil=True)
def walk_proportional(  # pragma: no cover - compiled
    backward: bool, poison: bool, start_tx: I64, start_w: F64, hops: int, min_share: float, hub_cap: int,
    max_edges: int, stamp: int,
    in_ptr: I64, in_prev_tx: I64, in_value: I64, in_addr: I64,
    out_ptr: I64, out_value: I64, out_addr: I64, out_spent_tx: I64,
    tx_coinbase: B, tx_block: I64, addr_entity: I32, block_entity: I32,
    acc: F64, mark: I64, parent: I64, parent_slot: I64,
) -> tuple[I64, I64, F64, I64, I64, I64, I64, I64, F64, I64, I64]:
    """Haircut or poison walk. Returns terminals (kind, entity, weight, hop, tx, slot), the edges
    walked (from, to, weight, hop) and the transactions whose ``parent`` was set (to reset)."""
    cap = max_edges + start_tx.shape[0] + 16
    t_kind = np.empty(cap, np.int64)
    t_ent = np.empty(cap, np.int64)
    t_w = np.empty(cap, np.float64)
    t_hop = np.empty(cap, np.int64)
    t_tx = np.empty(cap, np.int64)
    t_slot = np.empty(cap, np.int64)
    e_from = np.empty(cap, np.int64)
    e_to = np.empty(cap, np.int64)
    e_w = np.empty(cap, np.float64)
    e_hop = np.empty(cap, np.int64)
    seen = np.empty(cap, np.int64)
    nt = 0
    ne = 0
    ns = 0
    frontier = start_tx.copy()
    weights = start_w.copy()
    for s in start_tx:
        if parent[s] == -1:
            parent[s] = -2
            parent_slot[s] = -1
            seen[ns] = s
            ns += 1
    nxt = np.empty(cap, np.int64)
    room = cap - 1  # the last slot is kept for the truncated remainder
    dropped = 0.0
    for hop in range(1, hops + 1):
        nn = 0
        for f in range(frontier.shape[0]):
            t = frontier[f]
            w = weights[f]
            if backward:
                lo = in_ptr[t]
                hi = in_ptr[t + 1]
            else:
                lo = out_ptr[t]
                hi = out_ptr[t + 1]
            if nt >= room - 2:
                dropped += w
                continue
            if hi - lo > hub_cap:
                t_kind[nt] = HUB
                t_ent[nt] = -1
                t_w[nt] = w
                t_hop[nt] = hop - 1
                t_tx[nt] = t
                t_slot[nt] = -1
                nt += 1
                continue
            total = 0
            for k in range(in_ptr[t], in_ptr[t + 1]):
                total += in_value[k]
            if not backward:
                total_out = 0
                for k in range(lo, hi):
                    total_out += out_value[k]
                if total <= 0:
                    total = total_out
                fee = total - total_out
                if fee > 0 and not poison and total > 0:
                    t_kind[nt] = FEE
                    t_ent[nt] = -1
                    t_w[nt] = w * fee / total
                    t_hop[nt] = hop
                    t_tx[nt] = t
                    t_slot[nt] = -1
                    nt += 1
            if total <= 0:
                t_kind[nt] = UNKNOWN_SOURCE
                t_ent[nt] = -1
                t_w[nt] = w
                t_hop[nt] = hop - 1
                t_tx[nt] = t
                t_slot[nt] = -1
                nt += 1
                continue
            for k in range(lo, hi):
                if backward:
                    value = in_value[k]
                    addr = in_addr[k]
                    nxt_tx = in_prev_tx[k]
                else:
                    value = out_value[k]
                    addr = out_addr[k]
                    nxt_tx = out_spent_tx[k]
                if value <= 0 and not poison:
                    continue
                share = w if poison else w * value / total
                ent = addr_entity[addr] if addr >= 0 else -1
                kind = -1
                if backward and nxt_tx >= 0 and tx_coinbase[nxt_tx]:
                    kind = COINBASE
                    b = tx_block[nxt_tx]
                    be = block_entity[b] if b >= 0 else -1
                    if be >= 0 or ent < 0:
                        ent = be
                    else:
                        kind = ENTITY
                elif ent >= 0:
                    kind = ENTITY
                elif nxt_tx < 0:
                    kind = UNKNOWN_SOURCE if backward else UNSPENT
                elif not poison and share < min_share:
                    kind = PRUNED
                elif ne >= max_edges:
                    kind = TRUNCATED
                if kind >= 0:
                    if nt >= room - 2:
                        dropped += share
                        continue
                    t_kind[nt] = kind
                    t_ent[nt] = ent
                    t_w[nt] = share
                    t_hop[nt] = hop
                    t_tx[nt] = t
                    t_slot[nt] = k
                    nt += 1
                    continue
                e_from[ne] = t
                e_to[ne] = nxt_tx
                e_w[ne] = share
                e_hop[ne] = hop
                ne += 1
                if poison and parent[nxt_tx] != -1:
                    continue  # already reached: poison counts a source once
                if mark[nxt_tx] != stamp + hop:
                    mark[nxt_tx] = stamp + hop
                    acc[nxt_tx] = 0.0
                    nxt[nn] = nxt_tx
                    nn += 1
                acc[nxt_tx] = 1.0 if poison else acc[nxt_tx] + share
                if parent[nxt_tx] == -1:
                    parent[nxt_tx] = t
                    parent_slot[nxt_tx] = k
                    seen[ns] = nxt_tx
                    ns += 1
        frontier = nxt[:nn].copy()
        weights = np.empty(nn, np.float64)
        for f in range(nn):
            weights[f] = acc[frontier[f]]
    for f in range(frontier.shape[0]):
        if nt >= room:
            dropped += weights[f]
            continue
        t_kind[nt] = UNATTRIBUTED
        t_ent[nt] = -1
        t_w[nt] = weights[f]
        t_hop[nt] = hops
        t_tx[nt] = frontier[f]
        t_slot[nt] = -1
        nt += 1
    if dropped > 0:
        t_kind[nt] = TRUNCATED
        t_ent[nt] = -1
        t_w[nt] = dropped
        t_hop[nt] = hops
        t_tx[nt] = -1
        t_slot[nt] = -1
        nt += 1
    return (t_kind[:nt], t_ent[:nt], t_w[:nt], t_hop[:nt], t_tx[:nt], t_slot[:nt],
            e_from[:ne], e_to[:ne], e_w[:ne], e_hop[:ne], seen[:ns])


@njit(cache=True, nogil=True)
def walk_fifo(  # pragma: no cover - compiled
    backward: bool, start_tx: I64, start_lo: I64, start_hi: I64, total_value: int, hops: int, min_share: float,
    hub_cap: int, max_states: int,
    in_ptr: I64, in_prev_tx: I64, in_prev_vout: I64, in_value: I64, in_addr: I64, in_cum: I64,
    out_ptr: I64, out_value: I64, out_addr: I64, out_spent_tx: I64, out_spent_vin: I64, out_cum: I64,
    tx_coinbase: B, tx_block: I64, addr_entity: I32, block_entity: I32,
) -> tuple[I64, I64, I64, I64, I64, I64, I64, I64, I64, I64]:
    """FIFO walk over satoshi ranges. A state is (tx, [lo, hi)) in the tx's output space (backward)
    or input space (forward). Returns terminals (kind, entity, amount, hop, state, slot) and the
    states (tx, parent state, hop, amount)."""
    cap = max_states + start_tx.shape[0] + 16
    s_tx = np.empty(cap, np.int64)
    s_lo = np.empty(cap, np.int64)
    s_hi = np.empty(cap, np.int64)
    s_hop = np.empty(cap, np.int64)
    s_parent = np.empty(cap, np.int64)
    t_kind = np.empty(cap * 2, np.int64)
    t_ent = np.empty(cap * 2, np.int64)
    t_amt = np.empty(cap * 2, np.int64)
    t_hop = np.empty(cap * 2, np.int64)
    t_state = np.empty(cap * 2, np.int64)
    t_slot = np.empty(cap * 2, np.int64)
    n = 0
    nt = 0
    for i in range(start_tx.shape[0]):
        s_tx[n] = start_tx[i]
        s_lo[n] = start_lo[i]
        s_hi[n] = start_hi[i]
        s_hop[n] = 0 if backward else 1
        s_parent[n] = -1
        n += 1
    head = 0
    while head < n:
        t = s_tx[head]
        lo = s_lo[head]
        hi = s_hi[head]
        hop = s_hop[head]
        if nt + 4 >= cap * 2:
            break
        done_hops = hop if backward else hop - 1
        if done_hops >= hops:
            t_kind[nt] = UNATTRIBUTED
            t_ent[nt] = -1
            t_amt[nt] = hi - lo
            t_hop[nt] = hops
            t_state[nt] = head
            t_slot[nt] = -1
            nt += 1
            head += 1
            continue
        if backward:
            a0 = in_ptr[t]
            a1 = in_ptr[t + 1]
        else:
            a0 = out_ptr[t]
            a1 = out_ptr[t + 1]
        if a1 - a0 > hub_cap:
            t_kind[nt] = HUB
            t_ent[nt] = -1
            t_amt[nt] = hi - lo
            t_hop[nt] = done_hops
            t_state[nt] = head
            t_slot[nt] = -1
            nt += 1
            head += 1
            continue
        covered = 0
        for k in range(a0, a1):
            if backward:
                c0 = in_cum[k]
                c1 = c0 + in_value[k]
            else:
                c0 = out_cum[k]
                c1 = c0 + out_value[k]
            if c0 >= hi:
                break
            a = min(hi, c1) - max(lo, c0)
            if a <= 0:
                continue
            covered += a
            offset = max(lo, c0) - c0
            if backward:
                addr = in_addr[k]
                nxt_tx = in_prev_tx[k]
            else:
                addr = out_addr[k]
                nxt_tx = out_spent_tx[k]
            ent = addr_entity[addr] if addr >= 0 else -1
            kind = -1
            step = done_hops + 1
            if backward and nxt_tx >= 0 and tx_coinbase[nxt_tx]:
                kind = COINBASE
                b = tx_block[nxt_tx]
                be = block_entity[b] if b >= 0 else -1
                if be >= 0 or ent < 0:
                    ent = be
                else:
                    kind = ENTITY
            elif ent >= 0:
                kind = ENTITY
            elif nxt_tx < 0:
                kind = UNKNOWN_SOURCE if backward else UNSPENT
            elif a / total_value < min_share:
                kind = PRUNED
            elif n >= cap:
                kind = TRUNCATED
            if kind >= 0:
                t_kind[nt] = kind
                t_ent[nt] = ent
                t_amt[nt] = a
                t_hop[nt] = step
                t_state[nt] = head
                t_slot[nt] = k
                nt += 1
                if nt + 4 >= cap * 2:
                    break
                continue
            s_tx[n] = nxt_tx
            if backward:
                q = out_ptr[nxt_tx] + in_prev_vout[k]
                s_lo[n] = out_cum[q] + offset
            else:
                q = in_ptr[nxt_tx] + out_spent_vin[k]
                s_lo[n] = in_cum[q] + offset
            s_hi[n] = s_lo[n] + a
            s_hop[n] = hop + 1
            s_parent[n] = head
            n += 1
        rest = hi - lo - covered
        if rest > 0:
            t_kind[nt] = UNKNOWN_SOURCE if backward else FEE
            t_ent[nt] = -1
            t_amt[nt] = rest
            t_hop[nt] = done_hops + (0 if backward else 1)
            t_state[nt] = head
            t_slot[nt] = -1
            nt += 1
        head += 1
    if head < n:  # out of room: what was not walked is reported, not lost
        rest_amt = 0
        for q in range(head, n):
            rest_amt += s_hi[q] - s_lo[q]
        t_kind[nt] = TRUNCATED
        t_ent[nt] = -1
        t_amt[nt] = rest_amt
        t_hop[nt] = hops
        t_state[nt] = head
        t_slot[nt] = -1
        nt += 1
    return (t_kind[:nt], t_ent[:nt], t_amt[:nt], t_hop[:nt], t_state[:nt], t_slot[:nt],
            s_tx[:n], s_parent[:n], s_hop[:n], s_hi[:n] - s_lo[:n])
