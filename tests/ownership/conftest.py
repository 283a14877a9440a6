"""Helpers for ownership tests: write a small parties/relations CSV pair and load it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.ownership.loaders import load_paths
from sanctrace.ownership.store import LoadSummary

PARTY_HEADER = "party_id,kind,legal_name,jurisdiction,listed,is_customer,addresses,wallets,identifiers"
RELATION_HEADER = "source_id,target_id,relation,share,share_min,share_max,start_date,end_date,role"


def write(path: Path, header: str, rows: list[str]) -> Path:
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def graph(engine: DuckDBEngine, tmp_path: Path) -> Callable[[list[str], list[str]], LoadSummary]:
    """``graph(party_rows, relation_rows)`` loads the CSV pair into the test engine."""

    def build(parties: list[str], relations: list[str]) -> LoadSummary:
        files = [write(tmp_path / "parties.csv", PARTY_HEADER, parties)]
        if relations:
            files.append(write(tmp_path / "relations.csv", RELATION_HEADER, relations))
        return load_paths(engine, files, as_of="2026-01-01")

    return build
