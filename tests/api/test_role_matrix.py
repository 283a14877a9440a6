"""Who may do what, and who may not: every endpoint × every role.

The table below is the specification; the test also checks that it names every route of the app,
so a new endpoint cannot ship without deciding who may call it.
"""

from __future__ import annotations

from typing import Any

import pytest

from sanctrace.api.roles import GRANTS, Perm, Role
from tests.api.conftest import ROLES, Api

CASE = "{case}"
# (method, path template, concrete path, json body, permission needed)
MATRIX: list[tuple[str, str, str, Any, Perm]] = [
    ("POST", "/screen", "/screen", {"name": "Ivan Petrov"}, Perm.SCREEN),
    ("POST", "/screen/batch", "/screen/batch", {"records": [{"name": "Ivan Petrov"}]}, Perm.SCREEN),
    ("POST", "/decisions/deposit", "/decisions/deposit",
     {"account_id": "A1", "txid": "ab" * 32, "vout": 0, "amount": 1}, Perm.DECIDE),
    ("POST", "/decisions/withdrawal", "/decisions/withdrawal",
     {"account_id": "A1", "address": "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", "amount": 1}, Perm.DECIDE),
    ("GET", "/lists/snapshots", "/lists/snapshots", None, Perm.READ),
    ("GET", "/lists/stats", "/lists/stats", None, Perm.READ),
    ("GET", "/lists/diff", "/lists/diff?a=1&b=2", None, Perm.READ),
    ("GET", "/lists/entries/{entity_id}", "/lists/entries/ofac:1", None, Perm.READ),
    ("POST", "/lists/update", "/lists/update", {"sources": ["nowhere"]}, Perm.LISTS_WRITE),
    ("POST", "/lists/load", "/lists/load", None, Perm.LISTS_WRITE),
    ("GET", "/chain/blocks/{block}", "/chain/blocks/1", None, Perm.READ),
    ("GET", "/chain/clusters/{address}", "/chain/clusters/1BoatSLRHtKNngkdXEeobR76b53LETtpyT", None, Perm.READ),
    ("GET", "/chain/why", "/chain/why?a=1BoatSLRHtKNngkdXEeobR76b53LETtpyT&b=1BoatSLRHtKNngkdXEeobR76b53LETtpyU",
     None, Perm.READ),
    ("GET", "/chain/trace", "/chain/trace?start=1BoatSLRHtKNngkdXEeobR76b53LETtpyT", None, Perm.READ),
    ("GET", "/ownership/{party_id}", "/ownership/P1", None, Perm.READ),
    ("GET", "/networks/{party_id}", "/networks/P1", None, Perm.READ),
    ("GET", "/parties/{party_id}/redflags", "/parties/P1/redflags", None, Perm.READ),
    ("GET", "/alerts", "/alerts", None, Perm.READ),
    ("GET", "/alerts/{alert_id}", "/alerts/alert-x", None, Perm.READ),
    ("GET", "/cases", "/cases", None, Perm.READ),
    ("GET", "/cases/{case_id}", f"/cases/{CASE}", None, Perm.READ),
    ("POST", "/cases/{case_id}/assign", f"/cases/{CASE}/assign", {"assignee": "ann"}, Perm.CASE_WORK),
    ("POST", "/cases/{case_id}/notes", f"/cases/{CASE}/notes", {"text": "looked at it"}, Perm.CASE_WORK),
    ("POST", "/cases/{case_id}/escalate", f"/cases/{CASE}/escalate", {"reason": "why not"}, Perm.CASE_WORK),
    ("POST", "/cases/{case_id}/close", f"/cases/{CASE}/close", {"disposition": "reported", "reason": "r"},
     Perm.CASE_WORK),
    ("POST", "/cases/{case_id}/approve", f"/cases/{CASE}/approve", {}, Perm.CASE_APPROVE),
    ("POST", "/cases/{case_id}/reject", f"/cases/{CASE}/reject", {"reason": "more work"}, Perm.CASE_APPROVE),
    ("POST", "/cases/{case_id}/attachments", f"/cases/{CASE}/attachments", None, Perm.CASE_WORK),
    ("GET", "/cases/{case_id}/attachments/{attachment_id}", f"/cases/{CASE}/attachments/att-x", None, Perm.READ),
    ("GET", "/cases/{case_id}/str", f"/cases/{CASE}/str", None, Perm.READ),
    ("GET", "/cases/{case_id}/report", f"/cases/{CASE}/report", None, Perm.READ),
    ("POST", "/reports/info-request", "/reports/info-request", {"date_from": "2026-01-01", "date_to": "2026-12-31"},
     Perm.READ),
    ("GET", "/rules", "/rules", None, Perm.READ),
    ("POST", "/rules/check", "/rules/check", {"yaml": "x: 1"}, Perm.RULES_WRITE),
    ("POST", "/rules/run", "/rules/run", {"ruleset": "nope"}, Perm.RULES_WRITE),
    ("POST", "/rules/backtest", "/rules/backtest", {"ruleset": "nope"}, Perm.RULES_WRITE),
    ("GET", "/dashboard", "/dashboard", None, Perm.READ),
    ("GET", "/audit/events", "/audit/events", None, Perm.AUDIT_READ),
    ("GET", "/audit/verify", "/audit/verify", None, Perm.AUDIT_READ),
    ("GET", "/users", "/users", None, Perm.USERS_ADMIN),
    ("POST", "/users", "/users", {"name": "zed", "role": "auditor"}, Perm.USERS_ADMIN),
    ("POST", "/users/{name}/tokens", "/users/aud/tokens", None, Perm.USERS_ADMIN),
    ("POST", "/users/{name}/revoke", "/users/nobody/revoke", None, Perm.USERS_ADMIN),
    ("GET", "/me", "/me", None, Perm.READ),
]


