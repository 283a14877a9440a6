"""The compiled core of the synthetic economy: one loop over transactions choosing a pattern,
spenders, payees and amounts (see ``synth`` for the world it models and the Python wrapper).

Per-entity UTXO stacks are linked lists in flat arrays (``head[entity]``, ``nxt[output]``), so
picking an entity's coins is O(1) and a peel chain naturally continues from its newest change.
"""

from __future__ import annotations

import numpy as np
from numba import njit

ENTITY_KINDS = ("pool", "exchange", "mixer", "miner", "sanctioned", "user", "relay")
K_POOL, K_EXCHANGE, K_MIXER, K_MINER, K_SANCTIONED, K_USER, K_RELAY = range(7)
PATTERNS = ("coinbase", "distribution", "payment", "sweep", "withdrawal", "peel", "coinjoin", "mixer_in",
            "mixer_out", "pool_payout", "miner_sell", "forward", "sanctioned_payment")
(P_COINBASE, P_DISTRIBUTION, P_PAYMENT, P_SWEEP, P_WITHDRAWAL, P_PEEL, P_COINJOIN, P_MIXER_IN, P_MIXER_OUT,
 P_POOL_PAYOUT, P_MINER_SELL, P_FORWARD, P_SANCTIONED) = range(13)
SUBSIDY = 312_500_000
MAX_IN = 40
MAX_OUT = 40


@njit(cache=True)
def _new_addr(e: int, atype: int, n_addr: np.ndarray, addr_owner: np.ndarray, addr_type: np.ndarray) -> int:
    a = int(n_addr[0])
    if a >= len(addr_owner):
        return -1
    addr_owner[a] = e
    addr_type[a] = atype
    n_addr[0] = a + 1
    return a


@njit(cache=True)
def _pick_funded(lo: int, hi: int, nutxo: np.ndarray, tries: int) -> int:
    if hi <= lo:
        return -1
    for _ in range(tries):
        e = np.random.randint(lo, hi)
        if nutxo[e] > 0:
            return e
    return -1


@njit(cache=True)
def _zipf(cap: int, a: float) -> int:
    """1, 2, 3... with P(k) ~ k^-a, capped."""
    u = np.random.random()
    k = int((1.0 - u) ** (-1.0 / (a - 1.0)))
    if k < 1:
        k = 1
    return min(k, cap)


@njit(cache=True)
def ca_invalid(out_addr: np.ndarray, lo: int, hi: int) -> bool:
    """True when an output got no address (the address table is full)."""
    bad = False
    for o in range(lo, hi):
        bad = bad or out_addr[o] < 0
    return bad


