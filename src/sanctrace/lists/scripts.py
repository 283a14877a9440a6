"""Which writing system a name is in, decided from its characters (ISO 15924 codes).

Sources label scripts inconsistently (OFAC says "Chinese Simplified", UN gives none), so the
script is always derived from the text itself. Any kana makes a name Japanese (``Jpan``) even
when most of it is Kanji; Hangul makes it Korean (``Kore``).
"""

from __future__ import annotations

import unicodedata

# (first code point, last code point, script) for the scripts the lists actually use.
_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0041, 0x024F, "Latn"),
    (0x1E00, 0x1EFF, "Latn"),
    (0xFF21, 0xFF5A, "Latn"),  # full-width Latin letters
    (0x0370, 0x03FF, "Grek"),
    (0x0400, 0x052F, "Cyrl"),
    (0x1C80, 0x1C8F, "Cyrl"),
    (0x0530, 0x058F, "Armn"),
    (0x0590, 0x05FF, "Hebr"),
    (0x0600, 0x06FF, "Arab"),
    (0x0750, 0x077F, "Arab"),
    (0x08A0, 0x08FF, "Arab"),
    (0xFB50, 0xFDFF, "Arab"),
    (0xFE70, 0xFEFF, "Arab"),
    (0x0900, 0x097F, "Deva"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x10A0, 0x10FF, "Geor"),
    (0x1780, 0x17FF, "Khmr"),
    (0x3040, 0x309F, "Hira"),
    (0x30A0, 0x30FF, "Kana"),
    (0x31F0, 0x31FF, "Kana"),
    (0xFF66, 0xFF9F, "Kana"),  # half-width Katakana
    (0x1100, 0x11FF, "Hang"),
    (0x3130, 0x318F, "Hang"),
    (0xAC00, 0xD7AF, "Hang"),
    (0x3400, 0x4DBF, "Hani"),
    (0x4E00, 0x9FFF, "Hani"),
    (0xF900, 0xFAFF, "Hani"),
    (0x20000, 0x2FA1F, "Hani"),
)


def char_script(char: str) -> str | None:
    """The script of one letter, or None for digits, punctuation and marks."""
    code = ord(char)
    for first, last, script in _RANGES:
        if first <= code <= last:
            if script == "Latn" and not char.isalpha():
                return None
            return script
    if char.isalpha():
        name = unicodedata.name(char, "")
        return "Latn" if name.startswith("LATIN") else "Zyyy"
    return None


def detect_script(text: str) -> str:
    """ISO 15924 code of ``text``: Jpan for any kana, Kore for any Hangul, else the majority script."""
    if text.isascii():  # most list names: no per-character lookup needed
        return "Latn" if any(c.isalpha() for c in text) else "Zyyy"
    counts: dict[str, int] = {}
    for char in text:
        script = char_script(char)
        if script is not None:
            counts[script] = counts.get(script, 0) + 1
    if not counts:
        return "Zyyy"  # digits or punctuation only
    if "Hira" in counts or "Kana" in counts:
        return "Jpan"
    if "Hang" in counts:
        return "Kore"
    return max(counts.items(), key=lambda item: item[1])[0]
