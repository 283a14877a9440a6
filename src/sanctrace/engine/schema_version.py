"""Schema versions: a database written by an older sanctrace keeps working after an upgrade.

Each capability (lists, ledger, signals, cases, ...) owns a set of tables declared by ``CREATE TABLE``
statements and a version number it bumps whenever it adds a column. ``ensure_component`` records the
version it brought the database to in ``schema_versions(component, version, migrated_at)`` (one
row per upgrade, a history; the highest version counts; insert-only, so Spark tables work too):

* no row, or an older version: the tables are created if missing and every column the statements
  declare but the stored table lacks is added with ``ALTER TABLE ... ADD COLUMN IF NOT EXISTS``
  (nullable: rows written before the upgrade read as NULL, which readers must accept), in one
  transaction, then the version is recorded;
* the same version: nothing to do (checked once per engine and process);
* a newer version: a clear :class:`EngineError` (this sanctrace is older than the database) instead
  of a DuckDB binder error deep inside a query.

Only additive changes are automatic. A column that changed type or disappeared needs a new database;
the error says so. The expected columns are read by running the statements in a scratch in-memory
DuckDB, so a component declares its schema once, as SQL, whatever engine holds the data.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence

import duckdb

from sanctrace.engine.base import Engine
from sanctrace.errors import EngineError

_DONE: weakref.WeakKeyDictionary[Engine, set[tuple[str, int]]] = weakref.WeakKeyDictionary()


def declared_columns(statements: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    """``{table: [(column, type), ...]}`` for the ``CREATE TABLE`` statements (views are skipped)."""
    scratch = duckdb.connect(":memory:")
    try:
        for statement in statements:
            if statement.lstrip().upper().startswith("CREATE TABLE"):
                scratch.execute(statement)
        rows = scratch.execute(
            "SELECT table_name, column_name, data_type FROM information_schema.columns "
            "ORDER BY table_name, ordinal_position").fetchall()
    finally:
        scratch.close()
    out: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        out.setdefault(str(table), []).append((str(column), str(kind)))
    return out


def _stored_columns(engine: Engine, table: str) -> set[str]:
    return {name.lower() for name in engine.to_arrow(f"SELECT * FROM {table} LIMIT 0").schema.names}


def stored_version(engine: Engine, component: str) -> int | None:
    if not engine.table_exists("schema_versions"):
        return None
    value = engine.scalar("SELECT max(version) FROM schema_versions WHERE component = ?", [component])
    return None if value is None else int(value)


def ensure_component(engine: Engine, component: str, version: int, statements: Sequence[str]) -> None:
    """Bring ``component``'s tables to ``version`` (create, then add missing columns); idempotent."""
    done = _DONE.setdefault(engine, set())
    if (component, version) in done:
        return
    stored = stored_version(engine, component)
    if stored is not None and stored > version:
        raise EngineError(
            f"this database holds {component} schema version {stored}, written by a newer sanctrace "
            f"(this one knows version {version}): upgrade sanctrace or use another --db")
    if stored != version:
        _migrate(engine, component, version, statements)
    done.add((component, version))


def _migrate(engine: Engine, component: str, version: int, statements: Sequence[str]) -> None:
    declared = declared_columns(statements)
    try:
        with engine.transaction():
            engine.execute("CREATE TABLE IF NOT EXISTS schema_versions "
                           "(component VARCHAR, version INTEGER, migrated_at TIMESTAMP)")
            for statement in statements:
                engine.execute(statement)
            for table, columns in declared.items():
                present = _stored_columns(engine, table)
                for name, kind in columns:
                    if name.lower() not in present:
                        engine.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS {name} {kind}")
            engine.execute("INSERT INTO schema_versions VALUES (?, ?, current_timestamp)", [component, version])
    except EngineError:
        raise
    except Exception as exc:  # the engine's own error: the stored schema cannot be brought up to date
        raise EngineError(
            f"cannot upgrade the {component} tables of this database to schema version {version} "
            f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else exc!r}); "
            "re-create the database (a new --db path) and load the data again") from exc
