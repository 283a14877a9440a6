"""Fixtures for monitoring tests: the hand-made world loaded into a fresh engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.monitoring.ledger import load_ledger
from tests.monitoring.world import insert_signals, write_world


@pytest.fixture
def world(engine: DuckDBEngine, tmp_path: Path) -> DuckDBEngine:
    load_ledger(engine, write_world(tmp_path / "world"))
    insert_signals(engine)
    return engine
