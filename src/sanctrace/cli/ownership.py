"""CLI for `sanctrace ownership` (thin: parses options, calls the capability package, prints)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer

from sanctrace.cli.context import app_context
from sanctrace.cli.io import emit, open_output, print_table, write_jsonl

ownership_app = typer.Typer(help="Ownership and control: OFAC/EU/UK 50% rules, Japan beneficial owner, "
                                 "red flags.", no_args_is_help=True)

FormatOpt = Annotated[str, typer.Option("--format", "-f", help="json or table.")]
RegimeOpt = Annotated[str, typer.Option("--regime", "-r", help="ofac, eu, uk or jp.")]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="Relations in force on this ISO date (default today).")]


def _check(fmt: str, regime: str | None = None) -> None:
    if fmt not in ("json", "table"):
        raise typer.BadParameter("must be json or table", param_hint="--format")
    if regime is not None and regime not in ("ofac", "eu", "uk", "jp"):
        raise typer.BadParameter("must be ofac, eu, uk or jp", param_hint="--regime")


@ownership_app.command("check")
def check(
    ctx: typer.Context,
    entity_id: Annotated[str, typer.Argument(help="Party id.")],
    regime: RegimeOpt = "ofac",
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "json",
) -> None:
    """Is this party blocked (owned/controlled by designated persons) under the regime? With paths."""
    from sanctrace.ownership import check as do_check

    _check(fmt, regime)
    verdict = do_check(app_context(ctx).engine, entity_id, regime, as_of=as_of)
    if fmt == "json":
        emit(verdict, "json")
        return
    typer.echo(f"{verdict.party_id} {verdict.name}: {verdict.status} under {regime} "
               f"(share {verdict.share['certain'] * 100:.2f}%, possible {verdict.share['possible'] * 100:.2f}%, "
               f"look-through {verdict.lookthrough * 100:.2f}%)")
    for reason in verdict.reasons:
        typer.echo(f"  - {reason}")
    for path in verdict.paths:
        chain = " -> ".join(f"{s['owner_name']} [{s['share_min'] * 100:g}%]" for s in path["chain"])
        typer.echo(f"  path: {chain} -> {verdict.name}")


@ownership_app.command("check-all")
def check_all(
    ctx: typer.Context,
    regime: RegimeOpt = "ofac",
    as_of: AsOfOpt = None,
    output: Annotated[str, typer.Option("--output", "-o", help="JSON lines file, - for stdout.")] = "-",
    flagged: Annotated[bool, typer.Option("--flagged-only", help="Omit parties whose status is clear.")] = False,
) -> None:
    """Every party's verdict as JSON lines (also stored in the ownership_verdicts table)."""
    from sanctrace.ownership import verdicts

    _check("json", regime)
    found = verdicts(app_context(ctx).engine, regime, as_of=as_of)
    rows = [asdict(v) for v in found.values() if not flagged or v.status != "clear"]
    with open_output(output) as out:
        write_jsonl(rows, out)


@ownership_app.command("redflags")
def redflags(
    ctx: typer.Context,
    party_id: Annotated[str, typer.Argument(help="Party id.")],
    as_of: AsOfOpt = None,
    fmt: FormatOpt = "json",
) -> None:
    """Shell-company red flags, each named, weighted and explained, and the combined score."""
    from sanctrace.ownership.redflags import redflags as find_flags

    _check(fmt)
    result = find_flags(app_context(ctx).engine, party_id, as_of=as_of)
    if fmt == "json":
        emit(result, "json")
    else:
        typer.echo(f"{result['party_id']} {result['name']}: score {result['score']}")
        print_table(result["flags"])


def register(root: typer.Typer) -> None:
    root.add_typer(ownership_app, name="ownership")


