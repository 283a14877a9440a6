"""Screening through HTTP against the real UN list: names in several scripts, batch, wallets, nexus."""

from __future__ import annotations

from pathlib import Path

from sanctrace.lists import load_paths
from tests.api.conftest import Api

UN = "sanctions/un/UN_consolidated_2026-02-27.xml"


def test_no_lists_is_a_clear_409(api: Api) -> None:
    r = api.client.post("/screen", json={"name": "Ivan Petrov"}, headers=api.as_("ann"))
    assert r.status_code == 409 and "no sanctions lists loaded" in r.json()["error"]


def test_screen_single_and_batch(api: Api, shared_data: Path) -> None:
    load_paths(api.engine, [shared_data / UN])
    # A real UN-listed individual, spelled as listed, and in Cyrillic.
    name = api.engine.query(
        "SELECT n.name FROM list_names n JOIN list_entries e USING (snapshot_id, entity_id) "
        "WHERE e.kind = 'person' AND n.name_type = 'primary' AND n.script = 'Latn' ORDER BY e.entity_id LIMIT 1")[0][0]
    c = api.client
    r = c.post("/screen", json={"name": name, "kind": "person", "phone": "+7 495 123 45 67"},
               headers=api.as_("ann"))
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["hit"] is True and out["list_version"].startswith("un:2026-02-27")
    top = out["matches"][0]
    assert 0.0 <= top["score"] <= 1.0 and top["features"] and top["entity_id"].startswith("un:")
    assert any(n["reason"] for n in out["russia_nexus"])
    clean = c.post("/screen", json={"name": "Taro Yamada", "kind": "person"}, headers=api.as_("ann")).json()
    assert clean["hit"] is False
    batch = c.post("/screen/batch", json={"records": [{"id": "r1", "name": name}, {"id": "r2", "name": "Taro Yamada"}]},
                   headers=api.as_("sue"))
    assert [x["id"] for x in batch.json()] == ["r1", "r2"] and batch.json()[0]["hit"] is True
    assert c.post("/screen", json={"name": name}, headers=api.as_("aud")).status_code == 403
    assert c.post("/screen/batch", json={"records": []}, headers=api.as_("ann")).status_code == 422
    # Screening volume is counted for the dashboard (no names kept).
    volume = c.get("/dashboard", headers=api.as_("ann")).json()["screening_volume"]
    assert sum(v["count"] for v in volume) == 4
