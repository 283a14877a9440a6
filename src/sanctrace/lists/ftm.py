"""FollowTheMoney JSON lines (OpenSanctions exports) → ListEntry.

A file is a graph of entities. Which of them are *listed*: a legal entity, person, vessel or
aircraft whose ``topics`` include ``sanction``, or that a ``Sanction`` entity points to. Other
entities contribute to the listed ones instead of becoming entries themselves:

* ``Sanction`` → programs (``programId``, else ``program``) and the earliest listing date;
* ``Address`` (via ``addressEntity``), ``Passport``/``Identification`` (via ``holder``) and
  ``CryptoWallet`` (via ``holder``) → addresses, identifiers, crypto addresses;
* relationship schemata (``Ownership``, ``Directorship``, ``Family``, ``Associate``,
  ``Employment``, ``Membership``, ``Representation``, ``UnknownLink``) → relations between
  entries, named like OFAC's (the owned entity is ``owned_or_controlled_by`` its owner).

Relations whose other end is not listed in the file are counted in the warnings, not stored:
a relation must point at an entry that exists. Ids become ``os:<ftm id>``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sanctrace.errors import ListSourceError
from sanctrace.lists.common import clean_text, dedupe, make_name
from sanctrace.lists.countries import to_iso2
from sanctrace.lists.registry import ListFormat, register_format
from sanctrace.lists.sourcefile import read_text
from sanctrace.lists.types import ParsedList
from sanctrace.model.list_entry import (
    CryptoAddress,
    EntityKind,
    EntryRelation,
    Identifier,
    ListEntry,
    NameType,
    PostalAddress,
)

SOURCE = "os"
_KINDS = {"Person": EntityKind.PERSON, "Vessel": EntityKind.VESSEL, "Airplane": EntityKind.AIRCRAFT,
          "Company": EntityKind.ORGANIZATION, "Organization": EntityKind.ORGANIZATION,
          "LegalEntity": EntityKind.ORGANIZATION, "PublicBody": EntityKind.ORGANIZATION}
_ID_PROPS = {"innCode": "inn", "ogrnCode": "ogrn", "kppCode": "kpp", "registrationNumber": "registration",
             "taxNumber": "tax_id", "idNumber": "national_id", "passportNumber": "passport", "imoNumber": "imo",
             "swiftBic": "swift", "leiCode": "lei", "email": "email", "phone": "phone", "website": "website",
             "mmsi": "mmsi", "callSign": "call_sign", "okpoCode": "okpo", "vatCode": "vat"}
# schema → (subject property, object property, relation stored on the subject)
_LINKS = {
    "Ownership": ("asset", "owner", "owned_or_controlled_by"),
    "Directorship": ("director", "organization", "director_of"),
    "Family": ("person", "relative", "family_member_of"),
    "Associate": ("person", "associate", "associate_of"),
    "Employment": ("employee", "employer", "employee_of"),
    "Membership": ("member", "organization", "member_of"),
    "Representation": ("agent", "client", "agent_of"),
    "UnknownLink": ("subject", "object", "linked_to"),
}


def detect(path: Path, head: bytes) -> bool:
    first = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return first.startswith(b"{") and b'"schema"' in head and b'"id"' in head


def _props(entity: dict[str, Any], name: str) -> list[str]:
    values = entity.get("properties", {}).get(name, [])
    return [v for v in (clean_text(str(x)) for x in values) if v] if isinstance(values, list) else []


def _read(path: Path) -> tuple[list[dict[str, Any]], str]:
    text, sha = read_text(path)
    entities: list[dict[str, Any]] = []
    seen: set[str] = set()
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            entity = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ListSourceError.at(str(path), f"line {number}", f"invalid JSON: {exc.msg}") from exc
        if not isinstance(entity, dict) or not isinstance(entity.get("id"), str) \
                or not isinstance(entity.get("schema"), str) or not isinstance(entity.get("properties"), dict):
            raise ListSourceError.at(str(path), f"line {number}", "not a FollowTheMoney entity "
                                     "(needs string id and schema, and an object of properties)")
        if entity["id"] in seen:
            raise ListSourceError.at(str(path), f"line {number}", f"duplicate entity id {entity['id']}")
        seen.add(entity["id"])
        entities.append(entity)
    return entities, sha


def parse(paths: Sequence[Path]) -> ParsedList:
    (path,) = paths
    entities, sha = _read(path)
    by_id = {e["id"]: e for e in entities}
    sanctioned: set[str] = set()
    for entity in entities:
        if entity["schema"] == "Sanction":
            sanctioned.update(_props(entity, "entity"))
    entries: dict[str, ListEntry] = {}
    for entity in entities:
        kind = _KINDS.get(entity["schema"])
        if kind is None:
            continue
        if "sanction" not in _props(entity, "topics") and entity["id"] not in sanctioned:
            continue
        entry = _entry(entity, kind, by_id)
        if not entry.names:
            raise ListSourceError.at(str(path), f"entity {entity['id']}", "listed entity without a name")
        entries[entity["id"]] = entry
    dropped = 0
    for entity in entities:
        schema = entity["schema"]
        if schema == "Sanction":
            for target in _props(entity, "entity"):
                if target in entries:
                    _sanction(entries[target], entity)
        elif schema in ("Passport", "Identification"):
            for holder in _props(entity, "holder"):
                if holder in entries:
                    for number in _props(entity, "number") or _props(entity, "passportNumber"):
                        country = to_iso2((_props(entity, "country") or [""])[0])
                        id_type = "passport" if schema == "Passport" else "national_id"
                        entries[holder].identifiers.append(Identifier(id_type, number, country))
        elif schema == "CryptoWallet":
            for holder in _props(entity, "holder"):
                if holder in entries:
                    currency = (_props(entity, "currency") or ["?"])[0].upper()
                    for key in _props(entity, "publicKey"):
                        entries[holder].crypto_addresses.append(CryptoAddress(currency, key))
        elif schema in _LINKS:
            subject_prop, object_prop, relation = _LINKS[schema]
            for subject in _props(entity, subject_prop):
                for obj in _props(entity, object_prop):
                    if subject in entries and obj in entries:
                        entries[subject].relations.append(EntryRelation(relation, f"{SOURCE}:{obj}"))
                    else:
                        dropped += 1
    for entry in entries.values():
        entry.programs = dedupe(entry.programs)
        entry.relations = dedupe(entry.relations)
        entry.identifiers = dedupe(entry.identifiers)
    warnings = [f"{path}: {dropped} relations point at entities that are not listed in the file; kept out"] \
        if dropped else []
    changes = [str(e.get("last_change") or "")[:10] for e in entities if e.get("last_change")]
    return ParsedList(source=SOURCE, format="ftm_jsonl", file_name=path.name, file_sha256=sha,
                      published=max(changes) if changes else None, entries=list(entries.values()),
                      warnings=warnings)


def _entry(entity: dict[str, Any], kind: EntityKind, by_id: dict[str, dict[str, Any]]) -> ListEntry:
    entity_id = entity["id"]
    entry = ListEntry(entity_id=f"{SOURCE}:{entity_id}", source=SOURCE, source_id=entity_id, kind=kind)
    names = _props(entity, "name")
    caption = clean_text(str(entity.get("caption") or ""))
    primary = caption if caption in names else (names[0] if names else caption)
    if primary:
        entry.names.append(make_name(primary))
    for name in names:
        if name != primary:
            entry.names.append(make_name(name, NameType.AKA))
    for prop, name_type in (("alias", NameType.AKA), ("previousName", NameType.FKA),
                            ("weakAlias", NameType.LOW_QUALITY)):
        for name in _props(entity, prop):
            entry.names.append(make_name(name, name_type))
    entry.names = dedupe(entry.names)
    entry.birth_dates = dedupe(_props(entity, "birthDate"))
    entry.nationalities = dedupe(c for c in (to_iso2(v) for v in _props(entity, "nationality")
                                             + _props(entity, "citizenship")) if c)
    entry.countries = dedupe(c for p in ("country", "jurisdiction", "mainCountry", "flag")
                             for c in (to_iso2(v) for v in _props(entity, p)) if c)
    for address_id in _props(entity, "addressEntity"):
        address = by_id.get(address_id)
        if address is None:
            continue
        full = (_props(address, "full") or [""])[0]
        cities = _props(address, "city")
        city = cities[0] if cities else None
        country = to_iso2((_props(address, "country") or [""])[0])
        if full:
            entry.addresses.append(PostalAddress(full, city, country))
    for text in _props(entity, "address"):
        entry.addresses.append(PostalAddress(text))
    entry.addresses = dedupe(entry.addresses)
    for prop, id_type in _ID_PROPS.items():
        for value in _props(entity, prop):
            entry.identifiers.append(Identifier(id_type, value))
    for program in _props(entity, "programId"):
        entry.programs.append(program)
    notes = _props(entity, "notes")
    entry.remarks = " | ".join(notes) or None
    return entry


def _sanction(entry: ListEntry, sanction: dict[str, Any]) -> None:
    entry.programs.extend(_props(sanction, "programId") or _props(sanction, "program"))
    dates = sorted(d[:10] for d in _props(sanction, "listingDate") + _props(sanction, "startDate"))
    if dates and (entry.listed_on is None or dates[0] < entry.listed_on):
        entry.listed_on = dates[0]


register_format(ListFormat(name="ftm_jsonl", source=SOURCE, detect=detect, parse=parse,
                           description="FollowTheMoney entities as JSON lines (OpenSanctions)"))
