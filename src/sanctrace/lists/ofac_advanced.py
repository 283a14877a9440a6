"""OFAC SDN_ADVANCED.XML (the "advanced" sanctions list service export) → ListEntry.

The file is a relational dump in XML: reference tables first (alias types, countries, feature
types, programs…), then Locations and IDRegDocuments, then DistinctParties, then
ProfileRelationships and SanctionsEntries that point back at parties by profile id. It is
streamed with lxml ``iterparse`` (121 MB decompressed) and each section's records are cleared as
soon as they are read; only the small per-party results are kept until the end, when
relations and programs are attached.

Nothing is hard-coded except the English labels of the reference values (``"A.K.A."``,
``"Owned or Controlled By"``, ``"Digital Currency Address - XBT"``): numeric ids are resolved
through the file's own reference tables, and elements are matched by local name whatever
namespace the root element declares (OFAC moved it in 2024).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from sanctrace.errors import ListSourceError
from sanctrace.lists.common import dedupe, make_name, slug
from sanctrace.lists.countries import to_iso2
from sanctrace.lists.registry import ListFormat, register_format
from sanctrace.lists.sourcefile import iter_xml, local, sha256_file, text_of
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

SOURCE = "ofac"
_CRYPTO_PREFIX = "Digital Currency Address - "

_ALIAS_TYPES = {"Name": NameType.PRIMARY, "A.K.A.": NameType.AKA, "F.K.A.": NameType.FKA,
                "N.K.A.": NameType.NKA}
_COUNTRY_FEATURES = {"Registration Country", "Nationality of Registration", "Vessel Flag",
                     "Former Vessel Flag", "Other Vessel Flag"}
_NATIONALITY_FEATURES = {"Nationality Country", "Citizenship Country"}
_REMARK_FEATURES = {"Place of Birth", "Gender", "Title", "VESSEL TYPE", "Vessel Owner",
                    "Organization Type:", "Organization Established Date", "Target Type",
                    "Aircraft Model", "Aircraft Operator", "Vessel Year of Build"}
_IDENTIFIER_FEATURES = {
    "SWIFT/BIC": "swift", "Website": "website", "Email Address": "email", "Phone Number": "phone",
    "Vessel Call Sign": "call_sign", "Other Vessel Call Sign": "call_sign", "MICEX Code": "micex",
    "ISIN": "isin", "Equity Ticker": "ticker", "D-U-N-S Number": "duns", "BIK (RU)": "bik",
    "UN/LOCODE": "un_locode", "Aircraft Tail Number": "aircraft_tail_number",
    "Previous Aircraft Tail Number": "aircraft_tail_number",
    "Aircraft Manufacturer's Serial Number (MSN)": "aircraft_msn",
    "Aircraft Mode S Transponder Code": "aircraft_mode_s",
}
_DOC_TYPES = {
    "Passport": "passport", "Diplomatic Passport": "passport", "National ID No.": "national_id",
    "Tax ID No.": "tax_id", "Registration Number": "registration", "Registration ID": "registration",
    "Business Registration Number": "registration", "Company Number": "registration",
    "Vessel Registration Identification": "imo", "Legal Entity Number": "lei", "SWIFT/BIC": "swift",
}


@dataclass(slots=True)
class _Location:
    text: str
    city: str | None
    country: str | None


@dataclass(slots=True)
class _Refs:
    """The file's reference tables: table name → id → (text, attributes)."""

    tables: dict[str, dict[str, tuple[str, dict[str, str]]]] = field(default_factory=dict)

    def text(self, table: str, key: str | None) -> str:
        if key is None:
            return ""
        return self.tables.get(table, {}).get(key, ("", {}))[0]

    def attr(self, table: str, key: str | None, name: str) -> str | None:
        if key is None:
            return None
        return self.tables.get(table, {}).get(key, ("", {}))[1].get(name)


def detect(path: Path, head: bytes) -> bool:
    return b"<Sanctions" in head and (b"ADVANCED_XML" in head or b"un.org/sanctions/1.0" in head
                                      or b"<ReferenceValueSets" in head)


