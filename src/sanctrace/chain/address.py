"""Address strings for output scripts: base58check, bech32 (segwit v0) and bech32m (v1+).

Encoding runs compiled over whole output columns and comes back as one Arrow string array, so
an ingest batch of millions of outputs never calls Python per output. The exception is P2PK
(pay-to-public-key, mostly 2009-2012 coinbases): its address is the P2PKH address of the key's
HASH160, and RIPEMD-160 comes from hashlib, so those few outputs take a Python pass.

Strings are always rendered with mainnet prefixes: sanctions lists and tag packs name mainnet
addresses, and the synthetic regtest chains plant real list addresses on purpose.

``address_to_script`` goes the other way (string -> scriptPubKey) for the generator and tests.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pyarrow as pa
from numba import njit

from sanctrace.chain.address_hash import sha256_ws, sha256d_ws
from sanctrace.chain.script import (
    MULTISIG,
    NONSTANDARD,
    OP_RETURN,
    P2PK,
    P2PKH,
    P2SH,
    P2TR,
    P2WPKH,
    P2WSH,
    WITNESS_UNKNOWN,
)
from sanctrace.errors import InputError

WIDTH = 80  # longest: "nonstandard:" + 64 hex chars
_B58 = np.frombuffer(b"123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz", dtype=np.uint8).copy()
_B32 = np.frombuffer(b"qpzry9x8gf2tvdw0s3jn54khce6mua7l", dtype=np.uint8).copy()
_HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8).copy()
_GEN = np.array([0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3], dtype=np.int64)
_MULTISIG_PREFIX = np.frombuffer(b"multisig:", dtype=np.uint8).copy()
_NONSTD_PREFIX = np.frombuffer(b"nonstandard:", dtype=np.uint8).copy()
BECH32_CONST = 1
BECH32M_CONST = 0x2BC830A3


@njit(cache=True, nogil=True)
def _base58check(version: int, buf: np.ndarray, off: int, out: np.ndarray, ws: np.ndarray,
                 tail: np.ndarray, scratch: np.ndarray) -> int:
    data = scratch[:25]
    data[0] = version
    for i in range(20):
        data[1 + i] = buf[off + i]
    chk = scratch[32:64]
    sha256d_ws(data, 0, 21, chk, 0, ws, tail)
    for i in range(4):
        data[21 + i] = chk[i]
    zeros = 0
    while zeros < 25 and data[zeros] == 0:
        zeros += 1
    # limbs in base 58**8, little-endian, fed two bytes at a time: a limb times 2**16 plus a carry
    # stays below 2**63, and there are about 3x fewer divisions than with 32-bit limbs
    limbs = ws[8:16].view(np.int64)
    nl = 0
    i = zeros
    while i < 25:
        if (25 - i) % 2:
            carry = np.int64(data[i])
            shift = 8
            i += 1
        else:
            carry = (np.int64(data[i]) << 8) | np.int64(data[i + 1])
            shift = 16
            i += 2
        for j in range(nl):
            carry += limbs[j] << shift
            limbs[j] = carry % 128063081718016
            carry //= 128063081718016
        while carry > 0:
            limbs[nl] = carry % 128063081718016
            nl += 1
            carry //= 128063081718016
    digits = scratch[64:104]  # at most 5 limbs of 8 digits: 25 bytes < 58**40
    length = 0
    for j in range(nl):
        v = limbs[j]
        for _ in range(8):
            digits[length] = v % 58
            v //= 58
            length += 1
    while length > 0 and digits[length - 1] == 0:
        length -= 1
    pos = 0
    for _ in range(zeros):
        out[pos] = _B58[0]
        pos += 1
    for j in range(length - 1, -1, -1):
        out[pos] = _B58[digits[j]]
        pos += 1
    return pos


@njit(cache=True, nogil=True)
def _polymod_step(chk: np.int64, v: int) -> np.int64:
    top = chk >> 25
    chk = ((chk & 0x1FFFFFF) << 5) ^ v
    for i in range(5):
        if (top >> i) & 1:
            chk ^= _GEN[i]
    return chk


@njit(cache=True, nogil=True)
def _bech32(hrp: np.ndarray, witver: int, buf: np.ndarray, off: int, n: int, out: np.ndarray) -> int:
    data = np.empty(70, dtype=np.int64)
    nd = 0
    data[nd] = witver
    nd += 1
    acc = 0
    bits = 0
    for i in range(n):
        acc = ((acc << 8) | buf[off + i]) & 0xFFFFFF
        bits += 8
        while bits >= 5:
            bits -= 5
            data[nd] = (acc >> bits) & 31
            nd += 1
    if bits:
        data[nd] = (acc << (5 - bits)) & 31
        nd += 1
    chk = np.int64(1)
    for c in hrp:
        chk = _polymod_step(chk, c >> 5)
    chk = _polymod_step(chk, 0)
    for c in hrp:
        chk = _polymod_step(chk, c & 31)
    for i in range(nd):
        chk = _polymod_step(chk, data[i])
    for _ in range(6):
        chk = _polymod_step(chk, 0)
    chk ^= BECH32_CONST if witver == 0 else BECH32M_CONST
    pos = 0
    for c in hrp:
        out[pos] = c
        pos += 1
    out[pos] = 49  # '1'
    pos += 1
    for i in range(nd):
        out[pos] = _B32[data[i]]
        pos += 1
    for i in range(6):
        out[pos] = _B32[(chk >> (5 * (5 - i))) & 31]
        pos += 1
    return pos


@njit(cache=True, nogil=True)
def _hash_kind(prefix: np.ndarray, buf: np.ndarray, off: int, n: int, out: np.ndarray, ws: np.ndarray,
               tail: np.ndarray, scratch: np.ndarray) -> int:
    h = scratch[:32]
    sha256_ws(buf, off, n, h, 0, ws, tail)
    pos = 0
    for c in prefix:
        out[pos] = c
        pos += 1
    for i in range(32):
        out[pos] = _HEX[h[i] >> 4]
        out[pos + 1] = _HEX[h[i] & 15]
        pos += 2
    return pos


@njit(cache=True, nogil=True)
def encode_script(buf: np.ndarray, off: int, n: int, kind: int, hrp: np.ndarray, pkh_ver: int,
                  sh_ver: int, out: np.ndarray, ws: np.ndarray, tail: np.ndarray, scratch: np.ndarray) -> int:
    """Write the address of one classified script into ``out``; returns its length (0: none).

    ``ws``/``tail`` come from ``address_hash.workspace()``; ``scratch`` is 128 uint8 bytes."""
    if kind == P2PKH:
        return _base58check(pkh_ver, buf, off + 3, out, ws, tail, scratch)
    if kind == P2SH:
        return _base58check(sh_ver, buf, off + 2, out, ws, tail, scratch)
    if kind in (P2WPKH, P2WSH):
        return _bech32(hrp, 0, buf, off + 2, n - 2, out)
    if kind in (P2TR, WITNESS_UNKNOWN):
        return _bech32(hrp, buf[off] - 0x50, buf, off + 2, n - 2, out)
    if kind == MULTISIG:
        return _hash_kind(_MULTISIG_PREFIX, buf, off, n, out, ws, tail, scratch)
    if kind == NONSTANDARD:
        return _hash_kind(_NONSTD_PREFIX, buf, off, n, out, ws, tail, scratch)
    return 0  # OP_RETURN: no address; P2PK: filled in by the caller


@njit(cache=True, nogil=True)
def _encode_all(buf: np.ndarray, offs: np.ndarray, lens: np.ndarray, kinds: np.ndarray, hrp: np.ndarray,
                pkh_ver: int, sh_ver: int) -> tuple[np.ndarray, np.ndarray]:
    n = len(offs)
    chars = np.empty((n, WIDTH), dtype=np.uint8)
    sizes = np.zeros(n, dtype=np.int32)
    ws = np.empty(72, dtype=np.uint64)
    tail = np.empty(160, dtype=np.uint8)
    scratch = np.empty(128, dtype=np.uint8)
    for i in range(n):
        sizes[i] = encode_script(buf, offs[i], lens[i], kinds[i], hrp, pkh_ver, sh_ver, chars[i], ws, tail,
                                 scratch)
    return chars, sizes


@njit(cache=True, nogil=True)
def _pack_rows(chars: np.ndarray, sizes: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    data = np.empty(offsets[-1], dtype=np.uint8)
    for i in range(len(sizes)):
        o = offsets[i]
        for j in range(sizes[i]):
            data[o + j] = chars[i, j]
    return data


@njit(cache=True, nogil=True)
def gather_slices(buf: np.ndarray, offs: np.ndarray, lens: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Concatenate ``buf[offs[i]:offs[i]+lens[i]]``; returns (data, offsets)."""
    n = len(offs)
    offsets = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        offsets[i + 1] = offsets[i] + lens[i]
    data = np.empty(offsets[n], dtype=np.uint8)
    for i in range(n):
        data[offsets[i]: offsets[i + 1]] = buf[offs[i]: offs[i] + lens[i]]
    return data, offsets


