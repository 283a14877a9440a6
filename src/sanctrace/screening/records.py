"""Customer records in, screening results out: the shapes the API and the CLI exchange.

Input columns (CSV header, case-insensitive): ``id`` and ``name`` are required; ``kind``
(person | company), ``birth_date``, ``nationality``, ``country``, ``wallet``, ``phone``,
``email``, ``address``, ``ip_country`` are optional, and so are ``document_country`` and
``id_number`` (identity document). A missing required column or a ragged row is an
:class:`~sanctrace.errors.InputError` naming the file and the line.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TextIO

from sanctrace.errors import InputError
from sanctrace.screening.nexus import NexusReason

REQUIRED_COLUMNS = ("id", "name")
OPTIONAL_COLUMNS = ("kind", "birth_date", "nationality", "country", "wallet", "phone", "email", "address",
                    "ip_country", "document_country", "id_number")
_KINDS = {"person": "person", "individual": "person", "company": "company", "organization": "company",
          "organisation": "company", "entity": "company", "legalentity": "company", "": "unknown",
          "unknown": "unknown", "vessel": "vessel", "aircraft": "aircraft"}


@dataclass(slots=True)
class CustomerRecord:
    id: str
    name: str
    kind: str = "unknown"  # person | company | vessel | aircraft | unknown
    birth_date: str | None = None
    nationality: str | None = None
    country: str | None = None
    wallet: str | None = None
    phone: str | None = None
    email: str | None = None
    address: str | None = None
    ip_country: str | None = None
    document_country: str | None = None
    id_number: str | None = None


@dataclass(slots=True)
class Match:
    entity_id: str
    name: str
    score: float
    features: dict[str, float]
    programs: list[str]
    list_version: str
    kind: str = ""
    matched_on: str = "name"  # "name" or "wallet"


@dataclass(slots=True)
class ScreeningResult:
    id: str
    matches: list[Match] = field(default_factory=list)
    russia_nexus: list[NexusReason] = field(default_factory=list)

    @property
    def hit(self) -> bool:
        return bool(self.matches)


def normalize_kind(value: str | None, *, source: str = "input", where: str | int | None = None) -> str:
    kind = _KINDS.get((value or "").strip().lower().replace(" ", ""))
    if kind is None:
        raise InputError.at(source, where, f"kind must be person or company, not {value!r}")
    return kind


def read_customers(handle: TextIO, source: str) -> Iterator[CustomerRecord]:
    """Stream customer records from CSV; errors name ``source`` and the line number."""
    reader = csv.reader(handle)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError.at(source, "line 1", "empty file: a header with id,name is required") from None
    except csv.Error as exc:
        raise InputError.at(source, "line 1", f"unreadable CSV: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise InputError.at(source, "line 1", f"not UTF-8 text (byte {exc.start}): {exc.reason}") from exc
    columns = [h.strip().lower().lstrip("\ufeff") for h in header]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        raise InputError.at(source, "line 1", f"missing required column(s): {', '.join(missing)}")
    known = set(REQUIRED_COLUMNS) | set(OPTIONAL_COLUMNS)
    positions = {c: i for i, c in enumerate(columns) if c in known}
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError.at(source, f"line {reader.line_num}", f"unreadable CSV: {exc}") from exc
        except UnicodeDecodeError as exc:
            raise InputError.at(source, f"after line {reader.line_num}", f"not UTF-8 text: {exc.reason}") from exc
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(columns):
            raise InputError.at(source, f"line {line}",
                                f"ragged row: {len(row)} fields where the header has {len(columns)}")
        values = {c: row[i].strip() for c, i in positions.items()}
        if not values["id"] or not values["name"]:
            raise InputError.at(source, f"line {line}", "id and name must not be empty")
        yield CustomerRecord(
            id=values["id"],
            name=values["name"],
            kind=normalize_kind(values.get("kind"), source=source, where=f"line {line}"),
            **{c: (values.get(c) or None) for c in OPTIONAL_COLUMNS if c != "kind"},
        )
