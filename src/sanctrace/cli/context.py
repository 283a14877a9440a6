"""What every command gets: the settings and, opened on first use, the engine."""

from __future__ import annotations

from dataclasses import dataclass, field

import typer

from sanctrace.config import Settings
from sanctrace.engine import Engine, open_engine


@dataclass
class AppContext:
    settings: Settings
    _engine: Engine | None = field(default=None, repr=False)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = open_engine(self.settings)
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None


def app_context(ctx: typer.Context) -> AppContext:
    """The AppContext stored by the root callback (works from any sub-command depth)."""
    root = ctx.find_root()
    obj = root.obj
    if not isinstance(obj, AppContext):  # called without the root callback (tests of a sub-app)
        obj = AppContext(Settings())
        root.obj = obj
    return obj
