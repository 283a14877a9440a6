from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sanctrace.cases.alerts import get_alert, record_alerts
from sanctrace.cases.audit import AuditLog
from sanctrace.cases.workflow import CaseWorkflow
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.errors import InputError, NotFound
from sanctrace.model.alert import Alert, alert_id_for
from tests.cases.helpers import listed_alert, mining_alert


def test_alert_id_is_stable_and_depends_on_rule_version() -> None:
    a, b = mining_alert(), mining_alert()
    assert a.alert_id == b.alert_id
    assert a.alert_id == alert_id_for("deposit_russia_mining_exposure", "3", "customer", "cust-0001", "dep-0001")
    assert alert_id_for("deposit_russia_mining_exposure", "4", "customer", "cust-0001", "dep-0001") != a.alert_id


def test_alert_validation() -> None:
    with pytest.raises(InputError, match="score"):
        mining_alert(score=1.5)
    with pytest.raises(InputError, match=r"severity|valid"):
        mining_alert(severity="urgent")
    with pytest.raises(InputError, match="unknown fields"):
        Alert.from_dict({**mining_alert().to_dict(), "colour": "red"})


def test_alert_dict_round_trip() -> None:
    alert = mining_alert()
    again = Alert.from_dict(alert.to_dict())
    assert again == alert


def test_record_groups_per_subject_and_is_idempotent(engine: DuckDBEngine) -> None:
    alerts = [mining_alert(), listed_alert(), mining_alert(subject="cust-0002", severity="medium", score=0.4)]
    new = record_alerts(engine, alerts)
    assert new == [a.alert_id for a in alerts]
    assert record_alerts(engine, alerts) == []
    assert engine.scalar("SELECT count(*) FROM alerts") == 3

    cases = CaseWorkflow(engine).find()
    assert [(c.subject_id, len(c.alert_ids), c.severity) for c in cases] == [
        ("cust-0001", 2, "critical"), ("cust-0002", 1, "medium")]
    assert cases[0].score == pytest.approx(0.91)
    stored = get_alert(engine, alerts[0].alert_id)
    assert stored.evidence == alerts[0].evidence
    assert stored.occurred_at == alerts[0].occurred_at
    with pytest.raises(NotFound):
        get_alert(engine, "alert-nope")

    actions = [e.action for e in AuditLog(engine).events()]
    assert actions.count("case.opened") == 2 and actions.count("alert.recorded") == 3
    assert AuditLog(engine).verify().ok


def test_new_alert_after_close_opens_a_new_case(engine: DuckDBEngine) -> None:
    record_alerts(engine, [mining_alert()])
    flow = CaseWorkflow(engine)
    first = flow.find()[0]
    flow.close(first.case_id, "false_positive", "known miner customer, documented", user="alice")
    later = mining_alert(event="dep-0002")
    later.occurred_at = datetime(2025, 4, 1, tzinfo=UTC)
    record_alerts(engine, [later])
    cases = flow.find(subject_id="cust-0001")
    assert [c.status.value for c in cases] == ["closed", "open"]
    assert cases[1].alert_ids == [later.alert_id]


def test_record_is_atomic(engine: DuckDBEngine) -> None:
    record_alerts(engine, [mining_alert()])
    engine.execute("ALTER TABLE audit_log RENAME TO audit_log_moved")
    with pytest.raises(Exception):  # noqa: B017 - any engine failure; the point is what is left behind
        record_alerts(engine, [listed_alert(subject="cust-0009")])
    engine.execute("ALTER TABLE audit_log_moved RENAME TO audit_log")
    assert engine.scalar("SELECT count(*) FROM alerts") == 1
    assert engine.scalar("SELECT count(*) FROM cases") == 1
