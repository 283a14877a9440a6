"""What an ingest call needs to know about the stored chain, kept in memory for the whole call.

Linking a batch asks the store three questions: which stored transaction has this txid (main
chain first, then the lowest tx_id), which address_id has this address, and what value and
address the output (tx_id, vout) holds. Asked in SQL, each question is a join that scans the
whole stored column, so a batch's cost grew with the store: at 1.6M stored transactions the three
scans took half of the ingest time, and at 10M they would take most of it. ``LinkIndex`` answers
them from memory in time proportional to the batch: it is built with one scan of the store when
the call starts and extended with every batch the call writes.

* txids and addresses are keyed by a 128-bit hash of their text (two independently seeded 64-bit
  mixes) in open-addressing tables compiled with numba. Two different strings share a key with
  probability about 2^-128 per pair: across a whole chain (10^9 txids, 10^9 lookups) the chance of
  any false match is below 10^-20. Keys are computed from the same hex/address strings the tables
  store, so a stored row and a batch row agree by construction.
* outputs live in two dense arrays (value, address_id) indexed by ``start[tx_id] + vout``; a slot
  no output fills holds value -1.

Memory is about 80 bytes per stored transaction plus 16-32 per output (the hash tables stay at most
70% full, the output arrays grow by doubling): about 1.5 GiB for a 10M-transaction chain. The caller
decides when the scan at start-up pays off (``ingest.py``: an empty store, or at least four
batches). Only the txid table depends on which blocks are on the main chain; a reorg that flips
stored blocks drops it, and it is rebuilt at the next batch.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
from numba import njit

from sanctrace.engine.base import Engine

_SEED1 = np.uint64(0x9E3779B97F4A7C15)
_SEED2 = np.uint64(0xC2B2AE3D27D4EB4F)
_EMPTY = -1
_MAX_LOAD = 0.7
_SCAN_ROWS = 2_000_000  # rows per query while building: bounds the transient Arrow memory


@njit(cache=True, nogil=True)
def _fmix(h: np.uint64) -> np.uint64:
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


@njit(cache=True, nogil=True)
def _string_keys(data: np.ndarray, offsets: np.ndarray, k1: np.ndarray, k2: np.ndarray) -> None:
    for i in range(len(k1)):
        start, end = offsets[i], offsets[i + 1]
        n = end - start
        h1 = _SEED1 ^ np.uint64(n)
        h2 = _SEED2 ^ (np.uint64(n) * np.uint64(0x9E3779B97F4A7C15))
        pos = start
        while pos < end:
            word = np.uint64(0)
            for j in range(min(8, end - pos)):
                word |= np.uint64(data[pos + j]) << np.uint64(8 * j)
            h1 = _fmix(h1 ^ word) + np.uint64(0x165667B19E3779F9)
            h2 = _fmix(h2 ^ (word * np.uint64(0x27D4EB2F165667C5))) ^ h1
            pos += 8
        k1[i] = np.int64(_fmix(h1))
        k2[i] = np.int64(_fmix(h2 + h1))


def string_keys(values: pa.Array | pa.ChunkedArray) -> tuple[np.ndarray, np.ndarray]:
    """Two 64-bit keys per string (nulls hash like the empty string; callers pass none)."""
    arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    arr = arr.cast(pa.large_string())
    n = len(arr)
    k1 = np.empty(n, dtype=np.int64)
    k2 = np.empty(n, dtype=np.int64)
    if n:
        bufs = arr.buffers()
        offsets = np.frombuffer(bufs[1], dtype=np.int64, count=arr.offset + n + 1)[arr.offset:]
        data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(1, dtype=np.uint8)
        _string_keys(data, offsets, k1, k2)
    return k1, k2


@njit(cache=True, nogil=True)
def _insert(t1: np.ndarray, t2: np.ndarray, tv: np.ndarray, k1: np.ndarray, k2: np.ndarray, v: np.ndarray) -> int:
    """Insert keys; an existing key keeps the smaller value. Returns how many keys were new."""
    mask = len(tv) - 1
    added = 0
    for i in range(len(k1)):
        slot = k1[i] & mask
        while True:
            if tv[slot] == _EMPTY:
                t1[slot], t2[slot], tv[slot] = k1[i], k2[i], v[i]
                added += 1
                break
            if t1[slot] == k1[i] and t2[slot] == k2[i]:
                if v[i] < tv[slot]:
                    tv[slot] = v[i]
                break
            slot = (slot + 1) & mask
    return added


@njit(cache=True, nogil=True)
def _lookup(t1: np.ndarray, t2: np.ndarray, tv: np.ndarray, k1: np.ndarray, k2: np.ndarray, out: np.ndarray) -> None:
    mask = len(tv) - 1
    for i in range(len(k1)):
        slot = k1[i] & mask
        out[i] = _EMPTY
        while tv[slot] != _EMPTY:
            if t1[slot] == k1[i] and t2[slot] == k2[i]:
                out[i] = tv[slot]
                break
            slot = (slot + 1) & mask


class KeyTable:
    """128-bit key -> non-negative int64, linear probing; growth rehashes (amortised O(1))."""

    def __init__(self, capacity: int = 1 << 16) -> None:
        self._alloc(max(1 << 4, 1 << int(np.ceil(np.log2(max(capacity, 2))))))
        self.size = 0

    @classmethod
    def for_rows(cls, n: int) -> KeyTable:
        """A table that holds ``n`` keys without growing."""
        return cls(max(1 << 16, int(n / _MAX_LOAD) + 1))

    def _alloc(self, cap: int) -> None:
        self.k1 = np.zeros(cap, dtype=np.int64)
        self.k2 = np.zeros(cap, dtype=np.int64)
        self.v = np.full(cap, _EMPTY, dtype=np.int64)

    def insert_min(self, k1: np.ndarray, k2: np.ndarray, values: np.ndarray) -> None:
        """Add keys; where a key exists already, keep the smaller value."""
        need = self.size + len(k1)
        if need > _MAX_LOAD * len(self.v):
            old = (self.k1, self.k2, self.v)
            cap = len(self.v)
            while need > _MAX_LOAD * cap:
                cap *= 2
            self._alloc(cap)
            live = old[2] != _EMPTY
            _insert(self.k1, self.k2, self.v, old[0][live], old[1][live], old[2][live])
        self.size += _insert(self.k1, self.k2, self.v, k1, k2, values.astype(np.int64, copy=False))

    def lookup(self, k1: np.ndarray, k2: np.ndarray) -> np.ndarray:
        """Value per key, -1 where absent."""
        out = np.empty(len(k1), dtype=np.int64)
        _lookup(self.k1, self.k2, self.v, k1, k2, out)
        return out

    @property
    def nbytes(self) -> int:
        return int(self.k1.nbytes + self.k2.nbytes + self.v.nbytes)


@dataclass
class _Grow:
    """An int64 array with amortised appends."""

    data: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    n: int = 0

    def extend(self, values: np.ndarray) -> None:
        need = self.n + len(values)
        if need > len(self.data):
            grown = np.empty(max(need, 2 * len(self.data), 1024), dtype=np.int64)
            grown[: self.n] = self.data[: self.n]
            self.data = grown
        self.data[self.n: need] = values
        self.n = need

    @property
    def view(self) -> np.ndarray:
        return self.data[: self.n]


class OutputTable:
    """(tx_id, vout) -> (value, address_id) for the transactions ``first_tx ...``."""

    def __init__(self, first_tx: int) -> None:
        self.first_tx = first_tx
        self.start = _Grow()   # per tx: position of its vout 0 in value/address; one extra end entry
        self.start.extend(np.zeros(1, dtype=np.int64))
        self.value = _Grow()
        self.address = _Grow()

    @property
    def next_tx(self) -> int:
        return self.first_tx + self.start.n - 1

    def append(self, first_tx: int, tx: np.ndarray, vout: np.ndarray, value: np.ndarray,
               address: np.ndarray, n_tx: int) -> None:
        """Outputs of transactions ``first_tx .. first_tx + n_tx - 1`` (``tx`` relative to ``first_tx``),
        in any order; transactions must follow the stored ones (gaps are padded)."""
        if first_tx < self.next_tx:
            raise ValueError(f"outputs of tx {first_tx} are older than the index end {self.next_tx}")
        span = first_tx - self.next_tx + n_tx
        tx = tx + (first_tx - self.next_tx)
        # a transaction's outputs are stored together with vouts 0..n-1, so its width is its count;
        # anything else (never written by ingest) takes the slower exact maximum
        width = np.bincount(tx, minlength=span).astype(np.int64) if len(tx) else np.zeros(span, dtype=np.int64)
        if len(tx) and (vout >= width[tx]).any():
            width[:] = 0
            np.maximum.at(width, tx, vout + 1)
        ends = np.cumsum(width)
        self.start.extend(self.start.view[-1] + ends)
        chunk_start = np.concatenate(([0], ends[:-1])).astype(np.int64)  # each tx's first slot in this chunk
        total = int(ends[-1]) if span else 0
        vals = np.full(total, -1, dtype=np.int64)
        addrs = np.full(total, -1, dtype=np.int64)
        pos = chunk_start[tx] + vout
        vals[pos] = value
        addrs[pos] = address
        self.value.extend(vals)
        self.address.extend(addrs)

    def lookup(self, tx_id: np.ndarray, vout: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(found, value, address_id) per (tx_id, vout)."""
        if self.start.n <= 1:  # no transaction yet
            none = np.full(len(tx_id), -1, dtype=np.int64)
            return np.zeros(len(tx_id), dtype=bool), none, none.copy()
        rel = tx_id - self.first_tx
        starts = self.start.view
        inside = (rel >= 0) & (rel < self.start.n - 1)
        r = np.where(inside, rel, 0)
        pos = starts[r] + vout
        inside &= (vout >= 0) & (pos < starts[r + 1])
        pos = np.where(inside, pos, 0)
        value = np.where(inside, self.value.view[pos] if self.value.n else 0, -1)
        found = inside & (value >= 0)
        address = np.where(found, self.address.view[pos] if self.address.n else -1, -1)
        return found, value, address

    @property
    def nbytes(self) -> int:
        return int(self.start.data.nbytes + self.value.data.nbytes + self.address.data.nbytes)


