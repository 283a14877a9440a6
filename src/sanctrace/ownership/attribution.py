"""Per-holder attribution: what one person (or one group acting jointly) holds, directly and through
the companies it controls, counted in full.

UK ("owned or controlled directly or indirectly" by *a* designated person) and Japan (beneficial
owner: holdings of companies a person controls count in full) both ask this per holder, not in the
aggregate across unrelated holders. The closure of a holder is the set of parties it controls: it
starts with the holder; a party joins when the stakes held by the closure exceed 50%, or when a
member has a control right over it. Stakes held by the closure into any party are then that
holder's attributed share. Work is proportional to the holder's reachable subgraph.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sanctrace.model.party import RelationType
from sanctrace.ownership.graph import EPS
from sanctrace.ownership.world import World

MAJORITY = 0.5
STAKE_TYPES = (RelationType.OWNERSHIP, RelationType.VOTING, RelationType.OWNED_OR_CONTROLLED)


@dataclass
class Closure:
    members: frozenset[int]  # the holder (group)
    controlled: set[int] = field(default_factory=set)  # members ∪ controlled parties
    attributed: dict[int, float] = field(default_factory=dict)  # party → share held by the closure
    control_by: dict[int, str] = field(default_factory=dict)  # party → why it is controlled


def _pair_shares(world: World, node: int, use_max: bool) -> dict[int, float]:
    """Stakes ``node`` holds, one figure per asset: the larger of shares and votes."""
    out: dict[int, float] = {}
    for e in world.outgoing(node, *STAKE_TYPES):
        w = e.hi if use_max else e.lo
        out[e.dst] = max(out.get(e.dst, 0.0), w)
    return out


def closure(world: World, members: frozenset[int], *, use_max: bool = False,
            control_types: tuple[RelationType, ...] = ()) -> Closure:
    result = Closure(members, set(members))
    frontier = list(members)
    while frontier:
        added: list[int] = []
        for node in frontier:
            for asset, w in _pair_shares(world, node, use_max).items():
                result.attributed[asset] = result.attributed.get(asset, 0.0) + w
                if asset not in result.controlled and result.attributed[asset] > MAJORITY + EPS:
                    result.controlled.add(asset)
                    result.control_by[asset] = "majority"
                    added.append(asset)
            for e in world.outgoing(node, *control_types):
                if e.dst not in result.controlled:
                    result.controlled.add(e.dst)
                    result.control_by[e.dst] = e.rel_type.value
                    added.append(e.dst)
        frontier = added
    return result


def joint_groups(world: World, holders: list[int]) -> list[frozenset[int]]:
    """Holders merged with everyone they act jointly with (JOINT_ARRANGEMENT edges, both ways)."""
    parent: dict[int, int] = {}

    def find(x: int) -> int:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for e in world.edges:
        if e.rel_type is RelationType.JOINT_ARRANGEMENT:
            parent[find(e.src)] = find(e.dst)
    groups: dict[int, set[int]] = {}
    for node in parent:
        groups.setdefault(find(node), set()).add(node)
    out: dict[frozenset[int], None] = {}
    for h in holders:
        out[frozenset(groups.get(find(h), {h}) if h in parent else {h})] = None
    return list(out)
