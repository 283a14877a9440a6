"""Fixtures every test module may use: the shared real data, a fresh engine, Spark, the CLI."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sanctrace.engine.duckdb_engine import DuckDBEngine

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("SANCTRACE_SHARED_DATA", ROOT.parent / "shared" / "data"))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.fail(f"shared data not found at {SHARED_DATA} (set SANCTRACE_SHARED_DATA)")
    return SHARED_DATA


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[DuckDBEngine]:
    eng = DuckDBEngine(tmp_path / "test.duckdb")
    yield eng
    eng.close()


@pytest.fixture(scope="session")
def spark() -> Any:
    """One local[2] SparkSession for the whole run (starting one costs seconds)."""
    pytest.importorskip("pyspark")
    from sanctrace.engine.spark_engine import spark_session

    return spark_session("local[2]")


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str, db: Path | None = None, stdin: str | None = None, env: dict[str, str] | None = None,
            timeout: float = 600) -> CliResult:
    """Run the real ``sanctrace`` command in a subprocess (exit codes and stderr as a user sees them)."""
    argv = [sys.executable, "-m", "sanctrace.cli.main"]
    if db is not None:
        argv += ["--db", str(db)]
    argv += list(args)
    proc = subprocess.run(argv, input=stdin, capture_output=True, text=True, timeout=timeout,
                          env={**os.environ, **(env or {})}, check=False)
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture
def cli(tmp_path: Path) -> Any:
    """``cli("lists", "stats")`` runs sanctrace against a fresh database in tmp_path."""
    db = tmp_path / "cli.duckdb"

    def call(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> CliResult:
        return run_cli(*args, db=db, stdin=stdin, env=env)

    call.db = db  # type: ignore[attr-defined]
    return call
