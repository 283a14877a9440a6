"""``sanctrace demo generate``: write the whole demo world to a directory.

Layout (every file in a documented, real format the pipeline loads like any customer data)::

    DIR/parties/parties.csv, relations.csv      docs/parties-csv.md
    DIR/ledger/<kind>.csv                       docs/ledger-format.md
    DIR/chain/blk00000.dat ...                  Bitcoin Core block files (regtest framing)
    DIR/tags/pools-v2.json                      mining-pool attribution (mempool format, MIT)
    DIR/tags/exchange_tags.csv                  the exchange's own tags (BitRiver-hosted miners)
    DIR/truth/ground_truth.json                 every planted scheme and its subjects
    DIR/truth/chain/truth_*.parquet             chain ground truth (address → entity, tx → pattern)
    DIR/world.json                              seed, size, counts
"""

from __future__ import annotations

import csv
import json
import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from sanctrace.chain.address import hex_rows
from sanctrace.chain.synth import ENTITY_KINDS, K_EXCHANGE, K_MIXER, K_POOL, K_SANCTIONED, SynthChain
from sanctrace.chain.synth_write import write_blk_files, write_ground_truth
from sanctrace.demo import chain_world, ledger_gen, world
from sanctrace.errors import InputError
from sanctrace.lists.registry import parse_file
from sanctrace.model.list_entry import ListEntry

SNAPSHOT = "sdn_advanced_2025-11-19.xml.bz2"


@dataclass
class WorldSummary:
    out_dir: Path
    seed: int
    size: str
    customers: int
    parties: int
    relations: int
    chain_txs: int
    chain_blocks: int
    ledger_rows: dict[str, int]
    schemes: dict[str, int]


def snapshot_path() -> Path:
    return Path(str(resources.files("sanctrace.data").joinpath("lists", SNAPSHOT)))


def shipped_entries() -> list[ListEntry]:
    return parse_file(snapshot_path()).entries


