"""A small HTTP/1.1 decision server: the Decider behind a socket, for payment and wallet systems.

Why not the full API app: the decision path has a latency budget (p99 ≤ 20 ms at 500/s), so this
server does nothing but parse a JSON body, call the in-memory :class:`Decider` and write JSON back,
on one asyncio loop with keep-alive connections. Audit events are handed to :class:`AuditBatcher`,
a writer thread that appends them to the hash-chained log in batches (one transaction per batch,
flushed at least every ``flush_s``), so a DuckDB commit never sits on a request's path. On
shutdown the batcher drains its queue before the process exits. The price, stated plainly: an
answer goes out once its audit entry is queued, so a crash (not a shutdown) can lose the audit
events of the last flush interval; the CLI and the Python API default append synchronously.

Routes (all JSON):
    POST /v1/decisions/deposit     {account_id, txid, vout, amount, asset?, address?, value_jpy?, ts?, event_id?}
    POST /v1/decisions/withdrawal  {account_id, address, amount, asset?, value_jpy?, ts?, event_id?,
                                    counterparty_vasp?, counterparty_vasp_country?}
    POST /v1/refresh               reload accounts, signals and recent ledger
    GET  /health
Listens on 127.0.0.1 by default.
"""

from __future__ import annotations

import asyncio
import json
import queue
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sanctrace.cases.audit import AuditEntry, AuditLog
from sanctrace.engine.base import Engine
from sanctrace.errors import EngineError, InputError, SanctraceError
from sanctrace.monitoring.decisions import Decider

MAX_BODY = 64 * 1024
MAX_HEADER = 16 * 1024
_REASONS = {200: "OK", 400: "Bad Request", 404: "Not Found", 405: "Method Not Allowed", 409: "Conflict",
            413: "Payload Too Large", 422: "Unprocessable Entity", 500: "Internal Server Error"}


class AuditBatcher:
    """Append audit entries from a queue in batches, on one writer thread."""

    def __init__(self, engine: Engine, *, flush_s: float = 0.1, max_batch: int = 2000) -> None:
        self.log = AuditLog(engine)
        self.flush_s = flush_s
        self.max_batch = max_batch
        self._queue: queue.Queue[AuditEntry | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="audit-batcher", daemon=True)
        self.written = 0
        self.error: BaseException | None = None
        self._thread.start()

    def put(self, entry: AuditEntry) -> None:
        if self.error is not None:
            raise EngineError(f"audit log writer failed: {self.error}")
        self._queue.put(entry)

    def _run(self) -> None:
        stop = False
        while not stop:
            batch: list[AuditEntry] = []
            item = self._queue.get()
            if item is None:
                stop = True
            else:
                batch.append(item)
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get(timeout=self.flush_s) if not stop else self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    continue
                batch.append(item)
            if batch:
                try:
                    self.log.append_many(batch)
                    self.written += len(batch)
                except BaseException as exc:  # surfaced to the next put() and to close()
                    self.error = exc
                    return

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join()
        if self.error is not None:
            raise EngineError(f"audit log writer failed: {self.error}")


def _opt_int(body: dict[str, Any], key: str) -> int | None:
    value = body.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError.at("request", key, "must be an integer (minor units)")
    return value


