"""Exchange ledger records: the customer accounts and the events that move value or identify a user.

The loader (:mod:`sanctrace.monitoring.ledger`) turns CSV/Parquet rows into these kinds; rules,
decisions and reports read them back from the ``ledger_accounts`` / ``ledger_events`` tables.
Amounts are integer minor units of the event's asset (satoshi for BTC, yen for JPY); ``value_jpy``
is the exchange's own valuation of the event in yen, used by rules that compare volumes across assets.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EventKind(StrEnum):
    """One ledger file holds exactly one kind (detected from its name or header)."""

    ACCOUNT = "account"
    DEPOSIT = "deposit"
    WITHDRAWAL = "withdrawal"
    INTERNAL_TRANSFER = "internal_transfer"
    TRADE = "trade"
    FIAT = "fiat"
    LOGIN = "login"
    TRAVEL_RULE = "travel_rule"


EVENT_KINDS: tuple[EventKind, ...] = tuple(k for k in EventKind if k is not EventKind.ACCOUNT)


class CustomerType(StrEnum):
    PERSON = "person"
    COMPANY = "company"


@dataclass(frozen=True, slots=True)
class LoadedFile:
    """What one ``ledger load`` did with one file."""

    path: str
    kind: EventKind
    rows: int
    inserted: int
    skipped_existing: int
