"""EU asset freeze "owned or controlled" (Council best practices, updated July 2024).

Ownership: designated persons holding 50% or more of the proprietary rights, aggregated across
designated persons and propagated through entities already found to be owned (same set-wise fixed
point as OFAC). Control: the EU adds criteria that create a *presumption* the freeze extends to the
entity, which the entity can rebut — the right to appoint or remove a majority of the board,
control of a majority of the voting rights, and dominant influence (including through agreements).
sanctrace reports those as ``presumed_controlled`` with rebuttable flags, and lets the presumption
propagate: an entity owned 50%+ by a presumed-controlled entity is itself presumed controlled.
"""

from __future__ import annotations

import numpy as np

from sanctrace.model.party import RelationType
from sanctrace.ownership.graph import BoolArray, aggregate_fixed_point
from sanctrace.ownership.ofac import SHARE_TYPES, THRESHOLD, AggregateRun
from sanctrace.ownership.verdict import Flag, Verdict, pct, status_of
from sanctrace.ownership.world import World

_CONTROL_NAMES = {
    RelationType.BOARD_APPOINTMENT: ("eu_board_majority", "has the right to appoint or remove a majority "
                                                          "of the board"),
    RelationType.DOMINANT_INFLUENCE: ("eu_dominant_influence", "exercises dominant influence"),
}


def _presumed(world: World, run: AggregateRun) -> tuple[BoolArray, dict[int, list[Flag]]]:
    presumed = run.blocked | run.listed
    flags: dict[int, list[Flag]] = {}
    voting = world.share_graph(RelationType.VOTING)
    ownership = world.share_graph(*SHARE_TYPES)
    while True:
        added = np.zeros(world.n, dtype=np.bool_)
        for e in world.edges:
            if e.rel_type in _CONTROL_NAMES and presumed[e.src] and not presumed[e.dst]:
                name, text = _CONTROL_NAMES[e.rel_type]
                flags.setdefault(e.dst, []).append(Flag(
                    name, f"{world.names[e.src]} ({world.ids[e.src]}) {text} [{e.origin}]; presumed "
                    "controlled, rebuttable by the entity", rebuttable=True))
                added[e.dst] = True
        votes = np.zeros(world.n, dtype=np.float64)
        mask = presumed[voting.src]
        np.add.at(votes, voting.dst[mask], voting.lo[mask])
        for node in np.flatnonzero((votes > THRESHOLD) & ~presumed).tolist():
            flags.setdefault(node, []).append(Flag(
                "eu_voting_majority", f"designated or controlled persons hold {pct(float(votes[node]))} of "
                "the voting rights; presumed controlled, rebuttable by the entity", rebuttable=True))
            added[node] = True
        if not added.any():
            return presumed, flags
        grown, _ = aggregate_fixed_point(ownership, presumed | added, ownership.lo, THRESHOLD)
        for node in np.flatnonzero(grown & ~presumed & ~added).tolist():
            flags.setdefault(node, []).append(Flag(
                "eu_owned_by_controlled", "owned 50% or more by entities presumed controlled by designated "
                "persons; presumption carries over, rebuttable", rebuttable=True))
        presumed = grown


def evaluate(world: World, nodes: list[int] | None = None) -> list[Verdict]:
    run = AggregateRun(world, "eu")
    presumed, flags = _presumed(world, run)
    out = []
    for node in range(world.n) if nodes is None else nodes:
        v = run.verdict(node)
        if not v.blocked and presumed[node]:
            v.flags.extend(flags.get(node, []))
            v.status = status_of(False, False, True, v.possibly_blocked, v.near_miss)
            v.reasons.append("presumed controlled by designated persons (EU control criteria, rebuttable): "
                             + "; ".join(f.name for f in flags.get(node, [])))
        out.append(v)
    return out
