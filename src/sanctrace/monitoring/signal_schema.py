"""Shapes of the signal tables that rules and decisions read (what the other capabilities found).

Kept apart from :mod:`.signals` (which fills them from screening, ownership and chain) so the rule
compiler and the decision hot path depend only on these column lists, never on those packages.
A missing row means "nothing known": booleans read as false and shares as 0.
"""

from __future__ import annotations

from sanctrace.engine.base import Engine
from sanctrace.engine.schema_version import ensure_component

SIGNAL_CUSTOMERS: tuple[tuple[str, str], ...] = (
    ("customer_id", "VARCHAR"),
    ("screening_hit", "BOOLEAN"),  # a candidate match at or above the screening threshold
    ("screening_score", "DOUBLE"),
    ("listed", "BOOLEAN"),  # confirmed / exact match to a list entry (blocked person)
    ("list_entry", "VARCHAR"),  # e.g. ofac:36456
    ("list_name", "VARCHAR"),
    ("ownership_blocked", "BOOLEAN"),  # blocked by the 50% rule
    ("ownership_share", "DOUBLE"),  # aggregate share held by blocked persons
    ("owner_listed", "BOOLEAN"),  # a beneficial owner / controller is listed
    ("owner_name", "VARCHAR"),
    ("russia_nexus", "BOOLEAN"),  # FSA monitoring order: Russian person/entity or controlled by one
    ("nexus_reason", "VARCHAR"),
    ("sources", "VARCHAR"),  # which capabilities contributed (JSON list)
)

SIGNAL_ADDRESSES: tuple[tuple[str, str], ...] = (
    ("address", "VARCHAR"),
    ("sanctioned", "BOOLEAN"),  # on an OFAC/other list itself
    ("sanction_entity", "VARCHAR"),
    ("russia_nexus", "BOOLEAN"),  # tagged Russian-nexus actor (exchange, market, miner)
    ("label", "VARCHAR"),
    ("category", "VARCHAR"),  # exchange, mixer, miner, market, ...
    ("cluster_id", "VARCHAR"),
    ("cluster_sanctioned", "BOOLEAN"),  # clustered (multi-input etc.) with a sanctioned address
    ("cluster_russia_nexus", "BOOLEAN"),
    ("cluster_label", "VARCHAR"),
    ("sources", "VARCHAR"),
)

SIGNAL_DEPOSITS: tuple[tuple[str, str], ...] = (
    ("txid", "VARCHAR"),
    ("vout", "INTEGER"),
    ("mining_ru_share", "DOUBLE"),  # share of value traced to Russian-nexus mining (pools / miners)
    ("mining_share", "DOUBLE"),  # share traced to any coinbase within the hop limit
    ("sanctioned_share", "DOUBLE"),  # share traced to sanctioned addresses
    ("hops", "INTEGER"),  # fewest hops to a flagged source (NULL: none found)
    ("max_hops", "INTEGER"),  # how far the trace looked
    ("sources", "VARCHAR"),  # JSON: the flagged sources with their shares
)

SIGNAL_TABLES: dict[str, tuple[tuple[tuple[str, str], ...], tuple[str, ...]]] = {
    "signal_customers": (SIGNAL_CUSTOMERS, ("customer_id",)),
    "signal_addresses": (SIGNAL_ADDRESSES, ("address",)),
    "signal_deposits": (SIGNAL_DEPOSITS, ("txid", "vout")),
}


# Bump when a column is added to a signal table: older databases get it by ALTER TABLE.
SCHEMA_VERSION = 1


def ensure_signal_tables(engine: Engine) -> None:
    statements = []
    for table, (columns, key) in SIGNAL_TABLES.items():
        cols = ", ".join(f"{n} {t}" for n, t in columns)
        statements.append(
            f"CREATE TABLE IF NOT EXISTS {table} ({cols}, updated_at TIMESTAMP, PRIMARY KEY ({', '.join(key)}))"
        )
    ensure_component(engine, "signals", SCHEMA_VERSION, statements)
