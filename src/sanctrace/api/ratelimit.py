"""Token-bucket rate limiting per API token (or per client IP before authentication).

One bucket per key refills continuously at ``rate_per_minute / 60`` per second up to ``burst``.
Buckets live in memory: the server is one process, and a restart forgetting them is harmless.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    def __init__(self, rate_per_minute: int, burst: int | None = None, max_keys: int = 100_000) -> None:
        self.rate = max(rate_per_minute, 1) / 60.0
        self.burst = float(burst if burst is not None else max(rate_per_minute // 6, 10))
        self.max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def allow(self, key: str, now: float | None = None) -> tuple[bool, float]:
        """Take one token for ``key``; returns (allowed, seconds until a token is available)."""
        t = time.monotonic() if now is None else now
        with self._lock:
            b = self._buckets.get(key)
            if b is None:
                if len(self._buckets) >= self.max_keys:  # bounded memory under a flood of keys
                    self._buckets.clear()
                b = self._buckets[key] = _Bucket(self.burst, t)
            b.tokens = min(self.burst, b.tokens + (t - b.stamp) * self.rate)
            b.stamp = t
            if b.tokens >= 1.0:
                b.tokens -= 1.0
                return True, 0.0
            return False, (1.0 - b.tokens) / self.rate
