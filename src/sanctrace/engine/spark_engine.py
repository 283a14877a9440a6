"""Spark: the scale-out engine, through PySpark (``local[*]`` here, a cluster in production).

Queries are written in DuckDB SQL and transpiled with sqlglot. Tables live as Parquet under
``settings.spark_warehouse`` (or are registered from Arrow) so that a cluster can read them.
pyspark is imported only here, and only when a Spark engine is created.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from sanctrace.config import Settings
from sanctrace.engine.base import Engine
from sanctrace.errors import EngineError


def transpile(sql: str) -> str:
    """DuckDB SQL → Spark SQL."""
    import sqlglot

    return ";\n".join(sqlglot.transpile(sql, read="duckdb", write="spark"))


def _inline_params(sql: str, params: Sequence[Any] | None) -> str:
    """Spark SQL has no positional ``?`` parameters; inline them as literals (values are ours)."""
    if not params:
        return sql
    import sqlglot.expressions as exp

    out: list[str] = []
    values = iter(params)
    for chunk_index, chunk in enumerate(sql.split("?")):
        if chunk_index:
            out.append(exp.convert(next(values)).sql(dialect="duckdb"))
        out.append(chunk)
    return "".join(out)


_SESSIONS: dict[str, Any] = {}


DEFAULT_CONF: dict[str, str] = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "8",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
    "spark.driver.memory": "4g",
}


def spark_session(master: str = "local[*]", conf: Mapping[str, str] | None = None) -> Any:
    """One SparkSession per master per process (starting one costs seconds). ``conf`` is applied only
    when the session is created: driver memory cannot change in a running JVM."""
    if master in _SESSIONS:
        return _SESSIONS[master]
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise EngineError("the Spark engine needs pyspark: pip install 'sanctrace[spark]'") from exc
    builder = SparkSession.builder.master(master).appName("sanctrace")
    settings = {**DEFAULT_CONF, **(conf or {})}
    if master.startswith("local") and "spark.pyspark.python" not in settings:
        # Python workers (Arrow UDFs) must run this interpreter, which has pyarrow and sanctrace
        # (PySpark reads the worker interpreter from the environment when the context starts); on a
        # cluster the executors' Python is the cluster's to configure
        os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    for key, value in settings.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    _SESSIONS[master] = session
    return session


class SparkEngine(Engine):
    name = "spark"

    def __init__(self, settings: Settings | None = None, *, master: str | None = None):
        settings = settings or Settings()
        self.settings = settings
        self.spark = spark_session(master or settings.spark_master, settings.spark_conf)

    def _sql(self, sql: str, params: Sequence[Any] | None) -> Any:
        return self.spark.sql(transpile(_inline_params(sql, params)))

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        self._sql(sql, params).collect()

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[tuple[Any, ...]]:
        return [tuple(row) for row in self._sql(sql, params).collect()]

    def to_arrow(self, sql: str, params: Sequence[Any] | None = None) -> pa.Table:
        frame = self._sql(sql, params)
        to_arrow = getattr(frame, "toArrow", None)
        if to_arrow is not None:
            table: pa.Table = to_arrow()
            return table
        return pa.Table.from_pandas(frame.toPandas(), preserve_index=False)

    def register(self, name: str, table: pa.Table) -> None:
        self.dataframe(table).createOrReplaceTempView(name)

    def dataframe(self, table: pa.Table) -> Any:
        """An Arrow table as a Spark DataFrame."""
        create = self.spark.createDataFrame
        try:
            return create(table)  # Spark ≥ 4 accepts Arrow directly
        except (TypeError, ValueError):
            return create(table.to_pandas())

    def table_exists(self, name: str) -> bool:
        return bool(self.spark.catalog.tableExists(name))

    def drop(self, name: str) -> None:
        self.spark.catalog.dropTempView(name)
        self.spark.sql(f"DROP TABLE IF EXISTS {name}")
