"""The regulator's information-request package: flagged accounts and transfers for a period.

For ``[from, to)`` the package lists every account and every transfer with a Russian nexus, a
sanctions hit or mining-derived exposure, as CSV files plus ``manifest.json`` holding each file's
SHA-256, byte size and row count, so the recipient can check that nothing was changed in transit
(:func:`verify_package`). Facts are read set-wise in SQL from whichever tables exist: the ledger,
the monitoring signal tables (screening/ownership/chain results per customer, address and deposit)
and the alerts; the manifest records which sources were present so an empty column is explained.

The package is written to a temporary directory next to the target and renamed when complete, so
an interrupted run leaves no half-package behind.
"""

from __future__ import annotations

import csv
import hashlib
import json
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sanctrace import __version__
from sanctrace.cases.store import ensure_schema
from sanctrace.engine.base import Engine
from sanctrace.errors import InputError, IntegrityError

MANIFEST = "manifest.json"
FLAGS = ("russia_nexus", "sanctions_hit", "mining_exposure")

# Rule ids → flag, by the words rule authors use (the shipped pack: RU-MINING-EXPOSURE,
# SANCTIONED-EXPOSURE, LISTED-OR-BLOCKED-CUSTOMER, RUSSIA-NEXUS, TRAVEL-RULE-RU-VASP, ...); the first
# pattern that matches wins, so a Russian-mining rule counts as mining exposure only.
RULE_PATTERNS = {
    "mining_exposure": "(?i)mining",
    "sanctions_hit": "(?i)sanction|listed|blocked|sdn|ofac",
    "russia_nexus": "(?i)russia|nexus|ru-vasp|ru_vasp",
}

ACCOUNT_COLUMNS = ("account_id", "customer_id", "customer_name", "customer_type", "country", "opened_at",
                   *FLAGS, "reasons", "events_in_period", "alert_ids")
TRANSFER_COLUMNS = ("event_id", "kind", "ts", "account_id", "customer_id", "asset", "amount", "value_jpy",
                    "direction", "address", "txid", "vout", "to_account_id", "counterparty_name",
                    "counterparty_country", "counterparty_vasp", "counterparty_vasp_country", *FLAGS,
                    "mining_ru_share", "sanctioned_share", "reasons", "alert_ids")
ALERT_COLUMNS = ("alert_id", "rule_id", "rule_version", "severity", "subject_type", "subject_id", "event_id",
                 "occurred_at", "score", "case_id", "explanation")


@dataclass(frozen=True, slots=True)
class Period:
    start: datetime
    end: datetime

    @classmethod
    def parse(cls, start: str, end: str) -> Period:
        def one(text: str, name: str) -> datetime:
            try:
                value = datetime.fromisoformat(text.replace("Z", "+00:00"))
            except ValueError as exc:
                raise InputError(f"--{name}: {text!r} is not an ISO 8601 date or time") from exc
            return value.replace(tzinfo=None) if value.tzinfo is None else \
                value.astimezone(UTC).replace(tzinfo=None)

        period = cls(one(start, "from"), one(end, "to"))
        if period.end <= period.start:
            raise InputError(f"--to ({end}) must be after --from ({start})")
        return period


def _has(engine: Engine, table: str, *columns: str) -> bool:
    if not engine.table_exists(table):
        return False
    present = {str(r[0]) for r in engine.query(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table])}
    return set(columns) <= present


