"""A case as a goAML suspicious transaction report (STR), written with lxml.

Crypto transfers are written the way FIUs that take virtual-asset reports through goAML ask for
them: the wallet address is the account number (``t_account/account``), the txid is the
``transactionnumber`` (the goAML element has no underscore) and is repeated with the output index
in ``comments``; the customer's side is ``*_my_client``. A case without transfers (a listed owner,
a Russia-nexus customer) is reported as an ``activity`` with the customer as report party. Element
order follows :mod:`sanctrace.reports.goaml_schema`, and every document is checked against it before
it is returned, so a report that does not fit the structure is never written.
"""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from lxml import etree

from sanctrace.errors import InputError
from sanctrace.reports.entity import ReportingEntity
from sanctrace.reports.facts import CaseFacts, SubjectProfile, TransferFact, format_btc
from sanctrace.reports.goaml_schema import check

_SAT = Decimal(100_000_000)


def _date(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S")


def _add(parent: etree._Element, tag: str, text: object | None = None) -> etree._Element:
    child = etree.SubElement(parent, tag)
    if text is not None:
        child.text = str(text)
    return child


def _opt(parent: etree._Element, tag: str, text: object | None) -> None:
    if text not in (None, ""):
        _add(parent, tag, text)


def _address(parent: etree._Element, tag: str, entity: ReportingEntity, text: str | None, city: str | None,
             country: str | None) -> None:
    node = _add(parent, tag)
    _add(node, "address_type", entity.address_type)
    _add(node, "address", text or "unknown")
    _add(node, "city", city or "unknown")
    _add(node, "country_code", country or entity.unknown_country)


def _reporting_person(report: etree._Element, entity: ReportingEntity) -> None:
    rp = entity.reporting_person
    node = _add(report, "reporting_person")
    _opt(node, "title", rp.title)
    _add(node, "first_name", rp.first_name)
    _add(node, "last_name", rp.last_name)
    if rp.phone:
        phone = _add(_add(node, "phones"), "phone")
        _add(phone, "tph_contact_type", "B")
        _add(phone, "tph_communication_type", "L")
        _opt(phone, "tph_country_prefix", rp.phone_country_prefix)
        _add(phone, "tph_number", rp.phone)
    _opt(node, "email", rp.email)
    _opt(node, "occupation", rp.occupation)


def _person(parent: etree._Element, tag: str, subject: SubjectProfile, entity: ReportingEntity) -> None:
    node = _add(parent, tag)
    first, last = subject.split_name()
    _add(node, "first_name", first or "-")
    _add(node, "last_name", last)
    if subject.birth_date and len(subject.birth_date) == 10:
        _add(node, "birthdate", f"{subject.birth_date}T00:00:00")
    _opt(node, "nationality1", subject.nationality)
    _opt(node, "residence", subject.country)
    if subject.address:
        addresses = _add(node, "addresses")
        _address(addresses, "address", entity, subject.address, subject.city, subject.country)
    _opt(node, "occupation", subject.occupation)
    _opt(node, "comments", f"customer {subject.customer_id or subject.subject_id}")


def _entity(parent: etree._Element, tag: str, subject: SubjectProfile, entity: ReportingEntity) -> None:
    node = _add(parent, tag)
    _add(node, "name", subject.name or subject.subject_id)
    _opt(node, "business", subject.occupation)
    if subject.address:
        addresses = _add(node, "addresses")
        _address(addresses, "address", entity, subject.address, subject.city, subject.country)
    _opt(node, "incorporation_country_code", subject.country)
    _opt(node, "comments", f"customer {subject.customer_id or subject.subject_id}")


def _customer_account(parent: etree._Element, tag: str, entity: ReportingEntity, subject: SubjectProfile,
                      transfer: TransferFact) -> None:
    """The customer's wallet at the exchange: the deposit address is the account number."""
    node = _add(parent, tag)
    _add(node, "institution_name", entity.name)
    _add(node, "institution_code", entity.registration_number or entity.rentity_id)
    _add(node, "non_bank_institution", "true")
    wallet = transfer.address if transfer.direction == "in" else None
    _add(node, "account", wallet or transfer.account_id or subject.subject_id)
    _add(node, "currency_code", entity.crypto_currency_code)
    _opt(node, "account_name", subject.name)
    _opt(node, "client_number", subject.customer_id or transfer.account_id)
    if subject.kind == "entity":
        _entity(node, "t_entity", subject, entity)
    else:
        signatory = _add(node, "signatory")
        _add(signatory, "is_primary", "true")
        _person(signatory, "t_person", subject, entity)
    if subject.opened_at:
        _add(node, "opened", _date(subject.opened_at))
    _add(node, "comments", f"exchange account {transfer.account_id or '-'}; "
                           f"{'deposit address' if wallet else 'withdrawal from the exchange hot wallet'}")


def _external_account(parent: etree._Element, tag: str, entity: ReportingEntity, transfer: TransferFact) -> None:
    node = _add(parent, tag)
    addresses = transfer.counterparty_addresses if transfer.direction == "in" else [transfer.address or ""]
    _add(node, "institution_name", transfer.counterparty_vasp or "unhosted wallet or unidentified VASP")
    _add(node, "institution_code", transfer.counterparty_vasp or "UNHOSTED")
    _add(node, "non_bank_institution", "true")
    _add(node, "account", addresses[0] if addresses and addresses[0] else "unknown")
    _add(node, "currency_code", entity.crypto_currency_code)
    if len(addresses) > 1:
        _add(node, "comments", "also funded by: " + ", ".join(addresses[1:]))


def _foreign(parent: etree._Element, tag: str, entity: ReportingEntity, transfer: TransferFact,
             local: Decimal) -> None:
    node = _add(parent, tag)
    btc = Decimal(transfer.amount) / _SAT
    _add(node, "foreign_currency_code", entity.crypto_currency_code)
    _add(node, "foreign_amount", format_btc(transfer.amount))
    rate = (local / btc).quantize(Decimal("0.01"), ROUND_HALF_UP) if btc else Decimal(0)
    _add(node, "foreign_exchange_rate", f"{rate:f}")


def _local_amount(transfer: TransferFact, entity: ReportingEntity) -> Decimal:
    if transfer.value_local is not None:
        return Decimal(transfer.value_local)
    rate = entity.rate()
    if rate is None:
        raise InputError.at("goAML", f"event {transfer.event_id}",
                            "no local-currency value in the ledger; set btc_rate_local in the entity profile")
    return (Decimal(transfer.amount) / _SAT * rate).quantize(Decimal("1"), ROUND_HALF_UP)


def _transaction(report: etree._Element, entity: ReportingEntity, subject: SubjectProfile,
                 transfer: TransferFact) -> None:
    node = _add(report, "transaction")
    _add(node, "transactionnumber", transfer.txid or transfer.event_id)
    _add(node, "internal_ref_number", transfer.event_id)
    kind = "deposit" if transfer.direction == "in" else "withdrawal"
    _add(node, "transaction_description",
         f"{transfer.asset} {kind} of {format_btc(transfer.amount)} {transfer.asset} "
         f"({transfer.amount} satoshi), txid {transfer.txid or 'not broadcast'}")
    _add(node, "date_transaction", _date(transfer.occurred_at))
    _add(node, "transmode_code", entity.transmode_code)
    _add(node, "transmode_comment", f"{transfer.asset} on-chain transfer")
    local = _local_amount(transfer, entity)
    _add(node, "amount_local", f"{local:.2f}")
    our_country = entity.country
    their_country = transfer.counterparty_country or entity.unknown_country
    if transfer.direction == "in":
        side = _add(node, "t_from")
        _add(side, "from_funds_code", entity.funds_code)
        _add(side, "from_funds_comment", f"{transfer.asset} from an external wallet")
        _foreign(side, "from_foreign_currency", entity, transfer, local)
        _external_account(side, "from_account", entity, transfer)
        _add(side, "from_country", their_country)
        side = _add(node, "t_to_my_client")
        _add(side, "to_funds_code", entity.funds_code)
        _foreign(side, "to_foreign_currency", entity, transfer, local)
        _customer_account(side, "to_account", entity, subject, transfer)
        _add(side, "to_country", our_country)
    else:
        side = _add(node, "t_from_my_client")
        _add(side, "from_funds_code", entity.funds_code)
        _foreign(side, "from_foreign_currency", entity, transfer, local)
        _customer_account(side, "from_account", entity, subject, transfer)
        _add(side, "from_country", our_country)
        side = _add(node, "t_to")
        _add(side, "to_funds_code", entity.funds_code)
        _add(side, "to_funds_comment", f"{transfer.asset} to an external wallet")
        _foreign(side, "to_foreign_currency", entity, transfer, local)
        _external_account(side, "to_account", entity, transfer)
        _add(side, "to_country", their_country)
    vout = "" if transfer.vout is None else f"; vout: {transfer.vout}"
    rules = ", ".join(dict.fromkeys(transfer.rule_ids))
    _add(node, "comments", f"txid: {transfer.txid or '-'}{vout}; address: {transfer.address or '-'}; "
                           f"rules: {rules}; " + " | ".join(dict.fromkeys(transfer.explanations)))


def _activity(report: etree._Element, entity: ReportingEntity, facts: CaseFacts) -> None:
    subject = facts.subject
    party = _add(_add(_add(report, "activity"), "report_parties"), "report_party")
    if subject.kind == "address":
        account = _add(party, "account")
        _add(account, "institution_name", "unhosted wallet or unidentified VASP")
        _add(account, "institution_code", "UNHOSTED")
        _add(account, "non_bank_institution", "true")
        _add(account, "account", subject.subject_id)
        _add(account, "currency_code", entity.crypto_currency_code)
    elif subject.kind == "entity":
        _entity(party, "entity_my_client", subject, entity)
    else:
        _person(party, "person_my_client", subject, entity)
    _add(party, "significance", str(max(1, round(facts.file.case.score * 10))))
    _add(party, "reason", " | ".join(dict.fromkeys(a.explanation for a in facts.file.alerts)) or "-")


def _reason(facts: CaseFacts) -> str:
    lines = [f"[{a.rule_id} v{a.rule_version}, {a.severity.value}, score {a.score:.2f}] {a.explanation}"
             for a in facts.file.alerts]
    return "\n".join(lines) or "-"


def build_str(facts: CaseFacts, entity: ReportingEntity, *, submitted_at: datetime) -> etree._Element:
    """The report element; raises :class:`InputError` if it would not fit the goAML structure."""
    case = facts.file.case
    report = etree.Element("report")
    _add(report, "rentity_id", entity.rentity_id)
    _opt(report, "rentity_branch", entity.rentity_branch)
    _add(report, "submission_code", entity.submission_code)
    _add(report, "report_code", "STR")
    _add(report, "entity_reference", case.case_id)
    _add(report, "submission_date", _date(submitted_at))
    _add(report, "currency_code_local", entity.currency_code_local)
    _reporting_person(report, entity)
    _address(report, "location", entity, entity.address, entity.city, entity.country)
    _add(report, "reason", _reason(facts))
    action = f"case {case.case_id}: {case.status.value}"
    if case.disposition or case.pending_disposition:
        action += f", disposition {(case.disposition or case.pending_disposition)}"
    if case.close_reason:
        action += f" — {case.close_reason}"
    _add(report, "action", action)
    if facts.transfers:
        for transfer in facts.transfers:
            _transaction(report, entity, facts.subject, transfer)
    else:
        _activity(report, entity, facts)
    indicators = _add(report, "report_indicators")
    for code in dict.fromkeys(entity.indicator_for(a.rule_id) for a in facts.file.alerts):
        _add(indicators, "indicator", code)
    if not len(indicators):
        _add(indicators, "indicator", entity.default_indicator or "STR")
    problems = check(report)
    if problems:
        raise InputError.at("goAML", case.case_id, "report does not fit the goAML structure: "
                            + "; ".join(problems[:5]))
    return report


def to_bytes(report: etree._Element) -> bytes:
    return bytes(etree.tostring(report, xml_declaration=True, encoding="UTF-8", pretty_print=True))
