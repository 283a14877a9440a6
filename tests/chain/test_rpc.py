"""JSON-RPC ingestion against a real HTTP server on 127.0.0.1 answering from the stored getblock files."""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from sanctrace.chain.decode_json import decode_json_file
from sanctrace.chain.ingest import ingest_paths
from sanctrace.chain.rpc import RpcClient, ingest_rpc
from sanctrace.chain.schema import block_summary
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.errors import InputError
from tests.chain.stored import table_digest

PASSWORD = "s3cret-cookie"


def _node(rpc_dir: Path) -> dict[str, Any]:
    blocks = {}
    for f in rpc_dir.glob("getblock_v2_height*.json"):
        doc = json.loads(f.read_text())
        blocks[doc["hash"]] = doc
    return {"blocks": blocks, "by_height": {b["height"]: h for h, b in blocks.items()}}


@pytest.fixture
def node(shared_data: Path) -> Iterator[tuple[str, dict[str, Any]]]:
    state = _node(shared_data / "chain" / "rpc_json")
    calls: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:
            pass

        def do_POST(self) -> None:
            auth = self.headers.get("Authorization", "")
            expected = "Basic " + base64.b64encode(f"__cookie__:{PASSWORD}".encode()).decode()
            if auth != expected:
                self.send_response(401)
                self.end_headers()
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            answers = [self._answer(req) for req in (body if isinstance(body, list) else [body])]
            data = json.dumps(answers if isinstance(body, list) else answers[0]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _answer(self, req: dict[str, Any]) -> dict[str, Any]:
            method, params = req["method"], req.get("params", [])
            calls.append(method)
            result: Any = None
            error = None
            if method == "getblockcount":
                result = max(state["by_height"])
            elif method == "getblockhash" and params[0] in state["by_height"]:
                result = state["by_height"][params[0]]
            elif method == "getblock" and params[0] in state["blocks"]:
                if params[1] == 3:  # this "node" predates verbosity 3
                    error = {"code": -8, "message": "Verbosity was 3, must be 0, 1 or 2"}
                else:
                    result = state["blocks"][params[0]]
            else:
                error = {"code": -8, "message": "Block height out of range"}
            return {"result": result, "error": error, "id": req["id"]}

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", {"calls": calls}
    finally:
        server.shutdown()
        server.server_close()


def test_rpc_ingest_with_cookie(node: tuple[str, dict[str, Any]], tmp_path: Path) -> None:
    url, info = node
    cookie = tmp_path / ".cookie"
    cookie.write_text(f"__cookie__:{PASSWORD}")
    client = RpcClient.from_options(url, cookie=cookie)
    eng = DuckDBEngine(tmp_path / "rpc.duckdb")
    report = ingest_rpc(eng, client, 50000, 50002)
    assert report.blocks == 3 and report.txs == 5
    ingest_rpc(eng, client, 0, 1)
    assert eng.scalar("SELECT count(*) FROM chain_blocks") == 5
    s = block_summary(eng, 50001)
    assert s["hash"] == "000000001c920d495e1eeef2452b6d1c6c229a919b28196c103ecffebabee141"
    assert (s["tx_count"], s["height"]) == (3, 50001)
    assert block_summary(eng, 0)["hash"].startswith("000000000019d6689c085ae165831e93")
    assert eng.scalar("SELECT count(*) FROM chain_blocks WHERE NOT in_main_chain") == 0
    assert "getblock" in info["calls"]
    again = ingest_rpc(eng, client, 50000, 50002)
    assert again.blocks == 0 and again.blocks_skipped == 3


def test_rpc_ingest_with_and_without_the_link_index(node: tuple[str, dict[str, Any]], tmp_path: Path) -> None:
    url, _ = node
    client = RpcClient(url, "__cookie__", PASSWORD)
    digests = []
    for use in (False, True):
        eng = DuckDBEngine(tmp_path / f"rpc-{use}.duckdb")
        ingest_rpc(eng, client, 0, 1, link_index=use)
        ingest_rpc(eng, client, 50000, 50002, batch_blocks=1, link_index=use)  # index built from a stored chain
        assert eng.scalar("SELECT count(*) FROM chain_pending_spends") == 0
        digests.append(table_digest(eng))
    assert digests[0] == digests[1]
    assert digests[0][1][0] == 7  # type: ignore[index]


def test_rpc_bad_password_and_range(node: tuple[str, dict[str, Any]], tmp_path: Path) -> None:
    url, _ = node
    eng = DuckDBEngine(tmp_path / "x.duckdb")
    with pytest.raises(InputError, match="authentication failed"):
        ingest_rpc(eng, RpcClient(url, "__cookie__", "wrong"), 0, 0)
    with pytest.raises(InputError, match="out of range"):
        ingest_rpc(eng, RpcClient(url, "__cookie__", PASSWORD), 7, 7)


def test_json_files_match_raw_and_addresses_forms(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / "chain" / "rpc_json" / "getblock_v2_height50001.json"
    dec, _ = decode_json_file(path, path.read_bytes())
    doc = json.loads(path.read_text())
    old_form = [o["scriptPubKey"].get("addresses", [None])[0] for tx in doc["tx"] for o in tx["vout"]]
    # P2PK outputs: old Core printed the key's P2PKH address in addresses[]
    assert dec.out_address.to_pylist() == old_form
    # the newer single "address" form, hex stripped and a verbosity-3 prevout added
    for tx in doc["tx"]:
        tx.pop("hex", None)
        for o in tx["vout"]:
            spk = o["scriptPubKey"]
            spk["address"] = spk.pop("addresses", [None])[0]
    doc["tx"][1]["vin"][0]["prevout"] = {"value": 50.0, "scriptPubKey": doc["tx"][0]["vout"][0]["scriptPubKey"]}
    v3 = tmp_path / "v3.json"
    v3.write_text(json.dumps({"result": doc, "error": None, "id": 1}))
    eng = DuckDBEngine(tmp_path / "j.duckdb")
    report = ingest_paths(eng, [v3])
    assert report.txs == 3
    assert eng.scalar("SELECT value FROM chain_inputs i JOIN chain_txs t USING (tx_id) "
                      "WHERE t.tx_index = 1 AND i.vin = 0") == 5_000_000_000
    doc["tx"][1]["txid"] = "00" * 32
    v3.write_text(json.dumps(doc))
    with pytest.raises(InputError, match="txid in JSON"):
        decode_json_file(v3, v3.read_bytes())
