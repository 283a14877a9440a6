"""Bitcoin Core ``getblock`` JSON (verbosity 2 and 3) to decoded columns.

Rather than trusting the JSON's derived fields, each block is re-serialized (the header from its
fields, each transaction from ``hex`` or, when a tool stripped it, from ``vin``/``vout``) and run
through the same binary decoder; the recomputed block hash and txids must equal the JSON's, so a
doctored file is rejected. Old (``scriptPubKey.addresses[]``) and new (``address``) address forms
both work because addresses are derived from the script bytes. Verbosity 3's ``prevout`` gives
input values and addresses for spends whose funding transaction is not stored.
Amounts are parsed as decimals and converted to satoshi exactly.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from sanctrace.chain.address import encode_outputs, hex_rows
from sanctrace.chain.decode import DecodedBlocks, decode_blocks
from sanctrace.chain.script import classify_all
from sanctrace.errors import InputError

COIN = Decimal(100_000_000)


def _varint(n: int) -> bytes:
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + n.to_bytes(2, "little")
    if n <= 0xFFFFFFFF:
        return b"\xfe" + n.to_bytes(4, "little")
    return b"\xff" + n.to_bytes(8, "little")


def to_sat(value: Any, where: str) -> int:
    try:
        sat = Decimal(str(value)) * COIN
    except (InvalidOperation, ValueError):
        raise InputError(f"{where}: bad amount {value!r}") from None
    if sat != sat.to_integral_value() or sat < 0:
        raise InputError(f"{where}: amount {value!r} is not a whole number of satoshi")
    return int(sat)


def _h(value: Any, where: str) -> bytes:
    try:
        return bytes.fromhex(str(value))
    except ValueError:
        raise InputError(f"{where}: not hex: {str(value)[:40]!r}") from None


def serialize_tx(tx: dict[str, Any], where: str) -> bytes:
    """Transaction bytes from getblock JSON fields (used when ``hex`` is absent)."""
    vin = tx.get("vin") or []
    vout = tx.get("vout") or []
    segwit = any(v.get("txinwitness") for v in vin)
    out = bytearray(int(tx["version"]).to_bytes(4, "little", signed=True))
    if segwit:
        out += b"\x00\x01"
    out += _varint(len(vin))
    for k, v in enumerate(vin):
        if "coinbase" in v:
            out += b"\x00" * 32 + b"\xff\xff\xff\xff"
            script = _h(v["coinbase"], f"{where} vin {k}")
        else:
            out += _h(v["txid"], where)[::-1] + int(v["vout"]).to_bytes(4, "little")
            script = _h((v.get("scriptSig") or {}).get("hex", ""), f"{where} vin {k}")
        out += _varint(len(script)) + script + int(v.get("sequence", 0xFFFFFFFF)).to_bytes(4, "little")
    out += _varint(len(vout))
    for k, o in enumerate(vout):
        script = _h(o["scriptPubKey"]["hex"], f"{where} vout {k}")
        out += to_sat(o["value"], f"{where} vout {k}").to_bytes(8, "little") + _varint(len(script)) + script
    if segwit:
        for v in vin:
            items = v.get("txinwitness") or []
            out += _varint(len(items))
            for item in items:
                data = _h(item, where)
                out += _varint(len(data)) + data
    out += int(tx.get("locktime", 0)).to_bytes(4, "little")
    return bytes(out)


def serialize_block(block: dict[str, Any], where: str) -> bytes:
    try:
        header = (int(block["version"]).to_bytes(4, "little", signed=True)
                  + _h(block.get("previousblockhash", "00" * 32), where)[::-1]
                  + _h(block["merkleroot"], where)[::-1]
                  + int(block["time"]).to_bytes(4, "little")
                  + int(str(block["bits"]), 16).to_bytes(4, "little")
                  + int(block["nonce"]).to_bytes(4, "little"))
        txs = block["tx"]
        if not txs or not isinstance(txs[0], dict):
            raise InputError(f"{where}: needs getblock verbosity 2 or 3 (transactions as objects)")
        body = [
            _h(tx["hex"], f"{where} tx {k}") if tx.get("hex") else serialize_tx(tx, f"{where} tx {k}")
            for k, tx in enumerate(txs)
        ]
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        raise InputError(f"{where}: missing or bad field: {exc}") from None
    return header + _varint(len(body)) + b"".join(body)


def _blocks_of(doc: Any) -> list[dict[str, Any]]:
    items = doc if isinstance(doc, list) else [doc]
    blocks: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, dict) and "result" in item and "tx" not in item:
            if item.get("error"):
                raise InputError(f"JSON-RPC error: {item['error']}")
            item = item["result"]
        if not isinstance(item, dict) or "tx" not in item:
            raise InputError("not a getblock response (no 'tx' field)")
        blocks.append(item)
    return blocks


def decode_json_blocks(blocks: list[dict[str, Any]], source: str) -> tuple[DecodedBlocks, list[str]]:
    """Decode getblock objects; returns the columns and one source label per block."""
    raws: list[bytes] = []
    for n, block in enumerate(blocks):
        raws.append(serialize_block(block, f"{source}: block {n}"))
    buf = np.frombuffer(b"".join(raws), dtype=np.uint8)
    lens = np.array([len(r) for r in raws], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(lens)[:-1]]).astype(np.int64)
    dec = decode_blocks(buf, starts, starts + lens, source)
    hashes = hex_rows(dec.block_hash).to_pylist()
    txids = hex_rows(dec.txid).to_pylist()
    values: list[int] = []
    scripts: list[bytes] = []
    t = 0
    for n, block in enumerate(blocks):
        if hashes[n] != str(block.get("hash", hashes[n])).lower():
            raise InputError(f"{source}: block {n}: hash in JSON {block.get('hash')} != recomputed {hashes[n]}")
        for k, tx in enumerate(block["tx"]):
            if "txid" in tx and tx["txid"] != txids[t]:
                raise InputError(f"{source}: block {n} tx {k}: txid in JSON {tx['txid']} != recomputed {txids[t]}")
            t += 1
            for j, vin in enumerate(tx.get("vin") or []):
                prevout = vin.get("prevout")
                if prevout:
                    values.append(to_sat(prevout["value"], f"{source}: block {n} tx {k} vin {j} prevout"))
                    scripts.append(_h(prevout["scriptPubKey"]["hex"], f"{source}: block {n} tx {k} vin {j}"))
                else:
                    values.append(-1)
                    scripts.append(b"")
    if len(values) != len(dec.ina):
        raise InputError(f"{source}: vin lists do not match the transactions")
    dec.height_hint = [b["height"] if isinstance(b.get("height"), int) else None for b in blocks]
    dec.in_value = np.array(values, dtype=np.int64)
    have = dec.in_value >= 0
    if have.any():
        sbuf = np.frombuffer(b"".join(scripts) or b"\x00", dtype=np.uint8)
        slen = np.array([len(s) for s in scripts], dtype=np.int64)
        soff = np.concatenate([[0], np.cumsum(slen)[:-1]]).astype(np.int64)
        kinds = classify_all(sbuf, soff, slen)
        addr = encode_outputs(sbuf, soff, slen, kinds)
        dec.in_address = pa.array(addr.to_pylist(), pa.large_string(), mask=~have)
    return dec, [f"{source}#block{n}" for n in range(len(blocks))]


def decode_json_file(path: Path, data: bytes) -> tuple[DecodedBlocks, list[str]]:
    try:
        doc = json.loads(data, parse_float=Decimal)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError.at(str(path), f"byte {getattr(exc, 'pos', 0)}", f"invalid JSON: {exc}") from None
    try:
        blocks = _blocks_of(doc)
    except InputError as exc:
        raise InputError.at(str(path), None, exc.message) from None
    return decode_json_blocks(blocks, str(path))
