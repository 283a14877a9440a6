"""Screening quality and speed, side by side with the baselines, printed as one JSON document.

Runs in one process on the evaluation sets in ``../shared/data/sanctions/eval`` and the METI
Japanese–English lists: sanctrace, nomenklatura's logic-v2 and logic-v1 (installed, offline) and a
plain rapidfuzz token-sort baseline. Targets (issue 2, "Quality and speed"):

* nomenklatura name bench (826 pairs): F1 >= 0.90 (logic-v2: 0.796 at 0.7)
* 81 real spellings of Putin: >= 75 matched (logic-v2: 56)
* UN treated vs untreated: recall >= 0.99; <= 1 % of 1,000 synthetic negatives alerting, full SDN + UN
* METI Katakana/Kanji <-> English: recall >= 0.90 at precision >= 0.95
* full SDN + UN: >= 1,000 names/s batch, single-query p99 <= 20 ms, index memory <= 1 GiB

* Japanese organisation queries (METI Japanese names): compiled Katakana alignment faster than the
  plain-Python one timed in the same run, with identical results and METI numbers unchanged

Run: ``.venv/bin/python benchmarks/screening.py`` (about 5-10 minutes on 2 cores);
``.venv/bin/python benchmarks/screening.py japanese`` runs only the Japanese latency section.
"""

from __future__ import annotations

import csv
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("SANCTRACE_SHARED_DATA", ROOT.parent / "shared" / "data")) / "sanctions"
EVAL = DATA / "eval"
PUTIN_ID = "ofac:35096"
RF_CUT = 85  # rapidfuzz token_sort_ratio threshold (0-100)
NK_CUT = 0.7  # nomenklatura's own default threshold

sys.path.insert(0, str(ROOT / "src"))

from rapidfuzz import fuzz, process, utils  # noqa: E402

from sanctrace.lists.registry import parse_file  # noqa: E402
from sanctrace.model.list_entry import EntityKind, ListEntry  # noqa: E402
from sanctrace.screening import DEFAULT_THRESHOLD, CustomerRecord, Screener, match_names  # noqa: E402
from sanctrace.screening.translit import script_of  # noqa: E402


def prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


