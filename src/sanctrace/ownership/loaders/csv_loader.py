"""The documented CSV layout (``docs/parties-csv.md``): a parties file and a relations file,
told apart by their header (``party_id`` vs ``source_id``/``target_id``). Multi-valued cells use
``|``. Every problem names the file and the line; nothing is guessed.
"""

from __future__ import annotations

import csv
from pathlib import Path

from sanctrace.errors import InputError
from sanctrace.model.party import (
    KeyType,
    Listing,
    NameForm,
    NameType,
    Party,
    PartyKey,
    PartyKind,
    Relation,
    RelationType,
)
from sanctrace.ownership.loaders.common import (
    check_range,
    checked_identifier,
    is_representative_role,
    make_name,
    parse_percent,
)
from sanctrace.ownership.store import LoadBatch

_KEY_COLUMNS = {
    "addresses": KeyType.ADDRESS, "phones": KeyType.PHONE, "emails": KeyType.EMAIL, "devices": KeyType.DEVICE,
    "ips": KeyType.IP, "bank_accounts": KeyType.BANK_ACCOUNT, "wallets": KeyType.WALLET,
}
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"", "0", "false", "no", "n", "f"}
PARTY_COLUMNS = ("party_id", "kind", "legal_name", "local_name", "phonetic_name", "aliases", "is_customer",
                 "jurisdiction", "countries", "birth_date", "incorporation_date", "identifiers", "listed",
                 "monthly_volume_minor", "volume_currency", *_KEY_COLUMNS)
RELATION_COLUMNS = ("source_id", "target_id", "relation", "share", "share_min", "share_max", "start_date",
                    "end_date", "role")


def _multi(cell: str | None) -> list[str]:
    return [v.strip() for v in (cell or "").split("|") if v.strip()]


