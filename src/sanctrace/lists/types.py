"""Records the lists package hands out: a parsed file, a stored snapshot, a diff between two.

They are plain dataclasses so the CLI and the API can serialise them with ``to_jsonable``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sanctrace.model.list_entry import ListEntry


@dataclass(slots=True)
class ParsedList:
    """What a parser produced from one publication (one file, or one set of legacy CSV files)."""

    source: str  # "ofac", "un", "eu", "uk", "os", "jp-meti"
    format: str  # registry name of the parser, e.g. "ofac_advanced_xml"
    file_name: str  # base name(s) of the file(s), "+"-joined for file sets
    file_sha256: str  # sha256 of the file content (of the sorted per-file hashes for a set)
    published: str | None  # ISO date of publication as the file states it
    entries: list[ListEntry] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # records kept out, each with file and record


@dataclass(frozen=True, slots=True)
class SnapshotInfo:
    """One stored version of one source's list."""

    snapshot_id: int
    source: str
    file_name: str
    file_sha256: str
    published: str | None
    loaded_at: str  # ISO 8601 UTC
    entry_count: int
    reused: bool = False  # True when the same file had been loaded before (idempotent load)
    warnings: tuple[str, ...] = ()  # records the parser kept out, each naming file and record

    @property
    def version(self) -> str:
        """``ofac:2025-11-19#1``: source, publication date and snapshot id."""
        return f"{self.source}:{self.published or 'undated'}#{self.snapshot_id}"


@dataclass(frozen=True, slots=True)
class EntryChange:
    entity_id: str
    fields: list[str]  # names of the ListEntry fields that differ


@dataclass(slots=True)
class ListDiff:
    """What changed from snapshot ``a`` to snapshot ``b`` (re-screen the book on every update)."""

    a: int
    b: int
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    changed: list[EntryChange] = field(default_factory=list)

    @property
    def summary(self) -> dict[str, int]:
        return {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed)}
