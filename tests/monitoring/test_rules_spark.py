"""Engine parity: the compiled rules give the same hits and explanations on Spark as on DuckDB."""

from __future__ import annotations

from typing import Any

import pytest

from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.monitoring.rules.evaluate import run_ruleset
from sanctrace.monitoring.rules.ruleset import load_ruleset
from tests.monitoring.world import EXPECTED

TABLES = ("ledger_events", "ledger_accounts", "signal_customers", "signal_addresses", "signal_deposits")


@pytest.mark.spark
@pytest.mark.slow  # a Spark session and twelve Spark jobs: about a minute on two busy cores
def test_mission_pack_on_spark_matches_duckdb(world: DuckDBEngine, spark: Any) -> None:
    from sanctrace.engine.spark_engine import SparkEngine

    engine = SparkEngine(master="local[2]")
    for table in TABLES:
        engine.register(table, world.to_arrow(f"SELECT * FROM {table}"))
    rs = load_ruleset("mission")
    on_spark = {(h.rule.id, h.event["event_id"]): h.explanation for h in run_ruleset(engine, rs)}
    on_duckdb = {(h.rule.id, h.event["event_id"]): h.explanation for h in run_ruleset(world, rs)}
    assert on_spark == on_duckdb
    assert {e for (_, e) in on_spark} == set().union(*EXPECTED.values())
