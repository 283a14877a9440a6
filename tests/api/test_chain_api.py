"""Chain routes over a real mainnet block (300025) ingested into the app's DuckDB."""

from __future__ import annotations

from pathlib import Path

from sanctrace.chain.cluster import cluster_addresses
from sanctrace.chain.ingest import ingest_paths
from tests.api.conftest import Api

BLOCK = "chain/blocks/mainnet_block_300025.raw"
PAYOUT = "1KFHE7w8BhaENAswwryaoccDb6qcT6DbYY"  # F2Pool's payout address in this block
HASH = "0000000000000000821c4e0acc40f88bedbce3b73ba2358b5ade58a9022cc78c"


def test_block_by_height_and_hash(api: Api, shared_data: Path) -> None:
    ingest_paths(api.engine, [shared_data / BLOCK])
    c = api.client
    by_height = c.get("/chain/blocks/300025", headers=api.as_("aud"))
    assert by_height.status_code == 200, by_height.text
    b = by_height.json()
    assert b["hash"] == HASH and b["tx_count"] == 461 and b["n_outputs"] == 1226
    assert c.get(f"/chain/blocks/{HASH}", headers=api.as_("ann")).json()["height"] == 300025
    missing = c.get("/chain/blocks/999999", headers=api.as_("ann"))
    assert missing.status_code == 404
    assert c.get("/chain/blocks/not-hex", headers=api.as_("ann")).status_code == 422


def test_cluster_and_why_with_witnesses(api: Api, shared_data: Path) -> None:
    ingest_paths(api.engine, [shared_data / BLOCK])
    c = api.client
    before = c.get(f"/chain/clusters/{PAYOUT}", headers=api.as_("ann"))
    assert before.status_code == 404 and "cluster" in before.json()["error"]
    cluster_addresses(api.engine)
    solo = c.get(f"/chain/clusters/{PAYOUT}", headers=api.as_("ann")).json()
    assert solo["size"] == 1 and solo["sample_addresses"] == [PAYOUT]
    # Two addresses merged by the multi-input heuristic: `why` names the tx and the heuristic.
    a, b = api.engine.query(
        "SELECT x.address, y.address FROM chain_cluster_witness w "
        "JOIN chain_addresses x ON x.address_id = w.a JOIN chain_addresses y ON y.address_id = w.b "
        "WHERE w.heuristic LIKE 'multi%' ORDER BY w.tx_id LIMIT 1")[0]
    why = c.get(f"/chain/why?a={a}&b={b}", headers=api.as_("aud"))
    assert why.status_code == 200, why.text
    w = why.json()
    assert w["linked"] is True and w["steps"] and w["steps"][0]["heuristic"].startswith("multi")
    assert len(w["steps"][0]["txid"]) == 64
    big = c.get(f"/chain/clusters/{a}", headers=api.as_("ann")).json()
    assert big["size"] >= 2 and big["cluster_id"] == c.get(f"/chain/clusters/{b}", headers=api.as_("ann")).json()[
        "cluster_id"]
    unknown = c.get(f"/chain/why?a=1BoatSLRHtKNngkdXEeobR76b53LETtpyT&b={PAYOUT}", headers=api.as_("ann"))
    assert unknown.status_code == 404 and "1BoatSLRHtKNngkdXEeobR76b53LETtpyT" in unknown.json()["error"]


def test_trace_json_and_graphml(api: Api, shared_data: Path) -> None:
    ingest_paths(api.engine, [shared_data / BLOCK])
    c = api.client
    coinbase = api.engine.scalar("SELECT txid FROM chain_txs WHERE is_coinbase")
    r = c.get(f"/chain/trace?start={coinbase}:0&direction=forward&hops=3&method=haircut", headers=api.as_("aud"))
    assert r.status_code == 200, r.text
    t = r.json()
    assert t["value_sat"] == 2_507_773_345  # 25 BTC subsidy + 0.07773345 BTC fees
    assert abs(sum(b["share"] for b in t["breakdown"]) - 1.0) < 1e-6
    assert t["paths"][0]["terminal"]["address"] == PAYOUT
    assert any(n["id"] == coinbase for n in t["graph"]["nodes"])
    xml = c.get(f"/chain/trace?start={coinbase}:0&direction=forward&hops=3&format=graphml", headers=api.as_("ann"))
    assert xml.status_code == 200 and b"<graphml" in xml.content
    assert c.get(f"/chain/trace?start={coinbase}&direction=sideways", headers=api.as_("ann")).status_code == 422
    missing = c.get(f"/chain/trace?start={'0' * 64}:0", headers=api.as_("ann"))
    assert missing.status_code == 404, missing.text
