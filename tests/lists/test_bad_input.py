"""Bad list files are refused with the file and the record named, and nothing is loaded."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.errors import ListSourceError
from sanctrace.lists import list_snapshots, load_paths, parse_file
from tests.lists.conftest import OLD_NS_ADVANCED, write_advanced

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE Sanctions [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<Sanctions xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/ADVANCED_XML">
<DateOfIssue><Year>&lol9;</Year></DateOfIssue></Sanctions>
"""

XXE = """<?xml version="1.0"?>
<!DOCTYPE CONSOLIDATED_LIST [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<CONSOLIDATED_LIST dateGenerated="2026-01-01"><INDIVIDUALS><INDIVIDUAL><DATAID>1</DATAID>
<FIRST_NAME>&xxe;</FIRST_NAME></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>
"""


def _refused(path: Path, *fragments: str) -> str:
    with pytest.raises(ListSourceError) as caught:
        parse_file(path)
    message = str(caught.value)
    assert str(path) in message
    for fragment in fragments:
        assert fragment in message
    return message


def test_truncated_xml(tmp_path: Path, shared_data: Path) -> None:
    path = tmp_path / "un.xml"
    path.write_bytes((shared_data / "sanctions/un/UN_consolidated_2026-02-27.xml").read_bytes()[:50_000])
    _refused(path, "line ", "malformed XML")


def test_malformed_xml(tmp_path: Path) -> None:
    path = write_advanced(tmp_path / "sdn.xml")
    path.write_text(path.read_text().replace("</DistinctParty>", "</DistinctPart>", 1), encoding="utf-8")
    _refused(path, "line ", "malformed XML")


def test_billion_laughs_is_refused_not_expanded(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xml"
    path.write_text(BILLION_LAUGHS, encoding="utf-8")
    started = time.monotonic()
    _refused(path, "DTD", "entities are refused")
    assert time.monotonic() - started < 5  # refused up front, not after a billion expansions


def test_external_entity_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "xxe.xml"
    path.write_text(XXE, encoding="utf-8")
    message = _refused(path, "DTD")
    assert "root:" not in message  # /etc/passwd was never read


def test_latin1_bytes_in_utf8_xml(tmp_path: Path) -> None:
    path = tmp_path / "latin1.xml"
    data = OLD_NS_ADVANCED.format(ns="urn:x").encode("utf-8")
    path.write_bytes(data.replace(b"IVANOV", "MÜLLER".encode("latin-1")))  # declared utf-8, one Latin-1 byte
    _refused(path, "line ", "malformed XML")


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.xml"
    path.write_bytes(b"\xef\xbb\xbf" + OLD_NS_ADVANCED.format(ns="urn:x").encode("utf-8"))
    assert len(parse_file(path).entries) == 2
    csv_path = tmp_path / "sdn.csv"
    csv_path.write_bytes(b'\xef\xbb\xbf1,"A B",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n')
    assert parse_file(csv_path).entries[0].primary_name == "A B"


def test_latin1_csv_is_refused_with_line(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_bytes(b'1,"A",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n'
                     b'2,"M\xdcLLER, Hans","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n')
    _refused(path, "line 2", "not valid UTF-8")


def test_csv_missing_columns_and_ragged_rows(tmp_path: Path) -> None:
    path = tmp_path / "sdn.csv"
    path.write_text('1,"A",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n2,"B",-0- ,"SDGT"\n')
    _refused(path, "line 2", "expected 12 columns", "found 4")
    add = tmp_path / "add.csv"
    add.write_text('1,1,"Street","City","Russia",-0- ,"extra"\n')
    sdn = tmp_path / "ok" / "sdn.csv"
    sdn.parent.mkdir()
    sdn.write_text('1,"A",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n')
    with pytest.raises(ListSourceError, match=r"add\.csv: line 1: expected 6 columns"):
        load_paths(DuckDBEngine(":memory:"), [sdn, add])


def test_companions_without_sdn_csv(tmp_path: Path) -> None:
    alt = tmp_path / "alt.csv"
    alt.write_text('1,1,"aka","X",-0- \n')
    with pytest.raises(ListSourceError, match=r"need their sdn\.csv"):
        parse_file(alt)


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("nothing to see here\n")
    _refused(path, "unknown list format")
    missing = tmp_path / "missing.xml"
    _refused(missing, "no such file")


def test_bad_json_lines(tmp_path: Path) -> None:
    path = tmp_path / "entities.ftm.jsonl"
    path.write_text('{"id": "a", "schema": "Person", "properties": {"name": ["A"], "topics": ["sanction"]}}\n'
                    '{"id": "b", "schema": "Person", "properties": {"name": ["B"]\n')
    _refused(path, "line 2", "invalid JSON")


def test_nothing_half_loaded(engine: DuckDBEngine, tmp_path: Path, shared_data: Path) -> None:
    good = shared_data / "sanctions/uk/UK_Sanctions_List_excerpt_2026-09-10.xml"
    bad = tmp_path / "bomb.xml"
    bad.write_text(BILLION_LAUGHS, encoding="utf-8")
    with pytest.raises(ListSourceError):
        load_paths(engine, [good, bad])
    assert list_snapshots(engine) == []


def test_list_resaved_as_shift_jis_says_so(tmp_path: Path, shared_data: Path) -> None:
    text = (shared_data / "sanctions/jp/meti_russia_export_ban_entities_2025-09-12.txt").read_text(encoding="utf-8")
    path = tmp_path / "meti.txt"
    path.write_bytes(text[:2000].encode("shift_jis", errors="replace"))
    with pytest.raises(ListSourceError, match=r"meti.txt: unknown list format .*not UTF-8 text \(byte \d+\)"):
        parse_file(path)
    with pytest.raises(ListSourceError, match=r"unknown list source 'meti' .*jp-meti"):
        parse_file(path, source_hint="meti")
