"""Address clustering: multi-input (minus CoinJoins) plus optional change heuristics, incremental.

Tables written (DuckDB):

* ``chain_clusters(address_id, cluster_id)`` — every address in a cluster of two or more; an
  address not listed is alone (its cluster id is its own id). ``cluster_id`` is the smallest
  address id of the cluster, so it is the same on DuckDB and Spark.
* ``chain_cluster_witness(a, b, tx_id, heuristic, confidence)`` — every edge that merged two
  clusters: the transaction and the heuristic that put ``a`` and ``b`` together. These edges form a
  spanning forest of the clusters; ``why`` walks it.
* ``chain_coinjoin_txs(tx_id, kind)`` — transactions excluded from the multi-input heuristic.
* ``chain_cluster_state`` — the configuration, the last transaction processed and a count that
  detects a changed history (a reorg or a re-ingest), which forces a rebuild.

A run processes only transactions after the stored watermark, starting from the stored labels,
so adding a block costs that block's transactions plus one pass over the label array.
Inputs whose spent output was not yet ingested have no address and cannot link.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa

from sanctrace.chain.change import CHANGE_HEURISTICS, change_edges_sql
from sanctrace.chain.cluster_kernels import flatten, multi_input_edges, union_edges
from sanctrace.chain.coinjoin import detect_coinjoins
from sanctrace.engine.base import Engine
from sanctrace.errors import InputError, NotFound


@dataclass(frozen=True)
class ClusterConfig:
    """Which heuristics run. Changing it rebuilds the clusters from scratch."""

    multi_input: bool = True
    coinjoin_exclusion: bool = True
    change: tuple[str, ...] = ()
    min_change_confidence: float = 0.6

    def __post_init__(self) -> None:
        unknown = sorted(set(self.change) - set(CHANGE_HEURISTICS))
        if unknown:
            raise InputError(f"unknown change heuristic(s): {', '.join(unknown)} "
                             f"(choose from {', '.join(CHANGE_HEURISTICS)})")

    def key(self) -> str:
        data = asdict(self)
        data["change"] = sorted(self.change)
        return json.dumps(data, sort_keys=True)


@dataclass
class ClusterRun:
    rebuilt: bool
    new_txs: int
    coinjoins: int
    edges: int
    merges: int
    addresses_relabelled: int
    clusters: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)


def ensure_tables(engine: Engine) -> None:
    engine.execute("CREATE TABLE IF NOT EXISTS chain_clusters (address_id BIGINT, cluster_id BIGINT)")
    engine.execute(
        """CREATE TABLE IF NOT EXISTS chain_cluster_witness (a BIGINT, b BIGINT, tx_id BIGINT,
        heuristic VARCHAR, confidence DOUBLE)"""
    )
    engine.execute("CREATE TABLE IF NOT EXISTS chain_coinjoin_txs (tx_id BIGINT, kind VARCHAR)")
    engine.execute(
        """CREATE TABLE IF NOT EXISTS chain_cluster_state (config VARCHAR, watermark BIGINT,
        tx_count BIGINT, updated_at TIMESTAMP)"""
    )


def _column(table: pa.Table, name: str) -> np.ndarray[Any, np.dtype[np.int64]]:
    return np.ascontiguousarray(table.column(name).to_numpy(zero_copy_only=False).astype(np.int64, copy=False))


def cluster_addresses(engine: Engine, config: ClusterConfig | None = None, *, rebuild: bool = False) -> ClusterRun:
    """Bring the clusters up to date with the stored transactions (one transaction, all or nothing)."""
    config = config or ClusterConfig()
    if not engine.table_exists("chain_inputs"):
        raise NotFound("no chain data: run `sanctrace chain ingest` first")
    started = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = round(now - since, 3)
        return now

    with engine.transaction():
        ensure_tables(engine)
        state = engine.query_one("SELECT config, watermark, tx_count FROM chain_cluster_state")
        watermark = 0
        if state is not None and not rebuild and state[0] == config.key():
            still = engine.scalar("SELECT count(*) FROM chain_txs WHERE tx_id <= ?", [state[1]])
            if int(still) == int(state[2]):
                watermark = int(state[1])
        rebuilt = watermark == 0
        if rebuilt:
            for table in ("chain_clusters", "chain_cluster_witness", "chain_coinjoin_txs"):
                engine.execute(f"DELETE FROM {table}")
        max_tx = int(engine.scalar("SELECT coalesce(max(tx_id), 0) FROM chain_txs") or 0)
        max_addr = int(engine.scalar("SELECT coalesce(max(address_id), 0) FROM chain_addresses") or 0)
        t = time.perf_counter()
        coinjoins = detect_coinjoins(engine, watermark) if config.coinjoin_exclusion else 0
        t = lap("coinjoin_sql", t)

        srcs: list[np.ndarray[Any, np.dtype[np.int64]]] = []
        dsts: list[np.ndarray[Any, np.dtype[np.int64]]] = []
        txs: list[np.ndarray[Any, np.dtype[np.int64]]] = []
        heur: list[pa.Array] = []
        confs: list[np.ndarray[Any, np.dtype[np.float64]]] = []
        if config.multi_input and max_tx > watermark:
            inputs = engine.to_arrow(
                "SELECT tx_id, address_id FROM chain_inputs WHERE tx_id > ? AND address_id IS NOT NULL",
                [watermark],
            )
            skip = engine.to_arrow("SELECT tx_id FROM chain_coinjoin_txs WHERE tx_id > ? ORDER BY tx_id",
                                   [watermark])
            t = lap("fetch_inputs", t)
            src, dst, etx = multi_input_edges(_column(inputs, "tx_id"), _column(inputs, "address_id"),
                                              _column(skip, "tx_id"), watermark + 1, max_tx - watermark)
            del inputs
            srcs.append(src)
            dsts.append(dst)
            txs.append(etx)
            confs.append(np.ones(src.shape[0], dtype=np.float64))
            t = lap("multi_input_edges", t)
        if config.change and max_tx > watermark:
            change = engine.to_arrow(change_edges_sql(watermark, config.change, config.min_change_confidence))
            srcs.append(_column(change, "src"))
            dsts.append(_column(change, "dst"))
            txs.append(_column(change, "tx_id"))
            heur.append(change.column("heuristic").combine_chunks())
            confs.append(change.column("confidence").to_numpy().astype(np.float64))
            t = lap("change_sql", t)

        src = np.concatenate(srcs) if srcs else np.empty(0, np.int64)
        dst = np.concatenate(dsts) if dsts else np.empty(0, np.int64)
        etx = np.concatenate(txs) if txs else np.empty(0, np.int64)
        conf = np.concatenate(confs) if confs else np.empty(0, np.float64)

        parent = np.arange(max_addr + 1, dtype=np.int64)
        stored = np.zeros(max_addr + 1, dtype=np.bool_)
        if not rebuilt:
            old = engine.to_arrow("SELECT address_id, cluster_id FROM chain_clusters")
            ids = _column(old, "address_id")
            parent[ids] = _column(old, "cluster_id")
            stored[ids] = True
        old_labels = parent.copy()
        t = lap("load_labels", t)
        merged = union_edges(parent, src, dst)
        labels = flatten(parent)
        t = lap("union_find", t)

        sizes = np.bincount(labels, minlength=max_addr + 1)
        member = sizes[labels] > 1
        write = member & ((labels != old_labels) | ~stored)
        ids = np.nonzero(write)[0].astype(np.int64)
        update = pa.table({"address_id": ids, "cluster_id": labels[ids]})
        if rebuilt:
            engine.register("_cluster_upd", update)
            engine.execute("INSERT INTO chain_clusters SELECT * FROM _cluster_upd")
        elif ids.shape[0]:
            engine.register("_cluster_upd", update)
            engine.execute(
                "DELETE FROM chain_clusters WHERE address_id IN (SELECT address_id FROM _cluster_upd)"
            )
            engine.execute("INSERT INTO chain_clusters SELECT * FROM _cluster_upd")

        n_multi = srcs[0].shape[0] if config.multi_input and max_tx > watermark else 0
        names = _heuristic_names(n_multi, heur)
        witness = pa.table({
            "a": src[merged], "b": dst[merged], "tx_id": etx[merged],
            "heuristic": names.filter(pa.array(merged)),
            "confidence": conf[merged],
        })
        engine.register("_witness_in", witness)
        engine.execute("INSERT INTO chain_cluster_witness SELECT * FROM _witness_in")
        new_txs = int(engine.scalar("SELECT count(*) FROM chain_txs WHERE tx_id > ?", [watermark]))
        record_state(engine, config, max_tx)
        lap("write", t)
        clusters = int(np.count_nonzero(sizes > 1))
    return ClusterRun(rebuilt, new_txs, coinjoins, int(src.shape[0]), int(merged.sum()), int(ids.shape[0]),
                      clusters, round(time.perf_counter() - started, 3), timings)


def record_state(engine: Engine, config: ClusterConfig, max_tx: int) -> None:
    """Record that the clusters cover every transaction up to ``max_tx`` with ``config`` (the
    watermark the next incremental run starts from; also written after a Spark run)."""
    engine.execute("DELETE FROM chain_cluster_state")
    engine.execute(
        "INSERT INTO chain_cluster_state VALUES (?, ?, (SELECT count(*) FROM chain_txs WHERE tx_id <= ?), now())",
        [config.key(), max_tx, max_tx],
    )


def _heuristic_names(n_multi: int, change_names: list[pa.Array]) -> pa.Array:
    """One heuristic name per edge (multi-input edges first, then change edges), dictionary-encoded:
    millions of edges share a handful of names."""
    parts = [a.cast(pa.string()) for a in change_names]
    change = pa.concat_arrays(parts) if parts else pa.array([], pa.string())
    encoded = change.dictionary_encode()
    dictionary = pa.concat_arrays([pa.array(["multi_input"]), encoded.dictionary.cast(pa.string())])
    indices = np.concatenate([np.zeros(n_multi, np.int32),
                              encoded.indices.to_numpy(zero_copy_only=False).astype(np.int32) + 1])
    return pa.DictionaryArray.from_arrays(pa.array(indices, pa.int32()), dictionary)


def cluster_id_of(engine: Engine, address_id: int) -> int:
    if not engine.table_exists("chain_clusters"):
        return address_id
    value = engine.scalar("SELECT cluster_id FROM chain_clusters WHERE address_id = ?", [address_id])
    return address_id if value is None else int(value)
