"""Run a rule set over the ledger set-wise and turn the matching events into alerts.

Each rule is one compiled DuckDB query (:mod:`.sql`); the only Python work per *hit* is filling
the explanation template. Alerts go to the cases capability's ``record_alerts``, which stores each
alert once (ids are stable hashes of rule version, subject and event), so runs are idempotent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from sanctrace.engine.base import Engine
from sanctrace.errors import EngineError, InputError, SanctraceError
from sanctrace.monitoring.ledger_schema import ensure_ledger_tables
from sanctrace.monitoring.rules.ruleset import Rule, RuleSet
from sanctrace.monitoring.rules.sql import HIT_COLUMNS, compile_rule
from sanctrace.monitoring.signal_schema import ensure_signal_tables


@dataclass(frozen=True, slots=True)
class Hit:
    rule: Rule
    event: dict[str, Any]  # HIT_COLUMNS
    explanation: str
    values: dict[str, Any]  # placeholder source → value

    @property
    def subject(self) -> tuple[str, str]:
        if self.rule.subject == "address" and self.event.get("address"):
            return "address", str(self.event["address"])
        if self.rule.subject == "account":
            return "account", str(self.event["account_id"])
        return "customer", str(self.event["customer_id"])


def render_value(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) >= 1 else f"{value:.4g}"
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)


_SATOSHI_ASSETS = frozenset({"BTC", "XBT"})


def explain(rule: Rule, values: list[Any], asset: Any = None) -> str:
    """The rule's explanation with its placeholders filled in. Amounts are stored in minor units;
    ``{amount}`` of a bitcoin event is shown in BTC (8 decimals) so nobody reads satoshi as coins,
    and ``*_share`` values (fractions) as percentages."""
    names = _placeholder_sources(rule)
    out: list[str] = []
    it = iter(values)
    k = 0
    for part in rule.explanation:
        if isinstance(part, str):
            out.append(part)
            continue
        value = next(it)
        name = names[k] if k < len(names) else ""
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        if name == "amount" and asset in _SATOSHI_ASSETS and isinstance(value, int) and not isinstance(value, bool):
            out.append(f"{'-' if value < 0 else ''}{abs(value) // 10**8}.{abs(value) % 10**8:08d}")
        elif number and name.endswith("_share"):  # shares are fractions in [0, 1]; people read percent
            out.append(f"{float(value):.1%}")
        else:
            out.append(render_value(value))
        k += 1
    return "".join(out)


def _placeholder_sources(rule: Rule) -> list[str]:
    text = rule.explanation_source
    names: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("{{", i) or text.startswith("}}", i):
            i += 2
            continue
        if text[i] == "{":
            end = text.find("}", i)
            names.append(text[i + 1:end].strip())
            i = end + 1
            continue
        i += 1
    return names


def prepare(engine: Engine) -> None:
    """Create the ledger and signal tables where the engine keeps its own (DuckDB); a Spark engine
    reads tables registered or stored by whoever prepared the data."""
    if engine.name == "duckdb":
        ensure_ledger_tables(engine)
        ensure_signal_tables(engine)


def run_rule(engine: Engine, rule: Rule, start: datetime | None = None, end: datetime | None = None) -> list[Hit]:
    compiled = compile_rule(rule, start, end, dialect=engine.name)
    try:
        table = engine.to_arrow(compiled.sql, compiled.params)
    except duckdb.Error as exc:
        raise InputError.at(rule.id, f"line {rule.line}", f"rule failed to run: {exc}") from None
    except SanctraceError:
        raise
    except Exception as exc:  # another engine's own error type (Spark's AnalysisException, ...)
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise EngineError(f"rule {rule.id} failed on {engine.name}: {first}") from exc
    names = _placeholder_sources(rule)
    hits: list[Hit] = []
    for row in table.to_pylist():
        event = {c: row[c] for c in HIT_COLUMNS}
        values = [row[p] for p in compiled.placeholders]
        hits.append(Hit(rule, event, explain(rule, values, row.get("asset")),
                        dict(zip(names, values, strict=False))))
    return hits


def run_ruleset(engine: Engine, ruleset: RuleSet, start: datetime | None = None,
                end: datetime | None = None, only: list[str] | None = None) -> list[Hit]:
    """Every hit of every enabled rule (or of the rules in ``only``), in rule order."""
    prepare(engine)
    hits: list[Hit] = []
    for rule in ruleset.rules:
        if only is not None and rule.id not in only:
            continue
        if not rule.enabled and only is None:
            continue
        hits.extend(run_rule(engine, rule, start, end))
    return hits


def to_alert(hit: Hit, ruleset: RuleSet) -> Any:
    """The cases capability's Alert for a hit (imported here: the model lives with cases)."""
    from sanctrace.model.alert import Alert, Severity, SubjectType

    subject_type, subject_id = hit.subject
    event = hit.event
    evidence: dict[str, Any] = {
        "ruleset": {"name": ruleset.name, "version": ruleset.version},
        "rule": {"id": hit.rule.id, "version": hit.rule.version, "condition": hit.rule.condition_source,
                 "params": hit.rule.params},
        "event": {k: v for k, v in event.items() if v is not None},
        "values": hit.values,
    }
    if event["kind"] in ("deposit", "withdrawal"):
        evidence["transfer"] = {"txid": event.get("txid"), "address": event.get("address"),
                                "amount_sat": event.get("amount") if event.get("asset") == "BTC" else None,
                                "asset": event.get("asset"), "amount": event.get("amount"),
                                "direction": event.get("direction")}
    return Alert(
        rule_id=hit.rule.id, rule_version=str(hit.rule.version), severity=Severity(hit.rule.severity),
        subject_type=SubjectType(subject_type), subject_id=subject_id,
        event_id=str(event["event_id"]), occurred_at=event["ts"], score=hit.rule.score,
        explanation=hit.explanation, evidence=evidence,
    )


def record_hits(engine: Engine, ruleset: RuleSet, hits: list[Hit]) -> list[str]:
    """Store the hits as alerts (new ones only); returns the new alert ids."""
    from sanctrace.cases.alerts import record_alerts

    return record_alerts(engine, [to_alert(h, ruleset) for h in hits])
