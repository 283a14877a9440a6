"""`sanctrace lists …` end to end: real files, real subprocess, a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "src/sanctrace/data/lists/sdn_advanced_2025-11-19.xml.bz2"
UN = "sanctions/un/UN_consolidated_2026-02-27.xml"
UK = "sanctions/uk/UK_Sanctions_List_excerpt_2026-09-10.xml"
BOMB = """<?xml version="1.0"?>
<!DOCTYPE Designations [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<Designations><DateGenerated>&b;</DateGenerated></Designations>
"""


def _json(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def _one_line_error(result: Any) -> str:
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    return lines[0]


def test_load_stats_show_diff(cli: Any, shared_data: Path, tmp_path: Path) -> None:
    loaded = _json(cli("lists", "load", str(shared_data / UN), str(shared_data / UK), "--format", "json"))
    assert [(r["source"], r["entry_count"], r["version"]) for r in loaded] == [
        ("un", 1003, "un:2026-02-27#1"), ("uk", 5, "uk:2026-09-10#2")]
    stats = _json(cli("lists", "stats", "--format", "json"))
    assert stats["un"]["entries"] == 1003 and stats["un"]["by_kind"] == {"person": 730, "organization": 273}
    assert stats["uk"]["by_kind"] == {"organization": 2, "person": 2, "vessel": 1}
    table = cli("lists", "stats", "--format", "table")
    assert table.exit_code == 0 and "1003" in table.stdout
    exported = tmp_path / "entries.jsonl"
    assert cli("lists", "export", "--source", "uk", "-o", str(exported)).exit_code == 0
    lines = [json.loads(line) for line in exported.read_text(encoding="utf-8").splitlines()]
    assert [e["entity_id"] for e in lines] == ["uk:AFG0001", "uk:AFG0006", "uk:BEL0107", "uk:DPR0075", "uk:AQD0195"]
    shown = _json(cli("lists", "show", "uk:AFG0006"))
    assert shown["entity_id"] == "uk:AFG0006" and shown["birth_dates"] == ["1958-05-12", "1945", "1946"]
    again = cli("lists", "load", str(shared_data / UK))
    assert again.exit_code == 0 and again.stdout.startswith("already loaded: uk:2026-09-10#2")

    edited = tmp_path / "uk_next.xml"
    text = (shared_data / UK).read_text(encoding="utf-8").replace("<Name6>Petrel 8</Name6>", "<Name6>Petrel 9</Name6>")
    edited.write_text(text.replace("10/09/2026</DateGenerated>", "11/09/2026</DateGenerated>"), encoding="utf-8")
    assert cli("lists", "load", str(edited)).exit_code == 0
    diff = _json(cli("lists", "diff", "2", "3", "--format", "json"))
    assert diff["summary"] == {"added": 0, "removed": 0, "changed": 1}
    assert diff["changed"] == [{"entity_id": "uk:DPR0075", "fields": ["names"]}]
    snapshots = _json(cli("lists", "snapshots", "--format", "json"))
    assert [(s["snapshot_id"], s["current"]) for s in snapshots] == [(1, True), (2, False), (3, True)]
    old_stats = _json(cli("lists", "stats", "--as-of", "2026-09-10"))
    assert old_stats["uk"]["snapshot_id"] == 2

    assert "uk:NOPE" in _one_line_error(cli("lists", "show", "uk:NOPE"))
    assert "snapshot 9" in _one_line_error(cli("lists", "diff", "1", "9"))


@pytest.mark.slow  # the same full-SDN load runs in the normal suite without the CLI (tests/lists/conftest.py)
def test_shipped_snapshot_loads(cli: Any) -> None:
    """What `make run` loads: the full OFAC SDN_ADVANCED snapshot shipped in the package (~15 s)."""
    first = cli("lists", "load", str(SHIPPED))
    assert first.exit_code == 0, first.stderr
    assert first.stdout.startswith("loaded: ofac:2025-11-19#1") and "18367 entries" in first.stdout
    stats = _json(cli("lists", "stats"))["ofac"]
    assert (stats["entries"], stats["russia_program_entries"], stats["crypto_addresses"]) == (18367, 6890, 761)
    again = cli("lists", "load", str(SHIPPED))
    assert again.stdout.startswith("already loaded: ofac:2025-11-19#1")


def test_bad_files_exit_1_and_load_nothing(cli: Any, tmp_path: Path, shared_data: Path) -> None:
    bomb = tmp_path / "bomb.xml"
    bomb.write_text(BOMB, encoding="utf-8")
    message = _one_line_error(cli("lists", "load", str(shared_data / UK), str(bomb)))
    assert str(bomb) in message and "DTD" in message
    ragged = tmp_path / "sdn.csv"
    ragged.write_text('1,"A",-0- ,"SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \n2,"B"\n', encoding="utf-8")
    assert "line 2" in _one_line_error(cli("lists", "load", str(ragged)))
    unknown = tmp_path / "readme.md"
    unknown.write_text("# hello\n", encoding="utf-8")
    assert "unknown list format" in _one_line_error(cli("lists", "load", str(unknown)))
    assert _json(cli("lists", "snapshots", "--format", "json")) == []
    known = {f["name"] for f in _json(cli("lists", "formats", "--format", "json"))}
    assert known == {"ofac_advanced_xml", "ofac_legacy_csv", "un_xml", "eu_fsf_xml", "uk_xml", "ftm_jsonl", "meti_text"}


@pytest.fixture
def http_root(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A real HTTP server on 127.0.0.1 serving ``root``; yields (root, base URL)."""
    root = tmp_path / "www"
    root.mkdir()

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_update_from_local_server(cli: Any, shared_data: Path, http_root: tuple[Path, str]) -> None:
    root, base = http_root
    (root / "consolidated.xml").write_bytes((shared_data / UN).read_bytes())
    (root / "UK-Sanctions-List.xml").write_bytes((shared_data / UK).read_bytes())
    (root / "broken.xml").write_bytes((shared_data / UN).read_bytes()[:30_000])
    urls = {"un": f"{base}/consolidated.xml", "uk": f"{base}/UK-Sanctions-List.xml",
            "eu": f"{base}/missing.xml"}
    env = {"SANCTRACE_LIST_URLS": json.dumps(urls)}

    first = cli("lists", "update", "--source", "un", "--source", "uk", env=env)
    assert first.exit_code == 0, first.stderr
    assert first.stdout.splitlines() == ["loaded: un:2026-02-27#1 un-consolidated.xml (1003 entries)",
                                         "loaded: uk:2026-09-10#2 uk-UK-Sanctions-List.xml (5 entries)"]
    second = cli("lists", "update", "--source", "un", env=env)
    assert second.stdout.startswith("unchanged: un:2026-02-27#1")

    assert "HTTP 404" in _one_line_error(cli("lists", "update", "--source", "eu", env=env))
    broken = _one_line_error(cli("lists", "update", "--source", "un",
                                 env={"SANCTRACE_LIST_URLS": json.dumps({"un": f"{base}/broken.xml"})}))
    assert f"{base}/broken.xml: line " in broken and "malformed XML" in broken
    capped = cli("lists", "update", "--source", "un", env={**env, "SANCTRACE_MAX_DOWNLOAD_BYTES": "10000"})
    assert "limit" in _one_line_error(capped)
    # a failure in any requested source loads none of them
    assert "HTTP 404" in _one_line_error(cli("lists", "update", "--source", "uk", "--source", "eu", env=env))
    assert [s["snapshot_id"] for s in _json(cli("lists", "snapshots", "--format", "json"))] == [1, 2]


def test_database_from_an_older_or_newer_version(cli: Any, shared_data: Path) -> None:
    import duckdb

    con = duckdb.connect(str(cli.db))  # list_snapshots as an early sanctrace wrote it: no format, no warnings
    con.execute("CREATE TABLE list_snapshots (snapshot_id INTEGER, source VARCHAR, file_name VARCHAR, "
                "file_sha256 VARCHAR, published VARCHAR, loaded_at TIMESTAMP, entry_count INTEGER)")
    con.close()
    loaded = _json(cli("lists", "load", str(shared_data / UK), "--format", "json"))
    assert _json(cli("lists", "snapshots", "--format", "json"))[0]["entry_count"] == loaded[0]["entry_count"]
    first = json.loads(cli("lists", "export").stdout.splitlines()[0])["entity_id"]
    shown = cli("lists", "show", first, "--format", "table")
    assert shown.exit_code == 0 and first in shown.stdout
    con = duckdb.connect(str(cli.db))
    con.execute("INSERT INTO schema_versions VALUES ('lists', 999, current_timestamp)")
    con.close()
    line = _one_line_error(cli("lists", "snapshots", "--format", "json"))
    assert "newer sanctrace" in line and "999" in line
