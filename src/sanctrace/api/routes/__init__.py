"""One router per capability; ``ROUTERS`` is what the app includes, in schema order."""

from __future__ import annotations

from fastapi import APIRouter

from sanctrace.api.routes import (
    audit,
    cases,
    chain,
    dashboard,
    decisions,
    lists,
    meta,
    ownership,
    reports,
    rules,
    screening,
    users,
)

ROUTERS: list[APIRouter] = [
    screening.router,
    decisions.router,
    lists.router,
    chain.router,
    ownership.router,
    cases.alerts_router,
    cases.router,
    reports.router,
    rules.router,
    dashboard.router,
    audit.router,
    users.router,
    meta.router,
]
