"""`sanctrace demo generate` + `sanctrace run` end to end, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from tests.conftest import run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ran(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, dict[str, object]]]:
    work = tmp_path_factory.mktemp("run")
    world, db = work / "world", work / "sanctrace.duckdb"
    generated = run_cli("demo", "generate", "--seed", "11", "--size", "small", "--out", str(world))
    assert generated.exit_code == 0, generated.stderr
    result = run_cli("run", "--data", str(world), "--format", "json", db=db, timeout=1800)
    assert result.exit_code == 0, result.stderr
    return world, db, json.loads(result.stdout)


def _counts(db: Path) -> dict[str, int]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: int(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0])  # type: ignore[index]
                for t in ("alerts", "cases", "ledger_events", "chain_txs", "parties", "audit_log")}
    finally:
        con.close()


def test_every_stage_ran_and_the_reports_exist(ran: tuple[Path, Path, dict[str, dict[str, object]]]) -> None:
    _world, _db, summary = ran
    assert all(stage["status"] == "done" for stage in summary.values()), summary
    reports = summary["reports"]
    assert Path(str(reports["investigation_report"])).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    manifest = json.loads((Path(str(reports["info_request_package"])) / "manifest.json").read_text())
    assert manifest["files"]


def test_planted_schemes_raise_alerts(ran: tuple[Path, Path, dict[str, dict[str, object]]]) -> None:
    world, db, _ = ran
    truth = json.loads((world / "truth" / "ground_truth.json").read_text(encoding="utf-8"))["schemes"]
    con = duckdb.connect(str(db), read_only=True)
    flagged = {rule: {r[0] for r in con.execute(
        """SELECT coalesce(l.customer_id, a.subject_id) FROM alerts a
           LEFT JOIN ledger_accounts l ON a.subject_type = 'account' AND l.account_id = a.subject_id
           WHERE a.rule_id = ?""", [rule]).fetchall()}
        for rule in ("RU-MINING-EXPOSURE", "SANCTIONED-EXPOSURE", "STRUCTURING", "SHARED-DEVICE-OR-IP")}
    con.close()
    assert set(truth["mining_derived_deposits"]["subjects"]) <= flagged["RU-MINING-EXPOSURE"]
    assert set(truth["structuring"]["subjects"]) <= flagged["STRUCTURING"]
    assert set(truth["nominee_network"]["subjects"]) <= flagged["SHARED-DEVICE-OR-IP"]
    planted_deposits = {f["customer_id"] for f in json.loads(
        (world / "truth" / "ground_truth.json").read_text(encoding="utf-8"))["planted_flows"]
        if f["scheme"] == "sanctioned_wallet_exposure"}
    assert planted_deposits <= flagged["SANCTIONED-EXPOSURE"]


def test_rerun_changes_nothing(ran: tuple[Path, Path, dict[str, dict[str, object]]]) -> None:
    world, db, _ = ran
    before = _counts(db)
    again = run_cli("run", "--data", str(world), "--format", "json", db=db, timeout=1800)
    assert again.exit_code == 0, again.stderr
    assert all(stage["status"] == "unchanged" for stage in json.loads(again.stdout).values())
    assert _counts(db) == before


def test_missing_data_directory_is_a_user_error(tmp_path: Path) -> None:
    result = run_cli("run", "--data", str(tmp_path / "nope"), db=tmp_path / "x.duckdb")
    assert result.exit_code == 1
    assert "not a directory" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.spark
def test_engine_spark_gives_the_same_clusters_and_alerts(ran: tuple[Path, Path, dict[str, dict[str, object]]],
                                                          tmp_path: Path) -> None:
    world, db, _ = ran
    spark_db = tmp_path / "spark.duckdb"
    result = run_cli("--engine", "spark", "run", "--data", str(world), "--out", str(tmp_path / "out"),
                     "--format", "json", db=spark_db, timeout=1800)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["attribute"]["engine"] == "spark"
    queries = ("SELECT address_id, cluster_id FROM chain_clusters ORDER BY 1",
               "SELECT a, b, tx_id, heuristic FROM chain_cluster_witness ORDER BY ALL",  # `chain why` evidence
               "SELECT tx_id, kind FROM chain_coinjoin_txs ORDER BY ALL",
               "SELECT config, watermark, tx_count FROM chain_cluster_state",
               "SELECT rule_id, subject_id, event_id FROM alerts ORDER BY 1, 2, 3")
    answers = []
    for path in (db, spark_db):
        con = duckdb.connect(str(path), read_only=True)
        answers.append([con.execute(q).fetchall() for q in queries])
        con.close()
    assert answers[0] == answers[1]