def _scan(engine: Engine, sql: str, low: int, high: int) -> Iterator[tuple[int, int, pa.Table]]:
    """Run ``sql`` (with ``?`` ``?`` for an id range) over ``[low, high]`` in chunks: (lo, hi, rows)."""
    for lo in range(low, high + 1, _SCAN_ROWS):
        hi = min(high, lo + _SCAN_ROWS - 1)
        yield lo, hi, engine.to_arrow(sql, [lo, hi])


def _col(table: pa.Table, name: str) -> np.ndarray:
    return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=np.int64)


@dataclass
class LinkIndex:
    """The store's txids, addresses and outputs as of the last batch written by this call."""

    stale_penalty: int
    txs: KeyTable | None
    addresses: KeyTable
    outputs: OutputTable
    next_address_id: int

    @classmethod
    def build(cls, engine: Engine, stale_penalty: int) -> LinkIndex:
        lo_tx, hi_tx = engine.query_one("SELECT coalesce(min(tx_id), 1), coalesce(max(tx_id), 0) FROM chain_txs") \
            or (1, 0)
        lo_a, hi_a = engine.query_one(
            "SELECT coalesce(min(address_id), 1), coalesce(max(address_id), 0) FROM chain_addresses") or (1, 0)
        addresses = KeyTable.for_rows(int(hi_a - lo_a + 1))
        for _lo, _hi, part in _scan(engine, "SELECT address, address_id FROM chain_addresses "
                                    "WHERE address_id BETWEEN ? AND ?", int(lo_a), int(hi_a)):
            k1, k2 = string_keys(part.column("address"))
            addresses.insert_min(k1, k2, _col(part, "address_id"))
        outputs = OutputTable(int(lo_tx))
        for lo, hi, part in _scan(engine, """SELECT tx_id, vout, value, coalesce(address_id, -1) AS address_id
                                             FROM chain_outputs WHERE tx_id BETWEEN ? AND ?""", int(lo_tx), int(hi_tx)):
            outputs.append(lo, _col(part, "tx_id") - lo, _col(part, "vout"), _col(part, "value"),
                           _col(part, "address_id"), hi - lo + 1)
        index = cls(stale_penalty, None, addresses, outputs, int(hi_a) + 1)
        index.build_txs(engine)
        return index

    def build_txs(self, engine: Engine) -> None:
        """(Re)build the txid table from the store: the key of each txid is its best copy's tx_id,
        plus ``stale_penalty`` when that copy's block is off the main chain."""
        lo, hi = engine.query_one("SELECT coalesce(min(tx_id), 1), coalesce(max(tx_id), 0) FROM chain_txs") or (1, 0)
        table = KeyTable.for_rows(int(hi - lo + 1))
        for _lo, _hi, part in _scan(engine, f"""
                SELECT t.txid, t.tx_id + CASE WHEN b.in_main_chain THEN 0 ELSE {int(self.stale_penalty)} END AS k
                FROM chain_txs t JOIN chain_blocks b ON b.block_id = t.block_id
                WHERE t.tx_id BETWEEN ? AND ?""", int(lo), int(hi)):
            k1, k2 = string_keys(part.column("txid"))
            table.insert_min(k1, k2, _col(part, "k"))
        self.txs = table

    def add_batch(self, base_tx: int, txid: pa.Array | pa.ChunkedArray, tx_main: np.ndarray, out_tx: np.ndarray,
                  out_vout: np.ndarray, out_value: np.ndarray, out_address: np.ndarray,
                  new_address: pa.Array | pa.ChunkedArray, new_address_id: np.ndarray) -> None:
        """Record a batch just written: its transactions ``base_tx ...``, outputs and new addresses."""
        if self.txs is not None:
            k1, k2 = string_keys(txid)
            tx_id = base_tx + np.arange(len(tx_main), dtype=np.int64)
            self.txs.insert_min(k1, k2, np.where(tx_main, tx_id, tx_id + self.stale_penalty))
        self.outputs.append(base_tx, out_tx, out_vout, out_value, out_address, len(tx_main))
        if len(new_address_id):
            k1, k2 = string_keys(new_address)
            self.addresses.insert_min(k1, k2, new_address_id)
            self.next_address_id = max(self.next_address_id, int(new_address_id.max()) + 1)

    @property
    def nbytes(self) -> int:
        return (self.txs.nbytes if self.txs else 0) + self.addresses.nbytes + self.outputs.nbytes
