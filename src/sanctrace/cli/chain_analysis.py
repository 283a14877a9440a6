"""CLI for `sanctrace chain` analysis commands (tags, attribute, cluster, why, trace, exposure),
attached to ``chain_app``. Thin: parse options, call the capability, print the result."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from sanctrace.cli.chain import chain_app
from sanctrace.cli.context import app_context
from sanctrace.cli.io import dumps, emit, open_output
from sanctrace.errors import InputError

tags_app = typer.Typer(help="Address tags: TagPacks, ActorPacks, pool files, OFAC lists, your CSV.",
                       no_args_is_help=True)
chain_app.add_typer(tags_app, name="tags")

FormatOpt = Annotated[str, typer.Option("--format", help="json or table")]


def register(root: typer.Typer) -> None:
    """Commands attach to ``sanctrace.cli.chain.chain_app`` when this module is imported."""


def _duckdb_only(ctx: typer.Context, what: str) -> Any:
    ac = app_context(ctx)
    if ac.settings.engine != "duckdb":
        raise InputError(f"{what} runs on the DuckDB engine (drop --engine spark)")
    return ac.engine


@tags_app.command("load")
def tags_load(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="TagPack/ActorPack YAML, pool JSON, OFAC list, CSV.")],
    lists: Annotated[bool, typer.Option("--lists/--no-lists",
                                        help="Also tag the loaded sanctions lists' XBT addresses.")] = True,
    fmt: FormatOpt = "json",
) -> None:
    """Load tag files (idempotent: a reloaded file replaces its tags). Pool files also set pool rules."""
    from sanctrace.chain.attribution import load_pool_rules
    from sanctrace.chain.pools import is_pool_file
    from sanctrace.chain.tags import load_tag_files

    engine = _duckdb_only(ctx, "tags load")
    counts = load_tag_files(engine, paths, include_lists=lists)
    pool_files = [p for p in paths if is_pool_file(p)]
    if pool_files:
        counts["pool_rules"] = load_pool_rules(engine, pool_files)
    summary = engine.query_one(
        "SELECT count(*), count(*) FILTER (WHERE sanctioned), count(*) FILTER (WHERE russia_mining_nexus) "
        "FROM chain_tags"
    )
    assert summary is not None
    emit({"loaded": counts, "tags": summary[0], "sanctioned": summary[1], "russia_mining_nexus": summary[2]}, fmt)


@chain_app.command("attribute")
def attribute(
    ctx: typer.Context,
    pools: Annotated[list[Path] | None, typer.Option("--pools", help="Pool files (first wins ties).")] = None,
    fmt: FormatOpt = "json",
) -> None:
    """Attribute every stored block to its mining pool (payout address, then coinbase tag)."""
    from sanctrace.chain.attribution import attribute_blocks, load_pool_rules

    engine = _duckdb_only(ctx, "attribute")
    if pools:
        load_pool_rules(engine, pools)
    elif not engine.table_exists("chain_pool_rules"):
        raise InputError("no pool rules loaded: give --pools FILE (e.g. mempool pools-v2.json)")
    attributed = attribute_blocks(engine)
    total = int(engine.scalar("SELECT count(*) FROM chain_blocks") or 0) if engine.table_exists("chain_blocks") else 0
    by_pool = engine.query(
        "SELECT pool, method, count(*) AS blocks FROM chain_block_pools GROUP BY ALL ORDER BY blocks DESC, pool"
    )
    emit({"blocks": total, "attributed": attributed, "unknown": total - attributed,
          "by_pool": [{"pool": p, "method": m, "blocks": n} for p, m, n in by_pool]}, fmt)


@chain_app.command("cluster")
def cluster(
    ctx: typer.Context,
    address: Annotated[str | None, typer.Argument(help="Show the cluster of this address.")] = None,
    update: Annotated[bool, typer.Option("--update/--no-update",
                                         help="Bring clusters up to date first (new transactions only).")] = True,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Recluster from scratch.")] = False,
    change: Annotated[str, typer.Option("--change",
                                        help="Change heuristics, comma-separated: one_time,address_type,"
                                             "round_amount,locktime (default none).")] = "",
    coinjoin_exclusion: Annotated[bool, typer.Option("--coinjoin-exclusion/--no-coinjoin-exclusion")] = True,
    min_change_confidence: Annotated[float, typer.Option("--min-change-confidence")] = 0.6,
    sample: Annotated[int, typer.Option("--sample", help="Sample addresses to show.")] = 10,
    fmt: FormatOpt = "json",
) -> None:
    """Cluster addresses (multi-input minus CoinJoins, optional change heuristics); show one cluster."""
    from sanctrace.chain.cluster import ClusterConfig

    ac = app_context(ctx)
    config = ClusterConfig(coinjoin_exclusion=coinjoin_exclusion,
                           change=tuple(h.strip() for h in change.split(",") if h.strip()),
                           min_change_confidence=min_change_confidence)
    if ac.settings.engine == "spark":
        from sanctrace.chain.spark_cluster import spark_cluster_summary

        result = spark_cluster_summary(ac.engine, ac.settings, config, address)
        emit(result, fmt)
        return
    engine = ac.engine
    run_info: dict[str, Any] | None = None
    if update or rebuild or not engine.table_exists("chain_clusters"):
        from sanctrace.chain.cluster import cluster_addresses

        run_info = vars(cluster_addresses(engine, config, rebuild=rebuild))
    if address is None:
        emit({"run": run_info}, fmt)
        return
    from sanctrace.chain.witness import cluster_info

    emit(cluster_info(engine, address, sample=sample), fmt)


@chain_app.command("why")
def why(
    ctx: typer.Context,
    address_a: Annotated[str, typer.Argument(help="First address.")],
    address_b: Annotated[str, typer.Argument(help="Second address.")],
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Print the chain of transactions and heuristics that put two addresses in one cluster."""
    from sanctrace.chain.witness import why as explain

    result = explain(_duckdb_only(ctx, "why"), address_a, address_b)
    if fmt == "json":
        emit(result, "json")
        return
    if not result.linked:
        typer.echo(f"{address_a} and {address_b} are not in the same cluster")
        raise typer.Exit(0)
    typer.echo(f"{address_a} and {address_b} are in cluster {result.cluster_id} "
               f"({len(result.steps)} step(s), confidence {result.confidence:.3f}):")
    for n, step in enumerate(result.steps, 1):
        typer.echo(f"  {n}. {step.from_address} -> {step.to_address}  tx {step.txid}  "
                   f"[{step.heuristic}, {step.confidence:.2f}]")
        typer.echo(f"     {step.explanation}")


