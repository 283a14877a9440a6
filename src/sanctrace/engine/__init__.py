"""Where data lives and set-wise work runs: DuckDB (embedded default) or Spark (scale-out)."""

from __future__ import annotations

from sanctrace.config import Settings
from sanctrace.engine.base import Engine
from sanctrace.engine.duckdb_engine import DuckDBEngine

__all__ = ["DuckDBEngine", "Engine", "open_engine"]


def open_engine(settings: Settings) -> Engine:
    """Open the engine the settings ask for. Spark is imported only when asked for."""
    if settings.engine == "spark":
        from sanctrace.engine.spark_engine import SparkEngine

        return SparkEngine(settings)
    return DuckDBEngine(settings.db, threads=settings.threads, memory_limit=settings.memory_limit)
