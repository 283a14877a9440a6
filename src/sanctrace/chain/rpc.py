"""Read blocks from a running Bitcoin Core node over JSON-RPC.

Authentication is the node's cookie file (``<datadir>/.cookie``, ``__cookie__:<password>``) or an
explicit user/password. Heights are fetched in JSON-RPC batches (``getblockhash`` then ``getblock``
with verbosity 3, so inputs arrive with their prevouts; older nodes that reject 3 get 2) and stored
through the same JSON decoder and store as files, one transaction per batch.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx

from sanctrace.chain.decode_json import decode_json_blocks
from sanctrace.chain.ingest import IngestReport, Progress, index_pays_off, ingest_call
from sanctrace.chain.schema import ensure_schema
from sanctrace.chain.store import store_batch
from sanctrace.chain.store_chain import ChainState
from sanctrace.engine.base import Engine
from sanctrace.errors import InputError


@dataclass
class RpcClient:
    url: str
    user: str | None = None
    password: str | None = None
    timeout: float = 60.0

    @classmethod
    def from_options(cls, url: str, cookie: Path | None = None, user: str | None = None,
                     password: str | None = None, timeout: float = 60.0) -> RpcClient:
        if cookie is not None:
            try:
                text = cookie.read_text().strip()
            except OSError as exc:
                raise InputError.at(str(cookie), None, f"cannot read cookie file: {exc.strerror}") from None
            user, sep, password = text.partition(":")
            if not sep:
                raise InputError.at(str(cookie), "line 1", "cookie file must hold user:password")
        return cls(url, user, password, timeout)

    def batch(self, calls: list[tuple[str, list[Any]]]) -> list[Any]:
        """Run calls in one HTTP request; raises InputError on transport or RPC errors."""
        payload = [{"jsonrpc": "1.0", "id": n, "method": m, "params": p} for n, (m, p) in enumerate(calls)]
        auth = (self.user, self.password or "") if self.user is not None else None
        try:
            resp = httpx.post(self.url, json=payload, auth=auth, timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise InputError.at(self.url, None, f"cannot reach node: {exc}") from None
        if resp.status_code == 401:
            raise InputError.at(self.url, None, "authentication failed (check cookie or user/password)")
        try:
            answers = json.loads(resp.content, parse_float=Decimal)
        except json.JSONDecodeError:
            raise InputError.at(self.url, None, f"HTTP {resp.status_code}: not a JSON-RPC answer") from None
        if not isinstance(answers, list):
            answers = [answers]
        by_id = {a.get("id"): a for a in answers if isinstance(a, dict)}
        out: list[Any] = []
        for n, (method, params) in enumerate(calls):
            answer = by_id.get(n)
            if answer is None:
                raise InputError.at(self.url, method, "no answer in the batch")
            if answer.get("error"):
                err = answer["error"]
                raise InputError.at(self.url, f"{method}{params}", f"RPC error {err.get('code')}: {err.get('message')}")
            out.append(answer.get("result"))
        return out

    def call(self, method: str, *params: Any) -> Any:
        return self.batch([(method, list(params))])[0]


def ingest_rpc(engine: Engine, client: RpcClient, from_height: int | None = None, to_height: int | None = None,
               *, batch_blocks: int = 50, progress: Progress | None = None,
               link_index: bool | None = None) -> IngestReport:
    """Fetch and store heights ``from_height..to_height`` (inclusive; default: 0..tip).
    ``link_index`` as for ``ingest_paths`` (None: when the range makes several batches)."""
    ensure_schema(engine)
    lo = 0 if from_height is None else from_height
    hi = int(client.call("getblockcount")) if to_height is None else to_height
    if lo < 0 or hi < lo:
        raise InputError(f"bad height range {lo}..{hi}")
    report = IngestReport(sources=[client.url])
    # as for files: spends of older outputs applied once per call, the in-memory link index when the
    # range makes several batches, and few checkpoints
    with ingest_call(engine, report):
        state = ChainState.load(engine)
        state.use_link_index = (index_pays_off(engine, -(-(hi - lo + 1) // batch_blocks)) if link_index is None
                                else link_index)
        for start in range(lo, hi + 1, batch_blocks):
            heights = list(range(start, min(hi, start + batch_blocks - 1) + 1))
            hashes = client.batch([("getblockhash", [h]) for h in heights])
            try:
                blocks = client.batch([("getblock", [h, 3]) for h in hashes])
            except InputError:
                blocks = client.batch([("getblock", [h, 2]) for h in hashes])
            dec, _ = decode_json_blocks(blocks, client.url)
            labels = [f"{client.url}#height{h}" for h in heights]
            with engine.transaction():
                report.add(store_batch(engine, dec, labels, state, defer_spends=True))
            if progress is not None:
                progress(len(heights))
    report.files = 1
    report.index_build_s = round(state.link_index_build_s, 3)
    return report
