"""Everything a regime needs, read from the engine once: party ids, kinds, listings per regime and
the relations in force on the evaluation date, as arrays (see :mod:`sanctrace.ownership.graph`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from sanctrace.engine.base import Engine
from sanctrace.errors import NotFound
from sanctrace.model.party import RelationType
from sanctrace.ownership.graph import BoolArray, FloatArray, IntArray, ShareGraph
from sanctrace.ownership.store import active_clause, ensure_schema

REGIMES = ("ofac", "eu", "uk", "jp")

#: a listing counts for a regime when its regime is the regime itself or one of these
_UNIVERSAL = ("any", "un")


@dataclass
class Edge:
    src: int
    dst: int
    rel_type: RelationType
    lo: float
    hi: float
    origin: str
    role: str | None


@dataclass
class World:
    as_of: str
    ids: list[str]
    index: dict[str, int]
    names: list[str]
    kinds: list[str]
    listings: dict[int, list[tuple[str, str | None]]]  # node → [(regime, program)]
    edges: list[Edge]
    _graphs: dict[tuple[str, ...], ShareGraph] = field(default_factory=dict)
    _natural: BoolArray | None = field(default=None, repr=False)

    @property
    def n(self) -> int:
        return len(self.ids)

    def node(self, party_id: str) -> int:
        try:
            return self.index[party_id]
        except KeyError:
            raise NotFound(f"party {party_id!r} is not loaded (sanctrace parties load ...)") from None

    def listed_mask(self, regime: str) -> BoolArray:
        mask = np.zeros(self.n, dtype=np.bool_)
        for node, entries in self.listings.items():
            if any(r == regime or r in _UNIVERSAL for r, _ in entries):
                mask[node] = True
        return mask

    def listing_text(self, node: int, regime: str) -> str:
        parts = [f"{r}{' ' + p if p else ''}" for r, p in self.listings.get(node, [])
                 if r == regime or r in _UNIVERSAL]
        return ", ".join(sorted(set(parts)))

    def natural(self) -> BoolArray:
        """Natural persons (computed once; regimes ask per party)."""
        if self._natural is None:
            self._natural = np.array([k == "person" for k in self.kinds], dtype=np.bool_)
        natural: BoolArray = self._natural
        return natural

    def share_graph(self, *types: RelationType, combine: str = "max") -> ShareGraph:
        """Edges of the given share-carrying types, parallel edges of one pair combined by ``max``
        (two reports of one holding, e.g. shares and votes, or two sources)."""
        key = (*sorted(t.value for t in types), combine)
        if key in self._graphs:
            return self._graphs[key]
        pairs: dict[tuple[int, int], tuple[float, float]] = {}
        for e in self.edges:
            if e.rel_type in types:
                old = pairs.get((e.src, e.dst))
                pairs[(e.src, e.dst)] = (e.lo, e.hi) if old is None else (max(old[0], e.lo), max(old[1], e.hi))
        src = np.array([p[0] for p in pairs], dtype=np.int64)
        dst = np.array([p[1] for p in pairs], dtype=np.int64)
        lo = np.array([v[0] for v in pairs.values()], dtype=np.float64)
        hi = np.array([v[1] for v in pairs.values()], dtype=np.float64)
        graph = ShareGraph.build(self.n, src, dst, lo, hi)
        self._graphs[key] = graph
        return graph

    def incoming(self, node: int, *types: RelationType) -> list[Edge]:
        return [e for e in self._incoming.get(node, []) if e.rel_type in types]

    def outgoing(self, node: int, *types: RelationType) -> list[Edge]:
        return [e for e in self._outgoing.get(node, []) if e.rel_type in types]

    def __post_init__(self) -> None:
        self._incoming: dict[int, list[Edge]] = {}
        self._outgoing: dict[int, list[Edge]] = {}
        for e in self.edges:
            self._incoming.setdefault(e.dst, []).append(e)
            self._outgoing.setdefault(e.src, []).append(e)


def load_world(engine: Engine, as_of: str | None = None, *, focus: str | None = None) -> World:
    """Read parties, listings and the relations in force on ``as_of`` (default: today, UTC).

    With ``focus``, only that party and everything upstream of it (its holders, directors and
    controllers, transitively, plus joint-arrangement partners) — all any regime's answer for it
    depends on — so one check stays fast in a database of millions of parties."""
    ensure_schema(engine)
    active_clause(as_of)  # validates the date
    day = as_of or date.today().isoformat()
    scope = ""
    if focus is not None:
        # child → parent steps: every relation points up to its source; joint arrangements both ways
        engine.execute(
            f"""CREATE OR REPLACE TEMP TABLE _world_steps AS
                SELECT target_id AS child, source_id AS parent FROM party_relations r WHERE {active_clause(day)}
                UNION
                SELECT source_id, target_id FROM party_relations r
                WHERE rel_type = 'joint_arrangement' AND {active_clause(day)}""")
        engine.execute(
            """CREATE OR REPLACE TEMP TABLE _world_scope AS
                WITH RECURSIVE up(party_id) AS (
                    SELECT ?::VARCHAR
                    UNION
                    SELECT s.parent FROM _world_steps s JOIN up ON s.child = up.party_id)
                SELECT DISTINCT party_id FROM up""", [focus])
        scope = " WHERE party_id IN (SELECT party_id FROM _world_scope)"
    parties = engine.query(
        f"SELECT party_id, coalesce(primary_name, party_id), kind FROM parties{scope} ORDER BY party_id")
    ids = [r[0] for r in parties]
    index = {p: i for i, p in enumerate(ids)}
    listings: dict[int, list[tuple[str, str | None]]] = {}
    for party_id, regime, program in engine.query(f"SELECT party_id, regime, program FROM party_listings{scope}"):
        if party_id in index:
            listings.setdefault(index[party_id], []).append((regime, program))
    if engine.table_exists("party_identity_links"):
        # a party that screening matched to a list entry carries that entry's listings
        for party_id, entry, score, regime, program in engine.query(
            "SELECT k.party_a, k.party_b, k.probability, l.regime, l.program FROM party_identity_links k "
            "JOIN party_listings l ON l.party_id = k.party_b WHERE k.method = 'screening' ORDER BY 1, 2"):
            if party_id in index:
                via = f"via screening match to {entry} (score {score:.2f})"
                listings.setdefault(index[party_id], []).append(
                    (regime, f"{program} {via}" if program else via))
    table = engine.to_arrow(
        f"SELECT source_id, target_id, rel_type, share_min, share_max, origin, role FROM party_relations r "
        f"WHERE {active_clause(day)}"
        + (" AND target_id IN (SELECT party_id FROM _world_scope)" if focus is not None else "")
        + " ORDER BY source_id, target_id, rel_type")
    cols = [table.column(i).to_pylist() for i in range(table.num_columns)]
    types = {t.value: t for t in RelationType}
    edges = []
    for s, t, rel, lo, hi, origin, role in zip(*cols, strict=True):
        si = index.get(s)
        ti = index.get(t)
        if si is None or ti is None:
            continue
        edges.append(Edge(si, ti, types[rel], 0.0 if lo is None else lo, 1.0 if hi is None else hi,
                          origin or "", role))
    return World(day, ids, index, [r[1] for r in parties], [r[2] for r in parties], listings, edges)


def as_int(a: IntArray) -> list[int]:
    return [int(x) for x in a.tolist()]


def as_float(a: FloatArray) -> list[float]:
    return [float(x) for x in a.tolist()]
