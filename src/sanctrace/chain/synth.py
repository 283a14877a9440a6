"""Synthetic Bitcoin economy with ground truth: who owns each address, what each transaction does.

The generator is one compiled loop over transactions (numba), so 1M transactions take seconds
and 10M are feasible. It produces the transaction graph only (values, owners, which output each
input spends); ``synth_write`` serializes it into real blocks in ``blk*.dat`` framing.

The world, and the patterns analysts look for in it:

* **pools** mine every coinbase to a reused payout address with their coinbase tag, then pay out
  to their **miners** in fan-out transactions (many outputs, change back to the payout address);
* **miners** sell to exchange deposit addresses; a miner given a destination (scenario) forwards
  everything there, optionally through relay entities (hops);
* **exchanges** receive on fresh deposit addresses, sweep them into a reused hot wallet
  (multi-input consolidations: true same-owner clusters) and pay withdrawals from it;
* **users** pay each other with power-law input/output counts, fresh change addresses (change
  keeps the spender's address type), and address reuse; some run **peel chains** (one input, a
  small payment and a large change, again and again);
* **CoinJoins**: 5-15 users each put one input and get an equal-value output plus change — their
  inputs are deliberately NOT one entity, the trap multi-input clustering must avoid;
* **mixers** take deposits and pay out to fresh user addresses;
* **sanctioned** entities (e.g. real OFAC addresses planted through a scenario) receive and send
  now and then.

The first blocks' coinbases distribute coins to many entities (a "genesis distribution") so the
economy starts funded. Values are integer satoshi and every non-coinbase transaction balances:
inputs = outputs + fee. The subsidy is a constant 3.125 BTC (halvings are irrelevant here).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
from numba import njit

from sanctrace.chain.address import address_to_script
from sanctrace.chain.schema import SCRIPT_TYPES
from sanctrace.chain.script import P2PKH, P2SH, P2TR, P2WPKH, P2WSH, classify_bytes

ENTITY_KINDS = ("pool", "exchange", "mixer", "miner", "sanctioned", "user", "relay")
K_POOL, K_EXCHANGE, K_MIXER, K_MINER, K_SANCTIONED, K_USER, K_RELAY = range(7)
PATTERNS = ("coinbase", "distribution", "payment", "sweep", "withdrawal", "peel", "coinjoin", "mixer_in",
            "mixer_out", "pool_payout", "miner_sell", "forward", "sanctioned_payment")
(P_COINBASE, P_DISTRIBUTION, P_PAYMENT, P_SWEEP, P_WITHDRAWAL, P_PEEL, P_COINJOIN, P_MIXER_IN, P_MIXER_OUT,
 P_POOL_PAYOUT, P_MINER_SELL, P_FORWARD, P_SANCTIONED) = range(13)
SUBSIDY = 312_500_000
MAX_IN = 40
MAX_OUT = 40
_TYPES = np.array([P2PKH, P2SH, P2WPKH, P2WSH, P2TR], dtype=np.int8)
_TYPE_P = np.array([0.35, 0.25, 0.3, 0.03, 0.07])


@dataclass
class PoolSpec:
    name: str
    payout_addresses: list[str] = field(default_factory=list)  # empty: a generated address
    coinbase_tag: str = ""
    weight: float = 1.0  # share of blocks


@dataclass
class ExchangeSpec:
    name: str
    hot_wallets: list[str] = field(default_factory=list)  # first one receives sweeps and change
    deposit_addresses: list[str] = field(default_factory=list)  # planted deposit addresses


@dataclass
class MinerFlow:
    """A miner paid by ``pool`` whose coins reach ``deposit_address`` after ``hops`` relays."""

    name: str
    pool: str
    deposit_address: str
    miner_address: str | None = None
    hops: int = 0


@dataclass
class Scenario:
    """Entities the demo world plants. Addresses are mainnet strings (base58 or bech32)."""

    pools: list[PoolSpec] = field(default_factory=list)
    exchanges: list[ExchangeSpec] = field(default_factory=list)
    counterparties: dict[str, str] = field(default_factory=dict)  # address -> entity name (sanctioned)
    miner_flows: list[MinerFlow] = field(default_factory=list)


DEFAULT_POOLS = (PoolSpec("Foundry USA", [], "/Foundry USA Pool #dropgold/", 30),
                 PoolSpec("AntPool", [], "/AntPool/", 20), PoolSpec("F2Pool", [], "Mined by f2pool", 12),
                 PoolSpec("ViaBTC", [], "/ViaBTC/", 10), PoolSpec("EMCDPool", [], "/EMCD/", 4),
                 PoolSpec("Binance Pool", [], "/binance/", 10))


@dataclass
class SynthChain:
    """The generated graph. Index conventions: tx ``t`` is global position (block order), output
    ``o`` and input ``i`` are positions in their arrays; addresses are indexes into ``addr_*``."""

    seed: int
    tx_block: np.ndarray
    tx_pattern: np.ndarray
    tx_first_in: np.ndarray
    tx_n_in: np.ndarray
    tx_first_out: np.ndarray
    tx_n_out: np.ndarray
    tx_locktime: np.ndarray
    in_prev_out: np.ndarray  # output index spent (-1 for a coinbase input)
    out_value: np.ndarray
    out_addr: np.ndarray
    out_tx: np.ndarray
    addr_owner: np.ndarray
    addr_type: np.ndarray
    addr_planted: np.ndarray  # index into planted_scripts or -1
    planted_scripts: list[bytes]
    entity_kind: np.ndarray
    entity_names: list[str]
    block_pool: np.ndarray  # entity id of the pool mining each block
    coinbase_tags: dict[int, str]  # pool entity id -> tag
    n_blocks: int
    start_time: int = 1_700_000_000
    txids: np.ndarray | None = None  # (n_tx, 32) internal order, set by synth_write.serialize

    @property
    def n_txs(self) -> int:
        return len(self.tx_block)

    def address_scripts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(buffer, offsets, lengths) of every address's scriptPubKey."""
        from sanctrace.chain.synth_write import build_scripts

        return build_scripts(self)

    def address_strings(self) -> pa.Array:
        """Address string of every address index (mainnet encoding, as ingest stores them)."""
        from sanctrace.chain.address import encode_outputs
        from sanctrace.chain.script import classify_all

        buf, offs, lens = self.address_scripts()
        return encode_outputs(buf, offs, lens, classify_all(buf, offs, lens))

    def tables(self) -> dict[str, pa.Table]:
        """Columns for analysis benchmarks: txs, inputs, outputs, addresses, entities."""
        in_tx = np.repeat(np.arange(self.n_txs), self.tx_n_in)
        prev = self.in_prev_out
        has = prev >= 0
        return {
            "txs": pa.table({"tx": np.arange(self.n_txs), "block": self.tx_block,
                             "pattern": pa.array(np.array(PATTERNS)[self.tx_pattern]),
                             "n_in": self.tx_n_in, "n_out": self.tx_n_out, "locktime": self.tx_locktime}),
            "inputs": pa.table({"tx": in_tx, "vin": np.arange(len(prev)) - self.tx_first_in[in_tx],
                                "prev_tx": np.where(has, self.out_tx[np.maximum(prev, 0)], -1),
                                "prev_vout": np.where(has, np.maximum(prev, 0) - self.tx_first_out[
                                    self.out_tx[np.maximum(prev, 0)]], -1),
                                "value": np.where(has, self.out_value[np.maximum(prev, 0)], 0),
                                "address": np.where(has, self.out_addr[np.maximum(prev, 0)], -1)}),
            "outputs": pa.table({"tx": self.out_tx, "vout": np.arange(len(self.out_tx)) - self.tx_first_out[
                self.out_tx], "value": self.out_value, "address": self.out_addr}),
            "addresses": pa.table({"address": np.arange(len(self.addr_owner)), "entity": self.addr_owner,
                                   "script_type": pa.array(np.array(SCRIPT_TYPES)[self.addr_type])}),
            "entities": pa.table({"entity": np.arange(len(self.entity_kind)),
                                  "name": pa.array(self.entity_names, pa.string()),
                                  "kind": pa.array(np.array(ENTITY_KINDS)[self.entity_kind])}),
        }


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
              forwarders: np.ndarray, peelers_hi: int, ent_star: np.ndarray) -> tuple[np.ndarray, ...]:
    np.random.seed(seed)
    n_ent = len(ent_kind)
    cap_out = n_tx * 6 + 1000
    cap_in = n_tx * 5 + 1000
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
        if t >= n_tx:
            break
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


