"""A plain-Python block decoder: the named baseline of the decode benchmark, and a cross-check.

Written the way a careful Python implementation would be (``struct``/``int.from_bytes`` on a
memoryview, hashlib for hashes, integer arithmetic for base58), one Python step per field. The
compiled decoder in ``decode`` must produce the same txids and addresses; the benchmark measures
both in the same run.
"""

from __future__ import annotations

import hashlib
from typing import Any

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _sha256d(data: bytes | memoryview) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def _b58check(version: int, payload: bytes) -> str:
    raw = bytes([version]) + payload
    raw += _sha256d(raw)[:4]
    num = int.from_bytes(raw, "big")
    chars = []
    while num:
        num, rem = divmod(num, 58)
        chars.append(_B58[rem])
    pad = len(raw) - len(raw.lstrip(b"\x00"))
    return "1" * pad + "".join(reversed(chars))


def _bech32(witver: int, prog: bytes) -> str:
    data = [witver]
    acc = bits = 0
    for byte in prog:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            data.append((acc >> bits) & 31)
    if bits:
        data.append((acc << (5 - bits)) & 31)
    chk = 1
    for v in [3, 3, 0, 2, 3] + data + [0] * 6:  # hrp "bc" expanded
        top = chk >> 25
        chk = ((chk & 0x1FFFFFF) << 5) ^ v
        for i in range(5):
            if (top >> i) & 1:
                chk ^= _GEN[i]
    chk ^= 1 if witver == 0 else 0x2BC830A3
    return "bc1" + "".join(_B32[d] for d in data) + "".join(_B32[(chk >> 5 * (5 - i)) & 31] for i in range(6))


def address_py(script: bytes) -> str | None:
    n = len(script)
    if n and script[0] == 0x6A:
        return None
    if n == 25 and script[:3] == b"\x76\xa9\x14" and script[23:] == b"\x88\xac":
        return _b58check(0, script[3:23])
    if n == 23 and script[:2] == b"\xa9\x14" and script[22] == 0x87:
        return _b58check(5, script[2:22])
    if 4 <= n <= 42 and (script[0] == 0 or 0x51 <= script[0] <= 0x60) and script[1] == n - 2:
        if script[0] == 0 and n in (22, 34):
            return _bech32(0, script[2:])
        if script[0] != 0:
            return _bech32(script[0] - 0x50, script[2:])
    if n in (35, 67) and script[0] == n - 2 and script[-1] == 0xAC and script[1] in (2, 3, 4, 6, 7):
        key = script[1:-1]
        return _b58check(0, hashlib.new("ripemd160", hashlib.sha256(key).digest()).digest())
    from sanctrace.chain.script import classify_bytes

    kind = "multisig" if classify_bytes(script) == "multisig" else "nonstandard"
    return f"{kind}:{hashlib.sha256(script).hexdigest()}"


def _varint(mv: memoryview, p: int) -> tuple[int, int]:
    b = mv[p]
    if b < 0xFD:
        return b, p + 1
    size = {0xFD: 2, 0xFE: 4, 0xFF: 8}[b]
    return int.from_bytes(mv[p + 1: p + 1 + size], "little"), p + 1 + size


def decode_block_py(raw: bytes) -> dict[str, Any]:
    """Decode one serialized block into dicts (txid, inputs, outputs with addresses)."""
    mv = memoryview(raw)
    block_hash = _sha256d(mv[:80])[::-1].hex()
    n_tx, p = _varint(mv, 80)
    txs = []
    for _ in range(n_tx):
        start = p
        p += 4
        segwit = mv[p] == 0 and mv[p + 1] == 1
        if segwit:
            p += 2
        io_start = p
        n_in, p = _varint(mv, p)
        inputs = []
        for _ in range(n_in):
            prev = bytes(mv[p: p + 32])[::-1].hex()
            vout = int.from_bytes(mv[p + 32: p + 36], "little")
            slen, p = _varint(mv, p + 36)
            script_sig = bytes(mv[p: p + slen])
            p += slen
            seq = int.from_bytes(mv[p: p + 4], "little")
            p += 4
            inputs.append({"prev_txid": prev, "prev_vout": vout, "script_sig": script_sig, "sequence": seq})
        n_out, p = _varint(mv, p)
        outputs = []
        for _ in range(n_out):
            value = int.from_bytes(mv[p: p + 8], "little")
            slen, p = _varint(mv, p + 8)
            script = bytes(mv[p: p + slen])
            p += slen
            outputs.append({"value": value, "script": script, "address": address_py(script)})
        io_end = p
        if segwit:
            for _ in range(n_in):
                items, p = _varint(mv, p)
                for _ in range(items):
                    ilen, p = _varint(mv, p)
                    p += ilen
        p += 4
        if segwit:
            txid = _sha256d(bytes(mv[start: start + 4]) + bytes(mv[io_start:io_end]) + bytes(mv[p - 4: p]))
        else:
            txid = _sha256d(mv[start:p])
        txs.append({"txid": txid[::-1].hex(), "inputs": inputs, "outputs": outputs, "segwit": segwit})
    return {"hash": block_hash, "txs": txs, "size": p}
