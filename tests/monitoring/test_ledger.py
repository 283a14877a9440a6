from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.errors import InputError
from sanctrace.model.ledger import EventKind
from sanctrace.monitoring.ledger import ledger_stats, load_ledger
from sanctrace.monitoring.ledger_schema import kind_from_header, kind_from_name
from tests.monitoring.world import FILES, write_world

ACCOUNTS = FILES["accounts.csv"]
DEP_HEADER = "event_id,ts,account_id,asset,amount,txid,vout,address\n"


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_loads_every_kind_and_counts(engine: DuckDBEngine, tmp_path: Path) -> None:
    loaded = load_ledger(engine, write_world(tmp_path))
    assert {f.kind for f in loaded} == set(EventKind)
    stats = ledger_stats(engine)
    assert stats["accounts"] == 6
    assert stats["events"] == {"deposit": 5, "fiat": 3, "internal_transfer": 1, "login": 3, "trade": 1,
                               "travel_rule": 1, "withdrawal": 4}
    # offsets become UTC; yen amounts carry their own value; trade valued by its JPY quote
    row = engine.query_one("SELECT ts, value_jpy, direction FROM ledger_events WHERE event_id = 'F1'")
    assert row is not None and row[0].isoformat() == "2026-05-01T00:00:00" and row[1] == 1900000 and row[2] == "in"
    assert engine.scalar("SELECT value_jpy FROM ledger_events WHERE event_id = 'TR1'") == 100
    assert engine.scalar("SELECT base_amount FROM ledger_trades WHERE event_id = 'TR1'") == 1000
    assert engine.scalar("SELECT direction FROM ledger_events WHERE event_id = 'D1'") == "in"
    assert engine.scalar("SELECT count(*) FROM ledger_withdrawals") == 4


def test_reload_is_a_no_op_and_new_rows_are_added(engine: DuckDBEngine, tmp_path: Path) -> None:
    paths = write_world(tmp_path)
    load_ledger(engine, paths)
    again = load_ledger(engine, paths)
    assert all(f.inserted == 0 and f.skipped_existing == f.rows for f in again)
    more = _write(tmp_path, "deposits-2026-06.csv",
                  DEP_HEADER + "D1,2026-05-01T10:00:00Z,A3,BTC,50000000,t_mining,0,bc1qdep3\n"
                  "D9,2026-06-01T00:00:00Z,A3,BTC,7,t9,0,bc1q9\n")
    # D1 is the same event with the same content except value_jpy missing: that is different content
    with pytest.raises(InputError, match=r"deposits-2026-06.csv: line 2: event_id 'D1' was already loaded"):
        load_ledger(engine, [more])
    more.write_text(DEP_HEADER + "D9,2026-06-01T00:00:00Z,A3,BTC,7,t9,0,bc1q9\n", encoding="utf-8")
    (res,) = load_ledger(engine, [more])
    assert (res.kind, res.inserted) == (EventKind.DEPOSIT, 1)
    assert engine.scalar("SELECT count(*) FROM ledger_events WHERE kind = 'deposit'") == 6


@pytest.mark.parametrize(("rows", "message"), [
    ("D1,2026-05-01T10:00:00Z,A9,BTC,5,t,0,a\n", r"line 2: account_id: unknown account 'A9'"),
    ("D1,2026-05-01T10:00:00Z,A1,BTC,5,t,0,a\nD1,2026-05-02T10:00:00Z,A1,BTC,6,t,1,a\n",
     r"line 3: duplicate event_id 'D1' \(first at .*line 2\)"),
    ("D1,2026-05-01T10:00:00Z,A1,BTC,-5,t,0,a\n", r"line 2: amount: negative amount -5"),
    ("D1,2026-05-01T10:00:00Z,A1,BTC,0.5,t,0,a\n", r"line 2: amount: must be an integer number of minor units"),
    ("D1,2026-05-02T10:00:00Z,A1,BTC,5,t,0,a\nD2,2026-05-01T10:00:00Z,A1,BTC,6,t,1,a\n",
     r"line 3: timestamp 2026-05-01T10:00:00 is earlier than the previous row's"),
    ("D1,yesterday,A1,BTC,5,t,0,a\n", r"line 2: ts: not an ISO 8601 time"),
    ("D1,2026-05-01T10:00:00Z,A1,BTC,5,t,0\n", r"line 2: 7 fields, header has 8"),
    ("D1,2026-05-01T10:00:00Z,A1,BTC,,t,0,a\n", r"line 2: amount: required value is empty"),
])
def test_bad_rows_name_file_and_line_and_load_nothing(engine: DuckDBEngine, tmp_path: Path, rows: str,
                                                       message: str) -> None:
    accounts = _write(tmp_path, "accounts.csv", ACCOUNTS)
    deposits = _write(tmp_path, "deposits.csv", DEP_HEADER + rows)
    with pytest.raises(InputError, match=r"deposits\.csv: " + message):
        load_ledger(engine, [accounts, deposits])
    # all or nothing: the good accounts file was not loaded either
    assert engine.scalar("SELECT count(*) FROM ledger_accounts") == 0