def _req_str(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if not isinstance(value, str) or not value:
        raise InputError.at("request", key, "required text field")
    return value


def _opt_str(body: dict[str, Any], key: str) -> str | None:
    value = body.get(key)
    if value is not None and not isinstance(value, str):
        raise InputError.at("request", key, "must be text")
    return value


def _ts(body: dict[str, Any]) -> datetime | None:
    value = body.get("ts")
    if value is None:
        return None
    try:
        return datetime.fromisoformat(str(value))
    except ValueError:
        raise InputError.at("request", "ts", "not an ISO 8601 time") from None


def decide_request(decider: Decider, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    """Validate one JSON request and decide it (shared with tests and other front ends)."""
    amount = _opt_int(body, "amount")
    if amount is None:
        raise InputError.at("request", "amount", "required integer (minor units)")
    common: dict[str, Any] = {"asset": _opt_str(body, "asset") or "BTC", "value_jpy": _opt_int(body, "value_jpy"),
                              "ts": _ts(body), "event_id": _opt_str(body, "event_id")}
    if kind == "deposit":
        vout = _opt_int(body, "vout")
        if vout is None:
            raise InputError.at("request", "vout", "required integer")
        decision = decider.deposit(_req_str(body, "account_id"), _req_str(body, "txid"), vout, amount,
                                   address=_opt_str(body, "address"), **common)
    else:
        decision = decider.withdrawal(
            _req_str(body, "account_id"), _req_str(body, "address"), amount,
            counterparty_vasp=_opt_str(body, "counterparty_vasp"),
            counterparty_vasp_country=_opt_str(body, "counterparty_vasp_country"), **common)
    return decision.to_dict()


class DecisionServer:
    def __init__(self, decider: Decider, batcher: AuditBatcher | None = None) -> None:
        self.decider = decider
        self.batcher = batcher
        self.served = 0
        self.service_ms: deque[float] = deque(maxlen=100_000)  # in-process time per decision

    def service_stats(self) -> dict[str, float | None]:
        times = sorted(self.service_ms)
        if not times:
            return {"p50_ms": None, "p99_ms": None}
        return {"p50_ms": round(times[len(times) // 2], 3), "p99_ms": round(times[int(len(times) * 0.99)], 3)}

    def route(self, method: str, path: str, body: bytes) -> tuple[int, dict[str, Any]]:
        if path == "/health":
            return 200, {"ok": True, "served": self.served, "signals_loaded_at": self.decider.loaded_at,
                         "audit_written": self.batcher.written if self.batcher else None,
                         "service": self.service_stats()}
        kinds = {"/v1/decisions/deposit": "deposit", "/v1/decisions/withdrawal": "withdrawal"}
        if path not in kinds and path != "/v1/refresh":
            return 404, {"error": f"no route {path}"}
        if method != "POST":
            return 405, {"error": "use POST"}
        if path == "/v1/refresh":
            self.decider.refresh()
            return 200, {"ok": True, "signals_loaded_at": self.decider.loaded_at}
        try:
            parsed = json.loads(body or b"{}")
        except (ValueError, UnicodeDecodeError):
            return 400, {"error": "request body is not JSON"}
        if not isinstance(parsed, dict):
            return 400, {"error": "request body must be a JSON object"}
        try:
            result = decide_request(self.decider, kinds[path], parsed)
        except SanctraceError as exc:
            return exc.http_status, {"error": exc.message}
        self.served += 1
        return 200, result

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                except asyncio.LimitOverrunError:
                    await self._send(writer, 413, {"error": "headers too large"}, close=True)
                    return
                lines = head.decode("latin-1").split("\r\n")
                parts = lines[0].split(" ")
                if len(parts) != 3:
                    await self._send(writer, 400, {"error": "bad request line"}, close=True)
                    return
                method, path, _ = parts
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                if "transfer-encoding" in headers:
                    await self._send(writer, 400, {"error": "send a Content-Length body (no chunked encoding)"},
                                     close=True)
                    return
                try:
                    length = int(headers.get("content-length", "0"))
                except ValueError:
                    length = -1
                if length < 0 or length > MAX_BODY:
                    await self._send(writer, 413, {"error": f"body must be 0..{MAX_BODY} bytes"}, close=True)
                    return
                body = await reader.readexactly(length) if length else b""
                began = time.perf_counter()
                status, payload = self.route(method, path, body)
                if status == 200 and path.startswith("/v1/decisions/"):
                    self.service_ms.append((time.perf_counter() - began) * 1000)
                close = headers.get("connection", "").lower() == "close"
                await self._send(writer, status, payload, close=close)
                if close:
                    return
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        finally:
            writer.close()

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, status: int, payload: dict[str, Any], *, close: bool) -> None:
        data = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
        head = (f"HTTP/1.1 {status} {_REASONS.get(status, 'Error')}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(data)}\r\nConnection: {'close' if close else 'keep-alive'}\r\n\r\n")
        writer.write(head.encode("ascii") + data)
        await writer.drain()


def serve(decider: Decider, batcher: AuditBatcher | None, host: str, port: int,
          on_ready: Callable[[str, int], None] | None = None) -> None:
    """Serve until SIGINT/SIGTERM; then stop accepting and let the batcher drain."""
    server_obj = DecisionServer(decider, batcher)

    async def main() -> None:
        server = await asyncio.start_server(server_obj.handle, host, port, limit=MAX_HEADER, backlog=512)
        sock = server.sockets[0].getsockname()
        if on_ready is not None:
            on_ready(sock[0], sock[1])
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        async with server:
            await stop.wait()

    try:
        asyncio.run(main())
    finally:
        if batcher is not None:
            batcher.close()
