"""The synthetic chain: balanced, no double spends, every pattern present, planted entities used,
blocks decodable (merkle roots, proof of work, BIP34 heights) and ingestible with its ground truth."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow.parquet as pq

from sanctrace.chain.blockfile import read_spans
from sanctrace.chain.decode import decode_blocks
from sanctrace.chain.ingest import ingest_paths
from sanctrace.chain.synth import PATTERNS, ExchangeSpec, MinerFlow, PoolSpec, Scenario, generate
from sanctrace.chain.synth_write import write_blk_files, write_ground_truth
from sanctrace.engine.duckdb_engine import DuckDBEngine

EMCD = "1BDbsWi3Mrcjp1wdop3PWFNCNZtu4R7Hjy"  # EMCDPool payout address (bitcoin-data pool list)
OFAC = "123WBUDmSJv4GctdVEz6Qq6z8nXSKrJ4KX"  # first XBT address of the OFAC list snapshot
DEPOSIT = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
HOT = "bc1q202ajnhxgg9d9jjczmg0g4usp6haqldyy2eakl"

SCENARIO = Scenario(
    pools=[PoolSpec("EMCDPool", [EMCD], "/EMCD/", 30)],
    exchanges=[ExchangeSpec("Garantex", [HOT], [DEPOSIT])],
    counterparties={OFAC: "SUEX OTC"},
    miner_flows=[MinerFlow("BitRiver client", "EMCDPool", DEPOSIT, None, hops=2)],
)


def test_economy_is_consistent() -> None:
    c = generate(30_000, seed=4, scenario=SCENARIO, txs_per_block=1000)
    assert c.n_txs == 30_000
    spent = c.in_prev_out[c.in_prev_out >= 0]
    assert len(np.unique(spent)) == len(spent)  # no double spends
    in_tx = np.repeat(np.arange(c.n_txs), c.tx_n_in)
    assert (c.out_tx[spent] < in_tx[c.in_prev_out >= 0]).all()  # spends come after creation
    value_in = np.bincount(in_tx, np.where(c.in_prev_out >= 0, c.out_value[np.maximum(c.in_prev_out, 0)], 0),
                           minlength=c.n_txs)
    value_out = np.bincount(c.out_tx, c.out_value, minlength=c.n_txs)
    regular = c.tx_pattern > 1
    assert (value_in[regular] >= value_out[regular]).all()
    assert (c.out_value >= 546).all()
    present = {PATTERNS[p] for p in np.unique(c.tx_pattern)}
    assert {"coinbase", "payment", "sweep", "withdrawal", "peel", "coinjoin", "mixer_in", "mixer_out",
            "pool_payout", "miner_sell", "forward"} <= present
    # CoinJoins: equal-valued outputs from inputs of different owners
    cj = np.flatnonzero(c.tx_pattern == PATTERNS.index("coinjoin"))[0]
    ins = c.in_prev_out[c.tx_first_in[cj]: c.tx_first_in[cj] + c.tx_n_in[cj]]
    owners = c.addr_owner[c.out_addr[ins]]
    assert len(np.unique(owners)) == len(owners) >= 3
    # same seed, same chain
    again = generate(30_000, seed=4, scenario=SCENARIO, txs_per_block=1000)
    assert np.array_equal(again.out_value, c.out_value) and np.array_equal(again.out_addr, c.out_addr)


def test_blocks_are_valid_and_ingest_with_truth(tmp_path: Path) -> None:
    c = generate(6_000, seed=9, scenario=SCENARIO, txs_per_block=500)
    files = write_blk_files(c, tmp_path / "chain", max_file_bytes=1 << 20)
    assert len(files) >= 2
    spans = read_spans(files[0])
    assert spans.network == "regtest"
    dec = decode_blocks(spans.buf, spans.starts, spans.ends, str(files[0]))  # verifies merkle roots
    hashes = dec.block_hash
    assert (hashes[:, 31] < 0x7F).all()  # meets the regtest target 0x207fffff
    truth = write_ground_truth(c, tmp_path / "chain")
    eng = DuckDBEngine(tmp_path / "s.duckdb")
    report = ingest_paths(eng, files)
    assert report.txs == c.n_txs and report.blocks == c.n_blocks
    assert eng.query("SELECT min(height), max(height), bool_and(in_main_chain) FROM chain_blocks") == \
        [(1, c.n_blocks, True)]
    assert eng.scalar("SELECT count(*) FROM chain_blocks WHERE coinbase_height IS DISTINCT FROM height") == 0
    assert eng.scalar("SELECT count(*) FROM chain_inputs i JOIN chain_txs t USING (tx_id) "
                      "WHERE NOT t.is_coinbase AND i.prev_tx_id IS NULL") == 0
    assert eng.scalar("SELECT count(*) FROM chain_txs WHERE fee < 0") == 0
    eng.register("truth_addr", pq.read_table(truth[0]))
    eng.register("truth_tx", pq.read_table(truth[1]))
    assert eng.scalar("SELECT count(*) FROM chain_txs t ANTI JOIN truth_tx USING (txid)") == 0
    assert eng.scalar("SELECT count(*) FROM chain_addresses a ANTI JOIN truth_addr USING (address)") == 0
    planted = dict(eng.query("""SELECT a.address, t.entity FROM chain_addresses a JOIN truth_addr t
                                USING (address) WHERE a.address IN (?, ?, ?, ?)""", [EMCD, OFAC, DEPOSIT, HOT]))
    assert planted.get(EMCD) == "EMCDPool" and planted.get(DEPOSIT) == "Garantex"
    assert "/EMCD/" in " ".join(r[0] for r in eng.query("SELECT coinbase_text FROM chain_blocks"))


def test_in_memory_tables_for_analysis() -> None:
    c = generate(5_000, seed=1)
    t = c.tables()
    assert t["txs"].num_rows == c.n_txs and t["outputs"].num_rows == len(c.out_value)
    inputs = t["inputs"]
    prev_tx = inputs["prev_tx"].to_numpy()
    spends = prev_tx >= 0
    # each spent (tx, vout) names an output with that value and address
    outputs = t["outputs"]
    first_out = c.tx_first_out[prev_tx[spends]] + inputs["prev_vout"].to_numpy()[spends]
    assert (outputs["value"].to_numpy()[first_out] == inputs["value"].to_numpy()[spends]).all()
    assert (outputs["address"].to_numpy()[first_out] == inputs["address"].to_numpy()[spends]).all()
    kinds = set(t["entities"]["kind"].to_pylist())
    assert {"pool", "exchange", "mixer", "miner", "user"} <= kinds
    assert len(c.address_strings()) == t["addresses"].num_rows
