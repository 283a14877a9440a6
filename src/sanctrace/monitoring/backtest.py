"""Backtest a rule set over a past period: alert counts per rule and, with labels, precision/recall.

A backtest runs exactly the SQL a live run would (same compiled rules, same signal tables) but
records nothing, so thresholds can be tuned on history before a rule pack is deployed.

Labels are a CSV with ``label`` (1/0, true/false, yes/no), optionally ``rule_id``, and either
``event_id`` (event level: was this event suspicious?) or ``subject_id`` (subject level: is this
customer, account or address one the rules should catch? — how investigators usually label). A
labelled-true id is a known positive (for that rule, or for every rule when ``rule_id`` is empty);
everything else counts as negative. Precision is TP / flagged, recall is TP / positives (event
labels: positives within the period); ``any_rule`` scores the set as a whole.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sanctrace.engine.base import Engine
from sanctrace.errors import InputError
from sanctrace.monitoring.rules.evaluate import Hit, prepare, run_ruleset
from sanctrace.monitoring.rules.ruleset import RuleSet

_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}


@dataclass(frozen=True, slots=True)
class Label:
    key: str  # an event id or a subject id, per ``level``
    positive: bool
    rule_id: str | None
    level: str = "event"  # "event" or "subject"


def read_labels(path: str | Path) -> list[Label]:
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError.at(source, None, f"cannot open: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise InputError.at(source, f"byte {exc.start}", "not UTF-8 text") from None
    reader = csv.DictReader(text.splitlines(keepends=True))
    header = set(reader.fieldnames or [])
    ids = [c for c in ("event_id", "subject_id") if c in header]
    if "label" not in header or len(ids) != 1:
        raise InputError.at(source, "line 1", "labels need the column label and exactly one of event_id or "
                            "subject_id (rule_id optional)")
    column = ids[0]
    level = "event" if column == "event_id" else "subject"
    labels: list[Label] = []
    seen: dict[tuple[str, str | None], tuple[bool, int]] = {}
    width = len(reader.fieldnames or [])
    try:
        for row in reader:
            where = f"line {reader.line_num}"
            extra = row.pop(None, None)  # DictReader puts surplus values under None, fills short rows with None
            missing = sum(value is None for value in row.values())
            if extra or missing:
                raise InputError.at(source, where, f"{width - missing + len(extra or [])} fields, header has {width}")
            key = (row.get(column) or "").strip()
            raw = (row.get("label") or "").strip().lower()
            if not key:
                raise InputError.at(source, where, f"{column} is empty")
            if raw not in _TRUE | _FALSE:
                raise InputError.at(source, where, f"label {raw!r} is not 1/0, true/false or yes/no")
            rule_id = (row.get("rule_id") or "").strip() or None
            earlier = seen.get((key, rule_id))
            if earlier is not None and earlier[0] != (raw in _TRUE):
                raise InputError.at(source, where, f"{column} {key!r} is labelled both ways (also at line "
                                    f"{earlier[1]})")
            seen.setdefault((key, rule_id), (raw in _TRUE, reader.line_num))
            labels.append(Label(key, raw in _TRUE, rule_id, level))
    except csv.Error as exc:
        raise InputError.at(source, f"line {reader.line_num}", f"bad CSV: {exc}") from None
    return labels


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _events_in(engine: Engine, start: datetime | None, end: datetime | None) -> set[str]:
    conds, params = [], []
    if start is not None:
        conds.append("ts >= ?")
        params.append(start)
    if end is not None:
        conds.append("ts < ?")
        params.append(end)
    where = f" WHERE {' AND '.join(conds)}" if conds else ""
    return {r[0] for r in engine.query(f"SELECT event_id FROM ledger_events{where}", params)}


def _flagged(hits: list[Hit], level: str) -> set[str]:
    return {str(h.event["event_id"]) if level == "event" else h.subject[1] for h in hits}


def backtest(engine: Engine, ruleset: RuleSet, start: datetime | None, end: datetime | None,
             labels: list[Label] | None = None) -> dict[str, Any]:
    prepare(engine)
    hits = run_ruleset(engine, ruleset, start, end)
    by_rule: dict[str, list[Hit]] = {}
    for hit in hits:
        by_rule.setdefault(hit.rule.id, []).append(hit)
    in_period = _events_in(engine, start, end)
    result: dict[str, Any] = {
        "ruleset": ruleset.name, "version": ruleset.version,
        "from": start.isoformat() if start else None, "to": end.isoformat() if end else None,
        "events_in_period": len(in_period), "alerts": len(hits), "rules": [],
    }
    level = labels[0].level if labels else "event"
    general_pos: set[str] = set()
    rule_pos: dict[str, set[str]] = {}
    if labels is not None:
        result["label_level"] = level
        for lab in labels:
            if lab.positive and (level == "subject" or lab.key in in_period):
                (rule_pos.setdefault(lab.rule_id, set()) if lab.rule_id else general_pos).add(lab.key)
    for rule in ruleset.rules:
        if not rule.enabled:
            continue
        rule_hits = by_rule.get(rule.id, [])
        row: dict[str, Any] = {
            "rule_id": rule.id, "version": rule.version, "severity": rule.severity, "alerts": len(rule_hits),
            "subjects": len({h.subject for h in rule_hits}),
        }
        if labels is not None:
            flagged = _flagged(rule_hits, level)
            positives = general_pos | rule_pos.get(rule.id, set())
            tp = len(flagged & positives)
            row.update(true_positives=tp, false_positives=len(flagged) - tp, false_negatives=len(positives) - tp,
                       precision=_ratio(tp, len(flagged)), recall=_ratio(tp, len(positives)))
        result["rules"].append(row)
    if labels is not None:
        positives = general_pos | {e for s in rule_pos.values() for e in s}
        flagged = _flagged(hits, level)
        tp = len(flagged & positives)
        result["any_rule"] = {
            "flagged": len(flagged), "positives": len(positives), "true_positives": tp,
            "precision": _ratio(tp, len(flagged)), "recall": _ratio(tp, len(positives)),
        }
    return result
