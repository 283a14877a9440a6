"""OFAC SDN_ADVANCED parser: the SOURCES.md counts on the real 2025-11-19 file, and format details."""

from __future__ import annotations

import bz2
import zipfile
from collections import Counter
from pathlib import Path

from sanctrace.lists import ParsedList, is_russia_program, parse_file
from sanctrace.model.list_entry import CryptoAddress, EntityKind, NameType
from tests.lists.conftest import write_advanced


def test_sdn_parties_by_kind(sdn_parsed: ParsedList) -> None:
    assert sdn_parsed.source == "ofac"
    assert sdn_parsed.published == "2025-11-19"
    assert len(sdn_parsed.entries) == 18367
    kinds = Counter(e.kind for e in sdn_parsed.entries)
    assert kinds == {EntityKind.ORGANIZATION: 9359, EntityKind.PERSON: 7303, EntityKind.VESSEL: 1370,
                     EntityKind.AIRCRAFT: 335}
    assert len({e.entity_id for e in sdn_parsed.entries}) == 18367
    assert sum(len(e.names) for e in sdn_parsed.entries) == 48482  # one name per DocumentedName
    assert sdn_parsed.warnings == []


def test_sdn_russia_programs(sdn_parsed: ParsedList) -> None:
    russia = [e for e in sdn_parsed.entries if any(is_russia_program(p) for p in e.programs)]
    assert len(russia) == 6890
    # SOURCES.md prints this breakdown next to EO14024, but it sums to 6,890: it is the Russia total's.
    assert Counter(e.kind for e in russia) == {EntityKind.ORGANIZATION: 4356, EntityKind.PERSON: 1980,
                                               EntityKind.VESSEL: 460, EntityKind.AIRCRAFT: 94}
    assert sum(1 for e in sdn_parsed.entries if "RUSSIA-EO14024" in e.programs) == 6434


def test_sdn_digital_currency_addresses(sdn_parsed: ParsedList) -> None:
    with_crypto = [e for e in sdn_parsed.entries if e.crypto_addresses]
    assert len(with_crypto) == 79
    values = [c for e in with_crypto for c in e.crypto_addresses]
    assert len(values) == 761
    by_currency = Counter(c.currency for c in values)
    assert (by_currency["XBT"], by_currency["USDT"], by_currency["ETH"], by_currency["TRX"]) == (519, 93, 77, 29)
    on_russia = sum(len(e.crypto_addresses) for e in with_crypto if any(is_russia_program(p) for p in e.programs))
    assert on_russia == 39
    # case is kept exactly as published (base58 is case-sensitive)
    yan = next(e for e in sdn_parsed.entries if e.entity_id == "ofac:25308")
    assert CryptoAddress("XBT", "12QtD5BFwRsdNsAZY76UVE1xyCGNTojH9h") in yan.crypto_addresses


def test_sdn_relations(sdn_parsed: ParsedList) -> None:
    relations = [(e, r) for e in sdn_parsed.entries for r in e.relations]
    assert len(relations) == 8194
    owned = [(e, r) for e, r in relations if r.relation == "owned_or_controlled_by"]
    assert len(owned) == 3718
    assert sum(1 for e, _ in owned if any(is_russia_program(p) for p in e.programs)) == 1125
    ids = {e.entity_id for e in sdn_parsed.entries}
    assert all(r.target_id in ids for _, r in relations)


def test_sdn_putin_entry(sdn_parsed: ParsedList) -> None:
    putin = next(e for e in sdn_parsed.entries if e.entity_id == "ofac:35096")
    assert putin.kind is EntityKind.PERSON
    assert putin.primary_name == "Putin Vladimir Vladimirovich"
    assert {(n.full, n.script) for n in putin.names} >= {("Путин Владимир Владимирович", "Cyrl"),
                                                         ("Putin Vladimir", "Latn")}
    assert putin.birth_dates == ["1952-10-07"]
    assert putin.programs == ["RUSSIA-EO14024"]
    assert putin.listed_on == "2022-02-25"
    assert "RU" in putin.countries
    assert any(a.city == "Moscow" for a in putin.addresses)


def test_sdn_name_scripts_and_types(sdn_parsed: ParsedList) -> None:
    scripts = Counter(n.script for e in sdn_parsed.entries for n in e.names)
    assert scripts["Cyrl"] > 3000 and scripts["Arab"] > 1000 and scripts["Hani"] > 500 and scripts["Kore"] > 0
    types = Counter(n.name_type for e in sdn_parsed.entries for n in e.names)
    assert types[NameType.FKA] > 0 and types[NameType.NKA] > 0 and types[NameType.LOW_QUALITY] > 0
    with_nationality = sum(1 for e in sdn_parsed.entries if e.nationalities)
    assert with_nationality > 1000
    assert all(len(c) == 2 and c.isupper() for e in sdn_parsed.entries for c in e.nationalities)


def test_namespace_read_from_root_not_hard_coded(tmp_path: Path) -> None:
    for ns in ("http://www.un.org/sanctions/1.0", "https://example.org/any/new/namespace"):
        parsed = parse_file(write_advanced(tmp_path / "sdn_advanced.xml", ns), source_hint="ofac")
        assert parsed.published == "2018-03-09"
        person, company = parsed.entries
        assert person.entity_id == "ofac:900" and person.kind is EntityKind.PERSON
        assert [(n.full, n.name_type, n.script) for n in person.names] == [
            ("IVANOV Ivan", NameType.PRIMARY, "Latn"), ("ИВАНОВ Иван", NameType.PRIMARY, "Cyrl"),
            ("VANYA", NameType.LOW_QUALITY, "Latn")]
        assert person.birth_dates == ["1970", "1971"]
        assert person.nationalities == ["RU"]
        assert person.crypto_addresses == [CryptoAddress("XBT", "bc1qexampleaddress")]
        assert person.programs == ["RUSSIA-EO14024"] and person.listed_on == "2022-02-24"
        assert company.kind is EntityKind.ORGANIZATION
        assert [(r.relation, r.target_id) for r in company.relations] == [("owned_or_controlled_by", "ofac:900")]


def test_compressed_variants_detected(tmp_path: Path) -> None:
    plain = write_advanced(tmp_path / "plain.xml")
    data = plain.read_bytes()
    (tmp_path / "sdn.xml.bz2").write_bytes(bz2.compress(data))
    with zipfile.ZipFile(tmp_path / "SDN_ADVANCED.ZIP", "w") as archive:
        archive.writestr("SDN_ADVANCED.XML", data)
    for name in ("plain.xml", "sdn.xml.bz2", "SDN_ADVANCED.ZIP"):
        parsed = parse_file(tmp_path / name)
        assert parsed.format == "ofac_advanced_xml"
        assert [e.entity_id for e in parsed.entries] == ["ofac:900", "ofac:901"]
