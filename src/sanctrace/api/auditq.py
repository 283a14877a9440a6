"""Group commit for audit events on the hot path (transfer decisions).

Each decision must be in the audit log before its answer goes out, but one DuckDB transaction per
decision caps throughput at the commit rate. Here request threads hand their event to one writer
thread and wait; the writer takes everything queued so far and appends it in one transaction
(``AuditLog.append_many``), then wakes every waiter. Under load batches grow, so throughput follows
demand while each answer still waits for its own event to be committed (never acknowledged early).

When answers do not wait for the commit (``api_decision_audit = "queued"``), nothing holds events
back, so without a pause the writer would commit them one at a time: at 500 decisions/s that is 500
DuckDB commits a second, and the writer thread, competing for the GIL and the cores, cut the server
to 404 answers/s with a p50 of 4.9 s (``benchmarks/api.py``). ``linger_s`` makes the writer
collect for that long after the first event of a batch, bounding commits to ~1/linger_s a second.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any

from sanctrace.engine import Engine

MAX_BATCH = 2000


class AuditWriter:
    def __init__(self, open_cursor: Callable[[], Engine], lock: threading.RLock, linger_s: float = 0.0) -> None:
        self._open_cursor = open_cursor
        self._linger_s = linger_s
        self._lock = lock  # the server's write lock: case actions append to the same chain
        self._queue: queue.Queue[tuple[Any, Future[None]] | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def submit(self, entry: Any) -> Future[None]:
        """Queue one ``AuditEntry``; the future completes once it is committed (or fails with why)."""
        self._ensure_started()
        done: Future[None] = Future()
        self._queue.put((entry, done))
        return done

    def _ensure_started(self) -> None:
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="sanctrace-audit", daemon=True)
                    self._thread.start()

    def _run(self) -> None:
        from sanctrace.cases.audit import AuditLog

        cursor = self._open_cursor()
        log = AuditLog(cursor)
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            until = time.monotonic() + self._linger_s
            while len(batch) < MAX_BATCH:
                try:
                    wait = until - time.monotonic()
                    item = self._queue.get(timeout=wait) if wait > 0 else self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    self._queue.put(None)  # finish this batch, then stop
                    break
                batch.append(item)
            try:
                with self._lock:
                    log.append_many([entry for entry, _ in batch])
            except BaseException as exc:  # every waiter learns that its event was not recorded
                for _, done in batch:
                    done.set_exception(exc)
            else:
                for _, done in batch:
                    done.set_result(None)

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout=30)
