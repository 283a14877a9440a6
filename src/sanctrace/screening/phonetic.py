"""Phonetic keys for latinised name tokens, so different spellings of one sound meet.

Two keys per token:

``phonetic_key`` — fine-grained, for Latin-vs-Latin and Cyrillic renderings: folds the spelling
habits of English, German, French, Dutch, Polish and Hungarian transliteration onto one form
(w→v, tsch/tch/ch→c, sch/sh→s, ou/oe→u, kh→h, gy→d, doubled letters, French final -e,
-ij/-iy/-y endings). "Wladimir"/"Vladimir", "Poutine"/"Poetin"/"Putin", "Timtchenko"/"Timchenko"
and "Gennadiy"/"Guennadi"/"Gennadi" each share one key.

``skeleton`` — coarse consonant skeleton for comparisons across scripts that lose or add vowels:
Arabic, Persian and Hebrew write few vowels (فلاديمير → ``fladymyr``), Japanese and Korean add
vowels after every consonant (ウラジーミル → ``urajimiru``, 블라디미르 → ``beulladimileu``) and
merge l/r and b/v. The skeleton drops vowels and folds consonants into classes (labials, l/r,
coronals, velars), so all of those become ``BRTMR`` like "Vladimir". It is far too coarse for
Latin-vs-Latin and is used only when one side came from such a script.
"""

from __future__ import annotations

from functools import lru_cache

_FINE_RULES: tuple[tuple[str, str], ...] = (
    ("schtsch", "s"), ("shch", "s"), ("chtch", "s"), ("sch", "s"), ("tsch", "c"), ("tch", "c"),
    ("tsj", "c"), ("tj", "c"), ("cz", "c"), ("ch", "c"), ("sz", "s"), ("sh", "s"), ("zh", "j"),
    ("dzh", "j"), ("dj", "j"), ("gy", "d"), ("ph", "f"), ("kh", "h"), ("gh", "g"), ("ck", "k"),
    ("th", "t"), ("ts", "c"), ("tz", "c"), ("q", "k"), ("x", "ks"), ("w", "v"),
    ("ou", "u"), ("oe", "u"), ("ue", "u"), ("ae", "a"), ("ee", "i"), ("oo", "u"),
)
_VOWELS = set("aeiouy")


@lru_cache(maxsize=1 << 17)
def phonetic_key(token: str) -> str:
    """Fine phonetic key of a lower-case ASCII token (see module docstring)."""
    if not token or token.isdigit():
        return token
    word = token
    if word.startswith(("gue", "gui")):
        word = "g" + word[2:]
    if word.startswith(("ye", "ie", "je")) and len(word) > 3:
        word = "e" + word[2:]
    if word.startswith("yu") or word.startswith("ju"):
        word = "iu" + word[2:]
    if word.startswith("j") and len(word) > 1 and word[1] in _VOWELS:
        word = "i" + word[1:]  # German/Polish J for Y: Jewgeni, Juri
    for old, new in _FINE_RULES:
        if old in word:
            word = word.replace(old, new)
    word = word.replace("y", "i")
    if len(word) > 4 and word.endswith("e") and word[-2] not in _VOWELS:
        word = word[:-1]  # French/English silent final e: Poutine
    word = word.rstrip("i") + "i" if word.endswith("ii") else word
    return _dedupe(word)


def _dedupe(word: str) -> str:
    """Collapse runs of one letter ("gennadi" → "genadi")."""
    out = [c for i, c in enumerate(word) if i == 0 or c != word[i - 1]]
    return "".join(out)


_SKELETON_CLASSES = str.maketrans({
    "b": "B", "p": "B", "f": "B", "v": "B", "w": "B",
    "l": "R", "r": "R",
    "d": "T", "t": "T", "j": "T", "z": "T", "s": "T", "c": "T", "x": "K",
    "g": "K", "k": "K", "q": "K",
    "m": "M", "n": "N", "h": "H",
})


@lru_cache(maxsize=1 << 17)
def skeleton(token: str) -> str:
    """Coarse consonant skeleton of a lower-case ASCII token (see module docstring)."""
    if not token or token.isdigit():
        return token
    word = token
    for old, new in (("ng", "n"), ("kh", "k"), ("ch", "t"), ("sh", "s"), ("ts", "t"), ("th", "t"),
                     ("ph", "f"), ("bh", "b"), ("dh", "d"), ("gh", "g"), ("jh", "j")):
        word = word.replace(old, new)
    consonants = "".join(c for c in word if c not in _VOWELS)
    return _dedupe(consonants.translate(_SKELETON_CLASSES))


def deletions(key: str) -> set[str]:
    """Every string one character shorter than ``key``: a one-edit neighbourhood for blocking."""
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


_KANA_RULES: tuple[tuple[str, str], ...] = (
    ("tch", "t"), ("sch", "s"), ("sh", "s"), ("ch", "t"), ("ts", "t"), ("tz", "t"), ("kh", "h"), ("zh", "d"),
    ("ph", "b"), ("ck", "k"), ("j", "d"), ("z", "d"), ("l", "r"), ("v", "b"), ("w", "b"), ("f", "b"),
    ("c", "k"), ("q", "k"), ("x", "ks"), ("y", "i"), ("ou", "o"),
)
_CONSONANTS = set("bcdfghjklmnpqrstvwxz")


@lru_cache(maxsize=1 << 16)
def kana_key(token: str, syllabic: bool) -> str:
    """A key on which a Japanese (or Korean) rendering meets the Latin original, vowels kept.

    Both sides fold the sounds Japanese merges (l/r, v/b/f, ti/chi, di/ji). The syllabic side also
    drops the vowels Japanese and Korean add after a consonant (ru, to, do, eu): ウラジーミル
    "vrajimiru" and "Vladimir" both become ``bradimir``, while Splav and Tupolev stay apart.
    """
    word = token
    for old, new in _KANA_RULES:
        if old in word:
            word = word.replace(old, new)
    if syllabic:
        out: list[str] = []
        for i, ch in enumerate(word):
            prev = word[i - 1] if i else ""
            nxt = word[i + 1] if i + 1 < len(word) else ""
            epenthetic = prev in _CONSONANTS and (nxt == "" or nxt in _CONSONANTS) and (
                ch == "u" or (ch == "o" and prev in "td") or (ch == "e" and nxt == "u"))
            if not epenthetic:
                out.append(ch)
        word = "".join(out).replace("eu", "")
    return _dedupe(word)
