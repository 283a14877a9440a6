"""STR formats registered by name, so the CLI, the API and plug-ins pick one the same way.

A format turns a case's facts into the bytes to file. Built-ins register here through the same
:func:`register` a deployment would use for its own FIU's variant.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sanctrace.errors import InputError
from sanctrace.reports.entity import ReportingEntity
from sanctrace.reports.facts import CaseFacts

Render = Callable[[CaseFacts, ReportingEntity, datetime], bytes]


@dataclass(frozen=True, slots=True)
class StrFormat:
    name: str
    render: Render
    media_type: str
    extension: str
    description: str


_FORMATS: dict[str, StrFormat] = {}


def register(fmt: StrFormat) -> None:
    _FORMATS[fmt.name] = fmt


def get(name: str) -> StrFormat:
    try:
        return _FORMATS[name]
    except KeyError:
        raise InputError(f"unknown STR format {name!r}: one of {', '.join(sorted(_FORMATS))}") from None


def names() -> list[str]:
    return sorted(_FORMATS)


def _goaml(facts: CaseFacts, entity: ReportingEntity, when: datetime) -> bytes:
    from sanctrace.reports import goaml

    return goaml.to_bytes(goaml.build_str(facts, entity, submitted_at=when))


def _jp_csv(facts: CaseFacts, entity: ReportingEntity, when: datetime) -> bytes:
    from sanctrace.reports import jp_str

    return jp_str.to_csv(facts, entity, submitted_at=when).encode("utf-8")


def _jp_json(facts: CaseFacts, entity: ReportingEntity, when: datetime) -> bytes:
    from sanctrace.reports import jp_str

    return jp_str.to_json(facts, entity, submitted_at=when).encode("utf-8")


register(StrFormat("goaml", _goaml, "application/xml", "xml", "goAML 4.0 STR (UNODC schema structure)"))
register(StrFormat("jp-csv", _jp_csv, "text/csv; charset=utf-8", "csv",
                   "疑わしい取引の届出 fields, one row per transaction, UTF-8 with BOM"))
register(StrFormat("jp-json", _jp_json, "application/json", "json", "疑わしい取引の届出 fields as JSON"))
