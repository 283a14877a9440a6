"""What the server holds for its whole life: settings, one DuckDB engine, the rate limiter, the
screening index (built lazily once, rebuilt only when the list version changes) and usage counters.

Each request gets its own cursor on the one engine (:class:`CursorEngine`), so requests served by
different worker threads never share DuckDB connection state.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import duckdb

from sanctrace.api.auditq import AuditWriter
from sanctrace.api.ratelimit import RateLimiter
from sanctrace.config import Settings
from sanctrace.engine.duckdb_engine import DuckDBEngine


class CursorEngine(DuckDBEngine):
    """A :class:`DuckDBEngine` over a cursor of another engine's connection (one per request).

    It reuses DuckDBEngine's methods unchanged; only construction and close differ: the cursor
    shares the database with its parent but has its own transaction state. The cursor is opened on
    first use: the decision routes answer from memory, and opening plus closing a DuckDB cursor in
    the event loop was ~15% of the server's time under decision load (py-spy).
    """

    _opening = threading.Lock()

    def __init__(self, parent: DuckDBEngine) -> None:  # no super().__init__: no new connection
        self.path = parent.path
        self._parent = parent
        self._con: duckdb.DuckDBPyConnection | None = None
        self._depth = 0
        self._lock = threading.RLock()

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            with CursorEngine._opening:
                if self._con is None:
                    self._con = self._parent.cursor()
        return self._con

    @con.setter
    def con(self, value: duckdb.DuckDBPyConnection) -> None:
        self._con = value

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None


class Cached:
    """A value built on first use and rebuilt when ``version()`` changes (checked at most every
    ``check_every`` seconds, so the hot path does not query the version on every request)."""

    def __init__(self, check_every: float = 30.0) -> None:
        self._lock = threading.Lock()
        self._value: Any = None
        self._version: str | None = None
        self._checked = 0.0
        self.check_every = check_every

    def get(self, version: Callable[[], str], build: Callable[[], Any]) -> Any:
        now = time.monotonic()
        if self._value is not None and now - self._checked < self.check_every:
            return self._value
        with self._lock:
            if self._value is not None and time.monotonic() - self._checked < self.check_every:
                return self._value
            v = version()
            if self._value is None or v != self._version:
                self._value = build()
                self._version = v
            self._checked = time.monotonic()
            return self._value

    def peek(self) -> Any:
        """The value if it is built and was checked recently, else None (never blocks)."""
        if self._value is not None and time.monotonic() - self._checked < self.check_every:
            return self._value
        return None

    def invalidate(self) -> None:
        with self._lock:
            self._value = None
            self._version = None


AUTH_TTL_S = 5.0
# with api_decision_audit = "queued": at most ~100 audit commits a second, and an event is on disk
# within ~10 ms of its answer
QUEUED_AUDIT_LINGER_S = 0.01


class ApiState:
    def __init__(self, settings: Settings, engine: DuckDBEngine, *, owns_engine: bool) -> None:
        self.settings = settings
        self.engine = engine
        self.owns_engine = owns_engine
        self.limiter = RateLimiter(settings.api_rate_limit_per_minute)
        self.screener = Cached()
        self.decider = Cached()
        self.write_lock = threading.RLock()
        self.decide_lock = threading.Lock()
        # Verified tokens, by the token's sha256, for AUTH_TTL_S seconds: the hot path (decisions) then
        # skips a database lookup per request. Revocation through the API clears it at once; a
        # revocation from the CLI takes effect within AUTH_TTL_S.
        self.auth_cache: dict[str, tuple[Any, float]] = {}
        # answers that wait for their commit batch naturally; answers that do not need a pause to batch
        linger = QUEUED_AUDIT_LINGER_S if settings.api_decision_audit == "queued" else 0.0
        self.audit_writer = AuditWriter(self.cursor, self.write_lock, linger_s=linger)
        self._usage: Counter[tuple[str, str]] = Counter()
        self._usage_lock = threading.Lock()

    def count(self, what: str, n: int = 1) -> None:
        """Count usage per UTC day (screening volume for the dashboard); no personal data."""
        day = datetime.now(UTC).date().isoformat()
        with self._usage_lock:
            self._usage[(day, what)] += n

    def usage(self) -> dict[tuple[str, str], int]:
        with self._usage_lock:
            return dict(self._usage)

    def cursor(self) -> CursorEngine:
        return CursorEngine(self.engine)

    def flush_usage(self) -> None:
        """Persist the usage counters (on shutdown) so the dashboard survives a restart."""
        with self._usage_lock:
            pending, self._usage = self._usage, Counter()
        if not pending:
            return
        self.engine.execute(
            "CREATE TABLE IF NOT EXISTS api_usage (day DATE, what VARCHAR, n BIGINT, PRIMARY KEY (day, what))")
        with self.engine.transaction():
            for (day, what), n in pending.items():
                self.engine.execute(
                    "INSERT INTO api_usage VALUES (CAST(? AS DATE), ?, ?) "
                    "ON CONFLICT (day, what) DO UPDATE SET n = api_usage.n + excluded.n", [day, what, n])

    def close(self) -> None:
        self.audit_writer.close()
        self.flush_usage()
        if self.owns_engine:
            self.engine.close()
