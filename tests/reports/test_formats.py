from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.errors import InputError
from sanctrace.reports import formats
from sanctrace.reports.entity import ReportingEntity
from sanctrace.reports.facts import gather


def test_registry_renders_every_builtin(world: DuckDBEngine, entity: ReportingEntity) -> None:
    assert formats.names() == ["goaml", "jp-csv", "jp-json"]
    facts = gather(world, "case-000001")
    when = datetime(2025, 3, 20, tzinfo=UTC)
    out = {name: formats.get(name).render(facts, entity, when) for name in formats.names()}
    assert out["goaml"].startswith(b"<?xml") and out["jp-csv"].startswith(b"\xef\xbb\xbf")
    assert out["jp-json"].lstrip().startswith(b"{")
    with pytest.raises(InputError, match="jp-csv"):
        formats.get("sar-pdf")
