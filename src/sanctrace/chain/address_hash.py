"""SHA-256 compiled with numba, so txids, merkle roots, address checksums and proof-of-work run
over whole arrays without a Python call per transaction.

Arithmetic is done in uint64 and masked to 32 bits: numba promotes mixed unsigned scalars to
64-bit anyway, and masking keeps the rotations exact. Verified against hashlib in the tests.
"""

from __future__ import annotations

import numpy as np
from numba import njit

_K = np.array([
    0x428A2F98, 0x71374491, 0xB5C0FBCF, 0xE9B5DBA5, 0x3956C25B, 0x59F111F1, 0x923F82A4, 0xAB1C5ED5,
    0xD807AA98, 0x12835B01, 0x243185BE, 0x550C7DC3, 0x72BE5D74, 0x80DEB1FE, 0x9BDC06A7, 0xC19BF174,
    0xE49B69C1, 0xEFBE4786, 0x0FC19DC6, 0x240CA1CC, 0x2DE92C6F, 0x4A7484AA, 0x5CB0A9DC, 0x76F988DA,
    0x983E5152, 0xA831C66D, 0xB00327C8, 0xBF597FC7, 0xC6E00BF3, 0xD5A79147, 0x06CA6351, 0x14292967,
    0x27B70A85, 0x2E1B2138, 0x4D2C6DFC, 0x53380D13, 0x650A7354, 0x766A0ABB, 0x81C2C92E, 0x92722C85,
    0xA2BFE8A1, 0xA81A664B, 0xC24B8B70, 0xC76C51A3, 0xD192E819, 0xD6990624, 0xF40E3585, 0x106AA070,
    0x19A4C116, 0x1E376C08, 0x2748774C, 0x34B0BCB5, 0x391C0CB3, 0x4ED8AA4A, 0x5B9CCA4F, 0x682E6FF3,
    0x748F82EE, 0x78A5636F, 0x84C87814, 0x8CC70208, 0x90BEFFFA, 0xA4506CEB, 0xBEF9A3F7, 0xC67178F2,
], dtype=np.uint64)
_H0 = np.array([0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB,
                0x5BE0CD19], dtype=np.uint64)
_M = np.uint64(0xFFFFFFFF)


@njit(cache=True, inline="always")
def _rotr(x: np.uint64, n: int) -> np.uint64:
    return ((x >> np.uint64(n)) | (x << np.uint64(32 - n))) & _M


@njit(cache=True, nogil=True)
def _compress(state: np.ndarray, data: np.ndarray, off: int, w: np.ndarray) -> None:
    for i in range(16):
        j = off + 4 * i
        w[i] = ((np.uint64(data[j]) << np.uint64(24)) | (np.uint64(data[j + 1]) << np.uint64(16))
                | (np.uint64(data[j + 2]) << np.uint64(8)) | np.uint64(data[j + 3]))
    for i in range(16, 64):
        x = w[i - 15]
        y = w[i - 2]
        s0 = _rotr(x, 7) ^ _rotr(x, 18) ^ (x >> np.uint64(3))
        s1 = _rotr(y, 17) ^ _rotr(y, 19) ^ (y >> np.uint64(10))
        w[i] = (w[i - 16] + s0 + w[i - 7] + s1) & _M
    a = state[0]
    b = state[1]
    c = state[2]
    d = state[3]
    e = state[4]
    f = state[5]
    g = state[6]
    h = state[7]
    for i in range(64):
        s1 = _rotr(e, 6) ^ _rotr(e, 11) ^ _rotr(e, 25)
        ch = (e & f) ^ ((~e & _M) & g)
        t1 = (h + s1 + ch + _K[i] + w[i]) & _M
        s0 = _rotr(a, 2) ^ _rotr(a, 13) ^ _rotr(a, 22)
        maj = (a & b) ^ (a & c) ^ (b & c)
        t2 = (s0 + maj) & _M
        h = g
        g = f
        f = e
        e = (d + t1) & _M
        d = c
        c = b
        b = a
        a = (t1 + t2) & _M
    state[0] = (state[0] + a) & _M
    state[1] = (state[1] + b) & _M
    state[2] = (state[2] + c) & _M
    state[3] = (state[3] + d) & _M
    state[4] = (state[4] + e) & _M
    state[5] = (state[5] + f) & _M
    state[6] = (state[6] + g) & _M
    state[7] = (state[7] + h) & _M


