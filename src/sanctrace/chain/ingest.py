"""``sanctrace chain ingest``: files (blk*.dat, raw, hex, getblock JSON) or a node's RPC into the
chain tables, incrementally.

A file is read whole (Core's blk files are at most 128 MiB), framed into blocks, and stored in
batches of about ``batch_bytes`` of block data, each batch one transaction (64 MiB by default:
larger batches amortize the scans of the stored tables that linking needs; measured 20% less CPU
than 32 MiB on a 600k-transaction synthetic chain). A finished file is recorded with its size and
SHA-256 in ``chain_ingest_files``; ingesting it again is a no-op.
A killed run leaves only whole batches behind; the next run skips the blocks already stored (by
hash) and continues with the same ids an uninterrupted run would have assigned.
"""

from __future__ import annotations

import hashlib
import os
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sanctrace.chain.blockfile import BlockSpans, frame_blk, frame_hex, frame_raw, sniff
from sanctrace.chain.decode import DecodedBlocks, decode_blocks
from sanctrace.chain.schema import ensure_schema
from sanctrace.chain.store import BatchResult, store_batch
from sanctrace.chain.store_chain import ChainState
from sanctrace.chain.store_link import BatchColumns, apply_pending_spends, batch_columns
from sanctrace.engine.base import Engine
from sanctrace.errors import InputError

Progress = Callable[[int], None]  # called with the number of bytes just processed


@dataclass
class IngestReport:
    files: int = 0
    files_skipped: int = 0
    blocks: int = 0
    blocks_skipped: int = 0
    txs: int = 0
    inputs: int = 0
    outputs: int = 0
    reorged_blocks: int = 0
    txs_skipped: int = 0
    sources: list[str] = field(default_factory=list)
    # seconds spent once per call: building the link index from the store, and applying the deferred
    # spends plus the checkpoint at the end (both grow with the store; the batches do not)
    index_build_s: float = 0.0
    finish_s: float = 0.0

    def add(self, r: BatchResult) -> None:
        self.blocks += r.blocks
        self.blocks_skipped += r.skipped_blocks
        self.txs_skipped += r.skipped_txs
        self.txs += r.txs
        self.inputs += r.inputs
        self.outputs += r.outputs
        self.reorged_blocks += r.reorged_blocks


def _file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _batches(spans: BlockSpans, batch_bytes: int, first_bytes: int | None = None
             ) -> Iterable[tuple[np.ndarray, np.ndarray]]:
    """Runs of whole blocks of about ``batch_bytes`` (the first one ``first_bytes``)."""
    sizes = spans.ends - spans.starts
    start = 0
    acc = 0
    limit = batch_bytes if first_bytes is None else first_bytes
    for i, size in enumerate(sizes.tolist()):
        acc += size
        if acc >= limit:
            yield spans.starts[start: i + 1], spans.ends[start: i + 1]
            start = i + 1
            acc = 0
            limit = batch_bytes
    if start < len(sizes):
        yield spans.starts[start:], spans.ends[start:]


@dataclass
class _Item:
    """One unit from the reader thread: a decoded batch, the end of a file, or a skipped file."""

    kind: str  # "batch", "end", "skip", "error"
    path: Path
    dec: DecodedBlocks | None = None
    cols: BatchColumns | None = None  # computed here, off the storing thread
    labels: list[str] = field(default_factory=list)
    nbytes: int = 0
    size: int = 0
    digest: str = ""
    error: BaseException | None = None


