"""CoinJoin detection: transactions whose inputs belong to many people must not merge clusters.

The multi-input heuristic assumes one owner signs all inputs; a CoinJoin breaks that on purpose.
Each rule looks at the equal-value outputs (``k`` = how often the most frequent output value
occurs) and the inputs, and names the pattern it recognised:

* ``whirlpool`` — Samourai Whirlpool mix: exactly 5 inputs and 5 outputs, all of one pool
  denomination (0.001, 0.01, 0.05 or 0.5 BTC);
* ``wasabi`` — Wasabi 1.x: ≥ 10 equal outputs of about 0.1 BTC; Wasabi 2 / WabiSabi: ≥ 50 inputs,
  ≥ 50 outputs and ≥ 5 equal outputs;
* ``joinmarket`` — ≥ 3 equal outputs, each maker also taking a change output
  (``2k - 1 ≤ outputs ≤ 2k``) and at least ``k`` distinct input addresses;
* ``equal_output`` — the generic pattern: ≥ 2 equal outputs, ≥ 3 outputs in all, no more than
  ``2k + 1`` outputs and at least ``k`` distinct input addresses.

Only transactions with at least two inputs and three outputs can match, so the output grouping
runs on those alone. The SQL is plain enough to run unchanged on Spark (transpiled), which the parity tests rely on.
"""

from __future__ import annotations

from sanctrace.engine.base import Engine

WHIRLPOOL_DENOMINATIONS = (100_000, 1_000_000, 5_000_000, 50_000_000)

COINJOIN_SQL = f"""
WITH cand AS (
  SELECT tx_id FROM chain_txs WHERE tx_id > {{after}} AND n_out >= 3 AND n_in >= 2),
ov AS (
  SELECT o.tx_id, o.value, count(*) AS c FROM chain_outputs o JOIN cand ON cand.tx_id = o.tx_id
  WHERE o.tx_id > {{after}} AND o.script_type <> 'op_return'
  GROUP BY o.tx_id, o.value),
top AS (
  SELECT tx_id, max(c) AS k, sum(c) AS n_out FROM ov GROUP BY tx_id HAVING max(c) >= 2),
topv AS (
  SELECT ov.tx_id, min(ov.value) AS v FROM ov JOIN top ON ov.tx_id = top.tx_id AND ov.c = top.k
  GROUP BY ov.tx_id),
ins AS (
  SELECT i.tx_id, count(*) AS n_in, count(DISTINCT i.address_id) AS n_in_addr
  FROM chain_inputs i JOIN top ON i.tx_id = top.tx_id GROUP BY i.tx_id),
kinds AS (
  SELECT top.tx_id,
    CASE
      WHEN ins.n_in = 5 AND top.n_out = 5 AND top.k = 5
           AND topv.v IN ({", ".join(map(str, WHIRLPOOL_DENOMINATIONS))}) THEN 'whirlpool'
      WHEN top.k >= 10 AND topv.v BETWEEN 9000000 AND 11000000 AND ins.n_in >= top.k THEN 'wasabi'
      WHEN ins.n_in >= 50 AND top.n_out >= 50 AND top.k >= 5 THEN 'wasabi'
      WHEN top.k >= 3 AND top.n_out BETWEEN 2 * top.k - 1 AND 2 * top.k
           AND ins.n_in_addr >= top.k THEN 'joinmarket'
      WHEN top.n_out >= 3 AND top.n_out <= 2 * top.k + 1 AND ins.n_in_addr >= top.k THEN 'equal_output'
    END AS kind
  FROM top JOIN topv ON topv.tx_id = top.tx_id JOIN ins ON ins.tx_id = top.tx_id)
SELECT tx_id, kind FROM kinds WHERE kind IS NOT NULL
"""


def coinjoin_sql(after_tx_id: int) -> str:
    """The detection query for transactions with ``tx_id > after_tx_id``."""
    return COINJOIN_SQL.format(after=int(after_tx_id))


def detect_coinjoins(engine: Engine, after_tx_id: int = 0) -> int:
    """Record the CoinJoins among the new transactions in ``chain_coinjoin_txs``; returns how many."""
    engine.execute("CREATE TABLE IF NOT EXISTS chain_coinjoin_txs (tx_id BIGINT, kind VARCHAR)")
    engine.execute("DELETE FROM chain_coinjoin_txs WHERE tx_id > ?", [after_tx_id])
    engine.execute(f"INSERT INTO chain_coinjoin_txs {coinjoin_sql(after_tx_id)}")
    return int(engine.scalar("SELECT count(*) FROM chain_coinjoin_txs WHERE tx_id > ?", [after_tx_id]))
