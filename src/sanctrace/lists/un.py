"""UN Security Council consolidated list XML (``CONSOLIDATED_LIST``) → ListEntry.

Individuals and entities carry their name in FIRST…FOURTH_NAME, aliases with a quality
("Good", "Low"), an optional NAME_ORIGINAL_SCRIPT, nationalities as country names, addresses,
dates of birth (exact, approximate, or a year range) and documents. The UN has no Russia regime;
the committee's list (``UN_LIST_TYPE``) is kept as the program.
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

SOURCE = "un"
_DOC_TYPES = {"passport": "passport", "national identification number": "national_id",
              "identification number": "national_id", "tax identification number": "tax_id"}


def detect(path: Path, head: bytes) -> bool:
    return b"<CONSOLIDATED_LIST" in head


def parse(paths: Sequence[Path]) -> ParsedList:
    (path,) = paths
    entries: list[ListEntry] = []
    published: str | None = None
    depth = 0
    seen: set[str] = set()
    for event, element in iter_xml(path):
        if event == "start":
            depth += 1
            if depth == 1:
                if local(element.tag) != "CONSOLIDATED_LIST":
                    raise ListSourceError.at(str(path), "root element", f"expected <CONSOLIDATED_LIST>, "
                                             f"found <{local(element.tag)}>")
                generated = element.get("dateGenerated")
                published = generated[:10] if generated else None
            continue
        depth -= 1
        if depth == 2:
            tag = local(element.tag)
            if tag in ("INDIVIDUAL", "ENTITY"):
                entry = _entry(path, element, EntityKind.PERSON if tag == "INDIVIDUAL" else EntityKind.ORGANIZATION)
                if entry.entity_id in seen:
                    raise ListSourceError.at(str(path), f"line {element.sourceline} DATAID {entry.source_id}",
                                             "duplicate DATAID")
                seen.add(entry.entity_id)
                entries.append(entry)
            element.clear()
            parent = element.getparent()
            if parent is not None:
                while element.getprevious() is not None:
                    del parent[0]
    return ParsedList(source=SOURCE, format="un_xml", file_name=path.name, file_sha256=sha256_file(path),
                      published=published, entries=entries)


def _child(element: etree._Element, name: str) -> str | None:
    for child in element:
        if local(child.tag) == name:
            return clean_text(child.text)
    return None


def _values(element: etree._Element, name: str) -> list[str]:
    out: list[str] = []
    for child in element:
        if local(child.tag) == name:
            out.extend(v for v in (clean_text(value.text) for value in child) if v)
    return out


def _entry(path: Path, element: etree._Element, kind: EntityKind) -> ListEntry:
    data_id = _child(element, "DATAID")
    if not data_id:
        raise ListSourceError.at(str(path), f"line {element.sourceline}", f"<{local(element.tag)}> without DATAID")
    entry = ListEntry(entity_id=f"{SOURCE}:{data_id}", source=SOURCE, source_id=data_id, kind=kind)
    full = " ".join(p for p in (_child(element, f) for f in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME",
                                                               "FOURTH_NAME")) if p)
    if not full:
        raise ListSourceError.at(str(path), f"line {element.sourceline} DATAID {data_id}", "entry without a name")
    entry.names.append(make_name(full))
    original = _child(element, "NAME_ORIGINAL_SCRIPT")
    if original:
        entry.names.append(make_name(original))
    for child in element:
        tag = local(child.tag)
        if tag in ("INDIVIDUAL_ALIAS", "ENTITY_ALIAS"):
            alias = _child(child, "ALIAS_NAME")
            if alias:
                quality = (_child(child, "QUALITY") or "").lower()
                name_type = NameType.LOW_QUALITY if quality in ("low", "very low") else NameType.AKA
                entry.names.append(make_name(alias, name_type))
        elif tag in ("INDIVIDUAL_ADDRESS", "ENTITY_ADDRESS"):
            _address(entry, child)
        elif tag == "INDIVIDUAL_DATE_OF_BIRTH":
            entry.birth_dates.extend(_birth_dates(child))
        elif tag == "INDIVIDUAL_DOCUMENT":
            _document(entry, child)
    entry.nationalities = dedupe(c for c in (to_iso2(v) for v in _values(element, "NATIONALITY")) if c)
    entry.countries = dedupe(entry.countries)
    entry.birth_dates = dedupe(entry.birth_dates)
    list_type = _child(element, "UN_LIST_TYPE")
    entry.programs = [list_type] if list_type else []
    reference = _child(element, "REFERENCE_NUMBER")
    if reference:
        entry.identifiers.append(Identifier("un_reference", reference))
    entry.listed_on = (_child(element, "LISTED_ON") or "")[:10] or None
    remarks = [v for v in (_child(element, "COMMENTS1"),) if v]
    designations = _values(element, "DESIGNATION")
    if designations:
        remarks.append("Designation: " + "; ".join(designations))
    births = [", ".join(p for p in (_child(pob, f) for f in ("CITY", "STATE_PROVINCE", "COUNTRY")) if p)
              for pob in element if local(pob.tag) == "INDIVIDUAL_PLACE_OF_BIRTH"]
    if any(births):
        remarks.append("Place of birth: " + "; ".join(b for b in births if b))
    entry.remarks = " | ".join(remarks) or None
    return entry


def _address(entry: ListEntry, element: etree._Element) -> None:
    parts = [_child(element, f) for f in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")]
    country_name = _child(element, "COUNTRY")
    country = to_iso2(country_name)
    if country:
        entry.countries.append(country)
    text = ", ".join(p for p in parts if p)
    if text:
        entry.addresses.append(PostalAddress(text, _child(element, "CITY"), country))


def _birth_dates(element: etree._Element) -> list[str]:
    date = _child(element, "DATE")
    if date:
        return [date[:10]]
    year = _child(element, "YEAR")
    if year:
        return [year]
    start, end = _child(element, "FROM_YEAR"), _child(element, "TO_YEAR")
    if start and end and start.isdigit() and end.isdigit() and 0 <= int(end) - int(start) < 10:
        return [str(y) for y in range(int(start), int(end) + 1)]
    return [v for v in (start, end) if v]


def _document(entry: ListEntry, element: etree._Element) -> None:
    number = _child(element, "NUMBER")
    if not number:
        return
    label = (_child(element, "TYPE_OF_DOCUMENT") or "document").lower()
    country = to_iso2(_child(element, "ISSUING_COUNTRY") or _child(element, "COUNTRY_OF_ISSUE"))
    entry.identifiers.append(Identifier(_DOC_TYPES.get(label, label.replace(" ", "_")), number, country))


register_format(ListFormat(name="un_xml", source=SOURCE, detect=detect, parse=parse,
                           description="UN Security Council consolidated list XML"))
