"""A transfer decision taken before money moves, with the reasons an analyst can defend.

Deposits are credited, held or frozen; withdrawals are allowed, held or blocked. Each reason says
what produced it (a policy check on the signals, or a rule of the active rule set), how strongly it
weighs (``block`` > ``hold`` > ``none``) and the evidence it saw. The verdict is the strongest effect
among the reasons. Every decision is also written to the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Verdict(StrEnum):
    CREDIT = "credit"
    HOLD = "hold"
    FREEZE = "freeze"
    ALLOW = "allow"
    BLOCK = "block"


class Effect(StrEnum):
    NONE = "none"
    HOLD = "hold"
    BLOCK = "block"

    @property
    def rank(self) -> int:
        return {"none": 0, "hold": 1, "block": 2}[self.value]


VERDICTS: dict[str, dict[Effect, Verdict]] = {
    "deposit": {Effect.NONE: Verdict.CREDIT, Effect.HOLD: Verdict.HOLD, Effect.BLOCK: Verdict.FREEZE},
    "withdrawal": {Effect.NONE: Verdict.ALLOW, Effect.HOLD: Verdict.HOLD, Effect.BLOCK: Verdict.BLOCK},
}


@dataclass(frozen=True, slots=True)
class Reason:
    code: str  # e.g. mining_ru_exposure, customer_listed, rule:PASS-THROUGH
    effect: Effect
    message: str
    source: str  # "policy" or "rule"
    evidence: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Decision:
    decision_id: str
    kind: str  # deposit | withdrawal
    verdict: Verdict
    account_id: str
    customer_id: str
    subject: str  # "txid:vout" for a deposit, the destination address for a withdrawal
    asset: str
    amount: int
    reasons: tuple[Reason, ...]
    decided_at: str  # ISO 8601 UTC
    ruleset: str
    ruleset_version: str
    signals_loaded_at: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision_id": self.decision_id, "kind": self.kind, "verdict": self.verdict.value,
            "account_id": self.account_id, "customer_id": self.customer_id, "subject": self.subject,
            "asset": self.asset, "amount": self.amount,
            "reasons": [{"code": r.code, "effect": r.effect.value, "message": r.message, "source": r.source,
                         "evidence": r.evidence} for r in self.reasons],
            "decided_at": self.decided_at, "ruleset": self.ruleset, "ruleset_version": self.ruleset_version,
            "signals_loaded_at": self.signals_loaded_at,
        }
