"""The edge of the server, as one pure-ASGI middleware: body size limit, rate limit, security
headers and an access log without personal data.

Why one middleware and not several ``BaseHTTPMiddleware``: each of those costs a task and a body
copy per request, and the decision endpoints have a latency budget of milliseconds.

The access log records method, the route *template* (``/cases/{case_id}``, never the concrete
path or query string, which may carry names or addresses), status, duration and the token id (the
public half of the token), so it holds no customer data and no credentials.
"""

from __future__ import annotations

import json
import logging
import re
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sanctrace.api.ratelimit import RateLimiter
from sanctrace.api.users import token_id_of

access_log = logging.getLogger("sanctrace.api.access")

# No inline scripts anywhere (script-src 'self'); styles may be set from JS by the graph library.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
# FastAPI's interactive API docs (/docs, /redoc) are one inline bootstrap script plus Swagger/ReDoc
# from their CDN; only those two pages get a policy that allows that. The analysts' UI never does.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "img-src 'self' data: https://fastapi.tiangolo.com; font-src 'self' https://fonts.gstatic.com; "
    "worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)
DOCS_PATHS = {"/docs", "/redoc", "/docs/oauth2-redirect"}
COMMON_HEADERS: list[tuple[bytes, bytes]] = [
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
SECURITY_HEADERS = [(b"content-security-policy", CSP.encode()), *COMMON_HEADERS]
DOCS_HEADERS = [(b"content-security-policy", DOCS_CSP.encode()), *COMMON_HEADERS]


# Endpoints that take files (list files, case evidence) get the larger upload limit.
UPLOADS = re.compile(r"^/(lists/load|cases/[^/]+/attachments)$")


async def _send_json(send: Send, status: int, body: dict[str, Any], extra: list[tuple[bytes, bytes]]) -> None:
    data = json.dumps(body).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode()),
               *extra, *SECURITY_HEADERS]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


class EdgeMiddleware:
    def __init__(self, app: ASGIApp, *, max_body: int, max_upload: int, limiter: RateLimiter) -> None:
        self.app = app
        self.max_body = max_body
        self.max_upload = max_upload
        self.limiter = limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        headers = dict(scope.get("headers") or [])
        auth = headers.get(b"authorization", b"").decode("latin-1")
        token_id = token_id_of(auth[7:].strip()) if auth[:7].lower() == "bearer " else None
        client = scope.get("client")
        key = f"t:{token_id}" if token_id else f"ip:{client[0] if client else '-'}"
        status = 500
        extra_headers = DOCS_HEADERS if scope.get("path") in DOCS_PATHS else SECURITY_HEADERS
        started = answered = False  # answered: we sent the 413 ourselves; drop what the app sends

        async def send_wrapper(message: Message) -> None:
            nonlocal status, started
            if answered:
                return
            if message["type"] == "http.response.start":
                started = True
                status = message["status"]
                message["headers"] = [*message.get("headers", []), *extra_headers]
            await send(message)

        try:
            ok, retry = self.limiter.allow(key)
            if not ok:
                status = 429
                await _send_json(send, 429, {"error": "rate limit exceeded; retry later"},
                                 [(b"retry-after", str(max(1, int(retry + 0.999))).encode())])
                return
            limit = self.max_upload if UPLOADS.match(scope.get("path", "")) else self.max_body
            declared = headers.get(b"content-length")
            if declared is not None and (not declared.isdigit() or int(declared) > limit):
                status = 413
                await _send_json(send, 413, {"error": f"request body larger than {limit} bytes"}, [])
                return
            received = 0

            async def limited_receive() -> Message:
                # A body without Content-Length (chunked) is counted as it streams in. Past the limit
                # we answer 413 at once and tell the app the client is gone, so it stops reading
                # (raising here instead would be turned into a 400 by the body parser).
                nonlocal received, answered, status
                message = await receive()
                if message["type"] == "http.request":
                    received += len(message.get("body", b""))
                    if received > limit:
                        if not started and not answered:
                            status, answered = 413, True
                            await _send_json(send, 413, {"error": f"request body larger than {limit} bytes"}, [])
                        return {"type": "http.disconnect"}
                return message

            try:
                await self.app(scope, limited_receive, send_wrapper)
            except Exception:
                if not answered:  # the app's own failure: let the error handlers see it
                    raise
        finally:
            route = scope.get("route")
            access_log.info(
                "%s %s %d %.1fms token=%s", scope.get("method"), getattr(route, "path", "-"), status,
                (time.perf_counter() - start) * 1000, token_id or "-",
            )
