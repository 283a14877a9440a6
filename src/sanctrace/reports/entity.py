"""The reporting entity (the exchange filing the report) and its FIU-specific codes.

goAML leaves many code lists to each FIU (funds codes, transmission modes, indicators, even the
currency code used for bitcoin), so they are settings of the reporting entity rather than constants
here. The profile is a small JSON or YAML file (``--entity FILE``); without one a clearly marked
placeholder is used so drafts can be produced, and the report says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from sanctrace.errors import InputError

PLACEHOLDER_ID = "0000"


@dataclass(frozen=True, slots=True)
class ReportingPerson:
    first_name: str = "Compliance"
    last_name: str = "Officer"
    title: str | None = None
    first_name_kana: str | None = None
    last_name_kana: str | None = None
    department: str | None = None
    phone: str | None = None
    phone_country_prefix: str | None = None
    email: str | None = None
    occupation: str = "AML compliance officer"


@dataclass(frozen=True, slots=True)
class ReportingEntity:
    rentity_id: str = PLACEHOLDER_ID
    rentity_branch: str | None = None
    name: str = "UNCONFIGURED REPORTING ENTITY (pass --entity FILE)"
    registration_number: str | None = None  # e.g. 関東財務局長 第00000号 (crypto-asset exchange registration)
    business_type: str = "暗号資産交換業者"
    address: str = "unknown"
    city: str = "unknown"
    zip: str | None = None
    state: str | None = None
    country: str = "JP"
    currency_code_local: str = "JPY"
    submission_code: str = "E"  # E electronic, M manual
    crypto_currency_code: str = "XBT"  # the code the FIU's currency lookup uses for bitcoin
    funds_code: str = "VA"  # from/to funds type lookup for virtual assets (FIU-specific)
    transmode_code: str = "VA"  # transmission mode lookup for on-chain transfers (FIU-specific)
    unknown_country: str = "ZZ"  # for wallets whose country nobody knows
    address_type: str = "B"  # business address type code
    btc_rate_local: str | None = None  # local currency per BTC, when the ledger has no local value
    indicators: dict[str, str] = field(default_factory=dict)  # rule_id → FIU indicator code
    default_indicator: str | None = None
    reporting_person: ReportingPerson = field(default_factory=ReportingPerson)

    @property
    def is_placeholder(self) -> bool:
        return self.rentity_id == PLACEHOLDER_ID

    def rate(self) -> Decimal | None:
        if self.btc_rate_local is None:
            return None
        try:
            return Decimal(str(self.btc_rate_local))
        except InvalidOperation as exc:
            raise InputError(f"reporting entity: btc_rate_local {self.btc_rate_local!r} is not a number") from exc

    def indicator_for(self, rule_id: str) -> str:
        return self.indicators.get(rule_id) or self.default_indicator or rule_id


def load_entity(path: Path | None) -> ReportingEntity:
    """Read a profile (JSON or YAML mapping); unknown keys are an error so typos do not pass silently."""
    if path is None:
        return ReportingEntity()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError.at(str(path), None, f"cannot read: {exc.strerror}") from exc
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError.at(str(path), f"byte {exc.start}", "not UTF-8 text") from None
    try:
        data = json.loads(text) if path.suffix == ".json" else yaml.safe_load(text)
    except json.JSONDecodeError as exc:
        raise InputError.at(str(path), f"line {exc.lineno}", f"not valid JSON: {exc.msg}") from None
    except yaml.MarkedYAMLError as exc:  # one line: PyYAML's own text spans several with a caret
        mark = exc.problem_mark or exc.context_mark
        raise InputError.at(str(path), f"line {mark.line + 1}" if mark else None,
                            f"not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise InputError.at(str(path), None, f"not valid YAML: {' '.join(str(exc).split())}") from None
    if not isinstance(data, dict):
        raise InputError.at(str(path), None, "expected a mapping of settings")
    return entity_from_dict(data, str(path))


def entity_from_dict(data: dict[str, Any], source: str = "entity") -> ReportingEntity:
    known = {f.name for f in fields(ReportingEntity)}
    unknown = set(data) - known
    if unknown:
        raise InputError.at(source, None, f"unknown keys: {', '.join(sorted(unknown))}")
    values = dict(data)
    person = values.pop("reporting_person", None) or {}
    if not isinstance(person, dict):
        raise InputError.at(source, "reporting_person", "expected a mapping")
    person_known = {f.name for f in fields(ReportingPerson)}
    if set(person) - person_known:
        raise InputError.at(source, "reporting_person",
                            f"unknown keys: {', '.join(sorted(set(person) - person_known))}")
    for key, value in values.items():
        if key == "indicators":
            if not isinstance(value, dict):
                raise InputError.at(source, key, "expected a mapping rule_id → indicator code")
            values[key] = {str(k): str(v) for k, v in value.items()}
        elif value is not None:
            values[key] = str(value)
    person_values: dict[str, Any] = {k: None if v is None else str(v) for k, v in person.items()}
    entity = ReportingEntity(**values, reporting_person=ReportingPerson(**person_values))
    entity.rate()
    return entity
