"""Request and response models of the HTTP API (the OpenAPI schema is generated from these)."""

from __future__ import annotations

from typing import Any

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
