"""The case workflow through HTTP: queue, case file, actions, four-eyes, audit trail with the user."""

from __future__ import annotations

from tests.api.conftest import Api


def _case_of(api: Api, subject: str) -> str:
    cases = api.client.get(f"/cases?subject_id={subject}", headers=api.as_("ann")).json()
    assert len(cases) == 1
    return str(cases[0]["case_id"])


def test_alert_queue_is_ordered_by_severity_and_links_cases(api: Api) -> None:
    r = api.client.get("/alerts", headers=api.as_("ann"))
    assert r.status_code == 200
    alerts = r.json()
    assert [a["severity"] for a in alerts] == ["critical", "high", "high"]
    assert all(a["case_id"] for a in alerts)
    one = api.client.get(f"/alerts/{alerts[0]['alert_id']}", headers=api.as_("aud")).json()
    assert one["evidence"]["list_entry"]["entity_id"] == "ofac:36456"
    assert one["case_id"] == alerts[0]["case_id"]
    assert api.client.get("/alerts?rule_id=ownership.blocked_50", headers=api.as_("ann")).json()[0][
        "subject_id"] == "P-ACME-SG"


def test_full_workflow_with_four_eyes(api: Api) -> None:
    case_id = _case_of(api, "C-1001")
    c = api.client
    assert c.post(f"/cases/{case_id}/assign", json={"assignee": "ann"}, headers=api.as_("ann")).json()[
        "status"] == "investigating"
    assert c.post(f"/cases/{case_id}/notes", json={"text": "two alerts, same customer"},
                  headers=api.as_("ann")).status_code == 201
    assert c.post(f"/cases/{case_id}/escalate", json={"reason": "listed + mining"},
                  headers=api.as_("ann")).json()["status"] == "escalated"
    closed = c.post(f"/cases/{case_id}/close", json={"disposition": "reported", "reason": "STR filed"},
                    headers=api.as_("sue"))
    assert closed.status_code == 200 and closed.json()["awaiting_approval"] is True
    # The same supervisor cannot approve her own close: 409 with the workflow's message.
    own = c.post(f"/cases/{case_id}/approve", json={}, headers=api.as_("sue"))
    assert own.status_code == 409 and "four-eyes" in own.json()["error"]
    # An analyst may not approve at all.
    assert c.post(f"/cases/{case_id}/approve", json={}, headers=api.as_("ari")).status_code == 403
    done = c.post(f"/cases/{case_id}/approve", json={"comment": "agreed"}, headers=api.as_("sam")).json()
    assert done["status"] == "closed" and done["disposition"] == "reported" and done["approved_by"] == "sam"
    file = c.get(f"/cases/{case_id}", headers=api.as_("aud")).json()
    actions = [(e["actor"], e["action"]) for e in file["trail"]]
    assert ("ann", "case.assigned") in actions and ("sam", "case.approved") in actions
    assert ("sue", "case.close_requested") in actions
    assert file["notes"][0]["author"] == "ann"
    # A closed case no longer changes.
    assert c.post(f"/cases/{case_id}/escalate", json={"reason": "again"}, headers=api.as_("ann")).status_code == 409
    verify = c.get("/audit/verify", headers=api.as_("aud")).json()
    assert verify["ok"] is True and verify["events"] >= 6


def test_attachment_upload_and_download_keeps_bytes(api: Api) -> None:
    case_id = _case_of(api, "P-ACME-SG")
    payload = "登記簿謄本 ACME Pte. Ltd.\n".encode()
    r = api.client.post(f"/cases/{case_id}/attachments", files={"file": ("registry.txt", payload, "text/plain")},
                        data={"description": "registry extract"}, headers=api.as_("ann"))
    assert r.status_code == 201, r.text
    att = r.json()
    got = api.client.get(f"/cases/{case_id}/attachments/{att['attachment_id']}", headers=api.as_("aud"))
    assert got.status_code == 200 and got.content == payload


def test_user_mistakes_are_4xx_with_cli_wording(api: Api) -> None:
    c = api.client
    missing = c.get("/cases/CASE-999999", headers=api.as_("ann"))
    assert missing.status_code == 404 and missing.json() == {"error": "case CASE-999999 not found"}
    case_id = _case_of(api, "C-1001")
    bad = c.post(f"/cases/{case_id}/close", json={"disposition": "maybe", "reason": "x"}, headers=api.as_("ann"))
    assert bad.status_code == 422 and "disposition" in bad.json()["error"]
    assert c.get("/alerts/alert-nope", headers=api.as_("ann")).status_code == 404