def _flag_sources(engine: Engine) -> tuple[list[str], list[str], dict[str, bool]]:
    """SQL selects of (account_id, flag, reason) and (event_id, flag, reason), from what exists."""
    acc: list[str] = []
    evt: list[str] = []
    ledger = _has(engine, "ledger_accounts", "account_id", "customer_id", "country") and \
        _has(engine, "ledger_events", "event_id", "kind", "ts", "account_id", "address", "txid", "vout")
    sources = {"ledger": ledger}
    in_period = "e.ts >= $start AND e.ts < $end"
    if ledger:
        acc.append("SELECT account_id, 'russia_nexus', 'account country RU' FROM ledger_accounts "
                   "WHERE upper(country) = 'RU'")
        evt.append(f"SELECT e.transfer_event_id, 'russia_nexus', 'Travel Rule counterparty VASP in ' || "
                   f"e.counterparty_vasp_country FROM ledger_events e WHERE e.kind = 'travel_rule' AND "
                   f"upper(e.counterparty_vasp_country) = 'RU' AND {in_period}")
        evt.append(f"SELECT e.event_id, 'russia_nexus', 'fiat counterparty in RU' FROM ledger_events e "
                   f"WHERE e.kind = 'fiat' AND upper(e.counterparty_country) = 'RU' AND {in_period}")
    sources["signal_customers"] = ledger and _has(engine, "signal_customers", "customer_id", "russia_nexus",
                                                  "listed", "owner_listed", "ownership_blocked")
    if sources["signal_customers"]:
        base = "FROM signal_customers s JOIN ledger_accounts a ON a.customer_id = s.customer_id"
        acc.append(f"SELECT a.account_id, 'russia_nexus', coalesce(s.nexus_reason, 'Russia nexus') {base} "
                   "WHERE s.russia_nexus")
        acc.append("SELECT a.account_id, 'sanctions_hit', CASE WHEN s.listed THEN 'listed: ' || "
                   "coalesce(s.list_entry, '?') WHEN s.owner_listed THEN 'owner listed: ' || "
                   "coalesce(s.owner_name, '?') ELSE 'blocked by the 50% rule' END "
                   f"{base} WHERE s.listed OR s.owner_listed OR s.ownership_blocked")
    sources["signal_deposits"] = ledger and _has(engine, "signal_deposits", "txid", "vout", "mining_ru_share",
                                                 "sanctioned_share")
    if sources["signal_deposits"]:
        join = (f"FROM ledger_events e JOIN signal_deposits d ON d.txid = e.txid AND d.vout = e.vout "
                f"WHERE e.kind = 'deposit' AND {in_period}")
        evt.append("SELECT e.event_id, 'mining_exposure', 'Russian-nexus mining share ' || "
                   f"round(d.mining_ru_share, 4) {join} AND d.mining_ru_share > 0")
        evt.append("SELECT e.event_id, 'sanctions_hit', 'sanctioned-source share ' || "
                   f"round(d.sanctioned_share, 4) {join} AND d.sanctioned_share > 0")
    sources["signal_addresses"] = ledger and _has(engine, "signal_addresses", "address", "sanctioned",
                                                  "russia_nexus", "cluster_sanctioned", "cluster_russia_nexus")
    if sources["signal_addresses"]:
        join = (f"FROM ledger_events e JOIN signal_addresses s ON s.address = e.address "
                f"WHERE e.kind IN ('deposit', 'withdrawal') AND {in_period}")
        evt.append("SELECT e.event_id, 'sanctions_hit', CASE WHEN s.sanctioned THEN 'address sanctioned: ' || "
                   "coalesce(s.sanction_entity, '?') ELSE 'address clustered with a sanctioned address' END "
                   f"{join} AND (s.sanctioned OR s.cluster_sanctioned)")
        evt.append("SELECT e.event_id, 'russia_nexus', 'address of a Russian-nexus actor: ' || "
                   f"coalesce(s.label, s.cluster_label, '?') {join} AND (s.russia_nexus OR s.cluster_russia_nexus)")
    ensure_schema(engine)
    for flag, pattern in RULE_PATTERNS.items():
        cond = (f"regexp_matches(al.rule_id, '{pattern}') AND al.occurred_at >= $start "
                "AND al.occurred_at < $end")
        for earlier in list(RULE_PATTERNS)[:list(RULE_PATTERNS).index(flag)]:
            cond += f" AND NOT regexp_matches(al.rule_id, '{RULE_PATTERNS[earlier]}')"
        reason = f"'{flag}', 'alert ' || al.rule_id"
        evt.append(f"SELECT al.event_id, {reason} FROM alerts al WHERE {cond}")
        acc.append(f"SELECT al.subject_id, {reason} FROM alerts al WHERE {cond} AND al.subject_type = 'account'")
        if ledger:
            acc.append(f"SELECT a.account_id, {reason} FROM alerts al JOIN ledger_accounts a "
                       f"ON a.customer_id = al.subject_id WHERE {cond} AND al.subject_type = 'customer'")
    return acc, evt, sources


