"""CLI for `sanctrace run` (thin: parses options, calls the capability package, prints)."""

from __future__ import annotations

import typer


def register(root: typer.Typer) -> None:
    """Attach this module's commands to the root app (filled in by the capability's owner)."""
