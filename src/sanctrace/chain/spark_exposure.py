"""Backward haircut exposure on Spark, for many deposits at once (a nightly re-scoring job).

The DuckDB path walks cached CSR arrays one deposit at a time; on Spark the same walk is a
loop over hops of DataFrame joins carrying ``(start, tx, weight)`` rows for all deposits
together: join the frontier to the inputs, split each weight over the inputs in proportion to
their values, stop at tagged addresses / coinbases / unknown spends / hubs / tiny shares, and
sum what continues per ``(start, previous tx)``. The stopping rules and the address→entity
choice (best own tag, else the cluster's best cluster-defining tag) mirror :mod:`graph` and
:mod:`trace_kernels`, so the shares equal DuckDB's (parity tests compare them).
"""

from __future__ import annotations

from typing import Any

from sanctrace.chain.spark_tables import views_from_warehouse
from sanctrace.config import Settings
from sanctrace.errors import NotFound


def _address_entities(spark: Any) -> Any:
    """address_id → (category, entity, sanctioned, nexus), as ``graph._entities`` chooses them."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    schema = "address_id BIGINT, category STRING, entity STRING, sanctioned BOOLEAN, nexus BOOLEAN"
    if not spark.catalog.tableExists("chain_tags"):
        return spark.createDataFrame([], schema)
    tags = spark.table("chain_tags").join(spark.table("chain_addresses").select("address", "address_id"), "address")
    has_clusters = spark.catalog.tableExists("chain_clusters")
    if has_clusters:
        tags = tags.join(spark.table("chain_clusters"), "address_id", "left")
        tags = tags.withColumn("cluster_id", F.coalesce("cluster_id", "address_id"))
    tags = tags.select(
        "address_id", *(["cluster_id"] if has_clusters else []),
        F.coalesce("category", F.lit("unknown")).alias("category"),
        F.coalesce("entity", "label", F.lit("")).alias("entity"),
        F.coalesce("sanctioned", F.lit(False)).alias("sanctioned"),
        F.coalesce("russia_mining_nexus", F.lit(False)).alias("nexus"),
        "confidence", F.coalesce("cluster_definer", F.lit(False)).alias("cluster_definer"), "label",
    )
    order = [F.desc("sanctioned"), F.desc("confidence"), F.desc("cluster_definer"), F.asc("entity"),
             F.asc_nulls_last("label")]
    cols = ["category", "entity", "sanctioned", "nexus"]
    own = (tags.withColumn("r", F.row_number().over(Window.partitionBy("address_id").orderBy(*order)))
           .where("r = 1").select("address_id", *cols))
    if not has_clusters:
        return own
    definer = (tags.where("cluster_definer")
               .withColumn("r", F.row_number().over(Window.partitionBy("cluster_id").orderBy(
                   *order, F.asc("address_id"))))
               .where("r = 1").select("cluster_id", *cols))
    members = spark.table("chain_clusters").select("address_id", "cluster_id").unionByName(
        definer.select(F.col("cluster_id").alias("address_id"), "cluster_id"))
    inherited = members.join(definer, "cluster_id").select("address_id", *cols).dropDuplicates(["address_id"])
    return own.unionByName(inherited.join(own.select("address_id"), "address_id", "left_anti"))


def spark_exposures(spark_engine: Any, starts: list[tuple[int, int]], *, hops: int = 7, min_share: float = 1e-4,
                    hub_cap: int = 1000) -> dict[tuple[int, int], dict[tuple[str, str], float]]:
    """Backward haircut shares per ``(tx_id, vout)`` start, keyed by ``(category, entity)``."""
    from pyspark.sql import functions as F

    spark = spark_engine.spark
    rows = [(i, int(t), int(v)) for i, (t, v) in enumerate(starts)]
    start_df = spark.createDataFrame(rows, "sid INT, tx_id BIGINT, vout BIGINT")
    inputs = spark.table("chain_inputs").select("tx_id", "prev_tx_id", "value", "address_id")
    totals = inputs.groupBy("tx_id").agg(F.sum(F.coalesce("value", F.lit(0))).alias("total"),
                                         F.count(F.lit(1)).alias("n_in"))
    txs = spark.table("chain_txs").select("tx_id", "is_coinbase", "block_id")
    if spark.catalog.tableExists("chain_block_pools"):
        txs = txs.join(spark.table("chain_block_pools").select("block_id", "pool"), "block_id", "left")
    else:
        txs = txs.withColumn("pool", F.lit(None).cast("string"))
    prev = txs.select(F.col("tx_id").alias("prev_tx_id"), F.col("is_coinbase").alias("prev_cb"),
                      F.col("pool").alias("prev_pool"))
    entities = _address_entities(spark).cache()

    start_tx = start_df.join(txs, "tx_id")
    terminals = [start_tx.where("is_coinbase").select(
        "sid", F.lit("coinbase").alias("category"), F.coalesce("pool", F.lit("unknown pool")).alias("entity"),
        F.lit(1.0).alias("share"))]
    frontier = start_tx.where("NOT is_coinbase").select("sid", "tx_id", F.lit(1.0).alias("w"))
    for _hop in range(1, hops + 1):
        f = frontier.join(totals, "tx_id", "left")
        terminals.append(f.where(F.col("n_in") > hub_cap).select(
            "sid", F.lit("hub").alias("category"), F.lit("").alias("entity"), F.col("w").alias("share")))
        terminals.append(f.where((F.col("n_in") <= hub_cap) & ~(F.coalesce("total", F.lit(0)) > 0)).select(
            "sid", F.lit("unknown_source").alias("category"), F.lit("").alias("entity"), F.col("w").alias("share")))
        e = (f.where((F.col("n_in") <= hub_cap) & (F.col("total") > 0))
             .join(inputs, "tx_id").where(F.col("value") > 0)
             .withColumn("share", F.col("w") * F.col("value") / F.col("total"))
             .join(prev, "prev_tx_id", "left").join(entities, "address_id", "left"))
        is_cb = F.coalesce("prev_cb", F.lit(False)) & (F.col("prev_pool").isNotNull() | F.col("entity").isNull())
        kind = (F.when(is_cb, F.lit("cb"))
                .when(F.col("entity").isNotNull(), F.lit("entity"))
                .when(F.col("prev_tx_id").isNull(), F.lit("unknown_source"))
                .when(F.col("share") < min_share, F.lit("below_threshold"))
                .otherwise(F.lit("go")))
        e = e.withColumn("kind", kind).localCheckpoint()
        terminals.append(e.where("kind <> 'go'").select(
            "sid",
            F.when(F.col("kind") == "cb", F.lit("coinbase")).when(F.col("kind") == "entity", F.col("category"))
             .otherwise(F.col("kind")).alias("category"),
            F.when(F.col("kind") == "cb", F.coalesce("prev_pool", F.lit("unknown pool")))
             .when(F.col("kind") == "entity", F.col("entity")).otherwise(F.lit("")).alias("entity"),
            "share"))
        frontier = (e.where("kind = 'go'").groupBy("sid", F.col("prev_tx_id").alias("tx_id"))
                    .agg(F.sum("share").alias("w")).localCheckpoint())
    terminals.append(frontier.select("sid", F.lit("unattributed").alias("category"), F.lit("").alias("entity"),
                                     F.col("w").alias("share")))
    union = terminals[0]
    for part in terminals[1:]:
        union = union.unionByName(part)
    result: dict[tuple[int, int], dict[tuple[str, str], float]] = {(int(t), int(v)): {} for t, v in starts}
    for sid, category, entity, share in union.groupBy("sid", "category", "entity").agg(
            F.sum("share").alias("share")).collect():
        key = (int(starts[sid][0]), int(starts[sid][1]))
        result[key][(str(category), str(entity))] = float(share)
    entities.unpersist()
    return result


def spark_exposure_cli(spark_engine: Any, settings: Settings, txid: str, vout: int, hops: int) -> dict[str, Any]:
    """``sanctrace --engine spark chain exposure TXID:VOUT``."""
    from pyspark.sql import functions as F

    views_from_warehouse(spark_engine, settings, ("chain_txs", "chain_inputs", "chain_outputs",
                                                   "chain_addresses", "chain_tags", "chain_block_pools",
                                                   "chain_clusters"))
    row = spark_engine.spark.table("chain_txs").where(F.col("txid") == txid.lower()).select("tx_id").first()
    if row is None:
        raise NotFound(f"transaction {txid}: not stored")
    shares = spark_exposures(spark_engine, [(int(row[0]), vout)], hops=hops)[(int(row[0]), vout)]
    breakdown = [{"category": c, "entity": e, "share": round(s, 6)}
                 for (c, e), s in sorted(shares.items(), key=lambda kv: -kv[1])]
    return {"txid": txid.lower(), "vout": vout, "hops": hops, "method": "haircut", "engine": "spark",
            "breakdown": breakdown}
