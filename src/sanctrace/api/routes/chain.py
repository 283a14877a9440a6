"""Bitcoin over HTTP: block summary, address cluster, why two addresses are linked, and tracing.

Each answer carries its evidence (the transactions and the heuristic behind every cluster merge;
the paths and shares of a trace) so an analyst can defend it.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response

from sanctrace.api.auth import Caller, need
from sanctrace.api.roles import Perm
from sanctrace.api.schemas import ERRORS, JSON
from sanctrace.cli.io import to_jsonable

router = APIRouter(prefix="/chain", tags=["chain"], responses=ERRORS)
Reader = Annotated[Caller, Depends(need(Perm.READ))]
Address = Annotated[str, Query(min_length=14, max_length=128, pattern=r"^[A-Za-z0-9]+$")]


@router.get("/blocks/{block}")
def block(block: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[0-9a-fA-F]+$")],
          caller: Reader) -> JSON:
    """Header fields, tx/input/output counts and total fees of a block (by height or hash)."""
    from sanctrace.chain.schema import block_summary

    key: str | int = int(block) if block.isdigit() and len(block) < 10 else block.lower()
    out: JSON = to_jsonable(block_summary(caller.db, key))
    return out


@router.get("/clusters/{address}")
def cluster(address: Annotated[str, Path(min_length=14, max_length=128, pattern=r"^[A-Za-z0-9]+$")],
            caller: Reader, sample: Annotated[int, Query(ge=0, le=1000)] = 10) -> JSON:
    """The address's cluster: id, size, tags, entity, category and sample addresses."""
    from sanctrace.chain.witness import cluster_info

    out: JSON = to_jsonable(cluster_info(caller.db, address, sample=sample))
    return out


@router.get("/why")
def why(a: Address, b: Address, caller: Reader) -> JSON:
    """The chain of transactions and heuristics that put two addresses in one cluster."""
    from sanctrace.chain.witness import why as explain

    out: JSON = to_jsonable(explain(caller.db, a, b))
    return out


@router.get("/trace", responses={200: {"content": {"application/json": {}, "application/xml": {}}}})
def trace(
    caller: Reader,
    start: Annotated[str, Query(min_length=14, max_length=140, pattern=r"^[A-Za-z0-9]+(:[0-9]{1,6})?$",
                                description="TXID:VOUT, TXID or an address")],
    direction: Annotated[str, Query(pattern=r"^(back|forward)$")] = "back",
    hops: Annotated[int, Query(ge=1, le=12)] = 5,
    method: Annotated[str, Query(pattern=r"^(poison|haircut|fifo)$")] = "haircut",
    format: Annotated[str, Query(pattern=r"^(json|graphml)$")] = "json",
) -> Any:
    """Source of funds (back) or final destination (forward): exposure by category and entity with
    shares, the paths as evidence, and the walked graph (JSON for the UI, or GraphML)."""
    from sanctrace.chain.trace import to_graphml
    from sanctrace.chain.trace import trace as run

    result = run(caller.db, start, direction, hops, method)  # type: ignore[arg-type]
    if format == "graphml":
        return Response(to_graphml(result), media_type="application/xml")
    out: JSON = to_jsonable(result)
    return out
