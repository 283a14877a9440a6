"""Country values as customers and exchanges write them → ISO 3166-1 alpha-2.

The list loaders' resolver (followthemoney's registry) knows English names and codes; customer
files also say "Russian", "Россия" or "ロシア", so those are added here.
"""

from __future__ import annotations

from functools import lru_cache

_EXTRA = {
    "russian": "RU", "russian federation": "RU", "rus": "RU", "россия": "RU", "российская федерация": "RU",
    "рф": "RU", "ロシア": "RU", "ロシア連邦": "RU", "俄罗斯": "RU", "kazakh": "KZ", "kazakhstani": "KZ",
    "казахстан": "KZ", "japanese": "JP", "日本": "JP", "belarusian": "BY", "беларусь": "BY",
    "ukrainian": "UA", "украина": "UA", "chinese": "CN", "american": "US", "british": "GB",
    "german": "DE", "french": "FR", "cypriot": "CY", "emirati": "AE", "turkish": "TR", "iranian": "IR",
    "north korean": "KP", "syrian": "SY", "afghan": "AF", "iraqi": "IQ",
}


@lru_cache(maxsize=4096)
def country_code(value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    text = value.strip()
    extra = _EXTRA.get(text.lower())
    if extra:
        return extra
    if len(text) == 2 and text.isalpha() and text.isascii():
        return text.upper()
    from sanctrace.lists.countries import to_iso2

    return to_iso2(text)
