"""Which stored blocks form the main chain, and at which heights.

Headers alone decide it: each block's work is ``2**256 // (target + 1)``; a chain's work is the sum
along ``prev_hash`` links; the tip with the most work wins and ties go to the block seen first
(lowest ``block_id``), as in Bitcoin Core. Blocks whose parent is not stored hang off a virtual
root named by that missing parent hash, so two competing blocks on an unknown parent still
compete, while unrelated isolated blocks (a test file with one block from 2014, another from
2021) each stay main. The state is small (one entry per block header) and kept in memory for
the duration of an ingest run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sanctrace.engine.base import Engine

ZERO_HASH = "0" * 64


def block_work(bits: int) -> int:
    """Expected number of hashes for a block at this compact target."""
    exponent = bits >> 24
    mantissa = bits & 0x007FFFFF
    target = mantissa << (8 * (exponent - 3)) if exponent > 3 else mantissa >> (8 * (3 - exponent))
    if target <= 0 or bits & 0x00800000:
        return 0
    return (1 << 256) // (target + 1)


@dataclass
class BlockState:
    block_id: int
    hash: str
    prev_hash: str
    bits: int
    coinbase_height: int | None
    height: int | None = None
    in_main_chain: bool = False
    hint: int | None = None  # height known from elsewhere (RPC JSON, or as stored earlier)


@dataclass
class ChainState:
    """Header graph of every stored block; ``recompute`` returns the blocks whose height or
    main-chain flag changed."""

    blocks: dict[str, BlockState] = field(default_factory=dict)
    # stored inputs whose prev_txid is not stored yet (an upper bound; None: not counted this run).
    # While it is 0 a batch need not look for earlier inputs waiting for its transactions.
    waiting_inputs: int | None = None
    # ``link_index.LinkIndex`` of this ingest call, when the caller asked for one (``use_link_index``)
    link_index: Any = None
    use_link_index: bool = False
    link_index_build_s: float = 0.0
    # block_ids whose in_main_chain flag the last ``recompute`` flipped
    main_flipped: set[int] = field(default_factory=set)

    @classmethod
    def load(cls, engine: Engine) -> ChainState:
        state = cls()
        for bid, h, prev, bits, cbh, height, main in engine.query(
            "SELECT block_id, hash, prev_hash, bits, coinbase_height, height, in_main_chain FROM chain_blocks"
        ):
            state.blocks[h] = BlockState(int(bid), h, prev, int(bits), cbh, height, bool(main), height)
        return state

    def add(self, block: BlockState) -> None:
        self.blocks[block.hash] = block

    def recompute(self) -> list[BlockState]:
        children: dict[str, list[BlockState]] = {}
        for b in self.blocks.values():
            children.setdefault(b.prev_hash, []).append(b)
        roots = [h for h in children if h not in self.blocks]
        new_height: dict[str, int | None] = {}
        chainwork: dict[str, int] = {}
        main: set[str] = set()
        for root in sorted(roots):
            best: tuple[int, int, str] | None = None  # (work, -block_id, hash)
            stack = [(c, None if root != ZERO_HASH else -1, 0) for c in children[root]]
            while stack:
                b, parent_height, parent_work = stack.pop()
                if parent_height is not None:
                    height: int | None = parent_height + 1
                else:
                    height = b.hint if b.hint is not None else b.coinbase_height
                new_height[b.hash] = height
                work = parent_work + block_work(b.bits)
                chainwork[b.hash] = work
                key = (work, -b.block_id, b.hash)
                if best is None or key > best:
                    best = key
                for c in children.get(b.hash, ()):
                    stack.append((c, height, work))
            if best is not None:
                h = best[2]
                while h in self.blocks:
                    main.add(h)
                    h = self.blocks[h].prev_hash
        changed: list[BlockState] = []
        self.main_flipped = set()
        for b in self.blocks.values():
            height = new_height.get(b.hash)
            is_main = b.hash in main
            if is_main != b.in_main_chain:
                self.main_flipped.add(b.block_id)
            if height != b.height or is_main != b.in_main_chain:
                b.height = height
                b.in_main_chain = is_main
                changed.append(b)
        return changed
