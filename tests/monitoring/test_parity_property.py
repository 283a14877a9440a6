"""Property: for random conditions, the SQL back end and the in-memory evaluator fire on the same events.

The generator sticks to well-typed expressions (numbers with numbers, text with text), with NULL
literals, division (by zero too), three-valued logic, ``in`` lists and float literals such as 0.1,
where a DECIMAL reading in SQL would differ from Python floats.
"""

from __future__ import annotations

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sanctrace.config import Settings
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.monitoring.decisions import Decider
from sanctrace.monitoring.rules.evaluate import run_ruleset
from sanctrace.monitoring.rules.ruleset import parse_ruleset

NUM_FIELDS = ["amount", "value_jpy", "vout", "quote_amount", "exposure.mining_ru_share", "exposure.hops",
              "customer.screening_score", "account.age_days"]
STR_FIELDS = ["asset", "kind", "address", "account.country", "direction", "customer.list_entry"]
BOOL_FIELDS = ["customer.listed", "customer.russia_nexus", "address.sanctioned", "address.cluster_sanctioned"]

num_leaf = st.one_of(st.sampled_from(NUM_FIELDS), st.integers(-3, 5).map(str),
                     st.sampled_from(["0.1", "0.2", "0.3", "0.05", "1.5", "null"]))
str_leaf = st.one_of(st.sampled_from(STR_FIELDS), st.sampled_from(["'BTC'", "'JPY'", "'RU'", "'deposit'", "null"]))


def _num(depth: int) -> st.SearchStrategy[str]:
    if depth == 0:
        return num_leaf
    inner = _num(depth - 1)
    return st.one_of(
        num_leaf,
        st.tuples(inner, st.sampled_from(["+", "-", "/"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, st.sampled_from(["0.1", "2", "-1"])).map(lambda t: f"({t[0]} * {t[1]})"),
        inner.map(lambda x: f"(-{x})"),
        st.tuples(inner, inner).map(lambda t: f"coalesce({t[0]}, {t[1]})"),
    )


def _cmp() -> st.SearchStrategy[str]:
    op = st.sampled_from(["==", "!=", "<", "<=", ">", ">="])
    return st.one_of(
        st.tuples(_num(2), op, _num(2)).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        st.tuples(str_leaf, st.sampled_from(["==", "!="]), str_leaf).map(lambda t: f"{t[0]} {t[1]} {t[2]}"),
        st.tuples(str_leaf, st.sampled_from(["in", "not in"]),
                  st.lists(st.sampled_from(["'BTC'", "'RU'", "'withdrawal'", "null"]), max_size=3))
        .map(lambda t: f"{t[0]} {t[1]} [{', '.join(t[2])}]"),
        st.sampled_from([*BOOL_FIELDS, "true", "false", "null"]),
    )


conditions = st.recursive(
    _cmp(),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["and", "or"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        inner.map(lambda x: f"not ({x})"),
    ),
    max_leaves=6,
)

RULE = """\
ruleset: prop
version: "1"
rules:
  - id: P
    version: 1
    severity: low
    on: [deposit, withdrawal, fiat, trade, internal_transfer, login, travel_rule]
    description: generated
    condition: "{condition}"
    explanation: "{{event_id}}"
"""


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(condition=conditions)
@example(condition="(0.1 + 0.2) == 0.3")  # DECIMAL in SQL would say true, floats say false
@example(condition="not ((amount / 0) > 1) or (vout * 0.1) >= 0.3")
@example(condition="address not in ['a', null] or not (customer.listed and null)")
def test_sql_and_in_memory_agree_on_random_conditions(world: DuckDBEngine, condition: str) -> None:
    rs = parse_ruleset(RULE.format(condition=condition.replace('"', "'")), "prop.yaml")
    sql = {h.event["event_id"] for h in run_ruleset(world, rs)}
    decider = Decider(world, Settings(), rs)
    events = world.to_arrow("SELECT * FROM ledger_events").to_pylist()
    rule = rs.rules[0]
    memory = {e["event_id"] for e in events if decider.fires(rule, decider.context(e))}
    assert memory == sql, condition
