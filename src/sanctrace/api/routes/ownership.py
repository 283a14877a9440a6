"""Ownership verdicts (OFAC / EU / UK 50% rules, Japan beneficial owner) and customer networks.

The verdict carries its path evidence (listed root → … → party with the shares on each step), which
the UI draws as the ownership graph.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query

from sanctrace.api.auth import Caller, need
from sanctrace.api.roles import Perm
from sanctrace.api.schemas import ERRORS, JSON
from sanctrace.cli.io import to_jsonable

router = APIRouter(tags=["ownership"], responses=ERRORS)
Reader = Annotated[Caller, Depends(need(Perm.READ))]
PartyId = Annotated[str, Path(min_length=1, max_length=256)]


@router.get("/ownership/{party_id}")
def ownership(
    party_id: PartyId,
    caller: Reader,
    regime: Annotated[str, Query(pattern=r"^(ofac|eu|uk|jp)$")] = "ofac",
    as_of: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
) -> JSON:
    """Is this party blocked under ``regime``; the shares (certain/possible), paths and reasons."""
    from sanctrace.ownership import check

    return asdict(check(caller.db, party_id, regime, as_of=as_of))


@router.get("/networks/{party_id}")
def network(
    party_id: PartyId,
    caller: Reader,
    hops: Annotated[int, Query(ge=0, le=4)] = 2,
    cap: Annotated[int, Query(ge=1, le=1000, description="values shared by more parties link nothing")] = 10,
    as_of: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None,
) -> JSON:
    """The customer network around a party: nodes, evidence edges (shared keys, relations, same
    identity), and the too-common values that were not allowed to link (frequency cap)."""
    from sanctrace.ownership.networks import show

    return show(caller.db, party_id, hops=hops, cap=cap, as_of=as_of)


@router.get("/parties/{party_id}/redflags")
def redflags(party_id: PartyId, caller: Reader,
             as_of: Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}-\d{2}$")] = None) -> JSON:
    """Shell-company red flags of a party, each named, weighted and explained."""
    from sanctrace.ownership.redflags import redflags as find

    out: JSON = to_jsonable(find(caller.db, party_id, as_of=as_of))
    return out
