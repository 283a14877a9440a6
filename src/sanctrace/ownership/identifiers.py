"""Check-digit validation for party identifiers, so a mistyped number is caught on load instead of
silently failing to link two records of the same company.

- Japan corporate number (法人番号, 13 digits): the first digit is a check digit over the 12-digit
  base number: ``9 - (sum(P_n * Q_n) mod 9)`` where ``P_n`` is the n-th digit counted from the right
  of the base number and ``Q_n`` is 1 for odd n and 2 for even n (National Tax Agency rule).
- LEI (ISO 17442, 20 characters): the last two characters are ISO 7064 MOD 97-10 check digits; with
  letters mapped to 10..35 the whole code read as an integer is 1 modulo 97.
"""

from __future__ import annotations

import re

_JP_CORP = re.compile(r"^\d{13}$")
_LEI = re.compile(r"^[0-9A-Z]{18}[0-9]{2}$")

#: identifier types whose values carry a check digit we verify
CHECKED_TYPES = ("jp_corporate_number", "lei")


def jp_corporate_check_digit(base12: str) -> int:
    """The check digit for a 12-digit base number."""
    total = 0
    for n, ch in enumerate(reversed(base12), start=1):
        total += int(ch) * (1 if n % 2 else 2)
    return 9 - (total % 9)


def is_valid_jp_corporate_number(value: str) -> bool:
    value = normalize_identifier("jp_corporate_number", value)
    if not _JP_CORP.match(value):
        return False
    return int(value[0]) == jp_corporate_check_digit(value[1:])


def _mod97(text: str) -> int:
    digits = "".join(str(int(ch, 36)) for ch in text)
    return int(digits) % 97


def lei_check_digits(prefix18: str) -> str:
    """The two ISO 7064 MOD 97-10 check digits for an 18-character LEI prefix."""
    return f"{98 - _mod97(prefix18.upper() + '00'):02d}"


def is_valid_lei(value: str) -> bool:
    value = normalize_identifier("lei", value)
    return bool(_LEI.match(value)) and _mod97(value) == 1


def normalize_identifier(id_type: str, value: str) -> str:
    """Canonical form used for exact linking: no spaces or dashes, upper case."""
    return re.sub(r"[\s\-./]", "", value).upper()


def validate_identifier(id_type: str, value: str) -> str | None:
    """A reason why ``value`` is not a valid ``id_type``, or None when it is (or is unchecked)."""
    if id_type == "jp_corporate_number" and not is_valid_jp_corporate_number(value):
        return f"invalid Japan corporate number {value!r} (13 digits, check digit first)"
    if id_type == "lei" and not is_valid_lei(value):
        return f"invalid LEI {value!r} (20 characters, ISO 7064 MOD 97-10 check digits)"
    return None
