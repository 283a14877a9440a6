from __future__ import annotations

import pytest

from sanctrace.monitoring.rules.ast import Aggregate, Binary, Field, ListLit, Literal, Unary
from sanctrace.monitoring.rules.syntax import RuleSyntaxError, parse


def test_precedence_and_shapes() -> None:
    node = parse("a + 2 * 3 > 4 and not b or c in ['RU', 'BY']")
    assert isinstance(node, Binary) and node.op == "or"
    left = node.left
    assert isinstance(left, Binary) and left.op == "and"
    assert isinstance(left.right, Unary) and left.right.op == "not"
    cmp = left.left
    assert isinstance(cmp, Binary) and cmp.op == ">"
    assert isinstance(cmp.left, Binary) and cmp.left.op == "+"
    assert isinstance(cmp.left.right, Binary) and cmp.left.right.op == "*"
    assert isinstance(node.right, Binary) and node.right.op == "in" and isinstance(node.right.right, ListLit)


def test_aggregate_syntax() -> None:
    node = parse("sum(deposit.value_jpy within 6h per customer_id where direction == 'in') >= 10")
    assert isinstance(node, Binary)
    agg = node.left
    assert isinstance(agg, Aggregate)
    assert (agg.func, agg.kind, agg.field, agg.window_s, agg.per) == ("sum", "deposit", "value_jpy", 21600,
                                                                      "customer_id")
    assert isinstance(agg.where, Binary) and agg.where.op == "=="
    count = parse("count(login within 30d)")
    assert isinstance(count, Aggregate) and count.per == "account_id" and count.window_s == 30 * 86400


def test_literals_and_fields() -> None:
    assert parse(r"'a\'b'") == Literal(0, "a'b")
    assert parse("customer.listed") == Field(0, "customer", "listed")
    assert parse("1.5e3") == Literal(0, 1500.0)
    assert parse("null") == Literal(0, None)
    assert parse("x not in [1]") == Binary(2, "notin", Field(0, None, "x"), ListLit(9, (Literal(10, 1),)))


@pytest.mark.parametrize(("source", "message", "pos"), [
    ("__import__('os').system('x')", "unknown function '__import__'", 0),
    ("amount > ", "expected a value, got end of expression", 9),
    ("amount >> 3", "expected a value, got '>'", 8),
    ("amount ; 1", "unexpected character ';'", 7),
    ("sum(deposit within 1h)", "sum() needs a field", 4),
    ("count(deposit within 1x)", "expected a duration", 21),
    ("amount > 24h", "only allowed after 'within'", 9),
    ("(amount", "expected ')'", 7),
    ("a.b.c", "unexpected '.'", 3),
])
def test_errors_carry_position(source: str, message: str, pos: int) -> None:
    with pytest.raises(RuleSyntaxError) as info:
        parse(source)
    assert message in info.value.message
    assert info.value.pos == pos


def test_depth_and_size_limits() -> None:
    with pytest.raises(RuleSyntaxError, match="nested too deeply"):
        parse("(" * 200 + "1" + ")" * 200)
    with pytest.raises(RuleSyntaxError, match="nested too deeply"):
        parse("not " * 200 + "true")
    with pytest.raises(RuleSyntaxError, match="longer than"):
        parse("1 + " * 2000 + "1")
