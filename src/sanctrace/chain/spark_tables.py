"""Where the Spark jobs find the chain tables.

On a cluster the tables are Parquet datasets (``<spark_warehouse>/<table>``), written by whatever
loaded the chain; on one machine they can come straight from the DuckDB file (exported to
Parquet once, then read by Spark), or — in tests — from another engine's Arrow tables.
Every table is exposed as a temp view with its DuckDB name, so the same SQL runs on both.
pyspark is imported only by the callers, when Spark was asked for.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sanctrace.config import Settings
from sanctrace.engine.base import Engine
from sanctrace.errors import NotFound

CLUSTER_TABLES = ("chain_txs", "chain_inputs", "chain_outputs", "chain_addresses")
OPTIONAL_TABLES = ("chain_tags", "chain_block_pools", "chain_clusters")


def views_from_engine(spark_engine: Any, source: Engine, tables: tuple[str, ...]) -> list[str]:
    """Register ``tables`` of another engine (DuckDB) as Spark temp views via Arrow."""
    done = []
    for name in tables:
        if source.table_exists(name):
            spark_engine.register(name, source.to_arrow(f"SELECT * FROM {name}"))
            done.append(name)
    return done


def views_from_warehouse(spark_engine: Any, settings: Settings, tables: tuple[str, ...],
                         required: tuple[str, ...] = CLUSTER_TABLES) -> list[str]:
    """Expose the chain tables to Spark: catalog table, else Parquet in the warehouse, else the
    DuckDB file exported to Parquet in the warehouse (done once per table)."""
    spark = spark_engine.spark
    warehouse = Path(settings.spark_warehouse)
    done: list[str] = []
    for name in tables:
        if spark.catalog.tableExists(name):
            done.append(name)
            continue
        target = warehouse / name
        if not target.exists() and Path(settings.db).exists():
            _export(settings, name, target)
        if target.exists():
            spark.read.parquet(str(target)).createOrReplaceTempView(name)
            done.append(name)
        elif name in required:
            raise NotFound(f"{name}: not in the Spark catalog, not at {target}, and not in {settings.db}")
    return done


def _export(settings: Settings, name: str, target: Path) -> None:
    import duckdb

    con = duckdb.connect(str(settings.db), read_only=True)
    try:
        exists = con.execute("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name]).fetchone()
        if not exists or not exists[0]:
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(target.name + ".partial")
        con.execute(f"COPY (SELECT * FROM {name}) TO '{tmp}' (FORMAT parquet, PER_THREAD_OUTPUT true)")
        tmp.rename(target)
    finally:
        con.close()
