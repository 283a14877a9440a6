"""What every party loader shares: percentages that are checked, not guessed; names tagged with
their script and IVMS101 form; identifiers validated by check digit."""

from __future__ import annotations

import math
import re

from sanctrace.errors import InputError
from sanctrace.model.party import NameForm, NameType, PartyIdentifier, PartyName
from sanctrace.ownership.identifiers import validate_identifier
from sanctrace.ownership.normalize import detect_script

_PERCENT = re.compile(r"^\s*([-+]?\d+(?:[.,]\d+)?)\s*%?\s*$")


def parse_percent(text: str, source: str, where: str) -> float:
    """``"40"``, ``"40%"``, ``"12,5"`` → fraction; anything else is an InputError naming the record."""
    m = _PERCENT.match(text)
    if not m:
        raise InputError.at(source, where, f"percentage {text!r} is not a number")
    value = float(m.group(1).replace(",", "."))
    return check_percent(value, source, where)


def check_percent(value: float, source: str, where: str) -> float:
    if math.isnan(value) or math.isinf(value):
        raise InputError.at(source, where, f"percentage {value!r} is not a number")
    if value < 0:
        raise InputError.at(source, where, f"negative percentage {value:g}")
    if value > 100:
        raise InputError.at(source, where, f"percentage {value:g} is above 100")
    return value / 100.0


def check_range(lo: float, hi: float, source: str, where: str) -> tuple[float, float]:
    if lo > hi:
        raise InputError.at(source, where, f"share minimum {lo * 100:g}% is above maximum {hi * 100:g}%")
    return lo, hi


def make_name(full: str, name_type: NameType = NameType.LEGL, form: NameForm | None = None) -> PartyName:
    """Script from the characters; form from the script unless given: Latin → legal, katakana-only →
    phonetic, any other script → local (IVMS101 carries each in its own identifier set)."""
    script = detect_script(full)
    if form is None:
        form = NameForm.LEGAL if script == "Latn" else NameForm.PHONETIC if script == "Kana" else NameForm.LOCAL
    return PartyName(full.strip(), form, name_type, script)


def checked_identifier(id_type: str, value: str, country: str | None, source: str, where: str
                       ) -> PartyIdentifier:
    problem = validate_identifier(id_type, value)
    if problem:
        raise InputError.at(source, where, problem)
    return PartyIdentifier(id_type, value.strip(), country.lower() if country else None)


_REPRESENTATIVE = ("代表", "represent", "генеральный директор", "general director", "chief executive",
                   "ceo", "managing director")


def is_representative_role(role: str | None) -> bool:
    return bool(role) and any(k in role.lower() for k in _REPRESENTATIVE)  # type: ignore[union-attr]
