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

from sanctrace.chain.address import address_to_script
from sanctrace.chain.schema import SCRIPT_TYPES
from sanctrace.chain.script import P2PKH, P2SH, P2TR, P2WPKH, P2WSH, classify_bytes
from sanctrace.chain.synth_kernel import (
    ENTITY_KINDS,
    K_EXCHANGE,
    K_MINER,
    K_MIXER,
    K_POOL,
    K_RELAY,
    K_SANCTIONED,
    K_USER,
    PATTERNS,
    _generate,
)

__all__ = ["ENTITY_KINDS", "K_EXCHANGE", "K_MINER", "K_MIXER", "K_POOL", "K_RELAY", "K_SANCTIONED", "K_USER",
           "PATTERNS", "ExchangeSpec", "MinerFlow", "PoolSpec", "Scenario", "SynthChain", "generate"]

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
    addr_cap = int(n_txs * 4.5) + n_ent + 1000
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
    # room for ~4 outputs, ~3 inputs, ~4.5 new addresses per transaction (measured: 2.9, 1.8, 2.2);
    # a run that runs out of room is repeated with more (same seed, same result)
    factor = 1.0
    while True:
        cap_out, cap_in = int(n_txs * 4 * factor) + 4000, int(n_txs * 3 * factor) + 4000
        (tx_block, tx_pattern, tx_first_in, tx_n_in, tx_first_out, tx_n_out, tx_lock, in_prev, out_value, out_addr,
         out_tx, n_addr, block_pool) = _generate(
            n_txs, txs_per_block, seed, ent_kind, ent_type, ent_fixed, ent_dest, ent_pool, pool_cum,
            np.array(pool_list, dtype=np.int64), ranges, n_fixed, addr_owner, addr_type,
            np.array(forwarders, dtype=np.int64), peelers_hi, ent_star, cap_out, cap_in)
        if len(tx_block) >= n_txs or factor > 4:
            break
        factor *= 2
        grown = int(n_txs * 4.5 * factor) + n_ent + 1000
        addr_owner = np.concatenate([addr_owner, np.full(grown - len(addr_owner), -1, dtype=np.int64)])
        addr_type = np.concatenate([addr_type, np.zeros(grown - len(addr_type), dtype=np.int8)])
        addr_planted = np.concatenate([addr_planted, np.full(grown - len(addr_planted), -1, dtype=np.int64)])
    na = int(n_addr[0])
    return SynthChain(seed, tx_block, tx_pattern, tx_first_in, tx_n_in, tx_first_out, tx_n_out, tx_lock, in_prev,
                      out_value, out_addr, out_tx, addr_owner[:na].copy(), addr_type[:na].copy(),
                      addr_planted[:na].copy(), planted_scripts, ent_kind, names, block_pool,
                      tags, len(block_pool))
