"""`sanctrace chain ingest|block|undo|synth` as a user runs them, including kill -9 and resume."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import run_cli

TABLES = {
    "chain_blocks": "*", "chain_txs": "*", "chain_inputs": "*", "chain_addresses": "*",
    "chain_outputs": "tx_id, vout, value, script_type, address_id, script, spent_tx_id, spent_vin",
    "chain_ingest_files": "path, size, sha256, blocks, txs",
}


def test_ingest_and_block(cli: Any, shared_data: Path) -> None:
    blocks = shared_data / "chain" / "blocks"
    res = cli("chain", "ingest", str(blocks / "mainnet_block_413567.raw"), str(blocks / "mainnet_block_300025.raw"),
              str(blocks / "blkfmt_mainnet_block_277647.dat"))
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["txs"] == 1557 + 461 + 213
    res = cli("chain", "block", "413567", "--format", "json")
    assert res.exit_code == 0, res.stderr
    block = json.loads(res.stdout)
    assert block["tx_count"] == 1557 and block["coinbase_height"] == 413567 and "pool" in block
    assert "Mined by chenguanghai" in block["coinbase_text"]
    res = cli("chain", "undo", "300025", str(blocks / "mainnet_block_300025.prevouts_bcoin_undo.bin"))
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["total_fees"] == 7_773_345
    pools = shared_data / "chain" / "pools" / "mempool_pools-v2.json"
    assert cli("chain", "attribute", "--pools", str(pools)).exit_code == 0
    pool = json.loads(cli("chain", "block", "300025").stdout)["pool"]
    assert pool["pool"] == "F2Pool" and pool["method"] == "payout_address"  # tag "Mined by gabc" is unknown
    by_hash = cli("chain", "block", "0000000000000000054a3ba8c9b1e1ddcd0bdd3e1dbb8a5b1e0a01cd0b8a4e5b")
    assert by_hash.exit_code == 1 and by_hash.stderr.startswith("error:") and "not found" in by_hash.stderr


def test_bad_input_is_one_line_and_writes_nothing(cli: Any, shared_data: Path, tmp_path: Path) -> None:
    good = shared_data / "chain" / "blocks" / "mainnet_block_482683.raw"
    bad = tmp_path / "truncated.raw"
    raw = good.read_bytes()
    bad.write_bytes(raw + raw[:3000])  # a whole block, then a truncated second one
    res = cli("chain", "ingest", str(bad))
    assert res.exit_code == 1
    assert res.stderr.startswith("error:")
    assert re.search(r"truncated\.raw: byte (\d+): truncated", res.stderr)
    assert int(re.search(r"byte (\d+)", res.stderr).group(1)) > len(raw)  # type: ignore[union-attr]
    assert "Traceback" not in res.stderr and res.stderr.count("\n") == 1
    res = cli("chain", "block", "482683")
    assert res.exit_code == 1  # nothing of the file was stored
    garbage = tmp_path / "blk00000.dat"
    garbage.write_bytes(bytes.fromhex("f9beb4d9") + len(raw).to_bytes(4, "little") + raw + b"JUNKJUNK")
    res = cli("chain", "ingest", str(garbage))
    assert res.exit_code == 1 and f"byte {len(raw) + 8}" in res.stderr
    res = cli("chain", "ingest")
    assert res.exit_code == 1 and "give block files or --rpc-url" in res.stderr
    res = cli("chain", "ingest", str(good), "--from-height", "5")
    assert res.exit_code == 1 and "--rpc-url" in res.stderr
    res = cli("--engine", "spark", "chain", "ingest", str(good))
    assert res.exit_code == 1 and "DuckDB" in res.stderr


def _dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {t: sorted(con.execute(f"SELECT {cols} FROM {t}").fetchall(), key=repr) for t, cols in TABLES.items()}
    finally:
        con.close()


@pytest.mark.slow
def test_kill_9_then_resume_equals_uninterrupted(tmp_path: Path) -> None:
    out = tmp_path / "synth"
    res = run_cli("chain", "synth", "--out", str(out), "--txs", "60000", "--txs-per-block", "400", "--seed", "5")
    assert res.exit_code == 0, res.stderr
    files = [str(p) for p in sorted(out.glob("blk*.dat"))]
    whole = tmp_path / "whole.duckdb"
    assert run_cli("chain", "ingest", *files, "--batch-mb", "1", db=whole).exit_code == 0
    killed = tmp_path / "killed.duckdb"
    argv = [sys.executable, "-m", "sanctrace.cli.main", "--db", str(killed), "chain", "ingest", *files,
            "--batch-mb", "1", "--verbose"]
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    committed = 0
    for line in proc.stderr:  # kill right after the second batch committed, mid-way through the third
        committed += line.startswith("committed batch")
        if committed == 2:
            break
    if proc.poll() is not None:
        pytest.fail("ingest finished before it could be killed; make the chain larger")
    time.sleep(0.3)
    os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    res = run_cli("chain", "ingest", *files, "--batch-mb", "1", db=killed)
    assert res.exit_code == 0, res.stderr
    assert json.loads(res.stdout)["blocks_skipped"] > 0  # the committed batches were not redone
    assert _dump(killed) == _dump(whole)
