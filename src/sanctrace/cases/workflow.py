"""Case workflow: assignment, notes, evidence attachments, escalation, closing and four-eyes approval.

What must stay true: every state change and its audit event commit in one transaction (or neither
does); a closed case no longer changes; a close with disposition ``reported`` takes effect only when
a second, different user approves it (:class:`~sanctrace.errors.Conflict` for the same user);
attachments are stored with their SHA-256 and re-checked when read back.
"""

from __future__ import annotations

import hashlib
import mimetypes
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sanctrace.cases.audit import AuditLog
from sanctrace.cases.store import (
    case_alerts,
    case_attachments,
    case_notes,
    ensure_schema,
    list_cases,
    load_case,
    naive_utc,
)
from sanctrace.engine.base import Engine
from sanctrace.errors import Conflict, InputError, IntegrityError, NotFound
from sanctrace.model.alert import Alert, utc_now
from sanctrace.model.audit import AuditEvent
from sanctrace.model.case import Attachment, Case, CaseNote, CaseStatus, Disposition

MAX_ATTACHMENT_BYTES = 50 * 1024 * 1024
MAX_NOTE_CHARS = 20_000


@dataclass(slots=True)
class CaseFile:
    """Everything about one case, as ``cases show`` prints it and the reports read it."""

    case: Case
    alerts: list[Alert] = field(default_factory=list)
    notes: list[CaseNote] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    trail: list[AuditEvent] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.case.to_dict(),
            "alerts": [a.to_dict() for a in self.alerts],
            "notes": [{"note_id": n.note_id, "author": n.author, "created_at": n.created_at.isoformat(),
                       "text": n.text} for n in self.notes],
            "attachments": [{"attachment_id": a.attachment_id, "filename": a.filename, "sha256": a.sha256,
                             "size": a.size, "media_type": a.media_type, "added_by": a.added_by,
                             "added_at": a.added_at.isoformat(), "description": a.description}
                            for a in self.attachments],
            "trail": [{"seq": e.seq, "time": e.time, "actor": e.actor, "action": e.action,
                       "details": e.details} for e in self.trail],
        }


def _user(user: str) -> str:
    cleaned = (user or "").strip()
    if not cleaned:
        raise InputError("--user is required: every case action is recorded with who did it")
    return cleaned


def _open_case(engine: Engine, case_id: str) -> Case:
    case = load_case(engine, case_id)
    if case.status is CaseStatus.CLOSED:
        raise Conflict(f"case {case_id} is closed ({case.disposition}); it can no longer change")
    return case


