"""The chain tables: the contract between ingestion and everything that analyses the chain.

Attribution, clustering, tracing and the Spark jobs read these tables, so their shape is stable.
Every id is an integer assigned at ingest in processing order (``max + 1``), never reused; a
batch that rolls back leaves no ids behind, so a resumed ingest assigns the same ids as an
uninterrupted one. Values are satoshi (BIGINT); hashes are lower-case hex in display order
(the byte-reversed form block explorers and Bitcoin Core's RPC print).

``chain_blocks`` — one row per block header seen, main chain or stale
    block_id        BIGINT   our id (1, 2, ... in ingest order)
    hash            VARCHAR  block hash, 64 hex chars, display order
    height          BIGINT   height: parent's height + 1 when the parent is stored, 0 for a block
                             whose prev_hash is all zeros, else the BIP34 height, else NULL
    prev_hash       VARCHAR  previous block's hash (display order)
    time            BIGINT   header timestamp, Unix seconds UTC
    version         BIGINT   header version (signed 32-bit as Core prints it)
    bits            BIGINT   compact difficulty target (unsigned 32-bit)
    nonce           BIGINT   header nonce (unsigned 32-bit)
    merkle_root     VARCHAR  merkle root from the header (verified against the txids at ingest)
    tx_count        BIGINT   number of transactions
    size            BIGINT   serialized size in bytes including witness data
    weight          BIGINT   BIP141 weight (stripped size * 3 + size)
    coinbase_text   VARCHAR  printable ASCII runs of the coinbase scriptSig (pool tags live here)
    coinbase_height BIGINT   BIP34 height read from the coinbase (version >= 2 blocks), else NULL
    in_main_chain   BOOLEAN  on the most-work chain among the stored blocks connected to it
                             (ties: first seen wins). Blocks whose ancestry is not stored form
                             their own chain and count as main until a heavier competitor arrives.
    source          VARCHAR  file (and byte offset) or RPC URL the block came from

``chain_txs`` — one row per transaction per block (a tx mined in two competing blocks has two rows)
    tx_id BIGINT, txid VARCHAR, wtxid VARCHAR (= txid for non-segwit), block_id BIGINT,
    height BIGINT (copy of the block's), tx_index BIGINT (position in block, 0 = coinbase),
    is_coinbase BOOLEAN, version BIGINT, locktime BIGINT, size BIGINT (with witness),
    vsize BIGINT (ceil(weight / 4)), n_in BIGINT, n_out BIGINT, is_segwit BOOLEAN,
    fee BIGINT (sum of input values minus outputs when every input value is known; NULL for
    coinbase transactions and while an input's value is unknown)

``chain_outputs`` — one row per output
    tx_id BIGINT, vout BIGINT, value BIGINT (sat),
    script_type VARCHAR  one of SCRIPT_TYPES: p2pk, p2pkh, p2sh, p2wpkh, p2wsh, p2tr, multisig,
                         op_return, witness_unknown, nonstandard
    address_id BIGINT    chain_addresses row; NULL only for op_return
    script BLOB          the raw scriptPubKey
    spent_tx_id BIGINT   the main-chain transaction that spends it (NULL: unspent or spender not
    spent_vin BIGINT     stored); spent_vin is the input index in that transaction

``chain_inputs`` — one row per input
    tx_id BIGINT, vin BIGINT,
    prev_txid VARCHAR, prev_vout BIGINT   the outpoint spent (both NULL for a coinbase input)
    prev_tx_id BIGINT    the stored transaction with prev_txid (main chain preferred); NULL until
                         that transaction is ingested (linking runs again on every batch)
    sequence BIGINT
    value BIGINT         value of the spent output: from the linked output, or supplied with the
                         input (getblock verbosity 3 ``prevout``, undo data); NULL if unknown
    address_id BIGINT    address of the spent output, same sources as value

``chain_addresses`` — one row per distinct address or script kind
    address_id BIGINT, address VARCHAR, script_type VARCHAR
    address strings are mainnet base58check (p2pkh, p2sh; p2pk outputs are shown as the p2pkh
    address of their key hash, as explorers do), bech32 (segwit v0) or bech32m (v1+). Scripts
    without an address get ``multisig:<sha256 of script>`` or ``nonstandard:<sha256 of script>``.

``chain_ingest_files`` — bookkeeping so re-ingesting a finished file is a no-op
    path VARCHAR, size BIGINT, sha256 VARCHAR, blocks BIGINT, txs BIGINT (how many the file holds,
    stored by this run or found already stored), finished_at TIMESTAMP

``chain_pending_spends`` — ingest bookkeeping, empty once ``ingest_paths`` returns
    prev_tx_id BIGINT, prev_vout BIGINT, tx_id BIGINT, vin BIGINT: spends of outputs stored by an
    earlier batch, written with the spending batch and applied to ``chain_outputs`` in one UPDATE at
    the end of the ingest call (or at the start of the next one after a kill). Until then those
    outputs' spent_tx_id/spent_vin may read NULL.

Blocks already stored (by hash) are skipped, so a batch interrupted by ``kill -9`` (rolled back
as one transaction) is redone on the next run, and finished batches are not redone.
"""

from __future__ import annotations

from typing import Any

from sanctrace.engine.base import Engine
from sanctrace.errors import NotFound

SCRIPT_TYPES: tuple[str, ...] = (
    "nonstandard", "p2pk", "p2pkh", "p2sh", "p2wpkh", "p2wsh", "p2tr", "multisig", "op_return",
    "witness_unknown",
)

