"""CLI for `sanctrace decide` (thin: parses options, calls the capability package, prints)."""

from __future__ import annotations

import sys
from datetime import datetime
from typing import Annotated

import typer

from sanctrace.cli.context import app_context
from sanctrace.cli.io import emit
from sanctrace.errors import InputError

app = typer.Typer(help="Decide a transfer before money moves: deposit credit/hold/freeze, "
                       "withdrawal allow/hold/block.", no_args_is_help=True)

FmtOpt = Annotated[str, typer.Option("--format", help="json or table")]
RulesetOpt = Annotated[str | None, typer.Option("--ruleset", help="Rule file or pack (default: settings).")]
ActorOpt = Annotated[str, typer.Option("--actor", help="Who asks (recorded in the audit log).")]


def _at(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InputError.at("--at", value, "not an ISO 8601 time") from None


@app.command("deposit")
def deposit(
    ctx: typer.Context,
    txid: Annotated[str, typer.Option("--txid", help="Transaction id of the incoming output.")],
    vout: Annotated[int, typer.Option("--vout", help="Output index.")],
    account: Annotated[str, typer.Option("--account", help="Credited account id.")],
    amount: Annotated[int, typer.Option("--amount", help="Amount in minor units (satoshi).")],
    asset: Annotated[str, typer.Option("--asset")] = "BTC",
    address: Annotated[str | None, typer.Option("--address", help="Our deposit address.")] = None,
    value_jpy: Annotated[int | None, typer.Option("--value-jpy", help="Yen value of the deposit.")] = None,
    at: Annotated[str | None, typer.Option("--at", help="Event time (ISO 8601; default now).")] = None,
    ruleset: RulesetOpt = None,
    actor: ActorOpt = "cli",
    fmt: FmtOpt = "json",
) -> None:
    """Credit, hold or freeze an incoming transfer, with reasons (an audit event)."""
    from sanctrace.monitoring.decisions import Decider

    ac = app_context(ctx)
    decider = Decider(ac.engine, ac.settings, ruleset, actor=actor)
    decision = decider.deposit(account, txid, vout, amount, asset=asset, address=address, value_jpy=value_jpy,
                               ts=_at(at))
    emit(decision.to_dict(), fmt)


@app.command("withdrawal")
def withdrawal(
    ctx: typer.Context,
    account: Annotated[str, typer.Option("--account", help="Debited account id.")],
    address: Annotated[str, typer.Option("--address", help="Destination address.")],
    amount: Annotated[int, typer.Option("--amount", help="Amount in minor units (satoshi).")],
    asset: Annotated[str, typer.Option("--asset")] = "BTC",
    value_jpy: Annotated[int | None, typer.Option("--value-jpy", help="Yen value of the withdrawal.")] = None,
    vasp: Annotated[str | None, typer.Option("--vasp", help="Travel Rule counterparty VASP.")] = None,
    vasp_country: Annotated[str | None, typer.Option("--vasp-country", help="Its country (ISO 2).")] = None,
    at: Annotated[str | None, typer.Option("--at", help="Event time (ISO 8601; default now).")] = None,
    ruleset: RulesetOpt = None,
    actor: ActorOpt = "cli",
    fmt: FmtOpt = "json",
) -> None:
    """Allow, hold or block an outgoing transfer, with reasons (an audit event)."""
    from sanctrace.monitoring.decisions import Decider

    ac = app_context(ctx)
    decider = Decider(ac.engine, ac.settings, ruleset, actor=actor)
    decision = decider.withdrawal(account, address, amount, asset=asset, value_jpy=value_jpy, ts=_at(at),
                                  counterparty_vasp=vasp, counterparty_vasp_country=vasp_country)
    emit(decision.to_dict(), fmt)


@app.command("serve")
def serve_cmd(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
    port: Annotated[int | None, typer.Option("--port", help="TCP port (0: any free port).")] = None,
    ruleset: RulesetOpt = None,
    actor: ActorOpt = "decision-server",
) -> None:
    """Serve decisions over HTTP (POST /v1/decisions/deposit|withdrawal) until interrupted."""
    from sanctrace.monitoring.decisions import Decider
    from sanctrace.monitoring.server import AuditBatcher, serve

    ac = app_context(ctx)
    batcher = AuditBatcher(ac.engine)
    decider = Decider(ac.engine, ac.settings, ruleset, actor=actor, audit_sink=batcher.put)

    def ready(h: str, p: int) -> None:
        sys.stdout.write(f"listening on http://{h}:{p}\n")
        sys.stdout.flush()

    serve(decider, batcher, host, ac.settings.decision_port if port is None else port, ready)


def register(root: typer.Typer) -> None:
    """Attach this module's commands to the root app."""
    root.add_typer(app, name="decide")
