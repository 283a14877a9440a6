"""CLI for `sanctrace chain` analysis commands (tags, cluster, why, trace), attached to ``chain_app``."""

from __future__ import annotations

import typer


def register(root: typer.Typer) -> None:
    """Commands attach to ``sanctrace.cli.chain.chain_app`` when this module is imported."""
