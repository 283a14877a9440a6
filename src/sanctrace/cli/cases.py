"""CLI for `sanctrace cases` (thin: parses options, calls the capability package, prints)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import typer

from sanctrace.cli.context import app_context
from sanctrace.cli.io import emit
from sanctrace.errors import InputError

app = typer.Typer(help="Cases: alerts grouped per subject, review, four-eyes close.", no_args_is_help=True)

User = Annotated[str, typer.Option("--user", "-u", envvar="SANCTRACE_USER",
                                   help="Who acts (recorded in the audit log; env SANCTRACE_USER).")]
Fmt = Annotated[str, typer.Option("--format", help="json, jsonl or table")]


def _workflow(ctx: typer.Context) -> Any:
    from sanctrace.cases.workflow import CaseWorkflow

    return CaseWorkflow(app_context(ctx).engine)


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[str | None, typer.Option(help="open, investigating, escalated or closed")] = None,
    assignee: Annotated[str | None, typer.Option(help="only cases assigned to this user")] = None,
    subject: Annotated[str | None, typer.Option(help="only cases about this subject id")] = None,
    limit: Annotated[int | None, typer.Option(min=1)] = None,
    fmt: Fmt = "jsonl",
) -> None:
    """List cases (JSON lines by default)."""
    cases = _workflow(ctx).find(status=status, assignee=assignee, subject_id=subject, limit=limit)
    emit([c.to_dict() for c in cases], fmt)


@app.command("show")
def show(ctx: typer.Context, case_id: str, fmt: Fmt = "json") -> None:
    """One case with its alerts, notes, attachments and decision trail."""
    emit(_workflow(ctx).show(case_id).to_dict(), fmt)


def _jsonl_lines(path: str) -> Iterator[tuple[int, str]]:
    """Non-blank lines with their numbers, decoded one by one so bad UTF-8 names its line."""
    if path == "-":
        return _decoded(path, sys.stdin.buffer)
    try:
        handle = open(path, "rb")  # noqa: SIM115 - closed by _decoded
    except OSError as exc:
        raise InputError(f"{path}: cannot open: {exc.strerror}") from exc
    return _decoded(path, handle)


def _decoded(path: str, handle: BinaryIO) -> Iterator[tuple[int, str]]:
    with handle:
        for line_no, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise InputError.at(path, f"line {line_no}", f"not UTF-8 text (byte {exc.start} of the line)"
                                    ) from None
            if line.strip():
                yield line_no, line


@app.command("record")
def record(
    ctx: typer.Context,
    input_: Annotated[str, typer.Option("--input", "-i", help="alerts as JSON lines; - is stdin")] = "-",
    user: Annotated[str, typer.Option("--user", "-u", envvar="SANCTRACE_USER")] = "system",
    fmt: Fmt = "json",
) -> None:
    """Record alerts (JSON lines) and group them into cases; already recorded alerts are skipped."""
    from sanctrace.cases.alerts import record_alerts
    from sanctrace.model.alert import Alert

    alerts: list[Alert] = []
    first_seen: dict[str, tuple[int, Any]] = {}
    for line_no, line in _jsonl_lines(input_):
        try:
            data = json.loads(line)
            if not isinstance(data, dict):
                raise ValueError("not a JSON object")
            alert = Alert.from_dict(data)
        except InputError as exc:
            raise InputError.at(input_, f"line {line_no}", exc.message) from exc
        except (ValueError, TypeError, KeyError) as exc:
            raise InputError.at(input_, f"line {line_no}", f"not an alert: {exc}") from exc
        seen = first_seen.get(alert.alert_id)
        if seen is not None:  # the same alert twice is harmless; two different ones under one id are not
            if seen[1] != data:
                raise InputError.at(input_, f"line {line_no}", f"alert_id {alert.alert_id!r} was already "
                                    f"given with different content at line {seen[0]}")
            continue
        first_seen[alert.alert_id] = (line_no, data)
        alerts.append(alert)
    new = record_alerts(app_context(ctx).engine, alerts, actor=user)
    emit({"read": len(alerts), "new": len(new), "alert_ids": new}, fmt)


@app.command("assign")
def assign(ctx: typer.Context, case_id: str, to: Annotated[str, typer.Option("--to", help="assignee")],
           user: User, fmt: Fmt = "json") -> None:
    """Assign a case (an open case moves to investigating)."""
    emit(_workflow(ctx).assign(case_id, to, user=user).to_dict(), fmt)


@app.command("note")
def note(ctx: typer.Context, case_id: str, text: Annotated[str, typer.Option("--text", "-m")],
         user: User, fmt: Fmt = "json") -> None:
    """Add a note to a case."""
    emit(_workflow(ctx).note(case_id, text, user=user), fmt)


@app.command("attach")
def attach(ctx: typer.Context, case_id: str, path: Path, user: User,
           description: Annotated[str | None, typer.Option("--description", "-d")] = None,
           fmt: Fmt = "json") -> None:
    """Attach an evidence file (stored in the database with its SHA-256)."""
    emit(_workflow(ctx).attach(case_id, path, user=user, description=description), fmt)


@app.command("attachment")
def attachment(ctx: typer.Context, attachment_id: str,
               output: Annotated[Path, typer.Option("--output", "-o", help="where to write the file")]) -> None:
    """Write a stored attachment to a file after re-checking its SHA-256."""
    meta, content = _workflow(ctx).attachment_content(attachment_id)
    try:
        output.write_bytes(content)
    except OSError as exc:
        raise InputError.at(str(output), None, f"cannot write: {exc.strerror}") from exc
    emit({"attachment_id": meta.attachment_id, "output": str(output), "sha256": meta.sha256}, "json")


@app.command("escalate")
def escalate(ctx: typer.Context, case_id: str, reason: Annotated[str, typer.Option("--reason", "-r")],
             user: User, fmt: Fmt = "json") -> None:
    """Escalate a case (to a supervisor / the MLRO)."""
    emit(_workflow(ctx).escalate(case_id, reason, user=user).to_dict(), fmt)


@app.command("close")
def close(ctx: typer.Context, case_id: str,
          disposition: Annotated[str, typer.Option(help="true_positive, false_positive or reported")],
          reason: Annotated[str, typer.Option("--reason", "-r")], user: User, fmt: Fmt = "json") -> None:
    """Close a case; `reported` waits for a second user's `approve` (four-eyes)."""
    emit(_workflow(ctx).close(case_id, disposition, reason, user=user).to_dict(), fmt)


@app.command("approve")
def approve(ctx: typer.Context, case_id: str, user: User,
            comment: Annotated[str | None, typer.Option("--comment", "-m")] = None, fmt: Fmt = "json") -> None:
    """Approve another user's pending close (never your own)."""
    emit(_workflow(ctx).approve(case_id, user=user, comment=comment).to_dict(), fmt)


@app.command("reject")
def reject(ctx: typer.Context, case_id: str, reason: Annotated[str, typer.Option("--reason", "-r")],
           user: User, fmt: Fmt = "json") -> None:
    """Send another user's pending close back for more work."""
    emit(_workflow(ctx).reject(case_id, reason, user=user).to_dict(), fmt)


def register(root: typer.Typer) -> None:
    """Attach this module's commands to the root app."""
    root.add_typer(app, name="cases")
