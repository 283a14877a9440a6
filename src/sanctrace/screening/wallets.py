"""Wallet addresses as the lists publish them, normalised only where the encoding allows it.

Base58 (Bitcoin legacy, Tron, Litecoin legacy) and Monero are case-sensitive: changing case
changes the address, so they are compared exactly as written. Bech32/bech32m (``bc1``,
``ltc1``, ``tb1``...) is case-insensitive by specification and EVM hex (``0x`` + 40 hex) is a
case-insensitive number whose mixed case is only a checksum: both are lower-cased.
"""

from __future__ import annotations

import re

_BECH32 = re.compile(r"^(bc|tb|ltc|tltc|bcrt|bch|bitcoincash)1[02-9ac-hj-np-z]{6,}$", re.IGNORECASE)
_EVM = re.compile(r"^0x[0-9a-fA-F]{40}$")
_SPLIT = re.compile(r"[\s,;|]+")


def normalize_address(address: str) -> str:
    """The comparison form of one address (see module docstring)."""
    text = address.strip()
    if ":" in text and text.lower().startswith(("bitcoin:", "ethereum:", "bitcoincash:", "litecoin:")):
        text = text.split(":", 1)[1].split("?", 1)[0]
    if _EVM.match(text) or _BECH32.match(text):
        return text.lower()
    return text


def split_wallets(value: str | None) -> list[str]:
    """A cell may hold several addresses separated by spaces, commas, semicolons or bars."""
    if not value:
        return []
    return [w for w in _SPLIT.split(value.strip()) if w]
