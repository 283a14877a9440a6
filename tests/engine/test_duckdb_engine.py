from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from sanctrace.engine.duckdb_engine import DuckDBEngine


def test_transaction_rolls_back_everything_on_error(engine: DuckDBEngine) -> None:
    engine.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(RuntimeError), engine.transaction():
        engine.execute("INSERT INTO t VALUES (1)")
        with engine.transaction():  # nested: joins the outer transaction
            engine.execute("INSERT INTO t VALUES (2)")
        raise RuntimeError("boom")
    assert engine.scalar("SELECT count(*) FROM t") == 0


def test_register_and_arrow_round_trip(engine: DuckDBEngine) -> None:
    engine.register("v", pa.table({"a": [1, 2, 3]}))
    assert engine.to_arrow("SELECT sum(a) AS s FROM v").column("s").to_pylist() == [6]
    assert not engine.table_exists("nope")


def test_file_persists(tmp_path: Path) -> None:
    first = DuckDBEngine(tmp_path / "x.duckdb")
    first.execute("CREATE TABLE t AS SELECT 42 AS v")
    first.close()
    second = DuckDBEngine(tmp_path / "x.duckdb")
    assert second.scalar("SELECT v FROM t") == 42
    second.close()
