"""One router per capability; ``ROUTERS`` is what the app includes, in schema order."""

from __future__ import annotations

from fastapi import APIRouter

from sanctrace.api.routes import audit, dashboard, meta, users

ROUTERS: list[APIRouter] = [meta.router, users.router, audit.router, dashboard.router]
