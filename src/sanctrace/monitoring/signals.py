"""The adapter layer: materialise what screening, ownership and chain found as three signal tables.

Rules and decisions never call the other capabilities; they read ``signal_customers``,
``signal_addresses`` and ``signal_deposits`` (shapes in :mod:`.signal_schema`). This module fills
them, set-wise where the data is ours and through each capability's public API where it is not:

* customers — for every ledger customer: the screening engine's best match against the current
  list snapshots (a potential match → ``screening_hit``), the Russia-nexus reasons of the customer
  record (enriched with the ownership party of the same id: nationalities, birth date, phones, e-mails,
  addresses), and the ownership verdicts (``sanctrace.ownership.evaluate``) of the party with the same
  id under each regime (listed, blocked by the 50% rule, listed beneficial owner);
* addresses — every tagged Bitcoin address (``chain_tags``: sanctioned, Russian-nexus actor or
  Russian mining) plus every member of a multi-input cluster that contains one;
* deposits — for each ledger deposit output, the backward exposure trace
  (``sanctrace.chain.exposure.exposure``): Russian-nexus mining share, sanctioned share, hops.

A capability whose data is not loaded is skipped and reported as such; its signals stay "nothing
known" (a missing row), which the decision policy treats as documented in docs/rules.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from sanctrace.config import Settings
from sanctrace.engine.base import Engine
from sanctrace.errors import NotFound, SanctraceError
from sanctrace.monitoring.ledger_schema import ensure_ledger_tables
from sanctrace.monitoring.signal_schema import (
    SIGNAL_ADDRESSES,
    SIGNAL_CUSTOMERS,
    SIGNAL_DEPOSITS,
    ensure_signal_tables,
)

# A screening score this high is treated as a confirmed listing (exact name and corroborating
# evidence, or a wallet match); lower scores above the threshold are potential matches (hold).
LISTED_SCORE = 0.98
_ARROW = {"VARCHAR": pa.string(), "BOOLEAN": pa.bool_(), "DOUBLE": pa.float64(), "INTEGER": pa.int32()}


@dataclass
class SignalReport:
    customers: int = 0
    addresses: int = 0
    deposits: int = 0
    skipped: dict[str, str] = field(default_factory=dict)
    sources: dict[str, Any] = field(default_factory=dict)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _write(engine: Engine, table: str, columns: tuple[tuple[str, str], ...], rows: list[dict[str, Any]],
           *, replace: bool, key: tuple[str, ...]) -> None:
    data = {n: pa.array([r.get(n) for r in rows], _ARROW[t]) for n, t in columns}
    data["updated_at"] = pa.array([_now()] * len(rows), pa.timestamp("us"))
    engine.register("_signal_rows", pa.table(data))
    names = ", ".join([*(n for n, _ in columns), "updated_at"])
    with engine.transaction():
        if replace:
            engine.execute(f"DELETE FROM {table}")
        else:
            cond = " AND ".join(f"t.{k} = n.{k}" for k in key)
            engine.execute(f"DELETE FROM {table} t USING _signal_rows n WHERE {cond}")
        engine.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _signal_rows")


# -- customers -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class _Customer:
    customer_id: str
    name: str
    kind: str
    country: str | None
    nationality: str | None = None  # the rest from the ownership party with the same id, when loaded
    birth_date: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    wallet: str | None = None


def _customers(engine: Engine) -> list[_Customer]:
    """Ledger customers, enriched with what the party store knows about the same id."""
    base = ("SELECT customer_id, any_value(customer_name), any_value(customer_type), any_value(country) "
            "FROM ledger_accounts GROUP BY customer_id")
    if not (engine.table_exists("parties") and engine.table_exists("party_keys")):
        return [_Customer(r[0], r[1], r[2], r[3]) for r in engine.query(base + " ORDER BY customer_id")]
    rows = engine.query(
        f"""WITH c AS ({base}),
        k AS (SELECT party_id, string_agg(value, ';') FILTER (WHERE key_type = 'phone') AS phone,
                     string_agg(value, ';') FILTER (WHERE key_type = 'email') AS email,
                     string_agg(value, ' | ') FILTER (WHERE key_type = 'address') AS address,
                     any_value(value) FILTER (WHERE key_type = 'wallet') AS wallet
              FROM party_keys GROUP BY party_id)
        SELECT c.*, array_to_string(p.countries, ';'), p.birth_date, k.phone, k.email, k.address, k.wallet
        FROM c LEFT JOIN parties p ON p.party_id = c.customer_id LEFT JOIN k ON k.party_id = c.customer_id
        ORDER BY c.customer_id""")
    return [_Customer(*r) for r in rows]


def _screening(engine: Engine, settings: Settings, customers: list[_Customer],
               report: SignalReport) -> dict[str, dict[str, Any]]:
    from sanctrace.screening.nexus import russia_nexus

    out: dict[str, dict[str, Any]] = {}
    screener = None
    try:
        from sanctrace.lists.store import current_snapshot_ids
        from sanctrace.screening.screener import Screener

        if current_snapshot_ids(engine):
            screener = Screener.from_engine(engine, threshold=settings.screening_threshold)
            report.sources["screening"] = {"list_version": screener.list_version}
        else:
            report.skipped["screening"] = "no sanctions lists loaded (sanctrace lists load)"
    except (ImportError, SanctraceError) as exc:
        report.skipped["screening"] = str(exc)
    for c in customers:
        cid = c.customer_id
        sig: dict[str, Any] = {"customer_id": cid}
        reasons = [f"{r.reason}: {r.value}" for r in russia_nexus(
            country=c.country, nationality=c.nationality, phone=c.phone, email=c.email, address=c.address)]
        if screener is not None:
            from sanctrace.screening.records import CustomerRecord

            result = screener.screen(CustomerRecord(
                id=cid, name=c.name, kind=c.kind or "unknown", country=c.country, nationality=c.nationality,
                birth_date=c.birth_date, phone=c.phone, email=c.email, address=c.address, wallet=c.wallet))
            if result.matches:
                top = result.matches[0]
                sig.update(screening_hit=True, screening_score=float(top.score), list_entry=top.entity_id,
                           list_name=top.name, listed=top.score >= LISTED_SCORE)
        if reasons:
            sig.update(russia_nexus=True, nexus_reason="; ".join(dict.fromkeys(reasons)))
        sig["sources"] = ["screening"] if screener is not None else ["nexus"]
        out[cid] = sig
    return out


def _ownership(engine: Engine, regimes: tuple[str, ...], out: dict[str, dict[str, Any]],
               report: SignalReport) -> None:
    if not engine.table_exists("parties") or not engine.scalar("SELECT count(*) FROM parties"):
        report.skipped["ownership"] = "no parties loaded (sanctrace parties load)"
        return
    from sanctrace.ownership import evaluate
    from sanctrace.ownership.world import load_world

    engine.register("_signal_customer_ids", pa.table({"id": pa.array(list(out), pa.string())}))
    known = [r[0] for r in engine.query(
        "SELECT party_id FROM parties JOIN _signal_customer_ids ON id = party_id ORDER BY party_id")]
    world = load_world(engine, None)
    used = []
    for regime in regimes:
        try:  # only the customers' verdicts: evaluating every party (list parties too) costs minutes
            found = {v.party_id: v for v in evaluate(world, regime, known)} if known else {}
        except SanctraceError as exc:
            report.skipped[f"ownership:{regime}"] = str(exc)
            continue
        used.append(regime)
        for cid, sig in out.items():
            v = found.get(cid)
            if v is None:
                continue
            sig["listed"] = bool(sig.get("listed")) or v.listed
            if v.listed and not sig.get("list_entry"):
                sig["list_entry"] = f"{regime}:{v.party_id}"
            if v.blocked and not v.listed:
                sig["ownership_blocked"] = True
                sig["ownership_share"] = max(float(sig.get("ownership_share") or 0.0), float(v.share["certain"]))
            owners = [b for b in v.beneficial_owners if b.get("listed") and b.get("party_id") != cid]
            if owners:
                sig["owner_listed"] = True
                sig["owner_name"] = str(owners[0].get("name") or owners[0].get("party_id"))
            elif v.blocked and not v.listed and v.paths and not sig.get("owner_name"):
                sig["owner_name"] = str(v.paths[0].get("from") or v.paths[0].get("owner") or "")
            sig["sources"] = [*sig.get("sources", []), f"ownership:{regime}"]
    report.sources["ownership"] = used


def refresh_customers(engine: Engine, settings: Settings, regimes: tuple[str, ...], report: SignalReport) -> None:
    customers = _customers(engine)
    out = _screening(engine, settings, customers, report)
    _ownership(engine, regimes, out, report)
    rows = []
    for sig in out.values():
        sig["sources"] = json.dumps(sig.get("sources", []))
        rows.append(sig)
    _write(engine, "signal_customers", SIGNAL_CUSTOMERS, rows, replace=True, key=("customer_id",))
    report.customers = len(rows)


# -- addresses -------------------------------------------------------------------------------------
def refresh_addresses(engine: Engine, report: SignalReport) -> None:
    if not engine.table_exists("chain_tags"):
        report.skipped["addresses"] = "no address tags loaded (sanctrace chain tags load)"
        return
    clusters = engine.table_exists("chain_clusters") and engine.table_exists("chain_addresses")
    cluster_sql = (
        """, ca AS (SELECT a.address, c.cluster_id FROM chain_clusters c JOIN chain_addresses a USING (address_id)),
        cf AS (SELECT ca.cluster_id, bool_or(t.s) AS cs, bool_or(t.ru) AS cru,
                      arg_max(t.label, (t.s::INT * 2 + t.ru::INT)) AS clabel
               FROM ca JOIN t USING (address) GROUP BY ca.cluster_id HAVING bool_or(t.s) OR bool_or(t.ru)),
        members AS (SELECT ca.address, ca.cluster_id, cf.cs, cf.cru, cf.clabel FROM ca JOIN cf USING (cluster_id))"""
        if clusters else
        ", members AS (SELECT NULL::VARCHAR AS address, NULL::BIGINT AS cluster_id, NULL::BOOLEAN AS cs, "
        "NULL::BOOLEAN AS cru, NULL::VARCHAR AS clabel WHERE false)"
    )
    table = engine.to_arrow(
        f"""WITH t AS (
              SELECT address, bool_or(coalesce(sanctioned, false)) AS s,
                     bool_or(coalesce(russia_mining_nexus, false) OR coalesce(jurisdiction, '') = 'RU') AS ru,
                     arg_max(label, coalesce(confidence, 0)) AS label,
                     arg_max(category, coalesce(confidence, 0)) AS category,
                     arg_max(entity, (coalesce(sanctioned, false))::INT) FILTER (WHERE sanctioned) AS entity,
                     string_agg(DISTINCT source, ',') AS src
              FROM chain_tags GROUP BY address
              HAVING bool_or(coalesce(sanctioned, false))
                  OR bool_or(coalesce(russia_mining_nexus, false) OR coalesce(jurisdiction, '') = 'RU'))
            {cluster_sql}
            SELECT coalesce(t.address, m.address) AS address, coalesce(t.s, false) AS sanctioned,
                   t.entity AS sanction_entity, coalesce(t.ru, false) AS russia_nexus, t.label, t.category,
                   m.cluster_id::VARCHAR AS cluster_id, coalesce(m.cs, false) AS cluster_sanctioned,
                   coalesce(m.cru, false) AS cluster_russia_nexus, m.clabel AS cluster_label, t.src AS sources
            FROM t FULL JOIN members m ON m.address = t.address"""
    )
    rows = table.to_pylist()
    _write(engine, "signal_addresses", SIGNAL_ADDRESSES, rows, replace=True, key=("address",))
    report.addresses = len(rows)
    report.sources["addresses"] = {"clusters": clusters}


# -- deposits --------------------------------------------------------------------------------------
def refresh_deposits(engine: Engine, report: SignalReport, *, hops: int = 3, rebuild: bool = False) -> None:
    if not engine.table_exists("chain_txs") or not engine.scalar("SELECT count(*) FROM chain_txs"):
        report.skipped["deposits"] = "no chain data ingested (sanctrace chain ingest)"
        return
    from sanctrace.chain.exposure import exposure

    pending = engine.query(
        "SELECT DISTINCT d.txid, d.vout FROM ledger_events d "
        + ("" if rebuild else "LEFT JOIN signal_deposits s ON s.txid = d.txid AND s.vout = d.vout ")
        + "WHERE d.kind = 'deposit'" + ("" if rebuild else " AND s.txid IS NULL")
        + " ORDER BY 1, 2")
    rows: list[dict[str, Any]] = []
    missing = 0
    for txid, vout in pending:  # one trace per deposit output: the chain capability's unit of work
        try:
            res = exposure(engine, txid, int(vout), hops=hops)
        except (NotFound, SanctraceError):
            missing += 1
            continue
        flagged = [b for b in res.breakdown if b.sanctioned or b.russia_mining_nexus]
        mining = sum(b.share for b in res.breakdown if b.category in ("miner", "mining_pool", "mining_service",
                                                                       "coinbase"))
        rows.append({
            "txid": txid, "vout": int(vout), "mining_ru_share": float(res.russia_mining_nexus_share),
            "mining_share": float(min(mining, 1.0)), "sanctioned_share": float(res.sanctioned_share),
            "hops": min((b.min_hops for b in flagged), default=None), "max_hops": hops,
            "sources": json.dumps([{"entity": b.entity, "label": b.label, "share": round(b.share, 6),
                                    "sanctioned": b.sanctioned, "russia_mining_nexus": b.russia_mining_nexus}
                                   for b in flagged][:20], ensure_ascii=False),
        })
    if rows:
        _write(engine, "signal_deposits", SIGNAL_DEPOSITS, rows, replace=False, key=("txid", "vout"))
    report.deposits = len(rows)
    report.sources["deposits"] = {"traced": len(rows), "not_in_chain": missing, "hops": hops}


def refresh_signals(engine: Engine, settings: Settings, *, regimes: tuple[str, ...] = ("ofac", "jp"),
                    hops: int = 3, parts: tuple[str, ...] = ("customers", "addresses", "deposits"),
                    rebuild: bool = False) -> SignalReport:
    """Recompute the signal tables from whatever the other capabilities have loaded."""
    ensure_ledger_tables(engine)
    ensure_signal_tables(engine)
    report = SignalReport()
    if "customers" in parts:
        refresh_customers(engine, settings, regimes, report)
    if "addresses" in parts:
        refresh_addresses(engine, report)
    if "deposits" in parts:
        refresh_deposits(engine, report, hops=hops, rebuild=rebuild)
    return report
