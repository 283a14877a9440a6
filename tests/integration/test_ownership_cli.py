"""`sanctrace parties|ownership|network` as a user runs them: real subprocess, real database file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

ZAKHAROV = "NK-aU5ybkbRFJucf8YMwsJvDw"


def _files(tmp_path: Path) -> tuple[Path, Path]:
    parties = tmp_path / "parties.csv"
    parties.write_text(
        "party_id,kind,legal_name,local_name,phonetic_name,jurisdiction,listed,is_customer,identifiers,wallets\n"
        "X,person,Ivan Petrov,Иван Петров,,ru,ofac:RUSSIA-EO14024|uk,false,,\n"
        "A,company,Alpha Holding Ltd,,,cy,,false,,\n"
        "B,company,Beta Trading Pte Ltd,ベータ貿易株式会社,ベータボウエキ,sg,,true,"
        "jp_corporate_number:7000012050002,bc1qexample\n", encoding="utf-8")
    relations = tmp_path / "relations.csv"
    relations.write_text(
        "source_id,target_id,relation,share\nX,A,ownership,50\nX,B,ownership,10\nA,B,ownership,40\n",
        encoding="utf-8")
    return parties, relations


def test_load_check_checkall_redflags_network(cli: Any, tmp_path: Path, shared_data: Path) -> None:
    parties, relations = _files(tmp_path)
    zala = shared_data / "sanctions" / "ftm" / "opensanctions_zala_aero_cluster.ftm.jsonl"
    r = cli("parties", "load", str(relations), str(parties), str(zala), "--format", "json")
    assert r.exit_code == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["parties"] == 20 and summary["relations"] > 3

    r = cli("ownership", "check", "B", "--regime", "ofac", "--format", "json")
    assert r.exit_code == 0, r.stderr
    verdict = json.loads(r.stdout)
    assert verdict["blocked"] is True and verdict["share"]["certain"] == 0.5
    assert {len(p["chain"]) for p in verdict["paths"]} == {1, 2} and verdict["reasons"]

    r = cli("ownership", "check", "B", "--regime", "uk", "--format", "json")
    assert json.loads(r.stdout)["blocked"] is False  # 10% + uncontrolled A: not > 50% for one person

    out = tmp_path / "verdicts.jsonl"
    r = cli("ownership", "check-all", "--regime", "jp", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 20
    zala_row = next(x for x in rows if x["party_id"] == "NK-abdzbEBkqyT29GyREbiURZ")
    assert zala_row["beneficial_owners"][0]["party_id"] == ZAKHAROV

    r = cli("ownership", "redflags", "B", "--format", "json")
    flags = {f["name"] for f in json.loads(r.stdout)["flags"]}
    assert {"transit_jurisdiction", "russian_nexus_owner_or_director"} <= flags

    r = cli("network", "show", "B", "--format", "json")
    assert r.exit_code == 0, r.stderr
    net = json.loads(r.stdout)
    assert {n["party_id"] for n in net["nodes"]} == {"A", "B", "X"}
    assert all(e["evidence"] for e in net["edges"])

    r = cli("parties", "show", "B", "--format", "json")
    names = json.loads(r.stdout)["names"]
    assert {(n["form"], n["script"]) for n in names} == {("legal", "Latn"), ("local", "Jpan"), ("phonetic", "Kana")}


def test_errors_are_one_line_exit_1(cli: Any, tmp_path: Path) -> None:
    parties, _ = _files(tmp_path)
    bad = tmp_path / "bad.csv"
    bad.write_text("source_id,target_id,relation,share\nX,A,ownership,70\nB,A,ownership,40\n", encoding="utf-8")
    r = cli("parties", "load", str(parties), str(bad))
    assert r.exit_code == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith("error: ") and "110.00%" in r.stderr and "bad.csv: line 2" in r.stderr
    r = cli("ownership", "check", "NOPE", "--regime", "ofac")
    assert r.exit_code == 1 and "not loaded" in r.stderr
    r = cli("ownership", "check", "B", "--regime", "xx")
    assert r.exit_code == 2  # usage error
    r = cli("parties", "stats", "--format", "json")
    assert json.loads(r.stdout)["parties"] == {}  # the failed load wrote nothing
