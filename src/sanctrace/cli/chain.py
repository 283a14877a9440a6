"""CLI for `sanctrace chain` ingestion commands (ingest, block, undo, synth); analysis commands live
in ``chain_analysis`` and attach to the same ``chain_app`` group."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from sanctrace.cli.context import app_context
from sanctrace.cli.io import emit
from sanctrace.errors import InputError

chain_app = typer.Typer(help="Bitcoin: ingest blocks, attribute, cluster and trace.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(chain_app, name="chain")


@chain_app.command("ingest")
def ingest(
    ctx: typer.Context,
    paths: Annotated[list[Path] | None, typer.Argument(help="blk*.dat, raw/hex block or getblock JSON files.")] = None,
    rpc_url: Annotated[str | None, typer.Option("--rpc-url", help="Bitcoin Core JSON-RPC URL.")] = None,
    rpc_cookie: Annotated[Path | None, typer.Option("--rpc-cookie", help="Node cookie file.")] = None,
    rpc_user: Annotated[str | None, typer.Option("--rpc-user")] = None,
    rpc_password: Annotated[str | None, typer.Option("--rpc-password")] = None,
    from_height: Annotated[int | None, typer.Option("--from-height", help="First height (RPC).")] = None,
    to_height: Annotated[int | None, typer.Option("--to-height", help="Last height (RPC).")] = None,
    batch_mb: Annotated[int, typer.Option("--batch-mb", help="MiB of blocks per stored batch.")] = 64,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="One stderr line per committed batch.")] = False,
    fmt: Annotated[str, typer.Option("--format", help="json or table")] = "json",
) -> None:
    """Store blocks, transactions, outputs and inputs (linked to what they spend). Idempotent.

    Each batch is one transaction: a killed run keeps whole batches only and the next run
    continues where it stopped."""
    from rich.progress import BarColumn, Progress, TaskProgressColumn, TimeRemainingColumn

    from sanctrace.chain.ingest import ingest_paths
    from sanctrace.chain.rpc import RpcClient, ingest_rpc

    if not paths and not rpc_url:
        raise InputError("give block files or --rpc-url")
    if paths and rpc_url:
        raise InputError("give either block files or --rpc-url, not both")
    if (from_height is not None or to_height is not None) and not rpc_url:
        raise InputError("--from-height/--to-height apply to --rpc-url ingestion")
    ac = app_context(ctx)
    if ac.settings.engine != "duckdb":
        raise InputError("chain ingest writes to DuckDB (drop --engine spark); Spark reads the ingested tables")
    engine = ac.engine
    bar = Progress("[progress.description]{task.description}", BarColumn(), TaskProgressColumn(),
                   TimeRemainingColumn(), transient=True, disable=not sys.stderr.isatty())
    def advance(task: Any, n: int, unit: str) -> None:
        bar.advance(task, n)
        if verbose:
            sys.stderr.write(f"committed batch: {n} {unit}\n")
            sys.stderr.flush()

    with bar:
        if rpc_url:
            client = RpcClient.from_options(rpc_url, rpc_cookie, rpc_user, rpc_password)
            lo = from_height or 0
            hi = to_height if to_height is not None else int(client.call("getblockcount"))
            task = bar.add_task("blocks", total=max(hi - lo + 1, 1))
            report = ingest_rpc(engine, client, lo, hi, progress=lambda n: advance(task, n, "blocks"))
        else:
            assert paths is not None
            total = 0
            for p in paths:
                try:
                    total += p.stat().st_size
                except OSError as exc:
                    raise InputError.at(str(p), None, f"cannot read: {exc.strerror}") from None
            task = bar.add_task("ingest", total=max(total, 1))
            report = ingest_paths(engine, paths, batch_bytes=batch_mb << 20,
                                  progress=lambda n: advance(task, n, "bytes"))
    out = {k: v for k, v in vars(report).items() if k != "sources"}
    emit(out, fmt)


@chain_app.command("block")
def block(
    ctx: typer.Context,
    hash_or_height: Annotated[str, typer.Argument(help="Block hash or height (main chain).")],
    fmt: Annotated[str, typer.Option("--format", help="json or table")] = "json",
) -> None:
    """Show a block: header, transaction count, fees, coinbase and pool attribution."""
    from sanctrace.chain.schema import block_summary

    engine = app_context(ctx).engine
    summary = block_summary(engine, hash_or_height)
    summary["pool"] = _attribute(engine, int(summary["block_id"]))
    emit(summary, fmt)


def _attribute(engine: Any, block_id: int) -> Any:
    """Pool attribution from the analysis side, when it is installed; None otherwise."""
    try:
        from sanctrace.chain import pools
    except ImportError:
        return None
    attribute_block = getattr(pools, "attribute_block", None)
    if attribute_block is None:
        return None
    result = attribute_block(engine, block_id)
    if result is None:
        return None
    if hasattr(result, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(result)
    return result


@chain_app.command("undo")
def undo(
    ctx: typer.Context,
    hash_or_height: Annotated[str, typer.Argument(help="Block hash or height.")],
    path: Annotated[Path, typer.Argument(help="Spent-prevout records (u64 value, varint script).")],
    fmt: Annotated[str, typer.Option("--format")] = "json",
) -> None:
    """Fill a block's input values and addresses from undo records (fees become known)."""
    from sanctrace.chain.decode_undo import apply_undo
    from sanctrace.chain.schema import block_summary

    engine = app_context(ctx).engine
    n = apply_undo(engine, hash_or_height, path)
    summary = block_summary(engine, hash_or_height)
    emit({"inputs_filled": n, "total_fees": summary["total_fees"], "hash": summary["hash"]}, fmt)


@chain_app.command("synth")
def synth(
    out: Annotated[Path, typer.Option("--out", help="Directory for blk*.dat and ground truth.")],
    txs: Annotated[int, typer.Option("--txs", help="Number of transactions.")] = 100_000,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    txs_per_block: Annotated[int, typer.Option("--txs-per-block")] = 2000,
    truth_format: Annotated[str, typer.Option("--truth-format", help="parquet or csv")] = "parquet",
    fmt: Annotated[str, typer.Option("--format")] = "json",
) -> None:
    """Write a synthetic regtest chain (blk*.dat) with ground truth (address -> entity, tx -> pattern)."""
    from sanctrace.chain.synth import generate
    from sanctrace.chain.synth_write import write_blk_files, write_ground_truth

    if txs < 1 or txs_per_block < 2:
        raise InputError("--txs must be >= 1 and --txs-per-block >= 2")
    if truth_format not in ("parquet", "csv"):
        raise InputError("--truth-format must be parquet or csv")
    chain = generate(txs, seed, txs_per_block=txs_per_block)
    files = write_blk_files(chain, out)
    truth = write_ground_truth(chain, out, truth_format)
    emit({"blocks": chain.n_blocks, "txs": chain.n_txs, "outputs": len(chain.out_value),
          "inputs": len(chain.in_prev_out), "addresses": len(chain.addr_owner),
          "files": [str(p) for p in files], "truth": [str(p) for p in truth]}, fmt)
