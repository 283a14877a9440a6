"""CLI for `sanctrace network` (thin: parses options, calls the capability package, prints)."""

from __future__ import annotations

from typing import Annotated

import typer

from sanctrace.cli.context import app_context
from sanctrace.cli.io import emit, print_table

network_app = typer.Typer(help="Networks of parties linked by shared attributes, relations and identity.",
                          no_args_is_help=True)


@network_app.command("show")
def show(
    ctx: typer.Context,
    party_id: Annotated[str, typer.Argument(help="Party id.")],
    hops: Annotated[int, typer.Option("--hops", help="Links away from the party.")] = 2,
    cap: Annotated[int, typer.Option("--cap", help="Values held by more parties than this do not link.")] = 10,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Relations in force on this ISO date.")] = None,
    fmt: Annotated[str, typer.Option("--format", "-f", help="json or table.")] = "json",
) -> None:
    """The network around a party, with the evidence of every edge."""
    from sanctrace.ownership.networks import show as network_show

    if fmt not in ("json", "table"):
        raise typer.BadParameter("must be json or table", param_hint="--format")
    if hops < 0 or cap < 1:
        raise typer.BadParameter("hops must be >= 0 and cap >= 1")
    result = network_show(app_context(ctx).engine, party_id, hops=hops, cap=cap, as_of=as_of)
    if fmt == "json":
        emit(result, "json")
    else:
        print_table(result["nodes"], title=f"network of {party_id}")
        print_table(result["edges"], title="evidence")


def register(root: typer.Typer) -> None:
    root.add_typer(network_app, name="network")
