"""An alert: one rule firing on one subject for one event, with the evidence that made it fire.

Alerts are produced by monitoring rules, screening, ownership and chain exposure, and consumed by
cases (grouping, review) and reports (STR, investigation report). The id is a stable hash of
``rule_id + rule_version + subject + event key`` so that re-running the same rules over the same
events yields the same ids and recording them again is a no-op (idempotent ingestion).

``evidence`` is free-form JSON but these keys have a meaning downstream (reports read them):
``list_entry`` / ``list_version`` (screening hit), ``ownership_path`` (list of hops, each a dict with
``from``, ``to``, ``share``), ``txids`` / ``paths`` (chain trace; a path is a list of hops with
``from``, ``to``, ``value_sat``, ``txid``), ``heuristics`` (names of address-linking heuristics),
``transfer`` (the ledger event: ``txid``, ``address``, ``amount_sat``, ``direction``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sanctrace.errors import InputError


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.LOW: 0, Severity.MEDIUM: 1, Severity.HIGH: 2, Severity.CRITICAL: 3}


class SubjectType(StrEnum):
    CUSTOMER = "customer"
    ACCOUNT = "account"
    ADDRESS = "address"
    PARTY = "party"


def utc_now() -> datetime:
    return datetime.now(UTC)


def as_utc(value: datetime) -> datetime:
    """Naive datetimes are taken as UTC (DuckDB returns naive UTC TIMESTAMPs)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def alert_id_for(rule_id: str, rule_version: str, subject_type: str, subject_id: str, event_id: str) -> str:
    """The stable id: same rule version, subject and event → same alert."""
    key = json.dumps([rule_id, rule_version, subject_type, subject_id, event_id], ensure_ascii=False)
    return "alert-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:24]


@dataclass(slots=True)
class Alert:
    rule_id: str
    rule_version: str
    severity: Severity
    subject_type: SubjectType
    subject_id: str
    event_id: str
    occurred_at: datetime
    score: float
    explanation: str
    evidence: dict[str, Any] = field(default_factory=dict)
    created_at: datetime = field(default_factory=utc_now)
    alert_id: str = ""  # computed when empty

    def __post_init__(self) -> None:
        where = f"alert {self.rule_id}/{self.subject_id}/{self.event_id}"
        try:
            self.severity = Severity(self.severity)
            self.subject_type = SubjectType(self.subject_type)
        except ValueError as exc:
            raise InputError.at("alert", where, str(exc)) from exc
        if not self.rule_id or not self.subject_id:
            raise InputError.at("alert", where, "rule_id and subject_id are required")
        if not 0.0 <= float(self.score) <= 1.0:
            raise InputError.at("alert", where, f"score {self.score} outside [0, 1]")
        self.occurred_at = as_utc(self.occurred_at)
        self.created_at = as_utc(self.created_at)
        if not self.alert_id:
            self.alert_id = alert_id_for(self.rule_id, self.rule_version, self.subject_type.value,
                                         self.subject_id, self.event_id)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        """The inverse of :meth:`to_dict` (times as ISO 8601 strings or datetimes)."""
        fields = dict(data)
        for key in ("occurred_at", "created_at"):
            value = fields.get(key)
            if isinstance(value, str):
                try:
                    fields[key] = datetime.fromisoformat(value.replace("Z", "+00:00"))
                except ValueError as exc:
                    raise InputError.at("alert", fields.get("event_id"), f"{key}: {exc}") from exc
        if fields.get("created_at") is None:
            fields.pop("created_at", None)
        unknown = set(fields) - set(cls.__dataclass_fields__)
        if unknown:
            raise InputError.at("alert", fields.get("event_id"), f"unknown fields: {', '.join(sorted(unknown))}")
        missing = {f for f in ("rule_id", "rule_version", "severity", "subject_type", "subject_id", "event_id",
                               "occurred_at", "score", "explanation")} - set(fields)
        if missing:
            raise InputError.at("alert", fields.get("event_id"), f"missing fields: {', '.join(sorted(missing))}")
        return cls(**fields)

    def to_dict(self) -> dict[str, Any]:
        return {
            "alert_id": self.alert_id,
            "rule_id": self.rule_id,
            "rule_version": self.rule_version,
            "severity": self.severity.value,
            "subject_type": self.subject_type.value,
            "subject_id": self.subject_id,
            "event_id": self.event_id,
            "occurred_at": self.occurred_at.isoformat(),
            "created_at": self.created_at.isoformat(),
            "score": self.score,
            "explanation": self.explanation,
            "evidence": self.evidence,
        }
