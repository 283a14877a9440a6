"""Screening links the exchange's own shareholder to a real UN list entry; the 50% rule follows."""

from __future__ import annotations

from pathlib import Path

from sanctrace import ownership
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.lists import load_paths as load_lists
from sanctrace.ownership.loaders import load_paths
from sanctrace.ownership.networks import show
from sanctrace.ownership.screenlink import link_screening
from tests.ownership.conftest import RELATION_HEADER, write


def test_owner_matched_by_screening_blocks_company(engine: DuckDBEngine, tmp_path: Path,
                                                   shared_data: Path) -> None:
    load_lists(engine, [shared_data / "sanctions" / "un" / "UN_consolidated_2026-02-27.xml"])
    parties = write(tmp_path / "p.csv", "party_id,kind,legal_name,birth_date,countries,is_customer", [
        "K1,person,Germain Katanga,1978-04-28,cd,false",
        "K2,person,Hanako Yamada,1990-01-01,jp,false",
        "CO,company,Lakeside Minerals Ltd,,,true"])
    relations = write(tmp_path / "r.csv", RELATION_HEADER, ["K1,CO,ownership,60,,,,,", "K2,CO,ownership,40,,,,,"])
    load_paths(engine, [parties, relations])
    assert not ownership.check(engine, "CO", "ofac").blocked  # nobody is marked as listed in the KYC file
    count = link_screening(engine)
    links = engine.query("SELECT party_a, party_b FROM party_identity_links WHERE method = 'screening'")
    assert count == len(links) and ("K1", "un:6907998") in links
    assert not any(a == "K2" for a, _ in links)
    v = ownership.check(engine, "CO", "ofac")
    assert v.blocked and v.paths[0]["root"] == "K1"
    assert "via screening match to un:6907998" in v.paths[0]["root_listing"]
    net = show(engine, "K1", hops=1)
    assert any(e["kind"] == "same_identity" and "screening" in e["evidence"] for e in net["edges"])
