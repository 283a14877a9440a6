"""Benchmark: loading the full OFAC SDN_ADVANCED.XML (121 MB decompressed) into the store.

Issue 2 asks that the full file "load in well under a minute". Targets: a first load (detect,
stream-parse with lxml iterparse, resolve the reference tables, write one snapshot in one
transaction) ≤ 60 s; a repeated load of the same file (sha256 match, no re-parse) ≤ 5 s.

Baseline, measured in the same run on the same file: the floor any streaming parser pays, one
lxml ``iterparse`` pass over the decompressed document that clears each element and extracts
nothing. The ratio says how much the extraction and the store cost on top of reading the XML.

Prints one JSON document.
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

from lxml import etree

from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.lists import load_paths, parse_file, store_parsed
from sanctrace.lists.sourcefile import open_binary

ROOT = Path(__file__).resolve().parent.parent
SDN = ROOT / "src/sanctrace/data/lists/sdn_advanced_2025-11-19.xml.bz2"
TARGET_LOAD_S = 60.0
TARGET_RELOAD_S = 5.0


def baseline_iterparse(path: Path) -> float:
    started = time.perf_counter()
    with open_binary(path) as stream:
        for _event, element in etree.iterparse(stream, events=("end",), resolve_entities=False,
                                               no_network=True, huge_tree=True):
            element.clear()
    return time.perf_counter() - started


def main() -> None:
    baseline_s = baseline_iterparse(SDN)
    with tempfile.TemporaryDirectory() as tmp:
        engine = DuckDBEngine(Path(tmp) / "bench.duckdb")
        started = time.perf_counter()
        cpu_started = time.process_time()
        parsed = parse_file(SDN)
        parse_s = time.perf_counter() - started
        stored = time.perf_counter()
        (info,) = store_parsed(engine, [parsed])
        store_s = time.perf_counter() - stored
        load_s = time.perf_counter() - started
        load_cpu_s = time.process_time() - cpu_started
        started = time.perf_counter()
        (again,) = load_paths(engine, [SDN])
        reload_s = time.perf_counter() - started
        engine.close()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result = {
        "benchmark": "lists_load",
        "file": SDN.name,
        "entries": info.entry_count,
        "targets": {
            "full_sdn_load_s": {"value": round(load_s, 2), "target": f"<= {TARGET_LOAD_S}",
                                "parse_s": round(parse_s, 2), "store_s": round(store_s, 2),
                                "cpu_s": round(load_cpu_s, 2),  # wall time grows when the 2 cores are shared
                                "baseline": {"name": "lxml iterparse pass, no extraction",
                                             "value_s": round(baseline_s, 2),
                                             "ratio": round(load_s / baseline_s, 2)},
                                "pass": load_s <= TARGET_LOAD_S},
            "same_file_reload_s": {"value": round(reload_s, 2), "target": f"<= {TARGET_RELOAD_S}",
                                   "reused_snapshot": again.reused and again.snapshot_id == info.snapshot_id,
                                   "baseline": {"name": "first load", "value_s": round(load_s, 2)},
                                   "pass": reload_s <= TARGET_RELOAD_S and again.reused},
        },
        "peak_rss_mib": round(peak_mib, 1),
    }
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
