"""A regime's answer for one party, with the path evidence an analyst shows a regulator.

``blocked`` is the certain answer (computed from the minimum of every share range);
``possibly_blocked`` is what the maximum of every range would give. ``status`` summarises:
listed > blocked > presumed_controlled (EU, rebuttable) > possibly_blocked > near_miss > clear.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sanctrace.model.party import RelationType
from sanctrace.ownership.world import World

#: OFAC/EU near-miss band: blocked persons hold at least this much but not enough to block
NEAR_MISS = 0.25
MAX_PATHS = 20
MAX_DEPTH = 10


@dataclass
class Flag:
    name: str
    explanation: str
    rebuttable: bool = False


@dataclass
class Verdict:
    party_id: str
    name: str
    regime: str
    as_of: str
    listed: bool
    blocked: bool
    possibly_blocked: bool
    status: str
    share: dict[str, float]
    lookthrough: float
    near_miss: bool
    paths: list[dict[str, Any]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    beneficial_owners: list[dict[str, Any]] = field(default_factory=list)


def status_of(listed: bool, blocked: bool, presumed: bool, possibly: bool, near_miss: bool) -> str:
    if listed:
        return "listed"
    if blocked:
        return "blocked"
    if presumed:
        return "presumed_controlled"
    if possibly:
        return "possibly_blocked"
    if near_miss:
        return "near_miss"
    return "clear"


def pct(x: float) -> str:
    return f"{x * 100:.2f}%"


def _step(world: World, owner: int, asset: int, lo: float, hi: float, origin: str, rel: str) -> dict[str, Any]:
    return {
        "owner": world.ids[owner], "owner_name": world.names[owner],
        "asset": world.ids[asset], "asset_name": world.names[asset],
        "relation": rel, "share_min": round(lo, 6), "share_max": round(hi, 6), "origin": origin,
    }


def explain_paths(world: World, regime: str, target: int, blocked: Any, listed: Any,
                  types: tuple[RelationType, ...], *, use_max: bool = False,
                  max_paths: int = MAX_PATHS) -> list[dict[str, Any]]:
    """Chains ``listed root → … → target`` through blocked parties only (a blocked intermediary's
    whole stake counts, an unblocked one passes nothing). Depth-first, cycle-safe, capped."""
    out: list[dict[str, Any]] = []

    def walk(node: int, suffix: list[dict[str, Any]], seen: frozenset[int], product: float) -> None:
        if len(out) >= max_paths or len(suffix) >= MAX_DEPTH:
            return
        for e in world.incoming(node, *types):
            if not blocked[e.src] or e.src in seen:
                continue
            weight = e.hi if use_max else e.lo
            if weight <= 0:
                continue
            step = _step(world, e.src, e.dst, e.lo, e.hi, e.origin, e.rel_type.value)
            chain = [step, *suffix]
            if listed[e.src]:
                out.append({"root": world.ids[e.src], "root_name": world.names[e.src],
                            "root_listing": world.listing_text(e.src, regime),
                            "chain": chain, "effective_share": round(product * weight, 6)})
                if len(out) >= max_paths:
                    return
            else:
                walk(e.src, chain, seen | {e.src}, product * weight)

    walk(target, [], frozenset({target}), 1.0)
    return out


def direct_holders(world: World, target: int, blocked: Any, types: tuple[RelationType, ...],
                   use_max: bool = False) -> list[str]:
    """"A 40.00% (blocked)" for each blocked direct holder, largest first."""
    items = []
    for e in world.incoming(target, *types):
        if blocked[e.src]:
            w = e.hi if use_max else e.lo
            if w > 0:
                items.append((w, f"{world.names[e.src]} ({world.ids[e.src]}) {pct(w)}"))
    return [text for _, text in sorted(items, key=lambda x: -x[0])]
