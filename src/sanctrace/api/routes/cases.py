"""Alerts and cases over HTTP: the queue, the case file and the workflow actions.

Every action goes through :class:`sanctrace.cases.workflow.CaseWorkflow`, which records the audit
event with the acting user inside the same transaction; the route only says who the user is.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path as FsPath
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field

from sanctrace.api.auth import Caller, need
from sanctrace.api.roles import Perm
from sanctrace.api.schemas import ERRORS, JSON
from sanctrace.cases.alerts import get_alert
from sanctrace.cases.store import ALERT_COLUMNS, alert_from_row, ensure_schema
from sanctrace.cases.workflow import MAX_NOTE_CHARS, CaseWorkflow
from sanctrace.errors import InputError

router = APIRouter(tags=["cases"], responses=ERRORS)
alerts_router = APIRouter(prefix="/alerts", tags=["alerts"], responses=ERRORS)
Reader = Annotated[Caller, Depends(need(Perm.READ))]
Worker = Annotated[Caller, Depends(need(Perm.CASE_WORK))]
Approver = Annotated[Caller, Depends(need(Perm.CASE_APPROVE))]
CaseId = Annotated[str, Path(min_length=1, max_length=64)]
Text = Field(min_length=1, max_length=MAX_NOTE_CHARS)


class AssignBody(BaseModel):
    assignee: str = Field(min_length=1, max_length=64)


class NoteBody(BaseModel):
    text: str = Text


class ReasonBody(BaseModel):
    reason: str = Text


class CloseBody(BaseModel):
    disposition: str = Field(pattern=r"^(true_positive|false_positive|reported)$")
    reason: str = Text


class ApproveBody(BaseModel):
    comment: str | None = Field(default=None, max_length=MAX_NOTE_CHARS)


@alerts_router.get("")
def list_alerts(
    caller: Reader,
    rule_id: Annotated[str | None, Query(max_length=128)] = None,
    subject_id: Annotated[str | None, Query(max_length=256)] = None,
    open_only: Annotated[bool, Query(description="only alerts whose case is not closed")] = False,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
) -> list[JSON]:
    """The alert queue, most severe and newest first, each with its case id."""
    db = caller.db
    ensure_schema(db)
    where, params = [], []
    if rule_id is not None:
        where.append("a.rule_id = ?")
        params.append(rule_id)
    if subject_id is not None:
        where.append("a.subject_id = ?")
        params.append(subject_id)
    if open_only:
        where.append("coalesce(c.status, 'open') <> 'closed'")
    cols = ", ".join(f"a.{c.strip()}" for c in ALERT_COLUMNS.split(","))
    sql = (f"SELECT {cols}, a.case_id, c.status FROM alerts a LEFT JOIN cases c ON c.case_id = a.case_id "
           + (("WHERE " + " AND ".join(where)) if where else "")
           + " ORDER BY CASE a.severity WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2 ELSE 3 END,"
           f" a.occurred_at DESC, a.alert_id LIMIT {int(limit)}")
    out = []
    for row in db.query(sql, params):
        d = alert_from_row(row[:-2]).to_dict()
        d["case_id"], d["case_status"] = row[-2], row[-1]
        out.append(d)
    return out


@alerts_router.get("/{alert_id}")
def show_alert(alert_id: Annotated[str, Path(min_length=1, max_length=128)], caller: Reader) -> JSON:
    d = get_alert(caller.db, alert_id).to_dict()
    d["case_id"] = caller.db.scalar("SELECT case_id FROM alerts WHERE alert_id = ?", [alert_id])
    return d


@router.get("/cases")
def list_cases(
    caller: Reader,
    status: Annotated[str | None, Query(pattern=r"^(open|investigating|escalated|closed)$")] = None,
    assignee: Annotated[str | None, Query(max_length=64)] = None,
    subject_id: Annotated[str | None, Query(max_length=256)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
) -> list[JSON]:
    found = CaseWorkflow(caller.db).find(status=status, assignee=assignee, subject_id=subject_id, limit=limit)
    return [c.to_dict() for c in found]


@router.get("/cases/{case_id}")
def show_case(case_id: CaseId, caller: Reader) -> JSON:
    """The case file: case fields, alerts with evidence, notes, attachments and the decision trail."""
    return CaseWorkflow(caller.db).show(case_id).to_dict()


@router.post("/cases/{case_id}/assign")
def assign(case_id: CaseId, body: AssignBody, caller: Worker) -> JSON:
    with caller.writing():
        return CaseWorkflow(caller.db).assign(case_id, body.assignee, user=caller.user.name).to_dict()


@router.post("/cases/{case_id}/notes", status_code=201)
def note(case_id: CaseId, body: NoteBody, caller: Worker) -> JSON:
    with caller.writing():
        n = CaseWorkflow(caller.db).note(case_id, body.text, user=caller.user.name)
    return {"note_id": n.note_id, "case_id": n.case_id, "author": n.author,
            "created_at": n.created_at.isoformat(), "text": n.text}


@router.post("/cases/{case_id}/escalate")
def escalate(case_id: CaseId, body: ReasonBody, caller: Worker) -> JSON:
    with caller.writing():
        return CaseWorkflow(caller.db).escalate(case_id, body.reason, user=caller.user.name).to_dict()


@router.post("/cases/{case_id}/close")
def close(case_id: CaseId, body: CloseBody, caller: Worker) -> JSON:
    """Close with a disposition; ``reported`` waits for a second user's approval (four-eyes)."""
    with caller.writing():
        return CaseWorkflow(caller.db).close(case_id, body.disposition, body.reason, user=caller.user.name).to_dict()


@router.post("/cases/{case_id}/approve")
def approve(case_id: CaseId, body: ApproveBody, caller: Approver) -> JSON:
    with caller.writing():
        return CaseWorkflow(caller.db).approve(case_id, user=caller.user.name, comment=body.comment).to_dict()


@router.post("/cases/{case_id}/reject")
def reject(case_id: CaseId, body: ReasonBody, caller: Approver) -> JSON:
    with caller.writing():
        return CaseWorkflow(caller.db).reject(case_id, body.reason, user=caller.user.name).to_dict()


@router.post("/cases/{case_id}/attachments", status_code=201)
def attach(
    case_id: CaseId,
    caller: Worker,
    file: Annotated[UploadFile, File(description="evidence file (stored with its SHA-256)")],
    description: Annotated[str | None, Form(max_length=2000)] = None,
) -> JSON:
    name = FsPath(file.filename or "").name
    if not name or name.startswith("."):
        raise InputError("attachment: a file name is required")
    with tempfile.TemporaryDirectory(prefix="sanctrace-upload-") as tmp:
        path = FsPath(tmp) / name
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        with caller.writing():
            a = CaseWorkflow(caller.db).attach(case_id, path, user=caller.user.name, description=description,
                                               media_type=file.content_type)
    return {"attachment_id": a.attachment_id, "filename": a.filename, "sha256": a.sha256, "size": a.size}


@router.get("/cases/{case_id}/attachments/{attachment_id}", response_class=Response)
def attachment(case_id: CaseId, attachment_id: Annotated[str, Path(max_length=64)], caller: Reader) -> Response:
    meta, content = CaseWorkflow(caller.db).attachment_content(attachment_id)
    if meta.case_id != case_id:
        raise InputError(f"attachment {attachment_id} does not belong to case {case_id}")
    return Response(content, media_type="application/octet-stream",
                    headers={"content-disposition": f"attachment; filename*=UTF-8''{quote(meta.filename)}"})
