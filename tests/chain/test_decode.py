"""The compiled decoder on real mainnet blocks: counts, hashes, merkle roots, BIP34, script types."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from sanctrace.chain.address import hex_rows
from sanctrace.chain.blockfile import frame_raw, read_spans
from sanctrace.chain.decode import DecodedBlocks, coinbase_info, decode_blocks, header_columns
from sanctrace.chain.decode_py import decode_block_py
from sanctrace.chain.schema import SCRIPT_TYPES
from sanctrace.errors import InputError


def _decode(path: Path) -> DecodedBlocks:
    spans = read_spans(path)
    return decode_blocks(spans.buf, spans.starts, spans.ends, str(path))


@pytest.fixture(scope="module")
def blocks(shared_data: Path) -> Path:
    return shared_data / "chain" / "blocks"


def _coinbase(dec: DecodedBlocks) -> tuple[int | None, str]:
    off, n = int(dec.ina[0, 3]), int(dec.ina[0, 4])
    return coinbase_info(bytes(dec.buf[off: off + n]), int(header_columns(dec)["version"][0]))


def test_block_413567_counts_types_and_hash(blocks: Path) -> None:
    dec = _decode(blocks / "mainnet_block_413567.raw")
    assert (len(dec.txa), len(dec.ina), len(dec.outa)) == (1557, 4887, 3581)
    kinds = Counter(SCRIPT_TYPES[k] for k in dec.out_kind)
    assert (kinds["p2pkh"], kinds["p2sh"], kinds["op_return"]) == (2841, 737, 3)
    assert hex_rows(dec.block_hash)[0].as_py() == \
        "0000000000000000025aff8be8a55df8f89c77296db6198f272d6577325d4069"
    assert bool(dec.merkle_ok.all())
    height, text = _coinbase(dec)
    assert height == 413567 and "Mined by chenguanghai" in text


def test_block_702861_segwit(blocks: Path) -> None:
    dec = _decode(blocks / "mainnet_block_702861.raw")
    assert len(dec.txa) == 2500
    assert int(dec.txa[:, 4].sum()) == 2065  # segwit transactions
    kinds = Counter(SCRIPT_TYPES[k] for k in dec.out_kind)
    assert {k: kinds[k] for k in ("p2wpkh", "p2sh", "p2pkh", "p2wsh", "op_return")} == {
        "p2wpkh": 2383, "p2sh": 1816, "p2pkh": 1660, "p2wsh": 133, "op_return": 23}
    # wtxid differs from txid exactly for segwit transactions
    differs = (dec.txid != dec.wtxid).any(axis=1)
    assert np.array_equal(differs, dec.txa[:, 4].astype(bool))
    assert _coinbase(dec)[1].find("binance") >= 0
    assert _coinbase(dec)[0] == 702861


def test_known_txids_and_p2pk_address(blocks: Path) -> None:
    dec = _decode(blocks / "mainnet_block_000001.raw")
    assert hex_rows(dec.txid)[0].as_py() == "0e3e2357e806b6cdb1f70b54c3a3a17b6714ee1f0e68bebb44a74b1efd512098"
    assert dec.out_address[0].as_py() == "12c6DSiU4Rq3P4ZxziKxzrL5LmMBrzjrJX"
    assert _coinbase(dec)[0] is None  # version 1: no BIP34 height


@pytest.mark.parametrize(("name", "height", "tag"), [
    ("mainnet_block_227836.raw", 227836, "/slush/"), ("mainnet_block_300025.raw", 300025, "Mined by gabc"),
    ("mainnet_block_363703.raw", 363703, "/AntPool/"), ("mainnet_block_482683.raw", 482683, "AntPool"),
])
def test_bip34_heights_and_tags(blocks: Path, name: str, height: int, tag: str) -> None:
    got_height, text = _coinbase(_decode(blocks / name))
    assert got_height == height and tag in text


def test_merkle_mismatch_names_file_and_offset(blocks: Path, tmp_path: Path) -> None:
    raw = bytearray((blocks / "mainnet_block_482683.raw").read_bytes())
    raw[40] ^= 0xFF  # inside the header's merkle root
    bad = tmp_path / "bad.raw"
    bad.write_bytes(bytes(raw))
    with pytest.raises(InputError, match=r"bad\.raw: byte 0: merkle root mismatch"):
        _decode(bad)


def test_truncated_block_reports_offset(blocks: Path) -> None:
    raw = (blocks / "mainnet_block_482683.raw").read_bytes()[:5000]
    with pytest.raises(InputError, match=r"x\.raw: byte \d+: truncated"):
        frame_raw(np.frombuffer(raw, dtype=np.uint8), "x.raw")


def test_oversized_varint_is_an_error() -> None:
    header = bytes(80)
    raw = header + b"\xfe\xff\xff\xff\x7f" + bytes(20)  # claims 2^31 transactions
    with pytest.raises(InputError, match="oversized varint"):
        frame_raw(np.frombuffer(raw, dtype=np.uint8), "v.raw")


def test_python_baseline_agrees(blocks: Path) -> None:
    raw = (blocks / "mainnet_block_702861.raw").read_bytes()
    dec = _decode(blocks / "mainnet_block_702861.raw")
    py = decode_block_py(raw)
    assert [t["txid"] for t in py["txs"]] == hex_rows(dec.txid).to_pylist()
    addresses = [o["address"] for t in py["txs"] for o in t["outputs"]]
    assert addresses == dec.out_address.to_pylist()
