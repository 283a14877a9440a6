"""Recording alerts: store each new alert once and group it into its subject's open case.

What must stay true: recording the same alerts again changes nothing (ids are stable hashes, see
:mod:`sanctrace.model.alert`); a subject has at most one case that is not closed, and every new
alert joins it or opens it; each recorded alert and each opened case is an audit event, written in
the same transaction as the rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pyarrow as pa

from sanctrace.cases.audit import AuditEntry, AuditLog
from sanctrace.cases.store import (
    ALERT_COLUMNS,
    alert_from_row,
    ensure_schema,
    insert_rows,
    naive_utc,
    registered,
)
from sanctrace.engine.base import Engine
from sanctrace.errors import NotFound
from sanctrace.model.alert import Alert, Severity, utc_now

SYSTEM_ACTOR = "system"


def _case_id(num: int) -> str:
    return f"case-{num:06d}"


def record_alerts(engine: Engine, alerts: Iterable[Alert], *, actor: str = SYSTEM_ACTOR) -> list[str]:
    """Store the alerts not stored yet; return their ids in input order (already known ids are skipped)."""
    ensure_schema(engine)
    unique: dict[str, Alert] = {}
    for alert in alerts:
        unique.setdefault(alert.alert_id, alert)
    if not unique:
        return []
    audit = AuditLog(engine)
    with engine.transaction():
        with registered(engine, pa.table({"alert_id": list(unique)})) as ids:
            known = {r[0] for r in engine.query(
                f"SELECT a.alert_id FROM alerts a JOIN {ids} i ON i.alert_id = a.alert_id")}
        new = [a for a in unique.values() if a.alert_id not in known]
        if not new:
            return []
        now = utc_now()
        by_subject: dict[tuple[str, str], list[Alert]] = {}
        for alert in new:
            by_subject.setdefault((alert.subject_type.value, alert.subject_id), []).append(alert)
        case_of: dict[tuple[str, str], str] = {}
        entries: list[AuditEntry] = []
        next_num = int(engine.scalar("SELECT coalesce(max(case_num), 0) FROM cases")) + 1
        for subject, group in by_subject.items():
            top = max(group, key=lambda a: (a.severity.rank, a.score))
            score = max(a.score for a in group)
            row = engine.query_one(
                "SELECT case_id, severity, score FROM cases WHERE subject_type = ? AND subject_id = ? "
                "AND status <> 'closed' ORDER BY case_num LIMIT 1", list(subject))
            if row is None:
                case_id = _case_id(next_num)
                engine.execute(
                    "INSERT INTO cases (case_id, case_num, subject_type, subject_id, status, severity, "
                    "score, opened_at, updated_at) VALUES (?, ?, ?, ?, 'open', ?, ?, ?, ?)",
                    [case_id, next_num, subject[0], subject[1], top.severity.value, score,
                     naive_utc(now), naive_utc(now)])
                next_num += 1
                entries.append(AuditEntry(actor, "case.opened", "case", case_id, {
                    "subject_type": subject[0], "subject_id": subject[1], "severity": top.severity.value,
                    "first_alert": group[0].alert_id}))
            else:
                case_id = row[0]
                severity = max(Severity(row[1]), top.severity, key=lambda s: s.rank)
                engine.execute("UPDATE cases SET severity = ?, score = ?, updated_at = ? WHERE case_id = ?",
                               [severity.value, max(float(row[2]), score), naive_utc(now), case_id])
            case_of[subject] = case_id
        rows: list[list[object]] = []
        for alert in new:
            case_id = case_of[(alert.subject_type.value, alert.subject_id)]
            values: list[object] = [
                alert.alert_id, alert.rule_id, alert.rule_version, alert.severity.value,
                alert.subject_type.value, alert.subject_id, alert.event_id, naive_utc(alert.occurred_at),
                naive_utc(alert.created_at), float(alert.score), alert.explanation,
                json.dumps(alert.evidence, ensure_ascii=False, sort_keys=True, default=str), case_id]
            rows.append(values)
            entries.append(AuditEntry(actor, "alert.recorded", "case", case_id, {
                "alert_id": alert.alert_id, "rule_id": alert.rule_id, "rule_version": alert.rule_version,
                "severity": alert.severity.value, "score": alert.score, "event_id": alert.event_id,
                "subject_type": alert.subject_type.value, "subject_id": alert.subject_id}))
        insert_rows(engine, "alerts", f"{ALERT_COLUMNS}, case_id", rows)
        audit.append_many(entries)
    return [a.alert_id for a in new]


def get_alert(engine: Engine, alert_id: str) -> Alert:
    ensure_schema(engine)
    row = engine.query_one(f"SELECT {ALERT_COLUMNS} FROM alerts WHERE alert_id = ?", [alert_id])
    if row is None:
        raise NotFound(f"alert {alert_id} not found")
    return alert_from_row(row)
