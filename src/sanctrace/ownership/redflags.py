"""Shell-company red flags: each named, weighted and explained, combined into one score in [0, 1].

The score is ``1 - prod(1 - weight)`` over the flags that fired, so it grows with every independent
signal and never exceeds 1. Weights are judgement, written down here so they can be argued with:
a Russian-nexus owner or a wallet shared with a Russian-nexus customer weighs most, a transit
jurisdiction alone least (many honest companies are registered in Singapore).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sanctrace.engine.base import Engine
from sanctrace.errors import NotFound
from sanctrace.ownership.graph import ownership_cycles
from sanctrace.ownership.networks import DEFAULT_CAP, keys_relation
from sanctrace.ownership.store import active_clause, ensure_schema

#: registration in transit or secrecy jurisdictions used to route trade and money to Russia
TRANSIT_JURISDICTIONS = {"sg": "Singapore", "ae": "UAE", "hk": "Hong Kong", "cy": "Cyprus",
                         "sc": "Seychelles", "vg": "British Virgin Islands", "tr": "Türkiye",
                         "kz": "Kazakhstan", "kg": "Kyrgyzstan", "am": "Armenia"}
WEIGHTS = {
    "transit_jurisdiction": 0.2,
    "recent_incorporation_high_volume": 0.3,
    "mass_registration_address": 0.25,
    "nominee_director": 0.25,
    "circular_ownership": 0.3,
    "russian_nexus_owner_or_director": 0.4,
    "wallet_shared_with_russian_nexus": 0.4,
    "common_value_shared": 0.1,  # addresses are covered by mass_registration_address
}
RECENT_DAYS = 365
#: monthly volume that is "large" for a company younger than a year, in minor units of the currency
#: (about USD 100,000); yen have no minor unit
LARGE_MONTHLY_VOLUME_MINOR = {"JPY": 15_000_000}
LARGE_MONTHLY_VOLUME_DEFAULT = 10_000_000
MASS_ADDRESS_PARTIES = 10
NOMINEE_BOARDS = 10
UPSTREAM_DEPTH = 6
_RUSSIA_PROGRAM_MARKERS = ("RUS", "UKR", "EO14024", "EO14065", "EO14066", "EO14068", "EO14071", "CAATSA",
                           "PEESA", "BELARUS")


@dataclass
class RedFlag:
    name: str
    weight: float
    explanation: str
    evidence: list[str] = field(default_factory=list)


def _russian_nexus(engine: Engine, party_id: str) -> str | None:
    """Why ``party_id`` has a Russian nexus (Russian country link, Russia-program listing, or a
    Cyrillic name of a party with no other country), or None."""
    row = engine.query_one("SELECT jurisdiction, countries FROM parties WHERE party_id = ?", [party_id])
    if row is None:
        return None
    jurisdiction, countries = row
    if jurisdiction == "ru" or "ru" in (countries or []):
        return "Russian jurisdiction, nationality or address country"
    for regime, program in engine.query("SELECT regime, program FROM party_listings WHERE party_id = ?",
                                        [party_id]):
        if program and any(m in program.upper() for m in _RUSSIA_PROGRAM_MARKERS):
            return f"listed under a Russia-related program ({regime} {program})"
    reasons = _screening_nexus(engine, party_id)
    if reasons:
        return reasons
    if not jurisdiction and not countries and engine.scalar(
            "SELECT count(*) FROM party_names WHERE party_id = ? AND script = 'Cyrl'", [party_id]):
        return "Cyrillic-script name and no other country on file"
    return None


def _screening_nexus(engine: Engine, party_id: str) -> str | None:
    """Screening's Russia-nexus test (phone numbering plan, Russian e-mail domains, Russian places
    or Cyrillic in the address), applied to the party's keys — when that capability is present."""
    try:
        nexus = importlib.import_module("sanctrace.screening.nexus").russia_nexus
    except (ImportError, AttributeError):
        return None
    keys: dict[str, list[str]] = {}
    for key_type, value in engine.query("SELECT key_type, value FROM party_keys WHERE party_id = ? "
                                        "AND key_type IN ('phone', 'email', 'address')", [party_id]):
        keys.setdefault(key_type, []).append(value)
    try:
        found = nexus(phone="; ".join(keys.get("phone", [])) or None,
                      email="; ".join(keys.get("email", [])) or None,
                      address=" | ".join(keys.get("address", [])) or None)
    except TypeError:  # a different signature: fall back to our own checks
        return None
    if not found:
        return None
    return "; ".join(f"{getattr(r, 'reason', r)} {getattr(r, 'value', '')}".strip() for r in found[:3])


