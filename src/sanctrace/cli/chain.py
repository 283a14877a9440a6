"""CLI for `sanctrace chain` ingestion commands (ingest, block); analysis commands live in
``chain_analysis`` and attach to the same ``chain_app`` group."""

from __future__ import annotations

import typer

chain_app = typer.Typer(help="Bitcoin: ingest blocks, attribute, cluster and trace.", no_args_is_help=True)


def register(root: typer.Typer) -> None:
    root.add_typer(chain_app, name="chain")
