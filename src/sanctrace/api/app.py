"""The FastAPI application factory: ``create_app(settings)``.

The app holds one DuckDB engine for its life (opened at startup, or handed in by a test) and gives
each request its own cursor. Routes are thin wrappers over the capability packages; everything that
decides anything lives there. The OpenAPI schema is at ``/openapi.json`` and the docs at ``/docs``;
the analysts' UI is served at ``/ui/``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.responses import RedirectResponse

from sanctrace import __version__
from sanctrace.api import errors, users
from sanctrace.api.middleware import EdgeMiddleware
from sanctrace.api.routes import ROUTERS
from sanctrace.api.state import ApiState
from sanctrace.api.web import mount_ui
from sanctrace.config import Settings
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.errors import EngineError

log = logging.getLogger("sanctrace.api")

DESCRIPTION = """Sanctions enforcement for crypto exchanges over HTTP.

Every request except `/health` needs `Authorization: Bearer <token>` (create users and tokens with
`sanctrace users add NAME --role analyst|supervisor|auditor|admin`). Errors are
`{"error": "<message>"}` with the same wording as the CLI: 4xx for the caller's mistakes
(401 no/bad token, 403 role, 404 unknown id, 409 state conflict such as four-eyes, 413 body too large,
422 bad input, 429 rate limit).
"""


def _warm(state: ApiState) -> None:
    """Build the screening index and the decision snapshot at startup, in the background, so the
    first analyst or withdrawal does not wait for them (requests meanwhile wait for the build)."""
    from sanctrace.api.routes.decisions import decider_for
    from sanctrace.api.routes.screening import screener_for

    db = state.cursor()
    try:
        if db.table_exists("list_snapshots"):
            screener_for(state, db)
        if db.table_exists("ledger_accounts"):
            decider_for(state, db)
    except Exception as exc:  # a request will build (and report) it again; never crash the server
        log.warning("warm-up skipped: %s", type(exc).__name__)
    finally:
        db.close()


def create_app(settings: Settings | None = None, *, engine: DuckDBEngine | None = None,
               warm: bool = True) -> FastAPI:
    """Build the app. With ``engine`` the caller keeps ownership of it (tests); otherwise the app
    opens ``settings.db`` and closes it on shutdown. ``warm`` builds the screening index and the
    decision snapshot in the background at startup."""
    settings = settings or Settings()
    if settings.engine != "duckdb":
        raise EngineError("the API server runs on the DuckDB engine (use --engine duckdb)")
    owns = engine is None
    eng = engine if engine is not None else DuckDBEngine(
        settings.db, threads=settings.threads, memory_limit=settings.memory_limit
    )
    users.ensure_schema(eng)
    state = ApiState(settings, eng, owns_engine=owns)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm:
            threading.Thread(target=_warm, args=(state,), name="sanctrace-warm", daemon=True).start()
        try:
            yield
        finally:
            state.close()

    app = FastAPI(
        title="sanctrace", version=__version__, description=DESCRIPTION, lifespan=lifespan,
        openapi_tags=[{"name": t} for t in (
            "screening", "lists", "chain", "ownership", "alerts", "cases", "reports", "decisions", "rules",
            "dashboard", "audit", "users", "meta",
        )],
    )
    app.state.api = state
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    mount_ui(app)

    @app.get("/", include_in_schema=False)
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/")

    app.add_middleware(EdgeMiddleware, max_body=settings.api_max_body_bytes,
                       max_upload=settings.api_max_upload_bytes, limiter=state.limiter)
    return app
