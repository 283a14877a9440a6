"""The expression tree a rule condition parses into.

Two back ends read it: :mod:`.sql` compiles it to DuckDB SQL for set-wise runs over the whole
ledger, :mod:`.interp` evaluates it in memory for the decision hot path. Both must agree
(tests check parity), so every node's meaning is defined once here, in SQL terms: NULL is
"unknown" and propagates, ``and``/``or`` are three-valued, a condition that is unknown does not fire.
"""

from __future__ import annotations

from dataclasses import dataclass

Value = int | float | str | bool | None


@dataclass(frozen=True, slots=True)
class Node:
    pos: int  # character offset in the expression source (for error messages)


@dataclass(frozen=True, slots=True)
class Literal(Node):
    value: Value


@dataclass(frozen=True, slots=True)
class ListLit(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Field(Node):
    namespace: str | None  # None: the event itself; account, customer, address, exposure
    name: str

    @property
    def key(self) -> str:
        return f"{self.namespace}.{self.name}" if self.namespace else self.name


@dataclass(frozen=True, slots=True)
class Unary(Node):
    op: str  # "not", "-"
    operand: Node


@dataclass(frozen=True, slots=True)
class Binary(Node):
    op: str  # + - * / == != < <= > >= and or in notin
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Call(Node):
    func: str  # coalesce, abs, lower, upper
    args: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Aggregate(Node):
    """``sum(deposit.value_jpy within 6h per account_id where amount > 0)``.

    Over the events of ``kind`` (``event``: every kind) that share the current event's ``per``
    value and happened in ``(ts - window, ts]`` — the current event included.
    """

    func: str  # count, sum, distinct, min, max
    kind: str
    field: str | None  # None only for count
    window_s: int
    window_text: str
    per: str
    where: Node | None
