"""Source of funds and final destination: ``trace`` an output, a transaction or an address.

The walk itself is compiled (:mod:`trace_kernels`) over the cached CSR graph (:mod:`graph`); this
module resolves the start, turns the walk's terminals into an exposure breakdown by category and
entity with shares and satoshi amounts ("63% from EMCDPool coinbases within 3 hops"), and lists
the strongest paths as evidence, plus a graph of what was walked for the UI (JSON or GraphML).

Shares are fractions of the start value. For ``haircut`` and ``fifo`` they sum to 1 over all
terminals (fees, unattributed and pruned remainders included); for ``poison`` each reached
source counts fully (share 1.0 means "reached").
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from typing import Any, Literal
from xml.sax.saxutils import quoteattr

import numpy as np

from sanctrace.chain.graph import ChainGraph, Entity, chain_graph, resolve_txid, txid_hex
from sanctrace.chain.schema import address_id as lookup_address
from sanctrace.chain.trace_kernels import (
    COINBASE,
    ENTITY,
    KIND_NAMES,
    UNATTRIBUTED,
    UNSPENT,
    walk_fifo,
    walk_proportional,
)
from sanctrace.engine.base import Engine
from sanctrace.errors import InputError, NotFound

Direction = Literal["back", "forward"]
Method = Literal["poison", "haircut", "fifo"]
_TXID = re.compile(r"^[0-9a-fA-F]{64}$")


@dataclass(frozen=True, slots=True)
class TraceOptions:
    hops: int = 5
    min_share: float = 1e-4
    hub_cap: int = 1000
    max_edges: int = 200_000
    top_paths: int = 10
    with_graph: bool = True
    max_graph_edges: int = 2000


@dataclass
class ExposureShare:
    category: str
    entity: str
    label: str
    share: float
    value_sat: int
    min_hops: int
    max_hops: int
    sanctioned: bool
    russia_mining_nexus: bool
    jurisdiction: str | None = None


@dataclass
class TracePath:
    share: float
    value_sat: int
    category: str
    entity: str
    hops: int
    txids: list[str]
    terminal: dict[str, Any]


@dataclass
class TraceResult:
    start: str
    direction: str
    method: str
    hops: int
    value_sat: int
    breakdown: list[ExposureShare]
    by_category: dict[str, float]
    sanctioned_share: float
    russia_mining_nexus_share: float
    summary: list[str]
    paths: list[TracePath] = field(default_factory=list)
    graph: dict[str, Any] | None = None
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Start:
    outputs: list[tuple[int, int]]  # (tx_id, vout); empty vout -1 = whole transaction
    label: str


def _resolve_start(engine: Engine, graph: ChainGraph, start: str) -> _Start:
    text = start.strip()
    txid, _, vout_text = text.partition(":")
    if _TXID.match(txid):
        tx = resolve_txid(engine, graph, txid)
        if vout_text:
            if not vout_text.isdigit():
                raise InputError(f"{start}: the output index after ':' must be a number")
            graph.output_index(tx, int(vout_text))
            return _Start([(tx, int(vout_text))], text.lower())
        n_out = int(graph.out_ptr[tx + 1] - graph.out_ptr[tx])
        return _Start([(tx, v) for v in range(n_out)], txid.lower())
    aid = lookup_address(engine, text)
    if aid is None:
        raise NotFound(f"{start}: neither a stored transaction (TXID[:VOUT]) nor a known address")
    rows = engine.query("SELECT tx_id, vout FROM chain_outputs WHERE address_id = ? ORDER BY tx_id, vout", [aid])
    if not rows:
        raise NotFound(f"{start}: the address never received an output")
    return _Start([(int(t), int(v)) for t, v in rows], text)


def _work(graph: ChainGraph) -> dict[str, Any]:
    if not graph.work:
        graph.work.update(
            acc=np.zeros(graph.n_tx, np.float64), mark=np.full(graph.n_tx, -1, np.int64),
            parent=np.full(graph.n_tx, -1, np.int64), parent_slot=np.full(graph.n_tx, -1, np.int64), stamp=0,
        )
    return graph.work


def _describe(graph: ChainGraph, kind: int, ent: int) -> Entity:
    if ent >= 0 and kind in (ENTITY, COINBASE):
        return graph.entities[ent]
    if kind == COINBASE:
        return Entity("unknown pool", "coinbase", "unknown pool", False, False)
    name = KIND_NAMES[kind]
    return Entity(name, name, "", False, False)


def _phrase(share: ExposureShare, direction: str) -> str:
    pct = f"{share.share:.0%}" if share.share >= 0.01 else f"{share.share:.2%}"
    prep = "from" if direction == "back" else "to"
    within = f"within {share.max_hops} hop{'s' if share.max_hops != 1 else ''}"
    if share.category == "coinbase":
        what = f"{share.entity} coinbases"
    elif share.category == "unattributed":
        return f"{pct} not attributed within {share.max_hops} hops"
    elif share.category in ("fee", "below_threshold", "unknown_source", "hub", "truncated", "unspent"):
        return f"{pct} {share.category.replace('_', ' ')}"
    elif share.sanctioned:
        what = f"a sanctioned address ({share.label})"
    else:
        what = f"{share.label} ({share.category})"
    flag = " [Russian mining nexus]" if share.russia_mining_nexus else ""
    return f"{pct} {prep} {what} {within}{flag}"


def trace(engine: Engine, start: str, direction: Direction = "back", hops: int = 5, method: Method = "haircut",
          options: TraceOptions | None = None) -> TraceResult:
    """Trace ``start`` (``TXID:VOUT``, ``TXID`` or an address) ``hops`` transactions back or forward."""
    if direction not in ("back", "forward"):
        raise InputError(f"direction must be back or forward, not {direction!r}")
    if method not in ("poison", "haircut", "fifo"):
        raise InputError(f"method must be poison, haircut or fifo, not {method!r}")
    if not 0 < hops <= 50:
        raise InputError(f"hops must be between 1 and 50, not {hops}")
    opts = options or TraceOptions(hops=hops)
    began = time.perf_counter()
    graph = chain_graph(engine)
    resolved = _resolve_start(engine, graph, start)
    return _trace(engine, graph, resolved, direction, hops, method, opts, began)


def _trace(engine: Engine, graph: ChainGraph, resolved: _Start, direction: str, hops: int, method: str,
           opts: TraceOptions, began: float) -> TraceResult:
    backward = direction == "back"
    out_idx = np.array([graph.output_index(t, v) for t, v in resolved.outputs], dtype=np.int64)
    values = graph.out_value[out_idx]
    start_value = int(values.sum())
    txs = np.array([t for t, _ in resolved.outputs], dtype=np.int64)
    pre_kind: list[int] = []
    pre_ent: list[int] = []
    pre_w: list[float] = []
    pre_slot: list[int] = []
    denominator = float(start_value) if start_value > 0 else 1.0

    if backward:
        coinbase = graph.tx_coinbase[txs]
        for i in np.nonzero(coinbase)[0]:  # a coinbase output is its own source
            pre_kind.append(COINBASE)
            pre_ent.append(int(graph.block_entity[graph.tx_block[txs[i]]]))
            pre_w.append(float(values[i]) / denominator)
            pre_slot.append(-1)  # the start output itself; there is no input to point at
        keep = ~coinbase
        walk_tx, walk_val, walk_out = txs[keep], values[keep], out_idx[keep]
    else:
        spender = graph.out_spent_tx[out_idx]
        for i in np.nonzero(spender < 0)[0]:  # still unspent: the funds are where they arrived
            ent = int(graph.addr_entity[graph.out_addr[out_idx[i]]]) if graph.out_addr[out_idx[i]] >= 0 else -1
            pre_kind.append(ENTITY if ent >= 0 else UNSPENT)
            pre_ent.append(ent)
            pre_w.append(float(values[i]) / denominator)
            pre_slot.append(int(out_idx[i]))
        keep = spender >= 0
        walk_tx, walk_val, walk_out = spender[keep], values[keep], out_idx[keep]

    work = _work(graph)
    with graph.lock:
        if method == "fifo":
            if backward:
                lo = graph.out_cum[walk_out]
            else:
                vin = graph.out_spent_vin[walk_out]
                lo = graph.in_cum[graph.in_ptr[walk_tx] + vin]
            fres = walk_fifo(
                backward, walk_tx, lo, lo + walk_val, max(start_value, 1), hops, opts.min_share, opts.hub_cap,
                opts.max_edges, graph.in_ptr, graph.in_prev_tx, graph.in_prev_vout, graph.in_value, graph.in_addr,
                graph.in_cum, graph.out_ptr, graph.out_value, graph.out_addr, graph.out_spent_tx,
                graph.out_spent_vin, graph.out_cum, graph.tx_coinbase, graph.tx_block, graph.addr_entity,
                graph.block_entity,
            )
            t_kind, t_ent, t_amt, t_hop, t_state, t_slot, s_tx, s_parent, s_hop, s_amt = fres
            t_w = t_amt / denominator
            edges = _fifo_edges(s_tx, s_parent, s_hop, s_amt / denominator)
            t_path = _fifo_paths(t_state, s_tx, s_parent)
            edges_walked = int(s_tx.shape[0])
        else:
            uniq, inv = np.unique(walk_tx, return_inverse=True)
            weights = np.bincount(inv, weights=walk_val.astype(np.float64), minlength=uniq.shape[0]) / denominator
            if method == "poison":
                weights = np.ones_like(weights)
            pres = walk_proportional(
                backward, method == "poison", uniq.astype(np.int64), weights, hops, opts.min_share, opts.hub_cap,
                opts.max_edges, int(work["stamp"]), graph.in_ptr, graph.in_prev_tx, graph.in_value, graph.in_addr,
                graph.out_ptr, graph.out_value, graph.out_addr, graph.out_spent_tx, graph.tx_coinbase,
                graph.tx_block, graph.addr_entity, graph.block_entity, work["acc"], work["mark"], work["parent"],
                work["parent_slot"],
            )
            work["stamp"] = int(work["stamp"]) + hops + 2
            t_kind, t_ent, t_w, t_hop, t_tx, t_slot, e_from, e_to, e_w, e_hop, seen = pres
            edges = (e_from, e_to, e_w, e_hop)
            t_path = _parent_paths(t_tx, t_w, work["parent"], opts.top_paths)
            work["parent"][seen] = -1
            edges_walked = int(e_from.shape[0])

    if pre_kind:
        t_kind = np.concatenate([np.array(pre_kind, np.int64), t_kind])
        t_ent = np.concatenate([np.array(pre_ent, np.int64), t_ent])
        t_w = np.concatenate([np.array(pre_w, np.float64), t_w])
        t_hop = np.concatenate([np.zeros(len(pre_kind), np.int64), t_hop])
        t_slot = np.concatenate([np.array(pre_slot, np.int64), t_slot])
        t_path = [[int(txs[0])]] * len(pre_kind) + t_path

    breakdown = _breakdown(graph, t_kind, t_ent, t_w, t_hop, start_value, method == "poison")
    by_category: dict[str, float] = {}
    for item in breakdown:
        by_category[item.category] = round(by_category.get(item.category, 0.0) + item.share, 6)
    if method == "poison":
        by_category = {k: min(v, 1.0) for k, v in by_category.items()}
    sanctioned = _flag_share(breakdown, "sanctioned", method == "poison")
    nexus = _flag_share(breakdown, "russia_mining_nexus", method == "poison")
    result = TraceResult(
        resolved.label, direction, method, hops, start_value, breakdown, by_category, sanctioned, nexus,
        [_phrase(b, direction) for b in breakdown if b.share >= 0.005][:12],
    )
    result.paths = _paths(engine, graph, t_kind, t_ent, t_w, t_hop, t_slot, t_path, start_value, backward,
                          opts.top_paths)
    if opts.with_graph:
        result.graph = _graph(engine, graph, resolved, edges, breakdown, start_value, opts.max_graph_edges)
    result.stats = {"edges_walked": edges_walked, "terminals": int(t_kind.shape[0]),
                    "truncated": bool((t_kind == 8).any()),
                    "ms": round((time.perf_counter() - began) * 1000, 2)}
    return result


def _flag_share(breakdown: list[ExposureShare], flag: str, poison: bool) -> float:
    values = [b.share for b in breakdown if getattr(b, flag)]
    if not values:
        return 0.0
    return 1.0 if poison else round(min(sum(values), 1.0), 6)


def _breakdown(graph: ChainGraph, kind: Any, ent: Any, weight: Any, hop: Any, start_value: int,
               poison: bool) -> list[ExposureShare]:
    if kind.shape[0] == 0:
        return []
    n_ent = len(graph.entities) + 1
    group = kind * (n_ent + 1) + (ent + 1)
    keys, inv = np.unique(group, return_inverse=True)
    sums = np.bincount(inv, weights=weight)
    min_hop = np.full(keys.shape[0], 1 << 30, np.int64)
    max_hop = np.zeros(keys.shape[0], np.int64)
    np.minimum.at(min_hop, inv, hop)
    np.maximum.at(max_hop, inv, hop)
    out: list[ExposureShare] = []
    for i, key in enumerate(keys):  # one per (kind, entity) group: a few dozen at most
        k, e = int(key) // (n_ent + 1), int(key) % (n_ent + 1) - 1
        desc = _describe(graph, k, e)
        share = 1.0 if poison else float(sums[i])
        out.append(ExposureShare(desc.category, desc.entity, desc.label, round(share, 6),
                                 round(share * start_value) if not poison else start_value,
                                 int(min_hop[i]), int(max_hop[i]), desc.sanctioned, desc.russia_mining_nexus,
                                 desc.jurisdiction))
    out.sort(key=lambda s: (-s.sanctioned, -s.share, s.category, s.entity))
    return out


def _parent_paths(t_tx: Any, t_w: Any, parent: Any, top: int) -> list[list[int]]:
    """Path (start → terminal tx) for the heaviest terminals; others get an empty path."""
    paths: list[list[int]] = [[] for _ in range(t_tx.shape[0])]
    for i in np.argsort(-t_w, kind="stable")[: max(top * 4, top)]:
        if t_tx[i] < 0:
            continue
        chain = [int(t_tx[i])]
        while parent[chain[-1]] >= 0 and len(chain) < 64:
            chain.append(int(parent[chain[-1]]))
        chain.reverse()
        paths[int(i)] = chain
    return paths


def _fifo_paths(t_state: Any, s_tx: Any, s_parent: Any) -> list[list[int]]:
    paths: list[list[int]] = []
    for state in t_state:
        chain: list[int] = []
        s = int(state)
        while s >= 0 and len(chain) < 64:
            chain.append(int(s_tx[s]))
            s = int(s_parent[s])
        chain.reverse()
        paths.append(chain)
    return paths


def _fifo_edges(s_tx: Any, s_parent: Any, s_hop: Any, s_w: Any) -> tuple[Any, Any, Any, Any]:
    child = np.nonzero(s_parent >= 0)[0]
    return s_tx[s_parent[child]], s_tx[child], s_w[child], s_hop[child]


def _txids(graph: ChainGraph, ids: set[int]) -> dict[int, str]:
    return {t: txid_hex(graph, t) for t in ids if 0 <= t < graph.n_tx}


def _addresses(engine: Engine, ids: set[int]) -> dict[int, str]:
    """Address strings of a few ids: point queries (zone-mapped), far cheaper than an IN list."""
    out: dict[int, str] = {}
    for aid in sorted(ids):
        value = engine.scalar("SELECT address FROM chain_addresses WHERE address_id = ?", [aid])
        if value is not None:
            out[aid] = str(value)
    return out


def _paths(engine: Engine, graph: ChainGraph, kind: Any, ent: Any, weight: Any, hop: Any, slot: Any,
           t_path: list[list[int]], start_value: int, backward: bool, top: int) -> list[TracePath]:
    order = [int(i) for i in np.argsort(-weight, kind="stable") if int(kind[int(i)]) != UNATTRIBUTED][:top]
    order = [i for i in order if t_path[i]]
    tx_ids: set[int] = {t for i in order for t in t_path[i]}
    addr_ids: set[int] = set()
    for i in order:
        s = int(slot[i])
        if s >= 0:
            addr = graph.in_addr[s] if backward else graph.out_addr[s]
            if addr >= 0:
                addr_ids.add(int(addr))
            if backward and graph.in_prev_tx[s] >= 0:
                tx_ids.add(int(graph.in_prev_tx[s]))
    txids = _txids(graph, tx_ids)
    addresses = _addresses(engine, addr_ids)
    paths: list[TracePath] = []
    for i in order:
        desc = _describe(graph, int(kind[i]), int(ent[i]))
        s = int(slot[i])
        terminal: dict[str, Any] = {"kind": KIND_NAMES[int(kind[i])]}
        if s >= 0:
            addr = int(graph.in_addr[s] if backward else graph.out_addr[s])
            terminal["address"] = addresses.get(addr)
            if backward and graph.in_prev_tx[s] >= 0:
                terminal["outpoint"] = f"{txids.get(int(graph.in_prev_tx[s]))}:{int(graph.in_prev_vout[s])}"
            elif not backward:
                owner = int(np.searchsorted(graph.out_ptr, s, side="right") - 1)
                terminal["outpoint"] = f"{txids.get(owner, '')}:{s - int(graph.out_ptr[owner])}"
        share = float(weight[i])
        paths.append(TracePath(round(share, 6), round(share * start_value), desc.category, desc.entity,
                               int(hop[i]), [txids.get(t, str(t)) for t in t_path[i]], terminal))
    return paths


def _graph(engine: Engine, graph: ChainGraph, resolved: _Start, edges: tuple[Any, Any, Any, Any],
           breakdown: list[ExposureShare], start_value: int, max_edges: int) -> dict[str, Any]:
    e_from, e_to, e_w, e_hop = edges
    if e_from.shape[0]:
        pair = e_from.astype(np.int64) * graph.n_tx + e_to
        keys, inv = np.unique(pair, return_inverse=True)
        weights = np.bincount(inv, weights=e_w)
        hops = np.zeros(keys.shape[0], np.int64)
        np.maximum.at(hops, inv, e_hop)
        keep = np.argsort(-weights, kind="stable")[:max_edges]
        src, dst, w, h = keys[keep] // graph.n_tx, keys[keep] % graph.n_tx, weights[keep], hops[keep]
    else:
        src = dst = h = np.empty(0, np.int64)
        w = np.empty(0, np.float64)
    ids = {int(x) for x in np.concatenate([src, dst])} | {t for t, _ in resolved.outputs}
    txids = _txids(graph, ids)
    nodes = [{"id": txids.get(t, str(t)), "type": "tx", "start": t in {x for x, _ in resolved.outputs}}
             for t in sorted(ids)]
    nodes += [{"id": f"{b.category}:{b.entity}", "type": "entity", "label": b.label, "category": b.category,
               "share": b.share, "sanctioned": b.sanctioned, "russia_mining_nexus": b.russia_mining_nexus}
              for b in breakdown]
    links = [{"source": txids.get(int(a), str(a)), "target": txids.get(int(b), str(b)),
              "share": round(float(x), 6), "value_sat": round(float(x) * start_value), "hop": int(y)}
             for a, b, x, y in zip(src, dst, w, h, strict=True)]
    return {"nodes": nodes, "edges": links}


def to_graphml(result: TraceResult) -> str:
    """The walked graph as GraphML (yEd, Gephi, Cytoscape read it)."""
    graph = result.graph or {"nodes": [], "edges": []}
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">',
        '  <key id="type" for="node" attr.name="type" attr.type="string"/>',
        '  <key id="label" for="node" attr.name="label" attr.type="string"/>',
        '  <key id="share" for="all" attr.name="share" attr.type="double"/>',
        '  <key id="value_sat" for="edge" attr.name="value_sat" attr.type="long"/>',
        '  <key id="hop" for="edge" attr.name="hop" attr.type="int"/>',
        f'  <graph id={quoteattr(result.start)} edgedefault="directed">',
    ]
    for node in graph["nodes"]:
        lines.append(f'    <node id={quoteattr(str(node["id"]))}>'
                     f'<data key="type">{node["type"]}</data>'
                     f'<data key="label">{_esc(str(node.get("label", node["id"])))}</data>'
                     + (f'<data key="share">{node["share"]}</data>' if "share" in node else "") + "</node>")
    for i, edge in enumerate(graph["edges"]):
        lines.append(f'    <edge id="e{i}" source={quoteattr(edge["source"])} target={quoteattr(edge["target"])}>'
                     f'<data key="share">{edge["share"]}</data><data key="value_sat">{edge["value_sat"]}</data>'
                     f'<data key="hop">{edge["hop"]}</data></edge>')
    lines += ["  </graph>", "</graphml>"]
    return "\n".join(lines) + "\n"


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
