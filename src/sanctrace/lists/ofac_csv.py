"""OFAC legacy CSV files (sdn.csv + add.csv + alt.csv + sdn_comments.csv) → ListEntry.

The four files form one publication and are parsed together: ``sdn.csv`` (12 columns, no
header, ``-0-`` for null) holds the entries; ``add.csv`` their addresses, ``alt.csv`` their
aliases, and ``sdn_comments.csv`` the **continuation** of the remarks column, which OFAC cuts at
about 1,000 characters — digital-currency addresses and identifiers often sit in that overflow,
so the remarks are re-joined before they are read.

Structured facts live only in the remarks text ("DOB 07 Oct 1952; nationality Russia;
Digital Currency Address - XBT 1A1z…; Passport 123 (Russia); Linked To: SOME COMPANY."): they
are split on ``;`` and read item by item. "Linked To:" names are resolved to entries by their
exact primary name. Rows of the companion files whose entity is missing from ``sdn.csv`` are
kept out and counted in the warnings (the files of one publication must be loaded together).
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Sequence
from pathlib import Path

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

SOURCE = "ofac"
_ROLES = {"sdn": 12, "add": 6, "alt": 5, "sdn_comments": 2}
_NULL = "-0-"
_KINDS = {"individual": EntityKind.PERSON, "vessel": EntityKind.VESSEL, "aircraft": EntityKind.AIRCRAFT,
          "": EntityKind.ORGANIZATION}
_ALIAS_TYPES = {"aka": NameType.AKA, "fka": NameType.FKA, "nka": NameType.NKA}
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), start=1)}
_CRYPTO = re.compile(r"^Digital Currency Address - ([A-Za-z0-9]+) (\S+)$")
_ALIAS = re.compile(r"^(a\.k\.a\.|f\.k\.a\.|n\.k\.a\.) '(.+)'$")
_ID_LABELS = {
    "Passport": "passport", "Diplomatic Passport": "passport", "National ID No.": "national_id",
    "Tax ID No.": "tax_id", "Registration Number": "registration", "Registration ID": "registration",
    "Business Registration Number": "registration", "Company Number": "registration",
    "Legal Entity Number": "lei", "SWIFT/BIC": "swift", "Website": "website", "Email Address": "email",
    "Phone Number": "phone", "MMSI": "mmsi", "Vessel Registration Identification": "imo",
    "Identification Number": "identification_number", "Cedula No.": "cedula", "C.U.R.P.": "curp",
    "R.F.C.": "rfc", "NIT #": "nit", "RUC #": "ruc", "V.A.T. Number": "vat", "D-U-N-S Number": "duns",
    "Government Gazette Number": "government_gazette_number", "Birth Certificate Number": "birth_certificate",
    "Citizen's Card Number": "citizen_card", "Chinese Commercial Code": "chinese_commercial_code",
    "Unified Social Credit Code (USCC)": "uscc", "BIK (RU)": "bik", "ISIN": "isin", "D.N.I.": "dni",
    "Driver's License No.": "drivers_license", "Trade License No.": "trade_license",
    "Aircraft Tail Number": "aircraft_tail_number", "Aircraft Manufacturer's Serial Number (MSN)": "aircraft_msn",
}
_ID_PATTERN = re.compile(
    r"^(" + "|".join(re.escape(k) for k in sorted(_ID_LABELS, key=len, reverse=True)) + r") (.+)$")


def _role(path: Path, head: bytes) -> str | None:
    stem = path.name.lower()
    for suffix in (".bz2", ".gz", ".zip"):
        stem = stem.removesuffix(suffix)
    stem = stem.removesuffix(".csv")
    if stem in _ROLES:
        return stem
    if not path.name.lower().endswith((".csv", ".csv.bz2", ".csv.gz", ".csv.zip")):
        return None
    first = head.split(b"\n", 1)[0].decode("utf-8", "replace").lstrip("\ufeff")
    try:
        row = next(csv.reader([first]))
    except (csv.Error, StopIteration):
        return None
    if not row or not row[0].strip().isdigit():
        return None
    for role, width in _ROLES.items():
        if len(row) == width:
            return role
    return None


def detect(path: Path, head: bytes) -> bool:
    return _role(path, head) is not None


def _rows(path: Path, role: str) -> tuple[list[tuple[int, list[str]]], str]:
    """(line number, cells) of a legacy CSV file, checked for width; also the file's sha256."""
    text, sha = read_text(path)
    width = _ROLES[role]
    out: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            line = reader.line_num
            if not row or row == ["\x1a"] or all(not c.strip() for c in row):
                continue
            if len(row) != width:
                raise ListSourceError.at(str(path), f"line {line}",
                                         f"expected {width} columns for {role}.csv, found {len(row)}")
            cells = [c.strip() for c in row]
            if not cells[0].isdigit():
                raise ListSourceError.at(str(path), f"line {line}", f"entity number {cells[0]!r} is not a number")
            out.append((line, [("" if c == _NULL else c) for c in cells]))
    except csv.Error as exc:
        raise ListSourceError.at(str(path), f"line {reader.line_num}", f"malformed CSV: {exc}") from exc
    return out, sha


