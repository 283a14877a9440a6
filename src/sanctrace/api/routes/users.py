"""User administration (admin only): create users, issue and revoke tokens, disable accounts."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path

from sanctrace.api import users as store
from sanctrace.api.auth import Caller, need
from sanctrace.api.roles import Perm
from sanctrace.api.schemas import ERRORS, TokenOut, UserCreate, UserOut

router = APIRouter(prefix="/users", tags=["users"], responses=ERRORS)
Admin = Annotated[Caller, Depends(need(Perm.USERS_ADMIN))]
UserName = Annotated[str, Path(min_length=1, max_length=64)]


def _out(u: store.User) -> UserOut:
    return UserOut(name=u.name, role=u.role.value, created_at=u.created_at.isoformat(), disabled=u.disabled)


@router.get("", response_model=list[UserOut])
def list_users(caller: Admin) -> list[UserOut]:
    return [_out(u) for u in store.list_users(caller.db)]


@router.post("", response_model=UserOut, status_code=201)
def create_user(body: UserCreate, caller: Admin) -> UserOut:
    with caller.writing(), caller.db.transaction():
        user = store.create_user(caller.db, body.name, body.role)
        caller.audit("user.create", "user", user.name, {"role": user.role.value})
    return _out(user)


@router.post("/{name}/tokens", response_model=TokenOut, status_code=201)
def issue_token(name: UserName, caller: Admin) -> TokenOut:
    with caller.writing(), caller.db.transaction():
        token = store.issue_token(caller.db, name)
        caller.audit("user.token", "user", name, {"token_id": store.token_id_of(token)})
    return TokenOut(user=name, token=token)


@router.post("/{name}/revoke", response_model=UserOut)
def revoke(name: UserName, caller: Admin) -> UserOut:
    with caller.writing(), caller.db.transaction():
        n = store.revoke_tokens(caller.db, name)
        user = store.set_disabled(caller.db, name, True)
        caller.audit("user.disable", "user", name, {"tokens_revoked": n})
    caller.state.auth_cache.clear()  # revoked tokens stop working now, not after the cache TTL
    return _out(user)