class CaseWorkflow:
    """The actions an analyst takes on a case. Every method records an audit event."""

    def __init__(self, engine: Engine):
        self.engine = engine
        ensure_schema(engine)
        self.audit = AuditLog(engine)

    # -- reading -------------------------------------------------------------------------------
    def get(self, case_id: str) -> Case:
        return load_case(self.engine, case_id)

    def find(self, *, status: str | None = None, assignee: str | None = None,
             subject_id: str | None = None, limit: int | None = None) -> list[Case]:
        if status is not None and status not in {s.value for s in CaseStatus}:
            raise InputError(f"unknown status {status!r}: one of {', '.join(s.value for s in CaseStatus)}")
        return list_cases(self.engine, status=status, assignee=assignee, subject_id=subject_id, limit=limit)

    def show(self, case_id: str) -> CaseFile:
        case = load_case(self.engine, case_id)
        return CaseFile(case, case_alerts(self.engine, case_id), case_notes(self.engine, case_id),
                        case_attachments(self.engine, case_id),
                        self.audit.events(subject_type="case", subject_id=case_id))

    # -- actions -------------------------------------------------------------------------------
    def assign(self, case_id: str, assignee: str, *, user: str) -> Case:
        user, assignee = _user(user), (assignee or "").strip()
        if not assignee:
            raise InputError("assignee is required")
        with self.engine.transaction():
            case = _open_case(self.engine, case_id)
            status = CaseStatus.INVESTIGATING if case.status is CaseStatus.OPEN else case.status
            self.engine.execute("UPDATE cases SET assignee = ?, status = ?, updated_at = ? WHERE case_id = ?",
                                [assignee, status.value, naive_utc(utc_now()), case_id])
            self.audit.append(user, "case.assigned", "case", case_id, {
                "assignee": assignee, "previous_assignee": case.assignee, "status": status.value})
        return load_case(self.engine, case_id)

    def note(self, case_id: str, text: str, *, user: str) -> CaseNote:
        user, text = _user(user), (text or "").strip()
        if not text:
            raise InputError("a note needs text")
        if len(text) > MAX_NOTE_CHARS:
            raise InputError(f"note is {len(text)} characters; at most {MAX_NOTE_CHARS}")
        note_id = "note-" + uuid.uuid4().hex[:16]
        now = utc_now()
        with self.engine.transaction():
            load_case(self.engine, case_id)  # notes are allowed on closed cases (later findings)
            self.engine.execute("INSERT INTO case_notes (note_id, case_id, author, created_at, text) "
                                "VALUES (?, ?, ?, ?, ?)",
                                [note_id, case_id, user, naive_utc(now), text])
            self.engine.execute("UPDATE cases SET updated_at = ? WHERE case_id = ?", [naive_utc(now), case_id])
            self.audit.append(user, "case.note", "case", case_id, {"note_id": note_id, "text": text})
        return CaseNote(note_id, case_id, user, now, text)

    def attach(self, case_id: str, path: Path, *, user: str, description: str | None = None,
               media_type: str | None = None) -> Attachment:
        user = _user(user)
        try:
            size = path.stat().st_size
            if size > MAX_ATTACHMENT_BYTES:
                raise InputError.at(str(path), None, f"{size} bytes; attachments are at most "
                                    f"{MAX_ATTACHMENT_BYTES} bytes")
            content = path.read_bytes()
        except OSError as exc:
            raise InputError.at(str(path), None, f"cannot read: {exc.strerror}") from exc
        digest = hashlib.sha256(content).hexdigest()
        kind = media_type or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        attachment_id = "att-" + uuid.uuid4().hex[:16]
        now = utc_now()
        with self.engine.transaction():
            _open_case(self.engine, case_id)
            self.engine.execute(
                "INSERT INTO case_attachments (attachment_id, case_id, filename, sha256, size, media_type, "
                "added_by, added_at, description, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [attachment_id, case_id, path.name, digest, len(content), kind, user, naive_utc(now),
                 description, content])
            self.engine.execute("UPDATE cases SET updated_at = ? WHERE case_id = ?", [naive_utc(now), case_id])
            self.audit.append(user, "case.attached", "case", case_id, {
                "attachment_id": attachment_id, "filename": path.name, "sha256": digest,
                "size": len(content), "media_type": kind, "description": description})
        return Attachment(attachment_id, case_id, path.name, digest, len(content), kind, user, now, description)

    def attachment_content(self, attachment_id: str) -> tuple[Attachment, bytes]:
        """The stored bytes, after checking them against the SHA-256 recorded when attached."""
        row = self.engine.query_one(
            "SELECT case_id, content, sha256 FROM case_attachments WHERE attachment_id = ?", [attachment_id])
        if row is None:
            raise NotFound(f"attachment {attachment_id} not found")
        content = bytes(row[1])
        if hashlib.sha256(content).hexdigest() != row[2]:
            raise IntegrityError(f"attachment {attachment_id}: content does not match its SHA-256")
        meta = next(a for a in case_attachments(self.engine, row[0]) if a.attachment_id == attachment_id)
        return meta, content

    def escalate(self, case_id: str, reason: str, *, user: str) -> Case:
        user, reason = _user(user), (reason or "").strip()
        if not reason:
            raise InputError("escalation needs a reason")
        with self.engine.transaction():
            case = _open_case(self.engine, case_id)
            if case.status is CaseStatus.ESCALATED:
                raise Conflict(f"case {case_id} is already escalated")
            self.engine.execute("UPDATE cases SET status = 'escalated', updated_at = ? WHERE case_id = ?",
                                [naive_utc(utc_now()), case_id])
            self.audit.append(user, "case.escalated", "case", case_id,
                              {"reason": reason, "from_status": case.status.value})
        return load_case(self.engine, case_id)

    def close(self, case_id: str, disposition: str, reason: str, *, user: str) -> Case:
        """Close the case; ``reported`` only requests the close, a second user must approve it."""
        user, reason = _user(user), (reason or "").strip()
        try:
            outcome = Disposition(disposition)
        except ValueError as exc:
            raise InputError(f"unknown disposition {disposition!r}: one of "
                             f"{', '.join(d.value for d in Disposition)}") from exc
        if not reason:
            raise InputError("closing a case needs a reason")
        now = naive_utc(utc_now())
        with self.engine.transaction():
            case = _open_case(self.engine, case_id)
            if case.awaiting_approval:
                raise Conflict(f"case {case_id} already has a close awaiting approval by a second user "
                               f"(requested by {case.close_requested_by})")
            if outcome is Disposition.REPORTED:
                self.engine.execute(
                    "UPDATE cases SET pending_disposition = ?, close_requested_by = ?, close_reason = ?, "
                    "updated_at = ? WHERE case_id = ?", [outcome.value, user, reason, now, case_id])
                self.audit.append(user, "case.close_requested", "case", case_id,
                                  {"disposition": outcome.value, "reason": reason})
            else:
                self.engine.execute(
                    "UPDATE cases SET status = 'closed', disposition = ?, close_reason = ?, closed_at = ?, "
                    "closed_by = ?, updated_at = ? WHERE case_id = ?",
                    [outcome.value, reason, now, user, now, case_id])
                self.audit.append(user, "case.closed", "case", case_id,
                                  {"disposition": outcome.value, "reason": reason,
                                   "from_status": case.status.value})
        return load_case(self.engine, case_id)

    def approve(self, case_id: str, *, user: str, comment: str | None = None) -> Case:
        """Second pair of eyes: confirm a pending ``reported`` close (never one's own)."""
        user = _user(user)
        now = naive_utc(utc_now())
        with self.engine.transaction():
            case = self._pending(case_id, user, "approve")
            self.engine.execute(
                "UPDATE cases SET status = 'closed', disposition = pending_disposition, "
                "pending_disposition = NULL, closed_at = ?, closed_by = close_requested_by, approved_by = ?, "
                "updated_at = ? WHERE case_id = ?", [now, user, now, case_id])
            self.audit.append(user, "case.approved", "case", case_id, {
                "disposition": case.pending_disposition.value if case.pending_disposition else None,
                "requested_by": case.close_requested_by, "comment": comment})
        return load_case(self.engine, case_id)

    def reject(self, case_id: str, reason: str, *, user: str) -> Case:
        """Send a pending close back: the case stays open for more work."""
        user, reason = _user(user), (reason or "").strip()
        if not reason:
            raise InputError("rejecting a close needs a reason")
        with self.engine.transaction():
            case = self._pending(case_id, user, "reject")
            self.engine.execute(
                "UPDATE cases SET pending_disposition = NULL, close_requested_by = NULL, close_reason = NULL, "
                "updated_at = ? WHERE case_id = ?", [naive_utc(utc_now()), case_id])
            self.audit.append(user, "case.close_rejected", "case", case_id,
                              {"reason": reason, "requested_by": case.close_requested_by})
        return load_case(self.engine, case_id)

    def _pending(self, case_id: str, user: str, verb: str) -> Case:
        case = _open_case(self.engine, case_id)
        if not case.awaiting_approval:
            raise Conflict(f"case {case_id} has no close awaiting approval")
        if case.close_requested_by == user:
            raise Conflict(f"four-eyes: {user} requested this close and cannot {verb} it; "
                           "a second, different user must")
        return case