def parse(paths: Sequence[Path]) -> ParsedList:
    (path,) = paths
    return _Parser(path).run()


class _Parser:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.refs = _Refs()
        self.locations: dict[str, _Location] = {}
        self.documents: dict[str, list[Identifier]] = {}  # identity id → documents
        self.entries: dict[str, ListEntry] = {}  # profile id → entry
        self.published: str | None = None
        self.warnings: list[str] = []
        self._countries: dict[str, str] | None = None

    def run(self) -> ParsedList:
        depth = 0
        section = ""
        root_seen = False
        for event, element in iter_xml(self.path):
            if event == "start":
                depth += 1
                if depth == 1:
                    root_seen = True
                    if local(element.tag) != "Sanctions":
                        raise ListSourceError.at(str(self.path), "root element",
                                                 f"expected <Sanctions>, found <{local(element.tag)}>")
                elif depth == 2:
                    section = local(element.tag)
                continue
            depth -= 1
            if depth == 2 and section != "DateOfIssue":
                self._record(section, element)
                element.clear()
                parent = element.getparent()
                if parent is not None:
                    while element.getprevious() is not None:
                        del parent[0]
            elif depth == 1:
                if section == "DateOfIssue":
                    self.published = _iso_date(element)
                element.clear()
        if not root_seen:
            raise ListSourceError.at(str(self.path), None, "no root element")
        entries = list(self.entries.values())
        for entry in entries:
            entry.programs = dedupe(entry.programs)
        return ParsedList(
            source=SOURCE, format="ofac_advanced_xml", file_name=self.path.name,
            file_sha256=sha256_file(self.path), published=self.published, entries=entries,
            warnings=self.warnings,
        )

    # -- one record of a top-level section -------------------------------------------------
    def _record(self, section: str, element: etree._Element) -> None:
        if section == "ReferenceValueSets":
            self._reference_table(element)
        elif section == "Locations":
            self._location(element)
        elif section == "IDRegDocuments":
            self._document(element)
        elif section == "DistinctParties":
            self._party(element)
        elif section == "ProfileRelationships":
            self._relationship(element)
        elif section == "SanctionsEntries":
            self._sanctions_entry(element)

    def _where(self, element: etree._Element) -> str:
        return f"line {element.sourceline} <{local(element.tag)} ID={element.get('ID') or element.get('FixedRef')}>"

    def _reference_table(self, group: etree._Element) -> None:
        for item in group:
            name = local(item.tag)
            key = item.get("ID")
            if not name or key is None:
                continue
            attrs = {str(k): str(v) for k, v in item.attrib.items()}
            self.refs.tables.setdefault(name, {})[key] = ((item.text or "").strip(), attrs)

    def _location(self, element: etree._Element) -> None:
        parts: list[str] = []
        city: str | None = None
        for part in element:
            if local(part.tag) != "LocationPart":
                continue
            part_type = self.refs.text("LocPartType", part.get("LocPartTypeID"))
            value = None
            for value_el in part:
                if local(value_el.tag) == "LocationPartValue":
                    for child in value_el:
                        if local(child.tag) == "Value":
                            value = text_of(child)
            if value:
                parts.append(value)
                if part_type == "CITY":
                    city = value
        country: str | None = None
        for child in element:
            if local(child.tag) == "LocationCountry":
                country_id = child.get("CountryID")
                country = self.refs.attr("Country", country_id, "ISO2")
                name = self.refs.text("Country", country_id)
                if name:
                    parts.append(name)
        if country is None:
            # Nationality locations carry the country only as a free-text part ("China").
            country = self._country(parts[-1]) if len(parts) == 1 else None
        key = element.get("ID")
        if key is not None:
            self.locations[key] = _Location(", ".join(parts), city, country or None)

    def _country(self, name: str | None) -> str | None:
        """A country name → ISO-2, from the file's own Country table first (cheap and exact)."""
        if not name:
            return None
        if self._countries is None:
            self._countries = {text.lower(): attrs.get("ISO2", "")
                               for text, attrs in self.refs.tables.get("Country", {}).values()}
        return self._countries.get(name.strip().lower()) or to_iso2(name)

    def _document(self, element: etree._Element) -> None:
        identity = element.get("IdentityID")
        label = self.refs.text("IDRegDocType", element.get("IDRegDocTypeID"))
        number = None
        for child in element:
            if local(child.tag) == "IDRegistrationNo":
                number = text_of(child)
        if identity is None or not number:
            return
        country = self.refs.attr("Country", element.get("IssuedBy-CountryID"), "ISO2")
        id_type = _DOC_TYPES.get(label, slug(label) or "document")
        self.documents.setdefault(identity, []).append(Identifier(id_type, number, country or None))

    def _party(self, element: etree._Element) -> None:
        fixed_ref = element.get("FixedRef")
        if not fixed_ref:
            raise ListSourceError.at(str(self.path), self._where(element), "DistinctParty without FixedRef")
        for profile in element:
            if local(profile.tag) != "Profile":
                continue
            entry = self._profile(fixed_ref, profile)
            if not entry.names:
                raise ListSourceError.at(str(self.path), self._where(element), "party without any name")
            self.entries[profile.get("ID") or fixed_ref] = entry

    def _profile(self, fixed_ref: str, profile: etree._Element) -> ListEntry:
        sub_type = profile.get("PartySubTypeID")
        sub_label = self.refs.text("PartySubType", sub_type)
        party_type = self.refs.text("PartyType", self.refs.attr("PartySubType", sub_type, "PartyTypeID"))
        kind = {"Vessel": EntityKind.VESSEL, "Aircraft": EntityKind.AIRCRAFT}.get(sub_label) or {
            "Individual": EntityKind.PERSON, "Entity": EntityKind.ORGANIZATION,
        }.get(party_type, EntityKind.UNKNOWN)
        entry = ListEntry(entity_id=f"{SOURCE}:{fixed_ref}", source=SOURCE, source_id=fixed_ref, kind=kind)
        remarks: list[str] = []
        for child in profile:
            tag = local(child.tag)
            if tag == "Identity":
                self._identity(entry, child)
            elif tag == "Feature":
                self._feature(entry, child, remarks)
        entry.nationalities = dedupe(entry.nationalities)
        entry.countries = dedupe(entry.countries)
        entry.birth_dates = dedupe(entry.birth_dates)
        entry.remarks = "; ".join(dedupe(remarks)) or None
        return entry

    def _identity(self, entry: ListEntry, identity: etree._Element) -> None:
        for alias in identity:
            if local(alias.tag) != "Alias":
                continue
            label = self.refs.text("AliasType", alias.get("AliasTypeID"))
            name_type = _ALIAS_TYPES.get(label, NameType.AKA)
            if alias.get("LowQuality") == "true":
                name_type = NameType.LOW_QUALITY
            for documented in alias:
                if local(documented.tag) != "DocumentedName":
                    continue
                parts = [text_of(value) for value in documented.iter("{*}NamePartValue")]
                full = " ".join(p for p in parts if p)
                if full:
                    entry.names.append(make_name(full, name_type))
        entry.identifiers.extend(self.documents.pop(identity.get("ID") or "", []))

    def _feature(self, entry: ListEntry, feature: etree._Element, remarks: list[str]) -> None:
        label = self.refs.text("FeatureType", feature.get("FeatureTypeID"))
        for version in feature:
            if local(version.tag) != "FeatureVersion":
                continue
            detail: str | None = None
            location: _Location | None = None
            for child in version:
                tag = local(child.tag)
                if tag == "VersionDetail":
                    detail = text_of(child) or self.refs.text("DetailReference", child.get("DetailReferenceID")) \
                        or None
                elif tag == "VersionLocation":
                    location = self.locations.get(child.get("LocationID") or "")
                elif tag == "DatePeriod" and label == "Birthdate":
                    entry.birth_dates.extend(_period_dates(child))
            if label.startswith(_CRYPTO_PREFIX) and detail:
                entry.crypto_addresses.append(CryptoAddress(label[len(_CRYPTO_PREFIX):].strip(), detail))
            elif label in _NATIONALITY_FEATURES:
                if location and location.country:
                    entry.nationalities.append(location.country)
            elif label == "Location" and location is not None:
                if location.country:
                    entry.countries.append(location.country)
                if location.text:
                    entry.addresses.append(PostalAddress(location.text, location.city, location.country))
            elif label in _COUNTRY_FEATURES:
                code = (location.country if location else None) or self._country(detail)
                if code:
                    entry.countries.append(code)
            elif label in _IDENTIFIER_FEATURES and detail:
                entry.identifiers.append(Identifier(_IDENTIFIER_FEATURES[label], detail))
            elif label in _REMARK_FEATURES and detail:
                remarks.append(f"{label.rstrip(':')}: {detail}")

    def _relationship(self, element: etree._Element) -> None:
        source = self.entries.get(element.get("From-ProfileID") or "")
        target = self.entries.get(element.get("To-ProfileID") or "")
        relation = slug(self.refs.text("RelationType", element.get("RelationTypeID")))
        if source is None or target is None or not relation:
            self.warnings.append(f"{self.path}: {self._where(element)}: relation to an unknown profile, kept out")
            return
        if element.get("Former") == "true":
            relation = f"former_{relation}"
        source.relations.append(EntryRelation(relation, target.entity_id))

    def _sanctions_entry(self, element: etree._Element) -> None:
        entry = self.entries.get(element.get("ProfileID") or "")
        if entry is None:
            self.warnings.append(f"{self.path}: {self._where(element)}: sanctions entry for an unknown profile")
            return
        for child in element:
            tag = local(child.tag)
            if tag == "EntryEvent":
                for date_el in child:
                    if local(date_el.tag) == "Date":
                        listed = _iso_date(date_el)
                        if listed and (entry.listed_on is None or listed < entry.listed_on):
                            entry.listed_on = listed
            elif tag == "SanctionsMeasure":
                if self.refs.text("SanctionsType", child.get("SanctionsTypeID")) != "Program":
                    continue
                for comment in child:
                    if local(comment.tag) == "Comment" and text_of(comment):
                        entry.programs.append(text_of(comment) or "")


