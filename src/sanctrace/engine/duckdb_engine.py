"""DuckDB: the embedded default, one database file."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from sanctrace.engine.base import Engine
from sanctrace.errors import EngineError


class DuckDBEngine(Engine):
    """One DuckDB connection to one file (or ``:memory:``).

    Transactions nest: an inner ``transaction()`` joins the outer one, so a loader can call
    helpers that also ask for a transaction and the whole load still commits or rolls back once.
    """

    name = "duckdb"

    def __init__(self, path: Path | str = ":memory:", *, threads: int = 0, memory_limit: str | None = None):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self.con = duckdb.connect(self.path)
        except duckdb.Error as exc:  # locked by another process, corrupt file, ...
            raise EngineError(f"{self.path}: cannot open database: {exc}") from exc
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            self.con.execute("SET memory_limit = ?", [memory_limit])
        self._depth = 0
        self._lock = threading.RLock()

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        with self._lock:
            self.con.execute(sql, params)

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        with self._lock:
            return self.con.execute(sql, params).fetchall()

    def to_arrow(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        with self._lock:
            result = self.con.execute(sql, params)
            fetch = getattr(result, "to_arrow_table", None) or result.fetch_arrow_table
            table: pa.Table = fetch()
            return table

    def register(self, name: str, table: pa.Table) -> None:
        with self._lock:
            self.con.register(name, table)

    def unregister(self, name: str) -> None:
        with self._lock:
            self.con.unregister(name)

    def table_exists(self, name: str) -> bool:
        row = self.query_one(
            "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]
        )
        return bool(row and row[0])

    @contextmanager
    def transaction(self) -> Iterator[None]:
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self.con.execute("BEGIN TRANSACTION")
            self._depth = 1
            try:
                yield
            except BaseException:
                self._depth = 0
                self.con.execute("ROLLBACK")
                raise
            self._depth = 0
            self.con.execute("COMMIT")

    @property
    def in_transaction(self) -> bool:
        """True inside ``transaction()`` (statements such as CHECKPOINT must wait)."""
        return self._depth > 0

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A cursor for another thread (the API server): same database, own state."""
        return self.con.cursor()

    def close(self) -> None:
        self.con.close()
