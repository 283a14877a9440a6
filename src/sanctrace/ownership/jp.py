"""Japan: the beneficial owner (実質的支配者) an exchange must identify for a corporate customer under
the Act on Prevention of Transfer of Criminal Proceeds (犯罪収益移転防止法, Ordinance art. 11):

1. a natural person who holds, directly or indirectly, more than 50% of the voting rights;
2. else every natural person holding more than 25%;
3. else a natural person who exercises dominant influence over the business (出資・融資・取引等);
4. else the representative director (代表取締役 / person representing the company).

Indirect holdings: voting rights held by a company that the person controls (more than 50%) count
in full as the person's own (the Ordinance's 支配法人 rule), computed by
:func:`sanctrace.ownership.attribution.closure`. Votes come from ``voting`` relations and, where a
register gives only shares, from ``ownership`` (shares assumed to carry votes; stated in the reason).

Japan's asset freeze (外為法) is list-based: sanctrace reports the party blocked when it is listed, or
when a beneficial owner found above is listed — then the exchange is in substance dealing with the
designated person and must treat the account as a hit.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sanctrace.model.party import RelationType
from sanctrace.ownership.attribution import closure
from sanctrace.ownership.graph import lookthrough
from sanctrace.ownership.ofac import SHARE_TYPES
from sanctrace.ownership.verdict import Verdict, explain_paths, pct, status_of
from sanctrace.ownership.world import World

OVER_HALF = 0.5
OVER_QUARTER = 0.25
_PATH_TYPES = (RelationType.OWNERSHIP, RelationType.VOTING, RelationType.OWNED_OR_CONTROLLED)


Holding = tuple[int, float, set[int]]  # person, attributed share, parties the person controls


def attributions(world: World, use_max: bool) -> dict[int, list[Holding]]:
    """For every party, the natural persons with an attributed voting share in it. Each person's
    closure is computed once (it does not depend on the party asked about), so a batch over all
    parties costs the sum of the closures, not parties × upstream."""
    natural = world.natural().tolist()
    holders = sorted({e.src for e in world.edges if e.rel_type in _PATH_TYPES and natural[e.src]})
    out: dict[int, list[Holding]] = {}
    for p in holders:
        c = closure(world, frozenset({p}), use_max=use_max)
        for asset, share in c.attributed.items():
            if share > 0:
                out.setdefault(asset, []).append((p, share, c.controlled))
    return out


def _bo_entry(world: World, node: int, person: int, rule: str, share: float | None,
              controlled: set[int] | None, listed: np.ndarray) -> dict[str, Any]:
    entry: dict[str, Any] = {"party_id": world.ids[person], "name": world.names[person], "rule": rule,
                                "share": None if share is None else round(share, 6),
                                "listed": bool(listed[person])}
    if controlled is not None:
        mask = np.zeros(world.n, dtype=np.bool_)
        mask[list(controlled)] = True
        roots = np.zeros(world.n, dtype=np.bool_)
        roots[person] = True
        entry["paths"] = explain_paths(world, "jp", node, mask, roots, _PATH_TYPES)
    return entry


def beneficial_owners(world: World, node: int, listed: np.ndarray, holdings: dict[int, list[Holding]]
                      ) -> tuple[list[dict[str, Any]], str]:
    """The beneficial owners of ``node`` and the rule (1–4 above) that found them."""
    if world.kinds[node] == "person":
        return [_bo_entry(world, node, node, "natural_person", None, None, listed)], "natural_person"
    owners = holdings.get(node, [])
    majority = [(p, s, c) for p, s, c in owners if s > OVER_HALF + 1e-9]
    if majority:
        return [_bo_entry(world, node, p, "votes_over_50", s, c, listed) for p, s, c in majority], \
            "votes_over_50"
    quarter = [(p, s, c) for p, s, c in owners if s > OVER_QUARTER + 1e-9]
    if quarter:
        return [_bo_entry(world, node, p, "votes_over_25", s, c, listed) for p, s, c in quarter], \
            "votes_over_25"
    natural = world.natural()
    influence = [e.src for e in world.incoming(node, RelationType.DOMINANT_INFLUENCE, RelationType.BOARD_APPOINTMENT)
                 if natural[e.src]]
    if influence:
        return [_bo_entry(world, node, p, "dominant_influence", None, None, listed)
                for p in sorted(set(influence))], "dominant_influence"
    reps = [e.src for e in world.incoming(node, RelationType.REPRESENTATIVE_DIRECTOR) if natural[e.src]]
    if not reps:
        reps = [e.src for e in world.incoming(node, RelationType.DIRECTOR)
                if natural[e.src] and e.role and ("代表" in e.role or "represent" in e.role.lower())]
    if reps:
        return [_bo_entry(world, node, p, "representative_director", None, None, listed)
                for p in sorted(set(reps))], "representative_director"
    return [], "none_found"


def evaluate(world: World, nodes: list[int] | None = None) -> list[Verdict]:
    listed = world.listed_mask("jp")
    graph = world.share_graph(*SHARE_TYPES)
    look = lookthrough(graph, listed, graph.lo)
    certain, upper = attributions(world, False), attributions(world, True)
    out = []
    for node in range(world.n) if nodes is None else nodes:
        bos, rule = beneficial_owners(world, node, listed, certain)
        bos_max, rule_max = beneficial_owners(world, node, listed, upper)
        is_listed = bool(listed[node])
        listed_bos = [b for b in bos if b["listed"] and b["party_id"] != world.ids[node]]
        maybe = [b for b in bos_max if b["listed"] and b["party_id"] != world.ids[node]]
        blocked = is_listed or bool(listed_bos)
        possibly = not blocked and bool(maybe)
        reasons = []
        if is_listed:
            reasons.append(f"listed: {world.listing_text(node, 'jp') or 'jp'}")
        if rule == "none_found":
            reasons.append("no beneficial owner found: no natural person above 25%, no dominant influence, "
                           "no representative director on file — the exchange must obtain one")
        elif rule != "natural_person":
            names = ", ".join(f"{b['name']}" + (f" {pct(float(b['share']))}" if b["share"] is not None else "")
                              for b in bos)
            reasons.append(f"beneficial owner(s) by rule {rule}: {names}")
        for b in listed_bos:
            reasons.append(f"beneficial owner {b['name']} ({b['party_id']}) is designated")
        if possibly:
            reasons.append(f"with the upper end of each share range ({rule_max}) a designated person may be "
                           "a beneficial owner: " + ", ".join(str(b["name"]) for b in maybe))
        shares = [float(b["share"]) for b in bos if b["share"] is not None]
        shares_max = [float(b["share"]) for b in bos_max if b["share"] is not None]
        top = max(shares, default=0.0)
        paths = [p for b in bos for p in b.get("paths", [])]
        out.append(Verdict(
            party_id=world.ids[node], name=world.names[node], regime="jp", as_of=world.as_of,
            listed=is_listed, blocked=blocked, possibly_blocked=possibly,
            status=status_of(is_listed, blocked and not is_listed, False, possibly, False),
            share={"certain": round(min(top, 1.0), 6), "possible": round(min(max([*shares_max, top]), 1.0), 6)},
            lookthrough=round(float(look[node]), 6), near_miss=False, paths=paths, reasons=reasons,
            beneficial_owners=bos))
    return out
