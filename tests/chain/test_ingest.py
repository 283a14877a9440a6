"""Ingest into DuckDB: real blocks, idempotency, fees from undo data, out-of-order files, reorgs."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctrace.chain.decode_undo import apply_undo
from sanctrace.chain.ingest import ingest_paths
from sanctrace.chain.schema import address_id, block_summary, tx_id
from sanctrace.chain.store import stats
from sanctrace.chain.synth import generate
from sanctrace.chain.synth_write import write_blk_files
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.errors import InputError, NotFound
from tests.chain.stored import competing_chains, table_digest


@pytest.fixture(scope="module")
def blocks(shared_data: Path) -> Path:
    return shared_data / "chain" / "blocks"


def _frames(data: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(data):
        n = int.from_bytes(data[pos + 4: pos + 8], "little")
        out.append(data[pos: pos + 8 + n])
        pos += 8 + n
    return out


def test_real_blocks_idempotent_and_linked(engine: DuckDBEngine, blocks: Path) -> None:
    files = [blocks / "mainnet_block_413567.raw", blocks / "mainnet_block_702861.raw",
             blocks / "mainnet_block_300025.raw"]
    first = ingest_paths(engine, files)
    assert (first.blocks, first.txs) == (3, 1557 + 2500 + 461)
    before = stats(engine)
    again = ingest_paths(engine, files)
    assert again.files_skipped == 3 and again.blocks == 0
    assert stats(engine) == before
    s = block_summary(engine, 413567)
    assert (s["tx_count"], s["n_inputs"], s["n_outputs"], s["coinbase_height"]) == (1557, 4887, 3581, 413567)
    assert s["hash"] == "0000000000000000025aff8be8a55df8f89c77296db6198f272d6577325d4069"
    assert s["total_fees"] is None  # inputs spend outputs of blocks we do not have
    # spends inside one block are linked, with values and addresses
    linked = engine.query_one("""SELECT count(*), count(*) FILTER (WHERE i.value = o.value AND
                                 i.address_id IS NOT DISTINCT FROM o.address_id)
                                 FROM chain_inputs i JOIN chain_outputs o
                                 ON o.tx_id = i.prev_tx_id AND o.vout = i.prev_vout""")
    assert linked is not None and linked[0] > 0 and linked[0] == linked[1]
    spent = engine.scalar("SELECT count(*) FROM chain_outputs WHERE spent_tx_id IS NOT NULL")
    assert spent == linked[0]
    f2pool = address_id(engine, "1KFHE7w8BhaENAswwryaoccDb6qcT6DbYY")
    assert f2pool is not None
    assert tx_id(engine, "0" * 64) is None
    with pytest.raises(NotFound):
        block_summary(engine, 1)


def test_block_300025_fees_from_undo(engine: DuckDBEngine, blocks: Path) -> None:
    ingest_paths(engine, [blocks / "mainnet_block_300025.raw"])
    assert apply_undo(engine, 300025, blocks / "mainnet_block_300025.prevouts_bcoin_undo.bin") == 1427
    s = block_summary(engine, 300025)
    assert s["total_fees"] == 7_773_345
    coinbase_out = engine.scalar("""SELECT sum(o.value) FROM chain_outputs o JOIN chain_txs t USING (tx_id)
                                    WHERE t.is_coinbase AND t.height = 300025""")
    assert coinbase_out == 2_500_000_000 + 7_773_345
    assert engine.scalar("SELECT count(*) FROM chain_txs WHERE height = 300025 AND fee < 0") == 0


def test_undo_count_mismatch_is_rejected(engine: DuckDBEngine, blocks: Path, tmp_path: Path) -> None:
    ingest_paths(engine, [blocks / "mainnet_block_300025.raw"])
    short = tmp_path / "short.bin"
    short.write_bytes((blocks / "mainnet_block_300025.prevouts_bcoin_undo.bin").read_bytes()[:26])
    with pytest.raises(InputError, match=r"short\.bin"):
        apply_undo(engine, 300025, short)


def test_out_of_order_files_link_by_prev_hash(tmp_path: Path, blocks: Path) -> None:
    frames = _frames((blocks / "blkfmt_btcd_genesis_plus_4_SYNTHETIC.dat").read_bytes())
    late, early = tmp_path / "blk00001.dat", tmp_path / "blk00000.dat"
    late.write_bytes(frames[4] + frames[3])
    early.write_bytes(frames[2] + frames[0] + frames[1])
    scrambled = DuckDBEngine(tmp_path / "a.duckdb")
    ingest_paths(scrambled, [late, early])
    ordered = DuckDBEngine(tmp_path / "b.duckdb")
    ordered_file = tmp_path / "ordered.dat"
    ordered_file.write_bytes(b"".join(frames))
    ingest_paths(ordered, [ordered_file])
    q = "SELECT hash, height, in_main_chain FROM chain_blocks ORDER BY height"
    assert scrambled.query(q) == ordered.query(q)
    assert [r[1] for r in scrambled.query(q)] == [0, 1, 2, 3, 4]
    link = "SELECT count(prev_tx_id), count(value) FROM chain_inputs"
    assert scrambled.query(link) == ordered.query(link)
    assert scrambled.scalar("SELECT count(*) FROM chain_txs WHERE height IS NULL") == 0


def _main_spends(engine: DuckDBEngine) -> set[tuple[str, int, str | None]]:
    rows = engine.query("""
        SELECT t.txid, o.vout, s.txid FROM chain_outputs o JOIN chain_txs t USING (tx_id)
        JOIN chain_blocks b USING (block_id) LEFT JOIN chain_txs s ON s.tx_id = o.spent_tx_id
        WHERE b.in_main_chain""")
    return {(r[0], int(r[1]), r[2]) for r in rows}


def test_reorg_flips_main_chain_and_relinks_spends(tmp_path: Path) -> None:
    short, long, a, b = competing_chains(tmp_path)
    assert short.txids is not None and long.txids is not None
    same = int(short.tx_block.searchsorted(3))
    assert (short.txids[:same] == long.txids[:same]).all() and same > 200
    eng = DuckDBEngine(tmp_path / "reorg.duckdb")
    ingest_paths(eng, a)
    assert eng.scalar("SELECT count(*) FILTER (WHERE in_main_chain) FROM chain_blocks") == short.n_blocks
    report = ingest_paths(eng, b)
    assert report.reorged_blocks == short.n_blocks
    assert eng.query("SELECT in_main_chain, count(*) FROM chain_blocks GROUP BY 1 ORDER BY 1") == \
        [(False, short.n_blocks), (True, long.n_blocks)]
    # every input links to the main-chain copy of the transaction it spends
    assert eng.scalar("""SELECT count(*) FROM chain_inputs i JOIN chain_txs p ON p.tx_id = i.prev_tx_id
                         JOIN chain_blocks b USING (block_id) WHERE NOT b.in_main_chain""") == 0
    # stale outputs are unspent; main-chain spends equal a run that only saw the long chain
    assert eng.scalar("""SELECT count(*) FROM chain_outputs o JOIN chain_txs t USING (tx_id)
                         JOIN chain_blocks b USING (block_id)
                         WHERE NOT b.in_main_chain AND o.spent_tx_id IS NOT NULL""") == 0
    only_long = DuckDBEngine(tmp_path / "long.duckdb")
    ingest_paths(only_long, b)
    assert _main_spends(eng) == _main_spends(only_long)


def test_deferred_spends_equal_per_batch_updates_and_survive_a_kill(tmp_path: Path) -> None:
    from sanctrace.chain.decode import decode_blocks
    from sanctrace.chain.ingest import _batches, _spans_from
    from sanctrace.chain.store import store_batch
    from sanctrace.chain.store_chain import ChainState
    from sanctrace.chain.store_link import batch_columns

    chain = generate(6000, seed=8, txs_per_block=150, n_users=400, n_miners=10)
    files = write_blk_files(chain, tmp_path / "blocks", max_file_bytes=600_000)
    assert len(files) >= 2
    per_batch = DuckDBEngine(tmp_path / "per_batch.duckdb")
    ingest_paths(per_batch, files, batch_bytes=200_000, defer_spends=False)
    deferred = DuckDBEngine(tmp_path / "deferred.duckdb")
    ingest_paths(deferred, files, batch_bytes=200_000)
    assert deferred.scalar("SELECT count(*) FROM chain_pending_spends") == 0
    assert deferred.scalar("SELECT count(spent_tx_id) FROM chain_outputs") > 1000
    assert table_digest(deferred) == table_digest(per_batch)

    # a run killed after some batches committed: their spends of older outputs wait in the side
    # table, and the next ingest call (which skips those batches) applies them
    killed = DuckDBEngine(tmp_path / "killed.duckdb")
    ensure = ingest_paths(killed, [])  # creates the tables
    assert ensure.files == 0
    state = ChainState.load(killed)
    spans = _spans_from(files[0], files[0].read_bytes())
    for starts, ends in _batches(spans, 200_000):
        dec = decode_blocks(spans.buf, starts, ends, str(files[0]), strict=True, offset_base=spans.offset_base)
        with killed.transaction():
            store_batch(killed, dec, [f"{files[0]}@{int(x) - 8}" for x in dec.block_start], state, batch_columns(dec),
                        defer_spends=True)
    pending = killed.scalar("SELECT count(*) FROM chain_pending_spends")
    assert pending > 0
    assert killed.scalar("""SELECT count(*) FROM chain_outputs o JOIN chain_pending_spends p
                            ON o.tx_id = p.prev_tx_id AND o.vout = p.prev_vout
                            WHERE o.spent_tx_id IS NOT NULL""") == 0
    report = ingest_paths(killed, files, batch_bytes=200_000)
    assert report.blocks_skipped > 0
    assert killed.scalar("SELECT count(*) FROM chain_pending_spends") == 0
    assert table_digest(killed) == table_digest(per_batch)
