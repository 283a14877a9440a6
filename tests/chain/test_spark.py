"""Spark parity: clustering and exposure on PySpark (local[2]) equal DuckDB's on the same chain."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sanctrace.chain.attribution import attribute_blocks, load_pool_rules
from sanctrace.chain.cluster import ClusterConfig, cluster_addresses
from sanctrace.chain.exposure import exposure
from sanctrace.chain.graph_synthetic import synthetic_chain, write_chain
from sanctrace.chain.spark_tables import CLUSTER_TABLES, OPTIONAL_TABLES, views_from_engine
from sanctrace.chain.tags import load_tag_files
from sanctrace.engine.duckdb_engine import DuckDBEngine

pytestmark = pytest.mark.spark


@pytest.fixture(scope="module")
def chain_db(tmp_path_factory: pytest.TempPathFactory, shared_data: Path) -> DuckDBEngine:
    tmp = tmp_path_factory.mktemp("spark_parity")
    engine = DuckDBEngine(tmp / "chain.duckdb")
    write_chain(engine, synthetic_chain(1500, seed=21, coinjoin_rate=0.08, block_size=100))
    load_pool_rules(engine, [shared_data / "chain" / "pools" / "mempool_pools-v2.json"])
    attribute_blocks(engine)
    rng = np.random.default_rng(3)
    n_addr = int(engine.scalar("SELECT max(address_id) FROM chain_addresses"))
    picks = rng.choice(np.arange(1, n_addr + 1), 120, replace=False)
    names = dict(engine.query("SELECT address_id, address FROM chain_addresses"))
    rows = ["address,label,category,entity,jurisdiction,confidence,source"]
    for i, aid in enumerate(picks[:80]):
        category = ("exchange", "sanction", "mixing_service", "miner")[i % 4]
        rows.append(f"{names[int(aid)]},L{i % 7},{category},E{i % 7},{'RU' if i % 3 == 0 else ''},0.{5 + i % 4},t")
    (tmp / "tags.csv").write_text("\n".join(rows) + "\n")
    pack = ["title: definers", "category: exchange", "confidence: service_data", "is_cluster_definer: true",
            "tags:"] + [f"- address: {names[int(aid)]}\n  label: Ex{i % 3}\n  actor: ex{i % 3}"
                        for i, aid in enumerate(picks[80:])]
    (tmp / "definers.yaml").write_text("\n".join(pack) + "\n")
    load_tag_files(engine, [tmp / "tags.csv", tmp / "definers.yaml"], include_lists=False)
    return engine


@pytest.fixture(scope="module")
def spark_engine(spark: Any) -> Any:
    from sanctrace.engine.spark_engine import SparkEngine

    engine = SparkEngine(master="local[2]")
    previous = spark.conf.get("spark.sql.shuffle.partitions")
    spark.conf.set("spark.sql.shuffle.partitions", "4")
    yield engine
    spark.conf.set("spark.sql.shuffle.partitions", previous)


def test_cluster_parity(chain_db: DuckDBEngine, spark_engine: Any, tmp_path: Path) -> None:
    from sanctrace.chain.spark_cluster import spark_cluster

    config = ClusterConfig(change=("one_time", "address_type"))
    cluster_addresses(chain_db, config, rebuild=True)
    views_from_engine(spark_engine, chain_db, CLUSTER_TABLES)
    labels, info = spark_cluster(spark_engine, config, checkpoint_dir=str(tmp_path / "ckpt"))
    got = {(int(a), int(c)) for a, c in labels.collect()}
    want = {(int(a), int(c)) for a, c in chain_db.query("SELECT address_id, cluster_id FROM chain_clusters")}
    assert got == want and info["rounds"] >= 2
    spark_cj = {int(r[0]) for r in spark_engine.spark.table("chain_coinjoin_txs").select("tx_id").collect()}
    assert spark_cj == {int(r[0]) for r in chain_db.query("SELECT tx_id FROM chain_coinjoin_txs")} and spark_cj


def _witness(rows: list[tuple[Any, ...]]) -> set[tuple[int, int, int, str]]:
    return {(int(a), int(b), int(tx), str(h)) for a, b, tx, h, _conf in rows}


def test_merge_witnesses_on_spark(chain_db: DuckDBEngine, spark_engine: Any, tmp_path: Path) -> None:
    from sanctrace.chain.cluster_kernels import flatten, union_edges
    from sanctrace.chain.spark_cluster import spark_cluster_run

    # multi-input clustering: the very forest the DuckDB union-find keeps
    cluster_addresses(chain_db, ClusterConfig(), rebuild=True)
    views_from_engine(spark_engine, chain_db, CLUSTER_TABLES)
    run = spark_cluster_run(spark_engine, ClusterConfig(), checkpoint_dir=str(tmp_path / "ckpt"))
    got = _witness([tuple(r) for r in run.witness.collect()])
    want = _witness(chain_db.query("SELECT * FROM chain_cluster_witness"))
    assert got == want and len(got) > 100
    # with change heuristics the edge order inside a transaction may differ, but the witnesses are
    # still a spanning forest: one edge fewer than addresses per cluster, and they rebuild the labels
    config = ClusterConfig(change=("one_time", "address_type"))
    run = spark_cluster_run(spark_engine, config, checkpoint_dir=str(tmp_path / "ckpt2"))
    rows = [tuple(r) for r in run.witness.collect()]
    labels = {int(a): int(c) for a, c in run.labels.collect()}
    names = {h for *_x, h, _c in rows}
    assert "multi_input" in names and any(h.startswith("change") for h in names)
    size = max(labels) + 1
    parent = np.arange(size, dtype=np.int64)
    merged = union_edges(parent, np.array([r[0] for r in rows], np.int64), np.array([r[1] for r in rows], np.int64))
    assert merged.all()  # no witness edge is redundant
    rebuilt = flatten(parent)
    assert all(rebuilt[a] == c for a, c in labels.items())
    assert len(rows) == len(labels) - len(set(labels.values()))


def test_exposure_parity(chain_db: DuckDBEngine, spark_engine: Any) -> None:
    from sanctrace.chain.spark_exposure import spark_exposures

    cluster_addresses(chain_db, ClusterConfig())
    views_from_engine(spark_engine, chain_db, CLUSTER_TABLES + OPTIONAL_TABLES)
    rows = chain_db.query(
        """SELECT t.tx_id, t.txid, o.vout FROM chain_outputs o JOIN chain_txs t USING (tx_id)
        WHERE t.tx_id > 1000 AND o.value > 0 ORDER BY hash(t.tx_id * 7 + o.vout) LIMIT 6""")
    starts = [(int(tx), int(v)) for tx, _, v in rows]
    spark_result = spark_exposures(spark_engine, starts, hops=4, min_share=1e-4, hub_cap=1000)
    compared = 0
    for tx, txid, vout in rows:
        duck = exposure(chain_db, txid, int(vout), hops=4, min_share=1e-4, hub_cap=1000)
        ours = {(b.category, b.entity): b.share for b in duck.breakdown}
        theirs = spark_result[(int(tx), int(vout))]
        assert set(ours) == {k for k, v in theirs.items() if round(v, 6) > 0} | {k for k in ours if ours[k] == 0}
        for key, share in ours.items():
            assert theirs.get(key, 0.0) == pytest.approx(share, abs=2e-6)
        compared += len(ours)
    assert compared > 6
