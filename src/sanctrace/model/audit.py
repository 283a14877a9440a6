"""One event of the append-only, hash-chained audit log, and the result of verifying the chain.

The hash of an event is ``sha256(canonical JSON of {seq, time, actor, action, subject_type,
subject_id, details, prev_hash})``; canonical JSON means sorted keys, no whitespace, UTF-8. Changing
any field, dropping an event or moving one changes a hash or breaks a ``prev_hash`` link, which is
what ``verify`` detects. The first event links to :data:`GENESIS_HASH`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

GENESIS_HASH = "0" * 64


def canonical_json(value: Any) -> str:
    """Sorted keys, no whitespace; values JSON lacks (datetimes, Decimals) are written as strings, and
    the hash is always taken over the parsed form, so what is stored and what is hashed agree."""
    return _CANONICAL.encode(value)


# One encoder for every event (json.dumps with options builds a new one per call).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
_quote = json.encoder.encode_basestring  # what json.dumps(text, ensure_ascii=False) returns for a str


def event_hash(seq: int, time: str, actor: str, action: str, subject_type: str, subject_id: str,
               details: dict[str, Any], prev_hash: str) -> str:
    body = {
        "seq": seq, "time": time, "actor": actor, "action": action, "subject_type": subject_type,
        "subject_id": subject_id, "details": details, "prev_hash": prev_hash,
    }
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def stored_event_hash(seq: int, time: str, actor: str, action: str, subject_type: str, subject_id: str,
                      details_json: str, prev_hash: str) -> str:
    """:func:`event_hash` for an event as stored, without parsing its details.

    The canonical body is assembled as text (keys in sorted order, the stored canonical details
    embedded verbatim), which gives the same bytes as :func:`event_hash` whenever the stored details
    are canonical — and a different hash, i.e. "altered", when someone rewrote them in any other form.
    """
    q = _quote
    body = (f'{{"action":{q(action)},"actor":{q(actor)},"details":{details_json},'
            f'"prev_hash":{q(prev_hash)},"seq":{int(seq)},"subject_id":{q(subject_id)},'
            f'"subject_type":{q(subject_type)},"time":{q(time)}}}')
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class AuditEvent:
    seq: int
    time: str  # ISO 8601 UTC with microseconds, e.g. 2026-11-30T05:10:00.123456+00:00
    actor: str
    action: str  # dotted verb: case.opened, case.assigned, alert.recorded, decision.deposit, ...
    subject_type: str
    subject_id: str
    details: dict[str, Any]
    prev_hash: str
    hash: str

    def expected_hash(self) -> str:
        return event_hash(self.seq, self.time, self.actor, self.action, self.subject_type,
                          self.subject_id, self.details, self.prev_hash)


@dataclass(frozen=True, slots=True)
class VerifyResult:
    ok: bool
    events: int
    head_hash: str
    first_bad_seq: int | None = None
    problem: str | None = None
    problems: list[str] = field(default_factory=list)
