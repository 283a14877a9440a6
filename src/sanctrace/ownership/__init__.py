"""Ownership, control and networks: who really owns or controls a party, is it blocked under the
OFAC / EU / UK rules, who is its Japanese beneficial owner, and which parties form a network.

Public API (monitoring and the web API use these; they never import the regime modules):

- :func:`verdicts` ``(engine, regime) -> dict[party_id, Verdict]`` for every loaded party, stored
  in the table ``ownership_verdicts`` (one row per party and regime, replaced on every run);
- :func:`check` ``(engine, party_id, regime) -> Verdict`` for one party, stored the same way.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import pyarrow as pa

from sanctrace.engine.base import Engine
from sanctrace.errors import InputError
from sanctrace.ownership import eu, jp, ofac, uk
from sanctrace.ownership.verdict import Flag, Verdict
from sanctrace.ownership.world import REGIMES, World, load_world

__all__ = ["REGIMES", "Flag", "Verdict", "check", "evaluate", "verdicts"]

_EVALUATORS: dict[str, Callable[[World, list[int] | None], list[Verdict]]] = {
    "ofac": ofac.evaluate, "eu": eu.evaluate, "uk": uk.evaluate, "jp": jp.evaluate,
}

VERDICTS_SCHEMA = """CREATE TABLE IF NOT EXISTS ownership_verdicts (
    party_id VARCHAR NOT NULL, regime VARCHAR NOT NULL, as_of VARCHAR NOT NULL, status VARCHAR NOT NULL,
    blocked BOOLEAN NOT NULL, possibly_blocked BOOLEAN NOT NULL, listed BOOLEAN NOT NULL,
    near_miss BOOLEAN NOT NULL, share_certain DOUBLE, share_possible DOUBLE, lookthrough DOUBLE,
    verdict_json VARCHAR NOT NULL, computed_at TIMESTAMP NOT NULL)"""


def _regime(regime: str) -> Callable[[World, list[int] | None], list[Verdict]]:
    try:
        return _EVALUATORS[regime]
    except KeyError:
        raise InputError(f"unknown regime {regime!r}; use one of {', '.join(REGIMES)}") from None


def evaluate(world: World, regime: str, party_ids: list[str] | None = None) -> list[Verdict]:
    """Verdicts without storing them (for callers that already hold a :class:`World`)."""
    nodes = None if party_ids is None else [world.node(p) for p in party_ids]
    return _regime(regime)(world, nodes)


def verdict_json(v: Verdict) -> str:
    from dataclasses import asdict

    return json.dumps(asdict(v), ensure_ascii=False)


def _store(engine: Engine, found: list[Verdict]) -> None:
    engine.execute(VERDICTS_SCHEMA)
    now = datetime.now(UTC).replace(tzinfo=None)
    table = pa.Table.from_pylist([{
        "party_id": v.party_id, "regime": v.regime, "as_of": v.as_of, "status": v.status, "blocked": v.blocked,
        "possibly_blocked": v.possibly_blocked, "listed": v.listed, "near_miss": v.near_miss,
        "share_certain": v.share["certain"], "share_possible": v.share["possible"],
        "lookthrough": v.lookthrough, "verdict_json": verdict_json(v), "computed_at": now,
    } for v in found], schema=pa.schema([
        ("party_id", pa.string()), ("regime", pa.string()), ("as_of", pa.string()), ("status", pa.string()),
        ("blocked", pa.bool_()), ("possibly_blocked", pa.bool_()), ("listed", pa.bool_()),
        ("near_miss", pa.bool_()), ("share_certain", pa.float64()), ("share_possible", pa.float64()),
        ("lookthrough", pa.float64()), ("verdict_json", pa.string()), ("computed_at", pa.timestamp("us"))]))
    with engine.transaction():
        engine.register("_new_verdicts", table)
        engine.execute("DELETE FROM ownership_verdicts v USING _new_verdicts n "
                       "WHERE v.party_id = n.party_id AND v.regime = n.regime")
        engine.execute("INSERT INTO ownership_verdicts SELECT * FROM _new_verdicts")


def verdicts(engine: Engine, regime: str, *, as_of: str | None = None,
             party_ids: list[str] | None = None) -> dict[str, Verdict]:
    """Verdicts under ``regime`` for ``party_ids`` (default: every loaded party), stored in
    ``ownership_verdicts``. The fixed point always runs over the whole graph; only the per-party
    explanation (paths, reasons) is limited to the parties asked for."""
    evaluator = _regime(regime)
    world = load_world(engine, as_of)
    found = evaluator(world, None if party_ids is None else [world.node(p) for p in party_ids])
    if found:
        _store(engine, found)
    return {v.party_id: v for v in found}


def check(engine: Engine, party_id: str, regime: str, *, as_of: str | None = None) -> Verdict:
    """One party's verdict under ``regime`` (raises NotFound for an unknown party)."""
    evaluator = _regime(regime)
    world = load_world(engine, as_of, focus=party_id)
    verdict = evaluator(world, [world.node(party_id)])[0]
    _store(engine, [verdict])
    return verdict
