"""UK asset freeze (Russia (Sanctions) (EU Exit) Regulations 2019, reg. 7; OFSI guidance): an
entity is owned or controlled by a designated person when that *one* person holds, directly or
indirectly, more than 50% of the shares or voting rights, or has the right to appoint or remove a
majority of the board, or can otherwise ensure the entity's affairs follow its wishes.

Unlike OFAC and the EU, holdings of *different* designated persons are not added up, unless they
hold under a joint arrangement (``joint_arrangement`` relations merge holders into one group).
Indirect holdings count in full through entities the person controls (majority or control right).
"""

from __future__ import annotations

import numpy as np

from sanctrace.model.party import RelationType
from sanctrace.ownership.attribution import STAKE_TYPES, Closure, closure, joint_groups
from sanctrace.ownership.graph import lookthrough
from sanctrace.ownership.ofac import SHARE_TYPES
from sanctrace.ownership.verdict import NEAR_MISS, Flag, Verdict, explain_paths, pct, status_of
from sanctrace.ownership.world import World

CONTROL_TYPES = (RelationType.BOARD_APPOINTMENT, RelationType.DOMINANT_INFLUENCE)
_PATH_TYPES = (*STAKE_TYPES, *CONTROL_TYPES)


def _best(closures: list[Closure], node: int) -> tuple[Closure | None, float]:
    """The holder that controls ``node`` (largest share first), else the largest holder."""
    controlling = [(c.attributed.get(node, 0.0), i) for i, c in enumerate(closures)
                   if node in c.controlled and node not in c.members]
    if controlling:
        share, i = max(controlling)
        return closures[i], share
    best: Closure | None = None
    share = 0.0
    for c in closures:
        s = c.attributed.get(node, 0.0)
        if s > share:
            best, share = c, s
    return best, share


def evaluate(world: World, nodes: list[int] | None = None) -> list[Verdict]:
    listed = world.listed_mask("uk")
    groups = joint_groups(world, np.flatnonzero(listed).tolist())
    certain = [closure(world, g, control_types=CONTROL_TYPES) for g in groups]
    possible = [closure(world, g, use_max=True, control_types=CONTROL_TYPES) for g in groups]
    graph = world.share_graph(*SHARE_TYPES)
    look = lookthrough(graph, listed, graph.lo)
    out = []
    for node in range(world.n) if nodes is None else nodes:
        is_listed = bool(listed[node])
        best, share = _best(certain, node)
        best_p, share_p = _best(possible, node)
        blocked = best is not None and node in best.controlled and node not in best.members
        possibly = not blocked and best_p is not None and node in best_p.controlled \
            and node not in best_p.members
        near = not blocked and not possibly and share >= NEAR_MISS
        reasons: list[str] = []
        flags: list[Flag] = []
        paths = []
        if is_listed:
            reasons.append(f"listed: {world.listing_text(node, 'uk') or 'uk'}")
        chosen = best if (blocked or near) else best_p if possibly else None
        if chosen is not None and not is_listed:
            holder = ", ".join(f"{world.names[m]} ({world.ids[m]})" for m in sorted(chosen.members))
            how = chosen.control_by.get(node, "")
            joint = " acting jointly" if len(chosen.members) > 1 else ""
            if blocked and how == "majority":
                reasons.append(f"{holder}{joint} hold(s) {pct(share)} directly or through controlled "
                               "entities (> 50%)")
            elif blocked:
                reasons.append(f"{holder}{joint} control(s) it: {how.replace('_', ' ')}")
                flags.append(Flag(f"uk_control_{how}", f"control by {holder} counts under UK reg. 7"))
            elif possibly:
                reasons.append(f"possibly owned: with the upper end of each share range {holder} may hold "
                               f"{pct(share_p)} (certain: {pct(share)})")
            else:
                reasons.append(f"near miss: {holder} hold(s) {pct(share)} (>= 25%, not above 50%)")
            mask = np.zeros(world.n, dtype=np.bool_)
            mask[list(chosen.controlled)] = True
            roots = np.zeros(world.n, dtype=np.bool_)
            roots[list(chosen.members)] = True
            paths = explain_paths(world, "uk", node, mask, roots, _PATH_TYPES, use_max=possibly)
        if not reasons:
            reasons.append(f"no single designated person (or joint group) holds more than 50%; largest "
                           f"{pct(share)}")
        out.append(Verdict(
            party_id=world.ids[node], name=world.names[node], regime="uk", as_of=world.as_of,
            listed=is_listed, blocked=blocked or is_listed, possibly_blocked=possibly,
            status=status_of(is_listed, blocked, False, possibly, near),
            share={"certain": round(min(share, 1.0), 6), "possible": round(min(max(share_p, share), 1.0), 6)},
            lookthrough=round(float(look[node]), 6), near_miss=near, paths=paths, reasons=reasons, flags=flags))
    return out
