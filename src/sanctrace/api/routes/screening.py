"""Screening over HTTP: one record or a batch, names in any script, wallets, Russia nexus.

The screening index is built once, on the first request, from the current list snapshots, and
reused until the list version changes (a list upload or update); every answer names that version.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from sanctrace.api.auth import Caller, need
from sanctrace.api.roles import Perm
from sanctrace.api.schemas import ERRORS, JSON, ScreeningOut
from sanctrace.api.state import ApiState
from sanctrace.cli.io import to_jsonable
from sanctrace.engine import Engine
from sanctrace.errors import Conflict

router = APIRouter(prefix="/screen", tags=["screening"], responses=ERRORS)
Screen = Annotated[Caller, Depends(need(Perm.SCREEN))]
MAX_BATCH = 1000
_Opt = Field(default=None, max_length=512)


class ScreenIn(BaseModel):
    id: str | None = Field(default=None, max_length=128, description="your reference (default: the name)")
    name: str = Field(min_length=1, max_length=512, description="a name in any script")
    kind: str | None = Field(default=None, pattern=r"^(person|individual|company|organization|entity|vessel|"
                             r"aircraft|unknown)$")
    birth_date: str | None = Field(default=None, max_length=32)
    nationality: str | None = Field(default=None, max_length=64)
    country: str | None = Field(default=None, max_length=64)
    wallet: str | None = Field(default=None, max_length=128)
    phone: str | None = Field(default=None, max_length=64)
    email: str | None = Field(default=None, max_length=256)
    address: str | None = _Opt
    ip_country: str | None = Field(default=None, max_length=8)
    document_country: str | None = Field(default=None, max_length=64)
    id_number: str | None = Field(default=None, max_length=128)


class BatchIn(BaseModel):
    records: list[ScreenIn] = Field(min_length=1, max_length=MAX_BATCH)


def screener_for(state: ApiState, db: Engine) -> Any:
    """The server's screening index for the current list version (built on first use)."""
    from sanctrace.lists.store import list_version
    from sanctrace.screening.screener import Screener

    def build() -> Any:
        if not list_version(db):
            raise Conflict("no sanctions lists loaded: load one first (sanctrace lists load, or POST /lists/load)")
        return Screener.from_engine(state.cursor())

    return state.screener.get(lambda: list_version(db), build)


def screener(caller: Caller) -> Any:
    return screener_for(caller.state, caller.db)


def _record(body: ScreenIn) -> Any:
    from sanctrace.screening.records import CustomerRecord, normalize_kind

    fields = body.model_dump(exclude={"id", "kind"})
    return CustomerRecord(id=body.id or body.name, kind=normalize_kind(body.kind, source="request"), **fields)


def _result(result: Any, version: str) -> JSON:
    out: JSON = to_jsonable(result)
    out["hit"] = result.hit
    out["list_version"] = version
    return out


@router.post("", response_model=ScreeningOut)
def screen(body: ScreenIn, caller: Screen) -> JSON:
    """Matches (entity, name, score in [0, 1], the features that produced it, programs, list
    version) and the Russia-nexus reasons of one record."""
    s = screener(caller)
    caller.state.count("screen")
    return _result(s.screen(_record(body)), s.list_version)


@router.post("/batch", response_model=list[ScreeningOut])
def screen_batch(body: BatchIn, caller: Screen) -> list[JSON]:
    """Up to 1000 records in one call; results in input order."""
    s = screener(caller)
    records = [_record(r) for r in body.records]
    caller.state.count("screen", len(records))
    return [_result(r, s.list_version) for r in s.screen_many(records)]