def rows_to_arrow(chars: np.ndarray, sizes: np.ndarray, valid: np.ndarray | None = None) -> pa.Array:
    """Fixed-width byte rows (first ``sizes[i]`` bytes used) -> Arrow string array, no Python loop."""
    n = len(sizes)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    data = _pack_rows(chars, sizes, offsets) if n else np.zeros(0, dtype=np.uint8)
    bitmap = None
    nulls = 0
    if valid is not None and not valid.all():
        bitmap = pa.py_buffer(np.packbits(valid.astype(np.uint8), bitorder="little"))
        nulls = int(n - valid.sum())
    return pa.Array.from_buffers(pa.large_string(), n, [bitmap, pa.py_buffer(offsets), pa.py_buffer(data)],
                                 null_count=nulls)


@njit(cache=True, nogil=True)
def _hex_kernel(buf: np.ndarray, offs: np.ndarray, k: int, reverse: bool, valid: np.ndarray
                ) -> tuple[np.ndarray, np.ndarray]:
    """Hex of ``buf[offs[i]:offs[i]+k]`` (reversed when asked) for every valid row, packed."""
    n = len(offs)
    offsets = np.zeros(n + 1, dtype=np.int64)
    for i in range(n):
        offsets[i + 1] = offsets[i] + (2 * k if valid[i] else 0)
    data = np.empty(offsets[n], dtype=np.uint8)
    for i in range(n):
        if not valid[i]:
            continue
        o = offsets[i]
        base = offs[i]
        for j in range(k):
            byte = buf[base + (k - 1 - j if reverse else j)]
            data[o + 2 * j] = _HEX[byte >> 4]
            data[o + 2 * j + 1] = _HEX[byte & 15]
    return data, offsets