def _rows(engine: Engine, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    table = engine.to_arrow(sql, params)  # type: ignore[arg-type]  # DuckDB takes named parameters
    rows: list[dict[str, Any]] = table.to_pylist()
    for row in rows:
        if row.get("reasons"):
            row["reasons"] = "; ".join(dict.fromkeys(str(row["reasons"]).split("; ")))
    return rows


def collect(engine: Engine, period: Period) -> tuple[dict[str, list[dict[str, Any]]], dict[str, bool]]:
    """The rows of each CSV, computed in SQL."""
    acc, evt, sources = _flag_sources(engine)
    params = {"start": period.start, "end": period.end}
    flags_sql = ", ".join(f"bool_or(flag = '{f}') AS {f}" for f in FLAGS)
    account_flags = (f"SELECT account_id, {flags_sql}, string_agg(DISTINCT reason, '; ' ORDER BY reason) "
                     f"AS reasons FROM ({' UNION ALL '.join(acc)}) t(account_id, flag, reason) "
                     "WHERE account_id IS NOT NULL GROUP BY account_id")
    event_flags = (f"SELECT event_id, {flags_sql}, string_agg(DISTINCT reason, '; ' ORDER BY reason) "
                   f"AS reasons FROM ({' UNION ALL '.join(evt)}) t(event_id, flag, reason) "
                   "WHERE event_id IS NOT NULL GROUP BY event_id")
    alerts_in = "SELECT * FROM alerts WHERE occurred_at >= $start AND occurred_at < $end"
    out: dict[str, list[dict[str, Any]]] = {}
    if sources["ledger"]:
        # Account flags: the account's own (country, signals, alerts) and those of its flagged events.
        flags_cte = f"""ef AS ({event_flags}),
            evf AS (SELECT e.account_id, bool_or(ef.russia_nexus) AS russia_nexus,
                           bool_or(ef.sanctions_hit) AS sanctions_hit, bool_or(ef.mining_exposure) AS mining_exposure,
                           string_agg(DISTINCT ef.reasons, '; ') AS reasons
                    FROM ef JOIN ledger_events e ON e.event_id = ef.event_id GROUP BY e.account_id),
            allf AS (SELECT account_id, russia_nexus, sanctions_hit, mining_exposure, reasons FROM ({account_flags})
                     UNION ALL SELECT * FROM evf),
            af AS (SELECT account_id, bool_or(russia_nexus) AS russia_nexus, bool_or(sanctions_hit) AS sanctions_hit,
                          bool_or(mining_exposure) AS mining_exposure,
                          string_agg(DISTINCT reasons, '; ' ORDER BY reasons) AS reasons
                   FROM allf GROUP BY account_id)"""
        out["transfers"] = _rows(engine, f"""
            WITH {flags_cte},
            tr AS (SELECT transfer_event_id, any_value(counterparty_vasp) AS vasp,
                          any_value(counterparty_vasp_country) AS vasp_country
                   FROM ledger_events WHERE kind = 'travel_rule' GROUP BY transfer_event_id),
            al AS (SELECT event_id, string_agg(alert_id, ' ' ORDER BY alert_id) AS alert_ids
                   FROM ({alerts_in}) GROUP BY event_id)
            SELECT e.event_id, e.kind, e.ts, e.account_id, a.customer_id, e.asset, e.amount, e.value_jpy,
                   e.direction, e.address, e.txid, e.vout, e.to_account_id, e.counterparty_name,
                   e.counterparty_country, tr.vasp AS counterparty_vasp,
                   tr.vasp_country AS counterparty_vasp_country,
                   coalesce(ef.russia_nexus, false) AS russia_nexus,
                   coalesce(ef.sanctions_hit, false) AS sanctions_hit,
                   coalesce(ef.mining_exposure, false) AS mining_exposure,
                   {"d.mining_ru_share, d.sanctioned_share" if sources["signal_deposits"]
                    else "NULL::DOUBLE AS mining_ru_share, NULL::DOUBLE AS sanctioned_share"},
                   concat_ws('; ', ef.reasons, CASE WHEN af.account_id IS NOT NULL
                             THEN 'account flagged: ' || af.reasons END) AS reasons,
                   al.alert_ids
            FROM ledger_events e
            LEFT JOIN ledger_accounts a ON a.account_id = e.account_id
            LEFT JOIN ef ON ef.event_id = e.event_id
            LEFT JOIN af ON af.account_id = e.account_id
            LEFT JOIN tr ON tr.transfer_event_id = e.event_id
            LEFT JOIN al ON al.event_id = e.event_id
            {"LEFT JOIN signal_deposits d ON d.txid = e.txid AND d.vout = e.vout AND e.kind = 'deposit'"
             if sources["signal_deposits"] else ""}
            WHERE e.kind IN ('deposit', 'withdrawal', 'internal_transfer', 'fiat', 'trade')
              AND e.ts >= $start AND e.ts < $end AND (ef.event_id IS NOT NULL OR af.account_id IS NOT NULL)
            ORDER BY e.ts, e.event_id""", params)
        out["accounts"] = _rows(engine, f"""
            WITH {flags_cte},
            n AS (SELECT account_id, count(*) AS events_in_period FROM ledger_events
                  WHERE ts >= $start AND ts < $end AND kind <> 'travel_rule' GROUP BY account_id),
            al AS (SELECT coalesce(a.account_id, x.subject_id) AS account_id,
                          string_agg(DISTINCT x.alert_id, ' ' ORDER BY x.alert_id) AS alert_ids
                   FROM ({alerts_in}) x LEFT JOIN ledger_accounts a
                     ON x.subject_type = 'customer' AND a.customer_id = x.subject_id
                   GROUP BY 1)
            SELECT a.account_id, a.customer_id, a.customer_name, a.customer_type, a.country, a.opened_at,
                   af.russia_nexus, af.sanctions_hit, af.mining_exposure, af.reasons,
                   coalesce(n.events_in_period, 0) AS events_in_period, al.alert_ids
            FROM af JOIN ledger_accounts a ON a.account_id = af.account_id
            LEFT JOIN n ON n.account_id = a.account_id LEFT JOIN al ON al.account_id = a.account_id
            WHERE a.opened_at IS NULL OR a.opened_at < $end
            ORDER BY a.account_id""", params)
    else:
        out["accounts"], out["transfers"] = [], []
    flagged_alerts = " OR ".join(f"regexp_matches(rule_id, '{p}')" for p in RULE_PATTERNS.values())
    out["alerts"] = _rows(engine, f"SELECT {', '.join(ALERT_COLUMNS)} FROM ({alerts_in}) WHERE {flagged_alerts} "
                                  "ORDER BY occurred_at, alert_id", params)
    return out, sources


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.replace(tzinfo=None).isoformat() + "Z"
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _write_csv(path: Path, columns: Sequence[str], rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_package(engine: Engine, period: Period, out_dir: Path, *, requested_by: str | None = None,
                  reference: str | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Write the CSVs and the manifest into ``out_dir`` (must not exist or be empty); return the manifest."""
    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise InputError.at(str(out_dir), None, "exists and is not an empty directory; choose a new one")
    data, sources = collect(engine, period)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        files = []
        for name, columns in (("accounts.csv", ACCOUNT_COLUMNS), ("transfers.csv", TRANSFER_COLUMNS),
                              ("alerts.csv", ALERT_COLUMNS)):
            rows = data[name.removesuffix(".csv")]
            _write_csv(tmp / name, columns, rows)
            files.append({"name": name, "sha256": _sha256(tmp / name), "bytes": (tmp / name).stat().st_size,
                          "rows": len(rows)})
        manifest = {
            "package": "sanctrace information-request",
            "version": __version__,
            "reference": reference,
            "requested_by": requested_by,
            "generated_at": (now or datetime.now(UTC)).astimezone(UTC).isoformat(timespec="seconds"),
            "period": {"from": period.start.isoformat() + "Z", "to": period.end.isoformat() + "Z",
                       "end_exclusive": True},
            "criteria": ["Russian nexus (customer, owner, counterparty VASP or address)",
                         "sanctions hit (listed customer/owner, 50% rule, sanctioned address or source)",
                         "mining-derived exposure (coins traced to Russian-nexus mining)"],
            "sources_present": sources,
            "amounts": "integer minor units of the asset (satoshi for BTC); value_jpy in yen",
            "files": files,
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        if out_dir.exists():
            out_dir.rmdir()
        tmp.rename(out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return manifest


def verify_package(out_dir: Path) -> dict[str, Any]:
    """Re-hash every file named in the manifest; IntegrityError on any difference or extra file."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        files = manifest["files"]
    except OSError as exc:
        raise InputError.at(str(out_dir / MANIFEST), None, f"cannot read: {exc.strerror}") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise InputError.at(str(out_dir / MANIFEST), None, f"not a package manifest: {exc}") from exc
    problems = []
    for entry in files:
        path = out_dir / str(entry["name"])
        if not path.is_file():
            problems.append(f"{entry['name']}: missing")
        elif _sha256(path) != entry["sha256"]:
            problems.append(f"{entry['name']}: SHA-256 differs from the manifest (file changed)")
    listed = {str(e["name"]) for e in files} | {MANIFEST}
    problems += [f"{p.name}: not in the manifest" for p in sorted(out_dir.iterdir()) if p.name not in listed]
    if problems:
        raise IntegrityError(f"{out_dir}: " + "; ".join(problems))
    return {"ok": True, "files": len(files), "directory": str(out_dir)}
