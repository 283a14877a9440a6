"""The demo world's Bitcoin side: a synthetic chain in which our exchange, a Russian-nexus pool,
a BitRiver-hosted miner and real OFAC-listed addresses are planted.

Built on the chain generator (:mod:`sanctrace.chain.synth`) through its scenario hook:

* **Hinode Exchange** is the demo exchange: a hot wallet plus one deposit address per planted
  customer; ordinary deposits land on addresses the generator makes for it.
* **EMCDPool** mines with its real payout address and coinbase tag (the pools file attributes it,
  and its RU jurisdiction makes its coinbases Russian-nexus mining);
* a **BitRiver-hosted miner** mines at an ordinary pool; only a user tag says what it is;
* **sanctioned wallets**: real OFAC XBT addresses from the shipped SDN snapshot, some paying into
  planted deposit addresses (modelled as flows from a pool payout, so the listed address sits one
  hop before the deposit), others trading with the economy at large.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sanctrace.chain.address import script_address
from sanctrace.chain.synth import ExchangeSpec, MinerFlow, PoolSpec, Scenario, SynthChain, generate

EXCHANGE = "Hinode Exchange"
EMCD_PAYOUT = "1BDbsWi3Mrcjp1wdop3PWFNCNZtu4R7Hjy"  # EMCDPool's payout address in the public pool lists
TXS_BY_SIZE = {"small": 20_000, "medium": 1_000_000, "large": 10_000_000}
TXS_PER_BLOCK = {"small": 200, "medium": 2_000, "large": 2_000}


def synthetic_address(seed: int, label: str) -> str:
    """A valid mainnet P2WPKH address derived from (seed, label): stable across runs."""
    program = hashlib.sha256(f"sanctrace-demo:{seed}:{label}".encode()).digest()[:20]
    address = script_address(b"\x00\x14" + program)
    assert address is not None
    return address


@dataclass
class PlantedFlow:
    customer_id: str
    scheme: str  # "mining_derived_deposits" or "sanctioned_wallet_exposure"
    deposit_address: str
    source: str  # what the coins come from (pool, miner or listed address)


@dataclass
class ChainPlan:
    scenario: Scenario
    flows: list[PlantedFlow] = field(default_factory=list)
    hot_wallet: str = ""
    bitriver_miners: list[str] = field(default_factory=list)
    sanctioned: dict[str, str] = field(default_factory=dict)  # address -> list entity (counterparties)


def plan_chain(seed: int, mining_customers: list[str], sanctioned_customers: list[str],
               ofac_xbt: list[tuple[str, str]]) -> ChainPlan:
    """The scenario to plant. ``ofac_xbt``: (address, entity id) pairs of real listed XBT addresses."""
    hot = synthetic_address(seed, "hinode-hot")
    flows: list[PlantedFlow] = []
    miner_flows: list[MinerFlow] = []
    bitriver: list[str] = []
    for i, customer in enumerate(mining_customers):
        deposit = synthetic_address(seed, f"deposit:{customer}")
        if i % 3 == 2:
            miner = synthetic_address(seed, f"bitriver-miner:{i}")
            bitriver.append(miner)
            miner_flows.append(MinerFlow(f"BitRiver-hosted miner {i}", "ViaBTC", deposit, miner, hops=0))
            flows.append(PlantedFlow(customer, "mining_derived_deposits", deposit, f"BitRiver-hosted miner {miner}"))
        else:
            miner_flows.append(MinerFlow(f"EMCD miner {i}", "EMCDPool", deposit, None, hops=i % 2))
            flows.append(PlantedFlow(customer, "mining_derived_deposits", deposit, "EMCDPool coinbase"))
    # Listed wallets that pay our customers: half of the real addresses, one per planted customer.
    payers = ofac_xbt[: len(sanctioned_customers)]
    for i, customer in enumerate(sanctioned_customers):
        deposit = synthetic_address(seed, f"deposit:{customer}")
        address, entity = payers[i % len(payers)]
        miner_flows.append(MinerFlow(f"Listed wallet {entity} #{i}", "F2Pool", deposit, address, hops=0))
        flows.append(PlantedFlow(customer, "sanctioned_wallet_exposure", deposit, f"{entity} {address}"))
    # The rest trade with the economy as ordinary sanctioned counterparties.
    counterparties = {address: f"OFAC {entity}" for address, entity in ofac_xbt[len(sanctioned_customers):]}
    scenario = Scenario(
        pools=[PoolSpec("EMCDPool", [EMCD_PAYOUT], "/EMCD/", 6.0)],
        exchanges=[ExchangeSpec(EXCHANGE, [hot], [f.deposit_address for f in flows])],
        counterparties=counterparties,
        miner_flows=miner_flows,
    )
    return ChainPlan(scenario, flows, hot, bitriver, counterparties)


def build_chain(seed: int, size: str, plan: ChainPlan) -> SynthChain:
    return generate(TXS_BY_SIZE[size], seed, plan.scenario, txs_per_block=TXS_PER_BLOCK[size])


@dataclass
class ChainDeposit:
    output: int  # output index in the synthetic chain
    tx: int
    vout: int
    address: str
    value: int
    time: int  # unix seconds of the block


def exchange_deposits(chain: SynthChain, addresses: np.ndarray, block_time: np.ndarray) -> list[ChainDeposit]:
    """Every output paid to one of the demo exchange's addresses except its hot wallet, i.e. the
    deposits its customers made (sweeps into the hot wallet and change are not deposits)."""
    entity = chain.entity_names.index(EXCHANGE)
    out_owner = chain.addr_owner[chain.out_addr]
    hot_index = int(np.flatnonzero(chain.addr_owner == entity)[0])  # fixed addresses come first
    senders_owner = _input_owner(chain)
    mask = (out_owner == entity) & (chain.out_addr != hot_index) & (senders_owner[chain.out_tx] != entity)
    outputs = np.flatnonzero(mask)
    vouts = outputs - chain.tx_first_out[chain.out_tx[outputs]]
    strings = addresses
    return [ChainDeposit(int(o), int(chain.out_tx[o]), int(v), str(strings[chain.out_addr[o]]),
                         int(chain.out_value[o]), int(block_time[chain.tx_block[chain.out_tx[o]]]))
            for o, v in zip(outputs, vouts, strict=True)]


def _input_owner(chain: SynthChain) -> np.ndarray:
    """Owner of each transaction's first input's address (-1 for coinbases)."""
    first = chain.tx_first_in
    prev = chain.in_prev_out[np.minimum(first, len(chain.in_prev_out) - 1)]
    owner = np.where(prev >= 0, chain.addr_owner[chain.out_addr[np.maximum(prev, 0)]], -1)
    return np.asarray(owner)


def write_user_tags(path: Path, plan: ChainPlan) -> None:
    """The exchange's own intelligence: BitRiver-hosted miners (known only from this file) and the
    exchange's own hot wallet."""
    lines = ["address,label,category,entity,jurisdiction,confidence,source"]
    for address in plan.bitriver_miners:
        lines.append(f"{address},BitRiver hosting client,miner,BitRiver-hosted miner,RU,80,"
                     "exchange investigations (demo)")
    lines.append(f"{plan.hot_wallet},{EXCHANGE} hot wallet,exchange,{EXCHANGE},JP,100,own wallet")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
