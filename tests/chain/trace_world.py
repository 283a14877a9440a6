"""A small hand-made chain with a Russian-pool coinbase, an unknown pool, a sanctioned address and an
exchange deposit — shared by the trace, exposure, graph and CLI tests."""

from __future__ import annotations

from pathlib import Path

from sanctrace.chain.attribution import attribute_blocks, load_pool_rules
from sanctrace.chain.graph_tiny import TinyChain
from sanctrace.chain.tags import load_tag_files
from sanctrace.engine.base import Engine

TAGS_CSV = (
    "address,label,category,entity,jurisdiction,confidence,source\n"
    "1Sanctioned,OFAC test address,sanction,OFAC SDN,,1,test\n"
    "1Deposit,Exchange deposit,exchange,SomeExchange,,0.9,test\n"
)


def build(engine: Engine, tmp: Path, shared_data: Path) -> TinyChain:
    c = TinyChain()
    c.block("\x03abc/EMCD/xyz")
    c.tx([], [("1EmcdMiner", 6_000_000)])                            # 1 EMCD coinbase
    c.block("Mined by nobody")
    c.tx([], [("1Unknown", 4_000_000)])                              # 2 unknown-pool coinbase
    c.tx([(1, 0), (2, 0)], [("1X", 9_990_000)])                      # 3 fee 10_000
    c.block("Mined by nobody")
    c.tx([], [("1Sanctioned", 1_000_000)])                           # 4 coinbase to a sanctioned address
    c.tx([(4, 0)], [("1Y", 1_000_000)])                              # 5
    c.tx([(3, 0), (5, 0)], [("1Deposit", 10_980_000)])               # 6 deposit, fee 10_000
    c.write(engine)
    load_pool_rules(engine, [shared_data / "chain" / "pools" / "bitcoin-data_pool-list.json"])
    attribute_blocks(engine)
    tags = tmp / "tags.csv"
    tags.write_text(TAGS_CSV)
    load_tag_files(engine, [tags], include_lists=False)
    return c
