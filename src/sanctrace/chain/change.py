"""Change-output heuristics: which output of a payment went back to the payer.

Each heuristic is switchable and carries its own confidence; each votes for one of the two
outputs of a simple payment (one or more inputs, two addressed outputs, not a CoinJoin, not a
coinbase):

* ``one_time`` — the change address appears for the first time in this transaction while the
  other output's address was seen before (wallets make a fresh change address per payment);
* ``address_type`` — the change output has the script type all inputs have, the payment does not;
* ``round_amount`` — the payment is a round amount (multiple of 0.001 BTC), the change is not;
* ``locktime`` — the transaction sets nLockTime (anti-fee-sniping wallets) and the change output is
  spent again by a transaction that sets it, the payment by one that does not.

When the enabled heuristics that fire all point at the same output, that output is change with
confidence ``1 - Π(1 - c_i)`` over the heuristics that voted; when they disagree nothing is
inferred. The result is a list of edges (first input address → change address) with the
heuristic names as the witness.
"""

from __future__ import annotations

from collections.abc import Iterable

CHANGE_HEURISTICS: dict[str, float] = {
    "one_time": 0.7,
    "address_type": 0.6,
    "round_amount": 0.6,
    "locktime": 0.55,
}
ROUND_UNIT = 100_000  # 0.001 BTC


def change_edges_sql(after_tx_id: int, heuristics: Iterable[str], min_confidence: float) -> str:
    """SQL returning ``src, dst, tx_id, heuristic, confidence`` for transactions after ``after_tx_id``."""
    enabled = [h for h in CHANGE_HEURISTICS if h in set(heuristics)]
    if not enabled:
        return "SELECT 0 AS src, 0 AS dst, 0 AS tx_id, '' AS heuristic, 0.0 AS confidence WHERE 1 = 0"
    after = int(after_tx_id)
    votes = {
        "one_time": "CASE WHEN fresh AND NOT other_fresh THEN vout END",
        "address_type": "CASE WHEN same_type AND NOT other_same_type THEN vout END",
        "round_amount": "CASE WHEN other_round AND NOT is_round THEN vout END",
        "locktime": "CASE WHEN locktime > 0 AND spender_lt AND other_spender_plain THEN vout END",
    }
    vote_cols = ",\n    ".join(f"max({votes[h]}) AS v_{h}" for h in enabled)
    names = " || ".join(f"CASE WHEN v_{h} IS NOT NULL THEN '+{h}' ELSE '' END" for h in enabled)
    product = " * ".join(
        f"(CASE WHEN v_{h} IS NOT NULL THEN {1 - CHANGE_HEURISTICS[h]!r} ELSE 1.0 END)" for h in enabled
    )
    distinct_votes = " + ".join(
        f"(CASE WHEN v_{h} IS NOT NULL AND v_{h} <> chosen THEN 1 ELSE 0 END)" for h in enabled
    )
    chosen = "coalesce(" + ", ".join(f"v_{h}" for h in enabled) + ")"
    return f"""
WITH cj AS (SELECT tx_id FROM chain_coinjoin_txs WHERE tx_id > {after}),
cand AS (
  SELECT t.tx_id, t.locktime FROM chain_txs t
  LEFT JOIN cj ON cj.tx_id = t.tx_id
  WHERE t.tx_id > {after} AND NOT t.is_coinbase AND t.n_out = 2 AND cj.tx_id IS NULL),
ins AS (
  SELECT i.tx_id, min(i.address_id) AS rep, count(DISTINCT a.script_type) AS n_types,
         min(a.script_type) AS in_type, count(*) AS n_in, count(i.address_id) AS n_known
  FROM chain_inputs i JOIN cand ON cand.tx_id = i.tx_id
  LEFT JOIN chain_addresses a ON a.address_id = i.address_id
  GROUP BY i.tx_id),
outs AS (
  SELECT o.tx_id, o.vout, o.value, o.address_id, o.script_type, o.spent_tx_id, cand.locktime
  FROM chain_outputs o JOIN cand ON cand.tx_id = o.tx_id
  WHERE o.address_id IS NOT NULL AND o.script_type <> 'op_return'),
seen AS (
  SELECT o.address_id, min(o.tx_id) AS first_tx FROM chain_outputs o
  WHERE o.address_id IN (SELECT address_id FROM outs) GROUP BY o.address_id),
feat AS (
  SELECT outs.tx_id, outs.vout, outs.address_id, outs.locktime, ins.rep,
         (seen.first_tx = outs.tx_id) AS fresh,
         (ins.n_types = 1 AND outs.script_type = ins.in_type) AS same_type,
         (outs.value % {ROUND_UNIT} = 0) AS is_round,
         (sp.locktime IS NOT NULL AND sp.locktime > 0) AS spender_lt,
         (sp.locktime IS NOT NULL AND sp.locktime = 0) AS spender_plain
  FROM outs JOIN ins ON ins.tx_id = outs.tx_id AND ins.n_known = ins.n_in
  JOIN seen ON seen.address_id = outs.address_id
  LEFT JOIN chain_txs sp ON sp.tx_id = outs.spent_tx_id),
pair AS (
  SELECT f.*,
         (sum(CASE WHEN fresh THEN 1 ELSE 0 END) OVER (PARTITION BY f.tx_id)
           - CASE WHEN fresh THEN 1 ELSE 0 END) > 0
           AS other_fresh,
         (sum(CASE WHEN same_type THEN 1 ELSE 0 END) OVER (PARTITION BY f.tx_id)
           - CASE WHEN same_type THEN 1 ELSE 0 END) > 0
           AS other_same_type,
         (sum(CASE WHEN is_round THEN 1 ELSE 0 END) OVER (PARTITION BY f.tx_id)
           - CASE WHEN is_round THEN 1 ELSE 0 END) > 0
           AS other_round,
         (sum(CASE WHEN spender_plain THEN 1 ELSE 0 END) OVER (PARTITION BY f.tx_id)
           - CASE WHEN spender_plain THEN 1 ELSE 0 END) > 0 AS other_spender_plain,
         count(*) OVER (PARTITION BY f.tx_id) AS n_addr_out
  FROM feat f),
voted AS (
  SELECT tx_id, min(rep) AS rep,
    {vote_cols}
  FROM pair WHERE n_addr_out = 2 GROUP BY tx_id),
decided AS (
  SELECT voted.*, {chosen} AS chosen FROM voted),
scored AS (
  SELECT tx_id, rep, chosen, 'change' || ({names}) AS heuristic, 1.0 - ({product}) AS confidence,
         ({distinct_votes}) AS disagreements
  FROM decided WHERE chosen IS NOT NULL)
SELECT s.rep AS src, o.address_id AS dst, s.tx_id, s.heuristic, s.confidence
FROM scored s JOIN chain_outputs o ON o.tx_id = s.tx_id AND o.vout = s.chosen
WHERE s.disagreements = 0 AND s.confidence >= {float(min_confidence)!r} AND o.address_id <> s.rep
"""
