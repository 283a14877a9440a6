"""CLI for `sanctrace parties` (thin: parses options, calls the capability package, prints)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from sanctrace.cli.context import app_context
from sanctrace.cli.io import emit, print_table, to_jsonable

parties_app = typer.Typer(help="The exchange's parties and their relations: load, show, stats.",
                          no_args_is_help=True)

FormatOpt = Annotated[str, typer.Option("--format", "-f", help="json or table.")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Relations in force on this ISO date (default today).")]


def _check_format(fmt: str) -> str:
    if fmt not in ("json", "table"):
        raise typer.BadParameter("must be json or table", param_hint="--format")
    return fmt


def _summary(summary: Any) -> dict[str, Any]:
    return {"files": summary.files, "parties": summary.parties, "relations": summary.relations,
            "warnings": to_jsonable(summary.warnings)}


@parties_app.command("load")
def load(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="parties.csv / relations.csv, FtM .jsonl or BODS .json.")],
    input_type: Annotated[str | None, typer.Option("--type", help="csv, ftm or bods (default: detect).")] = None,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "table",
) -> None:
    """Load party files in one transaction (reloading a file replaces its parties; nothing is
    half-written on error). See docs/parties-csv.md for the CSV layout."""
    from sanctrace.ownership.loaders import load_paths

    _check_format(fmt)
    summary = load_paths(app_context(ctx).engine, list(paths), fmt=input_type, as_of=as_of)
    if fmt == "json":
        emit(_summary(summary), "json")
        return
    typer.echo(f"loaded {summary.parties} parties and {summary.relations} relations from "
               f"{len(summary.files)} file(s)")
    for w in summary.warnings:
        typer.echo(f"warning: {w.file}: {w.record}: {w.problem}", err=True)


@parties_app.command("sync-lists")
def sync_lists(ctx: typer.Context, fmt: FormatOpt = "table") -> None:
    """Bring the loaded sanctions-list entries (and their Owned-or-Controlled-By links) into the graph."""
    from sanctrace.ownership.listsync import sync_lists as do_sync

    _check_format(fmt)
    summary = do_sync(app_context(ctx).engine)
    if fmt == "json":
        emit(_summary(summary), "json")
    else:
        typer.echo(f"synced {summary.parties} list parties and {summary.relations} list relations "
                   f"({len(summary.warnings)} warnings)")


@parties_app.command("link")
def link(
    ctx: typer.Context,
    threshold: Annotated[float, typer.Option("--threshold", help="Splink match probability.")] = 0.9,
    backend: Annotated[str, typer.Option("--splink-backend", help="duckdb (default) or spark.")] = "duckdb",
    fmt: FormatOpt = "table",
) -> None:
    """Find the same identity under different spellings with Splink (parties stay in the database;
    --splink-backend spark runs the comparisons on Spark, master from SANCTRACE_SPARK_MASTER)."""
    from sanctrace.ownership.linking import link_parties

    _check_format(fmt)
    if backend not in ("duckdb", "spark"):
        raise typer.BadParameter("must be duckdb or spark", param_hint="--splink-backend")
    ac = app_context(ctx)
    spark = None
    if backend == "spark":
        from sanctrace.engine.spark_engine import spark_session

        spark = spark_session(ac.settings.spark_master, ac.settings.spark_conf)
    count = link_parties(ac.engine, threshold=threshold, backend=backend, spark=spark)
    if fmt == "json":
        emit({"links": count, "threshold": threshold, "backend": backend}, "json")
    else:
        typer.echo(f"{count} same-identity links at p >= {threshold}")


@parties_app.command("screen")
def screen(
    ctx: typer.Context,
    threshold: Annotated[float, typer.Option("--threshold", help="Screening score to link.")] = 0.85,
    fmt: FormatOpt = "table",
) -> None:
    """Link parties to list entries through screening (a matched owner counts as listed)."""
    from sanctrace.ownership.screenlink import link_screening

    _check_format(fmt)
    count = link_screening(app_context(ctx).engine, threshold=threshold)
    if fmt == "json":
        emit({"links": count, "threshold": threshold}, "json")
    else:
        typer.echo(f"{count} parties linked to list entries at score >= {threshold}")


@parties_app.command("show")
def show(ctx: typer.Context, party_id: Annotated[str, typer.Argument(help="Party id.")],
         fmt: FormatOpt = "json") -> None:
    """One party with its names, identifiers, keys, listings and relations."""
    from sanctrace.ownership.store import describe

    _check_format(fmt)
    emit(describe(app_context(ctx).engine, party_id), fmt)


@parties_app.command("stats")
def stats(ctx: typer.Context, fmt: FormatOpt = "table") -> None:
    """Counts of parties by kind, relations by type, listings by regime."""
    from sanctrace.ownership.store import stats as party_stats

    _check_format(fmt)
    result = party_stats(app_context(ctx).engine)
    if fmt == "json":
        emit(result, "json")
    else:
        print_table(result, title="parties")


def register(root: typer.Typer) -> None:
    root.add_typer(parties_app, name="parties")
