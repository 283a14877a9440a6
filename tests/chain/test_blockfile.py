"""blk*.dat framing: padding, several blocks, out-of-order, wrong magic, garbage, truncation, hex."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctrace.chain.blockfile import read_spans
from sanctrace.errors import InputError

MAIN = bytes.fromhex("f9beb4d9")


@pytest.fixture(scope="module")
def btcd(shared_data: Path) -> bytes:
    return (shared_data / "chain" / "blocks" / "blkfmt_btcd_genesis_plus_4_SYNTHETIC.dat").read_bytes()


def _frames(data: bytes) -> list[bytes]:
    out, pos = [], 0
    while pos < len(data):
        n = int.from_bytes(data[pos + 4: pos + 8], "little")
        out.append(data[pos: pos + 8 + n])
        pos += 8 + n
    return out


def test_five_blocks_with_zero_padding(btcd: bytes, tmp_path: Path) -> None:
    frames = _frames(btcd)
    assert len(frames) == 5
    path = tmp_path / "blk00000.dat"
    path.write_bytes(frames[0] + bytes(100) + b"".join(frames[1:]) + bytes(4096))
    spans = read_spans(path)
    assert spans.kind == "blk" and spans.network == "main" and len(spans.starts) == 5


@pytest.mark.parametrize(("magic", "network"), [("0b110907", "testnet3"), ("fabfb5da", "regtest"),
                                                ("0a03cf40", "signet"), ("1c163f28", "testnet4")])
def test_other_networks(btcd: bytes, tmp_path: Path, magic: str, network: str) -> None:
    path = tmp_path / "blk.dat"
    path.write_bytes(b"".join(bytes.fromhex(magic) + f[4:] for f in _frames(btcd)))
    spans = read_spans(path)
    assert spans.network == network and len(spans.starts) == 5


@pytest.mark.parametrize(("mutate", "message"), [
    (lambda f: f[0] + bytes.fromhex("0b110907") + f[1][4:], "wrong network magic"),
    (lambda f: f[0] + b"garbage!" + f[1], "expected block magic"),
    (lambda f: f[0] + f[1][:-10], "truncated block"),
])
def test_bad_framing_names_the_offset(btcd: bytes, tmp_path: Path, mutate: object, message: str) -> None:
    frames = _frames(btcd)
    path = tmp_path / "bad.dat"
    path.write_bytes(mutate(frames))  # type: ignore[operator]
    with pytest.raises(InputError, match=rf"bad\.dat: byte {len(frames[0])}: .*{message}"):
        read_spans(path)


def test_hex_file(shared_data: Path, tmp_path: Path) -> None:
    raw = (shared_data / "chain" / "blocks" / "mainnet_block_000001.raw").read_bytes()
    path = tmp_path / "block.hex"
    path.write_text(raw.hex() + "\n")
    spans = read_spans(path)
    assert spans.kind == "raw" and len(spans.starts) == 1 and int(spans.ends[0]) == len(raw)
    path.write_text(raw.hex()[:-7] + "\n")
    with pytest.raises(InputError, match=r"block\.hex"):
        read_spans(path)
