"""The compiled Katakana/Latin alignment gives exactly the scores of the plain-Python definition.

The pairs are the ones screening really compares: every Katakana word of a METI Japanese name
against every word of the entry's English names and every join of two or three neighbouring
words (the compound spans of ``align._find_span``), and against the words of other entries
(mostly non-matches, which exercise the early rejection and the floor at zero).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from sanctrace.screening import kana_match
from sanctrace.screening.kana_match import (
    _reference_latin_phones,
    _reference_similarity,
    is_kana_shaped,
    kana_latin_similarity,
    latin_phones,
)
from sanctrace.screening.normalize import parse_name


def _tokens(name: str) -> list[str]:
    parsed = parse_name(name, True, False)
    return [tok for form in parsed.forms for tok in form.tokens]


@pytest.fixture(scope="module")
def meti_pairs(shared_data: Path) -> list[tuple[str, str]]:
    from sanctrace.lists.registry import parse_file

    entries: list[tuple[list[str], list[list[str]]]] = []
    for path in sorted((shared_data / "sanctions/jp").glob("meti_*.txt")):
        for entry in parse_file(path).entries:
            kana = sorted({t for n in entry.names if n.script == "Jpan" for t in _tokens(n.full) if is_kana_shaped(t)})
            latin = [_tokens(n.full) for n in entry.names if n.script == "Latn"]
            if kana and latin:
                entries.append((kana, latin))
    pairs: set[tuple[str, str]] = set()
    for k, (kana, latin) in enumerate(entries):
        others = [tok for _, names in entries[k + 1: k + 4] for tokens in names for tok in tokens]
        for tokens in latin:
            words = list(tokens)
            words += ["".join(tokens[i: i + w]) for w in (2, 3) for i in range(len(tokens) - w + 1)]
            pairs.update((kt, word) for kt in kana for word in words + others)
    return sorted(pairs)


def test_compiled_alignment_equals_the_python_definition_on_meti_names(meti_pairs: list[tuple[str, str]]) -> None:
    assert len(meti_pairs) > 20_000  # the METI files hold a few hundred Katakana names
    differ = [(k, w, kana_latin_similarity(k, w), _reference_similarity(k, w)) for k, w in meti_pairs
              if kana_latin_similarity(k, w) != _reference_similarity(k, w)]
    assert not differ, differ[:10]
    # Both sides of the 0.65 evidence floor and of the join floor are well represented.
    scores = [kana_latin_similarity(k, w) for k, w in meti_pairs]
    assert sum(s >= 0.8 for s in scores) > 300 and sum(0.0 < s < 0.65 for s in scores) > 5_000


def test_compiled_path_is_the_one_taken_for_ascii_phones() -> None:
    assert kana_match._encoded_kana("kidomateku") is not None
    assert kana_match._encoded_latin("kidmatech") is not None
    matrix = kana_match._substitution_matrix()
    assert matrix[ord("r"), ord("l")] == 0.25 and matrix[ord("a"), ord("k")] == 9.0


def test_random_words_score_alike_on_both_paths() -> None:
    """Letters, digits and syllables that METI does not contain, with a fixed seed."""
    rng = random.Random(20261130)
    syllables = ["ka", "shi", "tsu", "n", "ryo", "chi", "ja", "vu", "fa", "de", "u", "o", "pya", "wa", "ze"]
    letters = "abcdefghijklmnopqrstuvwxyz0123456789"
    for _ in range(3_000):
        kana = "".join(rng.choice(syllables) for _ in range(rng.randint(1, 7)))
        latin = "".join(rng.choice(letters) for _ in range(rng.randint(1, 14)))
        assert kana_latin_similarity(kana, latin) == _reference_similarity(kana, latin), (kana, latin)


def test_one_pass_latin_scan_cuts_words_as_the_spelling_by_spelling_scan(meti_pairs: list[tuple[str, str]]) -> None:
    words = sorted({w for _, w in meti_pairs})
    rng = random.Random(11)
    units = ["tion", "sion", "igh", "shch", "tsch", "dzh", "sch", "tch", "ch", "sh", "zh", "kh", "gh", "ph", "th",
             "ts", "tz", "ck", "qu", "sz", "cz", "dj", "x", "j", "y", "c", "q", "e", "a", "s", "h", "t", "i", "-", "ü"]
    words += ["".join(rng.choice(units) for _ in range(rng.randint(1, 8))) for _ in range(5_000)]
    differ = [w for w in words if latin_phones(w) != _reference_latin_phones(w)]
    assert not differ, differ[:10]


@pytest.mark.parametrize(("kana", "latin"), [("", "moscow"), ("mosukuwa", ""), ("", ""), ("myunhen", "münchen")])
def test_empty_words_and_non_ascii_letters(kana: str, latin: str) -> None:
    assert kana_latin_similarity(kana, latin) == _reference_similarity(kana, latin)
