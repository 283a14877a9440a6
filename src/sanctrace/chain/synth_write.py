"""Serialize a generated chain into real blocks: ``blk*.dat`` files with regtest framing.

Every block is well-formed and verifiable by the ingest path: txids are the double SHA-256 of
the non-witness serialization, merkle roots are computed from them, coinbases carry the BIP34
height (as Core encodes it: ``OP_1..OP_16`` for heights up to 16, else a minimal number push),
the pool's tag and an extranonce, and each header's nonce is ground until the hash meets the
regtest target ``0x207fffff``. Blocks build on the regtest genesis block, so heights start at 1.
Not consensus-valid: signatures are random bytes, there is no witness commitment, and the
subsidy is constant — nothing in sanctrace validates scripts.

Address payloads are derived from (seed, address index) with splitmix64, so the same seed always
gives the same addresses; planted addresses keep their real scripts.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from numba import njit

from sanctrace.chain.address_hash import merkle_root_into, sha256d_ws
from sanctrace.chain.script import P2PKH, P2SH, P2TR, P2WPKH, P2WSH
from sanctrace.chain.synth import ENTITY_KINDS, PATTERNS, SynthChain

REGTEST_MAGIC = bytes.fromhex("fabfb5da")
REGTEST_GENESIS = bytes.fromhex("0f9188f13cb7b2c71f2a335e3a4fc328bf5beb436012afca590b1a11466e2206")[::-1]
REGTEST_BITS = 0x207FFFFF
SCRIPT_W = 34


@njit(cache=True)
def _splitmix(x: np.uint64) -> np.uint64:
    z = x + np.uint64(0x9E3779B97F4A7C15)
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def _fill_random(out: np.ndarray, off: int, n: int, key: np.uint64) -> None:
    x = key
    for i in range(0, n, 8):
        x = _splitmix(x)
        for j in range(min(8, n - i)):
            out[off + i + j] = np.uint8((x >> np.uint64(8 * j)) & np.uint64(0xFF))


@njit(cache=True)
def _build_scripts(seed: int, addr_type: np.ndarray, addr_planted: np.ndarray, planted: np.ndarray,
                   planted_len: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    n = len(addr_type)
    out = np.zeros(n * SCRIPT_W, dtype=np.uint8)
    lens = np.zeros(n, dtype=np.int64)
    base = np.uint64(seed) * np.uint64(0x100000001B3)
    for a in range(n):
        o = a * SCRIPT_W
        p = addr_planted[a]
        if p >= 0:
            for j in range(planted_len[p]):
                out[o + j] = planted[p, j]
            lens[a] = planted_len[p]
            continue
        key = base ^ np.uint64(a * 7919 + 1)
        k = addr_type[a]
        if k == P2PKH:
            out[o] = 0x76
            out[o + 1] = 0xA9
            out[o + 2] = 20
            _fill_random(out, o + 3, 20, key)
            out[o + 23] = 0x88
            out[o + 24] = 0xAC
            lens[a] = 25
        elif k == P2SH:
            out[o] = 0xA9
            out[o + 1] = 20
            _fill_random(out, o + 2, 20, key)
            out[o + 22] = 0x87
            lens[a] = 23
        elif k == P2WPKH:
            out[o] = 0
            out[o + 1] = 20
            _fill_random(out, o + 2, 20, key)
            lens[a] = 22
        else:  # P2WSH or P2TR
            out[o] = 0 if k == P2WSH else 0x51
            out[o + 1] = 32
            _fill_random(out, o + 2, 32, key)
            lens[a] = 34
    return out, lens


def build_scripts(chain: SynthChain) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(buffer, offsets, lengths) of each address's scriptPubKey."""
    planted = np.zeros((max(1, len(chain.planted_scripts)), SCRIPT_W), dtype=np.uint8)
    plen = np.zeros(max(1, len(chain.planted_scripts)), dtype=np.int64)
    for i, s in enumerate(chain.planted_scripts):
        planted[i, : len(s)] = np.frombuffer(s, dtype=np.uint8)
        plen[i] = len(s)
    buf, lens = _build_scripts(chain.seed, chain.addr_type, chain.addr_planted, planted, plen)
    return buf, np.arange(len(lens), dtype=np.int64) * SCRIPT_W, lens


