"""Formats are plugins: a new one registers by name and `load` detects it like the built-ins."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.lists import ListFormat, ParsedList, detect_format, formats, load_paths, register_format
from sanctrace.lists import registry as registry_module
from sanctrace.lists.common import make_name
from sanctrace.lists.sourcefile import sha256_file
from sanctrace.model.list_entry import EntityKind, ListEntry


def _parse(paths: Sequence[Path]) -> ParsedList:
    (path,) = paths
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines()[1:], start=1):
        entries.append(ListEntry(entity_id=f"demo:{number}", source="demo", source_id=str(number),
                                 kind=EntityKind.PERSON, names=[make_name(line)]))
    return ParsedList(source="demo", format="demo_text", file_name=path.name, file_sha256=sha256_file(path),
                      published="2026-01-01", entries=entries)


def test_plugin_format_is_detected_and_loaded(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                              engine: DuckDBEngine) -> None:
    formats()  # built-ins registered first, so the copy below holds them and the original stays whole
    monkeypatch.setattr(registry_module, "_FORMATS", dict(registry_module._FORMATS))
    register_format(ListFormat(name="demo_text", source="demo", detect=lambda _p, head: head.startswith(b"DEMO"),
                               parse=_parse, description="test plugin"))
    path = tmp_path / "demo.lst"
    path.write_text("DEMO LIST\nИван Петров\nJohn Smith\n", encoding="utf-8")
    assert detect_format(path).name == "demo_text"
    assert "demo_text" in {f.name for f in formats()}
    (info,) = load_paths(engine, [path])
    assert (info.source, info.entry_count, info.version) == ("demo", 2, "demo:2026-01-01#1")
    assert engine.query("SELECT name, script FROM list_names ORDER BY entity_id") == [("Иван Петров", "Cyrl"),
                                                                               ("John Smith", "Latn")]