def parse(paths: Sequence[Path]) -> ParsedList:
    files: dict[str, Path] = {}
    for path in paths:
        with open(path, "rb") as handle:
            head = handle.read(4096)
        role = _role(path, head)
        if role is None:
            raise ListSourceError.at(str(path), None, "not an OFAC legacy CSV file")
        if role in files:
            raise ListSourceError.at(str(path), None, f"two {role}.csv files in one load ({files[role].name})")
        files[role] = path
    if "sdn" not in files:
        names = ", ".join(p.name for p in files.values())
        raise ListSourceError(f"{names}: OFAC legacy CSV companions need their sdn.csv in the same load")
    parsed: dict[str, list[tuple[int, list[str]]]] = {}
    hashes: list[str] = []
    for role, path in sorted(files.items()):
        parsed[role], sha = _rows(path, role)
        hashes.append(f"{role}:{sha}")
    warnings: list[str] = []
    overflow: dict[str, str] = {}
    for _, (ent, text) in parsed.get("sdn_comments", []):
        overflow[ent] = overflow.get(ent, "") + text

    entries: dict[str, ListEntry] = {}
    remarks_of: dict[str, str] = {}
    for line, cells in parsed["sdn"]:
        ent, name, sdn_type, program, title, call_sign, vess_type, _tonnage, _grt, flag, owner, remarks = cells
        if ent in entries:
            raise ListSourceError.at(str(files["sdn"]), f"line {line}", f"duplicate entity number {ent}")
        if not name:
            raise ListSourceError.at(str(files["sdn"]), f"line {line}", f"entity {ent} has no name")
        kind = _KINDS.get(sdn_type.lower())
        if kind is None:
            raise ListSourceError.at(str(files["sdn"]), f"line {line}", f"unknown SDN type {sdn_type!r}")
        entry = ListEntry(entity_id=f"{SOURCE}:{ent}", source=SOURCE, source_id=ent, kind=kind)
        entry.names.append(make_name(name))
        entry.programs = [p.strip() for p in program.strip("[] ").split("] [") if p.strip()]
        if call_sign:
            entry.identifiers.append(Identifier("call_sign", call_sign))
        flag_code = to_iso2(flag)
        if flag_code:
            entry.countries.append(flag_code)
        full_remarks = (remarks + overflow.pop(ent, "")).strip()
        extra = [f"{label}: {value}" for label, value in (("Title", title), ("Vessel type", vess_type),
                                                          ("Vessel owner", owner)) if value]
        entry.remarks = "; ".join([*extra, full_remarks] if full_remarks else extra) or None
        remarks_of[ent] = full_remarks
        entries[ent] = entry
    for ent in overflow:
        warnings.append(f"{files['sdn_comments']}: entity {ent}: remarks overflow for an entity not in sdn.csv")

    by_name: dict[str, list[str]] = {}
    for ent, entry in entries.items():
        by_name.setdefault(entry.names[0].full.upper(), []).append(ent)
    unresolved = 0
    for ent, entry in entries.items():
        unresolved += _read_remarks(entry, remarks_of[ent], by_name)
    if unresolved:
        warnings.append(f"{files['sdn']}: {unresolved} 'Linked To' names match no primary name; kept in remarks")

    orphans = {"add": 0, "alt": 0}
    for _line, (ent, _num, address, city, country, add_remarks) in parsed.get("add", []):
        located = entries.get(ent)
        if located is None:
            orphans["add"] += 1
            continue
        code = to_iso2(country)
        if code:
            located.countries.append(code)
        text = ", ".join(p for p in (address, city, country, add_remarks) if p)
        if text:
            located.addresses.append(PostalAddress(text, city or None, code))
    for line, (ent, _num, alt_type, alt_name, _alt_remarks) in parsed.get("alt", []):
        aliased = entries.get(ent)
        if aliased is None:
            orphans["alt"] += 1
            continue
        if not alt_name:
            raise ListSourceError.at(str(files["alt"]), f"line {line}", f"alias of entity {ent} has no name")
        name_type = _ALIAS_TYPES.get(alt_type.lower().replace(".", ""), NameType.AKA)
        if "weak" in _alt_remarks.lower():
            name_type = NameType.LOW_QUALITY
        aliased.names.append(make_name(alt_name, name_type))
    for role, count in orphans.items():
        if count:
            warnings.append(f"{files[role]}: {count} rows name entities missing from {files['sdn'].name}; kept out")
    for entry in entries.values():
        entry.names = dedupe(entry.names)
        entry.countries = dedupe(entry.countries)
        entry.nationalities = dedupe(entry.nationalities)
        entry.birth_dates = dedupe(entry.birth_dates)
        entry.addresses = dedupe(entry.addresses)
    digest = hashlib.sha256("\n".join(hashes).encode()).hexdigest()
    return ParsedList(source=SOURCE, format="ofac_legacy_csv",
                      file_name="+".join(files[r].name for r in _ROLES if r in files), file_sha256=digest,
                      published=None, entries=list(entries.values()), warnings=warnings)


