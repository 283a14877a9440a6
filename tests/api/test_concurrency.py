"""Concurrent writers through a real server (uvicorn on 127.0.0.1 in a thread): decisions and case
notes from many threads at once all succeed, and the audit chain stays whole."""

from __future__ import annotations

import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import uvicorn

from sanctrace.api.app import create_app
from sanctrace.config import Settings
from tests.api.conftest import Api
from tests.api.test_decisions_api import CLEAN, seed


def test_parallel_decisions_and_notes_keep_the_audit_chain(api: Api, tmp_path: Path) -> None:
    seed(api, tmp_path)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    app = create_app(Settings(db=tmp_path / "api.duckdb", api_rate_limit_per_minute=10**6), engine=api.engine)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    case_id = api.client.get("/cases", headers=api.as_("ann")).json()[0]["case_id"]

    def work(i: int) -> int:
        with httpx.Client(base_url=base, timeout=60) as c:
            if i % 3 == 0:
                r = c.post(f"/cases/{case_id}/notes", json={"text": f"note {i}"}, headers=api.as_("ann"))
            else:
                r = c.post("/decisions/deposit", json={"account_id": "A1", "txid": CLEAN, "vout": 1, "amount": i},
                           headers=api.as_("ari"))
            return r.status_code

    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            codes = list(pool.map(work, range(48)))
        assert set(codes) == {200, 201}
        with httpx.Client(base_url=base, timeout=60) as c:
            verify = c.get("/audit/verify", headers=api.as_("aud")).json()
            decided = c.get("/audit/events?action=decision.deposit&limit=1000", headers=api.as_("aud")).json()
    finally:
        server.should_exit = True
        thread.join(timeout=30)
    assert verify["ok"] is True
    assert len(decided) == 32 and {e["actor"] for e in decided} == {"ari"}
