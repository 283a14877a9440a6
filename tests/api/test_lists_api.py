"""Lists through HTTP: upload (admin only, audited, idempotent), versions, stats, entry, diff, update."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from sanctrace.api import users
from sanctrace.api.app import create_app
from sanctrace.config import Settings
from sanctrace.engine.duckdb_engine import DuckDBEngine
from tests.api.conftest import Api

UN = "sanctions/un/UN_consolidated_2026-02-27.xml"


def test_upload_versions_stats_entry_and_diff(api: Api, shared_data: Path) -> None:
    c = api.client
    path = shared_data / UN
    files = {"file": (path.name, path.read_bytes(), "application/xml")}
    assert c.post("/lists/load", files=files, headers=api.as_("ann")).status_code == 403
    r = c.post("/lists/load", files=files, headers=api.as_("adm"))
    assert r.status_code == 201, r.text
    (snap,) = r.json()
    assert snap["source"] == "un" and snap["entry_count"] == 1003 and snap["reused"] is False
    again = c.post("/lists/load", files=files, headers=api.as_("adm")).json()
    assert again[0]["reused"] is True and again[0]["snapshot_id"] == snap["snapshot_id"]
    versions = c.get("/lists/snapshots", headers=api.as_("aud")).json()
    assert versions["current"] == [snap["snapshot_id"]] and versions["list_version"].startswith("un:2026-02-27")
    stats = c.get("/lists/stats", headers=api.as_("ann")).json()
    assert "un" in stats
    entry_id = api.engine.scalar("SELECT entity_id FROM list_entries LIMIT 1")
    got = c.get(f"/lists/entries/{entry_id}", headers=api.as_("ann")).json()
    assert got["entity_id"] == entry_id and got["names"]
    assert c.get("/lists/entries/un:does-not-exist", headers=api.as_("ann")).status_code == 404
    d = c.get(f"/lists/diff?a={snap['snapshot_id']}&b={snap['snapshot_id']}", headers=api.as_("ann")).json()
    assert d["summary"] == {"added": 0, "removed": 0, "changed": 0}
    events = c.get("/audit/events?action=lists.load", headers=api.as_("aud")).json()
    assert [e["actor"] for e in events] == ["adm", "adm"]


def test_bad_list_upload_is_422_and_loads_nothing(api: Api) -> None:
    files = {"file": ("broken.xml", b"<?xml version='1.0'?><CONSOLIDATED_LIST><INDIVIDUALS>", "application/xml")}
    r = api.client.post("/lists/load", files=files, headers=api.as_("adm"))
    assert r.status_code == 422 and "broken.xml" in r.json()["error"]
    assert api.client.get("/lists/snapshots", headers=api.as_("adm")).json()["snapshots"] == []


@pytest.fixture
def list_server(shared_data: Path) -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(shared_data / "sanctions/un"))
    handler.log_message = lambda *a: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/UN_consolidated_2026-02-27.xml"
    server.shutdown()


def test_update_downloads_from_configured_url(tmp_path: Path, list_server: str) -> None:
    engine = DuckDBEngine(tmp_path / "u.duckdb")
    users.create_user(engine, "adm", "admin")
    token = users.issue_token(engine, "adm")
    settings = Settings(db=tmp_path / "u.duckdb", list_urls={"un": list_server})
    with TestClient(create_app(settings, engine=engine)) as c:
        r = c.post("/lists/update", json={"sources": ["un"]}, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        assert r.json()[0]["entry_count"] == 1003
        bad = c.post("/lists/update", json={"sources": ["mars"]}, headers={"Authorization": f"Bearer {token}"})
        assert bad.status_code == 422 and "mars" in bad.json()["error"]
    engine.close()