def workspace() -> tuple[np.ndarray, np.ndarray]:
    """Scratch memory for the ``*_ws`` functions: reuse it across calls (allocation dominates
    the cost of hashing a 21-byte address payload)."""
    return np.empty(72, dtype=np.uint64), np.empty(160, dtype=np.uint8)


@njit(cache=True, nogil=True)
def sha256_ws(data: np.ndarray, start: int, length: int, out: np.ndarray, out_off: int,
              ws: np.ndarray, tail: np.ndarray) -> None:
    """SHA-256 of ``data[start:start+length]`` into ``out[out_off:out_off+32]`` using scratch memory."""
    state = ws[:8]
    w = ws[8:]
    for i in range(8):
        state[i] = _H0[i]
    nfull = length // 64
    for k in range(nfull):
        _compress(state, data, start + 64 * k, w)
    rem = length - 64 * nfull
    base = start + 64 * nfull
    nblk = 1 if rem < 56 else 2
    for i in range(rem):
        tail[i] = data[base + i]
    tail[rem] = 0x80
    for i in range(rem + 1, 64 * nblk - 8):  # only the padding actually hashed
        tail[i] = 0
    bits = np.uint64(length) * np.uint64(8)
    end = 64 * nblk
    for i in range(8):
        tail[end - 1 - i] = np.uint8((bits >> np.uint64(8 * i)) & np.uint64(0xFF))
    for k in range(nblk):
        _compress(state, tail, 64 * k, w)
    for i in range(8):
        v = state[i]
        out[out_off + 4 * i] = np.uint8((v >> np.uint64(24)) & np.uint64(0xFF))
        out[out_off + 4 * i + 1] = np.uint8((v >> np.uint64(16)) & np.uint64(0xFF))
        out[out_off + 4 * i + 2] = np.uint8((v >> np.uint64(8)) & np.uint64(0xFF))
        out[out_off + 4 * i + 3] = np.uint8(v & np.uint64(0xFF))


@njit(cache=True, nogil=True)
def sha256d_ws(data: np.ndarray, start: int, length: int, out: np.ndarray, out_off: int,
               ws: np.ndarray, tail: np.ndarray) -> None:
    """Double SHA-256 (Bitcoin's hash) of a slice using scratch memory."""
    first = tail[128:160]
    sha256_ws(data, start, length, first, 0, ws, tail)
    sha256_ws(first, 0, 32, out, out_off, ws, tail)


@njit(cache=True, nogil=True)
def sha256_into(data: np.ndarray, start: int, length: int, out: np.ndarray, out_off: int) -> None:
    """SHA-256 of ``data[start:start+length]`` written to ``out[out_off:out_off+32]``."""
    ws = np.empty(72, dtype=np.uint64)
    tail = np.empty(160, dtype=np.uint8)
    sha256_ws(data, start, length, out, out_off, ws, tail)


@njit(cache=True, nogil=True)
def sha256d_into(data: np.ndarray, start: int, length: int, out: np.ndarray, out_off: int) -> None:
    """Double SHA-256 (Bitcoin's hash) of a slice, written to ``out[out_off:out_off+32]``."""
    ws = np.empty(72, dtype=np.uint64)
    tail = np.empty(160, dtype=np.uint8)
    sha256d_ws(data, start, length, out, out_off, ws, tail)


@njit(cache=True, nogil=True)
def merkle_root_into(hashes: np.ndarray, start: int, count: int, out: np.ndarray) -> None:
    """Merkle root of ``hashes[start:start+count]`` (rows of 32 bytes, internal order) into ``out``."""
    level = np.empty((count + 1) * 32, dtype=np.uint8)
    for i in range(count):
        for j in range(32):
            level[32 * i + j] = hashes[start + i, j]
    n = count
    pair = np.empty(64, dtype=np.uint8)
    ws = np.empty(72, dtype=np.uint64)
    tail = np.empty(160, dtype=np.uint8)
    while n > 1:
        if n % 2 == 1:
            for j in range(32):
                level[32 * n + j] = level[32 * (n - 1) + j]
            n += 1
        for i in range(n // 2):
            for j in range(64):
                pair[j] = level[64 * i + j]
            sha256d_ws(pair, 0, 64, level, 32 * i, ws, tail)
        n //= 2
    for j in range(32):
        out[j] = level[j]