def hex_at(buf: np.ndarray, offs: np.ndarray, k: int, reverse: bool = True, valid: np.ndarray | None = None
           ) -> pa.Array:
    """Arrow strings of the hex of the ``k`` bytes at each offset of ``buf`` (a 1-d uint8 array),
    byte-reversed (display order) by default; rows where ``valid`` is False become null."""
    n = len(offs)
    mask = np.ones(n, dtype=np.bool_) if valid is None else np.ascontiguousarray(valid, dtype=np.bool_)
    data, offsets = _hex_kernel(buf, np.ascontiguousarray(offs, dtype=np.int64), k, reverse, mask)
    bitmap = None
    nulls = int(n - mask.sum())
    if nulls:
        bitmap = pa.py_buffer(np.packbits(mask.astype(np.uint8), bitorder="little"))
    return pa.Array.from_buffers(pa.large_string(), n, [bitmap, pa.py_buffer(offsets), pa.py_buffer(data)],
                                 null_count=nulls)


def hex_rows(rows: np.ndarray, reverse: bool = True, valid: np.ndarray | None = None) -> pa.Array:
    """(n, k) uint8 hashes -> Arrow strings of hex (byte-reversed display order by default);
    rows where ``valid`` is False become null."""
    flat = np.ascontiguousarray(rows, dtype=np.uint8)
    n, k = flat.shape
    return hex_at(flat.reshape(-1), np.arange(n, dtype=np.int64) * k, k, reverse, valid)


def encode_outputs(buf: np.ndarray, offs: np.ndarray, lens: np.ndarray, kinds: np.ndarray) -> pa.Array:
    """Address string per output script (null for OP_RETURN)."""
    chars, sizes = _encode_all(buf, offs.astype(np.int64), lens.astype(np.int64), kinds, _HRP_MAIN, 0, 5)
    for i in np.flatnonzero(kinds == P2PK):
        key = bytes(buf[offs[i] + 1: offs[i] + lens[i] - 1])
        text = p2pkh_from_pubkey(key).encode()
        chars[i, : len(text)] = np.frombuffer(text, dtype=np.uint8)
        sizes[i] = len(text)
    return rows_to_arrow(chars, sizes, kinds != OP_RETURN)


