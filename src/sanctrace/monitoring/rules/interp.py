"""Evaluate a rule expression in memory, for one event, with SQL's meaning (for the decision hot path).

A pending withdrawal is not in the ledger yet, and a decision must come back in milliseconds, so
the decider cannot run the compiled SQL. It evaluates the same tree here against a dict of the
event's fields and signals, with aggregates answered from an in-memory, time-sorted history
(:class:`EventHistory`). NULL semantics follow SQL exactly (tests compare both back ends).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sanctrace.monitoring.rules.ast import Aggregate, Binary, Call, Field, ListLit, Literal, Node, Unary

_CMP = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, "<": lambda a, b: a < b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, ">=": lambda a, b: a >= b,
}


class EventHistory:
    """Recent ledger events indexed by the fields aggregates group on, each list sorted by time."""

    def __init__(self, per_fields: Iterable[str]) -> None:
        self.per_fields = tuple(sorted(set(per_fields)))
        self._index: dict[tuple[str, Any], tuple[list[datetime], list[Mapping[str, Any]]]] = {}
        self._ids: dict[str, datetime] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def add(self, event: Mapping[str, Any]) -> None:
        event_id = event.get("event_id")
        if event_id is not None:
            if event_id in self._ids:
                return
            self._ids[event_id] = event["ts"]
        for per in self.per_fields:
            value = event.get(per)
            if value is None:
                continue
            times, events = self._index.setdefault((per, value), ([], []))
            i = bisect.bisect_right(times, event["ts"])
            times.insert(i, event["ts"])
            events.insert(i, event)

    def prune(self, before: datetime) -> int:
        """Forget events older than ``before`` (no window reaches them any more); returns how many."""
        for key in list(self._index):
            times, events = self._index[key]
            cut = bisect.bisect_left(times, before)
            if cut == len(times):
                del self._index[key]
            elif cut:
                del times[:cut]
                del events[:cut]
        old = [i for i, ts in self._ids.items() if ts < before]
        for i in old:
            del self._ids[i]
        return len(old)

    def __contains__(self, event_id: object) -> bool:
        return event_id in self._ids

    def window(self, per: str, value: Any, start: datetime, end: datetime) -> list[Mapping[str, Any]]:
        """Events with ``start < ts <= end`` sharing ``per == value``."""
        entry = self._index.get((per, value))
        if entry is None:
            return []
        times, events = entry
        lo = bisect.bisect_right(times, start)
        hi = bisect.bisect_right(times, end)
        return events[lo:hi]


def truth(value: Any) -> bool:
    """How a WHERE clause reads a value: only TRUE fires."""
    return value is True


def evaluate(node: Node, row: Mapping[str, Any], history: EventHistory | None = None) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Field):
        return row.get(node.key)
    if isinstance(node, Unary):
        value = evaluate(node.operand, row, history)
        if value is None:
            return None
        if node.op == "not":
            return not value
        return -value
    if isinstance(node, Binary):
        return _binary(node, row, history)
    if isinstance(node, Call):
        args = [evaluate(a, row, history) for a in node.args]
        if node.func == "coalesce":
            return next((a for a in args if a is not None), None)
        arg = args[0]
        if arg is None:
            return None
        if node.func == "abs":
            return abs(arg)
        return str(arg).lower() if node.func == "lower" else str(arg).upper()
    if isinstance(node, Aggregate):
        return _aggregate(node, row, history)
    if isinstance(node, ListLit):
        raise TypeError("a list outside 'in'")
    raise TypeError(f"cannot evaluate {type(node).__name__}")


def _binary(node: Binary, row: Mapping[str, Any], history: EventHistory | None) -> Any:
    op = node.op
    if op in ("and", "or"):
        left = evaluate(node.left, row, history)
        if op == "and" and left is False:
            return False
        if op == "or" and left is True:
            return True
        right = evaluate(node.right, row, history)
        if op == "and":
            if right is False:
                return False
            return None if left is None or right is None else True
        if right is True:
            return True
        return None if left is None or right is None else False
    left = evaluate(node.left, row, history)
    if op in ("in", "notin"):
        assert isinstance(node.right, ListLit)
        items = [evaluate(i, row, history) for i in node.right.items]
        if not items:
            return op == "notin"
        if left is None:
            return None
        found: bool | None = True if left in [i for i in items if i is not None] else (
            None if any(i is None for i in items) else False)
        if op == "in" or found is None:
            return found
        return not found
    right = evaluate(node.right, row, history)
    if left is None or right is None:
        return None
    try:
        if op in _CMP:
            return _CMP[op](left, right)
        if op == "+":
            return left + right
        if op == "-":
            return left - right
        if op == "*":
            return left * right
        if op == "/":
            return None if right == 0 else left / right
    except TypeError:
        return None
    raise TypeError(f"unknown operator {op}")


def _aggregate(agg: Aggregate, row: Mapping[str, Any], history: EventHistory | None) -> Any:
    if history is None:
        raise TypeError("aggregates need an event history")
    ts: datetime = row["ts"]
    key = row.get(agg.per)
    events: list[Mapping[str, Any]] = []
    if key is not None:
        events = history.window(agg.per, key, ts - timedelta(seconds=agg.window_s), ts)
        if row.get("event_id") not in history:
            events = [*events, row]
    selected = [
        e for e in events
        if (agg.kind == "event" or e.get("kind") == agg.kind)
        and (agg.where is None or truth(evaluate(agg.where, e, history)))
    ]
    if agg.func == "count":
        return len(selected)
    assert agg.field is not None
    values = [e.get(agg.field) for e in selected]
    present = [v for v in values if v is not None]
    if agg.func == "distinct":
        return len(set(present))
    if agg.func == "sum":
        return sum(present) if present else 0
    if not present:
        return None
    return min(present) if agg.func == "min" else max(present)
