"""Sanctions lists: parsers for the official formats and versioned snapshots in the engine.

Public API (other capabilities call these names; keep them stable)::

    ensure_schema(engine)
    load_paths(engine, paths, source_hint=None) -> list[SnapshotInfo]
    list_snapshots(engine) -> list[SnapshotInfo]
    current_snapshot_ids(engine, as_of=None) -> list[int]
    load_entries(engine, snapshot_ids=None) -> list[ListEntry]
    list_version(engine, snapshot_ids=None) -> str
    diff(engine, a, b) -> ListDiff
    stats(engine, snapshot_ids=None) -> dict
    parse_file(path) -> ParsedList          (no database needed)
"""

from __future__ import annotations

from sanctrace.lists.programs import is_russia_program
from sanctrace.lists.registry import ListFormat, detect_format, formats, parse_file, parse_paths, register_format
from sanctrace.lists.store import (
    current_snapshot_ids,
    diff,
    ensure_schema,
    get_entry,
    get_snapshot,
    list_snapshots,
    list_version,
    load_entries,
    load_paths,
    stats,
    store_parsed,
)
from sanctrace.lists.types import EntryChange, ListDiff, ParsedList, SnapshotInfo

__all__ = [
    "EntryChange",
    "ListDiff",
    "ListFormat",
    "ParsedList",
    "SnapshotInfo",
    "current_snapshot_ids",
    "detect_format",
    "diff",
    "ensure_schema",
    "formats",
    "get_entry",
    "get_snapshot",
    "is_russia_program",
    "list_snapshots",
    "list_version",
    "load_entries",
    "load_paths",
    "parse_file",
    "parse_paths",
    "register_format",
    "stats",
    "store_parsed",
]
