"""UK Sanctions List XML (FCDO, ``<Designations>``) → ListEntry.

Each ``Designation`` (id ``uk:<UniqueID>``) has Name1…Name6 parts (Name6 is the surname or the
entity name) with a NameType ("Primary Name", "Primary Name Variation", "Alias") and an
AliasStrength (a "Low quality a.k.a" becomes a low-quality name), names in non-Latin script,
a regime (the program), addresses, and details per kind: individuals (DOBs as dd/mm/yyyy with
"dd"/"mm" placeholders, nationalities, passports, national ids), entities (registration
numbers, parent companies) and ships (IMO numbers, flags).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from lxml import etree

from sanctrace.errors import ListSourceError
from sanctrace.lists.common import clean_text, dedupe, make_name
from sanctrace.lists.countries import to_iso2
from sanctrace.lists.registry import ListFormat, register_format
from sanctrace.lists.sourcefile import iter_xml, local, sha256_file
from sanctrace.lists.types import ParsedList
from sanctrace.model.list_entry import EntityKind, Identifier, ListEntry, NameType, PostalAddress

SOURCE = "uk"
_KINDS = {"individual": EntityKind.PERSON, "entity": EntityKind.ORGANIZATION, "ship": EntityKind.VESSEL}


def detect(path: Path, head: bytes) -> bool:
    return b"<Designations" in head


def parse(paths: Sequence[Path]) -> ParsedList:
    (path,) = paths
    entries: list[ListEntry] = []
    published: str | None = None
    depth = 0
    for event, element in iter_xml(path):
        if event == "start":
            depth += 1
            if depth == 1 and local(element.tag) != "Designations":
                raise ListSourceError.at(str(path), "root element",
                                         f"expected <Designations>, found <{local(element.tag)}>")
            continue
        depth -= 1
        if depth == 1:
            tag = local(element.tag)
            if tag == "Designation":
                entries.append(_entry(path, element))
            elif tag == "DateGenerated":
                published = _date(clean_text(element.text))
            element.clear()
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
    return ParsedList(source=SOURCE, format="uk_xml", file_name=path.name, file_sha256=sha256_file(path),
                      published=published, entries=entries)


def _date(value: str | None) -> str | None:
    """``dd/mm/yyyy`` with optional ``dd``/``mm`` placeholders → ISO (partial when unknown)."""
    if not value:
        return None
    parts = value.split("/")
    if len(parts) == 1 and parts[0].isdigit():
        return parts[0]
    if len(parts) != 3 or not parts[2].isdigit():
        return None
    day, month, year = parts
    if not month.isdigit():
        return year
    if not day.isdigit():
        return f"{year}-{int(month):02d}"
    return f"{year}-{int(month):02d}-{int(day):02d}"


def _text(element: etree._Element, name: str) -> str | None:
    for child in element:
        if local(child.tag) == name:
            return clean_text(child.text)
    return None


def _all(element: etree._Element, name: str) -> list[str]:
    return [v for v in (clean_text(e.text) for e in element.iter(f"{{*}}{name}")) if v]


def _entry(path: Path, element: etree._Element) -> ListEntry:
    unique_id = _text(element, "UniqueID")
    if not unique_id:
        raise ListSourceError.at(str(path), f"line {element.sourceline}", "Designation without UniqueID")
    kind = _KINDS.get((_text(element, "IndividualEntityShip") or "").lower(), EntityKind.UNKNOWN)
    entry = ListEntry(entity_id=f"{SOURCE}:{unique_id}", source=SOURCE, source_id=unique_id, kind=kind,
                      listed_on=_date(_text(element, "DateDesignated")))
    for name in element.iter("{*}Name"):
        full = " ".join(p for p in (_text(name, f"Name{i}") for i in range(1, 7)) if p)
        if not full:
            continue
        label = (_text(name, "NameType") or "").lower()
        strength = (_text(name, "AliasStrength") or "").lower()
        name_type = NameType.PRIMARY if label == "primary name" else NameType.AKA
        if strength.startswith("low"):
            name_type = NameType.LOW_QUALITY
        entry.names.append(make_name(full, name_type))
    for original in _all(element, "NameNonLatinScript"):
        entry.names.append(make_name(original, NameType.PRIMARY))
    if not entry.names:
        raise ListSourceError.at(str(path), f"line {element.sourceline} UniqueID {unique_id}",
                                 "Designation without a name")
    regime = _text(element, "RegimeName")
    entry.programs = [regime] if regime else []
    for address in element.iter("{*}Address"):
        lines = [_text(address, f"AddressLine{i}") for i in range(1, 7)]
        postal = _text(address, "AddressPostalCode")
        country_name = _text(address, "AddressCountry")
        country = to_iso2(country_name)
        text = ", ".join(p for p in [*lines, postal, country_name] if p)
        if country:
            entry.countries.append(country)
        if text:
            entry.addresses.append(PostalAddress(text, _text(address, "AddressLine6"), country))
    entry.birth_dates = dedupe(d for d in (_date(v) for v in _all(element, "DOB")) if d)
    entry.nationalities = dedupe(c for c in (to_iso2(v) for v in _all(element, "Nationality")) if c)
    for flag in _all(element, "CurrentBelievedFlagOfShip"):
        code = to_iso2(flag)
        if code:
            entry.countries.append(code)
    entry.countries = dedupe(entry.countries)
    ids = [("passport", "PassportNumber"), ("national_id", "NationalIdentifierNumber"),
           ("registration", "BusinessRegistrationNumber"), ("imo", "IMONumber"), ("phone", "PhoneNumber"),
           ("email", "EmailAddress"), ("website", "Website")]
    for id_type, tag in ids:
        for value in dedupe(_all(element, tag)):
            entry.identifiers.append(Identifier(id_type, value))
    for tag, id_type in (("UNReferenceNumber", "un_reference"), ("OFSIGroupID", "ofsi_group_id")):
        reference = _text(element, tag)
        if reference:
            entry.identifiers.append(Identifier(id_type, reference))
    remarks = [r for r in (_text(element, "OtherInformation"), _text(element, "UKStatementofReasons")) if r]
    for label, tag in (("Title", "Title"), ("Position", "Position"), ("Town of birth", "TownOfBirth"),
                       ("Country of birth", "CountryOfBirth")):
        values = dedupe(_all(element, tag))
        if values:
            remarks.append(f"{label}: " + "; ".join(values))
    parents = _all(element, "ParentCompany")
    if parents:
        remarks.append("Parent companies: " + "; ".join(parents))
    entry.remarks = " | ".join(remarks) or None
    return entry


register_format(ListFormat(name="uk_xml", source=SOURCE, detect=detect, parse=parse,
                           description="UK Sanctions List XML (FCDO)"))
