"""Why are two addresses in one cluster? The chain of transactions and heuristics that linked them.

Clustering keeps every merging edge (``chain_cluster_witness``); these edges form a spanning
forest, so two addresses of one cluster are joined by exactly one path in it. ``why`` finds that
path (a breadth-first search over the cluster's witness edges, in scipy's compiled graph code)
and returns it step by step — each step a transaction, the heuristic and its confidence — which
is the evidence an analyst shows a regulator. The path's confidence is the product of its steps.
``cluster_info`` summarises a cluster: size, tags, the entity and category the tags point to.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import breadth_first_order

from sanctrace.chain.schema import address_id as lookup_address
from sanctrace.engine.base import Engine
from sanctrace.errors import NotFound


@dataclass(frozen=True, slots=True)
class WhyStep:
    from_address: str
    to_address: str
    txid: str
    heuristic: str
    confidence: float
    explanation: str


@dataclass
class WhyResult:
    address_a: str
    address_b: str
    cluster_id: int | None
    linked: bool
    steps: list[WhyStep] = field(default_factory=list)
    confidence: float = 0.0


def _address_id(engine: Engine, address: str) -> int:
    aid = lookup_address(engine, address)
    if aid is None:
        raise NotFound(f"address {address}: not seen on the stored chain")
    return aid


def _cluster(engine: Engine, aid: int) -> int:
    if not engine.table_exists("chain_clusters"):
        raise NotFound("no clusters yet: run `sanctrace chain cluster --update` first")
    value = engine.scalar("SELECT cluster_id FROM chain_clusters WHERE address_id = ?", [aid])
    return aid if value is None else int(value)


def _explain(heuristic: str, a: str, b: str, txid: str) -> str:
    if heuristic == "multi_input":
        return f"{a} and {b} were spent together as inputs of {txid} (multi-input heuristic)"
    names = heuristic.removeprefix("change+").replace("+", ", ")
    return f"{b} received the change of {txid}, paid from {a} (change heuristics: {names})"


def why(engine: Engine, address_a: str, address_b: str) -> WhyResult:
    a, b = _address_id(engine, address_a), _address_id(engine, address_b)
    ca, cb = _cluster(engine, a), _cluster(engine, b)
    if a == b:
        return WhyResult(address_a, address_b, ca, True, [], 1.0)
    if ca != cb:
        return WhyResult(address_a, address_b, None, False)
    edges = engine.to_arrow(
        """SELECT w.a, w.b, w.tx_id, w.heuristic, w.confidence FROM chain_cluster_witness w
        JOIN chain_clusters c ON c.address_id = w.a WHERE c.cluster_id = ?""",
        [ca],
    )
    ea = edges.column("a").to_numpy()
    eb = edges.column("b").to_numpy()
    nodes, local = np.unique(np.concatenate([ea, eb, [a, b]]), return_inverse=True)
    n_edges = ea.shape[0]
    la, lb = local[:n_edges], local[n_edges:2 * n_edges]
    src, dst = local[2 * n_edges], local[2 * n_edges + 1]
    edge_index = np.arange(n_edges)
    graph = coo_matrix(
        (np.concatenate([edge_index, edge_index]) + 1, (np.concatenate([la, lb]), np.concatenate([lb, la]))),
        shape=(nodes.shape[0], nodes.shape[0]),
    ).tocsr()
    _order, pred = breadth_first_order(graph, src, directed=True, return_predecessors=True)
    if pred[dst] < 0 and dst != src:
        return WhyResult(address_a, address_b, ca, False)
    path_edges: list[int] = []
    node = dst
    while node != src:
        prev = int(pred[node])
        path_edges.append(int(graph[prev, node]) - 1)
        node = prev
    path_edges.reverse()
    heuristics = edges.column("heuristic").to_pylist()
    confidences = edges.column("confidence").to_pylist()
    txids = _lookup(engine, "chain_txs", "tx_id", "txid", [int(edges.column("tx_id")[i].as_py()) for i in path_edges])
    ids = {int(nodes[i]) for e in path_edges for i in (la[e], lb[e])}
    names = _lookup(engine, "chain_addresses", "address_id", "address", sorted(ids))
    steps: list[WhyStep] = []
    current = a
    confidence = 1.0
    for e in path_edges:
        x, y = int(nodes[la[e]]), int(nodes[lb[e]])
        nxt = y if x == current else x
        txid = txids[int(edges.column("tx_id")[e].as_py())]
        step = WhyStep(names[current], names[nxt], txid, heuristics[e], float(confidences[e]),
                       _explain(heuristics[e], names[x], names[y], txid))
        steps.append(step)
        confidence *= float(confidences[e])
        current = nxt
    return WhyResult(address_a, address_b, ca, True, steps, round(confidence, 6))


def _lookup(engine: Engine, table: str, key: str, value: str, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    rows = engine.query(f"SELECT {key}, {value} FROM {table} WHERE {key} IN ({marks})", ids)
    return {int(k): str(v) for k, v in rows}


def cluster_info(engine: Engine, address: str, *, sample: int = 10) -> dict[str, Any]:
    """Cluster id, size, tags, entity and category (from the best tag in the cluster), sample addresses."""
    aid = _address_id(engine, address)
    cid = _cluster(engine, aid)
    size = int(engine.scalar("SELECT count(*) FROM chain_clusters WHERE cluster_id = ?", [cid]) or 0) or 1
    members = "SELECT address_id FROM chain_clusters WHERE cluster_id = ? UNION SELECT ?"
    addresses = [r[0] for r in engine.query(
        f"SELECT a.address FROM chain_addresses a WHERE a.address_id IN ({members}) ORDER BY a.address_id LIMIT ?",
        [cid, aid, sample],
    )]
    tags: list[dict[str, Any]] = []
    if engine.table_exists("chain_tags"):
        keys = ("address", "label", "category", "entity", "jurisdiction", "confidence", "source",
                "sanctioned", "russia_mining_nexus", "cluster_definer")
        rows = engine.query(
            f"""SELECT t.address, t.label, t.category, t.entity, t.jurisdiction, t.confidence, t.source,
                   t.sanctioned, t.russia_mining_nexus, t.cluster_definer
            FROM chain_tags t JOIN chain_addresses a ON a.address = t.address
            WHERE a.address_id IN ({members})
            ORDER BY t.sanctioned DESC, t.cluster_definer DESC, t.confidence DESC, t.address LIMIT 100""",
            [cid, aid],
        )
        tags = [dict(zip(keys, row, strict=True)) for row in rows]
    best = next((t for t in tags if t["cluster_definer"] or t["address"] == address), tags[0] if tags else None)
    return {
        "address": address,
        "cluster_id": cid,
        "size": size,
        "entity": best["entity"] if best else None,
        "category": best["category"] if best else None,
        "sanctioned": any(t["sanctioned"] for t in tags),
        "russia_mining_nexus": any(t["russia_mining_nexus"] for t in tags),
        "tags": tags,
        "sample_addresses": addresses,
    }
