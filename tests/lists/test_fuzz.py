"""Damaged copies of real list files fail as ListSourceError (or parse), never as a crash.

Each real file is cut at many points and has bytes overwritten; whatever comes out, the parser
must either return entries or raise the one user-facing error, which the CLI prints as one line.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from sanctrace.errors import ListSourceError
from sanctrace.lists import parse_paths
from tests.lists.conftest import write_advanced

FILES = [
    "sanctions/uk/UK_Sanctions_List_excerpt_2026-09-10.xml",
    "sanctions/eu/eu_fsf_excerpt_2026-08-05.xml",
    "sanctions/ftm/opensanctions_eu_fsf_sample.ftm.jsonl",
    "sanctions/jp/meti_belarus_export_ban_entities.txt",
    "sanctions/us_ofac/legacy_csv_2025-12-24/sdn_comments.csv",
    "ofac-advanced-fixture",
]
JUNK = [b"<", b"\x00", b"\xff\xfe", b'"', b",", b"&lol;", b"\n", b"}", "ア".encode()]


def _attempt(path: Path, companions: list[Path]) -> None:
    try:
        parse_paths([path, *companions])
    except ListSourceError as exc:
        assert str(exc)  # a message a user can read
        assert "\n" not in str(exc).strip()


@pytest.mark.parametrize("name", FILES)
def test_damaged_files_fail_cleanly(name: str, shared_data: Path, tmp_path: Path) -> None:
    source = write_advanced(tmp_path / "sdn_advanced.xml") if name == "ofac-advanced-fixture" else shared_data / name
    data = source.read_bytes()
    rng = random.Random(name)
    companions: list[Path] = []
    target_name = source.name
    if name.endswith("sdn_comments.csv"):  # companions need their sdn.csv
        sdn = tmp_path / "sdn.csv"
        sdn.write_text('17016,"SBERBANK",-0- ,"RUSSIA-EO14024",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"Listing"\n')
        companions = [sdn]
    for attempt in range(25):
        damaged = bytearray(data[: rng.randrange(1, len(data))] if attempt % 2 == 0 else data)
        for _ in range(attempt % 4):
            at = rng.randrange(len(damaged))
            junk = rng.choice(JUNK)
            damaged[at: at + len(junk)] = junk
        path = tmp_path / f"{attempt}" / target_name
        path.parent.mkdir()
        path.write_bytes(bytes(damaged))
        _attempt(path, companions)
