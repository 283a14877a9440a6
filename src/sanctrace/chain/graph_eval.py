"""How good is a clustering? Pairwise precision and recall against the generator's ground truth."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sanctrace.engine.base import Engine

I64 = npt.NDArray[np.int64]


def pairwise_scores(predicted: I64, truth: I64) -> dict[str, float]:
    """Pairwise precision/recall of a clustering against ground truth (same-length label arrays).

    A pair of addresses counts as predicted-together when both labels agree; computed from the
    contingency table, so it is exact and O(n log n) without enumerating pairs.
    """
    def pairs(counts: npt.NDArray[np.int64]) -> float:
        c = counts.astype(np.float64)
        return float((c * (c - 1) / 2).sum())

    _, pred_counts = np.unique(predicted, return_counts=True)
    _, true_counts = np.unique(truth, return_counts=True)
    joint = predicted.astype(np.int64) * (int(truth.max()) + 1) + truth.astype(np.int64)
    _, joint_counts = np.unique(joint, return_counts=True)
    tp, pp, tt = pairs(joint_counts), pairs(pred_counts), pairs(true_counts)
    precision = tp / pp if pp else 1.0
    recall = tp / tt if tt else 1.0
    return {"precision": round(precision, 6), "recall": round(recall, 6), "true_pairs": tt, "predicted_pairs": pp}


def cluster_labels(engine: Engine, n_addresses: int) -> I64:
    """Cluster id of address ids 1..n (singletons get their own id), as a 0-based array."""
    labels = np.arange(1, n_addresses + 1, dtype=np.int64)
    table = engine.to_arrow("SELECT address_id, cluster_id FROM chain_clusters")
    ids = table.column("address_id").to_numpy()
    labels[ids - 1] = table.column("cluster_id").to_numpy()
    return labels
