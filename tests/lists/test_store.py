"""Versioned snapshots: idempotent loads, round trip, as-of, versions, diff and stats."""

from __future__ import annotations

from pathlib import Path

import pytest

from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.errors import ListSourceError, NotFound
from sanctrace.lists import (
    ParsedList,
    current_snapshot_ids,
    diff,
    get_entry,
    list_snapshots,
    list_version,
    load_entries,
    load_paths,
    stats,
)

UK = "sanctions/uk/UK_Sanctions_List_excerpt_2026-09-10.xml"
UN = "sanctions/un/UN_consolidated_2026-02-27.xml"


def test_full_sdn_round_trip_and_stats(sdn_store: DuckDBEngine, sdn_parsed: ParsedList) -> None:
    (info,) = list_snapshots(sdn_store)
    assert (info.source, info.published, info.entry_count) == ("ofac", "2025-11-19", 18367)
    assert list_version(sdn_store) == "ofac:2025-11-19#1"
    assert load_entries(sdn_store) == sdn_parsed.entries
    ofac = stats(sdn_store)["ofac"]
    assert ofac["entries"] == 18367
    assert ofac["by_kind"] == {"organization": 9359, "person": 7303, "vessel": 1370, "aircraft": 335}
    assert ofac["russia_program_entries"] == 6890
    assert (ofac["crypto_addresses"], ofac["crypto_address_entries"]) == (761, 79)
    assert ofac["relations_by_type"]["owned_or_controlled_by"] == 3718
    assert ofac["names"] == 48482
    putin = get_entry(sdn_store, "ofac:35096")
    assert putin.primary_name == "Putin Vladimir Vladimirovich"
    with pytest.raises(NotFound):
        get_entry(sdn_store, "ofac:0")


def test_load_is_idempotent(engine: DuckDBEngine, shared_data: Path) -> None:
    (uk,) = load_paths(engine, [shared_data / UK])
    second = load_paths(engine, [shared_data / UN, shared_data / UK])
    assert [(i.source, i.reused) for i in second] == [("un", False), ("uk", True)]  # in the order given
    again = load_paths(engine, [shared_data / UN, shared_data / UK])
    assert all(i.reused for i in again)
    assert [i.snapshot_id for i in again] == [i.snapshot_id for i in second] == [2, uk.snapshot_id]
    assert len(list_snapshots(engine)) == 2
    assert engine.scalar("SELECT count(*) FROM list_entries") == 1008
    assert list_version(engine) == "uk:2026-09-10#1,un:2026-02-27#2"


def test_parser_warnings_are_kept_with_the_snapshot(engine: DuckDBEngine, shared_data: Path) -> None:
    (info,) = load_paths(engine, [shared_data / "sanctions/ftm/opensanctions_zala_aero_cluster.ftm.jsonl"])
    assert len(info.warnings) == 1 and "4 relations point at entities that are not listed" in info.warnings[0]
    assert list_snapshots(engine)[0].warnings == info.warnings


def _edited_uk(tmp_path: Path, shared_data: Path, published: str) -> Path:
    text = (shared_data / UK).read_text(encoding="utf-8")
    start = text.index("<Designation>", text.index("AFG0001") - 200)
    end = text.index("</Designation>", start) + len("</Designation>")
    text = text[:start] + text[end:]  # remove AFG0001
    text = text.replace("<Name6>Petrel 8</Name6>", "<Name6>Petrel Eight</Name6>")  # rename the ship
    text = text.replace("<UniqueID>AQD0195</UniqueID>", "<UniqueID>AQD9999</UniqueID>")  # "new" entry
    text = text.replace("<DateGenerated>10/09/2026</DateGenerated>", f"<DateGenerated>{published}</DateGenerated>")
    path = tmp_path / "uk_next.xml"
    path.write_text(text, encoding="utf-8")
    return path


def test_diff_and_as_of(engine: DuckDBEngine, shared_data: Path, tmp_path: Path) -> None:
    (old,) = load_paths(engine, [shared_data / UK])
    (new,) = load_paths(engine, [_edited_uk(tmp_path, shared_data, "01/10/2026")])
    assert new.snapshot_id == old.snapshot_id + 1 and new.published == "2026-10-01"
    result = diff(engine, old.snapshot_id, new.snapshot_id)
    assert result.added == ["uk:AQD9999"]
    assert result.removed == ["uk:AFG0001", "uk:AQD0195"]
    assert [(c.entity_id, c.fields) for c in result.changed] == [("uk:DPR0075", ["names"])]
    assert current_snapshot_ids(engine) == [new.snapshot_id]
    assert current_snapshot_ids(engine, as_of="2026-09-30") == [old.snapshot_id]
    assert current_snapshot_ids(engine, as_of="2026-01-01") == []
    assert list_version(engine, [old.snapshot_id]) == f"uk:2026-09-10#{old.snapshot_id}"
    assert {e.entity_id for e in load_entries(engine, [old.snapshot_id])} >= {"uk:AFG0001"}
    with pytest.raises(NotFound):
        diff(engine, old.snapshot_id, 99)


def test_one_load_is_one_transaction(engine: DuckDBEngine, shared_data: Path, tmp_path: Path) -> None:
    load_paths(engine, [shared_data / UK])
    broken = tmp_path / "un_truncated.xml"
    broken.write_bytes((shared_data / UN).read_bytes()[:200_000])
    with pytest.raises(ListSourceError):
        load_paths(engine, [shared_data / "sanctions/eu/eu_fsf_excerpt_2026-08-05.xml", broken])
    assert [s.source for s in list_snapshots(engine)] == ["uk"]
    assert engine.scalar("SELECT count(*) FROM list_entries") == 5
    assert engine.scalar("SELECT count(*) FROM list_names WHERE snapshot_id <> 1") == 0