def _planted(script: bytes) -> int:
    kind = classify_bytes(script)
    return SCRIPT_TYPES.index(kind)


def generate(n_txs: int, seed: int = 1, scenario: Scenario | None = None, *, txs_per_block: int = 2000,
             n_users: int | None = None, n_miners: int | None = None) -> SynthChain:
    """Generate a chain of about ``n_txs`` transactions (exactly, unless the economy runs dry)."""
    if n_txs < 1:
        raise ValueError("n_txs must be >= 1")
    scenario = scenario or Scenario()
    rng = np.random.default_rng(seed)
    names: list[str] = []
    kinds: list[int] = []
    fixed: list[bytes | None] = []  # planted script, b"" = generated fixed address, None = no fixed address
    dest_of: dict[int, str] = {}  # entity -> address string it forwards to
    pool_weight: list[float] = []
    pool_of_miner: dict[int, int] = {}
    star: dict[int, int] = {}
    tags: dict[int, str] = {}

    def add(name: str, kind: int, script: bytes | None) -> int:
        names.append(name)
        kinds.append(kind)
        fixed.append(script)
        return len(names) - 1

    pools = {p.name: p for p in DEFAULT_POOLS}
    pools.update({p.name: p for p in scenario.pools})
    pool_ids: dict[str, int] = {}
    for p in pools.values():
        e = add(p.name, K_POOL, address_to_script(p.payout_addresses[0]) if p.payout_addresses else b"")
        pool_ids[p.name] = e
        pool_weight.append(p.weight)
        tags[e] = p.coinbase_tag
    ex_specs = [ExchangeSpec(f"Exchange {c}") for c in "ABCDE"] + list(scenario.exchanges)
    ex_ids: dict[str, int] = {}
    deposit_owner: dict[str, int] = {}
    for x in ex_specs:
        e = add(x.name, K_EXCHANGE, address_to_script(x.hot_wallets[0]) if x.hot_wallets else b"")
        ex_ids[x.name] = e
        for d in x.deposit_addresses:
            deposit_owner[d] = e
    for m in range(2):
        add(f"Mixer {m + 1}", K_MIXER, None)
    n_miners = n_miners or max(20, n_txs // 400)
    miner_lo = len(names)
    weights = np.array(pool_weight) / sum(pool_weight)
    pool_list = list(pool_ids.values())
    for m, pick in enumerate(rng.choice(len(pool_list), size=n_miners, p=weights)):
        e = add(f"Miner {m + 1}", K_MINER, b"")
        pool_of_miner[e] = pool_list[int(pick)]
    for flow in scenario.miner_flows:
        if flow.pool not in pool_ids:
            raise ValueError(f"miner flow {flow.name}: unknown pool {flow.pool}")
        e = add(flow.name, K_MINER, address_to_script(flow.miner_address) if flow.miner_address else b"")
        pool_of_miner[e] = pool_ids[flow.pool]
        star[pool_ids[flow.pool]] = e
    miner_hi = len(names)
    sanctioned = dict(scenario.counterparties) or {}
    for addr, who in sanctioned.items():
        add(who, K_SANCTIONED, address_to_script(addr))
    if not sanctioned:
        for k in range(3):
            add(f"Sanctioned {k + 1}", K_SANCTIONED, b"")
    n_users = n_users or max(100, n_txs // 6)
    users_lo = len(names)
    for u in range(n_users):
        add(f"User {u + 1}", K_USER, None)
    users_hi = len(names)
    forwarders: list[int] = []
    deposit_entities: list[tuple[int, str]] = []
    for flow in scenario.miner_flows:
        miner = names.index(flow.name, miner_lo)
        chain_from = miner
        for h in range(flow.hops):
            relay = add(f"{flow.name} relay {h + 1}", K_RELAY, b"")
            dest_of[chain_from] = f"#entity{relay}"
            forwarders.append(chain_from)
            chain_from = relay
        dest_of[chain_from] = flow.deposit_address
        forwarders.append(chain_from)
        owner = deposit_owner.get(flow.deposit_address, ex_ids[ex_specs[0].name])
        deposit_entities.append((owner, flow.deposit_address))

    n_ent = len(names)
    ent_kind = np.array(kinds, dtype=np.int8)
    ent_type = rng.choice(_TYPES, size=n_ent, p=_TYPE_P).astype(np.int8)
    ent_type[ent_kind == K_POOL] = P2PKH
    # fixed addresses first: planted scripts keep their own type
    planted_scripts: list[bytes] = []
    addr_cap = n_txs * 7 + n_ent + 1000
    addr_owner = np.full(addr_cap, -1, dtype=np.int64)
    addr_type = np.zeros(addr_cap, dtype=np.int8)
    addr_planted = np.full(addr_cap, -1, dtype=np.int64)
    ent_fixed = np.full(n_ent, -1, dtype=np.int64)
    n_fixed = 0
    by_string: dict[str, int] = {}
    for e, script in enumerate(fixed):
        if script is None:
            continue
        addr_owner[n_fixed] = e
        if script:
            addr_type[n_fixed] = _planted(script)
            addr_planted[n_fixed] = len(planted_scripts)
            planted_scripts.append(script)
            ent_type[e] = addr_type[n_fixed] if addr_type[n_fixed] in _TYPES else ent_type[e]
        else:
            addr_type[n_fixed] = ent_type[e]
        ent_fixed[e] = n_fixed
        n_fixed += 1
    for owner, deposit in deposit_entities:
        if deposit in by_string:
            continue
        script = address_to_script(deposit)
        addr_owner[n_fixed] = owner
        addr_type[n_fixed] = _planted(script)
        addr_planted[n_fixed] = len(planted_scripts)
        planted_scripts.append(script)
        by_string[deposit] = n_fixed
        n_fixed += 1
    ent_dest = np.full(n_ent, -1, dtype=np.int64)
    for e, target in dest_of.items():
        ent_dest[e] = ent_fixed[int(target[7:])] if target.startswith("#entity") else by_string[target]
    ent_pool = np.full(n_ent, -1, dtype=np.int64)
    for miner_e, pool_e in pool_of_miner.items():
        ent_pool[miner_e] = pool_e
    ent_star = np.full(n_ent, -1, dtype=np.int64)
    for pool_e, miner_e in star.items():
        ent_star[pool_e] = miner_e
    ranges = np.zeros((7, 2), dtype=np.int64)
    for k in range(7):
        idx = np.flatnonzero(ent_kind == k)
        if len(idx):
            ranges[k] = (idx.min(), idx.max() + 1)
    ranges[K_MINER] = (miner_lo, miner_hi)
    ranges[K_USER] = (users_lo, users_hi)
    pool_cum = np.cumsum(weights)
    pool_cum[-1] = 1.0
    peelers_hi = users_lo + max(1, n_users // 20)
    (tx_block, tx_pattern, tx_first_in, tx_n_in, tx_first_out, tx_n_out, tx_lock, in_prev, out_value, out_addr,
     out_tx, n_addr, block_pool) = _generate(
        n_txs, txs_per_block, seed, ent_kind, ent_type, ent_fixed, ent_dest, ent_pool, pool_cum,
        np.array(pool_list, dtype=np.int64), ranges, n_fixed, addr_owner, addr_type,
        np.array(forwarders, dtype=np.int64), peelers_hi, ent_star)
    na = int(n_addr[0])
    return SynthChain(seed, tx_block, tx_pattern, tx_first_in, tx_n_in, tx_first_out, tx_n_out, tx_lock, in_prev,
                      out_value, out_addr, out_tx, addr_owner[:na].copy(), addr_type[:na].copy(),
                      addr_planted[:na].copy(), planted_scripts, ent_kind, names, block_pool,
                      tags, len(block_pool))
