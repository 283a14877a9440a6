"""CLI for `sanctrace reports` (thin: parses options, calls the capability package, prints)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from sanctrace.cli.context import app_context
from sanctrace.cli.io import emit, open_output
from sanctrace.errors import InputError

app = typer.Typer(help="Regulatory reports: STR (goAML, Japanese form), information requests, case reports.",
                  no_args_is_help=True)

Output = Annotated[str, typer.Option("--output", "-o", help="file to write; - is stdout")]
Entity = Annotated[Path | None, typer.Option(
    "--entity", envvar="SANCTRACE_REPORT_ENTITY",
    help="reporting-entity profile (JSON/YAML: rentity_id, name, reporting_person, codes); "
         "default: the API's SANCTRACE_API_REPORT_ENTITY")]


def _write_bytes(path: str, data: bytes) -> None:
    if path == "-":
        typer.echo(data.decode("utf-8"), nl=False)
        return
    target = Path(path)
    tmp = target.with_name(f".{target.name}.partial")
    try:
        tmp.write_bytes(data)
        tmp.replace(target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError.at(path, None, f"cannot write: {exc.strerror}") from exc


def _submitted(value: str | None) -> datetime:
    if value is None:
        return datetime.now(UTC)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as exc:
        raise InputError(f"--submitted-at: {value!r} is not an ISO 8601 time") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@app.command("str")
def str_report(
    ctx: typer.Context,
    case_id: str,
    fmt: Annotated[str, typer.Option("--format", help="goaml, jp-csv or jp-json")] = "goaml",
    output: Output = "-",
    entity: Entity = None,
    submitted_at: Annotated[str | None, typer.Option(help="submission time (default: now, UTC)")] = None,
    user: Annotated[str | None, typer.Option("--user", "-u", envvar="SANCTRACE_USER")] = None,
) -> None:
    """A suspicious transaction report for a case: goAML XML or the Japanese form's fields."""
    from sanctrace.cases.audit import AuditLog
    from sanctrace.reports import formats
    from sanctrace.reports.entity import load_entity
    from sanctrace.reports.facts import gather

    renderer = formats.get(fmt)
    profile = load_entity(entity or app_context(ctx).settings.api_report_entity)
    if profile.is_placeholder:
        given = entity or app_context(ctx).settings.api_report_entity
        typer.echo(f"warning: {given}: no rentity_id: the report names a placeholder reporting entity" if given
                   else "warning: no --entity profile: the report names a placeholder reporting entity", err=True)
    engine = app_context(ctx).engine
    data = renderer.render(gather(engine, case_id), profile, _submitted(submitted_at))
    _write_bytes(output, data)
    AuditLog(engine).append(user or "system", "report.str", "case", case_id, {
        "format": fmt, "sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
        "rentity_id": profile.rentity_id})


@app.command("check-goaml")
def check_goaml(path: Path) -> None:
    """Check a goAML XML file against the report structure sanctrace encodes (exit 1 on problems)."""
    from lxml import etree

    from sanctrace.reports.goaml_schema import check

    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise InputError.at(str(path), None, f"not readable XML: {exc}") from exc
    problems = check(root)
    emit({"file": str(path), "ok": not problems, "problems": problems}, "json")
    if problems:
        raise InputError.at(str(path), None, f"{len(problems)} structural problems, first: {problems[0]}")


@app.command("case")
def case_report(
    ctx: typer.Context,
    case_id: str,
    fmt: Annotated[str, typer.Option("--format", help="html or pdf")] = "html",
    output: Output = "-",
) -> None:
    """The investigation report of a case (subject, evidence, fund-flow graph, decision trail)."""
    from sanctrace.reports.investigation import find_cjk_font, render_html, render_pdf, view

    if fmt not in ("html", "pdf"):
        raise InputError(f"--format {fmt!r}: one of html, pdf")
    if fmt == "pdf" and output == "-":
        raise InputError("a PDF needs -o FILE")
    data = view(app_context(ctx).engine, case_id)
    if fmt == "html":
        with open_output(output) as out:
            out.write(render_html(data))
        return
    font = find_cjk_font()
    if font is None:
        typer.echo("warning: no Japanese font found (apt-get install fonts-noto-cjk); non-Latin text shows as ?",
                   err=True)
    _write_bytes(output, render_pdf(data, font=font))


@app.command("info-request")
def info_request(
    ctx: typer.Context,
    start: Annotated[str, typer.Option("--from", help="start of the period (ISO date/time, UTC, inclusive)")],
    end: Annotated[str, typer.Option("--to", help="end of the period (exclusive)")],
    output: Annotated[Path, typer.Option("--output", "-o", help="new directory for the package")],
    reference: Annotated[str | None, typer.Option(help="the regulator's request reference")] = None,
    user: Annotated[str | None, typer.Option("--user", "-u", envvar="SANCTRACE_USER")] = None,
) -> None:
    """The regulator's information-request package: flagged accounts and transfers + SHA-256 manifest."""
    from sanctrace.cases.audit import AuditLog
    from sanctrace.reports.info_request import Period, write_package

    engine = app_context(ctx).engine
    manifest = write_package(engine, Period.parse(start, end), output, requested_by=user, reference=reference)
    AuditLog(engine).append(user or "system", "report.info_request", "report", reference or str(output), {
        "period": manifest["period"], "files": manifest["files"]})
    emit(manifest, "json")


@app.command("info-request-verify")
def info_request_verify(directory: Path) -> None:
    """Re-check every file of a package against its manifest (exit 1 if anything changed)."""
    from sanctrace.reports.info_request import verify_package

    emit(verify_package(directory), "json")


def register(root: typer.Typer) -> None:
    """Attach this module's commands to the root app."""
    root.add_typer(app, name="reports")
