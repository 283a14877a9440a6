"""Request and response models of the HTTP API (the OpenAPI schema is generated from these)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field


class ErrorBody(BaseModel):
    error: str = Field(description="Human-readable message, the same wording as the CLI")


class UserOut(BaseModel):
    name: str
    role: str
    created_at: str
    disabled: bool


class UserCreate(BaseModel):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
    role: str = Field(pattern=r"^(analyst|supervisor|auditor|admin)$")


class TokenOut(BaseModel):
    user: str
    token: str = Field(description="Shown once; only its salted hash is stored")


class Me(BaseModel):
    name: str
    role: str
    permissions: list[str]


class Health(BaseModel):
    status: str
    version: str


JSON = dict[str, Any]

ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorBody} for code in (401, 403, 404, 409, 422, 429)
}


class ReasonOut(BaseModel):
    code: str = Field(description="e.g. mining_ru_exposure, customer_listed, rule:PASS-THROUGH")
    effect: Literal["none", "hold", "block"]
    message: str
    source: str = Field(description="policy or rule")
    evidence: dict[str, Any] = Field(default_factory=dict)


class DecisionOut(BaseModel):
    """A transfer decision with the reasons an analyst can defend; also an audit event."""

    decision_id: str
    kind: Literal["deposit", "withdrawal"]
    verdict: Literal["credit", "hold", "freeze", "allow", "block"]
    account_id: str
    customer_id: str
    subject: str = Field(description="TXID:VOUT for a deposit, the destination address for a withdrawal")
    asset: str
    amount: int = Field(description="integer minor units")
    reasons: list[ReasonOut]
    decided_at: str
    ruleset: str
    ruleset_version: str
    signals_loaded_at: str


class MatchOut(BaseModel):
    entity_id: str = Field(description="source-prefixed list id, e.g. ofac:36456")
    name: str
    score: float = Field(ge=0, le=1)
    features: dict[str, float] = Field(description="the named features that produced the score")
    programs: list[str]
    list_version: str
    kind: str = ""
    matched_on: str = Field(default="name", description="name, wallet or name+wallet")


class NexusOut(BaseModel):
    reason: str
    value: str


class ScreeningOut(BaseModel):
    id: str
    hit: bool
    list_version: str
    matches: list[MatchOut]
    russia_nexus: list[NexusOut]
