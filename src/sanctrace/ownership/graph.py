"""The party graph as arrays, and the set-wise kernels every regime is built from.

Parties become dense integer ids; ownership edges become parallel numpy arrays (owner, asset,
min share, max share) sorted by owner, so "all stakes held by this set of parties" is a slice, not
a Python loop per edge. The aggregate-threshold fixed point (OFAC/EU 50% rule) runs frontier by
frontier: each round adds only the stakes of parties that became blocked in the previous round,
so the whole propagation touches every edge at most once and terminates on cycles (a party is
blocked once and never again).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sanctrace.engine.base import Engine
from sanctrace.model.party import RelationType

#: comparisons of aggregated fractions use this slack (50.0% from 10% + 40% is 0.49999999...)
EPS = 1e-9

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


@dataclass
class ShareGraph:
    """Edges ``src → dst`` with a share range, sorted by ``src`` with CSR offsets ``indptr``."""

    n: int
    src: IntArray
    dst: IntArray
    lo: FloatArray
    hi: FloatArray
    indptr: IntArray

    @classmethod
    def build(cls, n: int, src: IntArray, dst: IntArray, lo: FloatArray, hi: FloatArray) -> ShareGraph:
        order = np.argsort(src, kind="stable")
        src, dst, lo, hi = src[order], dst[order], lo[order], hi[order]
        counts = np.bincount(src, minlength=n)
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        return cls(n, src, dst, lo, hi, indptr)

    def out_edges(self, nodes: IntArray) -> IntArray:
        """Indices of all edges leaving ``nodes`` (vectorised CSR gather)."""
        if nodes.size == 0:
            return np.zeros(0, dtype=np.int64)
        starts = self.indptr[nodes]
        lengths = self.indptr[nodes + 1] - starts
        total = int(lengths.sum())
        if total == 0:
            return np.zeros(0, dtype=np.int64)
        offsets = np.repeat(starts - np.cumsum(lengths) + lengths, lengths)
        return offsets + np.arange(total, dtype=np.int64)


def aggregate_fixed_point(graph: ShareGraph, seeds: BoolArray, weights: FloatArray, threshold: float,
                          *, strict: bool = False) -> tuple[BoolArray, FloatArray]:
    """Blocked set and the aggregate share blocked parties hold in every party.

    A party joins when the stakes held by blocked parties sum to ``>= threshold`` (``>`` when
    ``strict``). Unblocked owners pass nothing on. Returns (blocked mask, aggregate share)."""
    blocked = seeds.copy()
    share = np.zeros(graph.n, dtype=np.float64)
    frontier = np.flatnonzero(blocked).astype(np.int64)
    while frontier.size:
        edges = graph.out_edges(frontier)
        if edges.size == 0:
            break
        targets = graph.dst[edges]
        np.add.at(share, targets, weights[edges])
        touched = np.unique(targets)
        hit = share[touched] > threshold + EPS if strict else share[touched] >= threshold - EPS
        new = touched[hit & ~blocked[touched]]
        blocked[new] = True
        frontier = new
    return blocked, share


def lookthrough(graph: ShareGraph, seeds: BoolArray, weights: FloatArray, *, rounds: int = 64) -> FloatArray:
    """Economic share held by ``seeds``: multiply stakes along each path, sum over paths.

    Iterates ``x = W^T (seed ? 1 : x)``; with cross-holdings the series converges because every
    stake is below 100%. Stops when nothing moves by more than 1e-9 or after ``rounds``."""
    x = np.zeros(graph.n, dtype=np.float64)
    for _ in range(rounds):
        carried = np.where(seeds[graph.src], 1.0, x[graph.src])
        new: FloatArray = np.minimum(
            np.bincount(graph.dst, weights=weights * carried, minlength=graph.n).astype(np.float64), 1.0)
        new[seeds] = 1.0
        if np.max(np.abs(new - x), initial=0.0) < 1e-9:
            return new
        x = new
    return x


def strongly_connected_cycles(n: int, src: IntArray, dst: IntArray) -> list[list[int]]:
    """Components of size > 1 (and self-loops) — iterative Tarjan, no recursion limit."""
    adjacency: list[list[int]] = [[] for _ in range(n)]
    for s, d in zip(src.tolist(), dst.tolist(), strict=True):
        adjacency[s].append(d)
    index = [-1] * n
    low = [0] * n
    on_stack = [False] * n
    stack: list[int] = []
    counter = 0
    out: list[list[int]] = []
    for root in range(n):
        if index[root] != -1 or not adjacency[root]:
            continue
        work = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack[node] = True
            recurse = False
            for i in range(child, len(adjacency[node])):
                nxt = adjacency[node][i]
                if index[nxt] == -1:
                    work.append((node, i + 1))
                    work.append((nxt, 0))
                    recurse = True
                    break
                if on_stack[nxt]:
                    low[node] = min(low[node], index[nxt])
            if recurse:
                continue
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack[w] = False
                    component.append(w)
                    if w == node:
                        break
                if len(component) > 1 or node in adjacency[node]:
                    out.append(sorted(component))
    return out


def ownership_cycles(engine: Engine, as_of: str | None) -> list[tuple[list[str], list[str]]]:
    """Ownership cycles in force on ``as_of``: (party ids, origins of the edges inside)."""
    from sanctrace.ownership.store import active_clause

    rows = engine.query(
        f"SELECT source_id, target_id, origin FROM party_relations r WHERE rel_type IN (?, ?, ?) "
        f"AND {active_clause(as_of)}",
        [RelationType.OWNERSHIP.value, RelationType.VOTING.value, RelationType.OWNED_OR_CONTROLLED.value])
    if not rows:
        return []
    ids = sorted({r[0] for r in rows} | {r[1] for r in rows})
    pos = {p: i for i, p in enumerate(ids)}
    src = np.array([pos[r[0]] for r in rows], dtype=np.int64)
    dst = np.array([pos[r[1]] for r in rows], dtype=np.int64)
    out = []
    for component in strongly_connected_cycles(len(ids), src, dst):
        members = {ids[i] for i in component}
        origins = sorted({r[2] for r in rows if r[0] in members and r[1] in members and r[2]})
        out.append(([ids[i] for i in component], origins))
    return out