def _rows(name: str) -> list[dict[str, str]]:
    with (EVAL / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# --- matchers on pairs ------------------------------------------------------------------------

def _nk() -> tuple[Any, Any, Any, Any]:
    from followthemoney import model
    from nomenklatura.matching import LogicV1, LogicV2
    from nomenklatura.matching.types import ScoringConfig

    return model, LogicV1, LogicV2, ScoringConfig


def nk_scorer(algorithm: str) -> Callable[[str, list[str], str], float]:
    model, v1, v2, scoring_config = _nk()
    algo = v2 if algorithm == "v2" else v1
    config = scoring_config(weights={}, config={k: v.default for k, v in algo.CONFIG.items()})

    counter = iter(range(1 << 62))

    def make(schema: str, names: list[str]) -> Any:
        entity = model.make_entity(schema)
        entity.id = f"e{next(counter)}"  # nomenklatura caches comparisons by entity id
        for name in names:
            entity.add("name", name)
        return entity

    def score(query: str, names: list[str], schema: str) -> float:
        return float(algo.compare(make(schema, [query]), make(schema, names), config).score)

    return score


def sanctrace_pair(query: str, names: list[str], schema: str) -> float:
    kind = "person" if schema == "Person" else "organization"
    return max(match_names(query, name, kind)[0] for name in names)


def rapidfuzz_pair(query: str, names: list[str], schema: str) -> float:
    return max(fuzz.token_sort_ratio(query, n, processor=utils.default_process) / 100 for n in names)


# --- evaluation sets ----------------------------------------------------------------------------

def name_bench(scorers: dict[str, tuple[Callable[[str, list[str], str], float], float]]) -> dict[str, Any]:
    rows = _rows("nomenklatura_name_bench_cases.csv")
    out: dict[str, Any] = {"pairs": len(rows)}
    for label, (scorer, threshold) in scorers.items():
        started = time.perf_counter()
        counts: dict[str, list[int]] = {}
        for row in rows:
            value = scorer(row["name1"], [row["name2"]], row["schema"])
            predicted, actual = value >= threshold, row["is_match"] == "true"
            scripts = {script_of(row["name1"]), script_of(row["name2"])} - {"Zyyy"}
            script = "Latn" if scripts == {"Latn"} else "+".join(sorted(scripts - {"Latn"})) or "Latn"
            for key in ("all", f"schema:{row['schema']}", f"script:{script}", f"group:{row['case_group']}"):
                c = counts.setdefault(key, [0, 0, 0])
                c[0] += predicted and actual
                c[1] += predicted and not actual
                c[2] += actual and not predicted
        result = {key: prf(*c) for key, c in sorted(counts.items())}
        result["threshold"] = threshold
        result["seconds"] = round(time.perf_counter() - started, 2)
        out[label] = result
    return out


def putin(screener: Screener, putin_entry: ListEntry,
          scorers: dict[str, tuple[Callable[[str, list[str], str], float], float]]) -> dict[str, Any]:
    names = [n for n in (EVAL / "nomenklatura_putin_names.txt").read_text(encoding="utf-8").splitlines() if n]
    entry_names = [n.full for n in putin_entry.names]
    out: dict[str, Any] = {"spellings": len(names)}
    found = [n for n in names
             if PUTIN_ID in {m.entity_id for m in screener.screen(CustomerRecord("q", n, "person")).matches}]
    out["sanctrace_full_index"] = {"matched": len(found), "missed": sorted(set(names) - set(found))}
    for label, (scorer, threshold) in scorers.items():
        out[f"{label}_pairwise"] = {"matched": sum(scorer(n, entry_names, "Person") >= threshold for n in names)}
    return out


def un_and_negatives(screener: Screener, entries: list[ListEntry],
                     nk_v2: Callable[[str, list[str], str], float]) -> dict[str, Any]:
    untreated = _rows("yente_positives_un_untreated.csv")
    treated = _rows("yente_positives_un_treated.csv")
    negatives = _rows("yente_synthetic_negatives_global.csv")
    negatives_us = _rows("yente_synthetic_negatives_us.csv")
    # The target of each positive: the UN entries carrying the untreated name.
    by_name: dict[str, set[str]] = {}
    for entry in entries:
        if entry.source == "un":
            for name in entry.names:
                by_name.setdefault(" ".join(sorted(utils.default_process(name.full).split())), set()).add(
                    entry.entity_id)

    def target(row: dict[str, str]) -> set[str]:
        return by_name.get(" ".join(sorted(utils.default_process(row["full_name"]).split())), set())

    def record(row: dict[str, str], evidence: bool) -> CustomerRecord:
        return CustomerRecord("q", row["full_name"], "person",
                              birth_date=row.get("date_of_birth") if evidence else None,
                              nationality=row.get("nationality") if evidence else None)

    out: dict[str, Any] = {"positives": len(treated),
                           "positives_with_un_target": sum(bool(target(r)) for r in untreated)}
    for evidence in (False, True):
        tag = "name_and_evidence" if evidence else "name_only"
        hits_u = hits_t = 0
        scored = 0
        for row_u, row_t in zip(untreated, treated, strict=True):
            want = target(row_u)
            if not want:
                continue  # the name is not on this UN file (the set is older than the list)
            scored += 1
            got_u = {m.entity_id for m in screener.screen(record(row_u, evidence)).matches}
            hits_u += bool(want & got_u)
            hits_t += bool(want & {m.entity_id for m in screener.screen(record(row_t, evidence)).matches})
        alerts = sum(bool(screener.screen(record(r, evidence)).matches) for r in negatives)
        alerts_us = sum(bool(screener.screen(record(r, evidence)).matches) for r in negatives_us)
        out[f"sanctrace_{tag}"] = {
            "recall_untreated": round(hits_u / scored, 4), "recall_treated": round(hits_t / scored, 4),
            "negatives_global_alert_rate": round(alerts / len(negatives), 4),
            "negatives_us_alert_rate": round(alerts_us / len(negatives_us), 4),
        }
    # rapidfuzz token-sort over every list name (brute force in C++).
    choices = [utils.default_process(n.full) for e in entries for n in e.names]
    owners = [e.entity_id for e in entries for _ in e.names]
    queries = [utils.default_process(r["full_name"]) for r in treated + negatives]
    matrix = process.cdist(queries, choices, scorer=fuzz.token_sort_ratio, workers=-1, score_cutoff=RF_CUT,
                           dtype="uint8")
    with_target = [i for i, u in enumerate(untreated) if target(u)]
    hits = sum(bool(target(untreated[i]) & {owners[j] for j in matrix[i].nonzero()[0]}) for i in with_target)
    alerts = int((matrix[len(treated):].max(axis=1) >= RF_CUT).sum())
    out["rapidfuzz_token_sort_full_index"] = {"threshold": RF_CUT / 100,
                                              "recall_treated": round(hits / len(with_target), 4),
                                              "negatives_global_alert_rate": round(alerts / len(negatives), 4)}
    # logic-v2 has no index of its own: treated vs untreated pairwise recall only.
    v2_hits = sum(nk_v2(t["full_name"], [u["full_name"]], "Person") >= NK_CUT for u, t in zip(untreated, treated,
                                                                                               strict=True))
    out["logic_v2_pairwise"] = {"threshold": NK_CUT, "recall_treated": round(v2_hits / len(treated), 4)}
    return out


def meti_queries() -> tuple[list[tuple[str, str, str, list[str]]], list[ListEntry]]:
    """The METI end-user lists as a retrieval task: (file part, entity id, Japanese name, English
    names) per entry that has both, and the English names alone as the list to search. The part
    (russia, belarus, third countries) matters: russia is the tuning set, the others held out."""
    queries: list[tuple[str, str, str, list[str]]] = []
    english: list[ListEntry] = []
    for path in sorted((DATA / "jp").glob("meti_*.txt")):
        for entry in parse_file(path).entries:
            jp = next((n.full for n in entry.names if n.script == "Jpan"), None)
            latin = [n for n in entry.names if n.script == "Latn"]
            if jp and latin:
                queries.append((path.name.split("_")[1], entry.entity_id, jp, [n.full for n in latin]))
                english.append(ListEntry(entry.entity_id, entry.source, entry.source_id, EntityKind.ORGANIZATION,
                                         names=latin))
    return queries, english


def tally_top1(counts: dict[str, list[int]], keys: tuple[str, ...], top: str | None, truth: str) -> None:
    """Count a top-1 answer as [tp, fp, fn] under each key (a wrong answer is both fp and fn)."""
    for key in keys:
        c = counts.setdefault(key, [0, 0, 0])
        c[0] += top == truth
        c[1] += top is not None and top != truth
        c[2] += top != truth


def meti(scorers: dict[str, tuple[Callable[[str, list[str], str], float], float]]) -> dict[str, Any]:
    queries, english_only = meti_queries()
    pairs = [(entity_id, jp, en) for _part, entity_id, jp, en in queries]
    screener = Screener(english_only, "meti")
    counts: dict[str, list[int]] = {}
    for part, entity_id, jp, _en in queries:
        kana = sum("\u30a0" <= c <= "\u30ff" or "\uff66" <= c <= "\uff9f" for c in jp)
        kanji = sum("\u4e00" <= c <= "\u9fff" for c in jp)
        subset = "katakana" if kana >= kanji else "kanji"
        matches = screener.screen(CustomerRecord("q", jp, "company")).matches
        tally_top1(counts, ("all", subset, f"file:{part}"), matches[0].entity_id if matches else None, entity_id)
    out: dict[str, Any] = {"pairs": len(pairs), "sanctrace_retrieval": {k: prf(*v) for k, v in counts.items()}}
    # Pairwise for everyone: the true pair, and the next entity's English name as a negative.
    for label, (scorer, threshold) in scorers.items():
        tp = sum(scorer(jp, en, "Company") >= threshold for _, jp, en in pairs)
        fp = sum(scorer(pairs[i][1], pairs[(i + 1) % len(pairs)][2], "Company") >= threshold
                 for i in range(len(pairs)))
        out[f"{label}_pairwise"] = prf(tp, fp, len(pairs) - tp)
    return out


def speed(screener: Screener) -> dict[str, Any]:
    queries: list[str] = []
    for name in ("yente_synthetic_negatives_global.csv", "yente_positives_un_treated.csv",
                 "yente_synthetic_negatives_us.csv"):
        queries.extend(r["full_name"] for r in _rows(name))
    records = [CustomerRecord(str(i), q, "person") for i, q in enumerate(queries)]
    for record in records[:50]:
        screener.screen(record)  # warm the caches the way a running service has them
    wall, cpu = time.perf_counter(), time.process_time()
    list(screener.screen_many(records))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    wall2 = time.perf_counter()
    list(screener.screen_many(records, workers=2))
    wall2 = time.perf_counter() - wall2
    latencies: list[float] = []
    cpu_latencies: list[float] = []
    for record in records[::3]:
        started, started_cpu = time.perf_counter(), time.thread_time()
        screener.screen(CustomerRecord(record.id, record.name + " ", "unknown"))
        latencies.append((time.perf_counter() - started) * 1000)
        cpu_latencies.append((time.thread_time() - started_cpu) * 1000)
    latencies.sort()
    cpu_latencies.sort()
    p99 = int(len(latencies) * 0.99) - 1
    return {
        "names": len(records), "batch_names_per_s_wall": round(len(records) / wall, 1),
        "batch_names_per_s_cpu": round(len(records) / cpu, 1),
        "batch_names_per_s_wall_2_workers": round(len(records) / wall2, 1),
        "single_query_ms_p50": round(statistics.median(latencies), 2),
        "single_query_ms_p99": round(latencies[p99], 2),
        "single_query_cpu_ms_p99": round(cpu_latencies[p99], 2),
        "load_average_1min": os.getloadavg()[0], "cpus": os.cpu_count(),
    }


# --- Japanese organisation queries: compiled vs plain-Python Katakana alignment ----------------

# This section run on this machine against align.py and kana_match.py of commit 0287120 (before
# the compiled alignment and the in-place span search; both paths were the old Python code there,
# numbers averaged over the two): for comparison, not re-run here. Results were identical.
JAPANESE_BEFORE = {"cpu_ms_mean": 26.2, "wall_ms_p50": 21.1, "wall_ms_p99": 104.9}


def _clear_screening_caches() -> None:
    """Empty every memo of the screening modules (token pairs, phones, parses), so each timed run
    starts cold; the compiled kernel and its substitution matrix stay (built once per process)."""
    keep = {"_kernel", "_substitution_matrix"}
    for name, module in list(sys.modules.items()):
        if name.startswith("sanctrace.screening."):
            for attr, value in vars(module).items():
                if attr not in keep and callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def japanese_latency(lists: Screener | None = None, rounds: int = 2) -> dict[str, Any]:
    """Every METI Japanese name screened as a company against the METI English names (or against
    ``lists``, e.g. the full SDN + UN index, where they are mostly absent), timed with the compiled
    alignment and with the plain-Python one (``kana_match._reference_similarity``, memoised as the
    old function was) in alternating rounds in this process. The complete results (entity, score,
    features of every match) must be identical between the two."""
    import functools

    from sanctrace.screening import align, kana_match

    queries, english = meti_queries()
    screener = Screener(english, "meti") if lists is None else lists
    compiled = kana_match.kana_latin_similarity
    python = functools.lru_cache(maxsize=1 << 16)(kana_match._reference_similarity)
    paths = {"compiled": compiled, "python": python}
    cpu: dict[str, list[float]] = {label: [] for label in paths}
    wall: dict[str, list[float]] = {label: [] for label in paths}
    results: dict[str, list[list[tuple[str, float, dict[str, float]]]]] = {}
    try:
        for _round in range(rounds):
            for label in ("python", "compiled"):
                align.kana_latin_similarity = paths[label]  # type: ignore[attr-defined]  # align calls this name
                _clear_screening_caches()
                python.cache_clear()
                screener.screen(CustomerRecord("w", "株式会社キドマテック", "company"))  # kernel loaded
                run = []
                for _part, _entity_id, jp, _en in queries:
                    started, started_cpu = time.perf_counter(), time.thread_time()
                    matches = screener.screen(CustomerRecord("q", jp, "company")).matches
                    cpu[label].append((time.thread_time() - started_cpu) * 1000)
                    wall[label].append((time.perf_counter() - started) * 1000)
                    run.append([(m.entity_id, m.score, m.features) for m in matches])
                if results.setdefault(label, run) != run:
                    raise AssertionError(f"{label}: results differ between rounds")
    finally:
        align.kana_latin_similarity = compiled  # type: ignore[attr-defined]
    counts: dict[str, list[int]] = {}
    for (part, entity_id, _jp, _en), found in zip(queries, results["compiled"], strict=True):
        tally_top1(counts, ("all", f"file:{part}"), found[0][0] if found else None, entity_id)

    def stats(label: str) -> dict[str, float]:
        ordered = sorted(wall[label])
        return {"cpu_ms_mean": round(statistics.mean(cpu[label]), 2),
                "wall_ms_p50": round(statistics.median(ordered), 2),
                "wall_ms_p99": round(ordered[int(len(ordered) * 0.99) - 1], 2),
                "wall_ms_max": round(ordered[-1], 2)}

    out: dict[str, Any] = {
        "queries": len(queries), "rounds": rounds, "list_names": screener.name_count,
        "compiled": stats("compiled"), "python_alignment": stats("python"),
        "identical_results": results["compiled"] == results["python"],
        "load_average_1min": os.getloadavg()[0],
    }
    if lists is None:
        out["before_this_work"] = JAPANESE_BEFORE
        out["meti_retrieval"] = {k: prf(*v) for k, v in sorted(counts.items())}
    return out


def japanese_targets(jl: dict[str, Any]) -> dict[str, Any]:
    fast, slow = jl["compiled"], jl["python_alignment"]
    meti_all = jl["meti_retrieval"]["all"]
    return {
        "japanese_org_query_cpu_ms": {
            "value": fast["cpu_ms_mean"], "target": "below the plain-Python alignment, results identical",
            "baseline_python_alignment": slow["cpu_ms_mean"],
            "before_this_work": JAPANESE_BEFORE["cpu_ms_mean"],
            "wall_ms_p50": fast["wall_ms_p50"], "wall_ms_p99": fast["wall_ms_p99"],
            "baseline_wall_ms_p50": slow["wall_ms_p50"], "baseline_wall_ms_p99": slow["wall_ms_p99"],
            "pass": fast["cpu_ms_mean"] < slow["cpu_ms_mean"] and jl["identical_results"]},
        "japanese_org_query_p99_ms": {
            "value": fast["wall_ms_p99"], "target": "<= 20 (the issue's single-query target, set for Latin names)",
            "baseline_python_alignment": slow["wall_ms_p99"], "pass": fast["wall_ms_p99"] <= 20},
        "meti_unchanged": {
            "value": {"recall": meti_all["recall"], "precision": meti_all["precision"]},
            "target": "recall 0.9193 at precision 0.9818 as before (per file 0.934/0.983, 0.704/0.950, 0.875/0.980)",
            "per_file": {k: {"recall": v["recall"], "precision": v["precision"]}
                         for k, v in jl["meti_retrieval"].items() if k.startswith("file:")},
            "pass": jl["identical_results"] and (meti_all["recall"], meti_all["precision"]) == (0.9193, 0.9818)},
    }


def main() -> None:
    started = time.perf_counter()
    entries = parse_file(DATA / "us_ofac/advanced_xml/sdn_advanced_2025-11-19.xml.bz2").entries
    entries += parse_file(DATA / "un/UN_consolidated_2026-02-27.xml").entries
    before = rss_bytes()
    build, build_cpu = time.perf_counter(), time.process_time()
    screener = Screener(entries, "ofac:2025-11-19,un:2026-02-27")
    build, build_cpu = time.perf_counter() - build, time.process_time() - build_cpu
    index_rss = rss_bytes() - before
    v2, v1 = nk_scorer("v2"), nk_scorer("v1")
    pair_scorers = {
        "sanctrace": (sanctrace_pair, DEFAULT_THRESHOLD),
        "logic_v2": (v2, NK_CUT),
        "logic_v1": (v1, NK_CUT),
        "rapidfuzz_token_sort": (rapidfuzz_pair, RF_CUT / 100),
    }
    putin_entry = next(e for e in entries if e.entity_id == PUTIN_ID)
    report: dict[str, Any] = {
        "list": {"entries": len(entries), "names_indexed": screener.name_count, "build_seconds": round(build, 2),
                 "build_cpu_seconds": round(build_cpu, 2),
                 "index_arrays_bytes": screener.index.nbytes, "screener_rss_bytes": index_rss},
        "threshold": DEFAULT_THRESHOLD,
        "name_bench": name_bench(pair_scorers),
        "putin": putin(screener, putin_entry, pair_scorers),
        "un": un_and_negatives(screener, entries, v2),
        "meti": meti(pair_scorers),
        "speed": speed(screener),
        "japanese_latency": japanese_latency(),
        "japanese_latency_full_lists": japanese_latency(screener, rounds=1),
    }
    nb, pu, un, me, sp = (report["name_bench"], report["putin"], report["un"], report["meti"], report["speed"])
    un_best = un["sanctrace_name_only"]
    un_ev = un["sanctrace_name_and_evidence"]
    meti_all = me["sanctrace_retrieval"]["all"]
    report["targets"] = {
        "name_bench_f1": {"value": nb["sanctrace"]["all"]["f1"], "target": ">= 0.90",
                          "baseline_logic_v2": nb["logic_v2"]["all"]["f1"],
                          "pass": nb["sanctrace"]["all"]["f1"] >= 0.90},
        "putin_spellings": {"value": pu["sanctrace_full_index"]["matched"], "target": ">= 75",
                            "baseline_logic_v2": pu["logic_v2_pairwise"]["matched"],
                            "pass": pu["sanctrace_full_index"]["matched"] >= 75},
        "un_treated_recall": {"value": un_ev["recall_treated"], "name_only": un_best["recall_treated"],
                              "target": ">= 0.99",
                              "baseline_rapidfuzz": un["rapidfuzz_token_sort_full_index"]["recall_treated"],
                              "pass": un_ev["recall_treated"] >= 0.99},
        "negatives_alert_rate": {"value": un_ev["negatives_global_alert_rate"], "target": "<= 0.01",
                                 "scored_on": "name, birth date and nationality as the file gives them",
                                 "name_only": un_best["negatives_global_alert_rate"],
                                 "baseline_rapidfuzz":
                                     un["rapidfuzz_token_sort_full_index"]["negatives_global_alert_rate"],
                                 "pass": un_ev["negatives_global_alert_rate"] <= 0.01},
        "meti_recall_at_precision": {"value": {"recall": meti_all["recall"], "precision": meti_all["precision"]},
                                     "target": "recall >= 0.90 at precision >= 0.95",
                                     "per_file": {k: {"recall": v["recall"], "precision": v["precision"]}
                                                  for k, v in me["sanctrace_retrieval"].items()
                                                  if k.startswith("file:")},
                                     "held_out": ["file:belarus", "file:third"],
                                     "before_this_work": {"recall": 0.5621, "precision": 0.9705},
                                     "baseline_logic_v2": me["logic_v2_pairwise"],
                                     "pass": meti_all["recall"] >= 0.90 and meti_all["precision"] >= 0.95},
        "batch_names_per_s": {"value": max(sp["batch_names_per_s_wall"], sp["batch_names_per_s_wall_2_workers"]),
                              "per_cpu_second": sp["batch_names_per_s_cpu"], "target": ">= 1000",
                              "baseline_yente_logic_v2": "~4 req/s per vCPU (published)",
                              "note": "wall-clock numbers depend on the other jobs sharing the 2 cores",
                              "pass": max(sp["batch_names_per_s_wall"],
                                          sp["batch_names_per_s_wall_2_workers"]) >= 1000},
        "single_query_p99_ms": {"value": sp["single_query_ms_p99"], "cpu_time_p99_ms": sp["single_query_cpu_ms_p99"],
                                "target": "<= 20", "baseline_watchman": "0.85 ms/search in Go (published)",
                                "pass": sp["single_query_ms_p99"] <= 20},
        "index_memory_bytes": {"value": index_rss, "target": "<= 1 GiB", "pass": index_rss <= 1 << 30},
    }
    report["targets"].update(japanese_targets(report["japanese_latency"]))
    full = report["japanese_latency_full_lists"]
    report["targets"]["japanese_org_query_cpu_ms_full_lists"] = {
        "value": full["compiled"]["cpu_ms_mean"], "target": "below the plain-Python alignment, results identical",
        "baseline_python_alignment": full["python_alignment"]["cpu_ms_mean"],
        "wall_ms_p50": full["compiled"]["wall_ms_p50"], "wall_ms_p99": full["compiled"]["wall_ms_p99"],
        "baseline_wall_ms_p50": full["python_alignment"]["wall_ms_p50"],
        "baseline_wall_ms_p99": full["python_alignment"]["wall_ms_p99"],
        "pass": full["compiled"]["cpu_ms_mean"] < full["python_alignment"]["cpu_ms_mean"] and full["identical_results"]}
    report["seconds"] = round(time.perf_counter() - started, 1)
    json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def main_japanese() -> None:
    """``benchmarks/screening.py japanese``: only the Japanese latency section (about a minute)."""
    started = time.perf_counter()
    report: dict[str, Any] = {"japanese_latency": japanese_latency()}
    report["targets"] = japanese_targets(report["japanese_latency"])
    report["seconds"] = round(time.perf_counter() - started, 1)
    json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    if sys.argv[1:] == ["japanese"]:
        main_japanese()
    else:
        main()
