"""Classify scriptPubKeys into the standard kinds, compiled over whole output columns.

The rules follow Bitcoin Core's ``Solver`` closely enough for attribution: exact templates for
P2PKH/P2SH/P2WPKH/P2WSH/P2TR, P2PK with a plausibly sized key, bare ``m-of-n`` multisig,
anything starting with OP_RETURN, witness programs of other versions as ``witness_unknown``;
everything else is ``nonstandard`` and kept byte for byte.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sanctrace.chain.schema import SCRIPT_TYPES

NONSTANDARD, P2PK, P2PKH, P2SH, P2WPKH, P2WSH, P2TR, MULTISIG, OP_RETURN, WITNESS_UNKNOWN = range(10)
assert SCRIPT_TYPES[P2TR] == "p2tr" and SCRIPT_TYPES[WITNESS_UNKNOWN] == "witness_unknown"

# Core's RPC names for the same kinds (getblock JSON) -> ours.
CORE_TYPE_NAMES = {
    "pubkey": "p2pk", "pubkeyhash": "p2pkh", "scripthash": "p2sh", "witness_v0_keyhash": "p2wpkh",
    "witness_v0_scripthash": "p2wsh", "witness_v1_taproot": "p2tr", "multisig": "multisig",
    "nulldata": "op_return", "witness_unknown": "witness_unknown", "nonstandard": "nonstandard",
}


@njit(cache=True, nogil=True)
def _is_key_len(first: int, n: int) -> bool:
    if n == 33:
        return first == 2 or first == 3
    if n == 65:
        return first == 4 or first == 6 or first == 7
    return False


@njit(cache=True, nogil=True)
def classify(buf: np.ndarray, off: int, n: int) -> int:
    """Kind of the script ``buf[off:off+n]`` (one of the module constants)."""
    if n == 0:
        return NONSTANDARD
    b0 = buf[off]
    if b0 == 0x6A:
        return OP_RETURN
    if (n == 25 and b0 == 0x76 and buf[off + 1] == 0xA9 and buf[off + 2] == 20
            and buf[off + 23] == 0x88 and buf[off + 24] == 0xAC):
        return P2PKH
    if n == 23 and b0 == 0xA9 and buf[off + 1] == 20 and buf[off + 22] == 0x87:
        return P2SH
    if 4 <= n <= 42 and (b0 == 0 or 0x51 <= b0 <= 0x60) and buf[off + 1] == n - 2:
        if b0 == 0:
            if n == 22:
                return P2WPKH
            if n == 34:
                return P2WSH
            return NONSTANDARD
        if b0 == 0x51 and n == 34:
            return P2TR
        return WITNESS_UNKNOWN
    if (n == 35 or n == 67) and b0 == n - 2 and buf[off + n - 1] == 0xAC and _is_key_len(buf[off + 1], n - 2):
        return P2PK
    if n >= 37 and buf[off + n - 1] == 0xAE and 0x51 <= b0 <= 0x60 and 0x51 <= buf[off + n - 2] <= 0x60:
        m = b0 - 0x50
        total = buf[off + n - 2] - 0x50
        if m > total:
            return NONSTANDARD
        p = off + 1
        end = off + n - 2
        keys = 0
        while p < end:
            klen = buf[p]
            if not _is_key_len(buf[p + 1] if p + 1 < end else 0, klen) or p + 1 + klen > end:
                return NONSTANDARD
            p += 1 + klen
            keys += 1
        if keys == total:
            return MULTISIG
    return NONSTANDARD


@njit(cache=True, nogil=True)
def classify_all(buf: np.ndarray, offs: np.ndarray, lens: np.ndarray) -> np.ndarray:
    out = np.empty(len(offs), dtype=np.int8)
    for i in range(len(offs)):
        out[i] = classify(buf, offs[i], lens[i])
    return out


def classify_bytes(script: bytes) -> str:
    """Kind name of one script (convenience for tests and single lookups)."""
    arr = np.frombuffer(script, dtype=np.uint8) if script else np.zeros(0, dtype=np.uint8)
    return SCRIPT_TYPES[classify(arr, 0, len(script))]
