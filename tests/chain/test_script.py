"""Script classification: every standard template and the cases that must stay non-standard."""

from __future__ import annotations

import pytest

from sanctrace.chain.script import classify_bytes

KEY33 = "02" + "11" * 32
KEY65 = "04" + "22" * 64


@pytest.mark.parametrize(("script_hex", "kind"), [
    ("76a914" + "00" * 20 + "88ac", "p2pkh"),
    ("a914" + "00" * 20 + "87", "p2sh"),
    ("0014" + "00" * 20, "p2wpkh"),
    ("0020" + "00" * 32, "p2wsh"),
    ("5120" + "00" * 32, "p2tr"),
    ("5210" + "00" * 16, "witness_unknown"),  # segwit v2, 16-byte program
    ("21" + KEY33 + "ac", "p2pk"),
    ("41" + KEY65 + "ac", "p2pk"),
    ("51" + "21" + KEY33 + "41" + KEY65 + "52ae", "multisig"),
    ("6a", "op_return"),
    ("6a0b68656c6c6f20776f726c64", "op_return"),
    ("", "nonstandard"),
    ("0015" + "00" * 21, "nonstandard"),        # v0 program of a wrong size
    ("52" + "21" + KEY33 + "51ae", "nonstandard"),  # 2-of-1
    ("76a914" + "00" * 20 + "88", "nonstandard"),   # truncated p2pkh
    ("21" + "05" + "11" * 32 + "ac", "nonstandard"),  # not a key prefix
])
def test_classify(script_hex: str, kind: str) -> None:
    assert classify_bytes(bytes.fromhex(script_hex)) == kind
