"""Address clustering on Spark: the same edges as on DuckDB, connected components with DataFrames.

GraphFrames (the usual JAR) is not available, so components are computed by min-label
propagation with pointer jumping, in plain DataFrame joins:

1. every address in an edge starts with its own id as label;
2. each round, a node takes the smallest label among itself and its neighbours, then jumps to
   its label's label (``L(v) ← L(L(v))``), which halves path lengths and makes the number of
   rounds logarithmic in the component diameter instead of linear;
3. labels are checkpointed every round (lineage would otherwise grow with every join) and the
   loop stops when no label changed.

Labels only decrease and always name a node of the same component, so at the fixed point every
component carries its smallest address id — exactly the ``cluster_id`` the DuckDB union-find
writes. The edges come from the same SQL (CoinJoin detection, change heuristics) transpiled to
Spark, so both engines cluster identically (the parity tests check it).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from sanctrace.chain.change import change_edges_sql
from sanctrace.chain.cluster import ClusterConfig
from sanctrace.chain.coinjoin import coinjoin_sql
from sanctrace.chain.spark_tables import CLUSTER_TABLES, views_from_warehouse
from sanctrace.config import Settings
from sanctrace.errors import EngineError


def cluster_edges(spark_engine: Any, config: ClusterConfig) -> Any:
    """Edges ``(src, dst)`` of all enabled heuristics as a DataFrame (views must be registered)."""
    from pyspark.sql import functions as F

    spark = spark_engine.spark
    cj = spark_engine._sql(coinjoin_sql(0), None) if config.coinjoin_exclusion else None
    if cj is not None:
        cj = cj.cache()
        cj.createOrReplaceTempView("chain_coinjoin_txs")
    else:
        spark.createDataFrame([], "tx_id BIGINT, kind STRING").createOrReplaceTempView("chain_coinjoin_txs")
    parts = []
    if config.multi_input:
        inputs = spark.table("chain_inputs").where(F.col("address_id").isNotNull()).select("tx_id", "address_id")
        if cj is not None:
            inputs = inputs.join(cj.select("tx_id"), "tx_id", "left_anti")
        first = inputs.groupBy("tx_id").agg(F.min("address_id").alias("src"))
        parts.append(inputs.join(first, "tx_id").where(F.col("address_id") != F.col("src"))
                     .select(F.col("src"), F.col("address_id").alias("dst")))
    if config.change:
        change = spark_engine._sql(change_edges_sql(0, config.change, config.min_change_confidence), None)
        parts.append(change.select("src", "dst"))
    if not parts:
        return spark.createDataFrame([], "src BIGINT, dst BIGINT")
    edges = parts[0]
    for extra in parts[1:]:
        edges = edges.unionByName(extra)
    return edges


def connected_components(spark: Any, edges: Any, checkpoint_dir: str, max_rounds: int = 200) -> tuple[Any, int]:
    """Min-label connected components of an edge DataFrame ``(src, dst)``.

    Returns ``(labels, rounds)`` with labels ``(address_id, cluster_id)`` for every node in an edge.
    """
    from pyspark.sql import functions as F

    spark.sparkContext.setCheckpointDir(checkpoint_dir)
    both = (edges.select(F.col("src").alias("a"), F.col("dst").alias("b"))
            .unionByName(edges.select(F.col("dst").alias("a"), F.col("src").alias("b")))
            .where(F.col("a") != F.col("b")).distinct().cache())
    labels = both.select(F.col("a").alias("id")).distinct().withColumn("label", F.col("id")).checkpoint()
    previous = labels.agg(F.sum(F.col("label").cast("decimal(38,0)"))).first()[0]
    rounds = 0
    while rounds < max_rounds:
        rounds += 1
        neighbour = (both.join(labels, both.a == labels.id).select(F.col("b").alias("id"), F.col("label")))
        propagated = labels.unionByName(neighbour).groupBy("id").agg(F.min("label").alias("label"))
        hop = propagated.select(F.col("id").alias("lid"), F.col("label").alias("label2"))
        jumped = (propagated.join(hop, propagated.label == hop.lid, "left")
                  .select("id", F.least(F.col("label"), F.coalesce(F.col("label2"), F.col("label"))).alias("label")))
        # reliable checkpoint every few rounds (bounded lineage, restartable); cheap local ones between
        jumped = jumped.checkpoint() if rounds % 4 == 0 else jumped.localCheckpoint()
        # labels only ever decrease, so an unchanged sum means no label changed (no join needed)
        total = jumped.agg(F.sum(F.col("label").cast("decimal(38,0)"))).first()[0]
        labels = jumped
        if total == previous:
            break
        previous = total
    else:
        raise EngineError(f"connected components did not converge in {max_rounds} rounds")
    both.unpersist()
    return labels.select(F.col("id").alias("address_id"), F.col("label").alias("cluster_id")), rounds


def spark_cluster(spark_engine: Any, config: ClusterConfig | None = None, *,
                  checkpoint_dir: str | None = None) -> tuple[Any, dict[str, Any]]:
    """Cluster on Spark over the registered chain views. Returns (labels DataFrame, run info)."""
    config = config or ClusterConfig()
    started = time.perf_counter()
    edges = cluster_edges(spark_engine, config)
    directory = checkpoint_dir or tempfile.mkdtemp(prefix="sanctrace-spark-ckpt-")
    labels, rounds = connected_components(spark_engine.spark, edges, directory)
    labels = labels.cache()
    info = {"engine": "spark", "rounds": rounds, "addresses_in_clusters": labels.count(),
            "clusters": labels.select("cluster_id").distinct().count(),
            "seconds": round(time.perf_counter() - started, 3)}
    return labels, info


def spark_cluster_summary(spark_engine: Any, settings: Settings, config: ClusterConfig,
                          address: str | None) -> dict[str, Any]:
    """``sanctrace --engine spark chain cluster``: cluster, write Parquet, describe one address."""
    from pyspark.sql import functions as F

    views_from_warehouse(spark_engine, settings, CLUSTER_TABLES)
    warehouse = Path(settings.spark_warehouse)
    labels, info = spark_cluster(spark_engine, config, checkpoint_dir=str(warehouse / "_checkpoints"))
    target = warehouse / "chain_clusters"
    labels.write.mode("overwrite").parquet(str(target))
    labels.createOrReplaceTempView("chain_clusters")
    info["written"] = str(target)
    if address is None:
        return {"run": info}
    spark = spark_engine.spark
    row = spark.table("chain_addresses").where(F.col("address") == address).select("address_id").first()
    if row is None:
        from sanctrace.errors import NotFound

        raise NotFound(f"address {address}: not seen on the stored chain")
    aid = int(row[0])
    found = labels.where(F.col("address_id") == aid).select("cluster_id").first()
    cid = aid if found is None else int(found[0])
    size = labels.where(F.col("cluster_id") == cid).count() or 1
    sample = [r[0] for r in (labels.where(F.col("cluster_id") == cid)
                             .join(spark.table("chain_addresses"), "address_id")
                             .orderBy("address_id").select("address").limit(10).collect())] or [address]
    return {"address": address, "cluster_id": cid, "size": size, "sample_addresses": sample, "run": info}
