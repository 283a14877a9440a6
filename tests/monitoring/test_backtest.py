from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

import pytest

from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.errors import InputError
from sanctrace.monitoring.backtest import backtest, read_labels
from sanctrace.monitoring.rules.ruleset import load_ruleset


def test_counts_per_rule_without_labels(world: DuckDBEngine) -> None:
    result = backtest(world, load_ruleset("mission"), datetime(2026, 5, 1), datetime(2026, 6, 1))
    counts = {r["rule_id"]: r["alerts"] for r in result["rules"]}
    assert counts["SANCTIONED-EXPOSURE"] == 2 and counts["STRUCTURING"] == 1
    assert result["events_in_period"] == 18 and "any_rule" not in result
    # nothing recorded
    assert not world.table_exists("alerts") or world.scalar("SELECT count(*) FROM alerts") == 0


def test_precision_recall(world: DuckDBEngine, tmp_path: Path) -> None:
    labels = tmp_path / "labels.csv"
    # W1, D1 truly bad; W4 (clean) truly bad but unflagged; TR1 labelled good although flagged;
    # L3 positive only for the device rule.
    labels.write_text("event_id,label,rule_id\nW1,1,\nD1,yes,\nW4,true,\nTR1,0,\nL3,1,SHARED-DEVICE-OR-IP\n",
                      encoding="utf-8")
    result = backtest(world, load_ruleset("mission"), None, None, read_labels(labels))
    rules = {r["rule_id"]: r for r in result["rules"]}
    pt = rules["PASS-THROUGH"]  # flags W1 only; positives W1, D1, W4
    assert (pt["true_positives"], pt["false_positives"], pt["false_negatives"]) == (1, 0, 2)
    assert pt["precision"] == 1.0 and pt["recall"] == pytest.approx(0.3333)
    dev = rules["SHARED-DEVICE-OR-IP"]  # flags L3; positives W1, D1, W4, L3
    assert dev["true_positives"] == 1 and dev["recall"] == 0.25
    structuring = rules["STRUCTURING"]  # flags F3 only, which is not a positive
    assert structuring["precision"] == 0.0
    overall = result["any_rule"]
    # flagged events: D1 D2 D3 D4 D5 F3 I1 L3 T1 TR1 W1 W2 W3 = 13; positives W1 D1 W4 L3 → TP 3
    assert overall["flagged"] == 13 and overall["true_positives"] == 3
    assert overall["precision"] == pytest.approx(3 / 13, abs=1e-4) and overall["recall"] == 0.75


def test_subject_level_labels(world: DuckDBEngine, tmp_path: Path) -> None:
    labels = tmp_path / "subjects.csv"
    # investigators' verdicts per customer: C4 (structuring) and C5 bad, C3 clean; A2 per account for the
    # pass-through rule, whose alerts are about accounts
    labels.write_text("subject_id,label,rule_id\nC4,1,\nC5,1,\nC3,0,\nA2,1,PASS-THROUGH\n", encoding="utf-8")
    result = backtest(world, load_ruleset("mission"), None, None, read_labels(labels))
    assert result["label_level"] == "subject"
    rules = {r["rule_id"]: r for r in result["rules"]}
    assert (rules["STRUCTURING"]["true_positives"], rules["STRUCTURING"]["precision"]) == (1, 1.0)  # C4
    assert rules["PASS-THROUGH"]["precision"] == 1.0 and rules["PASS-THROUGH"]["recall"] == pytest.approx(0.3333)
    assert rules["RU-MINING-EXPOSURE"]["precision"] == 0.0  # C3's mined deposit, labelled clean


def test_bad_labels(tmp_path: Path) -> None:
    path = tmp_path / "l.csv"
    path.write_text("event_id,label\nW1,maybe\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"l.csv: line 2: label 'maybe'"):
        read_labels(path)
    path.write_text("id,label\n", encoding="utf-8")
    with pytest.raises(InputError, match="labels need the column label and exactly one of"):
        read_labels(path)


@pytest.mark.parametrize(("content", "message"), [
    ("event_id,label\nE1,1\nE1,0\n", "line 3: event_id 'E1' is labelled both ways (also at line 2)"),
    ("event_id,label\nE1\n", "line 2: 1 fields, header has 2"),
    ("subject_id,label\nC1,1,extra\n", "line 2: 3 fields, header has 2"),
])
def test_contradictory_and_ragged_labels_are_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "labels.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=re.escape(message)):
        read_labels(path)


def test_same_label_twice_and_per_rule_labels_are_fine(tmp_path: Path) -> None:
    path = tmp_path / "labels.csv"
    path.write_text("event_id,label,rule_id\nE1,1,R1\nE1,1,R1\nE1,0,R2\n", encoding="utf-8")
    assert [(x.key, x.positive, x.rule_id) for x in read_labels(path)] == [
        ("E1", True, "R1"), ("E1", True, "R1"), ("E1", False, "R2")]
