"""Regulatory reports over HTTP: the STR of a case (goAML XML, or the Japanese fields as CSV/JSON)
and the case's investigation report (HTML).

Producing an STR is recorded in the audit log with the user and the SHA-256 of what was served,
so the filed document can later be matched to the case record.
"""

from __future__ import annotations

import hashlib
import io
import tempfile
import zipfile
from datetime import UTC, datetime
from pathlib import Path as FsPath
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from sanctrace.api.auth import Caller, need
from sanctrace.api.roles import Perm
from sanctrace.api.schemas import ERRORS

router = APIRouter(tags=["reports"], responses=ERRORS)
Reader = Annotated[Caller, Depends(need(Perm.READ))]
CaseId = Annotated[str, Path(min_length=1, max_length=64)]

FORMATS = {
    "goaml": ("application/xml", "xml"),
    "jp-csv": ("text/csv; charset=utf-8", "csv"),
    "jp-json": ("application/json", "json"),
}


def _download(caller: Caller, case_id: str, kind: str, fmt: str, body: bytes) -> Response:
    media, ext = FORMATS.get(fmt, ("text/html; charset=utf-8", "html"))
    digest = hashlib.sha256(body).hexdigest()
    caller.audit(f"report.{kind}", "case", case_id, {"format": fmt, "sha256": digest, "bytes": len(body)})
    name = f"{kind}-{case_id}.{ext}"
    return Response(body, media_type=media, headers={
        "content-disposition": f'attachment; filename="{name}"', "x-content-sha256": digest})


@router.get("/cases/{case_id}/str", response_class=Response,
            responses={200: {"content": {"application/xml": {}, "text/csv": {}, "application/json": {}}}})
def str_report(
    case_id: CaseId,
    caller: Reader,
    format: Annotated[str, Query(pattern=r"^(goaml|jp-csv|jp-json)$")] = "goaml",
) -> Response:
    """The suspicious transaction report of a case, ready to file."""
    from sanctrace.reports import goaml, jp_str
    from sanctrace.reports.entity import load_entity
    from sanctrace.reports.facts import gather

    facts = gather(caller.db, case_id)
    entity = load_entity(caller.state.settings.api_report_entity)
    now = datetime.now(UTC)
    if format == "goaml":
        body = goaml.to_bytes(goaml.build_str(facts, entity, submitted_at=now))
    elif format == "jp-csv":
        body = jp_str.to_csv(facts, entity, submitted_at=now).encode("utf-8")
    else:
        body = jp_str.to_json(facts, entity, submitted_at=now).encode("utf-8")
    return _download(caller, case_id, "str", format, body)


@router.get("/cases/{case_id}/report", response_class=Response,
            responses={200: {"content": {"text/html": {}}}})
def investigation_report(case_id: CaseId, caller: Reader) -> Response:
    """The investigation report of a case (HTML: subject, evidence, fund-flow picture, trail)."""
    from sanctrace.reports import investigation

    html = investigation.render_html(investigation.view(caller.db, case_id))
    return _download(caller, case_id, "investigation", "html", html.encode("utf-8"))


class InfoRequestIn(BaseModel):
    date_from: str = Field(max_length=40, description="ISO 8601 date or time (UTC), inclusive")
    date_to: str = Field(max_length=40, description="ISO 8601 date or time (UTC), exclusive")
    reference: str | None = Field(default=None, max_length=200, description="the regulator's request reference")


@router.post("/reports/info-request", response_class=Response,
             responses={200: {"content": {"application/zip": {}}}})
def info_request(body: InfoRequestIn, caller: Reader) -> Response:
    """The regulator information-request package for a period, as a zip: every account and transfer
    with a Russian nexus, a sanctions hit or mining-derived exposure (CSVs) and ``manifest.json``
    with the SHA-256 of each file."""
    from sanctrace.reports.info_request import Period, write_package

    period = Period.parse(body.date_from, body.date_to)
    with tempfile.TemporaryDirectory(prefix="sanctrace-info-") as tmp:
        out = FsPath(tmp) / "package"
        write_package(caller.db, period, out, requested_by=caller.user.name, reference=body.reference)
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
            for path in sorted(out.iterdir()):
                zf.write(path, path.name)
    data = buffer.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    caller.audit("report.info_request", "period", f"{body.date_from}/{body.date_to}",
                 {"reference": body.reference, "sha256": digest, "bytes": len(data)})
    name = f"info-request-{period.start.date()}-{period.end.date()}.zip"
    return Response(data, media_type="application/zip", headers={
        "content-disposition": f'attachment; filename="{name}"', "x-content-sha256": digest})
