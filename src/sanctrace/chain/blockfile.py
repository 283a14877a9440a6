"""Find the blocks in a file: Bitcoin Core ``blk*.dat`` framing, raw serialized blocks (binary or
hex text), or getblock JSON.

``blk*.dat`` files are a sequence of ``magic | u32 length | block``; Core pre-allocates files in
chunks, so runs of zero bytes appear between and after blocks and are skipped. Anything else
between blocks (a wrong network magic, garbage) is an error naming the byte offset: silently
resynchronising would hide a corrupt file. Blocks within a file may be out of height order;
linking is by ``prev_hash`` later, never by file position.
"""

from __future__ import annotations

import binascii
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sanctrace.chain.decode import ERRORS, scan_blocks
from sanctrace.errors import InputError

MAGICS: dict[bytes, str] = {
    bytes.fromhex("f9beb4d9"): "main",
    bytes.fromhex("0b110907"): "testnet3",
    bytes.fromhex("1c163f28"): "testnet4",
    bytes.fromhex("fabfb5da"): "regtest",
    bytes.fromhex("0a03cf40"): "signet",
}
_HEXCHARS = frozenset(b"0123456789abcdefABCDEF \t\r\n")


@dataclass
class BlockSpans:
    """Where the blocks are: ``buf[starts[i]:ends[i]]``; ``offset_base`` maps buf to file offsets."""

    buf: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    kind: str  # "blk", "raw", "hex"
    network: str | None = None
    offset_base: int = 0


def sniff(head: bytes) -> str:
    """File kind from its first bytes: blk, json, hex or raw."""
    if head[:4] in MAGICS:
        return "blk"
    stripped = head.lstrip()
    if stripped[:1] in (b"{", b"["):
        return "json"
    if head and all(c in _HEXCHARS for c in head[:4096]):
        return "hex"
    return "raw"


def frame_blk(buf: np.ndarray, source: str) -> BlockSpans:
    """Split blk*.dat framing; one network per file."""
    data = buf.data  # zero-copy view for magic/length reads
    n = len(buf)
    starts: list[int] = []
    ends: list[int] = []
    network: str | None = None
    pos = 0
    while pos < n:
        if buf[pos] == 0:
            nz = np.flatnonzero(buf[pos:])
            if len(nz) == 0:
                break
            pos += int(nz[0])
            continue
        magic = bytes(data[pos: pos + 4])
        if magic not in MAGICS:
            raise InputError.at(source, f"byte {pos}",
                                f"expected block magic, found {magic.hex()} (garbage or wrong network)")
        if network is None:
            network = MAGICS[magic]
        elif MAGICS[magic] != network:
            raise InputError.at(source, f"byte {pos}",
                                f"wrong network magic {magic.hex()} ({MAGICS[magic]}, file is {network})")
        if pos + 8 > n:
            raise InputError.at(source, f"byte {pos}", "truncated block header framing")
        length = int.from_bytes(bytes(data[pos + 4: pos + 8]), "little")
        if length < 81 or pos + 8 + length > n:
            raise InputError.at(source, f"byte {pos}",
                                f"truncated block: framing says {length} bytes, {n - pos - 8} remain")
        starts.append(pos + 8)
        ends.append(pos + 8 + length)
        pos += 8 + length
    return BlockSpans(buf, np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64), "blk", network)


def frame_raw(buf: np.ndarray, source: str, offset_base: int = 0) -> BlockSpans:
    """Back-to-back raw serialized blocks (usually one): each block's end comes from parsing it."""
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    n = len(buf)
    while pos < n:
        err, off, _b, blk, _t, _i, _o = scan_blocks(buf, np.array([pos]), np.array([n]), False)
        if err:
            raise InputError.at(source, f"byte {offset_base + off}", ERRORS[err])
        end = int(blk[0, 0])
        starts.append(pos)
        ends.append(end)
        pos = end
    return BlockSpans(buf, np.array(starts, dtype=np.int64), np.array(ends, dtype=np.int64), "raw",
                      offset_base=offset_base)


def frame_hex(text: bytes, source: str) -> BlockSpans:
    """Hex text: one or more blocks, one per line (as ``getblock <hash> 0`` prints them)."""
    chunks: list[bytes] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line:
            continue
        try:
            chunks.append(binascii.unhexlify(line))
        except (binascii.Error, ValueError) as exc:
            raise InputError.at(source, f"line {lineno}", f"not hex: {exc}") from None
    raw = b"".join(chunks)
    return frame_raw(np.frombuffer(raw, dtype=np.uint8), source + " (hex-decoded)")


def read_spans(path: Path) -> BlockSpans:
    """Read a blk/raw/hex file into spans (JSON is handled by ``decode_json``)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError.at(str(path), None, f"cannot read: {exc.strerror}") from None
    if not raw:
        raise InputError.at(str(path), "byte 0", "empty file")
    kind = sniff(raw[:4096])
    buf = np.frombuffer(raw, dtype=np.uint8)
    if kind == "blk":
        return frame_blk(buf, str(path))
    if kind == "hex":
        return frame_hex(raw, str(path))
    if kind == "json":
        raise InputError.at(str(path), None, "JSON input goes through decode_json")
    return frame_raw(buf, str(path))
