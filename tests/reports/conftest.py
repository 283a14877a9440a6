"""A small world for the report tests: the ledger files in ``data/``, signal rows, alerts and a case."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctrace.cases.alerts import record_alerts
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.monitoring.ledger import load_ledger
from sanctrace.monitoring.signal_schema import ensure_signal_tables
from sanctrace.reports.entity import ReportingEntity, load_entity
from tests.cases.helpers import TXID, listed_alert, mining_alert

DATA = Path(__file__).parent / "data"
GOLDEN = Path(__file__).parent / "golden"


def load_world(engine: DuckDBEngine) -> None:
    load_ledger(engine, sorted(DATA.glob("*.csv")))
    ensure_signal_tables(engine)
    engine.execute("INSERT INTO signal_customers (customer_id, screening_hit, listed, owner_listed, owner_name, "
                   "ownership_blocked, russia_nexus) VALUES ('cust-0003', true, false, true, 'BITRIVER AG', "
                   "false, false)")
    engine.execute("INSERT INTO signal_deposits (txid, vout, mining_ru_share, mining_share, sanctioned_share, hops) "
                   "VALUES (?, 0, 0.82, 0.9, 0, 2)", [TXID])
    engine.execute("INSERT INTO signal_addresses (address, sanctioned, sanction_entity, russia_nexus, "
                   "cluster_sanctioned, cluster_russia_nexus) VALUES "
                   "('1DpLdsNZ2AMFkqgmtnVWaWLDzqXiAbnjCX', true, 'ofac:GARANTEX', false, false, false)")
    # case-000001: customer cust-0002 (a deposit traced to Russian-nexus mining + a listed owner)
    # case-000002: customer cust-0003 (no transfer: reported as an activity)
    record_alerts(engine, [mining_alert(subject="cust-0002", event="dep-0001"),
                           listed_alert(subject="cust-0002"), listed_alert(subject="cust-0003")])


@pytest.fixture
def world(engine: DuckDBEngine) -> DuckDBEngine:
    load_world(engine)
    return engine


@pytest.fixture
def entity() -> ReportingEntity:
    return load_entity(DATA / "entity.yaml")
