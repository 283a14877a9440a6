"""CLI for `sanctrace screen` (thin: parses options, calls the capability package, prints).

    sanctrace screen -i customers.csv -o hits.jsonl [--threshold 0.7] [--as-of 2025-12-01 | --snapshot 3]
    sanctrace screen --name "ウラジーミル・プーチン" [--kind person]

One JSON line per input row: ``{"id", "matches": [...], "russia_nexus": [...]}``.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from sanctrace.cli.context import app_context
from sanctrace.cli.io import dumps, open_input, open_output
from sanctrace.errors import InputError, NotFound


def _result_json(result: Any) -> dict[str, Any]:
    return {
        "id": result.id,
        "matches": [
            {
                "entity_id": m.entity_id,
                "name": m.name,
                "score": m.score,
                "features": m.features,
                "programs": m.programs,
                "list_version": m.list_version,
                "kind": m.kind,
                "matched_on": m.matched_on,
            }
            for m in result.matches
        ],
        "russia_nexus": [{"reason": r.reason, "value": r.value} for r in result.russia_nexus],
    }


def screen(
    ctx: typer.Context,
    input_path: Annotated[str | None, typer.Option("-i", "--input", help="Customer CSV (id,name,...); - = stdin.")]
    = None,
    output_path: Annotated[str, typer.Option("-o", "--output", help="JSON lines out; - = stdout.")] = "-",
    name: Annotated[str | None, typer.Option("--name", help="Screen one name instead of a file.")] = None,
    kind: Annotated[str, typer.Option("--kind", help="person, company or unknown (with --name).")] = "unknown",
    threshold: Annotated[float | None, typer.Option("--threshold", min=0.0, max=1.0,
                                                    help="Report matches at or above this score.")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="Screen against the lists as of this date.")]
    = None,
    snapshot: Annotated[list[int] | None, typer.Option("--snapshot", help="Screen against these snapshot ids.")]
    = None,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Processes for a large file (forked).")] = 1,
) -> None:
    """Screen customers (or one --name) against the loaded sanctions lists, in any script."""
    from sanctrace.lists.store import current_snapshot_ids
    from sanctrace.screening import DEFAULT_THRESHOLD, CustomerRecord, Screener, read_customers
    from sanctrace.screening.records import normalize_kind

    if (input_path is None) == (name is None):
        raise InputError("give either -i/--input FILE or --name NAME")
    if as_of is not None and snapshot:
        raise InputError("give either --as-of or --snapshot, not both")
    ac = app_context(ctx)
    if snapshot:
        ids: list[int] | None = list(snapshot)
    elif as_of is not None:
        ids = current_snapshot_ids(ac.engine, as_of)
        if not ids:
            raise NotFound(f"no list snapshot published on or before {as_of}")
    else:
        ids = current_snapshot_ids(ac.engine)
        if not ids:
            raise NotFound("no sanctions list loaded: run `sanctrace lists load PATH` first")
    screener = Screener.from_engine(ac.engine, ids,
                                    threshold=DEFAULT_THRESHOLD if threshold is None else threshold)
    if name is not None:
        record = CustomerRecord(id=name, name=name, kind=normalize_kind(kind, source="--kind"))
        typer.echo(dumps(_result_json(screener.screen(record)), indent=2))
        return
    assert input_path is not None
    source = "<stdin>" if input_path == "-" else input_path
    with open_input(input_path) as handle:
        records = list(read_customers(handle, source))
    results = [_result_json(r) for r in screener.screen_many(records, workers=workers)]
    with open_output(output_path) as out:
        for item in results:
            out.write(dumps(item))
            out.write("\n")


def register(root: typer.Typer) -> None:
    """Attach `sanctrace screen` to the root app."""
    root.command("screen")(screen)
