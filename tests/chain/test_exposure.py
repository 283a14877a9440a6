"""Deposit exposure API: shares, flags, errors, and that new tags are seen without a restart."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctrace.chain.exposure import exposure
from sanctrace.chain.tags import load_tag_files
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.errors import InputError, NotFound
from tests.chain.trace_world import build


def test_deposit_exposure(engine: DuckDBEngine, tmp_path: Path, shared_data: Path) -> None:
    chain = build(engine, tmp_path, shared_data)
    deposit = chain.txid(engine, 6)
    result = exposure(engine, deposit, 0)
    x = 9_990_000 / 10_990_000
    assert result.hops == 7 and result.value_sat == 10_980_000 and result.method == "haircut"
    assert result.sanctioned_share == pytest.approx(1 - x, abs=1e-6)
    assert result.risky_share == pytest.approx(1 - x, abs=1e-6)
    assert result.russia_mining_nexus_share == pytest.approx(0.6 * x, abs=1e-6)
    assert result.by_category["coinbase"] == pytest.approx(x, abs=1e-6)
    assert len(result.paths) <= 3 and result.paths[0].txids[0] == deposit
    assert result.stats["ms"] >= 0


def test_new_tags_are_picked_up(engine: DuckDBEngine, tmp_path: Path, shared_data: Path) -> None:
    chain = build(engine, tmp_path, shared_data)
    deposit = chain.txid(engine, 6)
    assert exposure(engine, deposit, 0).by_category.get("mixing_service", 0) == 0
    extra = tmp_path / "more.csv"
    extra.write_text("address,label,category,entity\n1X,Mixer,mixing_service,SomeMixer\n")
    load_tag_files(engine, [extra], include_lists=False)
    from sanctrace.chain.graph import clear_cache

    clear_cache()  # another process would see it after the 1 s revalidation window
    after = exposure(engine, deposit, 0)
    assert after.by_category["mixing_service"] == pytest.approx(9_990_000 / 10_990_000, abs=1e-6)
    assert after.risky_share == pytest.approx(1.0, abs=1e-6)


def test_bad_deposits(engine: DuckDBEngine, tmp_path: Path, shared_data: Path) -> None:
    chain = build(engine, tmp_path, shared_data)
    with pytest.raises(NotFound, match="no such output"):
        exposure(engine, chain.txid(engine, 6), 5)
    with pytest.raises(NotFound, match="not stored"):
        exposure(engine, "ab" * 32, 0)
    with pytest.raises(NotFound, match="64 hex"):
        exposure(engine, "xyz", 0)
    with pytest.raises(InputError):
        exposure(engine, chain.txid(engine, 6), -1)
