"""Sanctions lists over HTTP: snapshots (versions), stats, diff, one entry, update and upload.

Reading is for every role; loading and updating lists is for admins and is an audit event. After a
change the screening index is rebuilt on the next screening request (the version changed).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, UploadFile
from pydantic import BaseModel, Field

from sanctrace.api.auth import Caller, need
from sanctrace.api.roles import Perm
from sanctrace.api.schemas import ERRORS, JSON
from sanctrace.cli.io import to_jsonable
from sanctrace.errors import InputError

router = APIRouter(prefix="/lists", tags=["lists"], responses=ERRORS)
Reader = Annotated[Caller, Depends(need(Perm.READ))]
Admin = Annotated[Caller, Depends(need(Perm.LISTS_WRITE))]


class UpdateBody(BaseModel):
    sources: list[Annotated[str, Field(max_length=32)]] | None = Field(
        default=None, max_length=16, description="sources to download (default: every configured URL)")


def _snap(info: Any) -> JSON:
    d: JSON = to_jsonable(info)
    d["version"] = info.version
    return d


@router.get("/snapshots")
def snapshots(caller: Reader) -> JSON:
    """Every stored list version, and which are current (latest per source)."""
    from sanctrace.lists import current_snapshot_ids, list_snapshots, list_version

    snaps = list_snapshots(caller.db)
    current = current_snapshot_ids(caller.db)
    return {"snapshots": [_snap(s) for s in snaps], "current": current,
            "list_version": list_version(caller.db) if current else None}


@router.get("/stats")
def stats(
    caller: Reader,
    snapshot: Annotated[list[int] | None, Query(description="snapshot ids (default: current)")] = None,
) -> JSON:
    from sanctrace.lists import stats as list_stats

    out: JSON = to_jsonable(list_stats(caller.db, snapshot or None))
    return out


@router.get("/diff")
def diff(caller: Reader, a: Annotated[int, Query(ge=0)], b: Annotated[int, Query(ge=0)]) -> JSON:
    """Entries added, removed and changed (with the changed fields) from snapshot ``a`` to ``b``."""
    from sanctrace.lists import diff as list_diff

    d = list_diff(caller.db, a, b)
    out: JSON = to_jsonable(d)
    out["summary"] = d.summary
    return out


@router.get("/entries/{entity_id}")
def entry(entity_id: Annotated[str, Path(min_length=3, max_length=128)], caller: Reader) -> JSON:
    """One list entry (``ofac:36456``) from the current snapshots."""
    from sanctrace.lists import get_entry

    out: JSON = to_jsonable(get_entry(caller.db, entity_id))
    return out


def _changed(caller: Caller, action: str, infos: list[Any]) -> list[JSON]:
    caller.audit(action, "lists", ",".join(sorted({i.source for i in infos})) or "-",
                 {"snapshots": [{"id": i.snapshot_id, "file_sha256": i.file_sha256, "reused": i.reused}
                                for i in infos]})
    caller.state.screener.invalidate()
    return [_snap(i) for i in infos]


@router.post("/update")
def update(caller: Admin, body: UpdateBody | None = None) -> list[JSON]:
    """Download the configured official lists, verify they parse, and load them (admin)."""
    from sanctrace.lists.update import update_lists

    with caller.writing():
        infos = update_lists(caller.db, caller.state.settings, body.sources if body else None)
        return _changed(caller, "lists.update", infos)


@router.post("/load", status_code=201)
def load(
    caller: Admin,
    file: Annotated[UploadFile, File(description="an official list file (format is detected)")],
    source: Annotated[str | None, Form(max_length=32)] = None,
) -> list[JSON]:
    """Load an uploaded list file as a new snapshot (admin; idempotent by sha256)."""
    from sanctrace.lists import load_paths

    name = FsPath(file.filename or "").name
    if not name or name.startswith("."):
        raise InputError("upload: a file name is required")
    with tempfile.TemporaryDirectory(prefix="sanctrace-list-") as tmp:
        path = FsPath(tmp) / name
        with path.open("wb") as out:
            shutil.copyfileobj(file.file, out)
        with caller.writing(), caller.db.transaction():
            infos = load_paths(caller.db, [path], source_hint=source)
            return _changed(caller, "lists.load", infos)
