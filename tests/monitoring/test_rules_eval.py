from __future__ import annotations

from datetime import datetime

from sanctrace.config import Settings
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.monitoring.decisions import Decider
from sanctrace.monitoring.rules.evaluate import record_hits, run_ruleset
from sanctrace.monitoring.rules.interp import EventHistory, evaluate, truth
from sanctrace.monitoring.rules.ruleset import load_ruleset, parse_ruleset
from tests.monitoring.world import EXPECTED, REAL


def _by_rule(hits: list) -> dict[str, set[str]]:  # type: ignore[type-arg]
    out: dict[str, set[str]] = {}
    for h in hits:
        out.setdefault(h.rule.id, set()).add(h.event["event_id"])
    return out


def test_every_mission_rule_fires_on_exactly_its_events(world: DuckDBEngine) -> None:
    rs = load_ruleset("mission")
    got = _by_rule(run_ruleset(world, rs))
    assert {r.id: got.get(r.id, set()) for r in rs.rules} == EXPECTED


def test_period_filter_keeps_windows_looking_back(world: DuckDBEngine) -> None:
    rs = load_ruleset("mission")
    # F3 is on 2026-05-05 (UTC 00:00); the two earlier structuring transfers lie before --from but count
    got = _by_rule(run_ruleset(world, rs, datetime(2026, 5, 4, 12), datetime(2026, 5, 6)))
    assert got["STRUCTURING"] == {"F3"}
    assert got.get("RU-MINING-EXPOSURE") is None  # D1 is before the period
    assert got["LISTED-OR-BLOCKED-CUSTOMER"] == {"D5", "TR1"}


def test_explanations_are_filled(world: DuckDBEngine) -> None:
    hits = run_ruleset(world, load_ruleset("mission"), only=["STRUCTURING", "PASS-THROUGH"])
    text = {h.rule.id: h.explanation for h in hits}
    assert text["STRUCTURING"] == "3 transfers between 1800000 and 2000000 JPY in 7 days by customer C4."
    assert text["PASS-THROUGH"] == (f"Withdrawal W1 of 9000000 JPY to {REAL['1SanctionedAddr']} within 6 hours "
                                    "of 10000000 JPY arriving on account A2.")


def test_sql_and_in_memory_evaluation_agree(world: DuckDBEngine) -> None:
    """The decision hot path evaluates the same rules in Python: it must fire on the same events."""
    rs = load_ruleset("mission")
    decider = Decider(world, Settings(), rs)
    events = world.to_arrow("SELECT e.* EXCLUDE (row_hash, source_file, source_line), a.customer_id "
                            "FROM ledger_events e JOIN ledger_accounts a USING (account_id) ORDER BY ts").to_pylist()
    per = {a.per for r in rs.rules for a in r.aggregates()}
    history = EventHistory(per)
    for e in events:
        history.add(e)
    decider.history = history
    in_memory: dict[str, set[str]] = {}
    for rule in rs.rules:
        for e in events:
            if e["kind"] in rule.on and truth(evaluate(rule.condition, decider.context(e), history)):
                in_memory.setdefault(rule.id, set()).add(e["event_id"])
    assert in_memory == _by_rule(run_ruleset(world, rs))


NULLS = """\
ruleset: nulls
version: "1"
rules:
  - id: N1
    version: 1
    severity: low
    on: [withdrawal, deposit]
    description: three-valued logic and arithmetic corners
    condition: (txid == null or not (txid != 'x')) and coalesce(vout, -1) < 0 and not (value_jpy / 0 > 1)
    explanation: "{event_id}"
  - id: N2
    version: 1
    severity: low
    on: [withdrawal]
    description: NULL in a list and NOT IN
    condition: address not in ['a', null] or (counterparty_vasp_country in ['RU', null]) == null
    explanation: "{event_id}"
  - id: N3
    version: 1
    severity: low
    on: [withdrawal, deposit]
    description: coalesce and functions
    condition: coalesce(txid, 'none') == 'none' and abs(-amount) > 0 and upper(lower(asset)) == 'BTC'
    explanation: "{event_id}"
"""


def test_null_semantics_agree(world: DuckDBEngine) -> None:
    rs = parse_ruleset(NULLS, "nulls.yaml")
    sql = _by_rule(run_ruleset(world, rs))
    decider = Decider(world, Settings(), rs)
    events = world.to_arrow("SELECT * FROM ledger_events WHERE kind IN ('withdrawal', 'deposit')").to_pylist()
    mem: dict[str, set[str]] = {}
    for rule in rs.rules:
        for e in events:
            if e["kind"] in rule.on and decider.fires(rule, decider.context(e)):
                mem.setdefault(rule.id, set()).add(e["event_id"])
    assert mem == sql
    # N1: ``txid == null`` is never true, ``value_jpy / 0`` is NULL → ``not (NULL > 1)`` is NULL → no hit
    assert "N1" not in sql
    # N2: NOT IN with a NULL item is never true; the second clause is NULL == NULL → NULL
    assert "N2" not in sql
    assert sql["N3"] == {"W1", "W2", "W3", "W4"}


def test_run_records_alerts_idempotently(world: DuckDBEngine) -> None:
    rs = load_ruleset("mission")
    hits = run_ruleset(world, rs)
    first = record_hits(world, rs, hits)
    assert len(first) == sum(len(v) for v in EXPECTED.values())
    assert record_hits(world, rs, run_ruleset(world, rs)) == []
    row = world.query_one("SELECT subject_type, subject_id, severity FROM alerts WHERE rule_id = 'PASS-THROUGH'")
    assert row == ("account", "A2", "high")


def test_history_prune_keeps_windows_correct() -> None:
    from datetime import timedelta

    history = EventHistory(["account_id"])
    start = datetime(2026, 5, 1)
    for i in range(10):
        history.add({"event_id": f"E{i}", "ts": start + timedelta(hours=i), "account_id": "A", "kind": "deposit"})
    assert history.prune(start + timedelta(hours=5)) == 5
    assert len(history) == 5
    assert [e["event_id"] for e in history.window("account_id", "A", start, start + timedelta(days=1))] == [
        "E5", "E6", "E7", "E8", "E9"]
    assert history.prune(start + timedelta(days=2)) == 5 and history.window("account_id", "A", start, start
                                                                           + timedelta(days=3)) == []