def _ymd(element: etree._Element | None) -> tuple[int, int, int] | None:
    if element is None:
        return None
    values: dict[str, int] = {}
    for child in element:
        text = text_of(child)
        if text and text.isdigit():
            values[local(child.tag)] = int(text)
    if "Year" not in values:
        return None
    return values["Year"], values.get("Month", 0), values.get("Day", 0)


def _fmt(date: tuple[int, int, int]) -> str:
    year, month, day = date
    if not month:
        return f"{year:04d}"
    if not day:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}-{month:02d}-{day:02d}"


def _iso_date(element: etree._Element) -> str | None:
    date = _ymd(element)
    return _fmt(date) if date else None


def _period_dates(period: etree._Element) -> list[str]:
    """A DatePeriod → ISO dates: one exact day, whole years ("1952"), a month, or both ends."""
    start = _ymd(period.find("{*}Start/{*}From"))
    end = _ymd(period.find("{*}End/{*}To"))
    if start is None:
        return []
    if end is None or start == end:
        return [_fmt(start)]
    if start[1:] == (1, 1) and end[1:] == (12, 31) and end[0] - start[0] < 10:
        return [f"{year:04d}" for year in range(start[0], end[0] + 1)]
    if start[:2] == end[:2] and start[2] == 1:
        return [_fmt((start[0], start[1], 0))]
    return [_fmt(start), _fmt(end)]


register_format(ListFormat(
    name="ofac_advanced_xml", source=SOURCE, detect=detect, parse=parse,
    description="OFAC SDN_ADVANCED.XML (plain, .bz2 or .zip)",
))
