"""Turn a name written in any script into one or more lower-case ASCII Latin renderings.

Why several renderings: a Russian name reaches an exchange as the customer typed it (Cyrillic),
as a passport prints it (ICAO Doc 9303), or as a German or French newspaper spells it
("Wladimir", "Poutine", "Timtchenko"); the lists mostly hold the BGN/PCGN-like English form.
Screening compares every rendering of the query with every rendering of a list name, so the
schemes meet without guessing which one the writer used.

Japanese goes through its own path (:mod:`sanctrace.screening.japanese`); every other script
(Arabic, Chinese, Korean, Greek, Hebrew, Armenian, Georgian, Indic...) goes through ICU
``Any-Latin; Latin-ASCII``. Transliterators are created lazily and cached: creating one costs
milliseconds, using one costs microseconds.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

# Cyrillic letter → (ICAO Doc 9303, German Duden, French) renderings. BGN/PCGN comes from ICU.
_CYR_SCHEMES: dict[str, tuple[str, str, str]] = {
    "а": ("a", "a", "a"), "б": ("b", "b", "b"), "в": ("v", "w", "v"), "г": ("g", "g", "g"),
    "д": ("d", "d", "d"), "е": ("e", "e", "e"), "ё": ("e", "jo", "io"), "ж": ("zh", "sch", "j"),
    "з": ("z", "s", "z"), "и": ("i", "i", "i"), "й": ("i", "i", "i"), "к": ("k", "k", "k"),
    "л": ("l", "l", "l"), "м": ("m", "m", "m"), "н": ("n", "n", "n"), "о": ("o", "o", "o"),
    "п": ("p", "p", "p"), "р": ("r", "r", "r"), "с": ("s", "s", "s"), "т": ("t", "t", "t"),
    "у": ("u", "u", "ou"), "ф": ("f", "f", "f"), "х": ("kh", "ch", "kh"), "ц": ("ts", "z", "ts"),
    "ч": ("ch", "tsch", "tch"), "ш": ("sh", "sch", "ch"), "щ": ("shch", "schtsch", "chtch"),
    "ъ": ("ie", "", ""), "ы": ("y", "y", "y"), "ь": ("", "", ""), "э": ("e", "e", "e"),
    "ю": ("iu", "ju", "iou"), "я": ("ia", "ja", "ia"),
    # Ukrainian and Belarusian letters
    "і": ("i", "i", "i"), "ї": ("i", "ji", "i"), "є": ("ie", "je", "ie"), "ґ": ("g", "g", "g"),
    "ў": ("u", "u", "ou"),
}


_UK_TO_RU = str.maketrans({"і": "и", "ї": "йи", "є": "е", "ґ": "г", "ў": "у"})


def script_of(text: str) -> str:
    """The dominant ISO 15924 script of the letters in ``text`` (Latn, Cyrl, Jpan, Hani, Arab...)."""
    if text.isascii():
        return "Latn"
    counts: dict[str, int] = {}
    for ch in text:
        if not ch.isalpha():
            continue
        counts[_char_script(ch)] = counts.get(_char_script(ch), 0) + 1
    if not counts:
        return "Zyyy"
    if counts.get("Kana"):
        return "Jpan"
    if counts.get("Hani"):
        return "Hani"  # "有限会社Ineko", "BSVT新技術": Latin letters inside a Kanji name
    return max(counts.items(), key=lambda kv: kv[1])[0]


def _char_script(ch: str) -> str:
    cp = ord(ch)
    if cp < 0x250 or 0x1E00 <= cp <= 0x1EFF:
        return "Latn"
    if 0x400 <= cp <= 0x52F:
        return "Cyrl"
    if 0x3040 <= cp <= 0x30FF or 0xFF66 <= cp <= 0xFF9F or 0x31F0 <= cp <= 0x31FF:
        return "Kana"
    if 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF:
        return "Hani"
    if 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F:
        return "Hang"
    if 0x600 <= cp <= 0x6FF or 0x750 <= cp <= 0x77F or 0xFB50 <= cp <= 0xFEFF:
        return "Arab"
    if 0x590 <= cp <= 0x5FF:
        return "Hebr"
    if 0x370 <= cp <= 0x3FF:
        return "Grek"
    return "Othr"


@lru_cache(maxsize=8)
def _transliterator(spec: str) -> Any:
    import icu  # imported lazily: PyICU loads a large library

    return icu.Transliterator.createInstance(spec)


def to_ascii(text: str) -> str:
    """Any script → Latin → ASCII, lower case (ICU ``Any-Latin; Latin-ASCII``)."""
    if text.isascii():
        return text.lower()
    out = _transliterator("Any-Latin; Latin-ASCII; Lower").transliterate(text)
    return str(out)


def fold_latin(text: str) -> str:
    """Latin with diacritics → plain ASCII, lower case (é→e, ł→l, ß→ss) without ICU for ASCII input."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    if stripped.isascii():
        return stripped.lower()
    return to_ascii(stripped)


def cyrillic_renderings(text: str) -> list[str]:
    """A Cyrillic name in BGN/PCGN (ICU), ICAO, German and French, lower-case ASCII, deduplicated."""
    lower = unicodedata.normalize("NFC", text.lower()).replace("\u0301", "")
    # Russian BGN/PCGN does not know the Ukrainian/Belarusian letters: give it their Russian sound.
    russian = lower.translate(_UK_TO_RU)
    bgn = str(_transliterator("Russian-Latin/BGN; Latin-ASCII; Lower").transliterate(russian))
    renderings = [fold_latin(bgn.replace("'", "").replace("\u02b9", ""))]
    for scheme in range(3):
        out: list[str] = []
        for ch in lower:
            mapped = _CYR_SCHEMES.get(ch)
            out.append(mapped[scheme] if mapped is not None else ch)
        renderings.append(fold_latin("".join(out)))
    # ISO 9 / ICU default (х→h, ш→s) is how many Latin-keyboard users type Cyrillic names.
    renderings.append(to_ascii(lower))
    seen: list[str] = []
    for rendering in renderings:
        if rendering not in seen:
            seen.append(rendering)
    return seen