@njit(cache=True)
def _generate(n_tx: int, tpb: int, seed: int, ent_kind: np.ndarray, ent_type: np.ndarray, ent_fixed: np.ndarray,
              ent_dest: np.ndarray, ent_pool: np.ndarray, pool_cum: np.ndarray, pool_ids: np.ndarray,
              ranges: np.ndarray, n_fixed_addr: int, addr_owner: np.ndarray, addr_type: np.ndarray,
              forwarders: np.ndarray, peelers_hi: int, ent_star: np.ndarray, cap_out: int, cap_in: int
              ) -> tuple[np.ndarray, ...]:
    np.random.seed(seed)
    n_ent = len(ent_kind)
    tx_block = np.zeros(n_tx, dtype=np.int64)
    tx_pattern = np.zeros(n_tx, dtype=np.int8)
    tx_first_in = np.zeros(n_tx, dtype=np.int64)
    tx_n_in = np.zeros(n_tx, dtype=np.int64)
    tx_first_out = np.zeros(n_tx, dtype=np.int64)
    tx_n_out = np.zeros(n_tx, dtype=np.int64)
    tx_lock = np.zeros(n_tx, dtype=np.int64)
    in_prev = np.full(cap_in, -1, dtype=np.int64)
    out_value = np.zeros(cap_out, dtype=np.int64)
    out_addr = np.zeros(cap_out, dtype=np.int64)
    out_tx = np.zeros(cap_out, dtype=np.int64)
    nxt = np.full(cap_out, -1, dtype=np.int64)
    head = np.full(n_ent, -1, dtype=np.int64)
    nutxo = np.zeros(n_ent, dtype=np.int64)
    last_addr = np.full(n_ent, -1, dtype=np.int64)
    n_addr = np.array([n_fixed_addr], dtype=np.int64)
    max_blocks = 4 * ((n_tx + tpb - 1) // tpb) + 10
    block_pool = np.zeros(max_blocks, dtype=np.int64)
    n_blocks = 0
    payees = np.zeros(MAX_OUT, dtype=np.int64)
    pvals = np.zeros(MAX_OUT, dtype=np.int64)
    picked = np.zeros(MAX_IN, dtype=np.int64)
    users_lo, users_hi = ranges[K_USER, 0], ranges[K_USER, 1]
    no = 0
    ni = 0
    t = 0
    for b in range(max_blocks):
        if t >= n_tx or no + 4 * MAX_OUT >= cap_out or ni + 4 * MAX_IN >= cap_in:
            break  # done, or out of room: the caller retries with more
        n_blocks = b + 1
        # the coinbase is tx 0 of the block; its outputs are filled after the block's fees are known
        cb = t
        tx_block[t] = b
        r = np.random.random()
        pool = pool_ids[np.searchsorted(pool_cum, r)]
        block_pool[b] = pool
        tx_first_in[t] = ni
        tx_n_in[t] = 1
        in_prev[ni] = -1
        ni += 1
        tx_first_out[t] = no
        t += 1
        # reserve coinbase outputs: 1 (pool payout) or a distribution in the first blocks
        n_cb = 1 if b >= 3 else MAX_OUT
        cb_first = no
        no += n_cb
        tx_n_out[cb] = n_cb
        tx_pattern[cb] = P_COINBASE if b >= 3 else P_DISTRIBUTION
        fees = 0
        block_end = min(n_tx, t + tpb - 1)
        misses = 0
        while t < block_end:
            if no + MAX_OUT * 2 >= cap_out or ni + MAX_IN * 2 >= cap_in or misses > 200:
                break
            misses += 1
            r = np.random.random()
            pattern = P_PAYMENT
            spender = -1
            if r < 0.05:
                pattern = P_POOL_PAYOUT
                spender = _pick_funded(ranges[K_POOL, 0], ranges[K_POOL, 1], nutxo, 4)
            elif r < 0.10:
                pattern = P_MINER_SELL
                spender = _pick_funded(ranges[K_MINER, 0], ranges[K_MINER, 1], nutxo, 8)
            elif r < 0.13 and len(forwarders) > 0:
                pattern = P_FORWARD
                for _ in range(4):
                    cand = forwarders[np.random.randint(0, len(forwarders))]
                    if nutxo[cand] > 0:
                        spender = cand
                        break
            elif r < 0.20:
                pattern = P_SWEEP
                spender = _pick_funded(ranges[K_EXCHANGE, 0], ranges[K_EXCHANGE, 1], nutxo, 4)
            elif r < 0.32:
                pattern = P_WITHDRAWAL
                spender = _pick_funded(ranges[K_EXCHANGE, 0], ranges[K_EXCHANGE, 1], nutxo, 4)
            elif r < 0.40:
                pattern = P_PEEL
                spender = _pick_funded(users_lo, peelers_hi, nutxo, 8)
            elif r < 0.42:
                pattern = P_COINJOIN
            elif r < 0.45:
                pattern = P_MIXER_IN
                spender = _pick_funded(users_lo, users_hi, nutxo, 8)
            elif r < 0.48:
                pattern = P_MIXER_OUT
                spender = _pick_funded(ranges[K_MIXER, 0], ranges[K_MIXER, 1], nutxo, 4)
            elif r < 0.49:
                pattern = P_SANCTIONED
                spender = _pick_funded(ranges[K_SANCTIONED, 0], ranges[K_SANCTIONED, 1], nutxo, 4)
                if spender < 0:
                    spender = _pick_funded(users_lo, users_hi, nutxo, 8)
            else:
                spender = _pick_funded(users_lo, users_hi, nutxo, 8)
            if pattern == P_COINJOIN:
                n_part = np.random.randint(5, 16)
                denoms = (100_000, 1_000_000, 5_000_000, 10_000_000)
                denom = denoms[np.random.randint(0, 4)]
                k = 0
                for _ in range(n_part * 4):
                    e = np.random.randint(users_lo, users_hi)
                    o = head[e]
                    if o < 0 or out_value[o] < denom + 20_000:
                        continue
                    dup = False
                    for j in range(k):
                        if picked[j] == e:
                            dup = True
                    if dup:
                        continue
                    picked[k] = e
                    k += 1
                    if k == n_part:
                        break
                if k < 3:
                    continue
                tx_block[t] = b
                tx_pattern[t] = P_COINJOIN
                tx_first_in[t] = ni
                tx_first_out[t] = no
                fee_each = 2_000
                for j in range(k):
                    e = picked[j]
                    o = head[e]
                    head[e] = nxt[o]
                    nutxo[e] -= 1
                    in_prev[ni] = o
                    ni += 1
                    value = out_value[o]
                    a1 = _new_addr(e, ent_type[e], n_addr, addr_owner, addr_type)
                    out_value[no] = denom
                    out_addr[no] = a1
                    out_tx[no] = t
                    no += 1
                    a2 = _new_addr(e, ent_type[e], n_addr, addr_owner, addr_type)
                    out_value[no] = value - denom - fee_each
                    out_addr[no] = a2
                    out_tx[no] = t
                    no += 1
                    fees += fee_each
                tx_n_in[t] = k
                tx_n_out[t] = 2 * k
                # the new outputs go to their owners' stacks (equal outputs first, then change)
                for o in range(tx_first_out[t], no):
                    e = addr_owner[out_addr[o]]
                    nxt[o] = head[e]
                    head[e] = o
                    nutxo[e] += 1
                t += 1
                misses = 0
                continue
            if spender < 0:
                continue
            # inputs
            if pattern == P_SWEEP:
                want_in = min(MAX_IN, 2 + _zipf(MAX_IN, 1.6) * 2)
            elif pattern in (P_PEEL, P_POOL_PAYOUT):
                want_in = 1
            elif pattern == P_FORWARD:
                want_in = MAX_IN
            else:
                want_in = _zipf(MAX_IN // 2, 2.2)
            total = 0
            k = 0
            tx_first_in[t] = ni
            while k < want_in and head[spender] >= 0:
                o = head[spender]
                head[spender] = nxt[o]
                nutxo[spender] -= 1
                in_prev[ni] = o
                ni += 1
                total += out_value[o]
                k += 1
            tx_n_in[t] = k
            n_pay = 1
            if pattern == P_POOL_PAYOUT:
                n_pay = min(MAX_OUT - 1, 4 + _zipf(MAX_OUT, 1.5) * 3)
            elif pattern in (P_WITHDRAWAL, P_MIXER_OUT):
                n_pay = _zipf(10, 1.8)
            elif pattern == P_PAYMENT:
                n_pay = _zipf(MAX_OUT // 2, 2.5)
            feerate = np.random.randint(1, 30)
            fee = (11 + 68 * k + 31 * (n_pay + 1)) * feerate
            spend = total - fee
            if spend <= 1000 * (n_pay + 1):
                # too poor to pay: give the inputs back and try another transaction
                ni -= k
                for j in range(k):
                    o = in_prev[ni + j]
                    nxt[o] = head[spender]
                    head[spender] = o
                    nutxo[spender] += 1
                continue
            # payees
            for j in range(n_pay):
                payee_e = -1
                addr = -1
                if pattern == P_POOL_PAYOUT and j == 0 and ent_star[spender] >= 0:
                    payee_e = ent_star[spender]
                elif pattern == P_POOL_PAYOUT:
                    for _ in range(6):
                        m = np.random.randint(ranges[K_MINER, 0], max(ranges[K_MINER, 1], ranges[K_MINER, 0] + 1))
                        if m < ranges[K_MINER, 1] and ent_pool[m] == spender:
                            payee_e = m
                            break
                    if payee_e < 0:
                        payee_e = np.random.randint(users_lo, users_hi)
                elif pattern in (P_MINER_SELL, P_FORWARD):
                    if ent_dest[spender] >= 0:
                        addr = ent_dest[spender]
                    else:
                        payee_e = np.random.randint(ranges[K_EXCHANGE, 0], ranges[K_EXCHANGE, 1])
                elif pattern in (P_WITHDRAWAL, P_MIXER_OUT):
                    payee_e = np.random.randint(users_lo, users_hi)
                elif pattern == P_MIXER_IN:
                    payee_e = np.random.randint(ranges[K_MIXER, 0], ranges[K_MIXER, 1])
                elif (pattern == P_SANCTIONED and ent_kind[spender] != K_SANCTIONED
                      and ranges[K_SANCTIONED, 1] > ranges[K_SANCTIONED, 0]):
                    payee_e = np.random.randint(ranges[K_SANCTIONED, 0], ranges[K_SANCTIONED, 1])
                else:
                    q = np.random.random()
                    if q < 0.15:
                        payee_e = np.random.randint(ranges[K_EXCHANGE, 0], ranges[K_EXCHANGE, 1])
                    else:
                        payee_e = np.random.randint(users_lo, users_hi)
                if addr < 0:
                    kind = ent_kind[payee_e]
                    if ent_fixed[payee_e] >= 0 and kind != K_EXCHANGE and kind != K_MIXER:
                        addr = ent_fixed[payee_e]
                    elif kind == K_EXCHANGE and np.random.random() < 0.3 and last_addr[payee_e] >= 0:
                        addr = last_addr[payee_e]  # a customer reusing a deposit address
                    elif kind == K_USER and np.random.random() < 0.3 and last_addr[payee_e] >= 0:
                        addr = last_addr[payee_e]
                    else:
                        addr = _new_addr(payee_e, ent_type[payee_e], n_addr, addr_owner, addr_type)
                        last_addr[payee_e] = addr
                payees[j] = addr
            # amounts: peel pays a small slice; forwards and sweeps move everything
            if pattern in (P_SWEEP, P_FORWARD) or (pattern == P_MINER_SELL and ent_dest[spender] >= 0):
                pay_total = spend
            elif pattern == P_PEEL:
                pay_total = spend * np.random.randint(2, 12) // 100
            elif pattern == P_POOL_PAYOUT:
                pay_total = spend * 9 // 10
            else:
                pay_total = spend * np.random.randint(10, 95) // 100
                unit = 100_000 if pay_total > 1_000_000 else 10_000
                if pay_total > unit and np.random.random() < 0.3:  # round amounts are payments, not change
                    pay_total -= pay_total % unit
            wsum = 0
            for j in range(n_pay):
                pvals[j] = np.random.randint(50, 150)
                wsum += pvals[j]
            remaining = pay_total
            for j in range(n_pay):
                v = pay_total * pvals[j] // wsum if j < n_pay - 1 else remaining
                pvals[j] = v
                remaining -= v
            change = spend - pay_total
            tx_block[t] = b
            tx_pattern[t] = pattern
            tx_first_out[t] = no
            if np.random.random() < 0.2:
                tx_lock[t] = b  # anti-fee-sniping locktime, as Core wallets set it
            n_o = 0
            for j in range(n_pay):
                if pvals[j] < 546:  # dust: left to the miner as fee
                    fee += pvals[j]
                    continue
                out_value[no] = pvals[j]
                out_addr[no] = payees[j]
                out_tx[no] = t
                no += 1
                n_o += 1
            if change > 546:
                kind = ent_kind[spender]
                if ent_fixed[spender] >= 0 and kind != K_USER:
                    ca = ent_fixed[spender]  # pools, exchanges' hot wallets reuse their address
                elif np.random.random() < 0.1 and last_addr[spender] >= 0:
                    ca = last_addr[spender]
                else:
                    ca = _new_addr(spender, ent_type[spender], n_addr, addr_owner, addr_type)
                out_value[no] = change
                out_addr[no] = ca
                out_tx[no] = t
                no += 1
                n_o += 1
            else:
                fee += change
            if n_o == 0 or ca_invalid(out_addr, tx_first_out[t], no):
                ni -= k
                for j in range(k):
                    o = in_prev[ni + j]
                    nxt[o] = head[spender]
                    head[spender] = o
                    nutxo[spender] += 1
                no = tx_first_out[t]
                continue
            tx_n_out[t] = n_o
            fees += fee
            for o in range(tx_first_out[t], no):
                e = addr_owner[out_addr[o]]
                nxt[o] = head[e]
                head[e] = o
                nutxo[e] += 1
            t += 1
            misses = 0
        # coinbase outputs: the pool's payout address, or the genesis distribution
        value = SUBSIDY + fees
        if n_cb == 1:
            out_value[cb_first] = value
            out_addr[cb_first] = ent_fixed[pool]
            out_tx[cb_first] = cb
        else:
            share = (value + 200 * SUBSIDY) // n_cb
            for j in range(n_cb):
                e = np.random.randint(0, n_ent)
                a = ent_fixed[e] if ent_fixed[e] >= 0 else _new_addr(e, ent_type[e], n_addr, addr_owner, addr_type)
                out_value[cb_first + j] = share
                out_addr[cb_first + j] = a
                out_tx[cb_first + j] = cb
        for o in range(cb_first, cb_first + n_cb):
            e = addr_owner[out_addr[o]]
            nxt[o] = head[e]
            head[e] = o
            nutxo[e] += 1
    # copies, so the over-allocated work arrays are freed
    return (tx_block[:t].copy(), tx_pattern[:t].copy(), tx_first_in[:t].copy(), tx_n_in[:t].copy(),
            tx_first_out[:t].copy(), tx_n_out[:t].copy(), tx_lock[:t].copy(), in_prev[:ni].copy(),
            out_value[:no].copy(), out_addr[:no].copy(), out_tx[:no].copy(), n_addr[:1].copy(),
            block_pool[:n_blocks].copy())
