"""The whitelist: every name a rule may read, where it lives in SQL and its type.

A rule sees one ledger event (bare names: ``amount``, ``address``, ``ts``), the event's account
(``account.country``, ``account.age_days``), the customer's signals (``customer.listed``), the
signals of the event's address (``address.cluster_sanctioned``) and of the deposited output
(``exposure.mining_ru_share``). Anything else is rejected when the rule is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass

from sanctrace.model.ledger import EVENT_KINDS
from sanctrace.monitoring.ledger_schema import ACCOUNT_COLUMNS, EVENT_COLUMNS
from sanctrace.monitoring.signal_schema import SIGNAL_ADDRESSES, SIGNAL_CUSTOMERS, SIGNAL_DEPOSITS

_INTERNAL = {"row_hash", "source_file", "source_line"}


@dataclass(frozen=True, slots=True)
class FieldInfo:
    key: str  # as written in a rule: "amount", "customer.listed"
    sql: str  # expression in the compiled query
    type: str  # DuckDB type
    default: bool | float | None  # what a missing signal row reads as (mirrors the SQL coalesce)


def _with_default(sql: str, typ: str) -> tuple[str, bool | float | None]:
    if typ == "BOOLEAN":
        return f"coalesce({sql}, false)", False
    if typ == "DOUBLE":
        return f"coalesce({sql}, 0.0)", 0.0
    return sql, None


def _build() -> dict[str, FieldInfo]:
    fields: dict[str, FieldInfo] = {}
    for name, typ in EVENT_COLUMNS:
        if name not in _INTERNAL:
            fields[name] = FieldInfo(name, f"w.{name}", typ, None)
    fields["customer_id"] = FieldInfo("customer_id", "w.customer_id", "VARCHAR", None)
    for name, typ in ACCOUNT_COLUMNS:
        if name not in _INTERNAL:
            fields[f"account.{name}"] = FieldInfo(f"account.{name}", f"a.{name}", typ, None)
    fields["account.age_days"] = FieldInfo("account.age_days", "date_diff('day', a.opened_at, w.ts)", "BIGINT",
                                           None)
    for ns, alias, columns, skip in (
        ("customer", "c", SIGNAL_CUSTOMERS, "customer_id"),
        ("address", "s", SIGNAL_ADDRESSES, "address"),
        ("exposure", "x", SIGNAL_DEPOSITS, ""),
    ):
        for name, typ in columns:
            if name in (skip, "sources"):
                continue
            sql, default = _with_default(f"{alias}.{name}", typ)
            fields[f"{ns}.{name}"] = FieldInfo(f"{ns}.{name}", sql, typ, default)
    return fields


FIELDS: dict[str, FieldInfo] = _build()

# Fields an aggregate may group by (``per``) or filter on (``where``): the aggregated events' own.
EVENT_FIELD_NAMES: frozenset[str] = frozenset(k for k in FIELDS if "." not in k)
KIND_NAMES: frozenset[str] = frozenset({k.value for k in EVENT_KINDS} | {"event"})
NAMESPACES: frozenset[str] = frozenset({"account", "customer", "address", "exposure", "params"})
