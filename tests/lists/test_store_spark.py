"""The store on Spark: the same DuckDB-dialect SQL, transpiled, gives the same entries and versions."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sanctrace.config import Settings
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.lists import diff, list_version, load_entries, load_paths, stats
from sanctrace.lists.store import _TABLES

pytestmark = pytest.mark.spark
UK = "sanctions/uk/UK_Sanctions_List_excerpt_2026-09-10.xml"


@pytest.fixture
def spark_engine(spark: Any, tmp_path: Path) -> Iterator[Any]:
    from sanctrace.engine.spark_engine import SparkEngine

    engine = SparkEngine(Settings(spark_master="local[2]", spark_warehouse=tmp_path / "wh"), master="local[2]")
    tables = [*_TABLES, "schema_versions"]
    for table in tables:  # the session catalog is shared by the whole test run
        engine.drop(table)
    yield engine
    for table in tables:
        engine.drop(table)


def test_spark_store_matches_duckdb(spark_engine: Any, engine: DuckDBEngine, shared_data: Path) -> None:
    (on_spark,) = load_paths(spark_engine, [shared_data / UK])
    (on_duckdb,) = load_paths(engine, [shared_data / UK])
    assert (on_spark.snapshot_id, on_spark.entry_count) == (on_duckdb.snapshot_id, on_duckdb.entry_count) == (1, 5)
    assert load_paths(spark_engine, [shared_data / UK])[0].reused
    assert load_entries(spark_engine) == load_entries(engine)
    assert list_version(spark_engine) == list_version(engine) == "uk:2026-09-10#1"
    assert stats(spark_engine)["uk"]["by_kind"] == stats(engine)["uk"]["by_kind"]
    assert diff(spark_engine, 1, 1).summary == {"added": 0, "removed": 0, "changed": 0}
