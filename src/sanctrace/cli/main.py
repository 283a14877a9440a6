"""The ``sanctrace`` command: global options, sub-command registration and the error boundary.

Exit codes (stable contract): 0 ok, 1 user error (one line on stderr, no traceback), 2 usage.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from sanctrace import __version__
from sanctrace.cli import (
    audit,
    cases,
    chain,
    chain_analysis,
    decide,
    demo,
    ledger,
    lists,
    network,
    ownership,
    parties,
    reports,
    rules,
    run,
    screen,
    serve,
)
from sanctrace.cli.context import AppContext
from sanctrace.config import Settings
from sanctrace.errors import SanctraceError

app = typer.Typer(
    name="sanctrace",
    help="Sanctions enforcement for crypto exchanges: screen, unmask, trace, decide and report.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"sanctrace {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        Path | None, typer.Option("--db", help="DuckDB database file (env SANCTRACE_DB).")
    ] = None,
    engine: Annotated[
        str | None, typer.Option("--engine", help="duckdb (default) or spark (env SANCTRACE_ENGINE).")
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")
    ] = False,
) -> None:
    overrides: dict[str, Any] = {}
    if db is not None:
        overrides["db"] = db
    if engine is not None:
        if engine not in ("duckdb", "spark"):
            raise typer.BadParameter("must be duckdb or spark", param_hint="--engine")
        overrides["engine"] = engine
    context = AppContext(Settings(**overrides))
    ctx.obj = context
    ctx.call_on_close(context.close)


for module in (
    lists, screen, chain, chain_analysis, parties, ownership, network, ledger, rules, decide, cases, audit,
    reports, demo, run, serve,
):
    module.register(app)


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point: run the app and turn user errors into exit code 1.

    Click's standalone mode already maps usage errors to exit 2 and closes quietly on a broken
    pipe; everything of ours that a user can cause is a SanctraceError, mapped here.
    """
    try:
        app(args=argv, standalone_mode=True)
    except SanctraceError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        sys.exit(1)
    except BrokenPipeError:
        # The reader (head, less) went away: stop quietly, as Unix tools do.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(0)


if __name__ == "__main__":
    main()