def _produce(paths: list[Path], done: set[tuple[str, int]], batch_bytes: int, out: queue.Queue[_Item],
             stop: threading.Event) -> None:
    """Reader/decoder thread: files in order, batches in order; stops at the first error."""
    from sanctrace.chain.decode_json import decode_json_file

    def put(item: _Item) -> bool:
        while not stop.is_set():
            try:
                out.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    # the storing thread idles until the first batch is decoded: make that one small. Batch
    # boundaries do not change what is stored (ids follow block order, links are set-wise).
    first: int | None = min(batch_bytes, max(1 << 20, batch_bytes // 8))
    for path in paths:
        try:
            try:
                data = path.read_bytes()
            except OSError as exc:
                raise InputError.at(str(path), None, f"cannot read: {exc.strerror}") from None
            if not data:
                raise InputError.at(str(path), "byte 0", "empty file")
            digest = _file_digest(data)
            if (digest, len(data)) in done:
                if not put(_Item("skip", path, size=len(data))):
                    return
                continue
            if sniff(data[:4096]) == "json":
                dec, labels = decode_json_file(path, data)
                if not put(_Item("batch", path, dec, batch_columns(dec), labels, len(data))):
                    return
            else:
                spans = _spans_from(path, data)
                strict = spans.kind == "blk"
                for starts, ends in _batches(spans, batch_bytes, first):
                    first = None
                    dec = decode_blocks(spans.buf, starts, ends, str(path), strict=strict,
                                        offset_base=spans.offset_base)
                    labels = [f"{path}@{int(x) - (8 if strict else 0)}" for x in dec.block_start]
                    if not put(_Item("batch", path, dec, batch_columns(dec), labels, int((ends - starts).sum()))):
                        return
            if not put(_Item("end", path, size=len(data), digest=digest)):
                return
        except BaseException as exc:  # handed to the storing thread, which raises it
            put(_Item("error", path, error=exc))
            return


WAL_BYTES = 1 << 30  # DuckDB's checkpoint threshold during an ingest call (see ``ingest_paths``)


def ingest_paths(engine: Engine, paths: Iterable[Path], *, batch_bytes: int = 64 << 20,
                 progress: Progress | None = None, defer_spends: bool = True,
                 link_index: bool | None = None, wal_bytes: int = WAL_BYTES) -> IngestReport:
    """Ingest files in the order given (blocks inside may come in any order).

    A reader thread reads, frames and decodes (compiled code, the GIL released) one batch ahead
    while this thread stores the previous one (DuckDB releases the GIL too), so both cores work;
    batches are stored strictly in order, each in its own transaction.

    ``defer_spends``: the spends of outputs stored by earlier batches are queued with each batch and
    applied to ``chain_outputs`` in one UPDATE when the call ends (also when it fails, and at the
    start of the next call after a kill), so a batch's cost does not grow with the store. False
    updates them batch by batch (the previous behaviour, kept as the benchmark's baseline).

    ``link_index``: look up stored txids, addresses and outputs in an in-memory ``LinkIndex`` built
    with one scan when the call starts, instead of one SQL scan of each per batch. None (default)
    uses it when the store is empty or the call holds several batches (``_index_pays_off``); the
    tables come out the same either way.

    ``wal_bytes``: DuckDB checkpoints when its write-ahead log passes this size (0: keep the
    database's setting, 16 MiB by default) and once when the call ends. Each checkpoint costs a
    part that grows with the store, so checkpointing after every batch took 40% of the ingest time
    at 1.6M stored transactions; a kill -9 loses nothing either way (the log is replayed on open)."""
    ensure_schema(engine)
    report = IngestReport()
    with _leave_a_core(engine), ingest_call(engine, report, wal_bytes):
        files = list(dict.fromkeys(paths))
        if link_index is None:
            link_index = _index_pays_off(engine, files, batch_bytes)
        _ingest(engine, report, files, batch_bytes, progress, defer_spends, link_index)
    return report


@contextmanager
def ingest_call(engine: Engine, report: IngestReport, wal_bytes: int = WAL_BYTES) -> Iterator[None]:
    """What every ingest call (files or RPC) is wrapped in: spends a killed run left pending are
    applied first, the ones this call defers are applied at its end (also when it fails), and
    DuckDB checkpoints rarely during the call and once after it. ``report.finish_s`` gets the
    seconds of that end."""
    with _fewer_checkpoints(engine, wal_bytes):
        _apply_pending(engine)  # left by a killed run
        try:
            yield
        finally:
            finish = time.perf_counter()
            _apply_pending(engine)
    report.finish_s = round(time.perf_counter() - finish, 3)


def _index_pays_off(engine: Engine, files: list[Path], batch_bytes: int) -> bool:
    batches = sum(max(1, -(-p.stat().st_size // batch_bytes)) for p in files if p.is_file())
    return index_pays_off(engine, batches)


def index_pays_off(engine: Engine, batches: int) -> bool:
    """True when building the ``LinkIndex`` costs no more than the lookups it replaces: the store is
    empty, or the call stores at least four batches. Building scans the stored txids, addresses and
    outputs once; the SQL lookups scan them once per batch, and measured at 1.6M stored
    transactions one build cost about as much as four batches' lookups."""
    if not engine.scalar("SELECT count(*) FROM (SELECT 1 FROM chain_txs LIMIT 1)"):
        return True
    return batches >= 4


def _apply_pending(engine: Engine) -> None:
    """Apply spends deferred by a finished or killed ingest call (its own transaction)."""
    with engine.transaction():
        apply_pending_spends(engine)


@contextmanager
def _leave_a_core(engine: Engine) -> Iterator[None]:
    """DuckDB's writer threads would compete with the reader thread for the cores; one thread
    fewer measured 30-40% more tx per CPU-second on the loaded 2-core machine (benchmarks/_chain_ingest.py)."""
    if engine.name != "duckdb":
        yield
        return
    before = int(engine.scalar("SELECT current_setting('threads')"))
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 2)
    engine.execute(f"SET threads = {min(before, max(1, cores - 1))}")
    try:
        yield
    finally:
        engine.execute(f"SET threads = {before}")


@contextmanager
def _fewer_checkpoints(engine: Engine, wal_bytes: int) -> Iterator[None]:
    """Raise DuckDB's checkpoint threshold to ``wal_bytes`` for the call, then checkpoint once."""
    if engine.name != "duckdb" or wal_bytes <= 0 or getattr(engine, "in_transaction", False):
        yield
        return
    before = str(engine.scalar("SELECT current_setting('checkpoint_threshold')"))
    engine.execute(f"SET checkpoint_threshold = '{int(wal_bytes)}B'")
    try:
        yield
    finally:
        engine.execute(f"SET checkpoint_threshold = '{before}'")
    engine.execute("CHECKPOINT")  # only after a successful call: a failing one keeps its log for replay


def _ingest(engine: Engine, report: IngestReport, files: list[Path], batch_bytes: int, progress: Progress | None,
            defer_spends: bool, link_index: bool) -> None:
    state = ChainState.load(engine)
    state.use_link_index = link_index
    done = {(str(h), int(n)) for h, n in engine.query("SELECT sha256, size FROM chain_ingest_files")}
    items: queue.Queue[_Item] = queue.Queue(maxsize=1)
    stop = threading.Event()
    reader = threading.Thread(target=_produce, args=(files, done, batch_bytes, items, stop), name="chain-reader",
                              daemon=True)
    reader.start()
    before = (0, 0)
    try:
        finished = 0
        while finished < len(files):
            item = items.get()
            if item.kind == "error":
                assert item.error is not None
                raise item.error
            if item.kind == "skip":
                report.sources.append(str(item.path))
                report.files_skipped += 1
                finished += 1
                if progress is not None:
                    progress(item.size)
                continue
            if item.kind == "batch":
                if not report.sources or report.sources[-1] != str(item.path):
                    report.sources.append(str(item.path))
                    before = (report.blocks + report.blocks_skipped, report.txs + report.txs_skipped)
                assert item.dec is not None
                with engine.transaction():
                    report.add(store_batch(engine, item.dec, item.labels, state, item.cols, defer_spends))
                if progress is not None:
                    progress(item.nbytes)
                continue
            engine.execute(  # "end": the whole file is stored
                "INSERT INTO chain_ingest_files VALUES (?, ?, ?, ?, ?, now())",
                [str(item.path), item.size, item.digest, report.blocks + report.blocks_skipped - before[0],
                 report.txs + report.txs_skipped - before[1]],
            )
            done.add((item.digest, item.size))
            report.files += 1
            finished += 1
    finally:
        stop.set()
        reader.join()
    report.index_build_s = round(state.link_index_build_s, 3)


def _spans_from(path: Path, data: bytes) -> BlockSpans:
    kind = sniff(data[:4096])
    buf = np.frombuffer(data, dtype=np.uint8)
    if kind == "blk":
        return frame_blk(buf, str(path))
    if kind == "hex":
        return frame_hex(data, str(path))
    return frame_raw(buf, str(path))
