"""Schema versions: a database written by an older or newer sanctrace fails clearly or is upgraded."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctrace.cases.audit import AuditLog
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.engine.schema_version import declared_columns, ensure_component, stored_version
from sanctrace.errors import EngineError
from sanctrace.lists import store

V1 = ["CREATE TABLE IF NOT EXISTS things (id VARCHAR PRIMARY KEY, n INTEGER NOT NULL)"]
V2 = ["CREATE TABLE IF NOT EXISTS things (id VARCHAR PRIMARY KEY, n INTEGER NOT NULL, tags VARCHAR[], "
      "seen TIMESTAMP)"]


def test_declared_columns_reads_the_statements() -> None:
    assert declared_columns(V2) == {"things": [("id", "VARCHAR"), ("n", "INTEGER"), ("tags", "VARCHAR[]"),
                                               ("seen", "TIMESTAMP")]}


def test_older_database_gains_the_new_columns_and_keeps_its_rows(tmp_path: Path) -> None:
    old = DuckDBEngine(tmp_path / "db.duckdb")
    ensure_component(old, "things", 1, V1)
    old.execute("INSERT INTO things VALUES ('a', 1)")
    old.close()
    new = DuckDBEngine(tmp_path / "db.duckdb")
    ensure_component(new, "things", 2, V2)
    assert new.query("SELECT id, n, tags, seen FROM things") == [("a", 1, None, None)]
    assert stored_version(new, "things") == 2
    ensure_component(new, "things", 2, V2)  # idempotent
    assert new.query("SELECT version FROM schema_versions WHERE component = 'things' ORDER BY version") == [
        (1,), (2,)]  # the upgrade history


def test_newer_database_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    eng = DuckDBEngine(tmp_path / "db.duckdb")
    ensure_component(eng, "things", 2, V2)
    eng.close()
    eng = DuckDBEngine(tmp_path / "db.duckdb")
    with pytest.raises(EngineError, match="newer sanctrace"):
        ensure_component(eng, "things", 1, V1)


def test_incompatible_change_names_the_remedy(tmp_path: Path) -> None:
    eng = DuckDBEngine(tmp_path / "db.duckdb")
    eng.execute("CREATE TABLE things (id VARCHAR, n INTEGER)")
    eng.execute("INSERT INTO things VALUES ('a', 1)")
    # a declared column whose type cannot be added alongside an existing view of the same name
    eng.execute("CREATE VIEW tags AS SELECT 1 AS x")
    with pytest.raises(EngineError, match="re-create the database"):
        ensure_component(eng, "things", 1, [*V2, "CREATE TABLE tags (x INTEGER)"])
    assert stored_version(eng, "things") is None  # nothing half-done
    assert [r[0] for r in eng.query("SELECT column_name FROM information_schema.columns "
                                    "WHERE table_name = 'things' ORDER BY ordinal_position")] == ["id", "n"]


def test_list_store_and_audit_log_open_a_pre_versioning_database(tmp_path: Path) -> None:
    eng = DuckDBEngine(tmp_path / "db.duckdb")
    # list_snapshots as an early version wrote it: no format, no warnings
    eng.execute("CREATE TABLE list_snapshots (snapshot_id INTEGER, source VARCHAR, file_name VARCHAR, "
                "file_sha256 VARCHAR, published VARCHAR, loaded_at TIMESTAMP, entry_count INTEGER)")
    eng.execute("INSERT INTO list_snapshots VALUES (1, 'un', 'un.xml', 'ab', '2026-01-01', "
                "TIMESTAMP '2026-01-02 00:00:00', 3)")
    eng.close()
    eng = DuckDBEngine(tmp_path / "db.duckdb")
    [info] = store.list_snapshots(eng)
    assert (info.snapshot_id, info.source, info.entry_count, info.warnings) == (1, "un", 3, ())
    assert store.list_snapshots(eng)[0].file_name == "un.xml"


def test_audit_log_continues_on_a_database_created_before_versions(tmp_path: Path) -> None:
    from sanctrace.cases.store import _SCHEMA

    eng = DuckDBEngine(tmp_path / "db.duckdb")
    for statement in _SCHEMA:  # what the earlier ensure_schema created, without schema_versions
        eng.execute(statement)
    eng.close()
    eng = DuckDBEngine(tmp_path / "db.duckdb")
    AuditLog(eng).append("mlro", "case.open", "case", "C-1")
    assert AuditLog(eng).verify().ok
    assert stored_version(eng, "cases") == 1