DDL: tuple[str, ...] = (
    """CREATE TABLE IF NOT EXISTS chain_blocks (
        block_id BIGINT PRIMARY KEY, hash VARCHAR NOT NULL, height BIGINT, prev_hash VARCHAR,
        time BIGINT, version BIGINT, bits BIGINT, nonce BIGINT, merkle_root VARCHAR,
        tx_count BIGINT, size BIGINT, weight BIGINT, coinbase_text VARCHAR, coinbase_height BIGINT,
        in_main_chain BOOLEAN, source VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS chain_txs (
        tx_id BIGINT, txid VARCHAR NOT NULL, wtxid VARCHAR, block_id BIGINT, height BIGINT,
        tx_index BIGINT, is_coinbase BOOLEAN, version BIGINT, locktime BIGINT, size BIGINT,
        vsize BIGINT, n_in BIGINT, n_out BIGINT, is_segwit BOOLEAN, fee BIGINT)""",
    """CREATE TABLE IF NOT EXISTS chain_outputs (
        tx_id BIGINT, vout BIGINT, value BIGINT, script_type VARCHAR, address_id BIGINT,
        script BLOB, spent_tx_id BIGINT, spent_vin BIGINT)""",
    """CREATE TABLE IF NOT EXISTS chain_inputs (
        tx_id BIGINT, vin BIGINT, prev_txid VARCHAR, prev_vout BIGINT, prev_tx_id BIGINT,
        sequence BIGINT, value BIGINT, address_id BIGINT)""",
    """CREATE TABLE IF NOT EXISTS chain_addresses (
        address_id BIGINT, address VARCHAR NOT NULL, script_type VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS chain_pending_spends (
        prev_tx_id BIGINT, prev_vout BIGINT, tx_id BIGINT, vin BIGINT)""",
    """CREATE TABLE IF NOT EXISTS chain_ingest_files (
        path VARCHAR, size BIGINT, sha256 VARCHAR, blocks BIGINT, txs BIGINT, finished_at TIMESTAMP)""",
)

# Only the block hash gets an index: ART indexes on 10M-row txid/address columns would cost more at
# bulk insert than the column scans they save; uniqueness of addresses is kept by the loader.
INDEXES: tuple[str, ...] = ("CREATE UNIQUE INDEX IF NOT EXISTS chain_blocks_hash ON chain_blocks(hash)",)


def ensure_schema(engine: Engine) -> None:
    """Create the chain tables if missing (idempotent)."""
    for stmt in DDL:
        engine.execute(stmt)
    if engine.name == "duckdb":
        for stmt in INDEXES:
            engine.execute(stmt)


def address_id(engine: Engine, address: str) -> int | None:
    """The id of an address string, or None when it never occurred."""
    if not engine.table_exists("chain_addresses"):
        return None
    value = engine.scalar("SELECT address_id FROM chain_addresses WHERE address = ?", [address])
    return None if value is None else int(value)


def tx_id(engine: Engine, txid: str) -> int | None:
    """The id of a transaction hash (the main-chain copy when it was mined twice), or None."""
    if not engine.table_exists("chain_txs"):
        return None
    value = engine.scalar(
        """SELECT t.tx_id FROM chain_txs t JOIN chain_blocks b USING (block_id)
           WHERE t.txid = ? ORDER BY b.in_main_chain DESC, t.tx_id LIMIT 1""",
        [txid.lower()],
    )
    return None if value is None else int(value)


BLOCK_COLUMNS = (
    "block_id", "hash", "height", "prev_hash", "time", "version", "bits", "nonce", "merkle_root",
    "tx_count", "size", "weight", "coinbase_text", "coinbase_height", "in_main_chain", "source",
)


def find_block(engine: Engine, hash_or_height: str | int) -> dict[str, Any]:
    """The stored block by hash or height (the main-chain block at that height); NotFound otherwise."""
    if not engine.table_exists("chain_blocks"):
        raise NotFound(f"block {hash_or_height}: no blocks ingested")
    key = str(hash_or_height).strip().lower()
    cols = ", ".join(BLOCK_COLUMNS)
    if key.isdigit() and len(key) < 64:
        row = engine.query_one(
            f"SELECT {cols} FROM chain_blocks WHERE height = ? ORDER BY in_main_chain DESC, block_id LIMIT 1",
            [int(key)],
        )
    else:
        row = engine.query_one(f"SELECT {cols} FROM chain_blocks WHERE hash = ?", [key])
    if row is None:
        raise NotFound(f"block {hash_or_height}: not found")
    return dict(zip(BLOCK_COLUMNS, row, strict=True))


def block_summary(engine: Engine, hash_or_height: str | int) -> dict[str, Any]:
    """Header fields plus tx/input/output counts and total fees (NULL unless every fee is known)."""
    block = find_block(engine, hash_or_height)
    row = engine.query_one(
        """SELECT count(*), count(fee) FILTER (WHERE NOT is_coinbase), sum(fee),
                  count(*) FILTER (WHERE NOT is_coinbase), sum(n_in), sum(n_out),
                  count(*) FILTER (WHERE is_segwit)
           FROM chain_txs WHERE block_id = ?""",
        [block["block_id"]],
    )
    assert row is not None
    n_tx, n_fee, fee_sum, n_non_cb, n_in, n_out, n_segwit = row
    block["total_fees"] = int(fee_sum or 0) if n_fee == n_non_cb else None
    block["n_inputs"] = int(n_in or 0)
    block["n_outputs"] = int(n_out or 0)
    block["n_segwit_txs"] = int(n_segwit or 0)
    block["stored_tx_count"] = int(n_tx)
    return block