def _ledger_volume_jpy(engine: Engine, party_id: str, day: date) -> int | None:
    """Value (yen) of the party's ledger events in the 30 days up to ``day``, if a ledger is loaded."""
    if not (engine.table_exists("ledger_events") and engine.table_exists("ledger_accounts")):
        return None
    total = engine.scalar(
        "SELECT sum(e.value_jpy) FROM ledger_events e JOIN ledger_accounts a USING (account_id) "
        "WHERE a.customer_id = ? AND e.ts >= CAST(? AS DATE) - INTERVAL 30 DAY AND e.ts < CAST(? AS DATE) + 1",
        [party_id, day.isoformat(), day.isoformat()])
    return None if total is None else int(total)


def _upstream(engine: Engine, party_id: str, as_of: str | None) -> list[tuple[str, str, int]]:
    """(party, relation, depth) of owners, controllers and directors up to UPSTREAM_DEPTH levels."""
    rows = engine.query(
        f"""WITH RECURSIVE up(party_id, rel_type, depth, trail) AS (
                SELECT source_id, rel_type, 1, [?, source_id] FROM party_relations r
                WHERE target_id = ? AND rel_type IN ('ownership', 'voting', 'owned_or_controlled', 'director',
                    'representative_director', 'board_appointment', 'dominant_influence') AND {active_clause(as_of)}
                UNION ALL
                SELECT r.source_id, r.rel_type, up.depth + 1, list_append(up.trail, r.source_id)
                FROM party_relations r JOIN up ON r.target_id = up.party_id
                WHERE up.depth < ? AND NOT list_contains(up.trail, r.source_id)
                  AND r.rel_type IN ('ownership', 'voting', 'owned_or_controlled', 'director',
                    'representative_director', 'board_appointment', 'dominant_influence') AND {active_clause(as_of)})
            SELECT party_id, rel_type, min(depth) FROM up GROUP BY party_id, rel_type ORDER BY 3, 1""",
        [party_id, party_id, UPSTREAM_DEPTH])
    return [(r[0], r[1], int(r[2])) for r in rows]


