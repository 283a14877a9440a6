"""Script detection from characters and the Russia-program classification."""

from __future__ import annotations

import pytest

from sanctrace.lists import is_russia_program
from sanctrace.lists.countries import to_iso2
from sanctrace.lists.scripts import detect_script


@pytest.mark.parametrize(("text", "script"), [
    ("Putin Vladimir", "Latn"), ("Путин Владимир", "Cyrl"), ("ウラジーミル・プーチン", "Jpan"),
    ("ｳﾗｼﾞｰﾐﾙ", "Jpan"), ("ぷーちん", "Jpan"), ("有限責任会社アルグト", "Jpan"), ("连邦保安", "Hani"),
    ("김정은", "Kore"), ("بوتين", "Arab"), ("Βλαντιμίρ", "Grek"), ("123-45", "Zyyy"), ("Müller GmbH", "Latn"),
])
def test_detect_script(text: str, script: str) -> None:
    assert detect_script(text) == script


@pytest.mark.parametrize(("program", "expected"), [
    ("RUSSIA-EO14024", True), ("BPI-RUSSIA-EO14024", True), ("UKRAINE-EO13662", True), ("CAATSA - RUSSIA", True),
    ("PEESA-EO14039", True), ("CAATSA - IRAN", False), ("SDGT", False), ("RUS", True), ("GB-RUS", True),
    ("The Russia (Sanctions) (EU Exit) Regulations 2019", True), ("JP-METI-RU", True), ("JP-METI-BY", False),
])
def test_russia_programs(program: str, expected: bool) -> None:
    assert is_russia_program(program) is expected


def test_country_names() -> None:
    assert [to_iso2(v) for v in ("Russian Federation", "Russia", "RUS", "Korea, North", "Crimea region of Ukraine",
                                 "", None, "Atlantis")] == ["RU", "RU", "RU", "KP", "UA", None, None, None]