_HRP_MAIN = np.frombuffer(b"bc", dtype=np.uint8).copy()


def hash160(data: bytes) -> bytes:
    return hashlib.new("ripemd160", hashlib.sha256(data).digest()).digest()


def _b58check_py(version: int, payload: bytes) -> str:
    out = np.empty(WIDTH, dtype=np.uint8)
    n = _base58check(version, np.frombuffer(payload, dtype=np.uint8), 0, out, np.empty(72, dtype=np.uint64),
                     np.empty(160, dtype=np.uint8), np.empty(128, dtype=np.uint8))
    return bytes(out[:n]).decode()


def p2pkh_from_pubkey(pubkey: bytes) -> str:
    return _b58check_py(0, hash160(pubkey))


def script_address(script: bytes) -> str | None:
    """Address (or kind string) of one scriptPubKey; None for OP_RETURN."""
    from sanctrace.chain.script import classify

    buf = np.frombuffer(script, dtype=np.uint8) if script else np.zeros(1, dtype=np.uint8)
    kind = classify(buf, 0, len(script))
    arr = encode_outputs(buf, np.array([0]), np.array([len(script)]), np.array([kind], dtype=np.int8))
    value = arr[0].as_py()
    return None if value is None else str(value)


_B58_INDEX = {c: i for i, c in enumerate("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")}
_B32_INDEX = {c: i for i, c in enumerate("qpzry9x8gf2tvdw0s3jn54khce6mua7l")}


def _b58decode_check(addr: str) -> bytes:
    num = 0
    for ch in addr:
        if ch not in _B58_INDEX:
            raise InputError.at("address", addr, f"invalid base58 character {ch!r}")
        num = num * 58 + _B58_INDEX[ch]
    body = num.to_bytes((num.bit_length() + 7) // 8, "big")
    raw = b"\x00" * (len(addr) - len(addr.lstrip("1"))) + body
    if len(raw) != 25 or hashlib.sha256(hashlib.sha256(raw[:21]).digest()).digest()[:4] != raw[21:]:
        raise InputError.at("address", addr, "bad base58check checksum or length")
    return raw[:21]


def _bech32_decode(addr: str) -> tuple[int, bytes]:
    lower = addr.lower()
    hrp, _, data_part = lower.rpartition("1")
    if not hrp or len(data_part) < 7 or any(c not in _B32_INDEX for c in data_part):
        raise InputError.at("address", addr, "not a bech32 address")
    values = [_B32_INDEX[c] for c in data_part]
    chk = 1
    for v in [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + values:
        top = chk >> 25
        chk = ((chk & 0x1FFFFFF) << 5) ^ v
        for i in range(5):
            if (top >> i) & 1:
                chk ^= int(_GEN[i])
    witver = values[0]
    if chk != (BECH32_CONST if witver == 0 else BECH32M_CONST):
        raise InputError.at("address", addr, "bad bech32 checksum")
    acc = bits = 0
    prog = bytearray()
    for v in values[1:-6]:
        acc = (acc << 5) | v
        bits += 5
        if bits >= 8:
            bits -= 8
            prog.append((acc >> bits) & 0xFF)
    return witver, bytes(prog)


def address_to_script(addr: str) -> bytes:
    """scriptPubKey paying a mainnet (or testnet/regtest) address string."""
    if addr[:3].lower() in ("bc1", "tb1") or addr[:5].lower() == "bcrt1":
        witver, prog = _bech32_decode(addr)
        op = 0 if witver == 0 else 0x50 + witver
        return bytes([op, len(prog)]) + prog
    raw = _b58decode_check(addr)
    if raw[0] in (0x00, 0x6F):
        return b"\x76\xa9\x14" + raw[1:] + b"\x88\xac"
    if raw[0] in (0x05, 0xC4):
        return b"\xa9\x14" + raw[1:] + b"\x87"
    raise InputError.at("address", addr, f"unknown base58 version byte {raw[0]}")