def generate_world(seed: int, size: world.Size, out_dir: Path, *, entries: list[ListEntry] | None = None,
                   progress: Any = None) -> WorldSummary:
    if size not in world.CUSTOMERS_BY_SIZE:
        raise InputError(f"--size: unknown size {size!r} (small, medium, large)")
    step = progress or (lambda label: None)
    out_dir.mkdir(parents=True, exist_ok=True)
    step("reading the shipped OFAC snapshot")
    entries = entries if entries is not None else shipped_entries()
    rng = np.random.default_rng(seed)
    listed = world.sanctioned_russians(entries, 8, rng)
    step("customers, companies and ownership")
    parties = world.generate_parties(seed, size, listed)
    truth = parties.truth

    # Chain: choose planted customers among ordinary Japanese/foreign individuals and companies.
    planted_so_far = set().union(*truth.schemes.values())
    candidates = [p.party_id for p in parties.parties if p.is_customer and p.party_id not in planted_so_far]
    n_mining = max(6, len(candidates) // 40)
    n_sanctioned = max(3, len(candidates) // 100)
    picks = rng.choice(len(candidates), size=n_mining + n_sanctioned, replace=False)
    mining_customers = [candidates[int(i)] for i in picks[:n_mining]]
    sanctioned_customers = [candidates[int(i)] for i in picks[n_mining:]]
    ofac_xbt = _ofac_xbt(entries, rng)
    plan = chain_world.plan_chain(seed, mining_customers, sanctioned_customers, ofac_xbt[:24])
    step(f"synthetic chain ({chain_world.TXS_BY_SIZE[size]:,} transactions)")
    chain = chain_world.build_chain(seed, size, plan)
    blk_paths = write_blk_files(chain, out_dir / "chain")
    write_ground_truth(chain, out_dir / "truth" / "chain")
    assert chain.txids is not None
    txid_hex = [str(t) for t in hex_rows(chain.txids).to_pylist()]
    addresses = np.array(chain.address_strings().to_pylist(), dtype=object)
    block_time = chain.start_time + 600 * np.arange(chain.n_blocks, dtype=np.int64)
    deposits = chain_world.exchange_deposits(chain, addresses, block_time)

    flow_by_address = {f.deposit_address: f for f in plan.flows}
    planted: dict[str, list[chain_world.ChainDeposit]] = {}
    ordinary: list[chain_world.ChainDeposit] = []
    tainted = _tainted_outputs(chain, np.array([d.output for d in deposits], dtype=np.int64), plan, hops=4)
    for dep in deposits:
        flow = flow_by_address.get(dep.address)
        if flow is not None:
            planted.setdefault(flow.customer_id, []).append(dep)
        elif dep.output not in tainted:
            ordinary.append(dep)
    for flow in plan.flows:
        if flow.customer_id in planted:  # only flows that really reached the chain are ground truth
            truth.plant(flow.scheme, flow.customer_id, _SCHEME_NOTES[flow.scheme])

    step("exchange ledger")
    listed_withdrawals = [a for a, _ in ofac_xbt[24:]] or [a for a, _ in ofac_xbt]
    ledger = ledger_gen.build_ledger(
        seed, parties.parties, parties.accounts, truth, planted, ordinary, txid_hex,
        int(block_time[0]), int(block_time[-1]), listed_withdrawals,
        lambda label: chain_world.synthetic_address(seed, label))

    step("writing files")
    _write_parties(out_dir / "parties", parties)
    rows = {}
    for name, table in ledger.files().items():
        rows[name] = _write_csv(out_dir / "ledger" / f"{name}.csv", table)
    tags_dir = out_dir / "tags"
    tags_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(Path(str(resources.files("sanctrace.data").joinpath("chain", "mempool_pools-v2.json"))),
                    tags_dir / "pools-v2.json")
    chain_world.write_user_tags(tags_dir / "exchange_tags.csv", plan)
    truth_doc = {
        "seed": seed, "size": size,
        "schemes": {name: {"description": truth.notes.get(name, ""), "subjects": sorted(subjects)}
                    for name, subjects in sorted(truth.schemes.items())},
        "listed_entities": [e.entity_id for e in listed],
        "planted_flows": [{"customer_id": f.customer_id, "scheme": f.scheme, "deposit_address": f.deposit_address,
                           "source": f.source} for f in plan.flows if f.customer_id in planted],
    }
    (out_dir / "truth").mkdir(parents=True, exist_ok=True)
    (out_dir / "truth" / "ground_truth.json").write_text(json.dumps(truth_doc, ensure_ascii=False, indent=2),
                                                         encoding="utf-8")
    summary = WorldSummary(out_dir, seed, size, sum(p.is_customer for p in parties.parties), len(parties.parties),
                           len(parties.edges), chain.n_txs, chain.n_blocks, rows,
                           {k: len(v) for k, v in truth.schemes.items()})
    (out_dir / "world.json").write_text(json.dumps({
        "seed": seed, "size": size, "customers": summary.customers, "parties": summary.parties,
        "chain_txs": summary.chain_txs, "chain_blocks": summary.chain_blocks, "chain_files": len(blk_paths),
        "ledger_rows": rows, "schemes": summary.schemes}, indent=2), encoding="utf-8")
    return summary


_SCHEME_NOTES = {
    "mining_derived_deposits": "deposits whose coins come from Russian-nexus pool coinbases or BitRiver-hosted miners",
    "sanctioned_wallet_exposure": "deposits from or withdrawals to listed wallets",
}


def _ofac_xbt(entries: list[ListEntry], rng: np.random.Generator) -> list[tuple[str, str]]:
    """Real listed XBT addresses whose scripts the chain can carry (base58 or bech32), by seed."""
    from sanctrace.chain.address import address_to_script

    found: list[tuple[str, str]] = []
    for entry in sorted(entries, key=lambda e: e.entity_id):
        for crypto in entry.crypto_addresses:
            if crypto.currency != "XBT":
                continue
            try:
                address_to_script(crypto.address)
            except (InputError, ValueError):
                continue
            found.append((crypto.address, entry.entity_id))
    order = rng.permutation(len(found))
    return [found[int(i)] for i in order[:40]]


def _tainted_outputs(chain: SynthChain, outputs: np.ndarray, plan: chain_world.ChainPlan, hops: int) -> set[int]:
    """Deposit outputs with sanctioned or Russian-mining funds within ``hops`` transactions, found on the
    generator's own ownership data; they are left out of ordinary customers' deposits so the ground
    truth stays exact. Set-wise per hop; walks stop at exchanges, pools and mixers as tracing does."""
    kinds = chain.entity_kind
    emcd = chain.entity_names.index("EMCDPool")
    bitriver = {i for i, n in enumerate(chain.entity_names) if n.startswith("BitRiver-hosted miner")}
    bad_entity = np.zeros(len(kinds), dtype=bool)
    bad_entity[kinds == K_SANCTIONED] = True
    bad_entity[emcd] = True
    for e in bitriver:
        bad_entity[e] = True
    stop = np.isin(kinds, [K_EXCHANGE, K_POOL, K_MIXER])
    deposit_of = np.arange(len(outputs), dtype=np.int64)
    txs = chain.out_tx[outputs]
    flagged = np.zeros(len(outputs), dtype=bool)
    for _ in range(hops):
        if len(txs) == 0:
            break
        n_in = chain.tx_n_in[txs]
        owner_rep = np.repeat(deposit_of, n_in)
        starts = np.repeat(chain.tx_first_in[txs], n_in)
        offsets = np.arange(int(n_in.sum())) - np.repeat(np.cumsum(n_in) - n_in, n_in)
        prev = chain.in_prev_out[starts + offsets]
        coinbase = prev < 0
        if coinbase.any():  # a coinbase mined by EMCD is Russian mining
            cb_tx = np.repeat(txs, n_in)[coinbase]
            flagged[owner_rep[coinbase][chain.block_pool[chain.tx_block[cb_tx]] == emcd]] = True
        keep = ~coinbase
        prev, owner_rep = prev[keep], owner_rep[keep]
        entity = chain.addr_owner[chain.out_addr[prev]]
        flagged[owner_rep[bad_entity[entity]]] = True
        go = ~stop[entity] & ~bad_entity[entity]
        pairs = np.unique(np.stack([owner_rep[go], chain.out_tx[prev[go]]]), axis=1)
        deposit_of, txs = pairs[0], pairs[1]
        if len(txs) > 2_000_000:  # hub explosion: the remaining deposits are treated as tainted
            flagged[np.unique(deposit_of)] = True
            break
    return {int(o) for o in outputs[flagged]}


def _write_csv(path: Path, rows: list[dict[str, Any]]) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not rows:  # an empty kind is simply absent, as in a real export
        path.unlink(missing_ok=True)
        return 0
    columns = list(rows[0].keys())
    for row in rows[1:]:
        for key in row:
            if key not in columns:
                columns.append(key)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return len(rows)


def _write_parties(directory: Path, pw: world.PartiesWorld) -> None:
    accounts = {a.customer_id: a for a in pw.accounts}
    rows: list[dict[str, Any]] = []
    for p in pw.parties:
        account = accounts.get(p.party_id)
        identifiers = f"registration:{p.registration_number}" if p.registration_number else ""
        rows.append({
            "party_id": p.party_id, "kind": p.kind, "legal_name": p.name, "local_name": p.local_name or "",
            "phonetic_name": p.phonetic_name or "", "is_customer": "true" if p.is_customer else "false",
            "jurisdiction": p.country or "", "countries": p.nationality or "",
            "birth_date": p.birth_date or "", "incorporation_date": p.incorporated or "",
            "identifiers": identifiers, "addresses": p.address or "", "phones": p.phone or "",
            "emails": p.email or "", "devices": account.device if account else "",
            "ips": account.ip if account else "", "bank_accounts": account.bank_account if account else "",
        })
    _write_csv(directory / "parties.csv", rows)
    _write_csv(directory / "relations.csv", [
        {"source_id": e.owner_id, "target_id": e.asset_id,
         "relation": "ownership" if e.kind == "ownership" else "director",
         "share": f"{e.percentage:g}" if e.percentage is not None else "", "role": e.role or ""}
        for e in pw.edges])


__all__ = ["ENTITY_KINDS", "WorldSummary", "generate_world"]
