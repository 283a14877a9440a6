"""The engine interface: a handful of primitives every backend provides.

SQL is written once, in DuckDB's dialect; other engines transpile it (sqlglot). Capabilities
use only these primitives so they run unchanged on DuckDB and Spark.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import pyarrow as pa


class Engine(ABC):
    name: str = "abstract"

    @abstractmethod
    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        """Run a statement that returns nothing of interest."""

    @abstractmethod
    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        """Run a query and return all rows as tuples."""

    @abstractmethod
    def to_arrow(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        """Run a query and return the result as an Arrow table."""

    @abstractmethod
    def register(self, name: str, table: pa.Table) -> None:
        """Expose an Arrow table under ``name`` for the following queries."""

    @abstractmethod
    def table_exists(self, name: str) -> bool: ...

    def drop(self, name: str) -> None:
        self.execute(f"DROP TABLE IF EXISTS {name}")

    def query_one(self, sql: str, params: Sequence[Any] | None = None) -> tuple[Any, ...] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        row = self.query_one(sql, params)
        return None if row is None else row[0]

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All-or-nothing unit of work. Backends without transactions run the block as is."""
        yield

    def close(self) -> None:  # noqa: B027 - optional hook
        """Release resources."""
