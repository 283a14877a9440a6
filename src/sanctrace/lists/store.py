"""Versioned list snapshots in the engine: the public API other capabilities call.

A snapshot is one publication of one source as loaded: ``list_snapshots`` holds its metadata
(file hash, publication date, load time, entry count) and the ``list_*`` tables hold its entries,
keyed by ``snapshot_id``. Snapshots are never changed after they are written, so every screening
answer can name the exact list version it used (``list_version``) and be reproduced later.

Tables (all keyed by ``snapshot_id``; ``pos`` keeps the source's order)::

    list_snapshots(snapshot_id, source, format, file_name, file_sha256, published, loaded_at,
                   entry_count, warnings[])
    list_entries(snapshot_id, entity_id, pos, source, source_id, kind, birth_dates[], nationalities[],
                 countries[], listed_on, remarks)
    list_names(…, name, name_type, script, language)     list_addresses(…, text, city, country)
    list_identifiers(…, id_type, value, country)          list_crypto_addresses(…, currency, address)
    list_programs(…, program)                             list_relations(…, relation, target_id)

Rules that must stay true:

* one ``load_paths`` call is one transaction: all files are parsed first, then written together,
  or nothing is written;
* loading a file whose sha256 is already stored for that source reuses the snapshot (idempotent);
* ``load_entries`` returns exactly the ListEntry values that were parsed (round trip).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa

from sanctrace.engine.base import Engine
from sanctrace.engine.schema_version import ensure_component
from sanctrace.errors import NotFound
from sanctrace.lists.programs import is_russia_program
from sanctrace.lists.registry import detect_format, parse_paths
from sanctrace.lists.sourcefile import sha256_file
from sanctrace.lists.types import EntryChange, ListDiff, ParsedList, SnapshotInfo
from sanctrace.model.list_entry import (
    CryptoAddress,
    EntityKind,
    EntryName,
    EntryRelation,
    Identifier,
    ListEntry,
    NameType,
    PostalAddress,
)

_S = "VARCHAR"
_TABLES: dict[str, list[tuple[str, str]]] = {
    "list_snapshots": [("snapshot_id", "INTEGER"), ("source", _S), ("format", _S), ("file_name", _S),
                       ("file_sha256", _S), ("published", _S), ("loaded_at", "TIMESTAMP"),
                       ("entry_count", "INTEGER"), ("warnings", "VARCHAR[]")],
    "list_entries": [("snapshot_id", "INTEGER"), ("entity_id", _S), ("pos", "INTEGER"), ("source", _S),
                     ("source_id", _S),
                     ("kind", _S), ("birth_dates", "VARCHAR[]"), ("nationalities", "VARCHAR[]"),
                     ("countries", "VARCHAR[]"), ("listed_on", _S), ("remarks", _S)],
    "list_names": [("snapshot_id", "INTEGER"), ("entity_id", _S), ("pos", "INTEGER"), ("name", _S),
                   ("name_type", _S), ("script", _S), ("language", _S)],
    "list_addresses": [("snapshot_id", "INTEGER"), ("entity_id", _S), ("pos", "INTEGER"), ("text", _S),
                       ("city", _S), ("country", _S)],
    "list_identifiers": [("snapshot_id", "INTEGER"), ("entity_id", _S), ("pos", "INTEGER"),
                         ("id_type", _S), ("value", _S), ("country", _S)],
    "list_crypto_addresses": [("snapshot_id", "INTEGER"), ("entity_id", _S), ("pos", "INTEGER"),
                              ("currency", _S), ("address", _S)],
    "list_programs": [("snapshot_id", "INTEGER"), ("entity_id", _S), ("pos", "INTEGER"), ("program", _S)],
    "list_relations": [("snapshot_id", "INTEGER"), ("entity_id", _S), ("pos", "INTEGER"), ("relation", _S),
                       ("target_id", _S)],
}
_ARROW = {"INTEGER": pa.int32(), _S: pa.string(), "VARCHAR[]": pa.list_(pa.string()),
          "TIMESTAMP": pa.timestamp("us")}
_SNAPSHOT_COLS = "snapshot_id, source, file_name, file_sha256, published, loaded_at, entry_count, warnings"


# Bump when a column is added to _TABLES: older databases get it by ALTER TABLE ... ADD COLUMN.
SCHEMA_VERSION = 1
_CREATE = [f"CREATE TABLE IF NOT EXISTS {table} ({', '.join(f'{n} {k}' for n, k in columns)})"
           for table, columns in _TABLES.items()]


def ensure_schema(engine: Engine) -> None:
    """Create the list tables, or add columns a database from an older version lacks (safe on every call)."""
    ensure_component(engine, "lists", SCHEMA_VERSION, _CREATE)


def _info(row: tuple[Any, ...], reused: bool = False) -> SnapshotInfo:
    snapshot_id, source, file_name, sha, published, loaded_at, count, warnings = row
    loaded = loaded_at.replace(tzinfo=UTC).isoformat() if isinstance(loaded_at, datetime) else str(loaded_at)
    return SnapshotInfo(int(snapshot_id), source, file_name, sha, published, loaded, int(count), reused,
                        tuple(warnings or ()))


def list_snapshots(engine: Engine) -> list[SnapshotInfo]:
    ensure_schema(engine)
    rows = engine.query(f"SELECT {_SNAPSHOT_COLS} FROM list_snapshots ORDER BY snapshot_id")
    return [_info(row) for row in rows]


def get_snapshot(engine: Engine, snapshot_id: int) -> SnapshotInfo:
    ensure_schema(engine)
    row = engine.query_one(f"SELECT {_SNAPSHOT_COLS} FROM list_snapshots WHERE snapshot_id = ?", [snapshot_id])
    if row is None:
        raise NotFound(f"list snapshot {snapshot_id} does not exist (see `sanctrace lists snapshots`)")
    return _info(row)


def load_paths(engine: Engine, paths: Sequence[Path], *, source_hint: str | None = None) -> list[SnapshotInfo]:
    """Detect, parse and store every file; one transaction for the whole call.

    A single-file publication whose sha256 is already stored is not parsed again.
    """
    ensure_schema(engine)
    placed: list[tuple[int, SnapshotInfo]] = []
    todo: list[Path] = []
    for index, path in enumerate(Path(p) for p in paths):
        fmt = detect_format(path, source_hint)
        row = None if fmt.multi_file else engine.query_one(
            f"SELECT {_SNAPSHOT_COLS} FROM list_snapshots WHERE source = ? AND file_sha256 = ? "
            "ORDER BY snapshot_id LIMIT 1", [fmt.source, sha256_file(path)])
        if row is None:
            todo.append(path)
        else:
            placed.append((index, _info(row, reused=True)))
    stored = store_parsed(engine, parse_paths(todo, source_hint=source_hint)) if todo else []
    names = [Path(p).name for p in paths]
    for info in stored:  # report in the order the files were given
        first = min((names.index(n) for n in info.file_name.split("+") if n in names), default=len(names))
        placed.append((first, info))
    return [info for _, info in sorted(placed, key=lambda item: item[0])]


def store_parsed(engine: Engine, parsed: Sequence[ParsedList]) -> list[SnapshotInfo]:
    """Write already-parsed publications as snapshots (all or nothing)."""
    ensure_schema(engine)
    infos: list[SnapshotInfo] = []
    with engine.transaction():
        for publication in parsed:
            row = engine.query_one(
                f"SELECT {_SNAPSHOT_COLS} FROM list_snapshots WHERE source = ? AND file_sha256 = ?"
                " ORDER BY snapshot_id LIMIT 1", [publication.source, publication.file_sha256])
            if row is not None:
                infos.append(_info(row, reused=True))
                continue
            snapshot_id = int(engine.scalar("SELECT coalesce(max(snapshot_id), 0) + 1 FROM list_snapshots"))
            loaded_at = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
            _insert(engine, "list_snapshots", {
                "snapshot_id": [snapshot_id], "source": [publication.source], "format": [publication.format],
                "file_name": [publication.file_name], "file_sha256": [publication.file_sha256],
                "published": [publication.published], "loaded_at": [loaded_at],
                "entry_count": [len(publication.entries)], "warnings": [list(publication.warnings)],
            })
            _insert_entries(engine, snapshot_id, publication.entries)
            infos.append(get_snapshot(engine, snapshot_id))
    return infos


def _insert(engine: Engine, table: str, columns: dict[str, list[Any]]) -> None:
    schema = pa.schema([(name, _ARROW[kind]) for name, kind in _TABLES[table]])
    arrow = pa.table(columns, schema=schema)
    view = f"_load_{table}"
    engine.register(view, arrow)
    try:
        names = ", ".join(name for name, _ in _TABLES[table])  # by name: a migrated table orders them differently
        engine.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {view}")
    finally:
        unregister = getattr(engine, "unregister", None)
        if unregister is not None:
            unregister(view)


def _insert_entries(engine: Engine, snapshot_id: int, entries: Sequence[ListEntry]) -> None:
    rows: dict[str, dict[str, list[Any]]] = {
        table: {name: [] for name, _ in columns} for table, columns in _TABLES.items()
    }

    def child(table: str, entity_id: str, pos: int, **values: Any) -> None:
        target = rows[table]
        target["snapshot_id"].append(snapshot_id)
        target["entity_id"].append(entity_id)
        target["pos"].append(pos)
        for key, value in values.items():
            target[key].append(value)

    main = rows["list_entries"]
    for position, e in enumerate(entries):
        for key, value in (("snapshot_id", snapshot_id), ("entity_id", e.entity_id), ("pos", position),
                           ("source", e.source),
                           ("source_id", e.source_id), ("kind", e.kind.value), ("birth_dates", e.birth_dates),
                           ("nationalities", e.nationalities), ("countries", e.countries),
                           ("listed_on", e.listed_on), ("remarks", e.remarks)):
            main[key].append(value)
        for i, n in enumerate(e.names):
            child("list_names", e.entity_id, i, name=n.full, name_type=n.name_type.value, script=n.script,
                  language=n.language)
        for i, a in enumerate(e.addresses):
            child("list_addresses", e.entity_id, i, text=a.text, city=a.city, country=a.country)
        for i, d in enumerate(e.identifiers):
            child("list_identifiers", e.entity_id, i, id_type=d.id_type, value=d.value, country=d.country)
        for i, c in enumerate(e.crypto_addresses):
            child("list_crypto_addresses", e.entity_id, i, currency=c.currency, address=c.address)
        for i, p in enumerate(e.programs):
            child("list_programs", e.entity_id, i, program=p)
        for i, r in enumerate(e.relations):
            child("list_relations", e.entity_id, i, relation=r.relation, target_id=r.target_id)
    for table, columns in rows.items():
        if table != "list_snapshots" and columns["snapshot_id"]:
            _insert(engine, table, columns)


def current_snapshot_ids(engine: Engine, as_of: str | None = None) -> list[int]:
    """The latest snapshot of each source, or the latest published on or before ``as_of``."""
    ensure_schema(engine)
    sql = (
        "SELECT snapshot_id FROM (SELECT snapshot_id, row_number() OVER (PARTITION BY source "
        "ORDER BY coalesce(published, CAST(CAST(loaded_at AS DATE) AS VARCHAR)) DESC, snapshot_id DESC) AS rn "
        "FROM list_snapshots {where}) WHERE rn = 1 ORDER BY snapshot_id"
    )
    if as_of is None:
        rows = engine.query(sql.format(where=""))
    else:
        where = "WHERE coalesce(published, CAST(CAST(loaded_at AS DATE) AS VARCHAR)) <= ?"
        rows = engine.query(sql.format(where=where), [as_of[:10]])
    return [int(row[0]) for row in rows]


def _resolve(engine: Engine, snapshot_ids: Sequence[int] | None) -> list[int]:
    if snapshot_ids is None:
        return current_snapshot_ids(engine)
    for snapshot_id in snapshot_ids:
        get_snapshot(engine, snapshot_id)
    return list(snapshot_ids)


def list_version(engine: Engine, snapshot_ids: Sequence[int] | None = None) -> str:
    """``"ofac:2025-11-19#1,un:2026-02-27#2"``: which snapshots an answer was computed on."""
    ids = _resolve(engine, snapshot_ids)
    infos = sorted((get_snapshot(engine, i) for i in ids), key=lambda s: (s.source, s.snapshot_id))
    return ",".join(info.version for info in infos)


def _placeholders(values: Sequence[Any]) -> str:
    return ", ".join("?" for _ in values)


def load_entries(engine: Engine, snapshot_ids: Sequence[int] | None = None) -> list[ListEntry]:
    """Every entry of the given snapshots (default: the current one of each source)."""
    return _load(engine, _resolve(engine, snapshot_ids))


def _load(engine: Engine, ids: Sequence[int], entity_id: str | None = None) -> list[ListEntry]:
    if not ids:
        return []
    marks = _placeholders(ids)
    only = " AND entity_id = ?" if entity_id is not None else ""
    params: list[Any] = [*ids, entity_id] if entity_id is not None else list(ids)
    entries: dict[tuple[int, str], ListEntry] = {}
    order: list[ListEntry] = []
    for row in engine.query(
        "SELECT snapshot_id, entity_id, source, source_id, kind, birth_dates, nationalities, countries, "
        f"listed_on, remarks FROM list_entries WHERE snapshot_id IN ({marks}){only} ORDER BY snapshot_id, pos",
        params,
    ):
        sid, entity_id, source, source_id, kind, births, nats, countries, listed_on, remarks = row
        entry = ListEntry(entity_id=entity_id, source=source, source_id=source_id, kind=EntityKind(kind),
                          birth_dates=list(births or []), nationalities=list(nats or []),
                          countries=list(countries or []), listed_on=listed_on, remarks=remarks)
        entries[(int(sid), entity_id)] = entry
        order.append(entry)

    def rows(table: str, cols: str) -> list[tuple[Any, ...]]:
        return engine.query(f"SELECT snapshot_id, entity_id, {cols} FROM {table} WHERE snapshot_id IN "
                            f"({marks}){only} ORDER BY snapshot_id, entity_id, pos", params)

    for sid, eid, name, name_type, script, language in rows("list_names", "name, name_type, script, language"):
        entries[(sid, eid)].names.append(EntryName(name, NameType(name_type), script, language))
    for sid, eid, text, city, country in rows("list_addresses", "text, city, country"):
        entries[(sid, eid)].addresses.append(PostalAddress(text, city, country))
    for sid, eid, id_type, value, country in rows("list_identifiers", "id_type, value, country"):
        entries[(sid, eid)].identifiers.append(Identifier(id_type, value, country))
    for sid, eid, currency, address in rows("list_crypto_addresses", "currency, address"):
        entries[(sid, eid)].crypto_addresses.append(CryptoAddress(currency, address))
    for sid, eid, program in rows("list_programs", "program"):
        entries[(sid, eid)].programs.append(program)
    for sid, eid, relation, target in rows("list_relations", "relation, target_id"):
        entries[(sid, eid)].relations.append(EntryRelation(relation, target))
    return order


def get_entry(engine: Engine, entity_id: str, snapshot_ids: Sequence[int] | None = None) -> ListEntry:
    """One entry by its prefixed id, from the current snapshots (or the given ones)."""
    ids = _resolve(engine, snapshot_ids)
    if ids:
        row = engine.query_one(
            f"SELECT snapshot_id FROM list_entries WHERE entity_id = ? AND snapshot_id IN ({_placeholders(ids)})"
            " ORDER BY snapshot_id DESC LIMIT 1", [entity_id, *ids])
        if row is not None:
            for entry in _load(engine, [int(row[0])], entity_id):
                return entry
    raise NotFound(f"no list entry {entity_id!r} in the current snapshots")


_DIFF_FIELDS = [f.name for f in fields(ListEntry) if f.name not in ("entity_id", "source", "source_id")]


def diff(engine: Engine, a: int, b: int) -> ListDiff:
    """Entries added, removed and changed (with the names of the changed fields) from ``a`` to ``b``."""
    old = {e.entity_id: e for e in load_entries(engine, [a])}
    new = {e.entity_id: e for e in load_entries(engine, [b])}
    result = ListDiff(a=a, b=b)
    result.added = sorted(set(new) - set(old))
    result.removed = sorted(set(old) - set(new))
    for entity_id in sorted(set(old) & set(new)):
        before, after = old[entity_id], new[entity_id]
        changed = [name for name in _DIFF_FIELDS if _norm(getattr(before, name)) != _norm(getattr(after, name))]
        if changed:
            result.changed.append(EntryChange(entity_id, changed))
    return result


def _norm(value: Any) -> Any:
    """Order-insensitive comparison for list fields (a re-ordered alias list is not a change)."""
    if isinstance(value, list):
        return sorted(map(repr, value))
    return value


def stats(engine: Engine, snapshot_ids: Sequence[int] | None = None) -> dict[str, Any]:
    """Per source: entries by kind, names, addresses, identifiers, crypto addresses, programs."""
    ids = _resolve(engine, snapshot_ids)
    out: dict[str, Any] = {}
    for snapshot_id in ids:
        info = get_snapshot(engine, snapshot_id)
        key = info.source if info.source not in out else f"{info.source}#{snapshot_id}"
        p = [snapshot_id]

        def count(sql: str, p: list[int] = p) -> int:
            return int(engine.scalar(sql, p) or 0)

        def grouped(sql: str, p: list[int] = p) -> dict[str, int]:
            return {str(k): int(v) for k, v in engine.query(sql, p)}

        programs = engine.query("SELECT entity_id, program FROM list_programs WHERE snapshot_id = ?", p)
        by_program = Counter(program for _, program in programs)
        russia = {eid for eid, program in programs if is_russia_program(program)}
        out[key] = {
            "snapshot_id": snapshot_id,
            "version": info.version,
            "published": info.published,
            "entries": count("SELECT count(*) FROM list_entries WHERE snapshot_id = ?"),
            "by_kind": grouped("SELECT kind, count(*) FROM list_entries WHERE snapshot_id = ? GROUP BY kind "
                               "ORDER BY 2 DESC"),
            "names": count("SELECT count(*) FROM list_names WHERE snapshot_id = ?"),
            "names_by_type": grouped("SELECT name_type, count(*) FROM list_names WHERE snapshot_id = ? "
                                     "GROUP BY 1 ORDER BY 2 DESC"),
            "names_by_script": grouped("SELECT script, count(*) FROM list_names WHERE snapshot_id = ? "
                                       "GROUP BY 1 ORDER BY 2 DESC"),
            "addresses": count("SELECT count(*) FROM list_addresses WHERE snapshot_id = ?"),
            "identifiers": count("SELECT count(*) FROM list_identifiers WHERE snapshot_id = ?"),
            "crypto_addresses": count("SELECT count(*) FROM list_crypto_addresses WHERE snapshot_id = ?"),
            "crypto_address_entries": count("SELECT count(DISTINCT entity_id) FROM list_crypto_addresses "
                                            "WHERE snapshot_id = ?"),
            "crypto_by_currency": grouped("SELECT currency, count(*) FROM list_crypto_addresses "
                                          "WHERE snapshot_id = ? GROUP BY 1 ORDER BY 2 DESC"),
            "programs": len(by_program),
            "entries_by_program": dict(by_program.most_common()),
            "russia_program_entries": len(russia),
            "relations": count("SELECT count(*) FROM list_relations WHERE snapshot_id = ?"),
            "relations_by_type": grouped("SELECT relation, count(*) FROM list_relations WHERE snapshot_id = ? "
                                         "GROUP BY 1 ORDER BY 2 DESC"),
        }
    return out

