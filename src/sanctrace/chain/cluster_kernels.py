"""Compiled kernels for clustering: union-find over integer address ids, with the merge witnesses.

Union by minimum id (the root of a cluster is its smallest address id, so a cluster's id is
stable, the same on every engine, and equal to what min-label propagation computes on Spark)
with path halving. Each kernel is one pass over flat arrays; nothing here touches Python objects.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit

I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


@njit(cache=True, nogil=True)
def _find(parent: I64, x: int) -> int:  # pragma: no cover - compiled
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


@njit(cache=True, nogil=True)
def union_edges(parent: I64, src: I64, dst: I64) -> B:  # pragma: no cover - compiled
    """Union every edge in order; ``merged[i]`` says edge i joined two different clusters."""
    merged = np.zeros(src.shape[0], dtype=np.bool_)
    for i in range(src.shape[0]):
        ra = _find(parent, src[i])
        rb = _find(parent, dst[i])
        if ra != rb:
            if ra < rb:
                parent[rb] = ra
            else:
                parent[ra] = rb
            merged[i] = True
    return merged


@njit(cache=True, nogil=True)
def flatten(parent: I64) -> I64:  # pragma: no cover - compiled
    """Final label of every id (its root), compressing as it goes."""
    labels = np.empty_like(parent)
    for x in range(parent.shape[0]):
        labels[x] = _find(parent, x)
    return labels


@njit(cache=True, nogil=True)
def multi_input_edges(  # pragma: no cover - compiled
    tx: I64, addr: I64, skip_tx: I64, tx_base: int, n_tx: int
) -> tuple[I64, I64, I64]:
    """Star edges (smallest input address of the tx → each other input address) for every tx
    not in ``skip_tx`` (sorted ids). ``tx - tx_base`` must lie in ``[0, n_tx)``."""
    first = np.full(n_tx, -1, dtype=np.int64)
    skip = np.zeros(n_tx, dtype=np.bool_)
    for t in skip_tx:
        if 0 <= t - tx_base < n_tx:
            skip[t - tx_base] = True
    for i in range(tx.shape[0]):
        k = tx[i] - tx_base
        if k < 0 or k >= n_tx:
            raise ValueError("input tx id outside the processed range")
        if first[k] == -1 or addr[i] < first[k]:
            first[k] = addr[i]
    count = 0
    for i in range(tx.shape[0]):
        k = tx[i] - tx_base
        if not skip[k] and addr[i] != first[k]:
            count += 1
    src = np.empty(count, dtype=np.int64)
    dst = np.empty(count, dtype=np.int64)
    etx = np.empty(count, dtype=np.int64)
    j = 0
    for i in range(tx.shape[0]):
        k = tx[i] - tx_base
        if not skip[k] and addr[i] != first[k]:
            src[j] = first[k]
            dst[j] = addr[i]
            etx[j] = tx[i]
            j += 1
    return src, dst, etx
