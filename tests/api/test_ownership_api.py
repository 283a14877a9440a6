"""Ownership verdicts through HTTP, on the OFAC FAQ 401 example loaded from the documented CSV."""

from __future__ import annotations

from pathlib import Path

from sanctrace.ownership.loaders import load_paths
from tests.api.conftest import Api

PARTIES = """party_id,kind,legal_name,listed,is_customer,jurisdiction,wallets
X,person,Person X,ofac:RUSSIA-EO14024,false,ru,
A,company,Entity A LLC,,false,cy,
B,company,Entity B Pte. Ltd.,,true,sg,bc1qsharedwallet0000000000000000000000000
C,person,Customer C,,true,jp,bc1qsharedwallet0000000000000000000000000
"""
RELATIONS = """source_id,target_id,relation,share
X,A,ownership,50%
X,B,ownership,10%
A,B,ownership,40%
"""


def load_faq_401(api: Api, tmp_path: Path) -> None:
    (tmp_path / "parties.csv").write_text(PARTIES)
    (tmp_path / "relations.csv").write_text(RELATIONS)
    load_paths(api.engine, [tmp_path / "parties.csv", tmp_path / "relations.csv"])


def test_faq_401_blocked_with_paths(api: Api, tmp_path: Path) -> None:
    load_faq_401(api, tmp_path)
    r = api.client.get("/ownership/B?regime=ofac", headers=api.as_("aud"))
    assert r.status_code == 200, r.text
    v = r.json()
    assert v["blocked"] is True and v["share"]["certain"] >= 0.5
    owners = {step["owner"] for p in v["paths"] for step in p["chain"]}
    assert {"X", "A"} <= owners
    assert api.client.get("/ownership/B?regime=mars", headers=api.as_("ann")).status_code == 422
    missing = api.client.get("/ownership/NOPE?regime=ofac", headers=api.as_("ann"))
    assert missing.status_code == 404 and "NOPE" in missing.json()["error"]


def test_network_and_redflags(api: Api, tmp_path: Path) -> None:
    load_faq_401(api, tmp_path)
    r = api.client.get("/networks/C?hops=2", headers=api.as_("ann"))
    assert r.status_code == 200, r.text
    net = r.json()
    ids = {n["party_id"] for n in net["nodes"]}
    assert {"B", "C"} <= ids
    assert any(e["kind"] == "shared_wallet" and {e["a"], e["b"]} == {"B", "C"} for e in net["edges"])
    flags = api.client.get("/parties/B/redflags", headers=api.as_("aud"))
    assert flags.status_code == 200, flags.text
    assert api.client.get("/networks/NOPE", headers=api.as_("ann")).status_code == 404
