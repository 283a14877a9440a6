"""The facts a report states about a case: who the subject is and which transfers are involved.

Reports read other capabilities' tables (ledger, parties, chain) when they exist and fall back to
what the alerts' evidence carries, so a report can be produced at any stage of a deployment. Each
fact records where it came from (``sources``) so the analyst can say why the report says so.
Amounts stay in integer minor units (satoshi, yen) until the very last formatting step.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sanctrace.cases.workflow import CaseFile, CaseWorkflow
from sanctrace.engine.base import Engine
from sanctrace.model.alert import Alert, as_utc

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


@dataclass(slots=True)
class SubjectProfile:
    subject_type: str
    subject_id: str
    kind: str = "unknown"  # person, entity, address, unknown
    name: str | None = None
    name_kana: str | None = None
    birth_date: str | None = None
    address: str | None = None
    city: str | None = None
    country: str | None = None
    nationality: str | None = None
    occupation: str | None = None
    phone: str | None = None
    customer_id: str | None = None
    account_ids: list[str] = field(default_factory=list)
    opened_at: datetime | None = None
    sources: list[str] = field(default_factory=list)

    def split_name(self) -> tuple[str, str]:
        """(first, last) for forms that want them apart; Japanese names put the family name first."""
        parts = (self.name or self.subject_id).split()
        if len(parts) < 2:
            return "", parts[0] if parts else self.subject_id
        if _CJK.search(self.name or ""):
            return " ".join(parts[1:]), parts[0]
        return " ".join(parts[:-1]), parts[-1]


@dataclass(slots=True)
class TransferFact:
    event_id: str
    direction: str  # in (deposit) / out (withdrawal)
    occurred_at: datetime
    account_id: str | None
    asset: str
    amount: int  # minor units (satoshi for BTC)
    value_local: int | None  # minor units of the local currency (yen), when known
    txid: str | None
    vout: int | None
    address: str | None  # our side: deposit address / their side for withdrawals: destination
    counterparty_addresses: list[str] = field(default_factory=list)
    counterparty_vasp: str | None = None
    counterparty_country: str | None = None
    alert_ids: list[str] = field(default_factory=list)
    rule_ids: list[str] = field(default_factory=list)
    explanations: list[str] = field(default_factory=list)
    source: str = "alert evidence"


@dataclass(slots=True)
class CaseFacts:
    file: CaseFile
    subject: SubjectProfile
    transfers: list[TransferFact]


def _columns(engine: Engine, table: str) -> set[str]:
    if not engine.table_exists(table):
        return set()
    rows = engine.query("SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table])
    return {str(r[0]) for r in rows}


def _fill(profile: SubjectProfile, values: dict[str, Any], source: str) -> None:
    used = False
    for key, value in values.items():
        if value in (None, "") or not hasattr(profile, key) or key in ("sources", "account_ids"):
            continue
        if getattr(profile, key) in (None, "unknown"):
            setattr(profile, key, value)
            used = True
    if used and source not in profile.sources:
        profile.sources.append(source)


def subject_profile(engine: Engine, file: CaseFile) -> SubjectProfile:
    case = file.case
    profile = SubjectProfile(case.subject_type, case.subject_id)
    if case.subject_type == "address":
        profile.kind, profile.name = "address", case.subject_id
    cols = _columns(engine, "ledger_accounts")
    if {"account_id", "customer_id", "customer_name"} <= cols and case.subject_type in ("customer", "account"):
        key = "customer_id" if case.subject_type == "customer" else "account_id"
        rows = engine.query(
            f"SELECT account_id, customer_id, customer_name, customer_type, country, opened_at "
            f"FROM ledger_accounts WHERE {key} = ? ORDER BY opened_at, account_id", [case.subject_id])
        if rows:
            first = rows[0]
            profile.account_ids = [str(r[0]) for r in rows]
            _fill(profile, {"customer_id": first[1], "name": first[2],
                            "kind": "entity" if first[3] == "company" else "person", "country": first[4],
                            "opened_at": as_utc(first[5]) if first[5] else None}, "ledger_accounts")
    party_cols = _columns(engine, "parties")
    if {"party_id", "kind", "primary_name"} <= party_cols:
        wanted = [profile.customer_id or case.subject_id, case.subject_id]
        row = engine.query_one(
            "SELECT party_id, kind, primary_name, birth_date, jurisdiction FROM parties "
            "WHERE party_id IN (SELECT unnest(?)) LIMIT 1", [wanted])
        if row:
            kind = "person" if str(row[1]).lower() == "person" else "entity"
            _fill(profile, {"kind": kind, "name": row[2], "birth_date": row[3], "country": row[4]}, "parties")
    for alert in file.alerts:  # what monitoring attached about the customer
        customer = alert.evidence.get("customer")
        if isinstance(customer, dict):
            _fill(profile, {k: customer.get(k) for k in (
                "name", "name_kana", "birth_date", "address", "city", "country", "nationality", "occupation",
                "phone", "kind")}, f"alert {alert.alert_id}")
    if profile.name_kana is None and profile.name and _CJK.search(profile.name):
        profile.name_kana = _katakana(profile.name)
    if profile.kind == "unknown" and case.subject_type in ("customer", "party"):
        profile.kind = "person"
    return profile


def _katakana(text: str) -> str | None:
    """Reading of a Japanese name in full-width katakana (the フリガナ field)."""
    try:
        import pykakasi
    except ImportError:  # pragma: no cover - installed with the project
        return None
    parts = pykakasi.kakasi().convert(text)  # type: ignore[no-untyped-call]
    return "".join(str(p["kana"]) for p in parts) or None


def _transfer_from_ledger(engine: Engine, event_id: str) -> TransferFact | None:
    if not {"event_id", "kind", "txid", "address"} <= _columns(engine, "ledger_events"):
        return None
    row = engine.query_one(
        "SELECT event_id, kind, ts, account_id, asset, amount, value_jpy, txid, vout, address "
        "FROM ledger_events WHERE event_id = ? AND kind IN ('deposit', 'withdrawal')", [event_id])
    if row is None:
        return None
    fact = TransferFact(
        event_id=str(row[0]), direction="in" if row[1] == "deposit" else "out", occurred_at=as_utc(row[2]),
        account_id=row[3], asset=str(row[4] or "BTC"), amount=int(row[5] or 0),
        value_local=None if row[6] is None else int(row[6]), txid=row[7],
        vout=None if row[8] is None else int(row[8]), address=row[9], source="ledger_events")
    travel = engine.query_one(
        "SELECT counterparty_vasp, counterparty_vasp_country FROM ledger_events "
        "WHERE kind = 'travel_rule' AND transfer_event_id = ? LIMIT 1", [event_id])
    if travel:
        fact.counterparty_vasp, fact.counterparty_country = travel[0], travel[1]
    return fact


def _transfer_from_evidence(alert: Alert) -> TransferFact | None:
    t = alert.evidence.get("transfer")
    if not isinstance(t, dict) or ("amount_sat" not in t and "amount" not in t):
        return None
    direction = str(t.get("direction") or "in")
    counter = t.get("from_address") if direction == "in" else t.get("to_address")
    occurred = t.get("ts")
    return TransferFact(
        event_id=str(t.get("event_id") or alert.event_id), direction=direction,
        occurred_at=as_utc(datetime.fromisoformat(occurred)) if isinstance(occurred, str) else alert.occurred_at,
        account_id=t.get("account_id"), asset=str(t.get("asset") or "BTC"),
        amount=int(t["amount_sat"] if t.get("amount_sat") is not None else t.get("amount") or 0),
        value_local=None if t.get("value_jpy") is None else int(t["value_jpy"]),
        txid=t.get("txid"), vout=None if t.get("vout") is None else int(t["vout"]), address=t.get("address"),
        counterparty_addresses=[str(counter)] if counter else [],
        counterparty_vasp=t.get("counterparty_vasp"), counterparty_country=t.get("counterparty_country"))


def _input_addresses(engine: Engine, txid: str) -> list[str]:
    """The addresses that funded a transaction, from the ingested chain (deposits' senders)."""
    if not all(engine.table_exists(t) for t in ("chain_txs", "chain_inputs", "chain_addresses")):
        return []
    rows = engine.query(
        "SELECT DISTINCT a.address FROM chain_txs t JOIN chain_inputs i ON i.tx_id = t.tx_id "
        "JOIN chain_addresses a ON a.address_id = i.address_id WHERE t.txid = ? ORDER BY a.address", [txid])
    return [str(r[0]) for r in rows]


def case_transfers(engine: Engine, file: CaseFile) -> list[TransferFact]:
    by_event: dict[str, TransferFact] = {}
    for alert in file.alerts:
        fact = by_event.get(alert.event_id)
        if fact is None:
            fact = _transfer_from_ledger(engine, alert.event_id) or _transfer_from_evidence(alert)
            if fact is None:
                continue
            evidence = _transfer_from_evidence(alert)
            if evidence is not None and not fact.counterparty_addresses:
                fact.counterparty_addresses = evidence.counterparty_addresses
            if fact.direction == "in" and not fact.counterparty_addresses and fact.txid:
                fact.counterparty_addresses = _input_addresses(engine, fact.txid)
            by_event[alert.event_id] = fact
        fact.alert_ids.append(alert.alert_id)
        fact.rule_ids.append(alert.rule_id)
        fact.explanations.append(alert.explanation)
    return sorted(by_event.values(), key=lambda f: (f.occurred_at, f.event_id))


def gather(engine: Engine, case_id: str) -> CaseFacts:
    file = CaseWorkflow(engine).show(case_id)
    return CaseFacts(file, subject_profile(engine, file), case_transfers(engine, file))


def format_btc(sat: int) -> str:
    """Satoshi → a decimal BTC string with 8 places, without going through floats."""
    sign = "-" if sat < 0 else ""
    whole, frac = divmod(abs(sat), 100_000_000)
    return f"{sign}{whole}.{frac:08d}"
