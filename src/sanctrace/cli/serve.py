"""CLI for `sanctrace serve` (the HTTP API and web UI) and `sanctrace users` (API users and tokens).

Thin: parses options and calls ``sanctrace.api``. FastAPI and uvicorn are imported only when the
server is actually started.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Annotated

import typer

from sanctrace.cli.context import app_context
from sanctrace.cli.io import emit

users_app = typer.Typer(help="API users and their tokens (roles: analyst, supervisor, auditor, admin).",
                        no_args_is_help=True)


def serve(
    ctx: typer.Context,
    host: Annotated[str | None, typer.Option(help="Address to listen on (default 127.0.0.1).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8000; 0 picks a free one).")] = None,
    workers_log: Annotated[bool, typer.Option("--access-log/--no-access-log",
                                              help="Log each request (no personal data).")] = True,
    report_entity: Annotated[Path | None, typer.Option(
        "--report-entity", help="Reporting-entity profile (JSON/YAML) for STR downloads.")] = None,
) -> None:
    """Serve the HTTP API (/docs) and the analysts' web UI (/ui/)."""
    import uvicorn

    from sanctrace.api.app import create_app

    ac = app_context(ctx)
    settings = ac.settings
    if report_entity is not None:
        settings = settings.model_copy(update={"api_report_entity": report_entity})
    ac.close()  # the server opens its own engine
    app = create_app(settings)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("sanctrace.api.access").setLevel(logging.INFO if workers_log else logging.WARNING)
    bind_host = host or settings.api_host
    bind_port = port if port is not None else settings.api_port
    sys.setswitchinterval(settings.api_gil_switch_interval_ms / 1000)  # see Settings: latency under threads
    typer.echo(f"sanctrace API on http://{bind_host}:{bind_port}/ (UI at /ui/, docs at /docs)", err=True)
    # uvicorn's own access log prints full paths and query strings; ours logs route templates only.
    # log_config=None: keep our logging set-up (uvicorn's would re-enable and reformat loggers).
    uvicorn.run(app, host=bind_host, port=bind_port, access_log=False, log_level="warning", server_header=False,
                log_config=None)


@users_app.command("add")
def users_add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="User name (letters, digits, . _ -).")],
    role: Annotated[str, typer.Option("--role", help="analyst, supervisor, auditor or admin.")],
    token: Annotated[bool, typer.Option("--token/--no-token", help="Also issue a token.")] = True,
) -> None:
    """Create a user; prints its first token (shown once, stored only hashed)."""
    from sanctrace.api import users
    from sanctrace.cases.audit import AuditLog

    eng = app_context(ctx).engine
    with eng.transaction():
        user = users.create_user(eng, name, role)
        secret = users.issue_token(eng, name) if token else None
        AuditLog(eng).append("cli", "user.create", "user", name, {"role": user.role.value})
    typer.echo(secret if secret else f"created {name} ({user.role.value})")


@users_app.command("token")
def users_token(ctx: typer.Context, name: Annotated[str, typer.Argument()]) -> None:
    """Issue another token for a user (printed once)."""
    from sanctrace.api import users
    from sanctrace.cases.audit import AuditLog

    eng = app_context(ctx).engine
    with eng.transaction():
        secret = users.issue_token(eng, name)
        AuditLog(eng).append("cli", "user.token", "user", name, {"token_id": users.token_id_of(secret)})
    typer.echo(secret)


@users_app.command("revoke")
def users_revoke(ctx: typer.Context, name: Annotated[str, typer.Argument()]) -> None:
    """Revoke every token of a user and disable the user."""
    from sanctrace.api import users
    from sanctrace.cases.audit import AuditLog

    eng = app_context(ctx).engine
    with eng.transaction():
        n = users.revoke_tokens(eng, name)
        users.set_disabled(eng, name, True)
        AuditLog(eng).append("cli", "user.disable", "user", name, {"tokens_revoked": n})
    typer.echo(f"revoked {n} token(s); {name} disabled")


@users_app.command("list")
def users_list(
    ctx: typer.Context,
    fmt: Annotated[str, typer.Option("--format", help="table or json")] = "table",
) -> None:
    """List users and roles (never tokens)."""
    from sanctrace.api import users

    emit(users.list_users(app_context(ctx).engine), fmt)


def register(root: typer.Typer) -> None:
    root.command("serve")(serve)
    root.add_typer(users_app, name="users")
