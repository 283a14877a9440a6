"""CLI for `sanctrace ledger` (thin: parses options, calls the capability package, prints)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from sanctrace.cli.context import app_context
from sanctrace.cli.io import emit

app = typer.Typer(
    help="The exchange ledger: accounts, deposits, withdrawals, trades, fiat, logins, Travel Rule.",
    no_args_is_help=True,
)


@app.command("load")
def load(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="CSV or Parquet files, one event kind per file.")],
    fmt: Annotated[str, typer.Option("--format", help="json or table")] = "json",
) -> None:
    """Load ledger files (all or nothing; rows already loaded are skipped)."""
    from sanctrace.monitoring.ledger import load_ledger

    ac = app_context(ctx)
    emit(load_ledger(ac.engine, [str(p) for p in paths]), fmt)


@app.command("stats")
def stats(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="json or table")] = "json",
) -> None:
    """Accounts and events per kind, and the covered time range."""
    from sanctrace.monitoring.ledger import ledger_stats

    emit(ledger_stats(app_context(ctx).engine), fmt)


def register(root: typer.Typer) -> None:
    """Attach this module's commands to the root app."""
    root.add_typer(app, name="ledger")