@chain_app.command("trace")
def trace(
    ctx: typer.Context,
    start: Annotated[str, typer.Argument(help="TXID[:VOUT] or an address.")],
    direction: Annotated[str, typer.Option("--direction", help="back (source of funds) or forward")] = "back",
    hops: Annotated[int, typer.Option("--hops", help="Transactions to walk (1-50).")] = 5,
    method: Annotated[str, typer.Option("--method", help="poison, haircut or fifo")] = "haircut",
    min_share: Annotated[float, typer.Option("--min-share", help="Stop below this share.")] = 1e-4,
    hub_cap: Annotated[int, typer.Option("--hub-cap", help="Do not expand txs with more inputs/outputs.")] = 1000,
    paths: Annotated[int, typer.Option("--paths", help="Evidence paths to list.")] = 10,
    graph_out: Annotated[str | None, typer.Option("--graph-out",
                                                  help="Write the walked graph (.json or .graphml).")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or text")] = "json",
) -> None:
    """Source of funds / final destination with exposure by category and entity, and evidence paths."""
    from sanctrace.chain.trace import TraceOptions, to_graphml
    from sanctrace.chain.trace import trace as run_trace

    if direction not in ("back", "backward", "forward"):
        raise InputError(f"--direction must be back or forward, not {direction!r}")
    options = TraceOptions(hops=hops, min_share=min_share, hub_cap=hub_cap, top_paths=paths,
                           with_graph=graph_out is not None)
    result = run_trace(_duckdb_only(ctx, "trace"), start, "back" if direction.startswith("back") else "forward",
                       hops, method, options)  # type: ignore[arg-type]
    if graph_out is not None:
        with open_output(graph_out) as out:
            out.write(to_graphml(result) if graph_out.endswith(".graphml") else dumps(result.graph, indent=2))
        result.graph = None
    if fmt == "text":
        typer.echo(f"{result.start}: {result.value_sat} sat, {result.method}, {result.hops} hops {result.direction}")
        for line in result.summary:
            typer.echo(f"  {line}")
        return
    emit(result, "json")


@chain_app.command("exposure")
def exposure_cmd(
    ctx: typer.Context,
    outpoint: Annotated[str, typer.Argument(help="TXID:VOUT of the deposit.")],
    hops: Annotated[int, typer.Option("--hops")] = 7,
    method: Annotated[str, typer.Option("--method", help="haircut, fifo or poison")] = "haircut",
    fmt: FormatOpt = "json",
) -> None:
    """Backward exposure of one deposit: sanctioned, Russian-mining and risky shares with evidence."""
    txid, sep, vout = outpoint.partition(":")
    if not sep or not vout.isdigit():
        raise InputError(f"{outpoint}: expected TXID:VOUT")
    ac = app_context(ctx)
    if ac.settings.engine == "spark":
        from sanctrace.chain.spark_exposure import spark_exposure_cli

        emit(spark_exposure_cli(ac.engine, ac.settings, txid, int(vout), hops), fmt)
        return
    from sanctrace.chain.exposure import exposure

    result = exposure(ac.engine, txid, int(vout), hops=hops, method=method)  # type: ignore[arg-type]
    emit(result, fmt)
    sys.stdout.flush()
