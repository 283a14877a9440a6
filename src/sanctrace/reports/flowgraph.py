"""The fund-flow graph of a case as a PNG, drawn with matplotlib from the alerts' trace evidence.

Edges come from ``evidence.paths`` (hops ``from → to`` with ``value_sat`` and ``txid``) and from the
transfer itself (sender addresses → deposit address); when no alert carries paths and the deposit's
transaction is in the ingested chain, from a backward trace run at report time (:func:`trace_edges`).
Nodes are laid out left to right by their distance from the sources, so the picture reads as
"where the coins came from → the customer".
Matplotlib is imported only when a picture is drawn (headless Agg backend).
"""

from __future__ import annotations

import io
import itertools
from collections import defaultdict
from dataclasses import dataclass

from sanctrace.engine.base import Engine
from sanctrace.errors import SanctraceError
from sanctrace.model.alert import Alert
from sanctrace.reports.facts import TransferFact, format_btc


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    value_sat: int | None
    txid: str | None


def edges_from(alerts: list[Alert], transfers: list[TransferFact]) -> list[Edge]:
    seen: dict[tuple[str, str, str | None], Edge] = {}
    for alert in alerts:
        paths = alert.evidence.get("paths")
        if not isinstance(paths, list):
            continue
        for path in paths:
            for hop in path if isinstance(path, list) else []:
                if not isinstance(hop, dict) or not hop.get("from") or not hop.get("to"):
                    continue
                value = hop.get("value_sat")
                edge = Edge(str(hop["from"]), str(hop["to"]), int(value) if value is not None else None,
                            hop.get("txid"))
                seen.setdefault((edge.source, edge.target, edge.txid), edge)
    for t in transfers:
        if t.direction == "in" and t.address:
            for sender in t.counterparty_addresses:
                edge = Edge(sender, t.address, t.amount, t.txid)
                seen.setdefault((edge.source, edge.target, edge.txid), edge)
        elif t.direction == "out" and t.address:
            edge = Edge(f"account {t.account_id or '?'}", t.address, t.amount, t.txid)
            seen.setdefault((edge.source, edge.target, edge.txid), edge)
    return list(seen.values())


def trace_edges(engine: Engine, transfers: list[TransferFact], *, hops: int = 5, top: int = 6) -> list[Edge]:
    """Edges from a backward chain trace of each deposit, for cases whose alerts carry no paths.

    Uses the chain capability's own trace (haircut, ``hops`` back) when the deposit's transaction
    is in the ingested chain; the strongest attributed paths are drawn, else the strongest ones.
    """
    if not engine.table_exists("chain_txs"):
        return []
    try:
        from sanctrace.chain.trace import TraceOptions, trace
    except ImportError:  # pragma: no cover - the chain package ships with sanctrace
        return []
    edges: dict[tuple[str, str], Edge] = {}
    for t in transfers:
        if t.direction != "in" or not t.txid or t.vout is None:
            continue
        if not engine.scalar("SELECT count(*) FROM chain_txs WHERE txid = ?", [t.txid]):
            continue
        try:
            result = trace(engine, f"{t.txid}:{t.vout}", "back", hops, "haircut",
                           TraceOptions(hops=hops, top_paths=top * 3, with_graph=False))
        except SanctraceError:
            continue
        named = [p for p in result.paths if p.category not in _UNNAMED]
        for path in (named or result.paths)[:top]:
            label = path.entity or str(path.terminal.get("address") or path.category)
            chain = [f"{path.category}: {label}", *reversed(path.txids)]
            if t.address:
                chain.append(t.address)
            for a, b in itertools.pairwise(chain):
                value = path.value_sat if a == chain[0] else None
                edges.setdefault((a, b), Edge(a, b, value, None))
    return list(edges.values())


_UNNAMED = ("unattributed", "below_threshold", "unspent", "fee")


def _short(label: str) -> str:
    if " " not in label and len(label) > 20:
        return f"{label[:8]}…{label[-6:]}"
    return label if len(label) <= 28 else label[:27] + "…"


def _layers(edges: list[Edge]) -> dict[str, int]:
    """Longest distance from a source, bounded by the node count (cycles cannot loop forever)."""
    nodes = {e.source for e in edges} | {e.target for e in edges}
    depth = dict.fromkeys(nodes, 0)
    for _ in range(len(nodes)):
        changed = False
        for e in edges:
            if depth[e.target] < depth[e.source] + 1 <= len(nodes):
                depth[e.target] = depth[e.source] + 1
                changed = True
        if not changed:
            break
    return depth


def render_png(edges: list[Edge], *, highlight: set[str] | None = None, title: str = "") -> bytes | None:
    """A PNG of the graph, or None when the case has no trace evidence to draw."""
    if not edges:
        return None
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyArrowPatch

    depth = _layers(edges)
    columns: dict[int, list[str]] = defaultdict(list)
    for node in sorted(depth, key=lambda n: (depth[n], n)):
        columns[depth[node]].append(node)
    pos: dict[str, tuple[float, float]] = {}
    for x, column in columns.items():
        for i, node in enumerate(column):
            pos[node] = (float(x), (len(column) - 1) / 2.0 - i)
    width = max(6.0, 3.2 * len(columns))
    height = max(3.0, 1.4 * max(len(c) for c in columns.values()))
    fig, ax = plt.subplots(figsize=(width, height), dpi=110)
    try:
        data_per_inch = (max(columns) + 1.2) / width

        def half(node: str) -> float:  # half the label box width, in data units (8 pt text)
            return (len(_short(node)) * 0.075 + 0.3) / 2 * data_per_inch

        for e in edges:
            (x1, y1), (x2, y2) = pos[e.source], pos[e.target]
            ax.add_patch(FancyArrowPatch((x1 + half(e.source), y1), (x2 - half(e.target), y2), arrowstyle="-|>",
                                         mutation_scale=14,
                                         color="#555555", linewidth=1.2, connectionstyle="arc3,rad=0.05"))
            label = f"{format_btc(e.value_sat)} BTC" if e.value_sat is not None else ""
            if e.txid:
                label += f"\ntx {e.txid[:10]}…"
            ax.text((x1 + x2) / 2, (y1 + y2) / 2 + 0.12, label, ha="center", va="bottom", fontsize=7,
                    color="#333333")
        marked = highlight or set()
        for node, (nx, ny) in pos.items():
            source = depth[node] == 0
            colour = "#fde0dd" if source else "#deebf7"
            if node in marked:
                colour = "#fff2ae"
            ax.text(nx, ny, _short(node), ha="center", va="center", fontsize=8,
                    bbox={"boxstyle": "round,pad=0.4", "facecolor": colour, "edgecolor": "#444444"})
        ax.set_xlim(-0.6, max(columns) + 0.6)
        ys = [y for _, y in pos.values()]
        ax.set_ylim(min(ys) - 0.8, max(ys) + 0.8)
        ax.axis("off")
        if title:
            ax.set_title(title, fontsize=10)
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight")
        return buffer.getvalue()
    finally:
        plt.close(fig)
