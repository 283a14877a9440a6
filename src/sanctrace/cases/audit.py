"""The append-only, hash-chained audit log: every case action and transfer decision is one event.

What must stay true: events are only ever appended (seq 1, 2, 3, ... with no gaps); each event's
hash covers its own fields and the previous event's hash, so altering, removing or reordering any
stored event is found by :meth:`AuditLog.verify`, which names the first bad event. The one-row
``audit_head`` table records the last event so a cut-off tail is noticed too; an attacker who can
rewrite the whole database can rewrite the head as well, so :meth:`AuditLog.head` is meant to be
copied somewhere else (a ticket, a regulator submission) and passed back as ``expected_head``.

Appends join the caller's transaction, so a case change and its audit event commit together.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sanctrace.cases.store import ensure_schema, insert_rows
from sanctrace.engine.base import Engine
from sanctrace.errors import InputError, IntegrityError
from sanctrace.model.audit import (
    GENESIS_HASH,
    AuditEvent,
    VerifyResult,
    canonical_json,
    stored_event_hash,
)

_COLUMNS = "seq, time, actor, action, subject_type, subject_id, details, prev_hash, hash"
_CHECK_LIMIT = 1000
# Every event with what it should be: its rank (seq without gaps), the previous stored hash, and the
# hash of its canonical body (same text as model.audit.stored_event_hash builds). Only suspects return.
_CHECK_SQL = f"""
SELECT rn, seq, time, actor, action, subject_type, subject_id, details, prev_hash, hash, expect_prev FROM (
    SELECT {_COLUMNS}, row_number() OVER (ORDER BY seq) AS rn,
           coalesce(lag(hash) OVER (ORDER BY seq), ?) AS expect_prev,
           sha256('{{"action":' || to_json(action)::VARCHAR || ',"actor":' || to_json(actor)::VARCHAR
                  || ',"details":' || details || ',"prev_hash":' || to_json(prev_hash)::VARCHAR
                  || ',"seq":' || seq::VARCHAR || ',"subject_id":' || to_json(subject_id)::VARCHAR
                  || ',"subject_type":' || to_json(subject_type)::VARCHAR
                  || ',"time":' || to_json(time)::VARCHAR || '}}') AS computed
    FROM audit_log)
