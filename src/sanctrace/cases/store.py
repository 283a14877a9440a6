"""Tables of the case store (alerts, cases, notes, attachments, audit log) and row ↔ record mapping.

Case management is operational state that must change atomically together with its audit event,
so it runs on an engine with real transactions (DuckDB). Spark is for chain-scale analytics; asking
for cases there is refused with a clear error rather than silently losing atomicity.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import pyarrow as pa

from sanctrace.engine.base import Engine
from sanctrace.engine.schema_version import ensure_component
from sanctrace.errors import EngineError, NotFound
from sanctrace.model.alert import Alert, Severity, SubjectType, as_utc
from sanctrace.model.case import Attachment, Case, CaseNote, CaseStatus, Disposition

# Bump when a column is added below: older databases get it by ALTER TABLE ... ADD COLUMN.
SCHEMA_VERSION = 1
_SCHEMA = [
    """CREATE TABLE IF NOT EXISTS audit_log (
        seq BIGINT PRIMARY KEY, time VARCHAR NOT NULL, actor VARCHAR NOT NULL, action VARCHAR NOT NULL,
        subject_type VARCHAR NOT NULL, subject_id VARCHAR NOT NULL, details VARCHAR NOT NULL,
        prev_hash VARCHAR NOT NULL, hash VARCHAR NOT NULL)""",
    # One row: the last appended event. Lets append stay O(1) and lets verify notice a cut-off tail.
    """CREATE TABLE IF NOT EXISTS audit_head (
        id INTEGER PRIMARY KEY, seq BIGINT NOT NULL, hash VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS cases (
        case_id VARCHAR PRIMARY KEY, case_num BIGINT NOT NULL, subject_type VARCHAR NOT NULL,
        subject_id VARCHAR NOT NULL, status VARCHAR NOT NULL, severity VARCHAR NOT NULL,
        score DOUBLE NOT NULL, opened_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL,
        assignee VARCHAR, disposition VARCHAR, pending_disposition VARCHAR, close_requested_by VARCHAR,
        close_reason VARCHAR, closed_at TIMESTAMP, closed_by VARCHAR, approved_by VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS alerts (
        alert_id VARCHAR PRIMARY KEY, rule_id VARCHAR NOT NULL, rule_version VARCHAR NOT NULL,
        severity VARCHAR NOT NULL, subject_type VARCHAR NOT NULL, subject_id VARCHAR NOT NULL,
        event_id VARCHAR NOT NULL, occurred_at TIMESTAMP NOT NULL, created_at TIMESTAMP NOT NULL,
        score DOUBLE NOT NULL, explanation VARCHAR NOT NULL, evidence VARCHAR NOT NULL,
        case_id VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS case_notes (
        note_id VARCHAR PRIMARY KEY, case_id VARCHAR NOT NULL, author VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL, text VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS case_attachments (
        attachment_id VARCHAR PRIMARY KEY, case_id VARCHAR NOT NULL, filename VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL, size BIGINT NOT NULL, media_type VARCHAR NOT NULL,
        added_by VARCHAR NOT NULL, added_at TIMESTAMP NOT NULL, description VARCHAR,
        content BLOB NOT NULL)""",
]

CASE_COLUMNS = (
    "case_id, subject_type, subject_id, status, severity, score, opened_at, updated_at, assignee, "
    "disposition, pending_disposition, close_requested_by, close_reason, closed_at, closed_by, approved_by"
)
ALERT_COLUMNS = (
    "alert_id, rule_id, rule_version, severity, subject_type, subject_id, event_id, occurred_at, "
    "created_at, score, explanation, evidence"
)


def ensure_schema(engine: Engine) -> None:
    if engine.name == "spark":
        raise EngineError("cases and the audit log need a transactional store: use --engine duckdb")
    ensure_component(engine, "cases", SCHEMA_VERSION, _SCHEMA)


@contextmanager
def registered(engine: Engine, table: pa.Table) -> Iterator[str]:
    """Expose an Arrow table under a fresh name for the statements inside the block."""
    view = f"_arrow_{uuid.uuid4().hex[:16]}"
    engine.register(view, table)
    try:
        yield view
    finally:
        unregister = getattr(engine, "unregister", None)
        if callable(unregister):
            unregister(view)


def insert_rows(engine: Engine, table: str, columns: str, rows: Sequence[Sequence[Any]]) -> None:
    """Insert many rows in one statement: a single row as plain parameters, more through Arrow
    (binding long Python lists as DuckDB parameters costs milliseconds per thousand values)."""
    if not rows:
        return
    if len(rows) == 1:
        placeholders = ", ".join(["?"] * len(rows[0]))
        engine.execute(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", list(rows[0]))
        return
    names = [c.strip() for c in columns.split(",")]
    with registered(engine, pa.table({name: [row[i] for row in rows] for i, name in enumerate(names)})) as view:
        engine.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {view}")


def _dt(value: Any) -> datetime | None:
    return None if value is None else as_utc(value)


def naive_utc(value: datetime) -> datetime:
    """DuckDB TIMESTAMP columns hold naive UTC."""
    return as_utc(value).replace(tzinfo=None)


def case_from_row(row: Sequence[Any], alert_ids: list[str]) -> Case:
    (case_id, subject_type, subject_id, status, severity, score, opened_at, updated_at, assignee,
     disposition, pending, requested_by, reason, closed_at, closed_by, approved_by) = row
    return Case(
        case_id=case_id, subject_type=subject_type, subject_id=subject_id, status=CaseStatus(status),
        severity=severity, score=float(score), opened_at=as_utc(opened_at), updated_at=as_utc(updated_at),
        assignee=assignee, disposition=Disposition(disposition) if disposition else None,
        pending_disposition=Disposition(pending) if pending else None, close_requested_by=requested_by,
        close_reason=reason, closed_at=_dt(closed_at), closed_by=closed_by, approved_by=approved_by,
        alert_ids=alert_ids,
    )


def alert_from_row(row: Sequence[Any]) -> Alert:
    (alert_id, rule_id, rule_version, severity, subject_type, subject_id, event_id, occurred_at,
     created_at, score, explanation, evidence) = row
    return Alert(
        rule_id=rule_id, rule_version=rule_version, severity=Severity(severity),
        subject_type=SubjectType(subject_type), subject_id=subject_id, event_id=event_id,
        occurred_at=as_utc(occurred_at), created_at=as_utc(created_at), score=float(score),
        explanation=explanation, evidence=json.loads(evidence), alert_id=alert_id,
    )


def load_case(engine: Engine, case_id: str) -> Case:
    ensure_schema(engine)
    row = engine.query_one(f"SELECT {CASE_COLUMNS} FROM cases WHERE case_id = ?", [case_id])
    if row is None:
        raise NotFound(f"case {case_id} not found")
    ids = [r[0] for r in engine.query(
        "SELECT alert_id FROM alerts WHERE case_id = ? ORDER BY occurred_at, alert_id", [case_id])]
    return case_from_row(row, ids)


def list_cases(engine: Engine, *, status: str | None = None, assignee: str | None = None,
               subject_id: str | None = None, limit: int | None = None) -> list[Case]:
    ensure_schema(engine)
    where, params = [], []
    for column, value in (("status", status), ("assignee", assignee), ("subject_id", subject_id)):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    sql = f"SELECT {CASE_COLUMNS} FROM cases"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY case_num"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    rows = engine.query(sql, params)
    ids: dict[str, list[str]] = {}
    for case_id, alert_id in engine.query(
            "SELECT case_id, alert_id FROM alerts WHERE case_id IS NOT NULL ORDER BY occurred_at, alert_id"):
        ids.setdefault(case_id, []).append(alert_id)
    return [case_from_row(row, ids.get(row[0], [])) for row in rows]


def case_alerts(engine: Engine, case_id: str) -> list[Alert]:
    ensure_schema(engine)
    rows = engine.query(
        f"SELECT {ALERT_COLUMNS} FROM alerts WHERE case_id = ? ORDER BY occurred_at, alert_id", [case_id])
    return [alert_from_row(r) for r in rows]


def case_notes(engine: Engine, case_id: str) -> list[CaseNote]:
    rows = engine.query(
        "SELECT note_id, case_id, author, created_at, text FROM case_notes WHERE case_id = ? "
        "ORDER BY created_at, note_id", [case_id])
    return [CaseNote(r[0], r[1], r[2], as_utc(r[3]), r[4]) for r in rows]


def case_attachments(engine: Engine, case_id: str) -> list[Attachment]:
    rows = engine.query(
        "SELECT attachment_id, case_id, filename, sha256, size, media_type, added_by, added_at, description "
        "FROM case_attachments WHERE case_id = ? ORDER BY added_at, attachment_id", [case_id])
    return [Attachment(r[0], r[1], r[2], r[3], int(r[4]), r[5], r[6], as_utc(r[7]), r[8]) for r in rows]
