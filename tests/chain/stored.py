"""Helpers shared by the ingest tests: a digest of the stored chain tables, and two competing
synthetic chains that force a reorg."""

from __future__ import annotations

from pathlib import Path

from sanctrace.chain.synth import SynthChain, generate
from sanctrace.chain.synth_write import write_blk_files
from sanctrace.engine.duckdb_engine import DuckDBEngine

CHAIN_TABLES = ("chain_blocks", "chain_txs", "chain_inputs", "chain_outputs", "chain_addresses")


def table_digest(engine: DuckDBEngine, tables: tuple[str, ...] = CHAIN_TABLES) -> list[object]:
    """Row count and an order-independent hash of each table: equal digests, equal tables."""
    return [engine.query_one(f"SELECT count(*), sum(hash(t)::HUGEINT)::VARCHAR FROM {name} t") for name in tables]


def competing_chains(tmp_path: Path) -> tuple[SynthChain, SynthChain, list[Path], list[Path]]:
    """Two chains from one seed: blocks 1-3 hold the same transactions (different header times), the
    short chain's block 4 differs from the long chain's; its 4 blocks lose to the long chain's 6.
    Returns (short, long, short's blk files, long's blk files)."""
    short = generate(600, seed=11, txs_per_block=200, n_users=300, n_miners=20)
    long = generate(1000, seed=11, txs_per_block=200, n_users=300, n_miners=20)
    long.start_time += 7
    return short, long, write_blk_files(short, tmp_path / "a"), write_blk_files(long, tmp_path / "b")
