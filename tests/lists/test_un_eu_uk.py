"""UN consolidated, EU FSF and UK list parsers on the real files in the shared data."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sanctrace.lists import parse_file
from sanctrace.model.list_entry import EntityKind, NameType


def test_un_consolidated_counts(shared_data: Path) -> None:
    parsed = parse_file(shared_data / "sanctions/un/UN_consolidated_2026-02-27.xml")
    assert (parsed.source, parsed.format, parsed.published) == ("un", "un_xml", "2026-02-27")
    assert len(parsed.entries) == 1003
    assert Counter(e.kind for e in parsed.entries) == {EntityKind.PERSON: 730, EntityKind.ORGANIZATION: 273}
    programs = Counter(p for e in parsed.entries for p in e.programs)
    assert (programs["Al-Qaida"], programs["DPRK"], programs["Taliban"], programs["Iran"]) == (341, 155, 140, 121)
    assert sum(1 for e in parsed.entries if "RU" in e.nationalities) == 12
    # NAME_ORIGINAL_SCRIPT: 378 entries carry a second name in its own script
    assert sum(1 for e in parsed.entries if any(n.script != "Latn" for n in e.names)) >= 370
    assert all(e.entity_id == f"un:{e.source_id}" and e.source_id.isdigit() for e in parsed.entries)


def test_un_entry_fields(shared_data: Path) -> None:
    parsed = parse_file(shared_data / "sanctions/un/UN_consolidated_2026-02-27.xml")
    gaston = next(e for e in parsed.entries if e.source_id == "6907995")
    assert gaston.primary_name == "GASTON IYAMUREMYE"
    assert (("Rumuli", NameType.LOW_QUALITY) in {(n.full, n.name_type) for n in gaston.names})
    assert gaston.birth_dates == ["1948"] and gaston.nationalities == ["RW"]
    assert gaston.programs == ["DRC"] and gaston.listed_on == "2010-12-01"
    ranged = [e for e in parsed.entries if len(e.birth_dates) >= 2]
    assert ranged, "BETWEEN year ranges expand to every year"


def test_eu_fsf_excerpt(shared_data: Path) -> None:
    parsed = parse_file(shared_data / "sanctions/eu/eu_fsf_excerpt_2026-08-05.xml")
    assert (parsed.source, parsed.published, len(parsed.entries)) == ("eu", "2026-08-05", 5)
    assert sum(len(e.names) for e in parsed.entries) == 45
    assert {p for e in parsed.entries for p in e.programs} == {"TERR", "AFG", "IRN", "LBY", "TAQA"}
    by_id = {e.entity_id: e for e in parsed.entries}
    # no primary flag in the FSF: the strong English alias split into first/last name wins
    assert by_id["eu:191"].primary_name == "Khalid Sheikh MOHAMMED"
    assert all(sum(n.name_type is NameType.PRIMARY for n in e.names) == 1 for e in parsed.entries)
    assert by_id["eu:521"].birth_dates == ["1953", "1954", "1955", "1956", "1957", "1958"]
    assert by_id["eu:521"].nationalities == ["AF"]
    parchin = by_id["eu:3822"]
    assert parchin.kind is EntityKind.ORGANIZATION and len(parchin.addresses) == 6
    assert ("phone", "+98 21 2258929") in {(i.id_type, i.value) for i in parchin.identifiers}
    assert {n.language for n in parchin.names} >= {"ga", "en"}
    asiri = by_id["eu:6177"]
    assert any(n.script == "Arab" for n in asiri.names)
    assert ("passport", "F654645", "SA") in {(i.id_type, i.value, i.country) for i in asiri.identifiers}


def test_uk_excerpt(shared_data: Path) -> None:
    parsed = parse_file(shared_data / "sanctions/uk/UK_Sanctions_List_excerpt_2026-09-10.xml")
    assert (parsed.source, parsed.published, len(parsed.entries)) == ("uk", "2026-09-10", 5)
    assert Counter(e.kind for e in parsed.entries) == {EntityKind.ORGANIZATION: 2, EntityKind.PERSON: 2,
                                                       EntityKind.VESSEL: 1}
    by_id = {e.entity_id: e for e in parsed.entries}
    akhund = by_id["uk:AFG0006"]
    assert akhund.birth_dates == ["1958-05-12", "1945", "1946"]
    assert any(n.script == "Arab" for n in akhund.names)
    bnk = by_id["uk:BEL0107"]
    assert ("BNK", NameType.LOW_QUALITY) in {(n.full, n.name_type) for n in bnk.names}
    assert bnk.countries == ["GB"] and bnk.listed_on == "2021-06-21"
    assert ("imo", "IMO9562233") in {(i.id_type, i.value) for i in by_id["uk:DPR0075"].identifiers}
    assert by_id["uk:DPR0075"].countries == ["KM"]
