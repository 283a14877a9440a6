"""The demo exchange's ledger: accounts, deposits (from the synthetic chain), withdrawals, fiat,
trades, logins, internal transfers and Travel Rule records, with the planted ledger-side schemes
(structuring, pass-through, withdrawals to listed wallets).

Rows are plain dicts keyed by the column names of docs/ledger-format.md, so the writer only has to
emit CSV. Amounts are integer minor units: satoshi for BTC, yen for JPY.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np

from sanctrace.demo.chain_world import ChainDeposit
from sanctrace.demo.world import Account, GroundTruth, Party

JPY_PER_BTC = 15_000_000  # valuation used for value_jpy (integer arithmetic: sat * JPY / 1e8)
Row = dict[str, Any]


def value_jpy(sat: int) -> int:
    return sat * JPY_PER_BTC // 100_000_000


@dataclass
class Ledger:
    accounts: list[Row] = field(default_factory=list)
    deposits: list[Row] = field(default_factory=list)
    withdrawals: list[Row] = field(default_factory=list)
    fiat: list[Row] = field(default_factory=list)
    trades: list[Row] = field(default_factory=list)
    logins: list[Row] = field(default_factory=list)
    internal_transfers: list[Row] = field(default_factory=list)
    travel_rule: list[Row] = field(default_factory=list)

    def files(self) -> dict[str, list[Row]]:
        return {"accounts": self.accounts, "deposits": self.deposits, "withdrawals": self.withdrawals,
                "fiat": self.fiat, "trades": self.trades, "logins": self.logins,
                "internal_transfers": self.internal_transfers, "travel_rule": self.travel_rule}


def _ts(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S")


def build_ledger(seed: int, parties: list[Party], accounts: list[Account], truth: GroundTruth,
                 planted_deposits: dict[str, list[ChainDeposit]], ordinary_deposits: list[ChainDeposit],
                 txid_hex: list[str], chain_start: int, chain_end: int,
                 listed_withdrawal_addresses: list[str], withdrawal_address: Any) -> Ledger:
    """``planted_deposits``: customer id → the chain deposits planted for them; ``ordinary_deposits``
    are spread over other customers. ``withdrawal_address(label)`` makes a fresh address."""
    rng = np.random.default_rng(seed + 1)
    ledger = Ledger()
    by_customer = {a.customer_id: a for a in accounts}
    party = {p.party_id: p for p in parties}
    planted_customers = set().union(*truth.schemes.values()) if truth.schemes else set()
    ordinary = [a for a in accounts if a.customer_id not in planted_customers]
    # Off-chain activity (bank transfers, trades) spreads over a month around the chain's window, as
    # an exchange's month of business would; chain deposits keep their block times.
    span = max(chain_end - chain_start, 30 * 86_400)
    chain_start = chain_start - 15 * 86_400
    counter = {"n": 0}

    def event_id(prefix: str) -> str:
        counter["n"] += 1
        return f"{prefix}{counter['n']:08d}"

    for account in accounts:
        p = party[account.customer_id]
        opened = datetime.fromisoformat(account.opened).replace(tzinfo=UTC)
        if p.kind == "company" and p.incorporated:
            opened = max(opened, datetime.fromisoformat(p.incorporated).replace(tzinfo=UTC) + timedelta(days=20))
        opened = min(opened, datetime.fromtimestamp(chain_start, UTC) - timedelta(days=10))
        ledger.accounts.append({
            "account_id": account.account_id, "customer_id": p.party_id,
            "customer_name": p.local_name or p.name, "customer_type": p.kind,
            "country": p.country or "JP", "opened_at": opened.strftime("%Y-%m-%dT%H:%M:%S"),
            "expected_monthly_volume_jpy": 1_000_000 if p.kind == "company" else 300_000,
        })
        for k in range(2):
            ledger.logins.append({"event_id": event_id("L"), "ts": _ts(chain_start - 3600 * (k + 1)),
                                  "account_id": account.account_id, "ip": account.ip, "device_id": account.device})

    def deposit_row(account: Account, dep: ChainDeposit) -> Row:
        row = {"event_id": event_id("D"), "ts": _ts(dep.time + 1800), "account_id": account.account_id,
               "asset": "BTC", "amount": dep.value, "txid": txid_hex[dep.tx], "vout": dep.vout,
               "address": dep.address, "value_jpy": value_jpy(dep.value)}
        ledger.deposits.append(row)
        return row

    for customer, deps in planted_deposits.items():
        for dep in deps:
            deposit_row(by_customer[customer], dep)
    # Ordinary deposits: one customer per deposit address.
    owner_of: dict[str, Account] = {}
    for dep in ordinary_deposits:
        account = owner_of.setdefault(dep.address, ordinary[int(rng.integers(len(ordinary)))])
        row = deposit_row(account, dep)
        if rng.random() < 0.3:  # some customers later withdraw part of it, days later
            amount = int(row["amount"] * rng.uniform(0.2, 0.6))
            ledger.withdrawals.append({
                "event_id": event_id("W"), "ts": _ts(dep.time + 86_400 * float(rng.uniform(2, 20))),
                "account_id": account.account_id, "asset": "BTC", "amount": amount,
                "address": withdrawal_address(f"w:{row['event_id']}"), "txid": "", "value_jpy": value_jpy(amount)})

    # Fiat and trades for everyone (ordinary amounts, well away from the structuring band).
    for account in accounts:
        for _ in range(int(rng.integers(1, 4))):
            amount = int(rng.integers(10, 900)) * 1000
            ts = chain_start + float(rng.uniform(0, span))
            ledger.fiat.append({"event_id": event_id("F"), "ts": _ts(ts), "account_id": account.account_id,
                                "direction": "in", "currency": "JPY", "amount": amount,
                                "counterparty_name": party[account.customer_id].name, "counterparty_country": "JP",
                                "value_jpy": amount})
            sats = amount * 100_000_000 // JPY_PER_BTC
            ledger.trades.append({"event_id": event_id("T"), "ts": _ts(ts + 600), "account_id": account.account_id,
                                  "side": "buy", "base_asset": "BTC", "base_amount": sats, "quote_asset": "JPY",
                                  "quote_amount": amount, "value_jpy": amount})

    # Structuring: 3-5 bank deposits just under the 2,000,000 JPY verification threshold in a week.
    for account in _pick(ordinary, max(3, len(accounts) // 60), rng):
        start = chain_start + float(rng.uniform(0, span))
        for k in range(int(rng.integers(3, 6))):
            amount = int(rng.integers(1_850, 1_990)) * 1000
            ledger.fiat.append({"event_id": event_id("F"), "ts": _ts(start + k * 86_400 * float(rng.uniform(0.5, 1.3))),
                                "account_id": account.account_id, "direction": "in", "currency": "JPY",
                                "amount": amount, "counterparty_name": party[account.customer_id].name,
                                "counterparty_country": "JP", "value_jpy": amount})
        truth.plant("structuring", account.customer_id,
                    "repeated bank deposits just under the 2,000,000 JPY verification threshold")
    ordinary = [a for a in ordinary if a.customer_id not in truth.schemes["structuring"]]

    # Pass-through: a large bank deposit withdrawn almost whole (90-98% of everything that arrived in
    # the six hours before, the window a pass-through rule looks at) within two hours.
    incoming: dict[str, list[Row]] = {}
    for r in (*ledger.fiat, *ledger.deposits):
        if r.get("direction", "in") == "in":
            incoming.setdefault(r["account_id"], []).append(r)
    for account in _pick(ordinary, max(3, len(accounts) // 60), rng):
        ts = chain_start + float(rng.uniform(0, span))
        amount = int(rng.integers(800, 3000)) * 1000
        ledger.fiat.append({"event_id": event_id("F"), "ts": _ts(ts), "account_id": account.account_id,
                            "direction": "in", "currency": "JPY", "amount": amount,
                            "counterparty_name": party[account.customer_id].name, "counterparty_country": "JP",
                            "value_jpy": amount})
        out_ts = ts + float(rng.uniform(1800, 7200))
        arrived = amount + sum(int(r["value_jpy"]) for r in incoming.get(account.account_id, [])
                               if _ts(out_ts - 6 * 3600) <= r["ts"] <= _ts(out_ts))
        out_jpy = int(arrived * rng.uniform(0.9, 0.98))
        sats = out_jpy * 100_000_000 // JPY_PER_BTC + 1
        ledger.withdrawals.append({"event_id": event_id("W"), "ts": _ts(out_ts),
                                   "account_id": account.account_id, "asset": "BTC", "amount": sats,
                                   "address": withdrawal_address(f"pt:{account.account_id}"), "txid": "",
                                   "value_jpy": value_jpy(sats)})
        truth.plant("pass_through", account.customer_id, "funds withdrawn within hours of arriving")
    ordinary = [a for a in ordinary if a.customer_id not in truth.schemes["pass_through"]]

    # Withdrawals to listed wallets (the decision must block them before they leave).
    for i, account in enumerate(_pick(ordinary, max(2, len(accounts) // 150), rng)):
        sats = int(rng.integers(1, 50)) * 1_000_000
        ledger.withdrawals.append({"event_id": event_id("W"), "ts": _ts(chain_start + float(rng.uniform(0, span))),
                                   "account_id": account.account_id, "asset": "BTC", "amount": sats,
                                   "address": listed_withdrawal_addresses[i % len(listed_withdrawal_addresses)],
                                   "txid": "", "value_jpy": value_jpy(sats)})
        truth.plant("sanctioned_wallet_exposure", account.customer_id, "deposits from or withdrawals to listed wallets")

    _travel_rule(ledger, truth, party, by_customer, rng, event_id)
    _internal_transfers(ledger, truth, by_customer, rng, event_id, chain_start, span)
    for rows in ledger.files().values():
        rows.sort(key=lambda r: (r.get("ts", ""), r.get("event_id", r.get("account_id", ""))))
    return ledger


def _pick(accounts: list[Account], count: int, rng: np.random.Generator) -> list[Account]:
    count = min(count, len(accounts))
    return [accounts[int(i)] for i in sorted(rng.choice(len(accounts), size=count, replace=False))]


VASPS = (("bitFlyer", "JP"), ("Coincheck", "JP"), ("Binance", "KY"), ("OKX", "SC"), ("Upbit", "KR"))
RU_VASPS = (("Garantex", "RU"), ("Exmo", "RU"))


def _travel_rule(ledger: Ledger, truth: GroundTruth, party: dict[str, Party], by_customer: dict[str, Account],
                 rng: np.random.Generator, event_id: Any) -> None:
    """IVMS101 records for withdrawals of 100,000 JPY or more (the Japanese Travel Rule threshold);
    some Russian-nexus customers send to Russian VASPs."""
    account_owner = {a.account_id: c for c, a in by_customer.items()}
    russians = truth.schemes.get("russian_nexus_customers", set())
    for row in list(ledger.withdrawals):
        if int(row["value_jpy"]) < 100_000:
            continue
        customer = account_owner[row["account_id"]]
        vasp, country = (RU_VASPS if customer in russians and rng.random() < 0.7 else VASPS)[
            int(rng.integers(2 if customer in russians else len(VASPS)))]
        ledger.travel_rule.append({
            "event_id": event_id("TR"), "ts": row["ts"], "account_id": row["account_id"],
            "transfer_event_id": row["event_id"], "direction": "out",
            "originator_name": party[customer].name, "beneficiary_name": party[customer].name,
            "counterparty_vasp": vasp, "counterparty_vasp_country": country,
            "originator_country": party[customer].country or "JP", "beneficiary_country": country})


def _internal_transfers(ledger: Ledger, truth: GroundTruth, by_customer: dict[str, Account],
                        rng: np.random.Generator, event_id: Any, start: int, span: int) -> None:
    """Nominee companies shuffle funds among themselves (layering inside the exchange)."""
    members = sorted(truth.schemes.get("nominee_network", set()))
    for a, b in itertools.pairwise(members):
        amount = int(rng.integers(5, 40)) * 1_000_000
        ledger.internal_transfers.append({
            "event_id": event_id("I"), "ts": _ts(start + float(rng.uniform(0, span))),
            "account_id": by_customer[a].account_id, "to_account_id": by_customer[b].account_id,
            "asset": "BTC", "amount": amount, "value_jpy": value_jpy(amount)})
