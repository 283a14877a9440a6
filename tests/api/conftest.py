"""An app over a real DuckDB file, users of every role with real tokens, and a few real alerts."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sanctrace.api import users
from sanctrace.api.app import create_app
from sanctrace.cases.alerts import record_alerts
from sanctrace.config import Settings
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.model.alert import Alert, Severity, SubjectType

ENTITY = """{"rentity_id": "JP-VASP-0042", "name": "Sakura Crypto Exchange K.K.",
 "registration_number": "関東財務局長 第00099号", "address": "1-1 Marunouchi", "city": "Chiyoda-ku, Tokyo",
 "btc_rate_local": "15000000"}"""
ROLES = {"ann": "analyst", "ari": "analyst", "sue": "supervisor", "sam": "supervisor", "aud": "auditor",
         "adm": "admin"}


@dataclass
class Api:
    client: TestClient
    engine: DuckDBEngine
    tokens: dict[str, str]

    def as_(self, user: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[user]}"}


def demo_alerts() -> list[Alert]:
    base = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
    return [
        Alert("screening.listed_customer", "1", Severity.CRITICAL, SubjectType.CUSTOMER, "C-1001", "screen-1",
              base, 0.93, "Customer C-1001 matches OFAC SDN entry ofac:36456",
              {"list_entry": {"entity_id": "ofac:36456", "name": "TIMCHENKO, Gennadiy"},
               "list_version": "ofac:2025-11-19#1", "score": 0.93}),
        Alert("chain.mining_exposure", "1", Severity.HIGH, SubjectType.CUSTOMER, "C-1001", "dep-77",
              base + timedelta(days=1), 0.63, "63% of deposit dep-77 comes from a Russian-nexus pool",
              {"transfer": {"txid": "ab" * 32, "address": "bc1qexample0deposit", "amount_sat": 150_000_000,
                            "direction": "deposit"},
               "paths": [[{"from": "coinbase:EMCD", "to": "bc1qpeel1", "value_sat": 625_000_000, "txid": "cd" * 32},
                          {"from": "bc1qpeel1", "to": "bc1qexample0deposit", "value_sat": 150_000_000,
                           "txid": "ab" * 32}]]}),
        Alert("ownership.blocked_50", "1", Severity.HIGH, SubjectType.PARTY, "P-ACME-SG", "own-1",
              base + timedelta(days=2), 0.8, "ACME Pte. Ltd. is 60% owned by listed persons",
              {"ownership_path": [{"from": "ofac:36456", "to": "P-ACME-CY", "share": 1.0},
                                  {"from": "P-ACME-CY", "to": "P-ACME-SG", "share": 0.6}]}),
    ]


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    engine = DuckDBEngine(tmp_path / "api.duckdb")
    entity = tmp_path / "entity.json"
    entity.write_text(ENTITY, encoding="utf-8")
    settings = Settings(db=tmp_path / "api.duckdb", api_rate_limit_per_minute=100_000, api_max_body_bytes=64_000,
                        api_report_entity=entity)
    users.ensure_schema(engine)
    tokens = {}
    for name, role in ROLES.items():
        users.create_user(engine, name, role)
        tokens[name] = users.issue_token(engine, name)
    record_alerts(engine, demo_alerts())
    app = create_app(settings, engine=engine)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(client, engine, tokens)
    engine.close()
