"""Normalised keys for exact network links, and the script of a name.

Two customers share an address, phone or wallet only if the *normalised* values are equal, so the
rules here decide what counts as "the same": case and punctuation never matter for addresses and
e-mails, phone numbers compare by digits, IPs by their canonical form, bank accounts without spaces.
Wallet addresses keep their case when the encoding is case-sensitive (base58), and are lower-cased
when it is not (0x hex, bech32).
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata

from sanctrace.model.party import KeyType

_PUNCT = re.compile(r"[^\w]+", re.UNICODE)
_ABBREVIATIONS = {
    "road": "rd", "street": "st", "avenue": "ave", "av": "ave", "boulevard": "blvd", "building": "bldg",
    "floor": "fl", "suite": "ste", "apartment": "apt", "office": "off", "lane": "ln", "drive": "dr",
    "ulitsa": "ul", "улица": "ул", "prospekt": "pr", "проспект": "пр", "dom": "d", "дом": "д",
}


def normalize_key(key_type: KeyType, value: str) -> str:
    """The comparison form of ``value``; empty string when nothing usable is left."""
    value = unicodedata.normalize("NFKC", value).strip()
    if key_type is KeyType.EMAIL:
        return value.lower()
    if key_type is KeyType.PHONE:
        digits = re.sub(r"\D", "", value)
        return digits.lstrip("0") if len(digits) >= 6 else ""
    if key_type is KeyType.IP:
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            return value.lower()
    if key_type is KeyType.BANK_ACCOUNT:
        return re.sub(r"[\s\-]", "", value).upper()
    if key_type is KeyType.WALLET:
        return normalize_wallet(value)
    if key_type is KeyType.DEVICE:
        return value.lower()
    # address: punctuation and case never matter, nor the usual street-word abbreviations
    return " ".join(_ABBREVIATIONS.get(t, t) for t in _PUNCT.sub(" ", value.casefold()).split())


def normalize_wallet(value: str) -> str:
    """``currency:address`` or bare address; hex and bech32 are case-insensitive, base58 is not."""
    address = value.split(":", 1)[1] if ":" in value and not value.lower().startswith("bc1") else value
    address = address.strip()
    low = address.lower()
    if low.startswith(("0x", "bc1", "tb1", "ltc1")):
        return low
    return address


def split_phones(value: str) -> list[str]:
    """Some sources pack several numbers into one field (``"+7 ...; +7 ..."``)."""
    return [p.strip() for p in re.split(r"[;,/]", value) if p.strip()]


_SCRIPT_RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0400, 0x052F, "Cyrl"),
    (0x0370, 0x03FF, "Grek"),
    (0x0590, 0x05FF, "Hebr"),
    (0x0600, 0x06FF, "Arab"),
    (0x0750, 0x077F, "Arab"),
    (0x3040, 0x309F, "Hira"),
    (0x30A0, 0x30FF, "Kana"),
    (0x31F0, 0x31FF, "Kana"),
    (0xFF66, 0xFF9F, "Kana"),
    (0x4E00, 0x9FFF, "Hani"),
    (0x3400, 0x4DBF, "Hani"),
    (0xAC00, 0xD7AF, "Hang"),
    (0x1100, 0x11FF, "Hang"),
    (0x0E00, 0x0E7F, "Thai"),
    (0x1780, 0x17FF, "Khmr"),
)


def detect_script(text: str) -> str:
    """ISO 15924 code of the dominant non-Latin script; ``Jpan`` for kana or kana+kanji,
    ``Kana`` for katakana only, ``Latn`` otherwise."""
    counts: dict[str, int] = {}
    for ch in text:
        cp = ord(ch)
        for lo, hi, code in _SCRIPT_RANGES:
            if lo <= cp <= hi:
                counts[code] = counts.get(code, 0) + 1
                break
    if not counts:
        return "Latn"
    if "Kana" in counts and len(set(counts) - {"Kana"}) == 0:
        return "Kana"
    if "Hira" in counts or ("Kana" in counts and "Hani" in counts):
        return "Jpan"
    if "Hang" in counts:
        return "Kore"
    return max(counts.items(), key=lambda kv: kv[1])[0]
