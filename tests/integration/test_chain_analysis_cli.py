"""End to end on real mainnet blocks: ingest, tag, attribute pools, cluster, why, trace, exposure."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

BLOCKS = ("mainnet_block_227836.raw", "mainnet_block_300025.raw", "mainnet_block_383616.raw",
          "mainnet_block_426884.raw", "mainnet_block_702861.raw")


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> dict[str, Any]:
    from tests.conftest import run_cli

    db = tmp_path_factory.mktemp("chain_cli") / "chain.duckdb"
    chain = shared_data / "chain"
    res = run_cli("chain", "ingest", *(str(chain / "blocks" / b) for b in BLOCKS), db=db)
    assert res.exit_code == 0, res.stderr
    res = run_cli("chain", "undo", "300025", str(chain / "blocks" / "mainnet_block_300025.prevouts_bcoin_undo.bin"),
                  db=db)
    assert res.exit_code == 0, res.stderr
    csv = db.parent / "mine.csv"
    csv.write_text("address,label,category,entity,jurisdiction,confidence,source\n"
                   "1KFHE7w8BhaENAswwryaoccDb6qcT6DbYY,F2Pool payout,miner,F2Pool,,0.9,analyst\n")
    res = run_cli("chain", "tags", "load", str(chain / "pools" / "bitcoin-data_pool-list.json"),
                  str(chain / "tagpacks" / "hydra.yaml"), str(csv), "--no-lists", db=db)
    assert res.exit_code == 0, res.stderr
    return {"db": db, "tags": json.loads(res.stdout)}


def _run(world: dict[str, Any], *args: str) -> Any:
    from tests.conftest import run_cli

    res = run_cli(*args, db=world["db"])
    assert res.exit_code == 0, res.stderr
    return res


def test_attribute_real_blocks(world: dict[str, Any]) -> None:
    assert world["tags"]["loaded"]["pool_rules"] > 300
    out = json.loads(_run(world, "chain", "attribute", "--format", "json").stdout)
    assert out["attributed"] == 5
    con = duckdb.connect(str(world["db"]), read_only=True)
    pools = {h: (p, m) for h, p, m in con.execute("SELECT height, pool, method FROM chain_block_pools").fetchall()}
    con.close()
    assert pools[300025] == ("F2Pool", "payout_address")
    assert pools[383616] == ("GHash.IO", "payout_address")
    assert pools[227836] == ("Braiins Pool", "coinbase_tag")
    assert pools[702861][0] == "Binance Pool"
    block = json.loads(_run(world, "chain", "block", "300025", "--format", "json").stdout)
    assert block["pool"]["pool"] == "F2Pool"


def test_cluster_why_trace_exposure(world: dict[str, Any]) -> None:
    run = json.loads(_run(world, "chain", "cluster", "--format", "json").stdout)["run"]
    assert run["merges"] > 0
    con = duckdb.connect(str(world["db"]), read_only=True)
    a, b, txid = con.execute(
        """SELECT x.address, y.address, t.txid FROM chain_cluster_witness w
        JOIN chain_addresses x ON x.address_id = w.a JOIN chain_addresses y ON y.address_id = w.b
        JOIN chain_txs t ON t.tx_id = w.tx_id ORDER BY w.tx_id LIMIT 1""").fetchone()
    deposit = con.execute(
        """SELECT t.txid, o.vout FROM chain_txs t JOIN chain_outputs o USING (tx_id)
        JOIN chain_blocks b USING (block_id) WHERE b.height = 300025 AND NOT t.is_coinbase AND o.value > 0
        ORDER BY t.tx_index LIMIT 1""").fetchone()
    con.close()
    why = _run(world, "chain", "why", a, b).stdout
    assert txid in why and "multi-input" in why
    info = json.loads(_run(world, "chain", "cluster", a, "--no-update", "--format", "json").stdout)
    assert info["size"] >= 2 and info["cluster_id"] == int(info["cluster_id"])
    assert b in info["sample_addresses"] or info["size"] > 10
    trace = json.loads(_run(world, "chain", "trace", f"{deposit[0]}:{deposit[1]}", "--hops", "3",
                            "--method", "haircut", "--format", "json").stdout)
    assert abs(sum(x["share"] for x in trace["breakdown"]) - 1.0) < 1e-3
    exposure = json.loads(_run(world, "chain", "exposure", f"{deposit[0]}:{deposit[1]}").stdout)
    assert exposure["value_sat"] > 0 and exposure["hops"] == 7


def test_errors_are_one_line(world: dict[str, Any]) -> None:
    from tests.conftest import run_cli

    res = run_cli("chain", "why", "1NotThere", "1NotThereEither", db=world["db"])
    assert res.exit_code == 1 and res.stderr.startswith("error: ") and "Traceback" not in res.stderr
    res = run_cli("chain", "trace", "00" * 32 + ":0", db=world["db"])
    assert res.exit_code == 1 and "not stored" in res.stderr
    res = run_cli("chain", "cluster", "--change", "psychic", db=world["db"])
    assert res.exit_code == 1 and "unknown change heuristic" in res.stderr
