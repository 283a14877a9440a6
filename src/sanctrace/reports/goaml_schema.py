"""The structure of a goAML STR, written down as data, and a checker for it.

No goAML XSD can be fetched offline (each FIU publishes its own build of the UNODC schema), so the
part of the goAML 4.0 schema this project writes is encoded here: for each complex type, its child
elements in schema order with their cardinality, which child types they have, and simple checks on
leaf values (dates, country codes, amounts, code lists). :func:`check` walks a document and reports
every element that is missing, repeated too often, unknown or out of order, with its path. Types
not listed are outside what we generate and are rejected rather than silently accepted.

This is the goAML 4.0 layout, which most FIUs still take. goAML 5.0 differs in places we do not
generate yet (``report_date`` instead of ``submission_date``, a transaction type code, accounts
with ``related_persons``/``related_entities`` instead of ``signatory``/``t_entity``); a 5.0 writer
would need its own table here, not a tweak of this one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

LEAF_PATTERNS: dict[str, re.Pattern[str]] = {
    "@text": re.compile(r"(?s).*\S.*"),
    "@date": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"),
    "@country": re.compile(r"[A-Z]{2}"),
    "@currency": re.compile(r"[A-Z]{3}"),
    "@amount": re.compile(r"\d{1,18}(\.\d{1,2})?"),
    "@decimal": re.compile(r"\d{1,18}(\.\d{1,8})?"),
    "@bool": re.compile(r"true|false|1|0"),
    "@int": re.compile(r"\d+"),
    "@submission": re.compile(r"[EM]"),
    "@report_code": re.compile(r"STR|SAR|CTR|AIF|IRI|EFT|TFR|AIFT|RFI"),
    "@gender": re.compile(r"[MFU]"),
}


@dataclass(frozen=True, slots=True)
class Slot:
    """One position in a sequence: any of ``children`` (name → type), ``low``..``high`` times."""

    children: dict[str, str]
    low: int = 0
    high: int | None = 1  # None: unbounded
    same: bool = True  # a choice: all occurrences use the same element name
    limits: dict[str, int] | None = None  # per-name maximum inside the slot (activity: once)


def s(name: str, typ: str = "@text", low: int = 0, high: int | None = 1) -> Slot:
    return Slot({name: typ}, low, high)


def choice(low: int, high: int | None, **children: str) -> Slot:
    return Slot(dict(children), low, high)


_PERSON_HEAD = [s("gender", "@gender"), s("title"), s("first_name", low=1), s("middle_name"), s("prefix"),
                s("last_name", low=1), s("birthdate", "@date"), s("birth_place"), s("mothers_name"), s("alias"),
                s("ssn"), s("passport_number"), s("passport_country", "@country"), s("id_number"),
                s("nationality1", "@country"), s("nationality2", "@country"), s("nationality3", "@country"),
                s("residence", "@country"), s("phones", "phones"), s("addresses", "addresses"),
                s("email", high=None), s("occupation"), s("employer_name")]
_PERSON_TAIL = [s("tax_number"), s("tax_reg_number"), s("source_of_wealth"), s("comments")]

_ENTITY = [s("name", low=1), s("commercial_name"), s("incorporation_legal_form"), s("incorporation_number"),
           s("business"), s("phones", "phones"), s("addresses", "addresses"), s("email"), s("url"),
           s("incorporation_state"), s("incorporation_country_code", "@country"),
           s("incorporation_date", "@date"), s("business_closed", "@bool"), s("date_business_closed", "@date"),
           s("tax_number"), s("tax_reg_number"), s("comments")]

_ACCOUNT = [s("institution_name", low=1), choice(1, 1, institution_code="@text", swift="@text"),
            s("non_bank_institution", "@bool"), s("branch"), s("account", low=1), s("currency_code", "@currency"),
            s("account_name"), s("iban"), s("client_number"), s("personal_account_type"),
            s("t_entity", "t_entity"), s("signatory", "signatory", high=None), s("opened", "@date"),
            s("closed", "@date"), s("balance", "@decimal"), s("date_balance", "@date"), s("status_code"),
            s("beneficiary"), s("beneficiary_comment"), s("comments")]

_FOREIGN = [s("foreign_currency_code", "@currency", low=1), s("foreign_amount", "@decimal", low=1),
            s("foreign_exchange_rate", "@decimal", low=1)]

TYPES: dict[str, list[Slot]] = {
    "report": [
        s("rentity_id", low=1), s("rentity_branch"), s("submission_code", "@submission", low=1),
        s("report_code", "@report_code", low=1), s("entity_reference"), s("fiu_ref_number"),
        s("submission_date", "@date", low=1), s("currency_code_local", "@currency", low=1),
        s("reporting_person", "reporting_person"), s("location", "address"), s("reason"), s("action"),
        Slot({"transaction": "transaction", "activity": "activity"}, 1, None, limits={"activity": 1}),
        s("report_indicators", "report_indicators", low=1),
    ],
    "reporting_person": [*_PERSON_HEAD, *_PERSON_TAIL],
    "t_person": [*_PERSON_HEAD, s("identification", "identification", high=None), *_PERSON_TAIL],
    "t_entity": _ENTITY,
    "t_account": _ACCOUNT,
    "signatory": [s("is_primary", "@bool"), s("t_person", "t_person", low=1), s("role")],
    "phones": [s("phone", "phone", low=1, high=None)],
    "phone": [s("tph_contact_type", low=1), s("tph_communication_type", low=1), s("tph_country_prefix"),
              s("tph_number", low=1), s("tph_extension"), s("comments")],
    "addresses": [s("address", "address", low=1, high=None)],
    "address": [s("address_type", low=1), s("address", low=1), s("town"), s("city", low=1), s("zip"),
                s("country_code", "@country", low=1), s("state"), s("comments")],
    "identification": [s("type", low=1), s("number", low=1), s("issue_date", "@date"), s("expiry_date", "@date"),
                       s("issued_by"), s("issue_country", "@country", low=1), s("comments")],
    "transaction": [
        s("transactionnumber", low=1), s("internal_ref_number"), s("transaction_location"),
        s("transaction_description"), s("date_transaction", "@date", low=1), s("teller"), s("authorized"),
        s("late_deposit", "@bool"), s("date_posting", "@date"), s("value_date", "@date"),
        s("transmode_code", low=1), s("transmode_comment"), s("amount_local", "@amount", low=1),
        choice(1, 1, t_from_my_client="t_from", t_from="t_from"),
        choice(1, 1, t_to_my_client="t_to", t_to="t_to"),
        s("goods_services"), s("comments"),
    ],
    "t_from": [s("from_funds_code", low=1), s("from_funds_comment"),
               s("from_foreign_currency", "foreign_currency"), s("t_conductor", "t_person"),
               choice(1, 1, from_account="t_account", from_person="t_person", from_entity="t_entity"),
               s("from_country", "@country", low=1)],
    "t_to": [s("to_funds_code", low=1), s("to_funds_comment"), s("to_foreign_currency", "foreign_currency"),
             choice(1, 1, to_account="t_account", to_person="t_person", to_entity="t_entity"),
             s("to_country", "@country", low=1)],
    "foreign_currency": _FOREIGN,
    "activity": [s("report_parties", "report_parties", low=1), s("goods_services")],
    "report_parties": [s("report_party", "report_party", low=1, high=None)],
    "report_party": [choice(1, 1, person="t_person", person_my_client="t_person", account="t_account",
                            account_my_client="t_account", entity="t_entity", entity_my_client="t_entity"),
                     s("significance", "@int"), s("reason"), s("comments")],
    "report_indicators": [s("indicator", low=1, high=None)],
}


def check(root: etree._Element) -> list[str]:
    """Every structural problem of the document, as ``/report/transaction[1]/...: problem``."""
    problems: list[str] = []
    if root.tag != "report":
        return [f"/{root.tag}: the root element must be report"]
    _check(root, "report", "/report", problems)
    return problems


def _check(element: etree._Element, typ: str, path: str, problems: list[str]) -> None:
    if typ.startswith("@"):
        if len(element):
            problems.append(f"{path}: expected a value, found child elements")
            return
        text = element.text or ""
        if not LEAF_PATTERNS[typ].fullmatch(text):
            problems.append(f"{path}: {text!r} is not a valid {typ[1:]}")
        return
    if (element.text or "").strip():
        problems.append(f"{path}: unexpected text in a complex element")
    children = [c for c in element if isinstance(c.tag, str)]
    index = 0
    counts: dict[str, int] = {}
    for slot in TYPES[typ]:
        used: list[str] = []
        while index < len(children) and children[index].tag in slot.children:
            tag = str(children[index].tag)
            if slot.same and used and tag != used[0]:
                break
            if slot.high is not None and len(used) >= slot.high:
                break
            if slot.limits and tag in slot.limits and used.count(tag) >= slot.limits[tag]:
                break
            counts[tag] = counts.get(tag, 0) + 1
            _check(children[index], slot.children[tag], f"{path}/{tag}[{counts[tag]}]", problems)
            used.append(tag)
            index += 1
        if len(used) < slot.low:
            problems.append(f"{path}: missing {' or '.join(slot.children)}" +
                            (f" before {children[index].tag}" if index < len(children) else ""))
    for child in children[index:]:
        known = any(child.tag in slot.children for slot in TYPES[typ])
        reason = "out of schema order or repeated too often" if known else "not allowed here"
        problems.append(f"{path}/{child.tag}: {reason}")
