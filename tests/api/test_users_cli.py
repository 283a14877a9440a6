"""`sanctrace users` through the real CLI: add prints a working token once, list never shows tokens,
revoke disables, and mistakes are one line on stderr with exit 1."""

from __future__ import annotations

import json
from typing import Any

from sanctrace.api import users
from sanctrace.engine.duckdb_engine import DuckDBEngine


def test_users_add_list_token_revoke(cli: Any) -> None:
    added = cli("users", "add", "alice", "--role", "analyst")
    assert added.exit_code == 0, added.stderr
    token = added.stdout.strip()
    assert token.startswith("st_")
    listed = cli("users", "list", "--format", "json")
    assert json.loads(listed.stdout)[0]["name"] == "alice" and token not in listed.stdout
    second = cli("users", "token", "alice").stdout.strip()
    assert second.startswith("st_") and second != token
    engine = DuckDBEngine(cli.db)
    try:
        assert users.authenticate(engine, token) is not None and users.authenticate(engine, second) is not None
    finally:
        engine.close()
    revoked = cli("users", "revoke", "alice")
    assert revoked.exit_code == 0 and "revoked 2 token(s)" in revoked.stdout
    engine = DuckDBEngine(cli.db)
    try:
        assert users.authenticate(engine, token) is None
        actions = [r[0] for r in engine.query("SELECT action FROM audit_log WHERE subject_id = 'alice' ORDER BY seq")]
    finally:
        engine.close()
    assert actions == ["user.create", "user.token", "user.disable"]


def test_users_mistakes_exit_1_without_traceback(cli: Any) -> None:
    bad_role = cli("users", "add", "bob", "--role", "boss")
    assert bad_role.exit_code == 1 and bad_role.stderr.startswith("error: role: unknown role 'boss'")
    assert "Traceback" not in bad_role.stderr
    cli("users", "add", "bob", "--role", "auditor")
    dup = cli("users", "add", "bob", "--role", "auditor")
    assert dup.exit_code == 1 and "already exists" in dup.stderr
    missing = cli("users", "token", "nobody")
    assert missing.exit_code == 1 and "user nobody not found" in missing.stderr
