"""The cases, audit and reports commands as a user runs them: real subprocesses, one database."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from lxml import etree

from sanctrace.cases.alerts import record_alerts
from sanctrace.cases.workflow import CaseWorkflow
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.model.alert import Alert
from sanctrace.monitoring.ledger import load_ledger
from sanctrace.reports.goaml_schema import check
from tests.cases.helpers import TXID, listed_alert, mining_alert
from tests.conftest import run_cli
from tests.reports.conftest import DATA


def _alerts_file(tmp_path: Path) -> Path:
    path = tmp_path / "alerts.jsonl"
    alerts = [mining_alert(subject="cust-0002", event="dep-0001"), listed_alert(subject="cust-0002"),
              listed_alert(subject="cust-0003")]
    path.write_text("".join(json.dumps(a.to_dict(), ensure_ascii=False) + "\n" for a in alerts), encoding="utf-8")
    return path


def _ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    assert "Traceback" not in result.stderr
    return result


def _user_error(result: Any, needle: str) -> None:
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stderr.startswith("error: ") and needle in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_case_lifecycle_audit_and_reports(cli: Any, tmp_path: Path) -> None:
    engine = DuckDBEngine(cli.db)
    load_ledger(engine, sorted(DATA.glob("*.csv")))
    engine.close()

    good = _alerts_file(tmp_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(good.read_text(encoding="utf-8") + '{"rule_id": "x"}\n', encoding="utf-8")
    _user_error(cli("cases", "record", "-i", str(bad)), "line 4")
    recorded = json.loads(_ok(cli("cases", "record", "-i", str(good))).stdout)
    assert recorded["new"] == 3  # the bad file left nothing behind

    listed = [json.loads(line) for line in _ok(cli("cases", "list", "--status", "open")).stdout.splitlines()]
    assert [(c["case_id"], c["subject_id"]) for c in listed] == [("case-000001", "cust-0002"),
                                                                 ("case-000002", "cust-0003")]

    assigned = json.loads(_ok(cli("cases", "assign", "case-000001", "--to", "bob", "--user", "alice")).stdout)
    assert assigned["status"] == "investigating"
    pending = json.loads(_ok(cli("cases", "close", "case-000001", "--disposition", "reported",
                                 "-r", "STR filed", "--user", "bob")).stdout)
    assert pending["awaiting_approval"] is True
    _user_error(cli("cases", "approve", "case-000001", "--user", "bob"), "four-eyes")
    closed = json.loads(_ok(cli("cases", "approve", "case-000001", env={"SANCTRACE_USER": "carol"})).stdout)
    assert closed["status"] == "closed" and closed["approved_by"] == "carol"

    trail = [json.loads(line) for line in
             _ok(cli("audit", "log", "--subject", "case-000001")).stdout.splitlines()]
    assert [e["action"] for e in trail][-3:] == ["case.assigned", "case.close_requested", "case.approved"]

    xml = tmp_path / "str.xml"
    _ok(cli("reports", "str", "case-000001", "--format", "goaml", "-o", str(xml),
            "--entity", str(DATA / "entity.yaml"), "--user", "bob"))
    root = etree.parse(str(xml)).getroot()
    assert check(root) == [] and root.findtext("transaction/transactionnumber") == TXID

    pdf = tmp_path / "case.pdf"
    _ok(cli("reports", "case", "case-000001", "--format", "pdf", "-o", str(pdf)))
    assert pdf.read_bytes().startswith(b"%PDF-")

    package = tmp_path / "package"
    manifest = json.loads(_ok(cli("reports", "info-request", "--from", "2025-03-01", "--to", "2025-04-01",
                                  "-o", str(package), "--reference", "FSA-1")).stdout)
    assert manifest["files"][0]["name"] == "accounts.csv" and manifest["files"][0]["rows"] >= 2
    (package / "accounts.csv").write_text("account_id\n", encoding="utf-8")
    _user_error(cli("reports", "info-request-verify", str(package)), "accounts.csv: SHA-256 differs")

    verified = json.loads(_ok(cli("audit", "verify")).stdout)
    assert verified["ok"] is True and verified["events"] >= 10


def _tampered(db: Path, tmp_path: Path, name: str, *statements: str) -> Path:
    copy = tmp_path / f"{name}.duckdb"
    shutil.copy(db, copy)
    engine = DuckDBEngine(copy)
    for statement in statements:
        engine.execute(statement)
    engine.close()
    return copy


def test_audit_verify_names_the_first_bad_event(cli: Any, tmp_path: Path) -> None:
    engine = DuckDBEngine(cli.db)  # set up in-process: the commands under test are the verify runs
    record_alerts(engine, [Alert.from_dict(json.loads(line))
                           for line in _alerts_file(tmp_path).read_text(encoding="utf-8").splitlines()])
    CaseWorkflow(engine).note("case-000001", "first look", user="bob")
    CaseWorkflow(engine).escalate("case-000001", "BitRiver link", user="bob")
    engine.close()
    cols = "time, actor, action, subject_type, subject_id, details, prev_hash, hash"
    sets = ", ".join(f"{c} = s.{c}" for c in cols.split(", "))
    cases = {
        "altered": (["UPDATE audit_log SET actor = 'mallory' WHERE seq = 4"], "event 4", "altered"),
        "removed": (["DELETE FROM audit_log WHERE seq = 3"], "event 4", "removed"),
        "reordered": ([f"CREATE TABLE swap AS SELECT seq, {cols} FROM audit_log WHERE seq IN (2, 5)",
                       f"UPDATE audit_log SET {sets} FROM swap s WHERE s.seq = 7 - audit_log.seq "
                       "AND audit_log.seq IN (2, 5)"], "event 2", ""),
    }
    for name, (statements, first_bad, word) in cases.items():
        db = _tampered(cli.db, tmp_path, name, *statements)
        result = run_cli("audit", "verify", db=db)
        _user_error(result, first_bad)
        assert word in result.stderr
        assert json.loads(result.stdout)["first_bad_seq"] == int(first_bad.split()[1])


def test_record_refuses_bad_bytes_and_conflicting_ids_writing_nothing(cli: Any, tmp_path: Path) -> None:
    good = _alerts_file(tmp_path).read_bytes()
    first = good.splitlines(keepends=True)[0]
    latin1 = tmp_path / "latin1.jsonl"
    latin1.write_bytes(first + b'{"alert_id": "caf\xe9"}\n')
    _user_error(cli("cases", "record", "-i", str(latin1)), f"{latin1}: line 2: not UTF-8 text")
    record = json.loads(first)
    record["score"] = 0.5
    conflict = tmp_path / "conflict.jsonl"
    conflict.write_bytes(first + json.dumps(record).encode() + b"\n")
    _user_error(cli("cases", "record", "-i", str(conflict)),
                f"line 2: alert_id '{record['alert_id']}' was already given with different content at line 1")
    assert json.loads(_ok(cli("cases", "list", "--format", "json")).stdout) == []  # nothing half-written
    again = tmp_path / "again.jsonl"
    again.write_bytes(b"\xef\xbb\xbf" + first + first)  # BOM and an identical repeat are fine
    assert json.loads(_ok(cli("cases", "record", "-i", str(again))).stdout)["new"] == 1
