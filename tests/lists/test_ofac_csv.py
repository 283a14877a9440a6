"""OFAC legacy CSV: sdn.csv counts, remarks parsing, and the sdn_comments.csv overflow."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sanctrace.lists import is_russia_program, parse_file, parse_paths
from sanctrace.model.list_entry import CryptoAddress, EntityKind, NameType

LEGACY = "sanctions/us_ofac"


def test_sdn_csv_counts(shared_data: Path) -> None:
    parsed = parse_file(shared_data / LEGACY / "legacy_csv_2024-05-03/sdn.csv")
    assert (parsed.source, parsed.format) == ("ofac", "ofac_legacy_csv")
    assert len(parsed.entries) == 14965
    assert Counter(e.kind for e in parsed.entries) == {EntityKind.PERSON: 6854, EntityKind.ORGANIZATION: 6884,
                                                       EntityKind.VESSEL: 851, EntityKind.AIRCRAFT: 376}
    assert sum(1 for e in parsed.entries if any(is_russia_program(p) for p in e.programs)) == 4907
    assert sum(1 for e in parsed.entries if "RUSSIA-EO14024" in e.programs) == 4439
    crypto = [e for e in parsed.entries if e.crypto_addresses]
    assert (len(crypto), sum(len(e.crypto_addresses) for e in crypto)) == (55, 294)
    yan = next(e for e in parsed.entries if e.entity_id == "ofac:25308")
    assert yan.birth_dates == ["1977-03-25"] and yan.nationalities == ["CN"]
    assert ("ZHOU, William", NameType.AKA) in {(n.full, n.name_type) for n in yan.names}
    assert ("citizen_card", "421002197703250019", "CN") in {(i.id_type, i.value, i.country) for i in yan.identifiers}
    assert sum(len(e.relations) for e in parsed.entries) > 5000  # "Linked To:" resolved by exact name


def test_companion_files_from_another_date_are_reported(shared_data: Path) -> None:
    base = shared_data / LEGACY
    (parsed,) = parse_paths([base / "legacy_csv_2024-05-03/sdn.csv", base / "legacy_csv_2025-12-24/add.csv",
                             base / "legacy_csv_2025-12-24/alt.csv",
                             base / "legacy_csv_2025-12-24/sdn_comments.csv"])
    assert parsed.file_name == "sdn.csv+add.csv+alt.csv+sdn_comments.csv"
    assert len(parsed.entries) == 14965
    assert sum(len(e.addresses) for e in parsed.entries) > 10000
    text = "\n".join(parsed.warnings)
    assert "add.csv: 4893 rows name entities missing from sdn.csv" in text
    assert "alt.csv" in text


def test_remarks_overflow_in_sdn_comments(tmp_path: Path) -> None:
    cut = "DOB 01 Jan 1980; nationality Russia; Digital Currency Address - XBT 1BoatSLRHtKNngkdXEeobR76b53LETtpyT; Dig"
    (tmp_path / "sdn.csv").write_text(
        f'12345,"PETROV, Petr","individual","RUSSIA-EO14024] [CYBER2",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"{cut}"\r\n'
        '12346,"ROMASHKA OOO",-0- ,"RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,'
        '"Linked To: PETROV, Petr."\r\n\x1a', encoding="utf-8")
    (tmp_path / "sdn_comments.csv").write_text(
        '12345,"ital Currency Address - ETH 0xAbC0000000000000000000000000000000000001; Passport 7777 (Russia)."\r\n',
        encoding="utf-8")
    (tmp_path / "add.csv").write_text('12345,1,"Tverskaya 1","Moscow","Russia",-0- \r\n', encoding="utf-8")
    (tmp_path / "alt.csv").write_text('12345,1,"fka","PETROFF, Peter",-0- \r\n', encoding="utf-8")
    alone = parse_file(tmp_path / "sdn.csv")
    assert alone.entries[0].crypto_addresses == [CryptoAddress("XBT", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT")]
    (full,) = parse_paths([tmp_path / n for n in ("sdn.csv", "sdn_comments.csv", "add.csv", "alt.csv")])
    petrov, romashka = full.entries
    assert petrov.crypto_addresses == [CryptoAddress("XBT", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT"),
                                       CryptoAddress("ETH", "0xAbC0000000000000000000000000000000000001")]
    assert ("passport", "7777", "RU") in {(i.id_type, i.value, i.country) for i in petrov.identifiers}
    assert petrov.programs == ["RUSSIA-EO14024", "CYBER2"]
    assert petrov.birth_dates == ["1980-01-01"] and petrov.nationalities == ["RU"]
    assert petrov.addresses[0].city == "Moscow" and petrov.addresses[0].country == "RU"
    assert ("PETROFF, Peter", NameType.FKA) in {(n.full, n.name_type) for n in petrov.names}
    assert [(r.relation, r.target_id) for r in romashka.relations] == [("linked_to", "ofac:12345")]
    assert full.warnings == []
