from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from sanctrace.cases.alerts import record_alerts
from sanctrace.cases.audit import AuditLog
from sanctrace.cases.workflow import CaseWorkflow
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.errors import Conflict, InputError, IntegrityError, NotFound
from sanctrace.model.case import CaseStatus, Disposition
from tests.cases.helpers import listed_alert, mining_alert


@pytest.fixture
def flow(engine: DuckDBEngine) -> CaseWorkflow:
    record_alerts(engine, [mining_alert(), listed_alert()])
    return CaseWorkflow(engine)


CASE = "case-000001"


def test_assign_moves_open_to_investigating(flow: CaseWorkflow) -> None:
    case = flow.assign(CASE, "bob", user="alice")
    assert case.assignee == "bob" and case.status is CaseStatus.INVESTIGATING
    assert [c.case_id for c in flow.find(assignee="bob")] == [CASE]
    assert flow.find(status="open") == []
    with pytest.raises(InputError):
        flow.find(status="pending")


def test_four_eyes_on_reported_close(flow: CaseWorkflow) -> None:
    flow.assign(CASE, "bob", user="alice")
    pending = flow.close(CASE, "reported", "STR filed with JAFIC", user="bob")
    assert pending.status is CaseStatus.INVESTIGATING and pending.awaiting_approval
    assert pending.pending_disposition is Disposition.REPORTED and pending.close_requested_by == "bob"
    with pytest.raises(Conflict, match="four-eyes"):
        flow.approve(CASE, user="bob")
    with pytest.raises(Conflict, match="awaiting approval"):
        flow.close(CASE, "true_positive", "changed my mind", user="bob")
    closed = flow.approve(CASE, user="carol", comment="checked the STR")
    assert closed.status is CaseStatus.CLOSED and closed.disposition is Disposition.REPORTED
    assert closed.closed_by == "bob" and closed.approved_by == "carol" and not closed.awaiting_approval
    with pytest.raises(Conflict, match="closed"):
        flow.approve(CASE, user="dave")
    with pytest.raises(Conflict, match="closed"):
        flow.assign(CASE, "erin", user="dave")
    trail = [(e.actor, e.action) for e in flow.show(CASE).trail]
    assert trail[-3:] == [("alice", "case.assigned"), ("bob", "case.close_requested"), ("carol", "case.approved")]


def test_reject_sends_the_close_back(flow: CaseWorkflow) -> None:
    flow.close(CASE, "reported", "STR filed", user="bob")
    with pytest.raises(Conflict):
        flow.reject(CASE, "own close", user="bob")
    case = flow.reject(CASE, "attach the exposure graph first", user="carol")
    assert not case.awaiting_approval and case.status is CaseStatus.OPEN
    with pytest.raises(Conflict, match="no close awaiting"):
        flow.approve(CASE, user="carol")


def test_other_dispositions_close_directly(flow: CaseWorkflow) -> None:
    case = flow.close(CASE, "false_positive", "namesake, different birth date", user="bob")
    assert case.status is CaseStatus.CLOSED and case.disposition is Disposition.FALSE_POSITIVE
    assert case.approved_by is None
    with pytest.raises(InputError, match="disposition"):
        flow.close("case-000001", "dismissed", "x", user="bob")


def test_escalate_and_notes(flow: CaseWorkflow) -> None:
    assert flow.escalate(CASE, "possible BitRiver subsidiary", user="bob").status is CaseStatus.ESCALATED
    with pytest.raises(Conflict, match="already escalated"):
        flow.escalate(CASE, "again", user="bob")
    note = flow.note(CASE, "called the customer; no answer", user="bob")
    shown = flow.show(CASE)
    assert [n.text for n in shown.notes] == [note.text]
    assert {a.rule_id for a in shown.alerts} == {"deposit_russia_mining_exposure", "customer_owner_listed"}
    assert shown.to_dict()["notes"][0]["author"] == "bob"
    with pytest.raises(InputError):
        flow.note(CASE, "   ", user="bob")
    with pytest.raises(InputError, match="--user"):
        flow.note(CASE, "anonymous", user=" ")
    with pytest.raises(NotFound):
        flow.note("case-999999", "x", user="bob")


def test_attachment_round_trip_and_tamper_check(flow: CaseWorkflow, engine: DuckDBEngine,
                                                tmp_path: Path) -> None:
    evidence = tmp_path / "chat-export.txt"
    evidence.write_bytes(b"customer: the coins come from our farm in Bratsk\n")
    att = flow.attach(CASE, evidence, user="bob", description="support chat")
    assert att.sha256 == hashlib.sha256(evidence.read_bytes()).hexdigest()
    assert att.media_type == "text/plain"
    meta, content = flow.attachment_content(att.attachment_id)
    assert content == evidence.read_bytes() and meta.filename == "chat-export.txt"
    engine.execute("UPDATE case_attachments SET content = 'edited'::BLOB WHERE attachment_id = ?",
                   [att.attachment_id])
    with pytest.raises(IntegrityError):
        flow.attachment_content(att.attachment_id)
    with pytest.raises(InputError, match="cannot read"):
        flow.attach(CASE, tmp_path / "missing.pdf", user="bob")
    audit = AuditLog(engine).events(action="case.attached")
    assert audit[0].details["sha256"] == att.sha256


def test_every_action_keeps_the_chain_valid(flow: CaseWorkflow, engine: DuckDBEngine) -> None:
    flow.assign(CASE, "bob", user="alice")
    flow.note(CASE, "n", user="bob")
    flow.escalate(CASE, "r", user="bob")
    flow.close(CASE, "reported", "filed", user="bob")
    flow.approve(CASE, user="carol")
    assert AuditLog(engine).verify().ok
