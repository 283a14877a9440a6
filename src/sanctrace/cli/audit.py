"""CLI for `sanctrace audit` (thin: parses options, calls the capability package, prints)."""

from __future__ import annotations

from typing import Annotated

import typer

from sanctrace.cli.context import app_context
from sanctrace.cli.io import emit
from sanctrace.errors import IntegrityError

app = typer.Typer(help="The append-only, hash-chained audit log.", no_args_is_help=True)


@app.command("log")
def log(
    ctx: typer.Context,
    subject: Annotated[str | None, typer.Option(help="only events about this subject id")] = None,
    subject_type: Annotated[str | None, typer.Option(help="case, user, account, ...")] = None,
    action: Annotated[str | None, typer.Option(help="e.g. case.approved")] = None,
    since: Annotated[str | None, typer.Option("--from", help="ISO time, inclusive")] = None,
    until: Annotated[str | None, typer.Option("--to", help="ISO time, exclusive")] = None,
    limit: Annotated[int | None, typer.Option(min=1)] = None,
    fmt: Annotated[str, typer.Option("--format", help="jsonl, json or table")] = "jsonl",
) -> None:
    """Print audit events in order (JSON lines by default)."""
    from sanctrace.cases.audit import AuditLog

    events = AuditLog(app_context(ctx).engine).events(
        subject_type=subject_type, subject_id=subject, action=action, since=since, until=until, limit=limit)
    emit(events, fmt)


@app.command("verify")
def verify(
    ctx: typer.Context,
    expect_head: Annotated[str | None, typer.Option(
        "--expect-head", help="head hash recorded earlier elsewhere (catches a rewritten tail)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or table")] = "json",
) -> None:
    """Re-compute the hash chain; exit 1 naming the first bad event if anything was altered."""
    from sanctrace.cases.audit import AuditLog

    result = AuditLog(app_context(ctx).engine).verify(expect_head)
    emit(result, fmt)
    if not result.ok:
        raise IntegrityError(f"audit log verification failed: {result.problem}")


@app.command("head")
def head(ctx: typer.Context, fmt: Annotated[str, typer.Option("--format")] = "json") -> None:
    """The last event's seq and hash: keep a copy elsewhere and pass it to `verify --expect-head`."""
    from sanctrace.cases.audit import AuditLog

    seq, digest = AuditLog(app_context(ctx).engine).head()
    emit({"seq": seq, "hash": digest}, fmt)


def register(root: typer.Typer) -> None:
    """Attach this module's commands to the root app."""
    root.add_typer(app, name="audit")
