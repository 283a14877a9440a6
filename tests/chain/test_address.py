"""Address encodings against published vectors (BIP173/BIP350, the genesis key) and hashlib."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from sanctrace.chain.address import address_to_script, hex_rows, script_address
from sanctrace.chain.address_hash import merkle_root_into, sha256d_into
from sanctrace.errors import InputError

GENESIS_PUBKEY = ("04678afdb0fe5548271967f1a67130b7105cd6a828e03909a67962e0ea1f61deb649f6bc3f4cef38c4f3"
                  "5504e51ec112de5c384df7ba0b8d578a4c702b6bf11d5f")


@pytest.mark.parametrize(("script_hex", "address"), [
    ("41" + GENESIS_PUBKEY + "ac", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),  # P2PK shown as its P2PKH
    ("76a91462e907b15cbf27d5425399ebf6f0fb50ebb88f1888ac", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"),
    ("76a914000000000000000000000000000000000000000088ac", "1111111111111111111114oLvT2"),
    ("0014751e76e8199196d454941c45d1b3a323f1433bd6", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"),
    ("00201863143c14c5166804bd19203356da136c985678cd4d27a1b8c6329604903262",
     "bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3"),
    ("5120a60869f0dbcf1dc659c9cecbaf8050135ea9e8cdc487053f1dc6880949dc684c",
     "bc1p5cyxnuxmeuwuvkwfem96lqzszd02n6xdcjrs20cac6yqjjwudpxqkedrcr"),
])
def test_known_addresses(script_hex: str, address: str) -> None:
    script = bytes.fromhex(script_hex)
    assert script_address(script) == address
    if not script_hex.startswith("41"):
        assert address_to_script(address) == script


def test_p2sh_round_trip_and_kinds() -> None:
    script = address_to_script("3CK4fEwbMP7heJarmU4eqA3sMbVJyEnU3V")
    assert script[:2] == b"\xa9\x14" and script_address(script) == "3CK4fEwbMP7heJarmU4eqA3sMbVJyEnU3V"
    assert script_address(b"\x6a\x04abcd") is None
    junk = b"\x01"
    assert script_address(junk) == "nonstandard:" + hashlib.sha256(junk).hexdigest()
    with pytest.raises(InputError):
        address_to_script("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb")  # checksum broken


def test_sha256d_matches_hashlib_on_block_boundaries() -> None:
    rng = np.random.default_rng(0)
    out = np.zeros(32, dtype=np.uint8)
    for n in (0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000):
        data = rng.integers(0, 256, n, dtype=np.uint8)
        sha256d_into(data, 0, n, out, 0)
        assert bytes(out) == hashlib.sha256(hashlib.sha256(data.tobytes()).digest()).digest()


def test_merkle_root_odd_count_duplicates_last() -> None:
    leaves = np.random.default_rng(1).integers(0, 256, (3, 32), dtype=np.uint8)

    def h(x: bytes) -> bytes:
        return hashlib.sha256(hashlib.sha256(x).digest()).digest()

    a, b, c = (bytes(r) for r in leaves)
    expected = h(h(a + b) + h(c + c))
    out = np.zeros(32, dtype=np.uint8)
    merkle_root_into(leaves, 0, 3, out)
    assert bytes(out) == expected
    assert hex_rows(leaves[:1])[0].as_py() == a[::-1].hex()
