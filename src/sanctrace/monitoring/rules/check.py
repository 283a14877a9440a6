"""``rules check``: parse a rule file and compile every rule against an empty ledger.

Parsing catches syntax and unknown names with their line; compiling and planning each query in a
scratch in-memory DuckDB catches type errors (text compared with a number, ``sum`` of text) before a
rule reaches production data.
"""

from __future__ import annotations

from typing import Any

import duckdb

from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.errors import InputError
from sanctrace.monitoring.rules.evaluate import prepare
from sanctrace.monitoring.rules.ruleset import load_ruleset
from sanctrace.monitoring.rules.sql import compile_rule, shape


def check_ruleset(name_or_path: str) -> dict[str, Any]:
    rs = load_ruleset(name_or_path)
    scratch = DuckDBEngine(":memory:")
    try:
        prepare(scratch)
        rules = []
        for rule in rs.rules:
            compiled = compile_rule(rule)
            try:
                scratch.query(f"EXPLAIN {compiled.sql}", compiled.params)
            except duckdb.Error as exc:
                first = str(exc).splitlines()[0]
                raise InputError.at(rs.source, f"line {rule.line}", f"rule {rule.id}: {first}") from None
            rules.append({"id": rule.id, "version": rule.version, "severity": rule.severity, "on": list(rule.on),
                          "action": rule.action, "aggregates": len({shape(a) for a in rule.aggregates()}),
                          "enabled": rule.enabled})
    finally:
        scratch.close()
    return {"ok": True, "ruleset": rs.name, "version": rs.version, "source": rs.source, "rules": rules}
