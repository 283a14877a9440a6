"""The Screener on small hand-built entries: kinds, evidence, wallets, list version, nexus."""

import pytest

from sanctrace.model.list_entry import CryptoAddress, EntityKind, EntryName, Identifier, ListEntry, NameType
from sanctrace.screening import CustomerRecord, Screener


@pytest.fixture(scope="module")
def screener() -> Screener:
    entries = [
        ListEntry("ofac:35096", "ofac", "35096", EntityKind.PERSON,
                  names=[EntryName("Putin Vladimir Vladimirovich"),
                         EntryName("Путин Владимир Владимирович", script="Cyrl")],
                  birth_dates=["1952-10-07"], nationalities=["RU"], programs=["RUSSIA-EO14024"]),
        ListEntry("ofac:36407", "ofac", "36407", EntityKind.PERSON,
                  names=[EntryName("Medvedev Dmitry Anatolievich")], birth_dates=["1965-09-14"],
                  programs=["RUSSIA-EO14024"]),
        ListEntry("ofac:90001", "ofac", "90001", EntityKind.ORGANIZATION,
                  names=[EntryName("ARGUT OOO"), EntryName("Putin Trading LLC", NameType.AKA)],
                  identifiers=[Identifier("tax_id", "7701234567", "RU")],
                  crypto_addresses=[CryptoAddress("XBT", "1Q9UAQbcDezmyouFrzt94t4dSMxgsUfW1X"),
                                    CryptoAddress("XBT", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"),
                                    CryptoAddress("ETH", "0x7F367cC41522cE07553e823bf3be79A889DEbe1B")],
                  programs=["RUSSIA-EO14024"]),
    ]
    return Screener(entries, "ofac:2025-11-19#1")


def test_japanese_name_finds_the_entry_with_version_and_programs(screener: Screener) -> None:
    result = screener.screen(CustomerRecord(id="c1", name="ウラジーミル・プーチン", kind="person"))
    assert [m.entity_id for m in result.matches] == ["ofac:35096"]
    match = result.matches[0]
    assert match.list_version == "ofac:2025-11-19#1"
    assert match.programs == ["RUSSIA-EO14024"]
    assert 0 < match.score <= 1 and "name_alignment" in match.features


def test_person_never_matches_company_on_name(screener: Screener) -> None:
    result = screener.screen(CustomerRecord(id="c", name="Putin Trading LLC", kind="person"))
    assert "ofac:90001" not in [m.entity_id for m in result.matches]
    company = screener.screen(CustomerRecord(id="c", name="Putin Trading LLC", kind="company"))
    assert [m.entity_id for m in company.matches] == ["ofac:90001"]


def test_surname_only_is_not_a_hit(screener: Screener) -> None:
    assert screener.screen(CustomerRecord(id="c", name="Daniil Medvedev", kind="person")).matches == []


def test_birth_date_raises_and_lowers(screener: Screener) -> None:
    plain = screener.screen(CustomerRecord(id="c", name="Vladimir Putin", kind="person")).matches[0].score
    same = screener.screen(CustomerRecord(id="c", name="Vladimir Putin", kind="person",
                                          birth_date="1952-10-07")).matches[0].score
    other = screener.screen(CustomerRecord(id="c", name="Vladimir Putin", kind="person", birth_date="1990-01-01"))
    assert same > plain
    assert not other.matches or other.matches[0].score < plain


def test_identifier_evidence(screener: Screener) -> None:
    hit = screener.screen(CustomerRecord(id="c", name="Argut", kind="company", id_number="7701 234 567"))
    assert hit.matches[0].features.get("identifier", 0) > 0


@pytest.mark.parametrize(
    ("wallet", "found"),
    [
        ("1Q9UAQbcDezmyouFrzt94t4dSMxgsUfW1X", True),
        ("1q9uaqbcdezmyoufrzt94t4dsmxgsufw1x", False),  # base58: case is part of the address
        ("BC1QAR0SRRR7XFKVY5L643LYDNW9RE59GTZZWF5MDQ", True),  # bech32 is case-insensitive
        ("0x7f367cc41522ce07553e823bf3be79a889debe1b", True),  # EVM hex: checksum case ignored
        ("bitcoin:1Q9UAQbcDezmyouFrzt94t4dSMxgsUfW1X?amount=1", True),
        ("1BoatSLRHtKNngkdXEeobR76b53LETtpyT", False),
    ],
)
def test_wallets_match_exactly_with_the_right_normalisation(screener: Screener, wallet: str, found: bool) -> None:
    result = screener.screen(CustomerRecord(id="w", name="Someone Unrelated", kind="person", wallet=wallet))
    assert ("ofac:90001" in [m.entity_id for m in result.matches]) is found
    if found:
        assert result.matches[0].matched_on == "wallet" and result.matches[0].score == 1.0


def test_threshold_is_respected() -> None:
    entries = [ListEntry("x:1", "x", "1", EntityKind.PERSON, names=[EntryName("Olaf Scholz")])]
    strict = Screener(entries, "x", threshold=0.99)
    loose = Screener(entries, "x", threshold=0.5)
    record = CustomerRecord(id="c", name="Olaf Schloz", kind="person")
    assert strict.screen(record).matches == []
    assert loose.screen(record).matches


def test_russia_nexus_for_unlisted_customers(screener: Screener) -> None:
    result = screener.screen(CustomerRecord(id="c", name="Elena Volkova", kind="person", phone="+7 916 555 0101",
                                            email="elena@bk.ru", ip_country="RU"))
    assert result.matches == []
    assert {r.reason for r in result.russia_nexus} == {"phone_country", "email_provider", "ip_country"}


def test_screen_many_keeps_order(screener: Screener) -> None:
    records = [CustomerRecord(id=str(i), name=n) for i, n in enumerate(["Vladimir Putin", "Nobody Here", "ARGUT OOO"])]
    results = list(screener.screen_many(records))
    assert [r.id for r in results] == ["0", "1", "2"]
    assert [bool(r.matches) for r in results] == [True, False, True]


def test_screen_many_with_workers_keeps_order(screener: Screener) -> None:
    records = [CustomerRecord(id=str(i), name=n) for i, n in enumerate(["Vladimir Putin", "Nobody Here"] * 40)]
    serial = [(r.id, [m.entity_id for m in r.matches]) for r in screener.screen_many(records)]
    forked = [(r.id, [m.entity_id for m in r.matches]) for r in screener.screen_many(records, workers=2, chunk=8)]
    assert forked == serial
