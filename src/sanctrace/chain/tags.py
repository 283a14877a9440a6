"""Address tags: who an address belongs to, whether it is sanctioned, whether it is Russian mining.

Sources, each loaded idempotently (reloading a file replaces what that file contributed):

* GraphSense TagPacks (YAML): header fields are inherited by every tag unless the tag overrides
  them; ``confidence`` is a named level mapped to [0, 1]; ``is_cluster_definer`` says the tag may
  label the whole cluster of the address.
* GraphSense ActorPacks: actors with categories and jurisdictions; a tag's ``actor`` links to one.
* Mining-pool files (the formats in :mod:`sanctrace.chain.pools`): payout addresses as miner tags.
* OFAC address lists (one address per line, or the JSON array form) and the loaded sanctions
  lists' XBT digital-currency addresses (``sanctrace.lists.store.load_entries``, when present).
* The user's CSV: ``address,label,category,entity,jurisdiction,confidence,source``.

``chain_tags_raw`` keeps what the files said; ``chain_tags`` is rebuilt from it and the actors
after every load, with the derived flags:

* ``sanctioned`` — from a sanctions list, an OFAC-sourced pack, category ``sanction``, or an actor
  in category ``sanction``;
* ``russia_mining_nexus`` — a mining category (miner, mining_service, mining_pool, hosting) whose
  jurisdiction — the tag's own, its actor's, or the pool's (``POOL_JURISDICTIONS``) — is RU.
"""

from __future__ import annotations

import csv
import importlib
import io
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pyarrow as pa

from sanctrace.chain.pools import POOL_JURISDICTIONS, is_pool_file, parse_pool_file
from sanctrace.chain.tags_yaml import load_tagpack_document
from sanctrace.engine.base import Engine
from sanctrace.errors import InputError

# Named confidence levels of TagPacks, mapped to scores (our own scale: how directly the source
# knows who controls the address).
CONFIDENCE_LEVELS: dict[str, float] = {
    "ownership": 1.0,
    "authority_data": 0.95,
    "service_data": 0.8,
    "override": 0.8,
    "manual_transaction": 0.7,
    "forensic": 0.6,
    "heuristic": 0.5,
    "web_crawl": 0.4,
    "unknown": 0.3,
}
MINING_CATEGORIES = ("miner", "mining_service", "mining_pool", "hosting")
CSV_COLUMNS = ("address", "label", "category", "entity", "jurisdiction", "confidence", "source")

RAW_SCHEMA = pa.schema([
    ("address", pa.string()),
    ("currency", pa.string()),
    ("label", pa.string()),
    ("category", pa.string()),
    ("entity", pa.string()),
    ("jurisdiction", pa.string()),
    ("confidence", pa.float64()),
    ("source", pa.string()),
    ("sanctioned", pa.bool_()),
    ("cluster_definer", pa.bool_()),
    ("loaded_from", pa.string()),
])


def ensure_tables(engine: Engine) -> None:
    engine.execute(
        """CREATE TABLE IF NOT EXISTS chain_tags_raw (address VARCHAR, currency VARCHAR, label VARCHAR,
        category VARCHAR, entity VARCHAR, jurisdiction VARCHAR, confidence DOUBLE, source VARCHAR,
        sanctioned BOOLEAN, cluster_definer BOOLEAN, loaded_from VARCHAR)"""
    )
    engine.execute(
        """CREATE TABLE IF NOT EXISTS chain_actors (actor_id VARCHAR, label VARCHAR, categories VARCHAR[],
        jurisdictions VARCHAR[], uri VARCHAR, loaded_from VARCHAR)"""
    )
    if not engine.table_exists("chain_tags"):
        _rebuild(engine)


def confidence_score(value: Any, path: str, where: str) -> float:
    if value is None or value == "":
        return CONFIDENCE_LEVELS["unknown"]
    if isinstance(value, bool):
        raise InputError.at(path, where, f"bad confidence {value!r}")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        text = str(value).strip()
        if text.lower() in CONFIDENCE_LEVELS:
            return CONFIDENCE_LEVELS[text.lower()]
        try:
            number = float(text)
        except ValueError:
            raise InputError.at(path, where, f"unknown confidence {value!r}") from None
    if number > 1:
        number /= 100.0  # 0–100 scale
    if not 0 <= number <= 1:
        raise InputError.at(path, where, f"confidence out of range: {value!r}")
    return number


