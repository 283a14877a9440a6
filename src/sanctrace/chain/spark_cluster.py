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
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sanctrace.chain.change import change_edges_sql
from sanctrace.chain.cluster import ClusterConfig
from sanctrace.chain.coinjoin import coinjoin_sql
from sanctrace.chain.spark_tables import CLUSTER_TABLES, views_from_warehouse
from sanctrace.config import Settings
from sanctrace.errors import EngineError

# the columns of chain_cluster_witness
WITNESS_SCHEMA = "a BIGINT, b BIGINT, tx_id BIGINT, heuristic STRING, confidence DOUBLE"


def cluster_edges(spark_engine: Any, config: ClusterConfig) -> Any:
    """Edges of all enabled heuristics as a DataFrame ``(kind, tx_id, vin, src, dst, heuristic,
    confidence)`` (views must be registered). ``kind`` 0 = multi-input, 1 = change; with ``tx_id``
    and ``vin`` it orders the edges the way the DuckDB union-find consumes them. Registers the
    detected CoinJoins as the view ``chain_coinjoin_txs``."""
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
        inputs = (spark.table("chain_inputs").where(F.col("address_id").isNotNull())
                  .select("tx_id", "vin", "address_id"))
        if cj is not None:
            inputs = inputs.join(cj.select("tx_id"), "tx_id", "left_anti")
        first = inputs.groupBy("tx_id").agg(F.min("address_id").alias("src"))
        parts.append(inputs.join(first, "tx_id").where(F.col("address_id") != F.col("src"))
                     .select(F.lit(0).alias("kind"), "tx_id", F.col("vin").cast("bigint").alias("vin"), "src",
                             F.col("address_id").alias("dst"), F.lit("multi_input").alias("heuristic"),
                             F.lit(1.0).cast("double").alias("confidence")))
    if config.change:
        change = spark_engine._sql(change_edges_sql(0, config.change, config.min_change_confidence), None)
        parts.append(change.select(F.lit(1).alias("kind"), "tx_id", F.lit(0).cast("bigint").alias("vin"), "src",
                                   "dst", F.col("heuristic").cast("string").alias("heuristic"),
                                   F.col("confidence").cast("double").alias("confidence")))
    if not parts:
        return spark.createDataFrame([], "kind INT, tx_id BIGINT, vin BIGINT, src BIGINT, dst BIGINT, "
                                         "heuristic STRING, confidence DOUBLE")
    edges = parts[0]
    for extra in parts[1:]:
        edges = edges.unionByName(extra)
    return edges


def _forest_of_partition(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The merging edges of one partition's edges, taken in the order they arrive (runs on the
    executors). A partition holds whole clusters, so this equals the global union-find's choice."""
    from sanctrace.chain.cluster_kernels import union_edges

    table = pa.Table.from_batches(list(batches))
    if not table.num_rows:
        return
    src = np.asarray(table.column("src").to_numpy(), dtype=np.int64)
    dst = np.asarray(table.column("dst").to_numpy(), dtype=np.int64)
    nodes, local = np.unique(np.concatenate([src, dst]), return_inverse=True)
    parent = np.arange(len(nodes), dtype=np.int64)
    merged = union_edges(parent, local[: len(src)].astype(np.int64), local[len(src):].astype(np.int64))
    kept = table.filter(pa.array(merged))
    out = pa.table({"a": kept.column("src"), "b": kept.column("dst"), "tx_id": kept.column("tx_id"),
                    "heuristic": kept.column("heuristic"), "confidence": kept.column("confidence")})
    yield from out.to_batches(max_chunksize=65_536)


def witness_forest(edges: Any, labels: Any, partitions: int) -> Any:
    """``chain_cluster_witness`` rows on Spark: per cluster, the edges that merged two parts of it
    when the edges are taken in DuckDB's order (multi-input by transaction and input index, then
    change edges). Edges are partitioned by cluster, sorted within the partition and run through
    the compiled union-find in an Arrow UDF, so no cluster needs more than one executor's memory
    and the result is the spanning forest ``chain why`` walks."""
    from pyspark.sql import functions as F

    keyed = edges.join(labels.select(F.col("address_id").alias("src"), "cluster_id"), "src")
    ordered = (keyed.repartition(partitions, "cluster_id")
               .sortWithinPartitions("kind", "tx_id", "vin", "src", "dst", "heuristic"))
    return ordered.mapInArrow(_forest_of_partition, WITNESS_SCHEMA)


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


@dataclass
class SparkClusters:
    labels: Any            # DataFrame (address_id, cluster_id), cached
    witness: Any           # DataFrame of chain_cluster_witness rows (lazy: computed when written)
    coinjoins: Any         # DataFrame (tx_id, kind) of the excluded CoinJoins
    info: dict[str, Any]


def spark_cluster_run(spark_engine: Any, config: ClusterConfig | None = None, *,
                      checkpoint_dir: str | None = None) -> SparkClusters:
    """Cluster on Spark over the registered chain views: labels, merge witnesses, CoinJoins."""
    config = config or ClusterConfig()
    started = time.perf_counter()
    edges = cluster_edges(spark_engine, config).persist()
    directory = checkpoint_dir or tempfile.mkdtemp(prefix="sanctrace-spark-ckpt-")
    labels, rounds = connected_components(spark_engine.spark, edges.select("src", "dst"), directory)
    labels = labels.cache()
    info = {"engine": "spark", "rounds": rounds, "addresses_in_clusters": labels.count(),
            "clusters": labels.select("cluster_id").distinct().count(),
            "seconds": round(time.perf_counter() - started, 3)}
    partitions = int(spark_engine.spark.conf.get("spark.sql.shuffle.partitions"))
    forest = witness_forest(edges, labels, partitions)
    return SparkClusters(labels, forest, spark_engine.spark.table("chain_coinjoin_txs"), info)


def spark_cluster(spark_engine: Any, config: ClusterConfig | None = None, *,
                  checkpoint_dir: str | None = None) -> tuple[Any, dict[str, Any]]:
    """Cluster on Spark over the registered chain views. Returns (labels DataFrame, run info)."""
    run = spark_cluster_run(spark_engine, config, checkpoint_dir=checkpoint_dir)
    return run.labels, run.info


def spark_cluster_summary(spark_engine: Any, settings: Settings, config: ClusterConfig,
                          address: str | None) -> dict[str, Any]:
    """``sanctrace --engine spark chain cluster``: cluster, write Parquet, describe one address."""
    from pyspark.sql import functions as F

    views_from_warehouse(spark_engine, settings, CLUSTER_TABLES)
    warehouse = Path(settings.spark_warehouse)
    run = spark_cluster_run(spark_engine, config, checkpoint_dir=str(warehouse / "_checkpoints"))
    labels, info = run.labels, run.info
    target = warehouse / "chain_clusters"
    labels.write.mode("overwrite").parquet(str(target))
    run.witness.write.mode("overwrite").parquet(str(warehouse / "chain_cluster_witness"))
    labels.createOrReplaceTempView("chain_clusters")
    info["written"] = [str(target), str(warehouse / "chain_cluster_witness")]
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
