"""Country names and codes as the lists write them → ISO 3166-1 alpha-2 (upper case).

Lists say "Russia", "Russian Federation", "RUSSIA", "Korea, North" or give codes; followthemoney's
country registry knows these spellings. Regions that are not countries ("Crimea region of
Ukraine") are mapped to the country the list means, or stay unresolved (None).
"""

from __future__ import annotations

from functools import lru_cache

_EXTRA: dict[str, str] = {
    "crimea region of ukraine": "UA",
    "region: crimea": "UA",
    "crimea": "UA",
    "kosovo": "XK",
    "palestinian": "PS",
    "gaza": "PS",
    "west bank": "PS",
    "netherlands antilles": "AN",
    "undetermined": "",
}


@lru_cache(maxsize=4096)
def to_iso2(value: str | None) -> str | None:
    """``"Russian Federation"`` → ``"RU"``; unknown or empty → None."""
    if not value:
        return None
    text = value.strip()
    if not text:
        return None
    extra = _EXTRA.get(text.lower())
    if extra is not None:
        return extra or None
    from followthemoney import registry

    code = registry.country.clean(text)
    if code is None and len(text) == 3 and text.isalpha():  # ISO alpha-3 (UK list, EU)
        code = registry.country.clean(text.lower())
    if code is None:
        return None
    code = code.upper()
    return code if len(code) == 2 and code != "ZZ" else None
