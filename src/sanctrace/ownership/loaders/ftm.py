"""FollowTheMoney JSON lines (OpenSanctions' format) → parties and relations.

Read: Person, Company, Organization, LegalEntity, PublicBody as parties; Ownership (``owner`` →
``asset`` with ``percentage``), Directorship, Family, Associate/UnknownLink as relations; Address
(through ``addressEntity``), CryptoWallet (``holder``), Passport/Identification (``holder``) as
attributes of their party; Sanction (``entity``) as a listing.

A party counts as listed when its ``topics`` include ``sanction`` or a Sanction entity points to
it. Which regime listed it comes from the OpenSanctions dataset names (``us_ofac_sdn`` → ofac, …)
and the Sanction's program id; a listing by any other authority is kept as regime ``other`` (it is
shown as evidence but does not block under OFAC/EU/UK/JP). An Ownership without ``percentage`` is
an unknown stake, range 0–100%, and says so in the load warnings. Other schemata are counted in one
warning rather than dropped silently. Stakes adding up to more than 100% are warnings here, not
errors: OpenSanctions merges registers and dates (the real ZALA Aero records overlap in 2019-2023).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sanctrace.errors import InputError
from sanctrace.model.party import (
    KeyType,
    Listing,
    NameType,
    Party,
    PartyIdentifier,
    PartyKey,
    PartyKind,
    Relation,
    RelationType,
)
from sanctrace.ownership.loaders.common import (
    check_percent,
    checked_identifier,
    is_representative_role,
    make_name,
    parse_percent,
)
from sanctrace.ownership.normalize import split_phones
from sanctrace.ownership.store import LoadBatch, LoadWarning

_KINDS = {"Person": PartyKind.PERSON, "Company": PartyKind.COMPANY, "Organization": PartyKind.ORGANIZATION,
          "LegalEntity": PartyKind.LEGAL_ENTITY, "PublicBody": PartyKind.ORGANIZATION,
          "Vessel": PartyKind.VESSEL, "Airplane": PartyKind.AIRCRAFT}
_NAME_PROPS = {"name": NameType.LEGL, "alias": NameType.ALIA, "weakAlias": NameType.MISC,
               "previousName": NameType.FORMER, "abbreviation": NameType.SHRT}
_ID_PROPS = {"registrationNumber": "registration", "taxNumber": "tax_id", "innCode": "tax_id",
             "ogrnCode": "registration", "leiCode": "lei", "idNumber": "national_id",
             "passportNumber": "passport", "swiftBic": "swift", "imoNumber": "imo"}
_DATASET_REGIMES = {"us_ofac_sdn": "ofac", "us_ofac_cons": "ofac", "eu_fsf": "eu",
                    "eu_journal_sanctions": "eu", "gb_fcdo_sanctions": "uk", "gb_hmt_sanctions": "uk",
                    "jp_mof_sanctions": "jp", "un_sc_sanctions": "un"}
_PROGRAM_PREFIX = {"EU-": "eu", "GB-": "uk", "JP-MOF": "jp", "UN-": "un"}
_LINKS = {"Family": ("person", "relative", RelationType.FAMILY),
          "Associate": ("person", "associate", RelationType.ASSOCIATE),
          "UnknownLink": ("subject", "object", RelationType.ASSOCIATE)}


def _props(entity: dict[str, Any]) -> dict[str, list[str]]:
    props = entity.get("properties") or {}
    return {k: [str(x) for x in v] for k, v in props.items() if isinstance(v, list)}


def _program_regime(program: str) -> str | None:
    if program.startswith("US-") and not program.startswith("US-BIS"):
        return "ofac"
    for prefix, regime in _PROGRAM_PREFIX.items():
        if program.startswith(prefix):
            return regime
    return None


def _listings(entity: dict[str, Any], props: dict[str, list[str]], source: str) -> list[Listing]:
    if "sanction" not in (props.get("topics") or entity.get("topics") or []):
        return []
    out = []
    regimes: set[str] = set()
    for dataset in entity.get("datasets") or []:
        regime = _DATASET_REGIMES.get(dataset)
        if regime and regime not in regimes:
            regimes.add(regime)
            out.append(Listing(regime, ";".join(p for p in props.get("programId", [])
                                                if _program_regime(p) == regime) or None, f"{source}: {dataset}"))
    for program in props.get("programId", []):
        regime = _program_regime(program)
        if regime and regime not in regimes:
            regimes.add(regime)
            out.append(Listing(regime, program, source))
    if not out:
        out.append(Listing("other", ";".join(entity.get("datasets") or []) or None, source))
    return out


def load_ftm(path: Path) -> LoadBatch:
    source = str(path)
    batch = LoadBatch(source, strict_stakes=False)
    entities: list[tuple[int, dict[str, Any]]] = []
    try:
        handle = path.open(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{source}: cannot open: {exc.strerror}") from exc
    with handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                entity = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError.at(source, f"line {line_no}", f"not JSON: {exc.msg}") from None
            if not isinstance(entity, dict) or "id" not in entity or "schema" not in entity:
                raise InputError.at(source, f"line {line_no}", "an FtM entity needs id and schema")
            entities.append((line_no, entity))
    addresses: dict[str, list[str]] = {}
    for _, e in entities:
        if e["schema"] == "Address":
            props = _props(e)
            addresses[e["id"]] = props.get("full", [])
    parties: dict[str, Party] = {}
    skipped: dict[str, int] = {}
    for line_no, e in entities:
        kind = _KINDS.get(e["schema"])
        if kind is None:
            continue
        where = f"line {line_no}"
        props = _props(e)
        names = [make_name(v, t) for prop, t in _NAME_PROPS.items() for v in props.get(prop, []) if v.strip()]
        if not names:
            names = [make_name(str(e.get("caption") or e["id"]))]
        identifiers = []
        for prop, id_type in _ID_PROPS.items():
            for value in props.get(prop, []):
                identifiers.append(checked_identifier(id_type, value, None, source, where)
                                   if id_type == "lei" else PartyIdentifier(id_type, value))
        keys = [PartyKey(KeyType.ADDRESS, a) for a in props.get("address", [])]
        for ref in props.get("addressEntity", []):
            keys.extend(PartyKey(KeyType.ADDRESS, a) for a in addresses.get(ref, []))
        keys += [PartyKey(KeyType.PHONE, p) for v in props.get("phone", []) for p in split_phones(v)]
        keys += [PartyKey(KeyType.EMAIL, v) for v in props.get("email", [])]
        countries = sorted({c.lower() for p in ("country", "nationality", "citizenship") for c in props.get(p, [])})
        jurisdiction = _first(props, "jurisdiction")
        parties[e["id"]] = Party(
            party_id=e["id"], kind=kind, names=names, identifiers=identifiers, keys=keys,
            listings=_listings(e, props, source), jurisdiction=jurisdiction.lower() if jurisdiction else None,
            countries=countries, birth_date=min(props.get("birthDate", []), default=None),
            incorporation_date=min(props.get("incorporationDate", []), default=None),
            source=source, record=f"{source}: {where}")
    for line_no, e in entities:
        schema = e["schema"]
        where = f"line {line_no}"
        origin = f"{source}: {where}"
        props = _props(e)
        if schema in _KINDS or schema == "Address":
            continue
        if schema == "Ownership":
            batch.relations.extend(_ownership(props, source, where, batch))
        elif schema == "Directorship":
            for d in props.get("director", []):
                for org in props.get("organization", []):
                    role = _first(props, "role")
                    rel = RelationType.REPRESENTATIVE_DIRECTOR if is_representative_role(role) \
                        else RelationType.DIRECTOR
                    batch.relations.append(Relation(d, org, rel, None, None, _first(props, "startDate"),
                                                    _first(props, "endDate"), role, origin))
        elif schema in _LINKS:
            a, b, rel = _LINKS[schema]
            for x in props.get(a, []):
                for y in props.get(b, []):
                    batch.relations.append(Relation(x, y, rel, None, None, _first(props, "startDate"),
                                                    _first(props, "endDate"), _first(props, "relationship"),
                                                    origin))
        elif schema == "CryptoWallet":
            currency = _first(props, "currency") or ""
            for holder in props.get("holder", []):
                for key in props.get("publicKey", []):
                    _attach(parties, holder, source, where).keys.append(
                        PartyKey(KeyType.WALLET, f"{currency}:{key}" if currency else key))
        elif schema in ("Passport", "Identification"):
            for holder in props.get("holder", []):
                for number in props.get("number", []):
                    _attach(parties, holder, source, where).identifiers.append(
                        PartyIdentifier("passport" if schema == "Passport" else "national_id", number,
                                        _first(props, "country")))
        elif schema == "Sanction":
            for target in props.get("entity", []):
                party = _attach(parties, target, source, where)
                regimes = {r for r in (_program_regime(p) for p in props.get("programId", [])) if r is not None}
                for regime in sorted(regimes) or ["other"]:
                    if not any(x.regime == regime for x in party.listings):
                        party.listings.append(Listing(regime, _first(props, "programId")
                                                      or _first(props, "program"), origin))
        else:
            skipped[schema] = skipped.get(schema, 0) + 1
    if skipped:
        batch.warnings.append(LoadWarning(source, "-", "schemata not used for ownership: " + ", ".join(
            f"{k} ×{v}" for k, v in sorted(skipped.items()))))
    batch.parties = list(parties.values())
    return batch


def _first(props: dict[str, list[str]], key: str) -> str | None:
    values = props.get(key) or []
    return values[0] if values else None


def _attach(parties: dict[str, Party], party_id: str, source: str, where: str) -> Party:
    try:
        return parties[party_id]
    except KeyError:
        raise InputError.at(source, where, f"refers to entity {party_id!r}, which is not a party in this "
                            "file") from None


def _ownership(props: dict[str, list[str]], source: str, where: str, batch: LoadBatch) -> list[Relation]:
    origin = f"{source}: {where}"
    percentages = props.get("percentage", [])
    lo: float | None
    hi: float | None
    if percentages:
        values = []
        for text in percentages:
            try:
                values.append(check_percent(float(text.strip().rstrip("%").replace(",", ".")), source, where))
            except ValueError:
                values.append(parse_percent(text, source, where))  # raises the standard message
        lo, hi = min(values), max(values)
    else:
        lo, hi = 0.0, 1.0
        batch.warnings.append(LoadWarning(source, where, "ownership without percentage: unknown stake, "
                                          "range 0-100%"))
    out = []
    for owner in props.get("owner", []):
        for asset in props.get("asset", []):
            if owner == asset:
                raise InputError.at(source, where, f"{owner!r} owns itself (self-ownership)")
            out.append(Relation(owner, asset, RelationType.OWNERSHIP, lo, hi, _first(props, "startDate"),
                                _first(props, "endDate"), _first(props, "role"), origin))
    return out