@njit(cache=True)
def _put_varint(out: np.ndarray, p: int, v: int) -> int:
    if v < 0xFD:
        out[p] = v
        return p + 1
    if v <= 0xFFFF:
        out[p] = 0xFD
        out[p + 1] = v & 0xFF
        out[p + 2] = (v >> 8) & 0xFF
        return p + 3
    out[p] = 0xFE
    for i in range(4):
        out[p + 1 + i] = (v >> (8 * i)) & 0xFF
    return p + 5


@njit(cache=True)
def _put_u32(out: np.ndarray, p: int, v: int) -> int:
    for i in range(4):
        out[p + i] = (v >> (8 * i)) & 0xFF
    return p + 4


@njit(cache=True)
def _height_push(out: np.ndarray, p: int, height: int) -> int:
    if 1 <= height <= 16:
        out[p] = 0x50 + height
        return p + 1
    n = 0
    tmp = np.zeros(9, dtype=np.uint8)
    h = height
    while h > 0:
        tmp[n] = h & 0xFF
        h >>= 8
        n += 1
    if tmp[n - 1] & 0x80:
        tmp[n] = 0
        n += 1
    out[p] = n
    for i in range(n):
        out[p + 1 + i] = tmp[i]
    return p + 1 + n


@njit(cache=True)
def _serialize(b_lo: int, b_hi: int, block_first_tx: np.ndarray, seed: int, start_time: int,
               tx_first_in: np.ndarray, tx_n_in: np.ndarray, tx_first_out: np.ndarray, tx_n_out: np.ndarray,
               tx_lock: np.ndarray, in_prev: np.ndarray, out_value: np.ndarray, out_addr: np.ndarray,
               out_tx: np.ndarray, addr_type: np.ndarray, scripts: np.ndarray, script_len: np.ndarray,
               block_pool: np.ndarray, tags: np.ndarray, tag_len: np.ndarray, prev_hash: np.ndarray,
               txids: np.ndarray, magic: np.ndarray, out: np.ndarray) -> int:
    """Write blocks [b_lo, b_hi) into ``out`` (framed); fills ``txids``; returns bytes written."""
    p = 0
    ws = np.empty(72, dtype=np.uint64)
    tail = np.empty(160, dtype=np.uint8)
    scratch = np.empty(1 << 16, dtype=np.uint8)
    flat = txids.reshape(-1)
    root = np.empty(32, dtype=np.uint8)
    hdr_hash = np.empty(32, dtype=np.uint8)
    for b in range(b_lo, b_hi):
        for i in range(4):
            out[p + i] = magic[i]
        len_pos = p + 4
        p += 8
        hdr = p
        p += 80
        t0 = block_first_tx[b]
        t1 = block_first_tx[b + 1]
        p = _put_varint(out, p, t1 - t0)
        for t in range(t0, t1):
            ts = p
            p = _put_u32(out, p, 2)
            nin = tx_n_in[t]
            fi = tx_first_in[t]
            segwit = False
            for i in range(fi, fi + nin):
                o = in_prev[i]
                if o >= 0:
                    k = addr_type[out_addr[o]]
                    if k in (P2SH, P2WPKH, P2WSH, P2TR):
                        segwit = True
            if segwit:
                out[p] = 0
                out[p + 1] = 1
                p += 2
            io_s = p
            p = _put_varint(out, p, nin)
            for i in range(fi, fi + nin):
                o = in_prev[i]
                key = np.uint64(seed) * np.uint64(1000003) ^ np.uint64(i * 2 + 1)
                if o < 0:  # coinbase
                    for j in range(32):
                        out[p + j] = 0
                    p = _put_u32(out, p + 32, 0xFFFFFFFF)
                    pool = block_pool[b]
                    sl = p
                    p += 1
                    p = _height_push(out, p, b + 1)
                    for j in range(tag_len[pool]):
                        out[p + j] = tags[pool, j]
                    p += tag_len[pool]
                    _fill_random(out, p, 4, key)
                    for j in range(4):  # keep the extranonce out of the printable coinbase text
                        out[p + j] |= 0x80
                    p += 4
                    out[sl] = p - sl - 1
                    p = _put_u32(out, p, 0xFFFFFFFF)
                    continue
                pt = out_tx[o]
                for j in range(32):
                    out[p + j] = flat[32 * pt + j]
                p = _put_u32(out, p + 32, o - tx_first_out[pt])
                k = addr_type[out_addr[o]]
                if k == P2PKH:
                    out[p] = 107
                    out[p + 1] = 72
                    out[p + 2] = 0x30
                    _fill_random(out, p + 3, 71, key)
                    out[p + 74] = 33
                    out[p + 75] = 2
                    _fill_random(out, p + 76, 32, key + np.uint64(1))
                    p += 108
                elif k == P2SH:
                    out[p] = 23
                    out[p + 1] = 22
                    out[p + 2] = 0
                    out[p + 3] = 20
                    _fill_random(out, p + 4, 20, key)
                    p += 24
                else:
                    out[p] = 0
                    p += 1
                p = _put_u32(out, p, 0xFFFFFFFD)
            nout = tx_n_out[t]
            fo = tx_first_out[t]
            p = _put_varint(out, p, nout)
            for o in range(fo, fo + nout):
                v = out_value[o]
                for j in range(8):
                    out[p + j] = (v >> (8 * j)) & 0xFF
                p += 8
                a = out_addr[o]
                sl = script_len[a]
                out[p] = sl
                for j in range(sl):
                    out[p + 1 + j] = scripts[a * 34 + j]
                p += 1 + sl
            io_e = p
            if segwit:
                for i in range(fi, fi + nin):
                    o = in_prev[i]
                    key = np.uint64(seed) * np.uint64(999983) ^ np.uint64(i * 2 + 1)
                    k = addr_type[out_addr[o]] if o >= 0 else -1
                    if k == P2TR:
                        out[p] = 1
                        out[p + 1] = 64
                        _fill_random(out, p + 2, 64, key)
                        p += 66
                    elif k in (P2WPKH, P2SH):
                        out[p] = 2
                        out[p + 1] = 72
                        out[p + 2] = 0x30
                        _fill_random(out, p + 3, 71, key)
                        out[p + 74] = 33
                        out[p + 75] = 3
                        _fill_random(out, p + 76, 32, key + np.uint64(1))
                        p += 108
                    elif k == P2WSH:
                        out[p] = 3
                        out[p + 1] = 0
                        out[p + 2] = 72
                        out[p + 3] = 0x30
                        _fill_random(out, p + 4, 71, key)
                        out[p + 75] = 37
                        _fill_random(out, p + 76, 37, key + np.uint64(1))
                        p += 113
                    else:
                        out[p] = 0
                        p += 1
            p = _put_u32(out, p, tx_lock[t])
            if segwit:
                n = 8 + io_e - io_s
                if n > len(scratch):
                    scratch = np.empty(2 * n, dtype=np.uint8)
                for j in range(4):
                    scratch[j] = out[ts + j]
                scratch[4: 4 + io_e - io_s] = out[io_s:io_e]
                for j in range(4):
                    scratch[n - 4 + j] = out[p - 4 + j]
                sha256d_ws(scratch, 0, n, flat, 32 * t, ws, tail)
            else:
                sha256d_ws(out, ts, p - ts, flat, 32 * t, ws, tail)
        # header: version, prev, merkle, time, bits, nonce (ground)
        _put_u32(out, hdr, 0x20000000)
        for j in range(32):
            out[hdr + 4 + j] = prev_hash[j]
        merkle_root_into(txids, t0, t1 - t0, root)
        for j in range(32):
            out[hdr + 36 + j] = root[j]
        _put_u32(out, hdr + 68, start_time + 600 * b)
        _put_u32(out, hdr + 72, 0x207FFFFF)
        nonce = 0
        while True:
            _put_u32(out, hdr + 76, nonce)
            sha256d_ws(out, hdr, 80, hdr_hash, 0, ws, tail)
            # target 0x7fffff << 232: the top byte (hash[31], little-endian) must be below 0x7f
            if hdr_hash[31] < 0x7F:
                break
            nonce += 1
        for j in range(32):
            prev_hash[j] = hdr_hash[j]
        _put_u32(out, len_pos, p - hdr)
    return p


