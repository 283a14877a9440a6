"""Link the exchange's parties to list entries through screening, so a shareholder loaded from the
exchange's own KYC file (not marked as listed) who *is* a listed person makes the companies he owns
blocked under the 50% rules.

Every party that is not itself a list entry is screened with screening's :class:`Screener`
against the current list snapshots (list entries are synced into the graph first). A match at or
above the threshold is stored in ``party_identity_links`` with method ``screening`` and its score;
:func:`sanctrace.ownership.world.load_world` then gives the party the listings of the entry it
matched, labelled "via screening match", and every verdict names that evidence.
"""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from sanctrace.engine.base import Engine
from sanctrace.ownership.networks import IDENTITY_SCHEMA
from sanctrace.ownership.store import ensure_schema

THRESHOLD = 0.85


def link_screening(engine: Engine, *, threshold: float = THRESHOLD) -> int:
    """Screen every non-list party; store matches as identity links. Returns the number stored."""
    from sanctrace.ownership.listsync import sync_lists
    from sanctrace.screening.records import CustomerRecord
    from sanctrace.screening.screener import Screener

    ensure_schema(engine)
    screener = Screener.from_engine(engine)
    sync_lists(engine, screener.entries)
    keys: dict[str, dict[str, list[str]]] = {}
    for pid, key_type, value in engine.query(
            "SELECT party_id, key_type, value FROM party_keys WHERE key_type IN ('wallet', 'phone', 'email', "
            "'address') AND party_id NOT IN (SELECT DISTINCT party_id FROM party_listings "
            "WHERE source LIKE 'list %') ORDER BY 1"):
        keys.setdefault(pid, {}).setdefault(key_type, []).append(value)
    rows: list[dict[str, Any]] = []
    for pid, name, kind, birth, jurisdiction, countries in engine.query(
            "SELECT party_id, primary_name, kind, birth_date, jurisdiction, countries FROM parties "
            "WHERE coalesce(source, '') NOT LIKE 'list:%' ORDER BY party_id"):
        own = keys.get(pid, {})
        record = CustomerRecord(
            id=pid, name=name, kind=kind if kind in ("person", "company", "vessel", "aircraft") else "unknown",
            birth_date=birth, nationality=";".join(countries or []) or None, country=jurisdiction,
            wallet=";".join(w.split(":", 1)[-1] for w in own.get("wallet", [])) or None,
            phone=";".join(own.get("phone", [])) or None, email=";".join(own.get("email", [])) or None,
            address=" | ".join(own.get("address", [])) or None)
        for match in screener.screen(record).matches:
            if match.score >= threshold:
                rows.append({"party_a": pid, "party_b": match.entity_id, "probability": float(match.score),
                             "method": "screening", "evidence": json.dumps({
                                 "matched_name": match.name, "matched_on": match.matched_on,
                                 "list_version": match.list_version, "features": match.features},
                                 ensure_ascii=False)})
    engine.execute(IDENTITY_SCHEMA)
    table = pa.Table.from_pylist(rows, schema=pa.schema([
        ("party_a", pa.string()), ("party_b", pa.string()), ("probability", pa.float64()),
        ("method", pa.string()), ("evidence", pa.string())]))
    with engine.transaction():
        engine.execute("DELETE FROM party_identity_links WHERE method = 'screening'")
        engine.register("_screen_links", table)
        engine.execute("INSERT INTO party_identity_links SELECT * FROM _screen_links")
    return len(rows)
