"""Hypothesis fuzzing of the decoder: mutated real blocks and random bytes either decode or raise
InputError — never another exception, never a crash. The number of inputs tried is printed."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctrace.chain.blockfile import frame_blk, frame_raw
from sanctrace.chain.decode import decode_blocks
from sanctrace.errors import InputError

TRIED = {"n": 0, "ok": 0, "rejected": 0}


def _attempt(data: bytes, blk: bool) -> None:
    TRIED["n"] += 1
    buf = np.frombuffer(data, dtype=np.uint8)
    try:
        spans = frame_blk(buf, "fuzz.dat") if blk else frame_raw(buf, "fuzz.raw")
        decode_blocks(spans.buf, spans.starts, spans.ends, "fuzz", strict=blk)
        TRIED["ok"] += 1
    except InputError as exc:
        assert "fuzz" in str(exc)
        TRIED["rejected"] += 1


@pytest.fixture(scope="module")
def real_block(shared_data: Path) -> bytes:
    return (shared_data / "chain" / "blocks" / "mainnet_block_482683.raw").read_bytes()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_real_block(real_block: bytes, data: st.DataObject) -> None:
    raw = bytearray(real_block)
    for _ in range(data.draw(st.integers(1, 4))):
        op = data.draw(st.sampled_from(["flip", "truncate", "insert", "varint"]))
        pos = data.draw(st.integers(0, len(raw) - 1))
        if op == "flip":
            raw[pos] ^= data.draw(st.integers(1, 255))
        elif op == "truncate":
            del raw[pos:]
            if not raw:
                raw = bytearray(b"\x00")
        elif op == "insert":
            raw[pos:pos] = data.draw(st.binary(min_size=1, max_size=16))
        else:
            raw[pos:pos + 1] = bytes([0xFF]) + data.draw(st.binary(min_size=8, max_size=8))
    blk = data.draw(st.booleans())
    payload = bytes.fromhex("f9beb4d9") + len(raw).to_bytes(4, "little") + bytes(raw) if blk else bytes(raw)
    _attempt(payload, blk)


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=1, max_size=400), st.booleans())
def test_random_bytes(data: bytes, blk: bool) -> None:
    _attempt(bytes.fromhex("f9beb4d9") + data if blk else data, blk)


def test_report_inputs_tried() -> None:
    if TRIED["n"] == 0:
        pytest.skip("run together with the fuzz tests above")
    print(f"\nfuzz: {TRIED['n']} inputs tried, {TRIED['ok']} decoded, {TRIED['rejected']} rejected with InputError")
    assert TRIED["n"] >= 700