def _tags_matrix(chain: SynthChain) -> tuple[np.ndarray, np.ndarray]:
    n = len(chain.entity_kind)
    tags = np.zeros((n, 64), dtype=np.uint8)
    lens = np.zeros(n, dtype=np.int64)
    for e, tag in chain.coinbase_tags.items():
        raw = tag.encode()[:64]
        tags[e, : len(raw)] = np.frombuffer(raw, dtype=np.uint8)
        lens[e] = len(raw)
    return tags, lens


def write_blk_files(chain: SynthChain, out_dir: Path | str, *, max_file_bytes: int = 128 << 20) -> list[Path]:
    """Write the chain as ``blk00000.dat``... (regtest framing); fills ``chain.txids``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    scripts, _offs, slen = build_scripts(chain)
    tags, tag_len = _tags_matrix(chain)
    n_blocks = chain.n_blocks
    block_first_tx = np.searchsorted(chain.tx_block, np.arange(n_blocks + 1)).astype(np.int64)
    # upper bound of each tx's size, summed per block, to size the buffers
    bound = 100 + chain.tx_n_in * 260 + chain.tx_n_out * 50
    per_block = np.add.reduceat(bound, block_first_tx[:-1]) + 200 if n_blocks else np.zeros(0, np.int64)
    txids = np.zeros((chain.n_txs, 32), dtype=np.uint8)
    prev = np.frombuffer(REGTEST_GENESIS, dtype=np.uint8).copy()
    magic = np.frombuffer(REGTEST_MAGIC, dtype=np.uint8).copy()
    paths: list[Path] = []
    b = 0
    while b < n_blocks:
        hi = b
        size = 0
        while hi < n_blocks and (hi == b or size + per_block[hi] <= max_file_bytes):
            size += int(per_block[hi])
            hi += 1
        buf = np.zeros(size, dtype=np.uint8)
        used = _serialize(b, hi, block_first_tx, chain.seed, chain.start_time, chain.tx_first_in, chain.tx_n_in,
                          chain.tx_first_out, chain.tx_n_out, chain.tx_locktime, chain.in_prev_out,
                          chain.out_value, chain.out_addr, chain.out_tx, chain.addr_type, scripts, slen,
                          chain.block_pool, tags, tag_len, prev, txids, magic, buf)
        path = out_dir / f"blk{len(paths):05d}.dat"
        tmp = path.with_suffix(".tmp")
        tmp.write_bytes(buf[:used].tobytes())
        tmp.replace(path)
        paths.append(path)
        b = hi
    chain.txids = txids
    return paths


def write_ground_truth(chain: SynthChain, out_dir: Path | str, fmt: str = "parquet") -> list[Path]:
    """address -> entity and tx -> pattern as Parquet (default) or CSV, keyed by the strings ingest
    stores (address, txid), so analyses can be scored after a real ingest."""
    from sanctrace.chain.address import hex_rows

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if chain.txids is None:
        raise ValueError("write_blk_files first: txids come from serialization")
    kind_names = np.array(ENTITY_KINDS)[chain.entity_kind]
    names = np.array(chain.entity_names, dtype=object)
    addresses = pa.table({
        "address": chain.address_strings().cast(pa.string()),
        "entity": pa.array(names[chain.addr_owner], pa.string()),
        "entity_kind": pa.array(kind_names[chain.addr_owner], pa.string()),
        "entity_id": chain.addr_owner,
    })
    txs = pa.table({
        "txid": hex_rows(chain.txids).cast(pa.string()), "height": chain.tx_block + 1,
        "pattern": pa.array(np.array(PATTERNS)[chain.tx_pattern], pa.string()),
    })
    written: list[Path] = []
    for name, table in (("addresses", addresses), ("txs", txs)):
        path = out_dir / f"truth_{name}.{'csv' if fmt == 'csv' else 'parquet'}"
        if fmt == "csv":
            pacsv.write_csv(table, path)
        else:
            pq.write_table(table, path)
        written.append(path)
    return written
