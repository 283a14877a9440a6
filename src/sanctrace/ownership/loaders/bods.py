"""Beneficial Ownership Data Standard 0.4 JSON (a JSON array of statements, or JSON lines).

Entity and person statements become parties (id ``bods:<recordId>``); relationship statements
become one relation per interest. Share ranges keep their ``minimum``/``maximum`` (or ``exact``);
an exclusive bound moves by 0.0001 percentage points inwards, so "more than 50%" stays above 50%.
Interests marked ``indirect`` are not edges — the chain of direct interests already carries them,
and adding both would count the same stake twice; each is listed in the load warnings. Statements
in the older 0.2/0.3 shape (``statementType``, ``describedByEntityStatement``) are read too.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sanctrace.errors import InputError
from sanctrace.model.party import (
    KeyType,
    NameForm,
    NameType,
    Party,
    PartyKey,
    PartyKind,
    Relation,
    RelationType,
)
from sanctrace.ownership.loaders.common import check_percent, check_range, checked_identifier, make_name
from sanctrace.ownership.store import LoadBatch, LoadWarning

_EXCLUSIVE_STEP = 1e-6
_INTERESTS = {
    "shareholding": RelationType.OWNERSHIP,
    "votingRights": RelationType.VOTING,
    "appointmentOfBoard": RelationType.BOARD_APPOINTMENT,
    "otherInfluenceOrControl": RelationType.DOMINANT_INFLUENCE,
    "controlViaCompanyRulesOrArticles": RelationType.DOMINANT_INFLUENCE,
    "rightsGrantedByContract": RelationType.DOMINANT_INFLUENCE,
    "seniorManagingOfficial": RelationType.REPRESENTATIVE_DIRECTOR,
    "boardMember": RelationType.DIRECTOR,
    "boardChair": RelationType.DIRECTOR,
}
_SCHEMES = {"XI-LEI": "lei", "JP-JCN": "jp_corporate_number", "GB-COH": "registration",
            "RU-INN": "tax_id", "RU-OGRN": "registration"}
_NAME_TYPES = {"legal": NameType.LEGL, "individual": NameType.LEGL, "alternative": NameType.ALIA,
               "former": NameType.FORMER, "birth": NameType.BIRT, "translation": NameType.MISC,
               "transliteration": NameType.MISC}


def _ref(value: Any) -> str | None:
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        for key in ("describedByEntityStatement", "describedByPersonStatement"):
            if isinstance(value.get(key), str):
                return str(value[key])
    return None


def _code(value: Any) -> str | None:
    if isinstance(value, dict):
        value = value.get("code")
    return value.lower() if isinstance(value, str) and value else None


def _read(path: Path) -> list[tuple[str, dict[str, Any]]]:
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{source}: cannot open: {exc.strerror}") from exc
    stripped = text.lstrip()
    if stripped.startswith("["):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise InputError.at(source, f"line {exc.lineno}", f"not JSON: {exc.msg}") from None
        return [(f"statement {i}", s) for i, s in enumerate(data)]
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            try:
                out.append((f"line {n}", json.loads(line)))
            except json.JSONDecodeError as exc:
                raise InputError.at(source, f"line {n}", f"not JSON: {exc.msg}") from None
    return out


def _details(statement: dict[str, Any]) -> dict[str, Any]:
    """0.4 nests the record in recordDetails; older versions keep it at the top level."""
    nested = statement.get("recordDetails")
    return nested if isinstance(nested, dict) else statement


def _kind(statement: dict[str, Any]) -> str:
    record_type = statement.get("recordType")
    if record_type:
        return str(record_type)
    legacy = {"entityStatement": "entity", "personStatement": "person",
              "ownershipOrControlStatement": "relationship"}
    return legacy.get(str(statement.get("statementType")), "")


def load_bods(path: Path) -> LoadBatch:
    source = str(path)
    batch = LoadBatch(source)
    statements = _read(path)
    parties: dict[str, Party] = {}
    for where, st in statements:
        if not isinstance(st, dict):
            raise InputError.at(source, where, "a BODS statement must be a JSON object")
        kind = _kind(st)
        if kind not in ("entity", "person"):
            continue
        record_id = st.get("recordId") or st.get("statementId") or st.get("statementID")
        if not isinstance(record_id, str) or not record_id:
            raise InputError.at(source, where, "statement has no recordId")
        details = _details(st)
        party = _entity(details, source, where) if kind == "entity" else _person(details, source, where)
        party.party_id = f"bods:{record_id}"
        party.record = f"{source}: {where}"
        parties[party.party_id] = party  # a later statement about the same record replaces it
    for where, st in statements:
        if _kind(st) != "relationship":
            continue
        details = _details(st)
        batch.relations.extend(_relationship(details, source, where, batch))
    batch.parties = list(parties.values())
    return batch


def _common(details: dict[str, Any], party: Party, source: str, where: str) -> None:
    for ident in details.get("identifiers") or []:
        scheme = str(ident.get("scheme") or "")
        value = str(ident.get("id") or "")
        if not value:
            continue
        id_type = _SCHEMES.get(scheme) or ("passport" if "PASSPORT" in scheme.upper() else "registration")
        party.identifiers.append(checked_identifier(id_type, value, scheme[:2] or None, source, where))
    for address in details.get("addresses") or []:
        if isinstance(address, dict) and address.get("address"):
            party.keys.append(PartyKey(KeyType.ADDRESS, str(address["address"])))


def _entity(details: dict[str, Any], source: str, where: str) -> Party:
    names = [make_name(str(details["name"]), NameType.LEGL)] if details.get("name") else []
    names += [make_name(str(n), NameType.TRAD) for n in details.get("alternateNames") or []]
    entity_type = details.get("entityType")
    entity_type = entity_type.get("type") if isinstance(entity_type, dict) else entity_type
    jurisdiction = _code(details.get("jurisdiction")) or _code(details.get("incorporatedInJurisdiction"))
    party = Party("", PartyKind.COMPANY if entity_type in (None, "registeredEntity") else PartyKind.LEGAL_ENTITY,
                  names=names, jurisdiction=jurisdiction, incorporation_date=details.get("foundingDate"),
                  source=source)
    _common(details, party, source, where)
    if not names:
        raise InputError.at(source, where, "entity statement has no name")
    return party


def _person(details: dict[str, Any], source: str, where: str) -> Party:
    names = []
    for n in details.get("names") or []:
        full = n.get("fullName") or " ".join(str(n[k]) for k in ("givenName", "familyName") if n.get(k))
        if full:
            form = NameForm.PHONETIC if n.get("type") == "transliteration" else None
            names.append(make_name(str(full), _NAME_TYPES.get(str(n.get("type")), NameType.LEGL), form))
    if not names:
        raise InputError.at(source, where, "person statement has no name")
    countries = [c for c in (_code(x) for x in details.get("nationalities") or []) if c]
    party = Party("", PartyKind.PERSON, names=names, countries=countries, birth_date=details.get("birthDate"),
                  source=source)
    _common(details, party, source, where)
    return party


def _share(interest: dict[str, Any], source: str, where: str) -> tuple[float, float] | None:
    share = interest.get("share")
    if not isinstance(share, dict) or not share:
        return None

    def num(key: str) -> float | None:
        value = share.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise InputError.at(source, where, f"share {key} {value!r} is not a number")
        return check_percent(float(value), source, where)

    exact = num("exact")
    if exact is not None:
        return exact, exact
    lo = num("minimum")
    if lo is None:
        ex = num("exclusiveMinimum")
        lo = None if ex is None else min(ex + _EXCLUSIVE_STEP, 1.0)
    hi = num("maximum")
    if hi is None:
        ex = num("exclusiveMaximum")
        hi = None if ex is None else max(ex - _EXCLUSIVE_STEP, 0.0)
    return check_range(0.0 if lo is None else lo, 1.0 if hi is None else hi, source, where)


def _relationship(details: dict[str, Any], source: str, where: str, batch: LoadBatch) -> list[Relation]:
    subject = _ref(details.get("subject"))
    party = _ref(details.get("interestedParty"))
    if subject is None:
        raise InputError.at(source, where, "relationship has no subject")
    if party is None:
        batch.warnings.append(LoadWarning(source, where, "interested party unspecified or unknown: no edge"))
        return []
    if party == subject:
        raise InputError.at(source, where, f"{subject!r} holds an interest in itself (self-ownership)")
    origin = f"{source}: {where}"
    out = []
    for interest in details.get("interests") or []:
        itype = str(interest.get("type"))
        rel = _INTERESTS.get(itype)
        if rel is None:
            batch.warnings.append(LoadWarning(source, where, f"interest type {itype!r} is not an ownership or "
                                              "control edge; kept out of the graph"))
            continue
        if interest.get("directOrIndirect", interest.get("interestLevel")) == "indirect":
            batch.warnings.append(LoadWarning(source, where, f"indirect {itype} of bods:{party} in "
                                              f"bods:{subject} not used as an edge (direct chain counts)"))
            continue
        share = _share(interest, source, where)
        lo, hi = share if share is not None else ((0.0, 1.0) if rel.has_share else (None, None))
        if rel.has_share and share is None:
            batch.warnings.append(LoadWarning(source, where, f"{itype} without share: unknown, range 0-100%"))
        out.append(Relation(f"bods:{party}", f"bods:{subject}", rel, lo, hi, interest.get("startDate"),
                            interest.get("endDate"), itype, origin))
    return out
