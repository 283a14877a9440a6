"""The Katakana/Latin alignment dynamic program, compiled with numba.

A Japanese organisation query is compared with hundreds of list tokens and joins of two or three
neighbouring tokens, each through the alignment of :mod:`kana_match`. In pure Python that DP was
over a third of the CPU time of such a query. Here it runs on phones encoded as small integers
(their character codes) with the substitution costs read from one 128 x 128 matrix that
``kana_match`` builds once from its ``_substitution``. numba is imported only when the first
Katakana word is compared (see ``kana_match._kernel``).

What must stay true: the kernel performs the same additions and the same strict comparisons,
in the same order, as the Python reference (``kana_match._reference_similarity``), so every
score is bit-for-bit identical (checked over the METI names in the tests). No ``fastmath``:
reassociating the sums would change the last bits. No ``nogil`` either: a call lasts well under
a microsecond, less than handing the GIL to another thread and back.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from numba import njit


@njit(cache=True)
def alignment_cost(a_codes: npt.NDArray[np.uint8], a_skips: npt.NDArray[np.float64],
                   b_codes: npt.NDArray[np.uint8], b_skips: npt.NDArray[np.float64],
                   substitution: npt.NDArray[np.float64]) -> float:  # pragma: no cover - compiled
    """Minimum cost of aligning phones ``a`` with phones ``b`` (skip, skip, or substitute)."""
    n = a_codes.shape[0]
    m = b_codes.shape[0]
    previous = np.empty(m + 1, dtype=np.float64)
    row = np.empty(m + 1, dtype=np.float64)
    previous[0] = 0.0
    for j in range(1, m + 1):
        previous[j] = previous[j - 1] + b_skips[j - 1]
    for i in range(1, n + 1):
        code_a = a_codes[i - 1]
        skip_a = a_skips[i - 1]
        row[0] = previous[0] + skip_a
        for j in range(1, m + 1):
            best = previous[j - 1] + substitution[code_a, b_codes[j - 1]]
            candidate = previous[j] + skip_a
            if candidate < best:
                best = candidate
            candidate = row[j - 1] + b_skips[j - 1]
            if candidate < best:
                best = candidate
            row[j] = best
        previous, row = row, previous
    return float(previous[m])