def _read_remarks(entry: ListEntry, remarks: str, by_name: dict[str, list[str]]) -> int:
    """Structured facts from the remarks items; returns the number of unresolved "Linked To" names."""
    unresolved = 0
    items = remarks.split(";")
    for index, raw in enumerate(items):
        item = raw.strip()
        if index == len(items) - 1:
            item = item.removesuffix(".")
        if item.startswith("alt. "):
            item = item[5:]
        if not item:
            continue
        if item.startswith("DOB "):
            entry.birth_dates.extend(_dob(item[4:]))
        elif item.startswith(("nationality ", "citizen ")):
            code = to_iso2(item.split(" ", 1)[1])
            if code:
                entry.nationalities.append(code)
        elif (match := _CRYPTO.match(item)) is not None:
            entry.crypto_addresses.append(CryptoAddress(match.group(1).upper(), match.group(2).rstrip(".")))
        elif (match := _ALIAS.match(item.rstrip("."))) is not None:
            entry.names.append(make_name(match.group(2), _ALIAS_TYPES[match.group(1).replace(".", "")]))
        elif item.startswith("Linked To: "):
            target = item[len("Linked To: "):].rstrip(".").strip().upper()
            ids = by_name.get(target, [])
            if len(ids) == 1:
                entry.relations.append(EntryRelation("linked_to", f"{SOURCE}:{ids[0]}"))
            else:
                unresolved += 1
        elif (match := _ID_PATTERN.match(item)) is not None:
            value, country = _value_country(match.group(2))
            if value:
                entry.identifiers.append(Identifier(_ID_LABELS[match.group(1)], value, country))
    return unresolved


def _value_country(text: str) -> tuple[str, str | None]:
    """``"AM5421691 (Venezuela) expires 2023"`` → ``("AM5421691", "VE")``."""
    match = re.match(r"^(.*?)\s*\(([^()]+)\)(?:\s.*)?$", text)
    if match:
        return match.group(1).strip(), to_iso2(match.group(2))
    return (clean_text(text.split(" issued ")[0].split(" expires ")[0]) or ""), None


def _dob(text: str) -> list[str]:
    """``07 Oct 1952`` / ``Oct 1952`` / ``1952`` / ``circa 1960`` / ``1970 to 1972`` → ISO dates."""
    text = text.replace("circa ", "").strip()
    if " to " in text:
        start, end = (_one_date(p) for p in text.split(" to ", 1))
        if start and end and len(start) == 4 and len(end) == 4 and 0 <= int(end) - int(start) < 10:
            return [str(y) for y in range(int(start), int(end) + 1)]
        return [d for d in (start, end) if d]
    one = _one_date(text)
    return [one] if one else []


def _one_date(text: str) -> str | None:
    parts = text.strip().rstrip(".").split()
    try:
        if len(parts) == 3:
            return f"{int(parts[2]):04d}-{_MONTHS[parts[1][:3].lower()]:02d}-{int(parts[0]):02d}"
        if len(parts) == 2:
            return f"{int(parts[1]):04d}-{_MONTHS[parts[0][:3].lower()]:02d}"
        if len(parts) == 1 and parts[0].isdigit():
            return f"{int(parts[0]):04d}"
    except (KeyError, ValueError):
        return None
    return None


register_format(ListFormat(name="ofac_legacy_csv", source=SOURCE, detect=detect, parse=parse, multi_file=True,
                           description="OFAC legacy CSV: sdn.csv with add.csv, alt.csv, sdn_comments.csv"))
