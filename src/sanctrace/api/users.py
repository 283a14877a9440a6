"""API users and their tokens, stored in the engine.

A token is ``st_<token_id>_<secret>``. Only ``sha256(salt || secret)`` and the per-token random salt
are stored, so a copy of the database does not yield usable tokens; the token id lets us find the
row without scanning, and the comparison is constant-time. Revoking a token or disabling a user
through the API takes effect on the next request; from the CLI, within the server's short cache of
verified tokens (``AUTH_TTL_S``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from sanctrace.api.roles import Role
from sanctrace.engine import Engine
from sanctrace.errors import Conflict, InputError, NotFound

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_TOKEN = re.compile(r"^st_([0-9a-f]{16})_([A-Za-z0-9_-]{20,100})$")

SCHEMA = [
    """CREATE TABLE IF NOT EXISTS api_users (
        name VARCHAR PRIMARY KEY, role VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
        disabled BOOLEAN NOT NULL DEFAULT false)""",
    """CREATE TABLE IF NOT EXISTS api_tokens (
        token_id VARCHAR PRIMARY KEY, user_name VARCHAR NOT NULL, salt VARCHAR NOT NULL,
        token_hash VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL, revoked BOOLEAN NOT NULL DEFAULT false)""",
]


@dataclass(frozen=True)
class User:
    name: str
    role: Role
    created_at: datetime
    disabled: bool = False


def ensure_schema(engine: Engine) -> None:
    for stmt in SCHEMA:
        engine.execute(stmt)


def _hash(salt: str, secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode()).hexdigest()


def _role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise InputError(f"role: unknown role {value!r} (one of {', '.join(r.value for r in Role)})") from None


def create_user(engine: Engine, name: str, role: str) -> User:
    if not _NAME.match(name):
        raise InputError(f"user: {name!r}: names are 1-64 letters, digits, '.', '_' or '-'")
    r = _role(role)
    ensure_schema(engine)
    if engine.query_one("SELECT 1 FROM api_users WHERE name = ?", [name]):
        raise Conflict(f"user {name} already exists")
    now = datetime.now(UTC).replace(tzinfo=None)
    engine.execute("INSERT INTO api_users VALUES (?, ?, ?, false)", [name, r.value, now])
    return User(name, r, now)


def get_user(engine: Engine, name: str) -> User:
    ensure_schema(engine)
    row = engine.query_one("SELECT name, role, created_at, disabled FROM api_users WHERE name = ?", [name])
    if row is None:
        raise NotFound(f"user {name} not found")
    return User(row[0], Role(row[1]), row[2], bool(row[3]))


def list_users(engine: Engine) -> list[User]:
    ensure_schema(engine)
    rows = engine.query("SELECT name, role, created_at, disabled FROM api_users ORDER BY name")
    return [User(r[0], Role(r[1]), r[2], bool(r[3])) for r in rows]


def set_disabled(engine: Engine, name: str, disabled: bool) -> User:
    get_user(engine, name)
    engine.execute("UPDATE api_users SET disabled = ? WHERE name = ?", [disabled, name])
    return get_user(engine, name)


def issue_token(engine: Engine, name: str) -> str:
    """Create a new token for ``name`` and return it; this is the only time it is ever visible."""
    user = get_user(engine, name)
    if user.disabled:
        raise Conflict(f"user {name} is disabled")
    token_id = secrets.token_hex(8)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    engine.execute(
        "INSERT INTO api_tokens VALUES (?, ?, ?, ?, ?, false)",
        [token_id, name, salt, _hash(salt, secret), datetime.now(UTC).replace(tzinfo=None)],
    )
    return f"st_{token_id}_{secret}"


def revoke_tokens(engine: Engine, name: str) -> int:
    get_user(engine, name)
    n = engine.scalar("SELECT count(*) FROM api_tokens WHERE user_name = ? AND NOT revoked", [name])
    engine.execute("UPDATE api_tokens SET revoked = true WHERE user_name = ?", [name])
    return int(n or 0)


def token_id_of(token: str) -> str | None:
    """The public half of a token (safe to use as a rate-limit key and in logs)."""
    m = _TOKEN.match(token)
    return m.group(1) if m else None


def authenticate(engine: Engine, token: str) -> User | None:
    """The user a token belongs to, or None for unknown, revoked, malformed or disabled."""
    m = _TOKEN.match(token)
    if not m:
        return None
    row = engine.query_one(
        "SELECT t.salt, t.token_hash, u.name, u.role, u.created_at, u.disabled FROM api_tokens t "
        "JOIN api_users u ON u.name = t.user_name WHERE t.token_id = ? AND NOT t.revoked",
        [m.group(1)],
    )
    if row is None:
        return None
    if not hmac.compare_digest(_hash(row[0], m.group(2)), row[1]) or row[5]:
        return None
    return User(row[2], Role(row[3]), row[4], bool(row[5]))
