"""Networks of parties: customers and list entries tied together by what they share.

Evidence edges, each with the value that links the two parties:

- ``shared_<key>``: the same normalised address, phone, e-mail, device, IP, bank account or wallet;
- ``shared_identifier``: the same identifier (type and normalised value);
- ``shared_director``: the same person on both boards;
- relations themselves (ownership, director, family, …);
- ``same_identity``: a Splink match (different spellings of one identity) or a screening hit.

Frequency cap: a value held by more than ``cap`` parties (a registered-agent address, a VPN exit
IP, an exchange hot wallet) links nothing — it would weld thousands of strangers into one network.
It is reported instead under ``common_values`` and raises risk (see :mod:`redflags`). The same cap
applies to directors: a nominee director on hundreds of boards does not merge those companies.
"""

from __future__ import annotations

from typing import Any

from sanctrace.engine.base import Engine
from sanctrace.errors import NotFound
from sanctrace.ownership.store import active_clause, ensure_schema

DEFAULT_CAP = 10
MAX_NODES = 500

IDENTITY_SCHEMA = """CREATE TABLE IF NOT EXISTS party_identity_links (
    party_a VARCHAR NOT NULL, party_b VARCHAR NOT NULL, probability DOUBLE NOT NULL, method VARCHAR NOT NULL,
    evidence VARCHAR)"""


def keys_relation(engine: Engine) -> str:
    """``party_keys``, plus the IPs and devices the exchange's ledger saw at login for the accounts
    of loaded parties (``ledger_accounts.customer_id`` = ``party_id``), when a ledger is loaded."""
    if not (engine.table_exists("ledger_events") and engine.table_exists("ledger_accounts")):
        return "party_keys"
    return ("(SELECT party_id, key_type, value, norm FROM party_keys UNION "
            "SELECT a.customer_id, k.key_type, k.value, k.value FROM ("
            "SELECT account_id, 'ip' AS key_type, lower(trim(ip)) AS value FROM ledger_events "
            "WHERE kind = 'login' AND coalesce(trim(ip), '') <> '' UNION "
            "SELECT account_id, 'device', lower(trim(device_id)) FROM ledger_events "
            "WHERE kind = 'login' AND coalesce(trim(device_id), '') <> '') k "
            "JOIN ledger_accounts a USING (account_id) JOIN parties p ON p.party_id = a.customer_id)")


def _in(ids: list[str]) -> tuple[str, list[Any]]:
    return ", ".join("?" for _ in ids), list(ids)