def _routes(api: Api) -> set[tuple[str, str]]:
    paths = api.client.get("/openapi.json").json()["paths"]
    return {(m.upper(), p) for p, ops in paths.items() for m in ops if p != "/health"}


def test_matrix_covers_every_route(api: Api) -> None:
    routes = _routes(api)
    listed = {(m, p) for m, p, *_ in MATRIX}
    assert routes - listed == set(), "routes without a role decision"
    assert listed - routes == set(), "matrix rows for routes that do not exist"


def _call(api: Api, method: str, path: str, body: Any, user: str | None) -> int:
    headers = api.as_(user) if user else {}
    files = None
    if path.endswith("/attachments") or path == "/lists/load":
        files = {"file": ("x.txt", b"evidence", "text/plain")}
    r = api.client.request(method, path, json=body, files=files, headers=headers)
    return r.status_code


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_exactly_its_permissions(api: Api, role: Role) -> None:
    case_id = api.client.get("/cases", headers=api.as_("aud")).json()[0]["case_id"]
    user = next(u for u, r in ROLES.items() if r == role.value and u not in ("ari", "sam"))
    routes = _routes(api)
    wrong = []
    for method, template, path, body, perm in MATRIX:
        assert (method, template) in routes
        code = _call(api, method, path.replace(CASE, case_id), body, user)
        may = perm in GRANTS[role]
        if (may and code in (401, 403)) or (not may and code != 403):
            wrong.append(f"{role.value} {method} {template}: {code} (allowed={may})")
    assert wrong == []


def test_every_endpoint_needs_a_token(api: Api) -> None:
    case_id = api.client.get("/cases", headers=api.as_("aud")).json()[0]["case_id"]
    for method, _template, path, body, _perm in MATRIX:
        code = _call(api, method, path.replace(CASE, case_id), body, None)
        assert code == 401, f"{method} {path}: {code}"
    assert api.client.get("/health").status_code == 200
