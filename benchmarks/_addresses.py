"""Valid Bitcoin addresses for benchmark worlds: decisions refuse malformed ones."""

from __future__ import annotations

import functools
import hashlib


@functools.cache
def bench_address(label: str) -> str:
    """A valid P2WPKH address derived from a label."""
    from sanctrace.chain.address import script_address

    return str(script_address(b"\x00\x14" + hashlib.sha256(label.encode()).digest()[:20]))
