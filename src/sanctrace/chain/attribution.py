"""Which pool mined a block: payout address first, then coinbase tag; unknown stays unknown.

The rules from the pool files live in ``chain_pool_rules`` (ordered by ``priority``: lower wins).
``attribute_blocks`` matches every stored block set-wise in SQL and writes ``chain_block_pools``;
``attribute_block`` answers for one block with the reference matcher of :mod:`pools` — tests
check that both agree on the real blocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

from sanctrace.chain.pools import PoolRule, match_pool, parse_pool_file, pool_rules
from sanctrace.engine.base import Engine
from sanctrace.errors import NotFound

RULE_COLUMNS = ("priority", "kind", "pattern", "pool", "link", "source", "jurisdiction")


@dataclass(frozen=True, slots=True)
class PoolAttribution:
    block_id: int
    height: int | None
    block_hash: str
    pool: str
    method: str  # "payout_address" | "coinbase_tag"
    matched: str  # the address or the tag that matched
    link: str | None
    jurisdiction: str | None
    rules_source: str


def load_pool_rules(engine: Engine, paths: list[Path]) -> int:
    """Replace the stored pool rules with those of ``paths`` (first file wins ties)."""
    rules = pool_rules([parse_pool_file(p) for p in paths])
    table = pa.table({
        "priority": pa.array([r.priority for r in rules], pa.int64()),
        "kind": [r.kind for r in rules],
        "pattern": [r.pattern for r in rules],
        "pool": [r.pool for r in rules],
        "link": pa.array([r.link for r in rules], pa.string()),
        "source": [r.source for r in rules],
        "jurisdiction": pa.array([r.jurisdiction for r in rules], pa.string()),
    })
    with engine.transaction():
        engine.execute(
            """CREATE OR REPLACE TABLE chain_pool_rules (priority BIGINT, kind VARCHAR, pattern VARCHAR,
            pool VARCHAR, link VARCHAR, source VARCHAR, jurisdiction VARCHAR)"""
        )
        engine.register("_pool_rules_in", table)
        engine.execute("INSERT INTO chain_pool_rules SELECT * FROM _pool_rules_in")
    return len(rules)


def stored_rules(engine: Engine) -> list[PoolRule]:
    if not engine.table_exists("chain_pool_rules"):
        return []
    rows = engine.query(f"SELECT {', '.join(RULE_COLUMNS)} FROM chain_pool_rules ORDER BY priority")
    return [PoolRule(*row) for row in rows]


def _coinbase_addresses(engine: Engine, block_id: int) -> list[str]:
    rows = engine.query(
        """SELECT a.address FROM chain_txs t
           JOIN chain_outputs o ON o.tx_id = t.tx_id
           JOIN chain_addresses a ON a.address_id = o.address_id
           WHERE t.block_id = ? AND t.is_coinbase ORDER BY o.vout""",
        [block_id],
    )
    return [r[0] for r in rows]


def attribute_block(engine: Engine, block_id: int) -> PoolAttribution | None:
    """The pool of one stored block, or None when no rule matches (or no rules are loaded)."""
    row = engine.query_one(
        "SELECT height, hash, coalesce(coinbase_text, '') FROM chain_blocks WHERE block_id = ?", [block_id]
    )
    if row is None:
        raise NotFound(f"block id {block_id}: not found")
    rules = stored_rules(engine)
    if not rules:
        return None
    rule = match_pool(row[2], _coinbase_addresses(engine, block_id), rules)
    if rule is None:
        return None
    method = "payout_address" if rule.kind == "address" else "coinbase_tag"
    return PoolAttribution(block_id, row[0], row[1], rule.pool, method, rule.pattern, rule.link,
                           rule.jurisdiction, rule.source)


def attribute_blocks(engine: Engine) -> int:
    """Attribute every stored block set-wise; rewrites ``chain_block_pools``. Returns blocks attributed."""
    with engine.transaction():
        engine.execute(
            """CREATE OR REPLACE TABLE chain_block_pools (block_id BIGINT, height BIGINT, hash VARCHAR,
            pool VARCHAR, method VARCHAR, matched VARCHAR, link VARCHAR, jurisdiction VARCHAR,
            rules_source VARCHAR)"""
        )
        if not engine.table_exists("chain_pool_rules") or not engine.table_exists("chain_blocks"):
            return 0
        engine.execute(
            """INSERT INTO chain_block_pools
            WITH payout AS (
              SELECT t.block_id, a.address FROM chain_txs t
              JOIN chain_outputs o ON o.tx_id = t.tx_id
              JOIN chain_addresses a ON a.address_id = o.address_id
              WHERE t.is_coinbase),
            hits AS (
              SELECT p.block_id, r.* FROM payout p
              JOIN chain_pool_rules r ON r.kind = 'address' AND r.pattern = p.address
              UNION ALL
              SELECT b.block_id, r.* FROM chain_blocks b
              JOIN chain_pool_rules r ON r.kind = 'tag' AND contains(coalesce(b.coinbase_text, ''), r.pattern)
              UNION ALL
              SELECT b.block_id, r.* FROM chain_blocks b
              JOIN chain_pool_rules r
                ON r.kind = 'regex' AND regexp_matches(coalesce(b.coinbase_text, ''), r.pattern)),
            best AS (
              SELECT block_id, min(priority) AS priority FROM hits GROUP BY block_id)
            SELECT DISTINCT b.block_id, b.height, b.hash, h.pool,
                   CASE WHEN h.kind = 'address' THEN 'payout_address' ELSE 'coinbase_tag' END,
                   h.pattern, h.link, h.jurisdiction, h.source
            FROM best JOIN hits h USING (block_id, priority) JOIN chain_blocks b USING (block_id)"""
        )
        return int(engine.scalar("SELECT count(*) FROM chain_block_pools"))


def block_pool(engine: Engine, block_id: int) -> PoolAttribution | None:
    """Stored attribution when ``attribute_blocks`` ran, else computed on the fly."""
    if engine.table_exists("chain_block_pools"):
        row = engine.query_one(
            """SELECT block_id, height, hash, pool, method, matched, link, jurisdiction, rules_source
            FROM chain_block_pools WHERE block_id = ?""",
            [block_id],
        )
        if row is not None:
            return PoolAttribution(*row)
    return attribute_block(engine, block_id)