def test_missing_column_and_unknown_kind(engine: DuckDBEngine, tmp_path: Path) -> None:
    bad = _write(tmp_path, "withdrawals.csv", "event_id,ts,account_id,asset,amount\n")
    with pytest.raises(InputError, match=r"withdrawals.csv: header: withdrawal file lacks column\(s\): address"):
        load_ledger(engine, [bad])
    odd = _write(tmp_path, "stuff.csv", "a,b\n1,2\n")
    with pytest.raises(InputError, match="cannot tell the ledger kind"):
        load_ledger(engine, [odd])
    with pytest.raises(InputError, match="unknown ledger format"):
        load_ledger(engine, [_write(tmp_path, "deposits.txt", "x")])


def test_kind_detection() -> None:
    assert kind_from_name("deposits-2026-05") is EventKind.DEPOSIT
    assert kind_from_name("2026_internal_transfers") is EventKind.INTERNAL_TRANSFER
    assert kind_from_name("export") is None
    assert kind_from_header({"event_id", "ts", "account_id", "asset", "amount", "txid", "vout", "address"}) \
        is EventKind.DEPOSIT
    assert kind_from_header({"event_id", "ts", "account_id", "asset", "amount", "address"}) is EventKind.WITHDRAWAL
    assert kind_from_header({"event_id", "ts", "account_id", "ip", "device_id"}) is EventKind.LOGIN


def test_parquet_with_typed_columns(engine: DuckDBEngine, tmp_path: Path) -> None:
    load_ledger(engine, [_write(tmp_path, "accounts.csv", ACCOUNTS)])
    from datetime import datetime

    table = pa.table({
        "event_id": ["P1", "P2"], "ts": pa.array([datetime(2026, 5, 1), datetime(2026, 5, 2)], pa.timestamp("us")),
        "account_id": ["A1", "A2"], "asset": ["JPY", "JPY"], "amount": pa.array([100, 200], pa.int64()),
        "direction": ["in", "out"], "currency": ["JPY", "JPY"],
    })
    path = tmp_path / "bank_export.parquet"
    pq.write_table(table, path)
    (res,) = load_ledger(engine, [path])
    assert (res.kind, res.inserted) == (EventKind.FIAT, 2)
    assert engine.scalar("SELECT sum(value_jpy) FROM ledger_events") == 300
    bad = pa.table({**{n: table[n] for n in table.column_names if n != "amount"},
                    "amount": pa.array([1.5, 2.0], pa.float64())})
    pq.write_table(bad, tmp_path / "fiat_bad.parquet")
    with pytest.raises(InputError, match=r"fiat_bad.parquet: row 1: amount: must be an integer"):
        load_ledger(engine, [tmp_path / "fiat_bad.parquet"])


def test_line_numbers_survive_quoted_newlines_blank_lines_and_bom(engine: DuckDBEngine, tmp_path: Path) -> None:
    load_ledger(engine, [_write(tmp_path, "accounts.csv", ACCOUNTS)])
    text = ("\ufeffevent_id,ts,account_id,direction,currency,amount,counterparty_name\n"
            'F1,2026-05-01T00:00:00Z,A1,in,JPY,5,"Petrov\nIvan"\n'
            "\n"
            "F2,2026-05-02T00:00:00Z,A1,in,JPY,-7,x\n")
    path = _write(tmp_path, "fiat.csv", text)
    with pytest.raises(InputError, match=r"fiat.csv: line 5: amount: negative amount -7"):
        load_ledger(engine, [path])
    path.write_text(text.replace("-7", "7"), encoding="utf-8")
    (res,) = load_ledger(engine, [path])
    assert res.inserted == 2
    rows = engine.query("SELECT event_id, counterparty_name, source_line FROM ledger_events ORDER BY event_id")
    assert rows == [("F1", "Petrov\nIvan", 2), ("F2", "x", 5)]


def test_duplicate_across_files_with_different_content(engine: DuckDBEngine, tmp_path: Path) -> None:
    accounts = _write(tmp_path, "accounts.csv", ACCOUNTS)
    a = _write(tmp_path, "deposits-a.csv", DEP_HEADER + "D1,2026-05-01T10:00:00Z,A1,BTC,5,t,0,a\n")
    b = _write(tmp_path, "deposits-b.csv", DEP_HEADER + "D1,2026-05-01T10:00:00Z,A1,BTC,6,t,0,a\n")
    with pytest.raises(InputError, match=r"deposits-b.csv: line 2: event_id 'D1' was already loaded from "
                                         r".*deposits-a.csv line/row 2 with different content"):
        load_ledger(engine, [accounts, a, b])
    assert engine.scalar("SELECT count(*) FROM ledger_events") == 0