def neighbours(engine: Engine, ids: list[str], cap: int, as_of: str | None = None
               ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(edges out of ``ids``, common values held by ``ids`` that the cap kept from linking)."""
    marks, params = _in(ids)
    keys = keys_relation(engine)
    edges: list[dict[str, Any]] = []
    for a, b, key_type, value in engine.query(
        f"""WITH counts AS (SELECT key_type, norm, count(DISTINCT party_id) AS n FROM {keys} kk
                GROUP BY key_type, norm)
            SELECT a.party_id, b.party_id, a.key_type, a.value FROM {keys} a
            JOIN {keys} b ON a.key_type = b.key_type AND a.norm = b.norm AND a.party_id <> b.party_id
            JOIN counts c ON c.key_type = a.key_type AND c.norm = a.norm
            WHERE a.party_id IN ({marks}) AND c.n <= ? ORDER BY 1, 2, 3""", [*params, cap]):
        edges.append({"a": a, "b": b, "kind": f"shared_{key_type}", "evidence": value})
    for a, b, id_type, value in engine.query(
        f"""SELECT a.party_id, b.party_id, a.id_type, a.value FROM party_identifiers a
            JOIN party_identifiers b ON a.id_type = b.id_type AND a.norm = b.norm AND a.party_id <> b.party_id
            WHERE a.party_id IN ({marks}) ORDER BY 1, 2""", params):
        edges.append({"a": a, "b": b, "kind": "shared_identifier", "evidence": f"{id_type} {value}"})
    for a, b, director in engine.query(
        f"""WITH boards AS (SELECT source_id, count(DISTINCT target_id) AS n FROM party_relations r
                WHERE rel_type IN ('director', 'representative_director') AND {active_clause(as_of)}
                GROUP BY source_id)
            SELECT x.target_id, y.target_id, x.source_id FROM party_relations x
            JOIN party_relations y ON x.source_id = y.source_id AND x.target_id <> y.target_id
            JOIN boards ON boards.source_id = x.source_id
            WHERE x.rel_type IN ('director', 'representative_director')
              AND y.rel_type IN ('director', 'representative_director')
              AND x.target_id IN ({marks}) AND boards.n <= ? ORDER BY 1, 2""", [*params, cap]):
        edges.append({"a": a, "b": b, "kind": "shared_director", "evidence": director})
    for s, t, rel, lo, hi, origin in engine.query(
        f"""SELECT source_id, target_id, rel_type, share_min, share_max, origin FROM party_relations r
            WHERE (source_id IN ({marks}) OR target_id IN ({marks})) AND {active_clause(as_of)}
            ORDER BY 1, 2""", [*params, *params]):
        share = "" if lo is None else f" {lo * 100:g}%" if lo == hi else f" {lo * 100:g}-{hi * 100:g}%"
        edges.append({"a": s, "b": t, "kind": rel, "evidence": f"{rel}{share} [{origin}]"})
    engine.execute(IDENTITY_SCHEMA)
    for a, b, p, method, evidence in engine.query(
        f"""SELECT party_a, party_b, probability, method, evidence FROM party_identity_links
            WHERE party_a IN ({marks}) OR party_b IN ({marks})""", [*params, *params]):
        edges.append({"a": a, "b": b, "kind": "same_identity",
                      "evidence": f"{method} p={p:.3f}: {evidence or ''}".strip()})
    common = [{"party_id": pid, "key_type": kt, "value": v, "holders": int(n)} for pid, kt, v, n in engine.query(
        f"""WITH counts AS (SELECT key_type, norm, count(DISTINCT party_id) AS n FROM {keys} kk
                GROUP BY key_type, norm)
            SELECT k.party_id, k.key_type, k.value, c.n FROM {keys} k
            JOIN counts c ON c.key_type = k.key_type AND c.norm = k.norm
            WHERE k.party_id IN ({marks}) AND c.n > ? ORDER BY 1, 2""", [*params, cap])]
    return edges, common


def show(engine: Engine, party_id: str, *, hops: int = 2, cap: int = DEFAULT_CAP,
         as_of: str | None = None) -> dict[str, Any]:
    """The network around ``party_id`` up to ``hops`` links away, with its evidence edges."""
    ensure_schema(engine)
    if not engine.scalar("SELECT count(*) FROM parties WHERE party_id = ?", [party_id]):
        raise NotFound(f"party {party_id!r} is not loaded (sanctrace parties load ...)")
    seen = {party_id}
    frontier = [party_id]
    edges: dict[tuple[str, str, str, str], dict[str, Any]] = {}
    common: list[dict[str, Any]] = []
    truncated = False
    for _ in range(max(hops, 0)):
        if not frontier:
            break
        found, held = neighbours(engine, frontier, cap, as_of)
        common.extend(held)
        nxt = []
        for e in found:
            a, b = sorted((e["a"], e["b"])) if not _directed(e["kind"]) else (e["a"], e["b"])
            edges.setdefault((a, b, e["kind"], e["evidence"]), {**e, "a": a, "b": b})
            for p in (e["a"], e["b"]):
                if p not in seen:
                    if len(seen) >= MAX_NODES:
                        truncated = True
                        continue
                    seen.add(p)
                    nxt.append(p)
        frontier = nxt
    marks, params = _in(sorted(seen))
    nodes = []
    listings: dict[str, list[str]] = {}
    for pid, regime, program in engine.query(
            f"SELECT party_id, regime, program FROM party_listings WHERE party_id IN ({marks})", params):
        listings.setdefault(pid, []).append(f"{regime}{':' + program if program else ''}")
    for pid, name, kind, is_customer, jurisdiction in engine.query(
            f"SELECT party_id, primary_name, kind, is_customer, jurisdiction FROM parties "
            f"WHERE party_id IN ({marks}) ORDER BY party_id", params):
        nodes.append({"party_id": pid, "name": name, "kind": kind, "is_customer": bool(is_customer),
                      "jurisdiction": jurisdiction, "listed": sorted(listings.get(pid, []))})
    return {"party_id": party_id, "hops": hops, "frequency_cap": cap, "nodes": nodes,
            "edges": sorted(edges.values(), key=lambda e: (e["a"], e["b"], e["kind"])),
            "common_values": common, "truncated": truncated}


def _directed(kind: str) -> bool:
    return not kind.startswith("shared_") and kind not in ("same_identity", "family", "associate")
