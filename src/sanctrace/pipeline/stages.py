"""The stages of ``sanctrace run``, in order, each a thin call into a capability package.

    lists      shipped OFAC snapshot + DIR/lists/*            → list snapshots
    parties    DIR/parties/*.csv|jsonl|json                  → parties, relations (+ list parties)
    screening  customers and owners vs. the lists             → party ↔ list-entry links
    ownership  OFAC / JP regimes over the party graph         → ownership verdicts
    chain      DIR/chain/blk*.dat                             → blocks, txs, linked inputs
    tags       DIR/tags/* (pools, TagPacks, CSV) + list XBT   → address tags, pool rules
    attribute  blocks → mining pools; clusters (multi-input)  → chain_block_pools, chain_clusters
    ledger     DIR/ledger/*.csv|parquet                       → ledger events
    signals    screening, ownership and chain → per-customer/address/deposit signal tables
    rules      the shipped mission rule pack                  → alerts, grouped into cases
    reports    investigation report of the top case, information-request package
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sanctrace.pipeline.runner import Stage, StageContext


def _files(directory: Path, *patterns: str) -> list[Path]:
    found: list[Path] = []
    for pattern in patterns:
        found += [p for p in sorted(directory.glob(pattern)) if p.is_file() and p.stat().st_size > 0]
    return found


def _shipped_snapshot() -> Path:
    from sanctrace.demo.generate import snapshot_path

    return snapshot_path()


def _lists_inputs(data: Path) -> list[Path]:
    return [_shipped_snapshot(), *_files(data / "lists", "*")]


def _lists(ctx: StageContext) -> dict[str, Any]:
    from sanctrace.lists.store import list_version, load_paths

    infos = load_paths(ctx.engine, _lists_inputs(ctx.data_dir))
    return {"snapshots": len(infos), "entries": sum(i.entry_count for i in infos),
            "list_version": list_version(ctx.engine)}


def _party_inputs(data: Path) -> list[Path]:
    return _files(data / "parties", "*.csv", "*.jsonl", "*.json")


def _parties(ctx: StageContext) -> dict[str, Any]:
    from sanctrace.ownership.listsync import sync_lists
    from sanctrace.ownership.loaders import load_paths

    paths = _party_inputs(ctx.data_dir)
    if not paths:
        return {"_status": "skipped: no files in parties/"}
    loaded = load_paths(ctx.engine, paths)
    synced = sync_lists(ctx.engine)
    return {"parties": loaded.parties, "relations": loaded.relations, "list_parties": synced.parties,
            "list_relations": synced.relations, "warnings": len(loaded.warnings) + len(synced.warnings)}


def _screening(ctx: StageContext) -> dict[str, Any]:
    from sanctrace.ownership.screenlink import link_screening

    return {"linked_to_list_entries": link_screening(ctx.engine, threshold=0.85)}


def _ownership(ctx: StageContext) -> dict[str, Any]:
    from sanctrace.ownership import verdicts

    # Verdicts with their path evidence for the exchange's customers (list-side parties are only
    # owners in the graph; the fixed point still covers all of them).
    customers = [r[0] for r in ctx.engine.query("SELECT party_id FROM parties WHERE is_customer ORDER BY 1")]
    out: dict[str, Any] = {"customers": len(customers)}
    for regime in ("ofac", "jp"):
        found = verdicts(ctx.engine, regime, party_ids=customers)
        out[regime] = dict(Counter(v.status for v in found.values()))
    return out


def _chain_inputs(data: Path) -> list[Path]:
    return _files(data / "chain", "blk*.dat", "*.raw", "*.hex", "*.json")


def _chain(ctx: StageContext) -> dict[str, Any]:
    from sanctrace.chain.ingest import ingest_paths

    paths = _chain_inputs(ctx.data_dir)
    if not paths:
        return {"_status": "skipped: no block files in chain/"}
    total = sum(p.stat().st_size for p in paths)
    done = [0]

    def advance(n: int) -> None:
        done[0] += n
        ctx.progress("chain ingest", done[0], total)

    report = ingest_paths(ctx.engine, paths, progress=advance)
    return {k: v for k, v in vars(report).items() if k not in ("sources", "index_build_s", "finish_s")}


def _tag_inputs(data: Path) -> list[Path]:
    return _files(data / "tags", "*.json", "*.yaml", "*.yml", "*.csv", "*.txt")


def _tags(ctx: StageContext) -> dict[str, Any]:
    from sanctrace.chain.attribution import load_pool_rules
    from sanctrace.chain.pools import is_pool_file
    from sanctrace.chain.tags import load_tag_files

    paths = _tag_inputs(ctx.data_dir)
    counts = load_tag_files(ctx.engine, paths, include_lists=True)
    pool_files = [p for p in paths if is_pool_file(p)]
    if pool_files:
        counts["pool_rules"] = load_pool_rules(ctx.engine, pool_files)
    return {"loaded": counts}


def _attribute(ctx: StageContext) -> dict[str, Any]:
    from sanctrace.chain.attribution import attribute_blocks
    from sanctrace.chain.cluster import ClusterConfig, cluster_addresses

    if not ctx.engine.table_exists("chain_blocks"):
        return {"_status": "skipped: no chain ingested"}
    attributed = attribute_blocks(ctx.engine) if ctx.engine.table_exists("chain_pool_rules") else 0
    if getattr(ctx.settings, "engine", "duckdb") == "spark":
        return {"blocks_attributed": attributed, **_cluster_on_spark(ctx)}
    run = cluster_addresses(ctx.engine, ClusterConfig())
    return {"blocks_attributed": attributed, "clusters": getattr(run, "clusters", None),
            "new_txs": getattr(run, "new_txs", None)}


def _cluster_on_spark(ctx: StageContext) -> dict[str, Any]:
    """Connected components on Spark (the scale-out path for a large world): labels, merge witnesses
    and CoinJoins written back into the DuckDB store that cases, rules, ``chain why`` and the API read,
    with the clustering state, so later blocks cluster incrementally on DuckDB from there. Cluster ids
    and witnesses are those a DuckDB rebuild writes (smallest address id; the same spanning forest).

    The tables go to Spark, and the labels come back, as Parquet files: a 10M-transaction chain
    sent through the driver as one Arrow stream does not fit in its heap."""
    import shutil
    import tempfile

    from sanctrace.chain.cluster import ClusterConfig, ensure_tables, record_state
    from sanctrace.chain.spark_cluster import spark_cluster_run
    from sanctrace.chain.spark_tables import CLUSTER_TABLES, OPTIONAL_TABLES
    from sanctrace.engine.spark_engine import SparkEngine

    spark_engine = SparkEngine(ctx.settings)
    db = Path(str(ctx.settings.db))
    work = Path(tempfile.mkdtemp(prefix=".sanctrace-spark-", dir=db.parent if db.parent.exists() else None))
    try:
        for name in CLUSTER_TABLES + OPTIONAL_TABLES[:2]:
            if ctx.engine.table_exists(name):
                ctx.engine.execute(f"COPY (SELECT * FROM {name}) TO '{work / name}' "
                                   "(FORMAT parquet, PER_THREAD_OUTPUT true)")
                spark_engine.spark.read.parquet(str(work / name)).createOrReplaceTempView(name)
        config = ClusterConfig()
        run = spark_cluster_run(spark_engine, config, checkpoint_dir=str(work / "_checkpoints"))
        info = run.info
        run.labels.write.mode("overwrite").parquet(str(work / "labels"))
        run.witness.write.mode("overwrite").parquet(str(work / "witness"))
        run.coinjoins.write.mode("overwrite").parquet(str(work / "coinjoins"))
        run.labels.unpersist()
        ensure_tables(ctx.engine)
        with ctx.engine.transaction():
            for table, part, cols in (("chain_clusters", "labels", "address_id, cluster_id"),
                                      ("chain_cluster_witness", "witness", "a, b, tx_id, heuristic, confidence"),
                                      ("chain_coinjoin_txs", "coinjoins", "tx_id, kind")):
                ctx.engine.execute(f"DELETE FROM {table}")
                ctx.engine.execute(f"INSERT INTO {table} SELECT {cols} FROM read_parquet('{work / part}/*.parquet')")
            # the state a DuckDB rebuild leaves: the next `chain cluster` continues from here
            record_state(ctx.engine, config, int(ctx.engine.scalar("SELECT coalesce(max(tx_id), 0) FROM chain_txs")))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return {"engine": "spark", "clusters": info["clusters"], "rounds": info["rounds"],
            "addresses_in_clusters": info["addresses_in_clusters"]}


def _ledger_inputs(data: Path) -> list[Path]:
    return _files(data / "ledger", "*.csv", "*.parquet")


def _ledger(ctx: StageContext) -> dict[str, Any]:
    from sanctrace.monitoring.ledger import load_ledger

    paths = _ledger_inputs(ctx.data_dir)
    if not paths:
        return {"_status": "skipped: no files in ledger/"}
    report = load_ledger(ctx.engine, [str(p) for p in paths])
    return {"inserted": sum(r.inserted for r in report), "skipped_existing": sum(r.skipped_existing for r in report)}


def _signals(ctx: StageContext) -> dict[str, Any]:
    from sanctrace.monitoring.signals import refresh_signals

    report = refresh_signals(ctx.engine, ctx.settings, regimes=("ofac", "jp"), hops=3,
                             parts=("customers", "addresses", "deposits"), rebuild=False)
    return {"customers": report.customers, "addresses": report.addresses, "deposits": report.deposits,
            "skipped": report.skipped}


def _rules(ctx: StageContext) -> dict[str, Any]:
    from sanctrace.monitoring.rules.evaluate import record_hits, run_ruleset
    from sanctrace.monitoring.rules.ruleset import load_ruleset

    ruleset = load_ruleset("mission")
    hits = run_ruleset(ctx.engine, ruleset, None, None)
    new = record_hits(ctx.engine, ruleset, hits)
    cases = int(ctx.engine.scalar("SELECT count(*) FROM cases") or 0) if ctx.engine.table_exists("cases") else 0
    return {"hits": len(hits), "new_alerts": len(new), "cases": cases,
            "per_rule": dict(Counter(h.rule.id for h in hits))}


def top_case(ctx: StageContext) -> str | None:
    """The case an investigator should open first: most severe, then highest score, then most alerts."""
    if not ctx.engine.table_exists("cases"):
        return None
    row = ctx.engine.query_one(
        """SELECT c.case_id FROM cases c LEFT JOIN alerts a USING (case_id)
           GROUP BY c.case_id, c.severity, c.score, c.case_num
           ORDER BY CASE c.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END,
                    count(DISTINCT a.rule_id) DESC, c.score DESC, c.case_num
           LIMIT 1""")
    return None if row is None else str(row[0])


def _reports(ctx: StageContext) -> dict[str, Any]:
    from sanctrace.cases.audit import AuditLog
    from sanctrace.reports.info_request import Period, write_package
    from sanctrace.reports.investigation import render_html, view

    out: dict[str, Any] = {}
    ctx.out_dir.mkdir(parents=True, exist_ok=True)
    case_id = top_case(ctx)
    if case_id is not None:
        html_path = ctx.out_dir / f"investigation_{case_id}.html"
        html_path.write_text(render_html(view(ctx.engine, case_id)), encoding="utf-8")
        out["top_case"] = case_id
        out["investigation_report"] = str(html_path)
    span = ctx.engine.query_one("SELECT min(ts), max(ts) FROM ledger_events") \
        if ctx.engine.table_exists("ledger_events") else None
    if span and span[0] is not None:
        start: datetime = span[0]
        end: datetime = span[1] + timedelta(seconds=1)
        package = ctx.out_dir / "info_request"
        if package.exists():
            import shutil

            shutil.rmtree(package)
        manifest = write_package(ctx.engine, Period(start, end), package, requested_by="sanctrace run",
                                 reference="demo-request")
        AuditLog(ctx.engine).append("sanctrace-run", "report.info_request", "report", str(package),
                                    {"period": manifest["period"], "files": manifest["files"]})
        out["info_request_package"] = str(package)
    return out


STAGES: tuple[Stage, ...] = (
    Stage("lists", "load the sanctions lists", _lists_inputs, _lists),
    Stage("parties", "load customers, companies and relations", _party_inputs, _parties, after=("lists",)),
    Stage("screening", "screen parties against the lists", lambda d: [], _screening, after=("parties",)),
    Stage("ownership", "OFAC 50% rule and Japanese beneficial owners", lambda d: [], _ownership,
          after=("screening",)),
    Stage("chain", "ingest Bitcoin blocks", _chain_inputs, _chain),
    Stage("tags", "load pool files and address tags", _tag_inputs, _tags, after=("lists",)),
    Stage("attribute", "attribute pools and cluster addresses", lambda d: [], _attribute, after=("chain", "tags")),
    Stage("ledger", "load the exchange ledger", _ledger_inputs, _ledger),
    Stage("signals", "screening, ownership and chain exposure signals", lambda d: [], _signals,
          after=("ownership", "attribute", "ledger")),
    Stage("rules", "apply the mission rule pack; alerts and cases", lambda d: [], _rules, after=("signals",)),
    Stage("reports", "investigation report and information-request package", lambda d: [], _reports,
          after=("rules",)),
)
