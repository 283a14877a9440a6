"""How close a romanised Katakana word is to a Latin spelling: a weighted phonetic alignment.

Japanese writes a foreign name by sound, one syllable at a time, so the romanised Katakana
(``kidomateku``) differs from the Latin spelling (``kidmatech``) in predictable ways:

* every consonant but ``n`` carries a vowel, so Japanese *adds* vowels (ク ku, ド do, シ shi);
* a long vowel is written twice (ー: ``vaatikaru``), and an English or Russian ``r`` after a vowel
  is often heard as that long vowel (Vertikal, Laser);
* sounds Japanese lacks fold together: l/r, v/b, kh/h (スホイ = Sukhoi), ti/chi, di/ji, si/shi;
* the Latin side has spellings that are one sound (ch, sh, zh, kh, ph, ck, ts), silent letters
  and diphthongs written as two vowels.

Both words are cut into phones (the Latin side by its digraphs, the Katakana side by its
syllables, each added vowel marked), and a small dynamic program aligns them with costs that
encode those facts: an added Japanese vowel costs almost nothing, a swapped consonant of the
same family costs little, a consonant present on one side only costs a full point. The cost is
normalised by the weight of the longer side, so the result is a similarity in [0, 1].

This runs only when one side of a comparison was written in Katakana; results are cached per
token pair here and by the caller. The DP itself runs compiled (:mod:`kana_kernels`) on phone
encodings memoised per token; ``_reference_similarity`` is the same computation in plain
Python, kept as the definition the compiled path must equal (tests compare them on the METI
names, and ``benchmarks/screening.py`` times both).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

_VOWELS = frozenset("aeiou")
ALPHABET = 128  # phones are single ASCII characters; anything else takes the Python path

# Katakana romanisation (see japanese.py) → phones: onsets, then a vowel or a moraic n.
_KANA_SYLLABLE = re.compile(r"(ky|gy|sh|ch|ts|ny|hy|by|py|my|ry|[kgsztdnhbpmyrwfvj])?([aeiou])|(n)")
_KANA_ONSET = {"sh": "S", "ch": "C", "ts": "T", "j": "J"}
# A romanised Katakana word uses only these letters, in consonant+vowel syllables.
_KANA_SHAPE = re.compile(r"^(?:v(?=r))?(?:(?:ky|gy|sh|ch|ts|ny|hy|by|py|my|ry|[kgsztdnhbpmyrwfvj])?[aeiou]|n)+$")

# Latin spellings that are one sound, longest first.
_LATIN_UNITS: tuple[tuple[str, str], ...] = (
    ("tion", "Son"), ("sion", "Son"), ("igh", "ai"),
    ("shch", "SC"), ("tsch", "C"), ("dzh", "J"), ("sch", "S"), ("tch", "C"),
    ("ch", "C"), ("sh", "S"), ("zh", "J"), ("kh", "h"), ("gh", "g"), ("ph", "f"), ("th", "t"),
    ("ts", "T"), ("tz", "T"), ("ck", "k"), ("qu", "kv"), ("sz", "S"), ("cz", "C"), ("dj", "J"),
    ("x", "ks"), ("j", "J"),
)

# One pass over a Latin word: the alternatives are tried in the order above at each position, the
# first that matches wins (as a scan of every spelling would), and any other character is one unit.
_LATIN_SCAN = re.compile("|".join(re.escape(spelling) for spelling, _ in _LATIN_UNITS) + "|.", re.DOTALL)
_LATIN_SOUND = dict(_LATIN_UNITS)

# Consonants Japanese cannot tell apart, or writes with one kana: cheap to swap.
_CHEAP = 0.25
_VOICING = 0.45
_CONSONANT_PAIRS: dict[frozenset[str], float] = {}
for _pair, _cost in (
    ("rl", _CHEAP), ("bv", _CHEAP), ("vw", _CHEAP), ("bw", 0.35), ("fh", _CHEAP), ("hk", 0.35),
    ("fv", 0.35), ("sS", _CHEAP), ("CT", _CHEAP), ("tC", 0.35), ("tT", 0.35), ("sT", 0.35),
    ("zJ", _CHEAP), ("dJ", _CHEAP), ("zs", 0.35), ("SC", 0.35), ("JC", 0.4), ("Jg", 0.45),
    ("ck", _CHEAP), ("cs", _CHEAP), ("cT", _CHEAP), ("cC", _CHEAP), ("cJ", 0.35), ("td", _VOICING),
    ("kg", _VOICING), ("pb", _VOICING), ("mn", 0.4), ("yJ", 0.4), ("dz", 0.4), ("Sz", 0.45), ("SJ", 0.45),
):
    _CONSONANT_PAIRS[frozenset(_pair)] = _cost


def is_kana_shaped(token: str) -> bool:
    """Whether ``token`` can be a romanised Katakana word (syllables of consonant + vowel, or n)."""
    return len(token) >= 2 and _KANA_SHAPE.match(token) is not None


@lru_cache(maxsize=1 << 14)
def kana_phones(token: str) -> tuple[tuple[str, float], ...]:
    """Phones of a romanised Katakana word, each with the cost of leaving it unmatched.

    A vowel Japanese adds after a consonant (u, o after t/d, i after sh/ch/j) or repeats for a
    long vowel costs 0.1; a vowel of its own 0.5; a consonant 1.
    """
    out: list[tuple[str, float]] = []
    if token.startswith("v") and len(token) > 1 and token[1] == "r":
        out.append(("v", 1.0))  # ウラ at the start of a Russian name: Vla-
        token = token[1:]
    for match in _KANA_SYLLABLE.finditer(token):
        onset, vowel, moraic = match.group(1), match.group(2), match.group(3)
        if moraic:
            out.append(("n", 1.0))
            continue
        if onset:
            phone = _KANA_ONSET.get(onset, onset)
            if len(phone) == 2 and phone[1] == "y":  # kya, ryu: consonant + glide
                out.append((phone[0], 1.0))
                out.append(("y", 0.3))
            else:
                out.append((phone, 1.0))
        previous = out[-1][0] if out else ""
        added = bool(onset) and (
            vowel == "u" or (vowel == "o" and onset in ("t", "d")) or (vowel == "i" and onset in ("sh", "ch", "j")))
        repeat = previous == vowel
        out.append((vowel, 0.1 if added or repeat else 0.5))
    return tuple(out)


@lru_cache(maxsize=1 << 14)
def latin_phones(token: str) -> tuple[tuple[str, float], ...]:
    """Phones of a Latin spelling, each with the cost of leaving it unmatched.

    A silent final e, the second letter of a vowel pair, an r after a vowel (heard as a long
    vowel in Japanese) and h cost little; other consonants 1, other vowels 0.45.
    """
    phones: list[str] = []
    for match in _LATIN_SCAN.finditer(token):
        unit = match.group()
        sound = _LATIN_SOUND.get(unit)
        if sound is not None:
            phones.extend(sound)
            continue
        i = match.start()
        nxt = token[i + 1] if i + 1 < len(token) else ""
        if unit == "y":
            phones.append("y" if nxt in _VOWELS else "i")
        elif unit == "c":
            phones.append("s" if nxt in ("e", "i", "y") else "c")
        elif unit == "q":
            phones.append("k")
        elif not phones or phones[-1] != unit:  # doubled letters are one sound
            phones.append(unit)
    return _latin_costs(phones)


def _latin_costs(phones: list[str]) -> tuple[tuple[str, float], ...]:
    out: list[tuple[str, float]] = []
    for k, phone in enumerate(phones):
        previous = phones[k - 1] if k else ""
        if phone in _VOWELS:
            silent_e = phone == "e" and k == len(phones) - 1 and k >= 2
            cost = 0.2 if silent_e or previous in _VOWELS else 0.45
        elif phone == "r" and previous in _VOWELS:
            cost = 0.25
        elif phone in ("h", "y", "w"):
            cost = 0.4
        else:
            cost = 1.0
        out.append((phone, cost))
    return tuple(out)


@lru_cache(maxsize=1 << 14)
def _reference_latin_phones(token: str) -> tuple[tuple[str, float], ...]:
    """:func:`latin_phones` as first written, scanning every spelling at every position: the
    definition :func:`_reference_similarity` uses."""
    phones: list[str] = []
    i = 0
    while i < len(token):
        for spelling, sound in _LATIN_UNITS:
            if token.startswith(spelling, i):
                phones.extend(sound)
                i += len(spelling)
                break
        else:
            ch = token[i]
            if ch == "y":
                nxt = token[i + 1] if i + 1 < len(token) else ""
                phones.append("y" if nxt in _VOWELS else "i")
            elif ch == "c":
                nxt = token[i + 1] if i + 1 < len(token) else ""
                phones.append("s" if nxt in ("e", "i", "y") else "c")
            elif ch == "q":
                phones.append("k")
            elif not phones or phones[-1] != ch:  # doubled letters are one sound
                phones.append(ch)
            i += 1
    return _latin_costs(phones)


def _substitution(a: str, b: str) -> float:
    if a == b:
        return 0.0
    a_vowel, b_vowel = a in _VOWELS, b in _VOWELS
    if a_vowel and b_vowel:
        return 0.15 if {a, b} in ({"i", "e"}, {"o", "u"}) else 0.25  # English vowels: laser = レーザー
    if a_vowel or b_vowel:
        return 9.0
    return _CONSONANT_PAIRS.get(frozenset((a, b)), 1.0)


class _Encoded(NamedTuple):
    """Phones of one token as the kernel takes them, with the sums the score needs."""

    codes: npt.NDArray[np.uint8]
    skips: npt.NDArray[np.float64]
    consonants: int
    weight: float


def _encode(phones: tuple[tuple[str, float], ...], kana_side: bool) -> _Encoded | None:
    letters = "".join(p for p, _ in phones)
    if not letters.isascii():
        return None
    consonants = 0
    weight = 0.0  # sums of 1.0 and 0.5 in phone order: the same float as the reference's sum()
    for phone, skip in phones:
        vowel = phone in _VOWELS
        consonants += not vowel
        if not kana_side or skip > 0.1:  # an added Japanese vowel does not weigh
            weight += 0.5 if vowel else 1.0
    return _Encoded(
        codes=np.frombuffer(bytearray(letters, "ascii"), dtype=np.uint8),
        skips=np.array([skip for _, skip in phones], dtype=np.float64),
        consonants=consonants,
        weight=weight,
    )


@lru_cache(maxsize=1 << 14)
def _encoded_kana(token: str) -> _Encoded | None:
    return _encode(kana_phones(token), kana_side=True)


@lru_cache(maxsize=1 << 15)
def _encoded_latin(token: str) -> _Encoded | None:
    return _encode(latin_phones(token), kana_side=False)


@cache
def _kernel() -> Any:
    """The compiled DP, imported on first use: numba costs a quarter second to import, which a
    process screening only Latin names (or the CLI starting up) should not pay."""
    from sanctrace.screening.kana_kernels import alignment_cost

    return alignment_cost


@cache
def _substitution_matrix() -> npt.NDArray[np.float64]:
    """``_substitution`` for every pair of ASCII phones, built once."""
    chars = [chr(code) for code in range(ALPHABET)]
    return np.array([[_substitution(a, b) for b in chars] for a in chars], dtype=np.float64)


@lru_cache(maxsize=1 << 16)
def kana_latin_similarity(kana: str, latin: str) -> float:
    """Similarity in [0, 1] of a romanised Katakana word and a Latin spelling (see module docstring)."""
    a = _encoded_kana(kana)
    b = _encoded_latin(latin)
    if a is None or b is None:
        return _reference_similarity(kana, latin)  # a phone outside ASCII: no code for it
    if not len(a.codes) or not len(b.codes):
        return 0.0
    if abs(a.consonants - b.consonants) > max(2, (a.consonants + b.consonants) // 3):
        return 0.0  # far too many sounds on one side to be one word
    cost: float = _kernel()(a.codes, a.skips, b.codes, b.skips, _substitution_matrix())
    return max(0.0, 1.0 - cost / max(a.weight, b.weight))


def _reference_similarity(kana: str, latin: str) -> float:
    """:func:`kana_latin_similarity` in plain Python: the definition the compiled path must equal."""
    a = kana_phones(kana)
    b = _reference_latin_phones(latin)
    if not a or not b:
        return 0.0
    consonants_a = sum(1 for p, _ in a if p not in _VOWELS)
    consonants_b = sum(1 for p, _ in b if p not in _VOWELS)
    if abs(consonants_a - consonants_b) > max(2, (consonants_a + consonants_b) // 3):
        return 0.0  # far too many sounds on one side to be one word
    n, m = len(a), len(b)
    previous_row = [0.0] * (m + 1)
    for j in range(1, m + 1):
        previous_row[j] = previous_row[j - 1] + b[j - 1][1]
    for i in range(1, n + 1):
        phone_a, skip_a = a[i - 1]
        row = [previous_row[0] + skip_a] + [0.0] * m
        for j in range(1, m + 1):
            phone_b, skip_b = b[j - 1]
            best = previous_row[j - 1] + _substitution(phone_a, phone_b)
            if previous_row[j] + skip_a < best:
                best = previous_row[j] + skip_a
            if row[j - 1] + skip_b < best:
                best = row[j - 1] + skip_b
            row[j] = best
        previous_row = row
    cost = previous_row[m]
    weight_a = sum(1.0 if p not in _VOWELS else 0.5 for p, skip in a if skip > 0.1)
    weight_b = sum(1.0 if p not in _VOWELS else 0.5 for p, _ in b)
    return max(0.0, 1.0 - cost / max(weight_a, weight_b))
