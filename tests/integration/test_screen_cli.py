"""`sanctrace screen` as a user runs it: real list file loaded, CSV in, JSON lines out, exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_cli

CUSTOMERS = (
    "id,name,kind,birth_date,nationality,country,wallet,phone,email,address,ip_country\n"
    "c1,ABDULHAI SALEK,person,1965,,,,,,,\n"
    "c2,Salek Abdul Hai,person,,,,,,,,\n"
    "c3,Elena Volkova,person,1988-01-20,RU,JP,,+7 916 555 01 14,elena@bk.ru,\"Sapporo, Hokkaido\",JP\n"
    "c4,Hanako Tanaka,person,1990-07-01,JP,JP,,+81 90 5555 0102,hanako@example.jp,Osaka,JP\n"
)


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> Path:
    path = tmp_path_factory.mktemp("screen") / "screen.duckdb"
    result = run_cli("lists", "load", str(shared_data / "sanctions/un/UN_consolidated_2026-02-27.xml"), db=path)
    assert result.exit_code == 0, result.stderr
    return path


def test_screen_file_to_jsonl(db: Path, tmp_path: Path) -> None:
    customers = tmp_path / "customers.csv"
    customers.write_text(CUSTOMERS, encoding="utf-8")
    out = tmp_path / "hits.jsonl"
    result = run_cli("screen", "-i", str(customers), "-o", str(out), db=db)
    assert result.exit_code == 0, result.stderr
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["c1", "c2", "c3", "c4"]
    for row in rows:
        assert set(row) == {"id", "matches", "russia_nexus"}
    hit = rows[0]["matches"][0]
    assert hit["entity_id"].startswith("un:")
    assert {"entity_id", "name", "score", "features", "programs", "list_version"} <= set(hit)
    assert hit["list_version"].startswith("un:2026-02-27")
    assert 0.0 <= hit["score"] <= 1.0
    assert rows[1]["matches"] and rows[1]["matches"][0]["entity_id"] == hit["entity_id"]
    assert [m["score"] for m in rows[0]["matches"]] == sorted((m["score"] for m in rows[0]["matches"]), reverse=True)
    assert rows[2]["matches"] == []
    assert {r["reason"] for r in rows[2]["russia_nexus"]} == {"nationality", "phone_country", "email_provider"}
    assert rows[3] == {"id": "c4", "matches": [], "russia_nexus": []}


def test_screen_stdin_to_stdout_and_threshold(db: Path) -> None:
    loose = run_cli("screen", "-i", "-", "-o", "-", "--threshold", "0.5", db=db, stdin=CUSTOMERS)
    strict = run_cli("screen", "-i", "-", "--threshold", "0.99", db=db, stdin=CUSTOMERS)
    assert loose.exit_code == 0 and strict.exit_code == 0, loose.stderr + strict.stderr
    loose_hits = sum(len(json.loads(line)["matches"]) for line in loose.stdout.splitlines())
    strict_hits = sum(len(json.loads(line)["matches"]) for line in strict.stdout.splitlines())
    assert loose_hits > strict_hits


def test_single_name_query(db: Path) -> None:
    result = run_cli("screen", "--name", "SALEK, ABDULHAI", "--kind", "person", db=db)
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["matches"][0]["entity_id"].startswith("un:")


def test_as_of_before_any_list_is_an_error(db: Path) -> None:
    result = run_cli("screen", "--name", "x", "--as-of", "2000-01-01", db=db)
    assert result.exit_code == 1
    assert result.stderr.startswith("error: no list snapshot") and "Traceback" not in result.stderr


def test_missing_column_is_a_user_error(db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("id,full_name\n1,x\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run_cli("screen", "-i", str(bad), "-o", str(out), db=db)
    assert result.exit_code == 1
    assert f"{bad}: line 1: missing required column(s): name" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()


def test_ragged_row_writes_nothing(db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "ragged.csv"
    bad.write_text("id,name\n1,ABDULHAI SALEK\n2,a,b\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    result = run_cli("screen", "-i", str(bad), "-o", str(out), db=db)
    assert result.exit_code == 1
    assert "line 3: ragged row" in result.stderr
    assert not out.exists()


def test_no_list_loaded(tmp_path: Path) -> None:
    result = run_cli("screen", "--name", "x", db=tmp_path / "empty.duckdb")
    assert result.exit_code == 1 and "lists load" in result.stderr