def redflags(engine: Engine, party_id: str, *, as_of: str | None = None, cap: int = DEFAULT_CAP
             ) -> dict[str, Any]:
    ensure_schema(engine)
    row = engine.query_one(
        "SELECT primary_name, kind, jurisdiction, incorporation_date, monthly_volume_minor, volume_currency "
        "FROM parties WHERE party_id = ?", [party_id])
    if row is None:
        raise NotFound(f"party {party_id!r} is not loaded (sanctrace parties load ...)")
    name, kind, jurisdiction, incorporated, volume, currency = row
    day = date.fromisoformat(as_of) if as_of else date.today()
    flags: list[RedFlag] = []

    if jurisdiction in TRANSIT_JURISDICTIONS and kind != "person":  # registration, not residence
        flags.append(RedFlag("transit_jurisdiction", WEIGHTS["transit_jurisdiction"],
                             f"registered in {TRANSIT_JURISDICTIONS[jurisdiction]}, a transit or secrecy "
                             "jurisdiction used to route trade and money to Russia", [jurisdiction]))
    if incorporated:
        try:
            age = (day - date.fromisoformat(incorporated[:10])).days
        except ValueError:
            age = None
        observed = _ledger_volume_jpy(engine, party_id, day)
        candidates = [(volume, currency or "")] if volume is not None else []
        if observed is not None:
            candidates.append((observed, "JPY (ledger, last 30 days)"))
        for amount, unit in candidates:
            limit = LARGE_MONTHLY_VOLUME_MINOR.get(unit[:3], LARGE_MONTHLY_VOLUME_DEFAULT)
            if age is not None and 0 <= age <= RECENT_DAYS and amount >= limit:
                flags.append(RedFlag(
                    "recent_incorporation_high_volume", WEIGHTS["recent_incorporation_high_volume"],
                    f"incorporated {age} days ago but moves {amount:,} {unit} a month in minor units "
                    f"(>= {limit:,})", [incorporated, str(amount)]))
                break
    keys = keys_relation(engine)
    for value, holders in engine.query(
        """WITH mine AS (SELECT norm, value FROM party_keys WHERE party_id = ? AND key_type = 'address')
           SELECT mine.value, count(DISTINCT k.party_id) FROM mine JOIN party_keys k
             ON k.key_type = 'address' AND k.norm = mine.norm GROUP BY mine.value
           HAVING count(DISTINCT k.party_id) >= ? ORDER BY 2 DESC""", [party_id, MASS_ADDRESS_PARTIES]):
        flags.append(RedFlag("mass_registration_address", WEIGHTS["mass_registration_address"],
                             f"address shared by {holders} parties (mass-registration address)", [value]))
        break
    for director, director_name, boards in engine.query(
        f"""WITH mine AS (SELECT source_id FROM party_relations r WHERE target_id = ?
                AND rel_type IN ('director', 'representative_director') AND {active_clause(as_of)})
            SELECT r.source_id, p.primary_name, count(DISTINCT r.target_id) FROM party_relations r
            JOIN mine ON mine.source_id = r.source_id LEFT JOIN parties p ON p.party_id = r.source_id
            WHERE r.rel_type IN ('director', 'representative_director') AND {active_clause(as_of)}
            GROUP BY 1, 2 HAVING count(DISTINCT r.target_id) >= ? ORDER BY 3 DESC""",
            [party_id, NOMINEE_BOARDS]):
        flags.append(RedFlag("nominee_director", WEIGHTS["nominee_director"],
                             f"director {director_name} sits on {boards} boards (possible nominee)", [director]))
        break
    for cycle, origins in ownership_cycles(engine, as_of):
        if party_id in cycle:
            flags.append(RedFlag("circular_ownership", WEIGHTS["circular_ownership"],
                                 f"owns itself through a cycle of {len(cycle)} parties", [*cycle, *origins]))
            break
    for upstream, rel, depth in _upstream(engine, party_id, as_of):
        why = _russian_nexus(engine, upstream)
        if why:
            role = "director" if "director" in rel else "owner or controller"
            flags.append(RedFlag("russian_nexus_owner_or_director", WEIGHTS["russian_nexus_owner_or_director"],
                                 f"{role} {upstream} ({depth} level{'s' if depth > 1 else ''} up, {rel}) has a "
                                 f"Russian nexus: {why}", [upstream]))
            break
    for other, wallet in engine.query(
        f"""SELECT k.party_id, k.value FROM {keys} mine JOIN {keys} k
             ON k.key_type = 'wallet' AND k.norm = mine.norm AND k.party_id <> mine.party_id
           WHERE mine.party_id = ? AND mine.key_type = 'wallet' ORDER BY 1""", [party_id]):
        why = _russian_nexus(engine, other)
        if why:
            flags.append(RedFlag("wallet_shared_with_russian_nexus", WEIGHTS["wallet_shared_with_russian_nexus"],
                                 f"wallet {wallet} is also used by {other}, which has a Russian nexus: {why}",
                                 [wallet, other]))
            break
    for key_type, value, holders in engine.query(
        f"""WITH mine AS (SELECT key_type, norm, value FROM {keys} kk WHERE party_id = ?
                AND key_type <> 'address')
           SELECT mine.key_type, mine.value, count(DISTINCT k.party_id) FROM mine JOIN {keys} k
             ON k.key_type = mine.key_type AND k.norm = mine.norm GROUP BY 1, 2
           HAVING count(DISTINCT k.party_id) > ? ORDER BY 3 DESC""", [party_id, cap]):
        flags.append(RedFlag("common_value_shared", WEIGHTS["common_value_shared"],
                             f"{key_type} {value} is shared by {holders} parties; too common to link "
                             "networks (frequency cap), but worth a look", [value]))
        break
    score = 1.0
    for f in flags:
        score *= 1.0 - f.weight
    return {"party_id": party_id, "name": name, "kind": kind, "score": round(1.0 - score, 4),
            "flags": [f.__dict__ for f in flags]}
