"""Hand-written chains for tests and examples, written straight into the chain tables.

A scenario reads like the story it tells — "A and B pay C, D gets the change" — and ids follow
the order of the calls (tx 1, 2, …; addresses in order of first appearance), so a test can
state the expected clusters and shares exactly. Small by design: one SQL statement per row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sanctrace.chain.graph_synthetic import _ensure_schema
from sanctrace.engine.base import Engine


@dataclass
class TinyChain:
    """Hand-written chains for tests: ``tx(inputs=[(txid_or_idx, vout)], outputs=[(address, sats)])``."""

    txs: list[dict[str, Any]] = field(default_factory=list)
    blocks: list[dict[str, Any]] = field(default_factory=list)

    def block(self, coinbase_text: str = "") -> int:
        self.blocks.append({"coinbase_text": coinbase_text})
        return len(self.blocks)

    def tx(self, inputs: list[tuple[int, int]], outputs: list[tuple[str, int]], *, locktime: int = 0,
           script_types: dict[str, str] | None = None) -> int:
        """Add a transaction to the current block; inputs reference earlier tx numbers (1-based)."""
        if not self.blocks:
            self.block()
        self.txs.append({"inputs": inputs, "outputs": outputs, "locktime": locktime, "block": len(self.blocks),
                         "script_types": script_types or {}})
        return len(self.txs)

    def write(self, engine: Engine) -> dict[str, int]:
        """Write the chain; returns address → address_id."""
        address_ids: dict[str, int] = {}
        script_types: dict[str, str] = {}
        outs: list[tuple[int, int, int, int]] = []
        spent: dict[tuple[int, int], tuple[int, int]] = {}
        ins: list[tuple[int, int, int, int, int, int]] = []
        for n, tx in enumerate(self.txs, 1):
            for vout, (address, value) in enumerate(tx["outputs"]):
                aid = address_ids.setdefault(address, len(address_ids) + 1)
                script_types[address] = tx["script_types"].get(address, script_types.get(address, "p2pkh"))
                outs.append((n, vout, value, aid))
            for vin, (prev, pvout) in enumerate(tx["inputs"]):
                spent[(prev, pvout)] = (n, vin)
                prev_out = next(o for o in outs if o[0] == prev and o[1] == pvout)
                ins.append((n, vin, prev, pvout, prev_out[2], prev_out[3]))
        _ensure_schema(engine)
        with engine.transaction():
            for name in ("chain_blocks", "chain_txs", "chain_outputs", "chain_inputs", "chain_addresses"):
                engine.execute(f"DELETE FROM {name}")
            for b, block in enumerate(self.blocks, 1):
                engine.execute(
                    """INSERT INTO chain_blocks (block_id, hash, height, time, tx_count, coinbase_text,
                    in_main_chain, source) VALUES (?, sha256('tiny-block-' || ?), ?, 0, 0, ?, TRUE, 'tiny')""",
                    [b, b, b - 1, block["coinbase_text"]],
                )
            for n, tx in enumerate(self.txs, 1):
                in_value = sum(v for (t, _vi, _p, _pv, v, _a) in ins if t == n)
                out_value = sum(v for (_a, v) in tx["outputs"])
                is_cb = not tx["inputs"]
                engine.execute(
                    """INSERT INTO chain_txs (tx_id, txid, block_id, height, tx_index, is_coinbase, version,
                    locktime, n_in, n_out, fee) VALUES (?, sha256('tiny-tx-' || ?), ?, ?, ?, ?, 2, ?, ?, ?, ?)""",
                    [n, n, tx["block"], tx["block"] - 1, n, is_cb, tx["locktime"], len(tx["inputs"]),
                     len(tx["outputs"]), None if is_cb else in_value - out_value],
                )
            for (t, vout, value, aid) in outs:
                sp = spent.get((t, vout))
                engine.execute(
                    """INSERT INTO chain_outputs (tx_id, vout, value, script_type, address_id, spent_tx_id,
                    spent_vin) VALUES (?, ?, ?, (SELECT ?), ?, ?, ?)""",
                    [t, vout, value, "p2pkh", aid, sp[0] if sp else None, sp[1] if sp else None],
                )
            for (t, vin, prev, pvout, value, aid) in ins:
                engine.execute(
                    """INSERT INTO chain_inputs (tx_id, vin, prev_tx_id, prev_vout, value, address_id)
                    VALUES (?, ?, ?, ?, ?, ?)""",
                    [t, vin, prev, pvout, value, aid],
                )
            for address, aid in address_ids.items():
                engine.execute("INSERT INTO chain_addresses VALUES (?, ?, ?)", [aid, address, script_types[address]])
            engine.execute(
                """UPDATE chain_outputs o SET script_type = a.script_type FROM chain_addresses a
                WHERE a.address_id = o.address_id"""
            )
        return address_ids

    def txid(self, engine: Engine, n: int) -> str:
        return str(engine.scalar("SELECT txid FROM chain_txs WHERE tx_id = ?", [n]))
