"""CLI for `sanctrace demo generate`: write the synthetic demo world (thin; logic in sanctrace.demo)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

demo_app = typer.Typer(help="The demo world: a synthetic Japanese exchange with planted schemes.",
                       no_args_is_help=True)


@demo_app.command("generate")
def generate(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the world into.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed (same seed, same world).")] = 7,
    size: Annotated[str, typer.Option("--size", help="small | medium | large")] = "small",
) -> None:
    """Generate customers, companies, ownership, a Bitcoin chain, the ledger and the ground truth."""
    from sanctrace.demo.generate import generate_world

    console = Console(stderr=True)
    with console.status("generating") as status:
        summary = generate_world(seed, size, out, progress=lambda label: status.update(label))  # type: ignore[arg-type]
    console.print(f"[bold]demo world[/bold] seed {summary.seed}, {summary.size}: {summary.customers:,} customers, "
                  f"{summary.parties:,} parties, {summary.chain_txs:,} transactions in {summary.chain_blocks:,} "
                  f"blocks → {summary.out_dir}")
    for scheme, count in sorted(summary.schemes.items()):
        console.print(f"  planted {scheme}: {count}")


def register(root: typer.Typer) -> None:
    root.add_typer(demo_app, name="demo")
