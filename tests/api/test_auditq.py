"""The audit group-commit writer: events queued without waiting still commit in batches."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from sanctrace.api.auditq import AuditWriter
from sanctrace.cases.audit import AuditEntry, AuditLog
from sanctrace.engine.duckdb_engine import DuckDBEngine


def _write(engine: DuckDBEngine, linger_s: float, n: int) -> list[str]:
    writer = AuditWriter(lambda: engine, threading.RLock(), linger_s=linger_s)
    futures = []
    for i in range(n):  # arriving 5 ms apart, as decisions at 200/s, nobody waiting for the commit
        futures.append(writer.submit(AuditEntry("bench", "decision.withdrawal", "account", f"A{i}", {"i": i})))
        time.sleep(0.005)
    for f in futures:
        f.result(timeout=30)
    writer.close()
    log = AuditLog(engine)
    assert log.verify().ok
    return [e.time for e in log.events()]


def test_lingering_writer_batches_events_queued_without_waiting(tmp_path: Path) -> None:
    # every event of one append_many carries the batch's timestamp: one time = one commit
    times = _write(DuckDBEngine(tmp_path / "linger.duckdb"), 0.5, 40)
    assert len(times) == 40 and len(set(times)) == 1
    # without the pause, nearly every event is its own commit
    assert len(set(_write(DuckDBEngine(tmp_path / "eager.duckdb"), 0.0, 40))) > 20


def test_waiting_submitters_get_one_commit_each_without_linger(tmp_path: Path) -> None:
    engine = DuckDBEngine(tmp_path / "plain.duckdb")
    writer = AuditWriter(lambda: engine, threading.RLock())
    for i in range(3):
        writer.submit(AuditEntry("bench", "note", "case", f"C{i}", {})).result(timeout=30)
    writer.close()
    events = AuditLog(engine).events()
    assert [e.subject_id for e in events] == ["C0", "C1", "C2"]
    assert [e.seq for e in events] == [1, 2, 3]
