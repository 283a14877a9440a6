"""Compile a rule to one DuckDB query that finds every matching event set-wise.

Aggregates become window functions over the ledger (``count(CASE WHEN kind = 'deposit' THEN 1 END)
OVER (PARTITION BY account_id ORDER BY ts RANGE BETWEEN INTERVAL '86400 seconds' PRECEDING AND
CURRENT ROW)``), computed once per query, so a rule costs one scan of the ledger whatever its size.
Literals are rendered from parsed values (numbers through ``repr``, text with quotes doubled), never
spliced from the rule source, so a rule file cannot inject SQL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sanctrace.monitoring.rules.ast import Aggregate, Binary, Call, Field, ListLit, Literal, Node, Unary
from sanctrace.monitoring.rules.fields import FIELDS
from sanctrace.monitoring.rules.ruleset import Rule

_OPS = {"==": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "+": "+", "-": "-", "*": "*",
        "/": "/", "and": "AND", "or": "OR"}

# Columns every hit carries, besides the explanation values.
HIT_COLUMNS = ("event_id", "kind", "ts", "account_id", "customer_id", "address", "txid", "vout", "asset",
               "amount", "value_jpy", "direction")


def literal(value: object) -> str:
    if value is None:
        return "NULL"
    if value is True:
        return "TRUE"
    if value is False:
        return "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # As DOUBLE, not DECIMAL (DuckDB's reading of 0.1): the in-memory evaluator computes in floats.
        finite = value == value and value not in (float("inf"), float("-inf"))
        return f"CAST({value!r} AS DOUBLE)" if finite else "NULL"
    return "'" + str(value).replace("'", "''") + "'"


def shape(node: Node) -> str:
    """A node's structure without source positions: equal aggregates share one window column."""
    return re.sub(r"pos=\d+, ", "", repr(node))


@dataclass
class Compiler:
    dialect: str = "duckdb"  # the engine that runs it: "duckdb", or "spark" (transpiled by the engine)
    aggregates: dict[str, tuple[Aggregate, str]] = field(default_factory=dict)

    def window(self, agg: Aggregate) -> str:
        key = shape(agg)
        if key not in self.aggregates:
            self.aggregates[key] = (agg, f"agg_{len(self.aggregates)}")
        return f"w.{self.aggregates[key][1]}"

    def expr(self, node: Node, agg_scope: bool = False) -> str:
        if isinstance(node, Literal):
            return literal(node.value)
        if isinstance(node, Field):
            return f"ev.{node.name}" if agg_scope else FIELDS[node.key].sql
        if isinstance(node, Unary):
            inner = self.expr(node.operand, agg_scope)
            return f"(NOT {inner})" if node.op == "not" else f"(- {inner})"
        if isinstance(node, Binary):
            left = self.expr(node.left, agg_scope)
            if node.op in ("in", "notin"):
                assert isinstance(node.right, ListLit)
                if not node.right.items:
                    return "FALSE" if node.op == "in" else "TRUE"
                items = ", ".join(self.expr(i, agg_scope) for i in node.right.items)
                return f"({left} {'IN' if node.op == 'in' else 'NOT IN'} ({items}))"
            right = self.expr(node.right, agg_scope)
            if node.op == "/":
                return f"({left} / nullif({right}, 0))"
            return f"({left} {_OPS[node.op]} {right})"
        if isinstance(node, Call):
            args = ", ".join(self.expr(a, agg_scope) for a in node.args)
            return f"{node.func}({args})"
        if isinstance(node, Aggregate):
            return self.window(node)
        raise TypeError(f"cannot compile {type(node).__name__}")

    def window_sql(self, agg: Aggregate) -> str:
        # The filter is written as CASE inside the aggregate rather than FILTER (WHERE ...): same
        # meaning (the aggregates ignore NULL), and portable to engines without window FILTER.
        conds = [] if agg.kind == "event" else [f"ev.kind = {literal(agg.kind)}"]
        if agg.where is not None:
            conds.append(self.expr(agg.where, agg_scope=True))
        cond = " AND ".join(conds)

        def picked(value: str) -> str:
            return f"CASE WHEN {cond} THEN {value} END" if cond else value

        over = (f" OVER (PARTITION BY ev.{agg.per} ORDER BY ev.ts RANGE BETWEEN "
                f"INTERVAL '{agg.window_s} seconds' PRECEDING AND CURRENT ROW)")
        col = f"ev.{agg.field}"
        if agg.func == "count":
            value, empty = f"count({picked('1')}){over}", "0"
        elif agg.func == "distinct" and self.dialect == "spark":
            # Spark has no DISTINCT window aggregates: the distinct set of the frame, then its size.
            value, empty = f"cardinality(list_distinct(array_agg({picked(col)}){over}))", "0"
        elif agg.func == "distinct":
            value, empty = f"count(DISTINCT {picked(col)}){over}", "0"
        elif agg.func == "sum":
            value, empty = f"coalesce(sum({picked(col)}){over}, 0)", "0"
        else:
            value, empty = f"{agg.func}({picked(col)}){over}", "NULL"
        # An event without the grouping value belongs to no group (the in-memory evaluator agrees).
        return f"CASE WHEN ev.{agg.per} IS NULL THEN {empty} ELSE {value} END"


