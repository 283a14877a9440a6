"""The documented ledger file formats and the tables they land in.

One file per kind. Each kind declares its columns (name, type, required, allowed values); the
loader detects a file's kind from its name (``deposits.csv``, ``deposits-2026-05.parquet``) or,
failing that, from its header (the kind whose required columns are all present, most specific
first). docs/ledger-format.md describes the same thing for people; keep the two in step.

All events land in one wide table, ``ledger_events`` (kind-specific columns are NULL elsewhere),
so rules can aggregate across kinds with one window; ``ledger_<kind>s`` views give each kind its
own narrow shape for readers that want one kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sanctrace.engine.base import Engine
from sanctrace.engine.schema_version import ensure_component
from sanctrace.model.ledger import CustomerType, EventKind


class ColType(StrEnum):
    TEXT = "text"
    AMOUNT = "amount"  # integer minor units, >= 0
    INT = "int"  # integer >= 0 (vout)
    TIMESTAMP = "timestamp"  # ISO 8601; naive means UTC


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    type: ColType = ColType.TEXT
    required: bool = True
    choices: tuple[str, ...] = ()
    target: str = ""  # column in ledger_events when it differs from ``name``

    @property
    def dest(self) -> str:
        return self.target or self.name


@dataclass(frozen=True, slots=True)
class KindSpec:
    kind: EventKind
    names: tuple[str, ...]  # file-name stems that identify the kind
    columns: tuple[Column, ...]
    direction: str | None = None  # fixed direction for deposits / withdrawals

    @property
    def required(self) -> frozenset[str]:
        return frozenset(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column | None:
        return next((c for c in self.columns if c.name == name), None)


def _event(*extra: Column) -> tuple[Column, ...]:
    return (
        Column("event_id"),
        Column("ts", ColType.TIMESTAMP),
        Column("account_id"),
        *extra,
    )


_VALUE = Column("value_jpy", ColType.AMOUNT, required=False)

SPECS: dict[EventKind, KindSpec] = {
    EventKind.ACCOUNT: KindSpec(EventKind.ACCOUNT, ("accounts", "account", "customers"), (
        Column("account_id"),
        Column("customer_id"),
        Column("customer_name"),
        Column("customer_type", choices=tuple(t.value for t in CustomerType)),
        Column("country"),
        Column("opened_at", ColType.TIMESTAMP),
        Column("expected_monthly_volume_jpy", ColType.AMOUNT, required=False),
    )),
    EventKind.DEPOSIT: KindSpec(EventKind.DEPOSIT, ("deposits", "deposit"), _event(
        Column("asset"), Column("amount", ColType.AMOUNT), Column("txid"), Column("vout", ColType.INT),
        Column("address"), _VALUE,
    ), direction="in"),
    EventKind.WITHDRAWAL: KindSpec(EventKind.WITHDRAWAL, ("withdrawals", "withdrawal"), _event(
        Column("asset"), Column("amount", ColType.AMOUNT), Column("address"),
        Column("txid", required=False), _VALUE,
    ), direction="out"),
    EventKind.INTERNAL_TRANSFER: KindSpec(
        EventKind.INTERNAL_TRANSFER, ("internal_transfers", "internal", "transfers"), _event(
            Column("to_account_id"), Column("asset"), Column("amount", ColType.AMOUNT), _VALUE,
        )),
    EventKind.TRADE: KindSpec(EventKind.TRADE, ("trades", "trade"), _event(
        Column("side", choices=("buy", "sell")),
        Column("base_asset", target="asset"), Column("base_amount", ColType.AMOUNT, target="amount"),
        Column("quote_asset"), Column("quote_amount", ColType.AMOUNT), _VALUE,
    )),
    EventKind.FIAT: KindSpec(EventKind.FIAT, ("fiat", "fiat_transfers", "bank"), _event(
        Column("direction", choices=("in", "out")),
        Column("currency", target="asset"), Column("amount", ColType.AMOUNT),
        Column("counterparty_name", required=False), Column("counterparty_country", required=False),
        _VALUE,
    )),
    EventKind.LOGIN: KindSpec(EventKind.LOGIN, ("logins", "login", "sessions"), _event(
        Column("ip"), Column("device_id"),
    )),
    EventKind.TRAVEL_RULE: KindSpec(EventKind.TRAVEL_RULE, ("travel_rule", "travel_rules", "ivms101"), _event(
        Column("transfer_event_id"), Column("direction", choices=("in", "out")),
        Column("originator_name"), Column("beneficiary_name"),
        Column("counterparty_vasp"), Column("counterparty_vasp_country"),
        Column("originator_country", required=False), Column("beneficiary_country", required=False),
    )),
}

# (column, DuckDB type) of the wide event table, in order.
EVENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("event_id", "VARCHAR"), ("kind", "VARCHAR"), ("ts", "TIMESTAMP"), ("account_id", "VARCHAR"),
    ("asset", "VARCHAR"), ("amount", "BIGINT"), ("value_jpy", "BIGINT"), ("direction", "VARCHAR"),
    ("address", "VARCHAR"), ("txid", "VARCHAR"), ("vout", "INTEGER"), ("to_account_id", "VARCHAR"),
    ("side", "VARCHAR"), ("quote_asset", "VARCHAR"), ("quote_amount", "BIGINT"),
    ("counterparty_name", "VARCHAR"), ("counterparty_country", "VARCHAR"),
    ("ip", "VARCHAR"), ("device_id", "VARCHAR"), ("transfer_event_id", "VARCHAR"),
    ("originator_name", "VARCHAR"), ("beneficiary_name", "VARCHAR"),
    ("originator_country", "VARCHAR"), ("beneficiary_country", "VARCHAR"),
    ("counterparty_vasp", "VARCHAR"), ("counterparty_vasp_country", "VARCHAR"),
    ("row_hash", "VARCHAR"), ("source_file", "VARCHAR"), ("source_line", "BIGINT"),
)

ACCOUNT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("account_id", "VARCHAR"), ("customer_id", "VARCHAR"), ("customer_name", "VARCHAR"),
    ("customer_type", "VARCHAR"), ("country", "VARCHAR"), ("opened_at", "TIMESTAMP"),
    ("expected_monthly_volume_jpy", "BIGINT"),
    ("row_hash", "VARCHAR"), ("source_file", "VARCHAR"), ("source_line", "BIGINT"),
)


# Bump when a column is added to EVENT_COLUMNS/ACCOUNT_COLUMNS: older databases get it by ALTER TABLE.
SCHEMA_VERSION = 1


def _ledger_statements() -> list[str]:
    cols = ", ".join(f"{n} {t}" for n, t in ACCOUNT_COLUMNS)
    statements = [f"CREATE TABLE IF NOT EXISTS ledger_accounts ({cols}, PRIMARY KEY (account_id))"]
    cols = ", ".join(f"{n} {t}" for n, t in EVENT_COLUMNS)
    statements.append(f"CREATE TABLE IF NOT EXISTS ledger_events ({cols}, PRIMARY KEY (event_id))")
    for kind, spec in SPECS.items():
        if kind is EventKind.ACCOUNT:
            continue
        select = ", ".join(
            ["event_id", "ts", "account_id"]
            + [f"{c.dest} AS {c.name}" for c in spec.columns[3:]]
        )
        statements.append(
            f"CREATE OR REPLACE VIEW ledger_{kind.value}s AS "
            f"SELECT {select} FROM ledger_events WHERE kind = '{kind.value}'"
        )
    return statements


def ensure_ledger_tables(engine: Engine) -> None:
    """Create (or bring up to date) the ledger tables and per-kind views (idempotent)."""
    ensure_component(engine, "ledger", SCHEMA_VERSION, _ledger_statements())


def kind_from_name(stem: str) -> EventKind | None:
    """``deposits``, ``deposits-2026-05``, ``2026-05_deposits`` → deposit; None when unclear."""
    low = stem.lower()
    best: tuple[int, EventKind] | None = None
    for kind, spec in SPECS.items():
        for name in spec.names:
            parts = low.replace("-", "_").replace(".", "_")
            named = parts == name or parts.startswith(name + "_") or parts.endswith("_" + name)
            if named and (best is None or len(name) > best[0]):
                best = (len(name), kind)
    return best[1] if best else None


def kind_from_header(header: set[str]) -> EventKind | None:
    """The kind whose required columns are all present; the most specific wins, ties are unclear."""
    matches = sorted(
        ((len(spec.required), kind) for kind, spec in SPECS.items() if spec.required <= header),
        reverse=True,
    )
    if not matches or (len(matches) > 1 and matches[0][0] == matches[1][0]):
        return None
    return matches[0][1]
