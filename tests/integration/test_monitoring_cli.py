"""The monitoring commands as a user runs them: ledger load, rules check/run/backtest, decide, serve."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Any

from sanctrace.engine.duckdb_engine import DuckDBEngine
from tests.monitoring.world import EXPECTED, REAL, insert_signals, write_world


def _world(cli: Any, tmp_path: Path) -> None:
    paths = write_world(tmp_path / "world")
    res = cli("ledger", "load", *map(str, paths))
    assert res.exit_code == 0, res.stderr
    assert sum(f["inserted"] for f in json.loads(res.stdout)) == 24
    engine = DuckDBEngine(cli.db)
    insert_signals(engine)
    engine.close()


def test_ledger_errors_are_one_line_and_load_nothing(cli: Any, tmp_path: Path) -> None:
    (tmp_path / "accounts.csv").write_text("account_id,customer_id,customer_name,customer_type,country,opened_at\n"
                                           "A1,C1,X,person,JP,2024-01-01\n", encoding="utf-8")
    (tmp_path / "withdrawals.csv").write_text("event_id,ts,account_id,asset,amount,address\n"
                                              "W1,2026-01-01T00:00:00,A1,BTC,5,1abc\n"
                                              "W2,2026-01-01T00:00:01,A7,BTC,5,1abc\n", encoding="utf-8")
    res = cli("ledger", "load", str(tmp_path / "accounts.csv"), str(tmp_path / "withdrawals.csv"))
    assert res.exit_code == 1
    assert res.stderr.strip() == f"error: {tmp_path / 'withdrawals.csv'}: line 3: account_id: unknown account 'A7'"
    assert "Traceback" not in res.stderr
    stats = json.loads(cli("ledger", "stats").stdout)
    assert stats["accounts"] == 0 and stats["events"] == {}


def test_rules_check_reports_the_line(cli: Any, tmp_path: Path) -> None:
    ok = cli("rules", "check", "mission")
    assert ok.exit_code == 0 and json.loads(ok.stdout)["ok"] is True
    bad = tmp_path / "bad.yaml"
    bad.write_text('ruleset: x\nversion: "1"\nrules:\n  - id: R\n    version: 1\n    severity: low\n'
                   "    on: [deposit]\n    description: d\n    condition: amount > > 1\n    explanation: e\n",
                   encoding="utf-8")
    res = cli("rules", "check", str(bad))
    assert res.exit_code == 1
    assert res.stderr.startswith(f"error: {bad}: line 9: syntax error")


def test_run_backtest_and_decide(cli: Any, tmp_path: Path) -> None:
    _world(cli, tmp_path)
    run = cli("rules", "run", "mission", "--from", "2026-05-01", "--to", "2026-05-31")
    assert run.exit_code == 0, run.stderr
    summary = json.loads(run.stdout)
    assert summary["new_alerts"] == summary["hits"] == sum(len(v) for v in EXPECTED.values())
    cases = cli("cases", "list", "--format", "json")
    assert cases.exit_code == 0 and "C4" in cases.stdout

    labels = tmp_path / "labels.csv"
    labels.write_text("event_id,label\nW1,1\nW4,1\n", encoding="utf-8")
    bt = cli("rules", "backtest", "mission", "--from", "2026-05-01", "--to", "2026-05-31", "--labels", str(labels))
    assert bt.exit_code == 0, bt.stderr
    assert json.loads(bt.stdout)["any_rule"]["recall"] == 0.5

    dep = cli("decide", "deposit", "--txid", REAL["t_mining"], "--vout", "0", "--account", "A3", "--amount", "5000")
    assert dep.exit_code == 0, dep.stderr
    assert json.loads(dep.stdout)["verdict"] == "freeze"
    wd = cli("decide", "withdrawal", "--account", "A3", "--address", REAL["bc1qcluster"], "--amount", "10")
    assert json.loads(wd.stdout)["verdict"] == "block"
    missing = cli("decide", "withdrawal", "--account", "NOPE", "--address", REAL["bc1qclean"], "--amount", "1")
    assert missing.exit_code == 1 and missing.stderr.strip() == "error: unknown account 'NOPE'"
    typo = REAL["bc1qclean"][:-1] + ("q" if REAL["bc1qclean"][-1] != "q" else "p")
    mistyped = cli("decide", "withdrawal", "--account", "A3", "--address", typo, "--amount", "1")
    assert mistyped.exit_code == 1 and mistyped.stderr.strip() == (
        f"error: withdrawal: A3: destination '{typo}' is not a valid Bitcoin address (bad bech32 checksum)")
    verify = cli("audit", "verify")
    assert verify.exit_code == 0, verify.stderr


def _post(url: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(url, data=json.dumps(body).encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_decision_server(cli: Any, tmp_path: Path) -> None:
    _world(cli, tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "sanctrace.cli.main", "--db", str(cli.db), "decide", "serve",
                             "--port", "0", "--actor", "gateway"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:"), line + (proc.stderr.read() if proc.stderr else "")
        base = line.split()[-1]
        status, body = _post(base + "/v1/decisions/withdrawal",
                             {"account_id": "A3", "address": REAL["1SanctionedAddr"], "amount": 10})
        assert status == 200 and body["verdict"] == "block"
        status, body = _post(base + "/v1/decisions/deposit",
                             {"account_id": "A3", "txid": REAL["t_clean"], "vout": 1, "amount": 10})
        assert status == 200 and body["verdict"] == "credit"
        assert _post(base + "/v1/decisions/deposit", {"account_id": "A3", "txid": "t", "amount": 1}) == (
            422, {"error": "request: vout: required integer"})
        unknown = {"account_id": "ZZ", "txid": REAL["t_clean"], "vout": 0, "amount": 1}
        assert _post(base + "/v1/decisions/deposit", unknown) == (
            404, {"error": "unknown account 'ZZ'"})
        assert _post(base + "/v1/nowhere", {})[0] == 404
        with urllib.request.urlopen(base + "/health", timeout=30) as resp:
            assert json.loads(resp.read())["served"] == 2
    finally:
        proc.terminate()
        proc.wait(timeout=60)
    assert proc.returncode == 0
    # the audit batcher drained on shutdown: both decisions are in the verified chain
    engine = DuckDBEngine(cli.db)
    rows = engine.query("SELECT actor, action FROM audit_log WHERE action LIKE 'decision.%' ORDER BY seq")
    engine.close()
    assert rows == [("gateway", "decision.withdrawal"), ("gateway", "decision.deposit")]
    assert cli("audit", "verify").exit_code == 0
