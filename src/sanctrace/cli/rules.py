"""CLI for `sanctrace rules` (thin: parses options, calls the capability package, prints)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Annotated

import typer

from sanctrace.cli.context import app_context
from sanctrace.cli.io import emit
from sanctrace.errors import InputError

app = typer.Typer(help="Monitoring rules: check rule files, run them over the ledger, backtest them.",
                  no_args_is_help=True)

FromOpt = Annotated[str | None, typer.Option("--from", help="Start (ISO date or time, UTC, inclusive).")]
ToOpt = Annotated[str | None, typer.Option("--to", help="End (ISO time exclusive; a date means that whole day).")]
FmtOpt = Annotated[str, typer.Option("--format", help="json or table")]


def _time(value: str | None, option: str, *, end: bool = False) -> datetime | None:
    if value is None:
        return None
    try:
        stamp = datetime.fromisoformat(value)
    except ValueError:
        raise InputError.at(option, value, "not an ISO 8601 date or time") from None
    if stamp.tzinfo is not None:
        from datetime import UTC

        stamp = stamp.astimezone(UTC).replace(tzinfo=None)
    if end and len(value) == 10:  # a bare date: include that whole day
        stamp += timedelta(days=1)
    return stamp


@app.command("check")
def check(
    file: Annotated[str, typer.Argument(help="Rule file (YAML) or the name of a shipped pack (mission).")],
    fmt: FmtOpt = "json",
) -> None:
    """Parse and compile a rule file; exit 1 naming the line of the first problem."""
    from sanctrace.monitoring.rules.check import check_ruleset

    result = check_ruleset(file)
    emit(result["rules"] if fmt == "table" else result, fmt)


@app.command("run")
def run(
    ctx: typer.Context,
    ruleset: Annotated[str, typer.Argument(help="Rule file or shipped pack name.")] = "mission",
    start: FromOpt = None,
    end: ToOpt = None,
    rule: Annotated[list[str] | None, typer.Option("--rule", help="Run only this rule id (repeatable).")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the hits, record no alerts.")] = False,
    fmt: FmtOpt = "json",
) -> None:
    """Run the rules over the ledger and record alerts (new ones only) for review in cases."""
    from sanctrace.monitoring.rules.evaluate import record_hits, run_ruleset
    from sanctrace.monitoring.rules.ruleset import load_ruleset

    rs = load_ruleset(ruleset)
    engine = app_context(ctx).engine
    hits = run_ruleset(engine, rs, _time(start, "--from"), _time(end, "--to", end=True), only=rule)
    if dry_run:
        emit([{"rule_id": h.rule.id, "event_id": h.event["event_id"], "subject": ":".join(h.subject),
               "severity": h.rule.severity, "explanation": h.explanation} for h in hits],
             "jsonl" if fmt == "json" else fmt)
        return
    new = record_hits(engine, rs, hits)
    emit({"ruleset": rs.name, "version": rs.version, "hits": len(hits), "new_alerts": len(new),
          "per_rule": dict(Counter(h.rule.id for h in hits))}, fmt)


@app.command("backtest")
def backtest_cmd(
    ctx: typer.Context,
    ruleset: Annotated[str, typer.Argument(help="Rule file or shipped pack name.")],
    start: FromOpt = None,
    end: ToOpt = None,
    labels: Annotated[Path | None, typer.Option(
        "--labels", help="CSV: event_id or subject_id, label[, rule_id].")] = None,
    fmt: FmtOpt = "json",
) -> None:
    """Alert counts per rule over a period (nothing recorded); precision/recall with --labels."""
    from sanctrace.monitoring.backtest import backtest, read_labels
    from sanctrace.monitoring.rules.ruleset import load_ruleset

    rs = load_ruleset(ruleset)
    labs = read_labels(labels) if labels is not None else None
    result = backtest(app_context(ctx).engine, rs, _time(start, "--from"), _time(end, "--to", end=True), labs)
    emit(result["rules"] if fmt == "table" else result, fmt)


@app.command("signals")
def signals_cmd(
    ctx: typer.Context,
    regime: Annotated[list[str] | None, typer.Option("--regime", help="Ownership regime(s): ofac, eu, uk, jp.")] = None,
    hops: Annotated[int, typer.Option("--hops", help="How far deposit exposure traces back.")] = 3,
    only: Annotated[list[str] | None, typer.Option("--only", help="customers, addresses or deposits.")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Re-trace deposits already traced.")] = False,
    fmt: FmtOpt = "json",
) -> None:
    """Materialise the signal tables rules and decisions read (screening, ownership, chain)."""
    from sanctrace.monitoring.signals import refresh_signals

    parts = tuple(only) if only else ("customers", "addresses", "deposits")
    bad = [p for p in parts if p not in ("customers", "addresses", "deposits")]
    if bad:
        raise InputError.at("--only", bad[0], "must be customers, addresses or deposits")
    ac = app_context(ctx)
    report = refresh_signals(ac.engine, ac.settings, regimes=tuple(regime or ("ofac", "jp")), hops=hops,
                             parts=parts, rebuild=rebuild)
    emit(report, fmt)


def register(root: typer.Typer) -> None:
    """Attach this module's commands to the root app."""
    root.add_typer(app, name="rules")
