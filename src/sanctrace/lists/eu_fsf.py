"""EU Financial Sanctions Files (FSF) XML 1.1 (``<export generationDate=…>``) → ListEntry.

Each ``sanctionEntity`` (id ``eu:<logicalId>``) holds name aliases with their language and a
``strong`` flag (``strong="false"`` is a weak alias → low quality), citizenships and addresses
with ISO-2 country codes (``00`` means unknown), birth dates (exact, year, or year range),
identification documents and the regulations whose ``programme`` codes (RUS, IRN, TERR…) are
the entry's programs. The FSF marks no primary name: a strong English alias split into first/last name is preferred.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from lxml import etree

from sanctrace.errors import ListSourceError
from sanctrace.lists.common import clean_text, dedupe, make_name
from sanctrace.lists.registry import ListFormat, register_format
from sanctrace.lists.sourcefile import iter_xml, local, sha256_file
from sanctrace.lists.types import ParsedList
from sanctrace.model.list_entry import EntityKind, EntryName, Identifier, ListEntry, NameType, PostalAddress

SOURCE = "eu"
_KINDS = {"person": EntityKind.PERSON, "enterprise": EntityKind.ORGANIZATION, "vessel": EntityKind.VESSEL,
          "aircraft": EntityKind.AIRCRAFT}
_DOC_TYPES = {"passport": "passport", "id": "national_id", "regnumber": "registration", "fiscalcode": "tax_id",
              "swiftbic": "swift", "imo": "imo"}
_CONTACT = {"WEB": "website", "PHONE": "phone", "EMAIL": "email", "FAX": "fax"}


def detect(path: Path, head: bytes) -> bool:
    return b"<export" in head and b"fsd/export" in head


def _iso2(value: str | None) -> str | None:
    if not value or value == "00" or len(value) != 2:
        return None
    return value.upper()


def parse(paths: Sequence[Path]) -> ParsedList:
    (path,) = paths
    entries: list[ListEntry] = []
    published: str | None = None
    depth = 0
    for event, element in iter_xml(path):
        if event == "start":
            depth += 1
            if depth == 1:
                if local(element.tag) != "export":
                    raise ListSourceError.at(str(path), "root element",
                                             f"expected <export>, found <{local(element.tag)}>")
                published = (element.get("generationDate") or "")[:10] or None
            continue
        depth -= 1
        if depth == 1:
            if local(element.tag) == "sanctionEntity":
                entries.append(_entry(path, element))
            element.clear()
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
    return ParsedList(source=SOURCE, format="eu_fsf_xml", file_name=path.name, file_sha256=sha256_file(path),
                      published=published, entries=entries)


def _entry(path: Path, element: etree._Element) -> ListEntry:
    logical_id = element.get("logicalId")
    if not logical_id:
        raise ListSourceError.at(str(path), f"line {element.sourceline}", "sanctionEntity without logicalId")
    entry = ListEntry(entity_id=f"{SOURCE}:{logical_id}", source=SOURCE, source_id=logical_id,
                      kind=EntityKind.UNKNOWN, listed_on=(element.get("designationDate") or "")[:10] or None)
    remarks: list[str] = []
    structured: set[str] = set()  # names the FSF also splits into first/last name: the real name
    for child in element:
        tag = local(child.tag)
        if tag == "subjectType":
            entry.kind = _KINDS.get(child.get("code") or "", EntityKind.UNKNOWN)
        elif tag == "nameAlias":
            whole = clean_text(child.get("wholeName"))
            if whole:
                name_type = NameType.PRIMARY if not entry.names else NameType.AKA
                if child.get("strong") == "false":
                    name_type = NameType.LOW_QUALITY
                language = (child.get("nameLanguage") or "").lower() or None
                entry.names.append(make_name(whole, name_type, language))
                if clean_text(child.get("lastName")):
                    structured.add(whole)
        elif tag == "citizenship":
            code = _iso2(child.get("countryIso2Code"))
            if code:
                entry.nationalities.append(code)
        elif tag == "birthdate":
            entry.birth_dates.extend(_birth_dates(child))
        elif tag == "address":
            _address(entry, child)
        elif tag == "identification":
            number = clean_text(child.get("number"))
            if number:
                code = (child.get("identificationTypeCode") or "document").lower()
                entry.identifiers.append(Identifier(_DOC_TYPES.get(code, code), number,
                                                    _iso2(child.get("countryIso2Code"))))
        elif tag == "regulation":
            programme = clean_text(child.get("programme"))
            if programme:
                entry.programs.append(programme)
        elif tag == "remark":
            text = clean_text(child.text)
            if text:
                remarks.append(text)
    if not entry.names:
        raise ListSourceError.at(str(path), f"line {element.sourceline} logicalId {logical_id}",
                                 "sanctionEntity without a name")
    entry.names = _primary_first(entry.names, structured)
    reference = element.get("euReferenceNumber")
    if reference:
        entry.identifiers.append(Identifier("eu_reference", reference))
    un_id = element.get("unitedNationId")
    if un_id:
        entry.identifiers.append(Identifier("un_reference", un_id))
    entry.nationalities = dedupe(entry.nationalities)
    entry.countries = dedupe(entry.countries)
    entry.birth_dates = dedupe(entry.birth_dates)
    entry.programs = dedupe(entry.programs)
    entry.remarks = " | ".join(dedupe(remarks)) or None
    return entry


def _primary_first(names: list[EntryName], structured: set[str]) -> list[EntryName]:
    """The FSF marks no primary name: prefer a strong, structured (first/last name), English alias."""
    strong = [n for n in names if n.name_type is not NameType.LOW_QUALITY] or names
    english = [n for n in strong if n.language in (None, "en")] or strong
    candidates = [n for n in english if n.full in structured]
    # several structured spellings: the fullest one (most name parts) reads best as the headline
    preferred = max(candidates, key=lambda n: len(n.full.split())) if candidates else english[0]
    rest = [replace(n, name_type=NameType.AKA) if n.name_type is NameType.PRIMARY else n
            for n in names if n is not preferred]
    return [replace(preferred, name_type=NameType.PRIMARY), *rest]


def _birth_dates(element: etree._Element) -> list[str]:
    exact = element.get("birthdate")
    if exact:
        return [exact[:10]]
    year = element.get("year")
    if year:
        month = element.get("monthOfYear")
        return [f"{int(year):04d}-{int(month):02d}" if month and month.isdigit() else year]
    start, end = element.get("yearRangeFrom"), element.get("yearRangeTo")
    if start and end and start.isdigit() and end.isdigit() and 0 <= int(end) - int(start) < 10:
        return [str(y) for y in range(int(start), int(end) + 1)]
    return [v for v in (start, end) if v]


def _address(entry: ListEntry, element: etree._Element) -> None:
    country = _iso2(element.get("countryIso2Code"))
    description = clean_text(element.get("countryDescription"))
    fields = [element.get(k) for k in ("street", "poBox", "zipCode", "city", "region", "place")]
    parts = [p for p in (clean_text(f) for f in fields) if p]
    if country:
        entry.countries.append(country)
    if parts:
        if description and description != "UNKNOWN":
            parts.append(description)
        entry.addresses.append(PostalAddress(", ".join(parts), clean_text(element.get("city")), country))
    for contact in element:
        if local(contact.tag) == "contactInfo":
            key = (contact.get("key") or "").upper()
            for value in (clean_text(v) for v in (contact.get("value") or "").split(";")):
                if value:
                    entry.identifiers.append(Identifier(_CONTACT.get(key, key.lower() or "contact"), value))


register_format(ListFormat(name="eu_fsf_xml", source=SOURCE, detect=detect, parse=parse,
                           description="EU Financial Sanctions Files XML 1.1"))