def _is_sanction_source(header: dict[str, Any]) -> bool:
    text = " ".join(str(header.get(k) or "") for k in ("title", "source", "label", "category")).lower()
    return "sanction" in text or "treasury.gov" in text or "ofac" in text


def _columns() -> dict[str, list[Any]]:
    return {name: [] for name in RAW_SCHEMA.names}


def read_tagpack(path: Path) -> pa.Table:
    """A TagPack as rows of ``chain_tags_raw`` (header values inherited by each tag)."""
    doc = load_tagpack_document(path.read_bytes(), str(path))
    tags = doc.get("tags")
    if not isinstance(tags, list):
        raise InputError.at(str(path), "tags", "a TagPack needs a list of tags")
    header = {k: v for k, v in doc.items() if k != "tags"}
    out = _columns()
    for index, tag in enumerate(tags):
        where = f"tag #{index}"
        if not isinstance(tag, dict):
            raise InputError.at(str(path), where, "expected a mapping")
        merged = {**header, **tag}
        address = merged.get("address")
        if not isinstance(address, str) or not address.strip():
            raise InputError.at(str(path), where, "tag without an address")
        where = f"{where} ({address})"
        currency = str(merged.get("currency") or "").upper()
        out["address"].append(address.strip())
        out["currency"].append(currency or None)
        out["label"].append(_str(merged.get("label")))
        out["category"].append(_str(merged.get("category")))
        out["entity"].append(_str(merged.get("actor")) or _str(merged.get("label")))
        out["jurisdiction"].append(_str(merged.get("jurisdiction")))
        out["confidence"].append(confidence_score(merged.get("confidence"), str(path), where))
        out["source"].append(_str(merged.get("source")) or _str(header.get("title")))
        out["sanctioned"].append(_is_sanction_source(merged))
        out["cluster_definer"].append(bool(merged.get("is_cluster_definer")))
        out["loaded_from"].append(str(path))
    return pa.table(out, schema=RAW_SCHEMA)