def _bool(cell: str | None, source: str, where: str, column: str) -> bool:
    value = (cell or "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise InputError.at(source, where, f"{column} must be true or false, not {cell!r}")


def load_csv(path: Path) -> LoadBatch:
    source = str(path)
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InputError(f"{source}: cannot open: {exc.strerror}") from exc
    with handle:
        reader = csv.DictReader(handle)
        header = [h.strip() for h in (reader.fieldnames or [])]
        if "party_id" in header:
            return _parties(reader, source, header)
        if "source_id" in header and "target_id" in header:
            return _relations(reader, source, header)
    raise InputError.at(source, "line 1", "header has neither party_id (parties file) nor source_id and "
                        "target_id (relations file); see docs/parties-csv.md")


def _check_header(header: list[str], known: tuple[str, ...], source: str) -> None:
    unknown = [h for h in header if h not in known]
    if unknown:
        raise InputError.at(source, "line 1", f"unknown column(s) {', '.join(unknown)}; "
                            f"known: {', '.join(known)}")


def _parties(reader: csv.DictReader[str], source: str, header: list[str]) -> LoadBatch:
    _check_header(header, PARTY_COLUMNS, source)
    batch = LoadBatch(source)
    seen: set[str] = set()
    for row in reader:
        where = f"line {reader.line_num}"
        party_id = (row.get("party_id") or "").strip()
        if not party_id:
            raise InputError.at(source, where, "party_id is empty")
        if party_id in seen:
            raise InputError.at(source, where, f"party_id {party_id!r} appears twice")
        seen.add(party_id)
        kind_text = (row.get("kind") or "").strip().lower()
        try:
            kind = PartyKind(kind_text)
        except ValueError:
            raise InputError.at(source, where, f"kind {kind_text!r} is not one of "
                                f"{', '.join(k.value for k in PartyKind)}") from None
        names = []
        if (row.get("legal_name") or "").strip():
            names.append(make_name(row["legal_name"], NameType.LEGL, NameForm.LEGAL))
        for local in _multi(row.get("local_name")):
            names.append(make_name(local, NameType.LEGL, NameForm.LOCAL))
        for phonetic in _multi(row.get("phonetic_name")):
            names.append(make_name(phonetic, NameType.LEGL, NameForm.PHONETIC))
        for alias in _multi(row.get("aliases")):
            names.append(make_name(alias, NameType.ALIA if kind.is_natural else NameType.TRAD))
        if not names:
            raise InputError.at(source, where, "a party needs legal_name or local_name")
        identifiers = []
        for item in _multi(row.get("identifiers")):
            parts = item.split(":")
            if len(parts) not in (2, 3) or not parts[0] or not parts[1]:
                raise InputError.at(source, where, f"identifier {item!r} must be type:value or "
                                    "type:value:country")
            identifiers.append(checked_identifier(parts[0].strip().lower(), parts[1],
                                                  parts[2] if len(parts) == 3 else None, source, where))
        keys = [PartyKey(key_type, value) for column, key_type in _KEY_COLUMNS.items()
                for value in _multi(row.get(column))]
        listings = []
        for item in _multi(row.get("listed")):
            if item.lower() in _TRUE:
                listings.append(Listing("any", None, source))
            elif item.lower() not in _FALSE:
                regime, _, program = item.partition(":")
                listings.append(Listing(regime.strip().lower(), program.strip() or None, source))
        volume_text = (row.get("monthly_volume_minor") or "").strip()
        volume = None
        if volume_text:
            if not volume_text.isdigit():
                raise InputError.at(source, where, f"monthly_volume_minor {volume_text!r} must be a "
                                    "non-negative integer in minor units")
            volume = int(volume_text)
        batch.parties.append(Party(
            party_id=party_id, kind=kind, names=names, identifiers=identifiers, keys=keys, listings=listings,
            is_customer=_bool(row.get("is_customer"), source, where, "is_customer"),
            jurisdiction=(row.get("jurisdiction") or "").strip().lower() or None,
            countries=[c.lower() for c in _multi(row.get("countries"))],
            birth_date=(row.get("birth_date") or "").strip() or None,
            incorporation_date=(row.get("incorporation_date") or "").strip() or None,
            monthly_volume_minor=volume, volume_currency=(row.get("volume_currency") or "").strip() or None,
            source=source, record=f"{source}: {where}"))
    return batch


def _relations(reader: csv.DictReader[str], source: str, header: list[str]) -> LoadBatch:
    _check_header(header, RELATION_COLUMNS, source)
    batch = LoadBatch(source)
    seen: set[tuple[str, str, str, str]] = set()
    for row in reader:
        where = f"line {reader.line_num}"
        s = (row.get("source_id") or "").strip()
        t = (row.get("target_id") or "").strip()
        if not s or not t:
            raise InputError.at(source, where, "source_id and target_id are required")
        rel_text = (row.get("relation") or "ownership").strip().lower()
        try:
            rel = RelationType(rel_text)
        except ValueError:
            raise InputError.at(source, where, f"relation {rel_text!r} is not one of "
                                f"{', '.join(r.value for r in RelationType)}") from None
        if s == t:
            raise InputError.at(source, where, f"{s!r} cannot hold a {rel.value} relation to itself "
                                "(self-ownership)")
        start = (row.get("start_date") or "").strip() or None
        marker = (s, t, rel.value, start or "")
        if marker in seen:
            raise InputError.at(source, where, f"{rel.value} {s} -> {t} appears twice; put one stake per pair")
        seen.add(marker)
        lo = hi = None
        share = (row.get("share") or "").strip()
        smin = (row.get("share_min") or "").strip()
        smax = (row.get("share_max") or "").strip()
        if share and (smin or smax):
            raise InputError.at(source, where, "give either share or share_min/share_max, not both")
        if share:
            lo = hi = parse_percent(share, source, where)
        elif smin or smax:
            lo = parse_percent(smin, source, where) if smin else 0.0
            hi = parse_percent(smax, source, where) if smax else 1.0
            lo, hi = check_range(lo, hi, source, where)
        if rel.has_share and lo is None:
            if rel is not RelationType.OWNED_OR_CONTROLLED:
                raise InputError.at(source, where, f"{rel.value} needs share (or share_min/share_max)")
        elif not rel.has_share and lo is not None:
            raise InputError.at(source, where, f"{rel.value} relations carry no share")
        role = (row.get("role") or "").strip() or None
        if rel is RelationType.DIRECTOR and is_representative_role(role):
            rel = RelationType.REPRESENTATIVE_DIRECTOR
        batch.relations.append(Relation(s, t, rel, lo, hi, start, (row.get("end_date") or "").strip() or None,
                                        role, f"{source}: {where}"))
    return batch
