from __future__ import annotations

import copy
import os
from datetime import UTC, datetime

import pytest
from lxml import etree

from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.errors import InputError
from sanctrace.reports.entity import ReportingEntity, entity_from_dict
from sanctrace.reports.facts import gather
from sanctrace.reports.goaml import build_str, to_bytes
from sanctrace.reports.goaml_schema import check
from tests.cases.helpers import FROM_ADDRESS, TO_ADDRESS, TXID
from tests.reports.conftest import GOLDEN

WHEN = datetime(2025, 3, 20, 1, 2, 3, tzinfo=UTC)


def _report(world: DuckDBEngine, entity: ReportingEntity, case_id: str = "case-000001") -> etree._Element:
    return build_str(gather(world, case_id), entity, submitted_at=WHEN)


@pytest.mark.parametrize(("case_id", "name"), [("case-000001", "str_goaml.xml"),
                                              ("case-000002", "str_goaml_activity.xml")])
def test_str_matches_golden_file(world: DuckDBEngine, entity: ReportingEntity, case_id: str, name: str) -> None:
    produced = to_bytes(_report(world, entity, case_id))
    golden = GOLDEN / name
    if os.environ.get("SANCTRACE_UPDATE_GOLDEN"):
        golden.write_bytes(produced)
    assert produced.decode() == golden.read_text(encoding="utf-8")
    assert check(etree.fromstring(golden.read_bytes())) == []


def test_crypto_fields_are_where_fius_expect_them(world: DuckDBEngine, entity: ReportingEntity) -> None:
    report = _report(world, entity)
    tx = report.find("transaction")
    assert tx is not None
    assert tx.findtext("transactionnumber") == TXID
    assert tx.findtext("internal_ref_number") == "dep-0001"
    assert tx.findtext("amount_local") == "1450000000.00"  # the ledger's yen value, not the profile rate
    assert tx.findtext("t_from/from_account/account") == FROM_ADDRESS
    assert tx.findtext("t_to_my_client/to_account/account") == TO_ADDRESS
    assert tx.findtext("t_to_my_client/to_account/client_number") == "cust-0002"
    assert tx.findtext("t_to_my_client/to_foreign_currency/foreign_amount") == "10.00000000"
    person = tx.find("t_to_my_client/to_account/signatory/t_person")
    assert person is not None
    assert (person.findtext("first_name"), person.findtext("last_name")) == ("太郎", "山田")
    assert TXID in (tx.findtext("comments") or "") and "vout: 0" in (tx.findtext("comments") or "")
    assert [i.text for i in report.iterfind("report_indicators/indicator")] == [  # alerts in time order
        "SANCTIONS-OWNER", "VA-RU-MINING"]
    assert report.findtext("rentity_id") == "JP-VASP-0099" and report.findtext("report_code") == "STR"


def test_case_without_transfers_is_an_activity(world: DuckDBEngine, entity: ReportingEntity) -> None:
    report = _report(world, entity, "case-000002")
    assert report.find("transaction") is None
    party = report.find("activity/report_parties/report_party")
    assert party is not None
    assert party.findtext("entity_my_client/name") == "Harbour Trade Pte Ltd"
    assert check(report) == []


def test_missing_local_value_needs_a_rate(world: DuckDBEngine) -> None:
    world.execute("UPDATE ledger_events SET value_jpy = NULL WHERE event_id = 'dep-0001'")
    with pytest.raises(InputError, match="btc_rate_local"):
        _report(world, ReportingEntity())
    report = _report(world, entity_from_dict({"btc_rate_local": "14000000.5"}))
    assert report.findtext("transaction/amount_local") == "140000005.00"


@pytest.fixture
def good(world: DuckDBEngine, entity: ReportingEntity) -> etree._Element:
    return _report(world, entity)


def test_checker_finds_reordered_elements(good: etree._Element) -> None:
    bad = copy.deepcopy(good)
    code = bad.find("report_code")
    submission = bad.find("submission_code")
    assert code is not None and submission is not None
    bad.remove(code)
    submission.addprevious(code)  # report_code before submission_code
    problems = check(bad)
    assert problems and "submission_code" in problems[0]


def test_checker_finds_missing_and_unknown_elements(good: etree._Element) -> None:
    missing = copy.deepcopy(good)
    tx = missing.find("transaction")
    assert tx is not None
    tx.remove(tx.find("transactionnumber"))  # type: ignore[arg-type]
    assert any("missing transactionnumber" in p for p in check(missing))

    unknown = copy.deepcopy(good)
    etree.SubElement(unknown, "wallet_owner").text = "x"
    assert any("wallet_owner: not allowed" in p for p in check(unknown))


def test_checker_finds_bad_values_and_mixed_choices(good: etree._Element) -> None:
    bad = copy.deepcopy(good)
    bad.find("submission_date").text = "20/03/2025"  # type: ignore[union-attr]
    bad.find("transaction/t_from/from_country").text = "Russia"  # type: ignore[union-attr]
    problems = check(bad)
    assert any("submission_date" in p and "date" in p for p in problems)
    assert any("from_country" in p for p in problems)

    mixed = copy.deepcopy(good)
    tx = mixed.find("transaction")
    assert tx is not None
    activity = etree.Element("activity")
    tx.addnext(activity)
    assert any("activity" in p for p in check(mixed))

    report = copy.deepcopy(good)
    tx = report.find("transaction")
    assert tx is not None
    report.remove(tx)
    for _ in range(2):
        indicators = report.find("report_indicators")
        assert indicators is not None
        indicators.addprevious(etree.fromstring(
            "<activity><report_parties><report_party><person><first_name>A</first_name><last_name>B</last_name>"
            "</person></report_party></report_parties></activity>"))
    problems = check(report)
    assert "/report/activity: out of schema order or repeated too often" in problems

    two_sources = copy.deepcopy(good)
    account = two_sources.find("transaction/t_from/from_account")
    assert account is not None
    account.addnext(copy.deepcopy(account))
    assert any("from_account" in p for p in check(two_sources))


def test_withdrawal_goes_from_my_client_to_the_destination_wallet(world: DuckDBEngine,
                                                                  entity: ReportingEntity) -> None:
    from sanctrace.cases.alerts import record_alerts
    from sanctrace.model.alert import Alert

    record_alerts(world, [Alert(
        "SANCTIONED-EXPOSURE", "1", "critical", "customer", "cust-0004", "wd-0002",  # type: ignore[arg-type]
        datetime(2025, 3, 18, 12, tzinfo=UTC), 1.0, "withdrawal to a sanctioned address", {})])
    report = _report(world, entity, "case-000003")
    tx = report.find("transaction")
    assert tx is not None and check(report) == []
    assert tx.findtext("transactionnumber") == "wd-0002"  # not broadcast yet: the ledger id stands in
    assert tx.findtext("t_from_my_client/from_account/account") == "acc-0004"
    assert tx.findtext("t_to/to_account/account") == "1DpLdsNZ2AMFkqgmtnVWaWLDzqXiAbnjCX"
    assert tx.findtext("amount_local") == "140000.00"
