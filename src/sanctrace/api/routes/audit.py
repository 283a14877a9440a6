"""The audit log, read-only (auditors, supervisors, admins): events and chain verification."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from sanctrace.api.auth import Caller, need
from sanctrace.api.roles import Perm
from sanctrace.api.schemas import ERRORS, JSON
from sanctrace.cli.io import to_jsonable

router = APIRouter(prefix="/audit", tags=["audit"], responses=ERRORS)
Auditor = Annotated[Caller, Depends(need(Perm.AUDIT_READ))]


@router.get("/events")
def events(
    caller: Auditor,
    subject_type: Annotated[str | None, Query(max_length=64)] = None,
    subject_id: Annotated[str | None, Query(max_length=256)] = None,
    action: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
) -> list[JSON]:
    from sanctrace.cases.audit import AuditLog

    log = AuditLog(caller.db)
    found = log.events(subject_type=subject_type, subject_id=subject_id, action=action, limit=limit)
    out: list[Any] = to_jsonable(found)
    return out


@router.get("/verify")
def verify(caller: Auditor, expected_head: Annotated[str | None, Query(max_length=128)] = None) -> JSON:
    from sanctrace.cases.audit import AuditLog

    out: JSON = to_jsonable(AuditLog(caller.db).verify(expected_head))
    return out
