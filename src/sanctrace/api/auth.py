"""Bearer-token authentication and per-permission authorisation as FastAPI dependencies.

Routes declare what they need with ``Depends(need(Perm.X))`` and receive a :class:`Caller`: the user
and a per-request engine cursor. A missing or bad token is 401, a role without the permission 403
(with the same wording the CLI would use for :class:`PermissionDenied`).
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from sanctrace.api.roles import Perm, allowed
from sanctrace.api.state import AUTH_TTL_S, ApiState, CursorEngine
from sanctrace.api.users import User, authenticate
from sanctrace.errors import PermissionDenied, SanctraceError

_bearer = HTTPBearer(auto_error=False, description="API token: `sanctrace users token NAME`")


class Unauthenticated(SanctraceError):
    http_status = 401


@dataclass
class Caller:
    user: User
    db: CursorEngine
    state: ApiState

    @contextmanager
    def writing(self) -> Iterator[None]:
        """Writes run one at a time, inside the route (never across a dependency's yield, which
        FastAPI may enter and leave on different threads): DuckDB's optimistic concurrency would
        otherwise fail two concurrent appends to the hash-chained audit log."""
        with self.state.write_lock:
            yield

    def audit(self, action: str, subject_type: str, subject_id: str, details: dict[str, Any]) -> None:
        """Record a write as an audit event with the acting user (the cases package's log)."""
        from sanctrace.cases.audit import AuditLog

        with self.state.write_lock:  # re-entrant: write routes already hold it
            AuditLog(self.db).append(self.user.name, action, subject_type, subject_id, details)


async def api_state(request: Request) -> ApiState:
    state: ApiState = request.app.state.api
    return state


# The dependencies are async on purpose: they are cheap (a cursor, a cache hit), and sync ones would
# each cost a hop to the thread pool on every request. A cache miss queries DuckDB briefly in-loop.
async def db_cursor(state: Annotated[ApiState, Depends(api_state)]) -> AsyncIterator[CursorEngine]:
    cur = state.cursor()
    try:
        yield cur
    finally:
        cur.close()


async def current_user(
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    db: Annotated[CursorEngine, Depends(db_cursor)],
    state: Annotated[ApiState, Depends(api_state)],
) -> User:
    if creds is None or creds.scheme.lower() != "bearer":
        raise Unauthenticated("authentication required: send 'Authorization: Bearer <token>'")
    key = hashlib.sha256(creds.credentials.encode()).hexdigest()
    now = time.monotonic()
    hit = state.auth_cache.get(key)
    if hit is not None and hit[1] > now:
        cached: User = hit[0]
        return cached
    user = authenticate(db, creds.credentials)
    if user is None:
        state.auth_cache.pop(key, None)
        raise Unauthenticated("invalid, revoked or disabled token")
    if len(state.auth_cache) > 10_000:
        state.auth_cache.clear()
    state.auth_cache[key] = (user, now + AUTH_TTL_S)
    return user


def need(perm: Perm) -> Callable[..., Awaitable[Caller]]:
    async def dependency(
        user: Annotated[User, Depends(current_user)],
        db: Annotated[CursorEngine, Depends(db_cursor)],
        state: Annotated[ApiState, Depends(api_state)],
    ) -> Caller:
        if not allowed(user.role, perm):
            raise PermissionDenied(f"role {user.role.value} may not {perm.value}")
        return Caller(user, db, state)

    return dependency
