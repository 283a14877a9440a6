"""Deposit and withdrawal decisions over HTTP against a real ledger and signal tables."""

from __future__ import annotations

from pathlib import Path

from sanctrace.monitoring.ledger import load_ledger
from sanctrace.monitoring.signal_schema import ensure_signal_tables
from tests.api.conftest import Api

ACCOUNTS = """account_id,customer_id,customer_name,customer_type,country,opened_at,expected_monthly_volume_jpy
A1,C1,Taro Yamada,person,JP,2024-01-01T00:00:00Z,1000000
A2,C2,Ivan Petrov,person,RU,2024-01-01T00:00:00Z,1000000
"""
MINED = "aa" * 32
CLEAN = "bb" * 32
SANCTIONED = "1MEMAUm1RGLYPqJAJmkewxfDm9dtFg4axs"  # a real OFAC-listed address
ELSEWHERE = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"


def seed(api: Api, tmp_path: Path) -> None:
    (tmp_path / "accounts.csv").write_text(ACCOUNTS)
    load_ledger(api.engine, [tmp_path / "accounts.csv"])
    ensure_signal_tables(api.engine)
    api.engine.execute(
        "INSERT INTO signal_deposits (txid, vout, mining_ru_share, mining_share, sanctioned_share, hops, max_hops) "
        f"VALUES ('{MINED}', 0, 0.9, 0.95, 0.0, 2, 3), ('{CLEAN}', 1, 0.0, 0.0, 0.0, NULL, 3)")
    api.engine.execute(
        "INSERT INTO signal_addresses (address, sanctioned, sanction_entity, russia_nexus, label, cluster_id, "
        "cluster_sanctioned, cluster_russia_nexus, cluster_label) VALUES "
        f"('{SANCTIONED}', true, 'Garantex Europe OU', true, 'garantex', 'cl-0', true, true, 'Garantex')")


def test_deposit_and_withdrawal_decisions_are_audited_with_the_user(api: Api, tmp_path: Path) -> None:
    seed(api, tmp_path)
    c = api.client
    mined = c.post("/decisions/deposit", json={"account_id": "A1", "txid": MINED, "vout": 0, "amount": 50_000_000},
                   headers=api.as_("ann"))
    assert mined.status_code == 200, mined.text
    assert mined.json()["verdict"] in ("hold", "freeze") and mined.json()["reasons"]
    clean = c.post("/decisions/deposit", json={"account_id": "A1", "txid": CLEAN, "vout": 1, "amount": 1000},
                   headers=api.as_("ann")).json()
    assert clean["verdict"] == "credit"
    blocked = c.post("/decisions/withdrawal", json={"account_id": "A1", "address": SANCTIONED,
                                                     "amount": 10_000}, headers=api.as_("sue")).json()
    assert blocked["verdict"] == "block"
    assert any("sanction" in r["code"] for r in blocked["reasons"])
    events = c.get("/audit/events?subject_type=account&subject_id=A1", headers=api.as_("aud")).json()
    assert [(e["actor"], e["action"]) for e in events] == [
        ("ann", "decision.deposit"), ("ann", "decision.deposit"), ("sue", "decision.withdrawal")]
    assert events[2]["details"]["verdict"] == "block"


def test_decision_input_errors(api: Api, tmp_path: Path) -> None:
    seed(api, tmp_path)
    c = api.client
    unknown = c.post("/decisions/withdrawal", json={"account_id": "NOPE", "address": ELSEWHERE, "amount": 1},
                     headers=api.as_("ann"))
    assert unknown.status_code == 404 and "NOPE" in unknown.json()["error"]
    negative = c.post("/decisions/withdrawal", json={"account_id": "A1", "address": ELSEWHERE, "amount": -5},
                      headers=api.as_("ann"))
    assert negative.status_code == 422 and "amount" in negative.json()["error"]
    typo = c.post("/decisions/withdrawal", json={"account_id": "A1", "address": ELSEWHERE[:-1] + "5", "amount": 1},
                  headers=api.as_("ann"))
    assert typo.status_code == 422 and "not a valid Bitcoin address" in typo.json()["error"]
    floaty = c.post("/decisions/deposit", json={"account_id": "A1", "txid": CLEAN, "vout": 1, "amount": 1.5},
                    headers=api.as_("ann"))
    assert floaty.status_code == 422
    assert c.post("/decisions/deposit", json={"account_id": "A1", "txid": "xyz", "vout": 0, "amount": 1},
                  headers=api.as_("ann")).status_code == 422
    assert c.post("/decisions/withdrawal", json={"account_id": "A1", "address": ELSEWHERE, "amount": 1},
                  headers=api.as_("aud")).status_code == 403


def test_dashboard_aggregates(api: Api, tmp_path: Path) -> None:
    seed(api, tmp_path)
    c = api.client
    d = c.get("/dashboard", headers=api.as_("aud")).json()
    per_rule = {(x["rule_id"], x["day"]): x["count"] for x in d["alerts_per_rule_per_day"]}
    assert per_rule[("screening.listed_customer", "2026-11-20")] == 1
    assert d["exposure_distribution"]["series"]["mining_ru_share"][9] == 1
    assert d["open_cases"] == 2


def test_queued_audit_mode_still_records_every_decision(api: Api, tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from sanctrace.api.app import create_app
    from sanctrace.config import Settings

    seed(api, tmp_path)
    settings = Settings(db=tmp_path / "api.duckdb", api_decision_audit="queued", api_rate_limit_per_minute=10**6)
    with TestClient(create_app(settings, engine=api.engine)) as c:
        for amount in (1, 2, 3):
            r = c.post("/decisions/deposit", json={"account_id": "A1", "txid": CLEAN, "vout": 1, "amount": amount},
                       headers=api.as_("ann"))
            assert r.status_code == 200
    # Shutting the app down drains the queue: every decision is in the chain.
    events = api.client.get("/audit/events?action=decision.deposit", headers=api.as_("aud")).json()
    assert [e["details"]["amount"] for e in events] == [1, 2, 3]
    assert api.client.get("/audit/verify", headers=api.as_("aud")).json()["ok"] is True