def _str(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def read_actorpack(path: Path) -> pa.Table:
    doc = load_tagpack_document(path.read_bytes(), str(path))
    actors = doc.get("actors")
    if not isinstance(actors, list):
        raise InputError.at(str(path), "actors", "an ActorPack needs a list of actors")
    cols: dict[str, list[Any]] = {k: [] for k in
                                  ("actor_id", "label", "categories", "jurisdictions", "uri", "loaded_from")}
    for index, actor in enumerate(actors):
        if not isinstance(actor, dict) or not actor.get("id"):
            raise InputError.at(str(path), f"actor #{index}", "expected a mapping with an id")
        cols["actor_id"].append(str(actor["id"]))
        cols["label"].append(_str(actor.get("label")))
        cols["categories"].append([str(c) for c in actor.get("categories") or []])
        cols["jurisdictions"].append([str(c).upper() for c in actor.get("jurisdictions") or []])
        cols["uri"].append(_str(actor.get("uri")))
        cols["loaded_from"].append(str(path))
    return pa.table(cols)


def read_pool_tags(path: Path) -> pa.Table:
    out = _columns()
    for pool in parse_pool_file(path):
        for address in pool.addresses:
            out["address"].append(address)
            out["currency"].append("BTC")
            out["label"].append(pool.name)
            out["category"].append("miner")
            out["entity"].append(pool.name)
            out["jurisdiction"].append(pool.jurisdiction)
            out["confidence"].append(CONFIDENCE_LEVELS["service_data"])
            out["source"].append(pool.link or str(path))
            out["sanctioned"].append(False)
            out["cluster_definer"].append(True)
            out["loaded_from"].append(str(path))
    return pa.table(out, schema=RAW_SCHEMA)


def read_csv_tags(path: Path) -> pa.Table:
    """The user's own tags. ``address`` and ``label`` are required; the rest may be empty."""
    text = path.read_bytes().decode("utf-8-sig", "strict")
    reader = csv.DictReader(io.StringIO(text))
    fields = set(reader.fieldnames or [])
    if not {"address", "label"} <= fields:
        raise InputError.at(str(path), "line 1", f"CSV header needs at least address,label (got {sorted(fields)})")
    out = _columns()
    for row in reader:
        where = f"line {reader.line_num}"
        address = (row.get("address") or "").strip()
        if not address:
            raise InputError.at(str(path), where, "empty address")
        category = _str(row.get("category"))
        out["address"].append(address)
        out["currency"].append(_str(row.get("currency")) or "BTC")
        out["label"].append(_str(row.get("label")))
        out["category"].append(category)
        out["entity"].append(_str(row.get("entity")) or _str(row.get("label")))
        out["jurisdiction"].append((_str(row.get("jurisdiction")) or "").upper() or None)
        out["confidence"].append(confidence_score(row.get("confidence"), str(path), where))
        out["source"].append(_str(row.get("source")) or str(path))
        out["sanctioned"].append(category == "sanction")
        out["cluster_definer"].append(False)
        out["loaded_from"].append(str(path))
    return pa.table(out, schema=RAW_SCHEMA)


def read_address_list(path: Path) -> pa.Table:
    """OFAC-derived address lists: one address per line (``sanctioned_addresses_XBT.txt``) or a JSON array."""
    raw = path.read_bytes().decode("utf-8")
    if path.suffix.lower() == ".json":
        try:
            items = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError.at(str(path), f"line {exc.lineno}", f"not JSON: {exc.msg}") from exc
        if not isinstance(items, list) or not all(isinstance(x, str) for x in items):
            raise InputError.at(str(path), None, "expected a JSON array of addresses")
        addresses = [x.strip() for x in items if x.strip()]
    else:
        addresses = []
        for number, line in enumerate(raw.splitlines(), 1):
            text = line.strip()
            if not text or text.startswith("#"):
                continue
            if " " in text or "," in text:
                raise InputError.at(str(path), f"line {number}", f"not an address: {text[:60]!r}")
            addresses.append(text)
    currency = "BTC" if "XBT" in path.name.upper() or "BTC" in path.name.upper() else None
    out = _columns()
    for address in addresses:
        out["address"].append(address)
        out["currency"].append(currency)
        out["label"].append("OFAC SDN digital currency address")
        out["category"].append("sanction")
        out["entity"].append("OFAC SDN")
        out["jurisdiction"].append(None)
        out["confidence"].append(CONFIDENCE_LEVELS["authority_data"])
        out["source"].append(str(path))
        out["sanctioned"].append(True)
        out["cluster_definer"].append(False)
        out["loaded_from"].append(str(path))
    return pa.table(out, schema=RAW_SCHEMA)


def sanctions_list_tags(engine: Engine) -> pa.Table | None:
    """XBT addresses of the loaded sanctions lists (None when the lists package is not there)."""
    try:
        store = importlib.import_module("sanctrace.lists.store")
    except ModuleNotFoundError:
        return None
    load_entries = getattr(store, "load_entries", None)
    if load_entries is None:
        return None
    out = _columns()
    entries: Iterable[Any] = load_entries(engine)
    for entry in entries:
        for crypto in getattr(entry, "crypto_addresses", []):
            if str(crypto.currency).upper() != "XBT":
                continue
            out["address"].append(crypto.address.strip())
            out["currency"].append("BTC")
            out["label"].append(entry.primary_name)
            out["category"].append("sanction")
            out["entity"].append(entry.entity_id)
            out["jurisdiction"].append(None)
            out["confidence"].append(CONFIDENCE_LEVELS["authority_data"])
            out["source"].append(f"{entry.source} {', '.join(entry.programs)}".strip())
            out["sanctioned"].append(True)
            out["cluster_definer"].append(False)
            out["loaded_from"].append("sanctions-lists")
    return pa.table(out, schema=RAW_SCHEMA)


def _is_actorpack(path: Path) -> bool:
    with path.open("rb") as handle:
        head = handle.read(65536)
    return b"\nactors:" in head or head.startswith(b"actors:")


def read_any(path: Path) -> tuple[str, pa.Table]:
    """Route a file to its reader by content. Returns (kind, table)."""
    if not path.is_file():
        raise InputError.at(str(path), None, "no such file")
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        if _is_actorpack(path):
            return "actors", read_actorpack(path)
        return "tagpack", read_tagpack(path)
    if suffix == ".csv":
        return "csv", read_csv_tags(path)
    if suffix == ".json" and is_pool_file(path):
        return "pools", read_pool_tags(path)
    if suffix in (".txt", ".json"):
        return "address-list", read_address_list(path)
    raise InputError.at(str(path), None, "unknown tag file type (expected .yaml, .csv, .json or .txt)")


def load_tag_files(engine: Engine, paths: list[Path], *, include_lists: bool = True) -> dict[str, int]:
    """Load tag files in one transaction; returns rows per file. Reloading a file replaces its rows."""
    ensure_tables(engine)
    parsed = [(p, *read_any(p)) for p in paths]  # parse everything before touching the store
    lists_table = sanctions_list_tags(engine) if include_lists else None
    counts: dict[str, int] = {}
    with engine.transaction():
        for path, kind, table in parsed:
            target = "chain_actors" if kind == "actors" else "chain_tags_raw"
            engine.execute(f"DELETE FROM {target} WHERE loaded_from = ?", [str(path)])
            engine.register("_tags_in", table)
            engine.execute(f"INSERT INTO {target} SELECT * FROM _tags_in")
            counts[str(path)] = table.num_rows
        if lists_table is not None:
            engine.execute("DELETE FROM chain_tags_raw WHERE loaded_from = 'sanctions-lists'")
            engine.register("_tags_in", lists_table)
            engine.execute("INSERT INTO chain_tags_raw SELECT * FROM _tags_in")
            counts["sanctions-lists"] = lists_table.num_rows
        _rebuild(engine)
    return counts


def _rebuild(engine: Engine) -> None:
    """Materialise ``chain_tags`` (Bitcoin only) with the derived flags."""
    pools = ", ".join(
        f"('{''.join(ch for ch in name.lower() if ch.isalnum())}', '{juris}')"
        for name, juris in POOL_JURISDICTIONS.items()
    )
    mining = ", ".join(f"'{c}'" for c in MINING_CATEGORIES)
    engine.execute(
        f"""CREATE OR REPLACE TABLE chain_tags AS
        WITH pool_j(norm, jurisdiction) AS (VALUES {pools}),
        t AS (
          SELECT r.*, a.categories AS actor_categories,
                 coalesce(r.jurisdiction, a.jurisdictions[1], p.jurisdiction, pe.jurisdiction) AS juris
          FROM chain_tags_raw r
          LEFT JOIN (SELECT actor_id, any_value(categories) AS categories,
                            any_value(jurisdictions) AS jurisdictions
                     FROM chain_actors GROUP BY actor_id) a ON a.actor_id = r.entity
          LEFT JOIN pool_j p ON p.norm = lower(regexp_replace(coalesce(r.label, ''), '[^A-Za-z0-9]', '', 'g'))
          LEFT JOIN pool_j pe ON pe.norm = lower(regexp_replace(coalesce(r.entity, ''), '[^A-Za-z0-9]', '', 'g'))
          WHERE coalesce(r.currency, 'BTC') IN ('BTC', 'XBT')
        )
        SELECT address, label, category, entity, juris AS jurisdiction, confidence, source,
               (juris = 'RU' AND (category IN ({mining})
                 OR list_has_any(coalesce(actor_categories, []::VARCHAR[]), [{mining}]))) AS russia_mining_nexus,
               (sanctioned OR category = 'sanction'
                 OR list_contains(coalesce(actor_categories, []::VARCHAR[]), 'sanction')) AS sanctioned,
               cluster_definer, loaded_from
        FROM t"""
    )


def address_tags(engine: Engine, address: str) -> list[dict[str, Any]]:
    if not engine.table_exists("chain_tags"):
        return []
    rows = engine.query(
        """SELECT label, category, entity, jurisdiction, confidence, source, russia_mining_nexus, sanctioned
        FROM chain_tags WHERE address = ? ORDER BY sanctioned DESC, confidence DESC, label""",
        [address],
    )
    keys = ("label", "category", "entity", "jurisdiction", "confidence", "source", "russia_mining_nexus",
            "sanctioned")
    return [dict(zip(keys, row, strict=True)) for row in rows]
