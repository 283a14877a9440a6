"""HTTP interface: FastAPI app, auth, roles, rate limits and error mapping; no capability logic here."""

from __future__ import annotations

__all__ = ["create_app"]


def __getattr__(name: str) -> object:
    # FastAPI is imported only when the API is actually used (the CLI must stay light).
    if name == "create_app":
        from sanctrace.api.app import create_app

        return create_app
    raise AttributeError(name)