@dataclass(frozen=True, slots=True)
class CompiledRule:
    rule: Rule
    sql: str
    params: list[object]
    placeholders: tuple[str, ...]  # column names p_0.. for the explanation


def max_window(rule: Rule) -> int:
    return max((a.window_s for a in rule.aggregates()), default=0)


def compile_rule(rule: Rule, start: datetime | None = None, end: datetime | None = None, *,
                 dialect: str = "duckdb") -> CompiledRule:
    """One query returning every event in [start, end) on which ``rule`` fires."""
    comp = Compiler(dialect)
    condition = comp.expr(rule.condition)
    placeholders: list[str] = []
    select_extra: list[str] = []
    for part in rule.explanation:
        if isinstance(part, Node):
            name = f"p_{len(placeholders)}"
            placeholders.append(name)
            select_extra.append(f"{comp.expr(part)} AS {name}")
    params: list[object] = []
    ev_where = []
    if start is not None:
        ev_where.append("e.ts >= ?")
        params.append(start - timedelta(seconds=max_window(rule)))
    if end is not None:
        ev_where.append("e.ts < ?")
        params.append(end)
    windows = "".join(f", {comp.window_sql(a)} AS {n}" for a, n in comp.aggregates.values())
    kinds = ", ".join(literal(k) for k in rule.on)
    outer = [f"w.kind IN ({kinds})"]
    if start is not None:
        outer.append("w.ts >= ?")
        params.append(start)
    outer.append(f"coalesce({condition}, FALSE)")
    hit_cols = ", ".join(f"w.{c}" for c in HIT_COLUMNS)
    extra = "".join(f", {s}" for s in select_extra)
    sql = (
        "WITH ev AS (SELECT e.*, acc.customer_id FROM ledger_events e "
        "JOIN ledger_accounts acc ON acc.account_id = e.account_id"
        + (f" WHERE {' AND '.join(ev_where)}" if ev_where else "")
        + f"), w AS (SELECT ev.*{windows} FROM ev) "
        f"SELECT {hit_cols}{extra} FROM w "
        "JOIN ledger_accounts a ON a.account_id = w.account_id "
        "LEFT JOIN signal_customers c ON c.customer_id = w.customer_id "
        "LEFT JOIN signal_addresses s ON s.address = w.address "
        "LEFT JOIN signal_deposits x ON x.txid = w.txid AND x.vout = w.vout AND w.kind = 'deposit' "
        f"WHERE {' AND '.join(outer)} ORDER BY w.ts, w.event_id"
    )
    return CompiledRule(rule, sql, params, tuple(placeholders))