WHERE seq > ? AND (seq <> rn OR prev_hash <> expect_prev OR computed <> hash)
ORDER BY seq LIMIT {_CHECK_LIMIT}"""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """What a caller supplies; seq, time and hashes are assigned by the log."""

    actor: str
    action: str
    subject_type: str
    subject_id: str
    details: dict[str, Any]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


def _event_from_row(row: Sequence[Any]) -> AuditEvent:
    seq, time, actor, action, subject_type, subject_id, details, prev_hash, hash_ = row
    try:
        parsed = json.loads(details)
    except (TypeError, ValueError):
        parsed = {"__unparseable__": str(details)}
    if not isinstance(parsed, dict):
        parsed = {"__not_an_object__": parsed}
    return AuditEvent(int(seq), str(time), str(actor), str(action), str(subject_type), str(subject_id),
                      parsed, str(prev_hash), str(hash_))


class AuditLog:
    def __init__(self, engine: Engine):
        self.engine = engine
        ensure_schema(engine)

    def append(self, actor: str, action: str, subject_type: str, subject_id: str,
               details: dict[str, Any] | None = None) -> AuditEvent:
        return self.append_many([AuditEntry(actor, action, subject_type, subject_id, details or {})])[0]

    def append_many(self, entries: Sequence[AuditEntry]) -> list[AuditEvent]:
        """Append events in order, in one transaction (joins the caller's if there is one)."""
        for entry in entries:
            if not entry.actor or not entry.actor.strip():
                raise InputError.at("audit", entry.action, "actor is required")
            if not entry.action:
                raise InputError.at("audit", entry.subject_id, "action is required")
        if not entries:
            return []
        events: list[AuditEvent] = []
        with self.engine.transaction():
            head = self.engine.query_one("SELECT seq, hash FROM audit_head WHERE id = 1")
            if head is None:  # no head row yet (or it was deleted): continue from the log itself
                last = self.engine.query_one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
                seq, prev = (int(last[0]), str(last[1])) if last else (0, GENESIS_HASH)
            else:
                seq, prev = int(head[0]), str(head[1])
            time = _now()
            rows = []
            for entry in entries:
                seq += 1
                # Serialised once: the stored text, the hash input (same bytes as event_hash over the
                # parsed form, see stored_event_hash) and, parsed, what a reader gets back.
                text = canonical_json(entry.details)
                digest = stored_event_hash(seq, time, entry.actor, entry.action, entry.subject_type,
                                           entry.subject_id, text, prev)
                events.append(AuditEvent(seq, time, entry.actor, entry.action, entry.subject_type,
                                         entry.subject_id, json.loads(text), prev, digest))
                rows.append((seq, time, entry.actor, entry.action, entry.subject_type, entry.subject_id, text,
                             prev, digest))
                prev = digest
            insert_rows(self.engine, "audit_log", _COLUMNS, rows)
            if head:
                self.engine.execute("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", [seq, prev])
            else:
                self.engine.execute("INSERT INTO audit_head (id, seq, hash) VALUES (1, ?, ?)", [seq, prev])
        return events

    def head(self) -> tuple[int, str]:
        row = self.engine.query_one("SELECT seq, hash FROM audit_head WHERE id = 1")
        return (int(row[0]), str(row[1])) if row else (0, GENESIS_HASH)

    def events(self, *, subject_type: str | None = None, subject_id: str | None = None,
               action: str | None = None, since: str | None = None, until: str | None = None,
               limit: int | None = None) -> list[AuditEvent]:
        where, params = [], []
        for clause, value in (("subject_type = ?", subject_type), ("subject_id = ?", subject_id),
                              ("action = ?", action), ("time >= ?", since), ("time < ?", until)):
            if value is not None:
                where.append(clause)
                params.append(value)
        sql = f"SELECT {_COLUMNS} FROM audit_log"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY seq"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        return [_event_from_row(r) for r in self.engine.query(sql, params)]

    def verify(self, expected_head: str | None = None) -> VerifyResult:
        """Check the whole chain; report the first event that is not what was appended.

        Set-wise: one SQL pass recomputes every hash (DuckDB's ``sha256`` over the canonical body
        built with ``to_json``) and every link (``lag`` over seq). Rows it flags are re-checked with
        the Python definition, which is authoritative: DuckDB spells rare control-character escapes
        differently (``\\u001F`` vs ``\\u001f``), and such a row is not a problem.
        """
        duplicates = self.engine.query(
            "SELECT seq FROM audit_log GROUP BY seq HAVING count(*) > 1 ORDER BY seq LIMIT 1")
        if duplicates:
            seq = int(duplicates[0][0])
            return self._bad(0, GENESIS_HASH, seq, f"event {seq}: seq appears more than once")
        after = 0
        while True:
            rows = self.engine.query(_CHECK_SQL, [GENESIS_HASH, after])
            for rn, seq, time, actor, action, subject_type, subject_id, details, prev_hash, digest, prev in rows:
                if seq != rn:
                    return self._bad(rn, prev, seq,
                                     f"event {seq}: expected seq {rn} (an event was removed or moved)")
                if prev_hash != prev:
                    return self._bad(rn, prev, seq,
                                     f"event {seq}: prev_hash does not match the hash of event "
                                     f"{seq - 1} (an event was removed, moved or altered)")
                if stored_event_hash(seq, time, actor, action, subject_type, subject_id, details, prev) != digest:
                    return self._bad(rn, prev, seq, f"event {seq}: content does not match its hash (altered)")
            if len(rows) < _CHECK_LIMIT:
                break
            after = int(rows[-1][1])
        count = int(self.engine.scalar("SELECT count(*) FROM audit_log"))
        last = self.engine.query_one("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        last_seq, prev = (int(last[0]), str(last[1])) if last else (0, GENESIS_HASH)
        head_seq, head_hash = self.head()
        if head_seq != last_seq or head_hash != prev:
            return self._bad(count, prev, last_seq + 1 if head_seq > last_seq else head_seq,
                             f"log ends at event {last_seq} but the recorded head is event {head_seq} "
                             "(events were removed from the end, or the head was altered)")
        if expected_head is not None and expected_head != prev:
            return self._bad(count, prev, last_seq,
                             f"head hash {prev[:16]}… differs from the expected {expected_head[:16]}…")
        return VerifyResult(ok=True, events=count, head_hash=prev)

    @staticmethod
    def _bad(count: int, prev: str, seq: int, problem: str) -> VerifyResult:
        return VerifyResult(ok=False, events=count, head_hash=prev, first_bad_seq=seq, problem=problem,
                            problems=[problem])

    def verify_or_raise(self, expected_head: str | None = None) -> VerifyResult:
        result = self.verify(expected_head)
        if not result.ok:
            raise IntegrityError(f"audit log verification failed: {result.problem}")
        return result
