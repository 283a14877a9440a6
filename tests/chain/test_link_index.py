"""The in-memory link index: its tables on their own, and ingest with it equal to ingest without."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa

from sanctrace.chain.ingest import ingest_paths
from sanctrace.chain.link_index import KeyTable, OutputTable, string_keys
from sanctrace.chain.synth import generate
from sanctrace.chain.synth_write import write_blk_files
from sanctrace.engine.duckdb_engine import DuckDBEngine
from tests.chain.stored import CHAIN_TABLES, competing_chains, table_digest

TABLES = (*CHAIN_TABLES, "chain_pending_spends")


def test_string_keys_depend_on_text_only() -> None:
    words = ["bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "", "a", "b",
             "0" * 64, "0" * 63 + "1"]
    k1, k2 = string_keys(pa.array(words))
    keys = set(zip(k1.tolist(), k2.tolist(), strict=True))
    assert len(keys) == len(words)  # all distinct, including one-character and last-character changes
    # same keys from a large_string array, a slice with an offset, and a chunked array
    big = pa.array(["x", *words], pa.large_string()).slice(1)
    assert [k.tolist() for k in string_keys(big)] == [k1.tolist(), k2.tolist()]
    chunked = pa.chunked_array([words[:3], words[3:]])
    assert [k.tolist() for k in string_keys(chunked)] == [k1.tolist(), k2.tolist()]


def test_key_table_keeps_the_smallest_value_and_survives_growth() -> None:
    rng = np.random.default_rng(5)
    table = KeyTable(16)
    k1 = rng.integers(-(1 << 62), 1 << 62, 50_000)
    k2 = rng.integers(-(1 << 62), 1 << 62, 50_000)
    values = rng.integers(0, 1 << 40, 50_000)
    for part in np.array_split(np.arange(50_000), 7):  # several growths
        table.insert_min(k1[part], k2[part], values[part])
    assert table.size == 50_000
    assert (table.lookup(k1, k2) == values).all()
    table.insert_min(k1[:10], k2[:10], values[:10] + 1)   # larger: ignored
    table.insert_min(k1[10:20], k2[10:20], values[10:20] - 1)  # smaller: kept
    got = table.lookup(k1[:20], k2[:20])
    assert (got[:10] == values[:10]).all() and (got[10:] == values[10:20] - 1).all()
    assert table.size == 50_000
    # same first key, other second key: a different entry
    assert table.lookup(k1[:3], k2[:3] ^ 1).tolist() == [-1, -1, -1]


def test_output_table_finds_outputs_by_tx_and_vout() -> None:
    out = OutputTable(first_tx=5)
    assert not OutputTable(first_tx=1).lookup(np.array([1, 2]), np.array([0, 0]))[0].any()  # empty
    # tx 5 has vouts 0,1; tx 6 none; tx 7 has vouts 0,2 (vout 1 not stored), rows in any order
    out.append(5, np.array([2, 0, 0, 2]), np.array([2, 1, 0, 0]), np.array([70, 51, 50, 72]),
               np.array([9, -1, 8, 7]), 3)
    out.append(9, np.array([0]), np.array([0]), np.array([90]), np.array([3]), 1)  # tx 8 is a gap
    found, value, address = out.lookup(np.array([5, 5, 7, 7, 7, 6, 8, 9, 4, 10, 5]),
                                       np.array([0, 1, 0, 1, 2, 0, 0, 0, 0, 0, 2]))
    assert found.tolist() == [True, True, True, False, True, False, False, True, False, False, False]
    assert value[found].tolist() == [50, 51, 72, 70, 90]
    assert address[found].tolist() == [8, -1, 7, 9, 3]


def _ingest_both_ways(tmp_path: Path, calls: list[list[Path]], name: str, batch_bytes: int) -> list[object]:
    digests = []
    for use in (False, True):
        eng = DuckDBEngine(tmp_path / f"{name}-{use}.duckdb")
        for files in calls:
            ingest_paths(eng, files, batch_bytes=batch_bytes, link_index=use)
        digests.append(table_digest(eng, TABLES))
        eng.close()
    assert digests[0] == digests[1]
    return digests[0]


def test_ingest_with_index_equals_sql_lookups_across_calls_and_out_of_order(tmp_path: Path) -> None:
    chain = generate(4000, seed=3, txs_per_block=120, n_users=300, n_miners=8)
    files = write_blk_files(chain, tmp_path / "blk", max_file_bytes=200_000)
    assert len(files) >= 4
    # in order, in three calls: each later call builds its index from the store
    digest = _ingest_both_ways(tmp_path, [files[:1], files[1:3], files[3:]], "calls", 60_000)
    assert digest[1] == (4000, digest[1][1])  # type: ignore[index]
    # backwards: inputs wait for transactions stored later, linked late
    _ingest_both_ways(tmp_path, [files[::-1][:2], files[::-1][2:]], "reverse", 60_000)
    # a file whose blocks partly are stored already
    both = tmp_path / "again.dat"
    both.write_bytes(files[0].read_bytes() + files[1].read_bytes())
    _ingest_both_ways(tmp_path, [files[:1], [both, *files[2:]]], "again", 60_000)


def test_ingest_with_index_equals_sql_lookups_through_a_reorg(tmp_path: Path) -> None:
    _short, _long, a, b = competing_chains(tmp_path)
    # the reorg happens inside the second call, between its batches: the index must drop its txids
    # when stored blocks leave the main chain and later batches link to the new main-chain copies
    _ingest_both_ways(tmp_path, [a, b], "reorg", 40_000)
    _ingest_both_ways(tmp_path, [[*a, *b]], "reorg-one-call", 40_000)
