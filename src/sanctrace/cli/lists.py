"""CLI for `sanctrace lists` (thin: parses options, calls the capability package, prints)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from sanctrace.cli.context import app_context
from sanctrace.cli.io import emit, print_table, to_jsonable

lists_app = typer.Typer(help="Sanctions lists: load, version, compare and update.", no_args_is_help=True)

FormatOpt = Annotated[str, typer.Option("--format", "-f", help="json or table.")]


def _check_format(fmt: str, allowed: tuple[str, ...] = ("json", "table")) -> str:
    if fmt not in allowed:
        raise typer.BadParameter(f"must be one of {', '.join(allowed)}", param_hint="--format")
    return fmt


def _warn(infos: list[Any]) -> None:
    """Records a parser kept out go to stderr (they are also stored with the snapshot)."""
    for info in infos:
        if not info.reused:
            for warning in info.warnings:
                typer.echo(f"warning: {warning}", err=True)


@lists_app.command("load")
def load(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="List files (format auto-detected).")],
    source: Annotated[str | None, typer.Option("--source", help="Force a source or format name.")] = None,
    fmt: FormatOpt = "table",
) -> None:
    """Load list files as new snapshots (one transaction; a file loaded before is reused)."""
    from sanctrace.lists import load_paths

    _check_format(fmt)
    ac = app_context(ctx)
    infos = load_paths(ac.engine, paths, source_hint=source)
    _warn(infos)
    rows = [{**to_jsonable(info), "version": info.version} for info in infos]
    if fmt == "json":
        emit(rows, "json")
    else:
        for info in infos:
            state = "already loaded" if info.reused else "loaded"
            typer.echo(f"{state}: {info.version} {info.file_name} ({info.entry_count} entries)")


@lists_app.command("snapshots")
def snapshots(ctx: typer.Context, fmt: FormatOpt = "table") -> None:
    """Every stored snapshot, oldest first."""
    from sanctrace.lists import current_snapshot_ids, list_snapshots

    _check_format(fmt)
    ac = app_context(ctx)
    current = set(current_snapshot_ids(ac.engine))
    rows = [{**to_jsonable(info), "version": info.version, "current": info.snapshot_id in current}
            for info in list_snapshots(ac.engine)]
    for row in rows:
        row.pop("reused", None)
    if fmt == "json":
        emit(rows, "json")
        return
    print_table([{"id": r["snapshot_id"], "version": r["version"], "file": r["file_name"],
                  "entries": r["entry_count"], "warnings": len(r["warnings"]),
                  "loaded_at": r["loaded_at"][:19], "current": "yes" if r["current"] else ""} for r in rows],
                title="list snapshots")


@lists_app.command("stats")
def stats(
    ctx: typer.Context,
    snapshot: Annotated[list[int] | None, typer.Option("--snapshot", help="Snapshot id(s); default current.")]
    = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Use the snapshots current on this date.")] = None,
    fmt: FormatOpt = "json",
) -> None:
    """Per source: entries by kind, names, addresses, crypto addresses and programs."""
    from sanctrace.lists import current_snapshot_ids
    from sanctrace.lists import stats as list_stats

    _check_format(fmt)
    ac = app_context(ctx)
    ids = snapshot or (current_snapshot_ids(ac.engine, as_of) if as_of else None)
    result = list_stats(ac.engine, ids)
    if fmt == "json":
        emit(result, "json")
        return
    rows: list[dict[str, Any]] = []
    for values in result.values():
        kinds = values["by_kind"]
        rows.append({
            "version": values["version"], "entries": values["entries"],
            "person/org/vessel/aircraft": "/".join(str(kinds.get(k, 0))
                                                   for k in ("person", "organization", "vessel", "aircraft")),
            "names": values["names"], "addresses": values["addresses"], "crypto": values["crypto_addresses"],
            "programs": values["programs"], "russia": values["russia_program_entries"],
        })
    print_table(rows, title="sanctions lists")


@lists_app.command("diff")
def diff(
    ctx: typer.Context,
    a: Annotated[int, typer.Argument(help="Older snapshot id.")],
    b: Annotated[int, typer.Argument(help="Newer snapshot id.")],
    fmt: FormatOpt = "table",
) -> None:
    """Entries added, removed and changed from snapshot A to snapshot B."""
    from sanctrace.lists import diff as list_diff

    _check_format(fmt)
    ac = app_context(ctx)
    result = list_diff(ac.engine, a, b)
    if fmt == "json":
        emit({"a": a, "b": b, "summary": result.summary, "added": result.added, "removed": result.removed,
              "changed": to_jsonable(result.changed)}, "json")
        return
    typer.echo(f"snapshot {a} → {b}: {result.summary['added']} added, {result.summary['removed']} removed, "
               f"{result.summary['changed']} changed")
    for entity_id in result.added:
        typer.echo(f"+ {entity_id}")
    for entity_id in result.removed:
        typer.echo(f"- {entity_id}")
    for change in result.changed:
        typer.echo(f"~ {change.entity_id}: {', '.join(change.fields)}")


@lists_app.command("show")
def show(
    ctx: typer.Context,
    entity_id: Annotated[str, typer.Argument(help="Prefixed id, e.g. ofac:35096.")],
    snapshot: Annotated[int | None, typer.Option("--snapshot", help="Snapshot id; default current.")] = None,
    fmt: FormatOpt = "json",
) -> None:
    """One list entry with every name, address, identifier, wallet, program and relation."""
    from sanctrace.lists import get_entry

    _check_format(fmt)
    ac = app_context(ctx)
    entry = get_entry(ac.engine, entity_id, [snapshot] if snapshot is not None else None)
    emit(entry, fmt)


@lists_app.command("export")
def export(
    ctx: typer.Context,
    output: Annotated[str, typer.Option("--output", "-o", help="JSON lines file; - is stdout.")] = "-",
    snapshot: Annotated[list[int] | None, typer.Option("--snapshot", help="Snapshot id(s); default current.")]
    = None,
    source: Annotated[str | None, typer.Option("--source", help="Only entries of this source.")] = None,
) -> None:
    """Every entry of the current (or given) snapshots as JSON lines, one ListEntry per line."""
    from sanctrace.cli.io import open_output, write_jsonl
    from sanctrace.lists import load_entries

    ac = app_context(ctx)
    entries = load_entries(ac.engine, snapshot or None)
    if source is not None:
        entries = [e for e in entries if e.source == source]
    with open_output(output) as out:
        write_jsonl(entries, out)


@lists_app.command("formats")
def list_formats(fmt: FormatOpt = "table") -> None:
    """The registered list formats, in detection order."""
    from sanctrace.lists import formats

    _check_format(fmt)
    rows = [{"name": f.name, "source": f.source, "multi_file": f.multi_file, "description": f.description}
            for f in formats()]
    if fmt == "json":
        emit(rows, "json")
    else:
        print_table(rows, title="list formats")


@lists_app.command("update")
def update(
    ctx: typer.Context,
    source: Annotated[list[str] | None, typer.Option("--source", help="Source(s) to update; default all.")]
    = None,
    fmt: FormatOpt = "table",
) -> None:
    """Download the current official files (URLs in settings), verify them and load them."""
    from sanctrace.lists.update import update_lists

    _check_format(fmt)
    ac = app_context(ctx)
    infos = update_lists(ac.engine, ac.settings, source or None)
    _warn(infos)
    if fmt == "json":
        emit([{**to_jsonable(info), "version": info.version} for info in infos], "json")
        return
    for info in infos:
        state = "unchanged" if info.reused else "loaded"
        typer.echo(f"{state}: {info.version} {info.file_name} ({info.entry_count} entries)")


def register(root: typer.Typer) -> None:
    """Attach `sanctrace lists …` to the root app."""
    root.add_typer(lists_app, name="lists")
