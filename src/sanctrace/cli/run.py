"""CLI for `sanctrace run`: the main job over a data directory (stages live in sanctrace.pipeline)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from sanctrace.cli.context import app_context
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.errors import InputError


def run(
    ctx: typer.Context,
    data: Annotated[Path, typer.Option("--data", help="World directory: lists/, parties/, chain/, tags/, ledger/.")],
    out: Annotated[Path | None, typer.Option("--out", help="Where reports go (default DATA/out).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Rerun every stage even if its inputs are unchanged.")] = False,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """Load, screen, unmask, trace, apply the rules, open cases and write the reports."""
    from sanctrace.pipeline.runner import StageContext, StageOutcome, run_stages
    from sanctrace.pipeline.stages import STAGES

    if not data.is_dir():
        raise InputError.at(str(data), None, "not a directory (generate one with `sanctrace demo generate`)")
    ac = app_context(ctx)
    # Cases and the audit log need a transactional store, so the pipeline always keeps its tables in
    # DuckDB; with --engine spark the chain-scale step (clustering) runs on Spark and writes back.
    engine = ac.engine if ac.settings.engine == "duckdb" else DuckDBEngine(ac.settings.db)
    out_dir = out or data / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    console = Console(stderr=True)
    progress = Progress(TextColumn("{task.description}"), BarColumn(), TaskProgressColumn(), TimeElapsedColumn(),
                        console=console, transient=True)
    tasks: dict[str, TaskID] = {}

    def on_progress(label: str, done: int, total: int) -> None:
        if label not in tasks:
            tasks[label] = progress.add_task(label, total=total)
        progress.update(tasks[label], completed=done, total=total)

    outcomes: list[StageOutcome] = []

    def on_outcome(outcome: StageOutcome) -> None:
        outcomes.append(outcome)
        console.print(f"[green]✓[/green] {outcome.name:<10} {outcome.status:<10} {outcome.seconds:7.1f}s")

    stage_ctx = StageContext(engine, data, out_dir, ac.settings, on_progress)
    with progress:
        run_stages(STAGES, stage_ctx, force=force, on_outcome=on_outcome)
    summary = {o.name: {"status": o.status, "seconds": round(o.seconds, 2), **o.summary} for o in outcomes}
    (out_dir / "run_summary.json").write_text(json.dumps(summary, indent=2, default=str), encoding="utf-8")
    if fmt == "json":
        typer.echo(json.dumps(summary, indent=2, default=str))
        return
    table = Table(title="sanctrace run")
    for column in ("stage", "status", "seconds", "result"):
        table.add_column(column)
    for o in outcomes:
        result = ", ".join(f"{k}={_short(v)}" for k, v in o.summary.items() if k != "per_rule")
        table.add_row(o.name, o.status, f"{o.seconds:.1f}", result)
    Console().print(table)
    rules = next((o for o in outcomes if o.name == "rules"), None)
    if rules and rules.summary.get("per_rule"):
        per_rule = Table(title="alerts per rule")
        per_rule.add_column("rule")
        per_rule.add_column("hits", justify="right")
        for rule, count in sorted(rules.summary["per_rule"].items(), key=lambda kv: -kv[1]):
            per_rule.add_row(rule, str(count))
        Console().print(per_rule)
    reports = next((o for o in outcomes if o.name == "reports"), None)
    if reports and reports.summary.get("investigation_report"):
        typer.echo(f"\nInvestigation report of the top case: {reports.summary['investigation_report']}")
    if reports and reports.summary.get("info_request_package"):
        typer.echo(f"Information-request package: {reports.summary['info_request_package']}")
    typer.echo(f"Open the analyst UI: sanctrace --db {ac.settings.db} users add alice --role analyst  "
               f"(prints a token), then sanctrace --db {ac.settings.db} serve  → http://127.0.0.1:8000/ui/")


def _short(value: object) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False) if isinstance(value, (dict, list)) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def register(root: typer.Typer) -> None:
    root.command("run")(run)
