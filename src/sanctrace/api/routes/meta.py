"""Health (no auth, for load balancers) and who-am-I (for the UI's login)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from sanctrace import __version__
from sanctrace.api.auth import Caller, need
from sanctrace.api.roles import GRANTS, Perm
from sanctrace.api.schemas import ERRORS, Health, Me

router = APIRouter(tags=["meta"], responses=ERRORS)


@router.get("/health", response_model=Health)
def health() -> Health:
    return Health(status="ok", version=__version__)


@router.get("/me", response_model=Me)
def me(caller: Annotated[Caller, Depends(need(Perm.READ))]) -> Me:
    perms = sorted(p.value for p in GRANTS[caller.user.role])
    return Me(name=caller.user.name, role=caller.user.role.value, permissions=perms)
