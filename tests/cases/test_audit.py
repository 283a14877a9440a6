from __future__ import annotations

import itertools

import pytest

from sanctrace.cases.audit import AuditEntry, AuditLog
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.errors import InputError, IntegrityError
from sanctrace.model.audit import GENESIS_HASH


@pytest.fixture
def log(engine: DuckDBEngine) -> AuditLog:
    audit = AuditLog(engine)
    for i in range(1, 7):
        audit.append(f"user{i % 2}", "case.note", "case", f"case-{i % 3}", {"n": i, "text": "ノート — заметка"})
    return audit


def test_chain_links_and_verifies(log: AuditLog) -> None:
    events = log.events()
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6]
    assert events[0].prev_hash == GENESIS_HASH
    assert all(b.prev_hash == a.hash for a, b in itertools.pairwise(events))
    assert all(e.hash == e.expected_hash() for e in events)
    result = log.verify()
    assert result.ok and result.events == 6 and result.head_hash == events[-1].hash
    assert log.head() == (6, events[-1].hash)
    assert log.verify(expected_head=events[-1].hash).ok
    assert not log.verify(expected_head="f" * 64).ok


def test_filters(log: AuditLog) -> None:
    assert [e.details["n"] for e in log.events(subject_id="case-1")] == [1, 4]
    assert len(log.events(limit=2)) == 2


def test_altered_event_is_named(log: AuditLog, engine: DuckDBEngine) -> None:
    engine.execute("UPDATE audit_log SET details = '{\"n\":3,\"text\":\"nothing to see\"}' WHERE seq = 3")
    result = log.verify()
    assert not result.ok and result.first_bad_seq == 3
    assert "altered" in (result.problem or "")
    with pytest.raises(IntegrityError, match="event 3"):
        log.verify_or_raise()


def test_altered_and_rehashed_event_breaks_the_next_link(log: AuditLog, engine: DuckDBEngine) -> None:
    event = log.events()[2]
    forged = type(event)(event.seq, event.time, "mallory", event.action, event.subject_type, event.subject_id,
                         event.details, event.prev_hash, "")
    engine.execute("UPDATE audit_log SET actor = 'mallory', hash = ? WHERE seq = 3", [forged.expected_hash()])
    result = log.verify()
    assert not result.ok and result.first_bad_seq == 4
    assert "prev_hash" in (result.problem or "")


def test_removed_event_is_named(log: AuditLog, engine: DuckDBEngine) -> None:
    engine.execute("DELETE FROM audit_log WHERE seq = 4")
    result = log.verify()
    assert not result.ok and result.first_bad_seq == 5
    assert "removed" in (result.problem or "")


def test_removed_tail_is_caught_by_the_head(log: AuditLog, engine: DuckDBEngine) -> None:
    engine.execute("DELETE FROM audit_log WHERE seq = 6")
    result = log.verify()
    assert not result.ok and result.first_bad_seq == 6


def test_reordered_events_are_named(log: AuditLog, engine: DuckDBEngine) -> None:
    # Swap the contents of events 2 and 5, keeping the seq column in place (a reorder).
    cols = "time, actor, action, subject_type, subject_id, details, prev_hash, hash"
    engine.execute(f"CREATE TEMP TABLE swap AS SELECT seq, {cols} FROM audit_log WHERE seq IN (2, 5)")
    sets = ", ".join(f"{c} = s.{c}" for c in cols.split(", "))
    engine.execute(f"UPDATE audit_log SET {sets} FROM swap s WHERE s.seq = 7 - audit_log.seq "
                   "AND audit_log.seq IN (2, 5)")
    result = log.verify()
    assert not result.ok and result.first_bad_seq == 2


def test_renumbered_event_is_named(log: AuditLog, engine: DuckDBEngine) -> None:
    engine.execute("UPDATE audit_log SET seq = 100 WHERE seq = 2")
    result = log.verify()
    assert not result.ok and result.first_bad_seq == 3


def test_append_needs_an_actor(engine: DuckDBEngine) -> None:
    with pytest.raises(InputError):
        AuditLog(engine).append(" ", "case.note", "case", "case-1", {})


def test_append_joins_the_callers_transaction(engine: DuckDBEngine) -> None:
    log = AuditLog(engine)
    with pytest.raises(RuntimeError), engine.transaction():
        log.append("alice", "case.note", "case", "case-1", {})
        raise RuntimeError("the surrounding action failed")
    assert log.events() == [] and log.head() == (0, GENESIS_HASH)
    assert log.verify().ok


def test_details_with_datetimes_and_decimals_verify(engine: DuckDBEngine) -> None:
    from datetime import UTC, datetime
    from decimal import Decimal

    log = AuditLog(engine)
    event = log.append("decider", "decision.deposit", "account", "acc-1",
                       {"at": datetime(2025, 3, 1, tzinfo=UTC), "share": Decimal("0.82"), "ok": None})
    assert event.details == {"at": "2025-03-01 00:00:00+00:00", "share": "0.82", "ok": None}
    assert log.verify().ok


def test_stored_hash_equals_canonical_hash() -> None:
    from sanctrace.model.audit import canonical_json, event_hash, stored_event_hash

    details = {"z": [1, 2.5, None, True], "a": {"名前": "Пётр \"quoted\" \\ back"}, "m": "\u2028"}
    args = (7, "2025-03-01T00:00:00.000001+00:00", "アナリスト", "case.note", "case", "case-1")
    assert stored_event_hash(*args, canonical_json(details), "ab" * 32) == event_hash(*args, details, "ab" * 32)
    assert stored_event_hash(*args, '{"a": 1}', "0" * 64) != event_hash(*args, {"a": 1}, "0" * 64)


def test_sql_escaping_differences_are_not_reported(engine: DuckDBEngine) -> None:
    # DuckDB's to_json writes \u001F where Python writes \u001f: the Python re-check decides.
    log = AuditLog(engine)
    log.append("bob\x1f", "case.note", "case", "case-1", {"text": "control \x01 char"})
    log.append("bob", "case.note", "case", "case-1", {"text": "fine"})
    assert log.verify().ok
    engine.execute("UPDATE audit_log SET actor = 'bob\x1e' WHERE seq = 1")
    assert log.verify().first_bad_seq == 1


def test_deleted_head_row_is_reported_and_appends_continue(log: AuditLog, engine: DuckDBEngine) -> None:
    engine.execute("DELETE FROM audit_head")
    assert not log.verify().ok  # the head no longer vouches for the end of the log
    event = log.append("alice", "case.note", "case", "case-1", {})
    assert event.seq == 7 and log.verify().ok


def test_appended_hash_is_the_documented_hash_of_what_is_read_back(log: AuditLog) -> None:
    from datetime import datetime as dt
    from decimal import Decimal

    from sanctrace.model.audit import event_hash

    details = {"z": [1, 2.5, None, True], "名前": "プーチン", "when": dt(2026, 1, 2), "amt": Decimal("1.10"),
               "nested": {"b": 1, "a": {"y": "\u001f\n"}}}
    [event] = log.append_many([AuditEntry("mlro", "case.note", "case", "C-1", details)])
    [stored] = log.events(subject_id="C-1")
    assert stored == event
    assert event.hash == event_hash(event.seq, event.time, "mlro", "case.note", "case", "C-1", stored.details,
                                    event.prev_hash)
    assert log.verify().ok
