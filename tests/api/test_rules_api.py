"""Rules over HTTP on the monitoring engineer's hand-made world: list packs, check, run, backtest."""

from __future__ import annotations

from pathlib import Path

from sanctrace.monitoring.ledger import load_ledger
from tests.api.conftest import Api
from tests.monitoring.world import insert_signals, write_world


def test_packs_check_run_and_backtest(api: Api, tmp_path: Path) -> None:
    load_ledger(api.engine, write_world(tmp_path / "world"))
    insert_signals(api.engine)
    c = api.client
    packs = c.get("/rules", headers=api.as_("ann")).json()
    assert [p["ruleset"] for p in packs] and any(r["id"] == "STRUCTURING" for p in packs for r in p["rules"])
    bad = c.post("/rules/check", json={"yaml": "ruleset: x\nversion: '1'\nrules:\n  - id: A\n    when: amount >>> 1\n"},
                 headers=api.as_("adm"))
    assert bad.status_code == 422 and "line" in bad.json()["error"]
    assert c.post("/rules/run", json={"ruleset": "mission"}, headers=api.as_("ann")).status_code == 403
    assert c.post("/rules/run", json={"ruleset": "../../etc/passwd"}, headers=api.as_("adm")).status_code == 422
    ran = c.post("/rules/run", json={"ruleset": "mission"}, headers=api.as_("adm"))
    assert ran.status_code == 200, ran.text
    assert ran.json()["new_alerts"] > 0 and "STRUCTURING" in ran.json()["per_rule"]
    again = c.post("/rules/run", json={"ruleset": "mission"}, headers=api.as_("adm")).json()
    assert again["new_alerts"] == 0  # idempotent: the same hits are the same alerts
    alerts = c.get("/alerts?rule_id=STRUCTURING", headers=api.as_("ann")).json()
    assert alerts and alerts[0]["case_id"]
    bt = c.post("/rules/backtest", json={"ruleset": "mission", "date_from": "2026-05-01T00:00:00Z",
                                          "date_to": "2026-06-01T00:00:00Z"}, headers=api.as_("adm"))
    assert bt.status_code == 200, bt.text
    events = c.get("/audit/events?action=rules.run", headers=api.as_("aud")).json()
    assert [e["actor"] for e in events] == ["adm", "adm"]
