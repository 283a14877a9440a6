"""Tokens, hashing, rate limits, size limits, security headers, error bodies and the access log."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sanctrace.api import users
from sanctrace.api.app import create_app
from sanctrace.api.ratelimit import RateLimiter
from sanctrace.config import Settings
from sanctrace.engine.duckdb_engine import DuckDBEngine
from tests.api.conftest import Api


def test_no_token_bad_token_and_revoked_token_are_401(api: Api) -> None:
    c = api.client
    assert c.get("/alerts").status_code == 401
    assert c.get("/alerts", headers={"Authorization": "Bearer nonsense"}).status_code == 401
    forged = api.tokens["ann"][:-4] + "AAAA"
    assert c.get("/alerts", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    assert c.get("/me", headers=api.as_("ann")).json()["role"] == "analyst"
    r = c.post("/users/ann/revoke", headers=api.as_("adm"))
    assert r.status_code == 200 and r.json()["disabled"] is True
    denied = c.get("/me", headers=api.as_("ann"))
    assert denied.status_code == 401 and denied.headers["www-authenticate"] == "Bearer"


def test_tokens_are_stored_salted_and_hashed(api: Api) -> None:
    rows = api.engine.query("SELECT token_id, salt, token_hash FROM api_tokens")
    stored = " ".join(" ".join(r) for r in rows)
    for token in api.tokens.values():
        assert token.split("_", 2)[2] not in stored  # the secret half never reaches the database
    assert len({r[1] for r in rows}) == len(rows)  # one salt per token


def test_admin_creates_user_and_token_and_it_is_audited(api: Api) -> None:
    c = api.client
    assert c.post("/users", json={"name": "newbie", "role": "auditor"}, headers=api.as_("adm")).status_code == 201
    assert c.post("/users", json={"name": "newbie", "role": "auditor"}, headers=api.as_("adm")).status_code == 409
    assert c.post("/users", json={"name": "x", "role": "god"}, headers=api.as_("adm")).status_code == 422
    token = c.post("/users/newbie/tokens", headers=api.as_("adm")).json()["token"]
    assert c.get("/me", headers={"Authorization": f"Bearer {token}"}).json()["name"] == "newbie"
    events = c.get("/audit/events?subject_type=user&subject_id=newbie", headers=api.as_("aud")).json()
    assert [(e["actor"], e["action"]) for e in events] == [("adm", "user.create"), ("adm", "user.token")]


def test_security_headers_on_ui_and_api(api: Api) -> None:
    for path in ("/ui/", "/health", "/ui/app.js"):
        r = api.client.get(path)
        assert r.status_code == 200, path
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["referrer-policy"] == "no-referrer"
    assert "<script src=\"/ui/app.js\"" in api.client.get("/ui/").text
    # Only the interactive API docs page may run its inline bootstrap script.
    docs = api.client.get("/docs")
    assert docs.status_code == 200 and "'unsafe-inline'" in docs.headers["content-security-policy"]
    assert docs.headers["x-frame-options"] == "DENY"


def test_vendor_files_come_from_node_modules_only_by_allow_list(api: Api) -> None:
    r = api.client.get("/ui/vendor/cytoscape.min.js")
    if r.status_code == 404:
        pytest.skip("npm ci has not run (node_modules missing)")
    assert r.status_code == 200 and "cytoscape" in r.text[:2000].lower()
    assert api.client.get("/ui/vendor/package.json").status_code == 404
    assert api.client.get("/ui/vendor/..%2Fpackage.json").status_code == 404


def test_request_body_limit_is_413(api: Api) -> None:
    big = {"text": "x" * 70_000}
    case_id = api.client.get("/cases", headers=api.as_("ann")).json()[0]["case_id"]
    r = api.client.post(f"/cases/{case_id}/notes", json=big, headers=api.as_("ann"))
    assert r.status_code == 413 and "larger than" in r.json()["error"]


def test_unexpected_failure_is_a_generic_500_without_trace(api: Api) -> None:
    # Break the store underneath the app: the route fails inside DuckDB.
    api.engine.execute("DROP TABLE case_attachments")
    api.engine.execute("CREATE TABLE case_attachments (broken INTEGER)")
    api.engine.execute("DROP TABLE cases")
    api.engine.execute("CREATE TABLE cases (broken INTEGER)")
    r = api.client.get("/cases", headers=api.as_("ann"))
    assert r.status_code == 500
    assert r.json() == {"error": "internal server error"}
    assert "Traceback" not in r.text and "Binder" not in r.text


def test_rate_limit_per_token_is_429(tmp_path: Path) -> None:
    engine = DuckDBEngine(tmp_path / "rl.duckdb")
    users.create_user(engine, "ann", "analyst")
    token = users.issue_token(engine, "ann")
    app = create_app(Settings(db=tmp_path / "rl.duckdb", api_rate_limit_per_minute=1), engine=engine)
    with TestClient(app) as c:
        # 1/minute with the minimum burst of 10: the 11th request is refused however slow the machine.
        codes = [c.get("/me", headers={"Authorization": f"Bearer {token}"}).status_code for _ in range(11)]
        assert codes[:10] == [200] * 10 and codes[10] == 429
        r = c.get("/me", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    engine.close()


def test_token_bucket_refills() -> None:
    rl = RateLimiter(60, burst=2)
    assert rl.allow("k", 0.0)[0] and rl.allow("k", 0.0)[0]
    ok, wait = rl.allow("k", 0.0)
    assert not ok and wait == pytest.approx(1.0)
    assert rl.allow("k", 1.01)[0]
    assert rl.allow("other", 0.0)[0]


def test_access_log_has_route_templates_not_names(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="sanctrace.api.access")
    api.client.get("/cases?subject_id=TIMCHENKO", headers=api.as_("ann"))
    api.client.get("/alerts?subject_id=Путин", headers=api.as_("ann"))
    text = "\n".join(r.getMessage() for r in caplog.records if r.name == "sanctrace.api.access")
    assert "GET /cases 200" in text and "GET /alerts 200" in text
    assert "TIMCHENKO" not in text and "Путин" not in text
    assert api.tokens["ann"] not in text and api.tokens["ann"].split("_")[1] in text


def test_chunked_body_over_the_limit_is_413(api: Api) -> None:
    case_id = api.client.get("/cases", headers=api.as_("ann")).json()[0]["case_id"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is enforced while reading
        yield b'{"text": "'
        for _ in range(20):
            yield b"x" * 8192
        yield b'"}'

    r = api.client.post(f"/cases/{case_id}/notes", content=chunks(),
                        headers={**api.as_("ann"), "Content-Type": "application/json"})
    assert r.status_code == 413


def test_screening_index_is_built_at_startup(api: Api, shared_data: Path) -> None:
    from sanctrace.lists import load_paths

    load_paths(api.engine, [shared_data / "sanctions/ftm/opensanctions_zala_aero_cluster.ftm.jsonl"])
    app = create_app(Settings(db=api.engine.path), engine=api.engine)
    with TestClient(app):
        state = app.state.api
        for _ in range(600):
            if state.screener.peek() is not None:
                break
            time.sleep(0.1)
        assert state.screener.peek() is not None and state.screener.peek().list_version.startswith("os:")
