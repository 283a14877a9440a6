"""Loaders: the real OpenSanctions ZALA Aero cluster (FtM), BODS 0.4 ranges, the CSV layout, and
every kind of bad input reported with file and record, nothing half-written."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from sanctrace import ownership
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.errors import InputError
from sanctrace.ownership.loaders import load_paths
from sanctrace.ownership.store import describe
from tests.ownership.conftest import PARTY_HEADER, RELATION_HEADER, write

Graph = Callable[[list[str], list[str]], Any]
ZAKHAROV = "NK-aU5ybkbRFJucf8YMwsJvDw"
ZALA = "NK-abdzbEBkqyT29GyREbiURZ"
KALASHNIKOV = "NK-nR5AXM9AVPq4pQaSPSaVam"


@pytest.fixture
def zala(shared_data: Path) -> Path:
    return shared_data / "sanctions" / "ftm" / "opensanctions_zala_aero_cluster.ftm.jsonl"


def test_ftm_zala_cluster(engine: DuckDBEngine, zala: Path) -> None:
    summary = load_paths(engine, [zala], as_of="2026-01-01")
    # 17 Person/Company entities (SOURCES.md: Company 11, Person 6); links become relations
    assert summary.parties == 17
    kinds = dict(engine.query("SELECT kind, count(*) FROM parties GROUP BY 1"))
    assert kinds == {"person": 6, "company": 11}
    regimes = {r for (r,) in engine.query("SELECT DISTINCT regime FROM party_listings WHERE party_id = ?", [ZALA])}
    assert {"ofac", "eu", "uk", "jp"} <= regimes
    # a sanction-topic company listed only by Ukraine counts as "other", not as OFAC
    assert engine.query("SELECT regime FROM party_listings WHERE party_id = 'NK-DSxJ9ZzHxBBMyEMnnTBhai'") == \
        [("other",)]
    details = describe(engine, ZALA)
    scripts = {n["script"] for n in details["names"]}  # type: ignore[union-attr]
    assert {"Latn", "Cyrl", "Kana"} <= scripts
    assert any(n["form"] == "phonetic" for n in details["names"])  # type: ignore[union-attr]
    assert any(k["key_type"] == "email" and k["norm"] == "info@zala.aero" for k in details["keys"])  # type: ignore[union-attr]
    assert any("ownership without percentage" in w.problem for w in summary.warnings)
    # Japan: Zakharov's current 51% makes him ZALA's beneficial owner (rule 1), with the real record
    jp = ownership.check(engine, ZALA, "jp", as_of="2026-01-01")
    assert [(b["party_id"], b["rule"], b["share"]) for b in jp.beneficial_owners] == \
        [(ZAKHAROV, "votes_over_50", 0.51)]
    origin = jp.beneficial_owners[0]["paths"][0]["chain"][0]["origin"]
    assert origin.endswith("line 79")
    # in 2020 his 50%/48%/51% records overlapped; parallel reports of one holding are not summed
    past = ownership.check(engine, ZALA, "jp", as_of="2020-06-01")
    assert past.beneficial_owners[0]["share"] == 0.51
    # the registers overlap in 2020 (51% + 49% + TransKomplektHolding's 2%): reported, not refused
    reloaded = load_paths(engine, [zala], as_of="2020-06-01")
    assert any("add up to 102.00%" in w.problem and "line 79" in w.record for w in reloaded.warnings)


def test_ftm_shell_company_owned_through_cyprus(engine: DuckDBEngine, zala: Path, tmp_path: Path) -> None:
    """The issue's story: a Singapore trading company, 60% owned by a Cyprus holding owned by a
    listed Russian — blocked under OFAC, EU and UK, with the path down from Zakharov."""
    parties = write(tmp_path / "p.csv", PARTY_HEADER, [
        "CY1,company,Vorovskogo Holdings Ltd,cy,,false,,,",
        "SG1,company,Izh Trading Pte Ltd,sg,,true,,,"])
    relations = write(tmp_path / "r.csv", RELATION_HEADER, [
        f"{ZAKHAROV},CY1,ownership,100,,,,,", "CY1,SG1,ownership,60,,,,,"])
    load_paths(engine, [zala, parties, relations], as_of="2026-01-01")
    for regime in ("ofac", "eu", "uk"):
        v = ownership.check(engine, "SG1", regime, as_of="2026-01-01")
        assert v.blocked and v.status == "blocked", regime
        assert [s["owner"] for s in v.paths[0]["chain"]] == [ZAKHAROV, "CY1"]
        assert v.lookthrough == pytest.approx(0.6)


def test_bods_04_ranges(engine: DuckDBEngine, tmp_path: Path) -> None:
    def stmt(rid: str, rtype: str, details: dict[str, Any]) -> dict[str, Any]:
        return {"statementId": f"s-{rid}", "recordId": rid, "recordType": rtype, "statementDate": "2025-01-01",
                "recordDetails": details}

    doc = [
        stmt("e1", "entity", {"entityType": {"type": "registeredEntity"}, "name": "Target Trading FZE",
                              "jurisdiction": {"code": "AE"}, "foundingDate": "2025-06-01",
                              "identifiers": [{"scheme": "XI-LEI", "id": "HWUPKR0MPOU8FGXBT394"}]}),
        stmt("p1", "person", {"personType": "knownPerson", "names": [
            {"type": "individual", "fullName": "Ivan Petrov"},
            {"type": "transliteration", "fullName": "イワン・ペトロフ"}], "nationalities": [{"code": "RU"}]}),
        stmt("p2", "person", {"personType": "knownPerson", "names": [{"fullName": "Oleg Sidorov"}]}),
        stmt("r1", "relationship", {"subject": "e1", "interestedParty": "p1", "interests": [
            {"type": "shareholding", "directOrIndirect": "direct", "share": {"minimum": 25, "maximum": 50}},
            {"type": "votingRights", "directOrIndirect": "direct",
             "share": {"exclusiveMinimum": 50, "exclusiveMaximum": 75}}]}),
        stmt("r2", "relationship", {"subject": "e1", "interestedParty": "p2", "interests": [
            {"type": "shareholding", "directOrIndirect": "indirect", "share": {"exact": 30}}]}),
    ]
    path = tmp_path / "bods.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    summary = load_paths(engine, [path])
    assert any("indirect" in w.problem for w in summary.warnings)
    engine.execute("INSERT INTO party_listings VALUES ('bods:p1', 'any', NULL, 'test')")
    v = ownership.check(engine, "bods:e1", "ofac")
    assert not v.blocked and v.possibly_blocked and v.share == {"certain": 0.25, "possible": 0.5}
    uk = ownership.check(engine, "bods:e1", "uk")  # votes "more than 50%" are above 50%: blocked
    assert uk.blocked
    jp = ownership.check(engine, "bods:e1", "jp")
    assert jp.beneficial_owners[0]["party_id"] == "bods:p1"
    names = describe(engine, "bods:p1")["names"]
    assert {(n["form"], n["script"]) for n in names} == {("legal", "Latn"), ("phonetic", "Kana")}  # type: ignore[union-attr]


@pytest.mark.parametrize(("parties", "relations", "message"), [
    (["A,company,A,cy,,false,,,", "B,company,B,cy,,false,,,", "C,company,C,cy,,false,,,"],
     ["A,C,ownership,60,,,,,", "B,C,ownership,50,,,,,"], "add up to 110.00%"),
    (["A,company,A,cy,,false,,,", "B,company,B,cy,,false,,,"], ["A,B,ownership,-5,,,,,"], "line 2: negative"),
    (["A,company,A,cy,,false,,,", "B,company,B,cy,,false,,,"], ["A,B,ownership,half,,,,,"], "not a number"),
    (["A,company,A,cy,,false,,,", "B,company,B,cy,,false,,,"], ["A,B,ownership,120,,,,,"], "above 100"),
    (["A,company,A,cy,,false,,,"], ["GHOST,A,ownership,10,,,,,"], "'GHOST', which is in no loaded file"),
    (["A,company,A,cy,,false,,,"], ["A,A,ownership,10,,,,,"], "self-ownership"),
    (["A,company,A,cy,,false,,,", "B,company,B,cy,,false,,,"], ["A,B,ownership,,60,40,,,"], "above maximum"),
    (["A,company,A,cy,,false,,,jp_corporate_number:7000012050003"], [], "line 2: invalid Japan corporate"),
    (["A,company,A,cy,,false,,,lei:HWUPKR0MPOU8FGXBT395"], [], "invalid LEI"),
    (["A,firm,A,cy,,false,,,"], [], "kind 'firm'"),
    (["A,company,A,cy,,maybe,,,"], [], "is_customer must be true or false"),
])
def test_bad_input_is_reported_and_nothing_is_written(engine: DuckDBEngine, graph: Graph, parties: list[str],
                                                       relations: list[str], message: str) -> None:
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")) as err:
        graph(parties, relations)
    assert ".csv: line" in str(err.value) or ".csv:" in str(err.value)
    if engine.table_exists("parties"):
        assert engine.scalar("SELECT count(*) FROM parties") == 0
        assert engine.scalar("SELECT count(*) FROM party_relations") == 0


def test_reload_is_idempotent(engine: DuckDBEngine, graph: Graph) -> None:
    rows = (["X,person,X,ru,ofac,false,1 Main St,,", "A,company,A,cy,,true,,,"], ["X,A,ownership,50,,,,,"])
    graph(*rows)
    first = engine.query("SELECT * EXCLUDE (loaded_at) FROM parties ORDER BY 1")
    graph(*rows)
    assert engine.query("SELECT * EXCLUDE (loaded_at) FROM parties ORDER BY 1") == first
    assert engine.scalar("SELECT count(*) FROM party_relations") == 1
    assert engine.scalar("SELECT count(*) FROM party_keys") == 1


def test_ftm_bad_json_names_line(engine: DuckDBEngine, tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": "a", "schema": "Person", "properties": {"name": ["A"]}}\n{oops\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"x.jsonl: line 2: not JSON"):
        load_paths(engine, [path])


def test_ftm_percentage_garbage(engine: DuckDBEngine, tmp_path: Path) -> None:
    lines = [{"id": "a", "schema": "Person", "properties": {"name": ["A"]}},
             {"id": "b", "schema": "Company", "properties": {"name": ["B"]}},
             {"id": "o", "schema": "Ownership", "properties": {"owner": ["a"], "asset": ["b"],
                                                              "percentage": ["lots"]}}]
    path = tmp_path / "x.jsonl"
    path.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    with pytest.raises(InputError, match=r"line 3: percentage 'lots' is not a number"):
        load_paths(engine, [path])


def test_ftm_wallet_passport_and_sanction_entity(engine: DuckDBEngine, tmp_path: Path) -> None:
    lines = [
        {"id": "p1", "schema": "Person", "properties": {"name": ["Иван Петров"], "nationality": ["ru"]}},
        {"id": "o1", "schema": "Organization", "properties": {"name": ["Petrov Foundation"],
                                                             "leiCode": ["HWUPKR0MPOU8FGXBT394"]}},
        {"id": "w1", "schema": "CryptoWallet", "properties": {"holder": ["p1"], "currency": ["XBT"],
                                                             "publicKey": ["1BoatSLRHtKNngkdXEeobR76b53LETtpyT"]}},
        {"id": "pp", "schema": "Passport", "properties": {"holder": ["p1"], "number": ["750000001"],
                                                         "country": ["ru"]}},
        {"id": "s1", "schema": "Sanction", "properties": {"entity": ["p1"], "programId": ["EU-UKR"]}},
        {"id": "v1", "schema": "Vessel", "properties": {"name": ["MV Test"]}},
        {"id": "x1", "schema": "Note", "properties": {"entity": ["p1"]}},
    ]
    path = tmp_path / "x.ftm.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in lines), encoding="utf-8")
    summary = load_paths(engine, [path])
    assert any("Note ×1" in w.problem for w in summary.warnings)  # counted, not silently dropped
    person = describe(engine, "p1")
    assert person["listings"] == [{"regime": "eu", "program": "EU-UKR", "source": f"{path}: line 5"}]
    assert {(k["key_type"], k["norm"]) for k in person["keys"]} == \
        {("wallet", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT")}  # type: ignore[union-attr]
    assert person["identifiers"] == [{"id_type": "passport", "value": "750000001", "country": "ru"}]
    assert describe(engine, "o1")["identifiers"][0]["id_type"] == "lei"  # type: ignore[index]
    assert describe(engine, "v1")["kind"] == "vessel"
    bad = tmp_path / "bad.ftm.jsonl"
    bad.write_text(json.dumps({"id": "w", "schema": "CryptoWallet", "properties": {"holder": ["nobody"],
                                                                                  "publicKey": ["x"]}}),
                   encoding="utf-8")
    with pytest.raises(InputError, match=r"line 1: refers to entity 'nobody'"):
        load_paths(engine, [bad])
