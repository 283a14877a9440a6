"""A case: the alerts about one subject under review, with its workflow state.

Statuses move ``open → investigating → escalated → closed`` (escalation is optional; any open
status may close). A close carries a disposition; ``reported`` (an STR was filed) needs a second,
different user's approval, so until then the case keeps its status and records the pending close
in ``pending_disposition`` / ``close_requested_by`` (four-eyes).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class CaseStatus(StrEnum):
    OPEN = "open"
    INVESTIGATING = "investigating"
    ESCALATED = "escalated"
    CLOSED = "closed"


class Disposition(StrEnum):
    TRUE_POSITIVE = "true_positive"
    FALSE_POSITIVE = "false_positive"
    REPORTED = "reported"


@dataclass(frozen=True, slots=True)
class CaseNote:
    note_id: str
    case_id: str
    author: str
    created_at: datetime
    text: str


@dataclass(frozen=True, slots=True)
class Attachment:
    attachment_id: str
    case_id: str
    filename: str
    sha256: str
    size: int
    media_type: str
    added_by: str
    added_at: datetime
    description: str | None = None


@dataclass(slots=True)
class Case:
    case_id: str
    subject_type: str
    subject_id: str
    status: CaseStatus
    severity: str
    score: float
    opened_at: datetime
    updated_at: datetime
    assignee: str | None = None
    disposition: Disposition | None = None
    pending_disposition: Disposition | None = None
    close_requested_by: str | None = None
    close_reason: str | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    approved_by: str | None = None
    alert_ids: list[str] = field(default_factory=list)

    @property
    def awaiting_approval(self) -> bool:
        return self.pending_disposition is not None and self.status is not CaseStatus.CLOSED

    def to_dict(self) -> dict[str, Any]:
        return {
            "case_id": self.case_id,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "status": self.status.value,
            "severity": self.severity,
            "score": self.score,
            "assignee": self.assignee,
            "disposition": self.disposition.value if self.disposition else None,
            "awaiting_approval": self.awaiting_approval,
            "pending_disposition": self.pending_disposition.value if self.pending_disposition else None,
            "close_requested_by": self.close_requested_by,
            "close_reason": self.close_reason,
            "opened_at": self.opened_at.isoformat(),
            "updated_at": self.updated_at.isoformat(),
            "closed_at": self.closed_at.isoformat() if self.closed_at else None,
            "closed_by": self.closed_by,
            "approved_by": self.approved_by,
            "alert_ids": list(self.alert_ids),
        }
