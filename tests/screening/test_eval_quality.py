"""Quality on the shared evaluation sets, with the issue's targets as assertions.

The name bench runs in the normal suite (seconds); the full SDN + UN sets are ``slow``.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from sanctrace.model.list_entry import EntityKind, ListEntry
from sanctrace.screening import DEFAULT_THRESHOLD, CustomerRecord, Screener, match_names


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_name_bench_f1(shared_data: Path) -> None:
    rows = _rows(shared_data / "sanctions/eval/nomenklatura_name_bench_cases.csv")
    tp = fp = fn = 0
    for row in rows:
        kind = "person" if row["schema"] == "Person" else "organization"
        predicted = match_names(row["name1"], row["name2"], kind)[0] >= DEFAULT_THRESHOLD
        actual = row["is_match"] == "true"
        tp += predicted and actual
        fp += predicted and not actual
        fn += actual and not predicted
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.90, (precision, recall, f1)


def test_cyrillic_and_arabic_cross_script_pairs(shared_data: Path) -> None:
    """watchman's cross-script pairs for the scripts the lists hold (Cyrillic, Arabic)."""
    lines = (shared_data / "sanctions/eval/watchman_cross_script_pairs.csv").read_text(encoding="utf-8")
    pairs = [line.split(",") for line in lines.splitlines() if line and not line.startswith("#")]
    wanted = [(q, e) for q, e, *_ in pairs if any("\u0400" <= c <= "\u04ff" or "\u0600" <= c <= "\u06ff" for c in q)]
    assert len(wanted) == 8
    matched = [q for q, e in wanted if match_names(q, e, "person")[0] >= DEFAULT_THRESHOLD]
    assert len(matched) >= 6, set(q for q, _ in wanted) - set(matched)


@pytest.fixture(scope="module")
def full_screener(shared_data: Path) -> Screener:
    from sanctrace.lists.registry import parse_file

    entries = parse_file(shared_data / "sanctions/us_ofac/advanced_xml/sdn_advanced_2025-11-19.xml.bz2").entries
    entries += parse_file(shared_data / "sanctions/un/UN_consolidated_2026-02-27.xml").entries
    return Screener(entries, "ofac+un")


@pytest.mark.slow
def test_putin_spellings_against_full_lists(full_screener: Screener, shared_data: Path) -> None:
    names = (shared_data / "sanctions/eval/nomenklatura_putin_names.txt").read_text(encoding="utf-8").splitlines()
    found = [n for n in names if "ofac:35096" in
             {m.entity_id for m in full_screener.screen(CustomerRecord("q", n, "person")).matches}]
    assert len(found) >= 75, sorted(set(names) - set(found))


@pytest.mark.slow
def test_un_positives_and_synthetic_negatives(full_screener: Screener, shared_data: Path) -> None:
    base = shared_data / "sanctions/eval"
    untreated = _rows(base / "yente_positives_un_untreated.csv")
    treated = _rows(base / "yente_positives_un_treated.csv")
    names: dict[str, set[str]] = {}
    for entry in full_screener.entries:
        if entry.source == "un":
            for name in entry.names:
                names.setdefault(" ".join(sorted(name.full.lower().replace(",", " ").split())), set()).add(
                    entry.entity_id)
    hits = total = 0
    for u, t in zip(untreated, treated, strict=True):
        want = names.get(" ".join(sorted(u["full_name"].lower().replace(",", " ").split())))
        if not want:
            continue
        total += 1
        record = CustomerRecord("t", t["full_name"], "person", birth_date=t["date_of_birth"],
                                nationality=t["nationality"])
        hits += bool(want & {m.entity_id for m in full_screener.screen(record).matches})
    assert total >= 650
    assert hits / total >= 0.99
    negatives = _rows(base / "yente_synthetic_negatives_global.csv")
    alerts = sum(bool(full_screener.screen(CustomerRecord("n", r["full_name"], "person", birth_date=r["date_of_birth"],
                                                          nationality=r["nationality"])).matches) for r in negatives)
    assert alerts / len(negatives) <= 0.01


def _meti(shared_data: Path) -> dict[str, tuple[float, float]]:
    """Top-1 recall and precision of Japanese METI names screened against the same lists' English
    names: overall and per file (Russia is the tuning set, Belarus and third countries held out)."""
    from sanctrace.lists.registry import parse_file

    pairs, english = [], []
    for path in sorted((shared_data / "sanctions/jp").glob("meti_*.txt")):
        for entry in parse_file(path).entries:
            jp = next((n.full for n in entry.names if n.script == "Jpan"), None)
            latin = [n for n in entry.names if n.script == "Latn"]
            if jp and latin:
                pairs.append((path.name.split("_")[1], entry.entity_id, jp))
                english.append(ListEntry(entry.entity_id, entry.source, entry.source_id, EntityKind.ORGANIZATION,
                                         names=latin))
    screener = Screener(english, "meti")
    counts: dict[str, list[int]] = {}
    for part, entity_id, jp in pairs:
        matches = screener.screen(CustomerRecord("q", jp, "company")).matches
        for key in ("all", part):
            c = counts.setdefault(key, [0, 0, 0])
            c[2] += 1
            if matches:
                c[0] += matches[0].entity_id == entity_id
                c[1] += matches[0].entity_id != entity_id
    return {key: (tp / n, tp / max(1, tp + fp)) for key, (tp, fp, n) in counts.items()}


@pytest.fixture(scope="module")
def meti(shared_data: Path) -> dict[str, tuple[float, float]]:
    return _meti(shared_data)


@pytest.mark.slow
def test_meti_issue_target(meti: dict[str, tuple[float, float]]) -> None:
    """Issue 2: Katakana/Kanji to English recall >= 0.90 at precision >= 0.95 (0.56 at 0.97 before the
    phonetic alignment and the translation glossary)."""
    recall, precision = meti["all"]
    assert recall >= 0.90 and precision >= 0.95, meti


@pytest.mark.slow
def test_meti_per_file_floors(meti: dict[str, tuple[float, float]]) -> None:
    """Floors at the level reached, per file; Belarus (27 names) and third countries (56) were not
    used for tuning."""
    floors = {"russia": (0.92, 0.97), "belarus": (0.70, 0.90), "third": (0.85, 0.95)}
    for part, (min_recall, min_precision) in floors.items():
        recall, precision = meti[part]
        assert recall >= min_recall and precision >= min_precision, (part, recall, precision)
