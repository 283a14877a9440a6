"""FollowTheMoney (OpenSanctions) and Japanese METI list parsers on the real files."""

from __future__ import annotations

from pathlib import Path

from sanctrace.lists import parse_file
from sanctrace.model.list_entry import EntityKind

FTM = "sanctions/ftm"
JP = "sanctions/jp"


def test_ftm_zala_cluster(shared_data: Path) -> None:
    parsed = parse_file(shared_data / FTM / "opensanctions_zala_aero_cluster.ftm.jsonl")
    assert (parsed.source, parsed.format) == ("os", "ftm_jsonl")
    # 17 legal entities in the file; 13 carry the sanction topic or are a Sanction's entity
    assert len(parsed.entries) == 13
    by_id = {e.entity_id: e for e in parsed.entries}
    zakharov = by_id["os:NK-aU5ybkbRFJucf8YMwsJvDw"]
    assert zakharov.kind is EntityKind.PERSON
    assert {"US-RUSHAR", "GB-RUS", "EU-UKR"} <= set(zakharov.programs)
    assert zakharov.listed_on is not None
    cst = by_id["os:NK-abdzbEBkqyT29GyREbiURZ"]
    owners = {r.target_id for r in cst.relations if r.relation == "owned_or_controlled_by"}
    assert "os:NK-aU5ybkbRFJucf8YMwsJvDw" in owners and "os:NK-nR5AXM9AVPq4pQaSPSaVam" in owners
    assert ("director_of", "os:NK-abdzbEBkqyT29GyREbiURZ") in {(r.relation, r.target_id) for r in zakharov.relations}
    assert any(n.script == "Cyrl" for n in zakharov.names)
    assert all(r.target_id in by_id for e in parsed.entries for r in e.relations)
    assert parsed.warnings and "not listed" in parsed.warnings[0]


def test_ftm_eu_sample(shared_data: Path) -> None:
    parsed = parse_file(shared_data / FTM / "opensanctions_eu_fsf_sample.ftm.jsonl")
    assert len(parsed.entries) == 6  # 7 entities, one of them an Address
    tobacco = next(e for e in parsed.entries if e.entity_id == "os:NK-2GdmHtZTeNXjNVrBGEXZNj")
    assert len(tobacco.names) == 12 and tobacco.kind is EntityKind.ORGANIZATION


def test_meti_russia_list(shared_data: Path) -> None:
    parsed = parse_file(shared_data / JP / "meti_russia_export_ban_entities_2025-09-12.txt")
    assert (parsed.source, parsed.format, parsed.published) == ("jp-meti", "meti_text", "2025-09-12")
    assert len(parsed.entries) == 561
    assert [e.entity_id for e in parsed.entries] == [f"jp-meti:ru-{n}" for n in range(1, 562)]
    for entry in parsed.entries:
        scripts = {n.script for n in entry.names}
        assert {"Jpan", "Latn"} <= scripts, entry.entity_id
        assert entry.countries[0] == "RU" and entry.programs == ["JP-METI-RU"]
    argut = parsed.entries[2]
    assert [(n.full, n.script) for n in argut.names] == [("有限責任会社アルグト", "Jpan"), ("Argut OOO", "Latn")]
    assert argut.addresses[0].text.startswith("6 Mnevniki str")
    # entry 10 follows entry 9's address on the same line in the PDF text
    assert parsed.entries[9].names[1].full == "Foreign Intelligence Service (SVR)"
    # entry 57: Japanese and English names run together on one line
    crocus = [n.full for n in parsed.entries[56].names]
    assert crocus == ["クロッカス・ナノ・エレクトロニクス", "Crocus Nano Electronics"]
    # the Ministry of Defence entry continues with a description: only the name is kept
    assert [n.full for n in parsed.entries[22].names] == ["国防省", "Ministry of Defence of the Russian Federation"]
    fsb = parsed.entries[5]
    assert "Federalnaya Sluzhba Bezopasnosti" in {n.full for n in fsb.names}
    assert len(fsb.addresses) == 2


def test_meti_third_country_and_belarus(shared_data: Path) -> None:
    third = parse_file(shared_data / JP / "meti_third_country_export_ban_entities_2025-09-12.txt")
    assert len(third.entries) == 56
    qisu = third.entries[52]
    japanese, english = (n.full for n in qisu.names[:2])
    assert japanese == "ホンコン・チースー・エレクトロニック・テクノロジー・カンパニー・リミテッド"
    assert english == "Hong Kong Qisu Electronic Technology Co Ltd"
    assert "香港旗速電子有限公司" in {n.full for n in qisu.names}
    assert "CN" in qisu.countries
    belarus = parse_file(shared_data / JP / "meti_belarus_export_ban_entities.txt")
    assert len(belarus.entries) == 27 and belarus.published == "2022-07-05"
    assert all(e.countries[0] == "BY" for e in belarus.entries)
