"""OFAC 50 Percent Rule: an entity is blocked when one or more blocked persons own, directly or
indirectly, 50% or more of it in the aggregate (OFAC Revised Guidance of 13 August 2014).

What must stay true (each is a test):
- FAQ 401: X owns 50% of A and 10% of B, A owns 40% of B. A is blocked (50%), so A's whole 40%
  counts and B is blocked (10% + 40% = 50%). An *unblocked* intermediary passes nothing on: only
  stakes held by blocked parties are summed, never multiplied shares.
- FAQ 398: ownership, not control. A designated director or a controlling person without a 50%
  stake does not block; sanctrace shows such control as a non-blocking flag.
- The rule is applied to a fixed point (blocked entities' own holdings count in the next round);
  cycles terminate because a party is added once.
- Near misses (blocked persons hold >= 25% but < 50%) are flagged for enhanced due diligence.
- Share ranges: "certainly" blocked uses every range's minimum, "possibly" uses its maximum.
The EU regime (:mod:`sanctrace.ownership.eu`) reuses this with its own control criteria.
"""

from __future__ import annotations

import numpy as np

from sanctrace.model.party import RelationType
from sanctrace.ownership.graph import BoolArray, FloatArray, aggregate_fixed_point, lookthrough
from sanctrace.ownership.verdict import (
    NEAR_MISS,
    Flag,
    Verdict,
    direct_holders,
    explain_paths,
    pct,
    status_of,
)
from sanctrace.ownership.world import World

THRESHOLD = 0.5
_NO_BLOCKED_OWNERS = "no blocked person owns any of it"
SHARE_TYPES = (RelationType.OWNERSHIP, RelationType.OWNED_OR_CONTROLLED)
CONTROL_TYPES = (RelationType.BOARD_APPOINTMENT, RelationType.DOMINANT_INFLUENCE, RelationType.DIRECTOR,
                 RelationType.REPRESENTATIVE_DIRECTOR, RelationType.VOTING)


class AggregateRun:
    """The set-wise part of an aggregate-threshold regime, computed once for all parties."""

    def __init__(self, world: World, regime: str, seeds: BoolArray | None = None) -> None:
        self.world = world
        self.regime = regime
        self.listed = world.listed_mask(regime) if seeds is None else seeds
        graph = world.share_graph(*SHARE_TYPES)
        self.blocked, self.share = aggregate_fixed_point(graph, self.listed, graph.lo, THRESHOLD)
        self.possible, self.share_max = aggregate_fixed_point(graph, self.listed, graph.hi, THRESHOLD)
        self.look: FloatArray = lookthrough(graph, self.listed, graph.lo)
        # plain lists: per-party reads of numpy scalars dominate a batch over millions of parties
        self._rows = list(zip(self.listed.tolist(), self.blocked.tolist(), self.possible.tolist(),
                              np.minimum(self.share, 1.0).tolist(), np.minimum(self.share_max, 1.0).tolist(),
                              self.look.tolist(), strict=True))

    def verdict(self, node: int) -> Verdict:
        w = self.world
        listed, blocked, possible, share_c, share_p, look = self._rows[node]
        possible = possible and not blocked
        near = not blocked and not possible and share_c >= NEAR_MISS - 1e-9
        reasons: list[str] = []
        paths = []
        if listed:
            reasons.append(f"listed: {w.listing_text(node, self.regime) or self.regime}")
        if blocked and not listed:
            holders = "; ".join(direct_holders(w, node, self.blocked, SHARE_TYPES))
            reasons.append(f"blocked persons own {pct(share_c)} in the aggregate (>= 50%): {holders}")
            paths = explain_paths(w, self.regime, node, self.blocked, self.listed, SHARE_TYPES)
        elif possible:
            holders = "; ".join(direct_holders(w, node, self.possible, SHARE_TYPES, use_max=True))
            reasons.append(f"possibly blocked: with the upper end of each share range blocked persons own "
                           f"up to {pct(share_p)} (certain: {pct(share_c)}): {holders}")
            paths = explain_paths(w, self.regime, node, self.possible, self.listed, SHARE_TYPES, use_max=True)
        elif near:
            holders = "; ".join(direct_holders(w, node, self.blocked, SHARE_TYPES))
            reasons.append(f"near miss: blocked persons own {pct(share_c)} in the aggregate "
                           f"(>= 25%, below 50%): {holders}")
            paths = explain_paths(w, self.regime, node, self.blocked, self.listed, SHARE_TYPES)
        if not listed and not blocked and not possible and not near:
            reasons.append(_NO_BLOCKED_OWNERS if share_c == 0 else
                           f"blocked persons own {pct(share_c)} in the aggregate (below 25%)")
        return Verdict(
            party_id=w.ids[node], name=w.names[node], regime=self.regime, as_of=w.as_of, listed=listed,
            blocked=blocked or listed, possibly_blocked=possible,
            status=status_of(listed, blocked, False, possible, near),
            share={"certain": round(share_c, 6), "possible": round(max(share_p, share_c), 6)},
            lookthrough=round(look, 6), near_miss=near, paths=paths, reasons=reasons)


def control_flags(run: AggregateRun, node: int, holders: BoolArray) -> list[Flag]:
    """Control by a blocked party, shown but not counted (OFAC FAQ 398)."""
    w = run.world
    flags = []
    for e in w.incoming(node, *CONTROL_TYPES):
        if holders[e.src]:
            flags.append(Flag(
                f"control_{e.rel_type.value}",
                f"{w.names[e.src]} ({w.ids[e.src]}) has {e.rel_type.value.replace('_', ' ')}"
                f"{' (' + e.role + ')' if e.role else ''}; OFAC counts ownership only (FAQ 398), so this "
                "does not block, but dealings may still be blocked if they involve the blocked person"))
    return flags


def controlled_by(world: World, holders: BoolArray) -> set[int]:
    """Parties over which a holder has a control relation (one pass over the edges)."""
    held = holders.tolist()
    return {e.dst for e in world.edges if e.rel_type in CONTROL_TYPES and held[e.src]}


def evaluate(world: World, nodes: list[int] | None = None) -> list[Verdict]:
    run = AggregateRun(world, "ofac")
    holders = run.blocked | run.listed
    controlled = controlled_by(world, holders)
    out = []
    for node in range(world.n) if nodes is None else nodes:
        verdict = run.verdict(node)
        if not verdict.blocked and node in controlled:
            verdict.flags.extend(control_flags(run, node, holders))
        out.append(verdict)
    return out


def blocked_mask(world: World) -> BoolArray:
    run = AggregateRun(world, "ofac")
    return np.asarray(run.blocked | run.listed)
