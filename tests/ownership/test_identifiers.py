from __future__ import annotations

from sanctrace.ownership.identifiers import (
    is_valid_jp_corporate_number,
    is_valid_lei,
    jp_corporate_check_digit,
    lei_check_digits,
)


def test_japan_corporate_number_national_tax_agency() -> None:
    # 国税庁's own corporate number, published on houjin-bangou.nta.go.jp
    assert is_valid_jp_corporate_number("7000012050002")
    assert is_valid_jp_corporate_number("7-0000-1205-0002")
    assert not is_valid_jp_corporate_number("6000012050002")  # wrong check digit
    assert not is_valid_jp_corporate_number("700001205000")  # 12 digits
    assert jp_corporate_check_digit("000012050002") == 7


def test_japan_check_digit_catches_every_single_digit_error() -> None:
    base = "180301018771"
    good = f"{jp_corporate_check_digit(base)}{base}"
    assert is_valid_jp_corporate_number(good)
    caught = 0
    for i in range(1, 13):
        for d in "0123456789":
            if d != good[i]:
                caught += not is_valid_jp_corporate_number(good[:i] + d + good[i + 1:])
    assert caught >= 9 * 12 * 0.85  # mod 9 misses 0<->9 swaps only


def test_lei_iso_7064() -> None:
    assert is_valid_lei("HWUPKR0MPOU8FGXBT394")  # Apple Inc.
    assert is_valid_lei("5493001KJTIIGC8Y1R12")
    assert not is_valid_lei("HWUPKR0MPOU8FGXBT395")
    assert not is_valid_lei("HWUPKR0MPOU8FGXBT3")
    assert lei_check_digits("HWUPKR0MPOU8FGXBT3") == "94"
