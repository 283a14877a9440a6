"""Detection quality of the whole pipeline against the demo world's ground truth (issue 7).

Generates a world (default: small, seed 7), runs every stage of ``sanctrace run`` in-process on a
fresh DuckDB file, and scores, per planted scheme, the recall and precision of the customers
flagged *for that scheme's reason*, plus case-level precision (cases whose subject is planted in
any scheme). Prints one JSON document. Targets: recall >= 0.95 on every scheme, case precision >= 0.8;
the medium world (>= 1M transactions, >= 100k customers) within 15 minutes.

    python benchmarks/detection.py [--size small|medium|large] [--seed 7] [--keep DIR]
                                   [--world DIR] [--engine duckdb|spark]

``--world`` scores an already generated world (``sanctrace demo generate``) instead of generating one;
``--engine spark`` runs the chain-scale stages on Spark, as ``sanctrace --engine spark run`` does.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sanctrace.config import Settings
from sanctrace.demo.generate import generate_world
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.pipeline.runner import StageContext, run_stages
from sanctrace.pipeline.stages import STAGES

# Which alerts count as detecting each scheme, and the signal that must explain them.
SCHEME_RULES: dict[str, tuple[tuple[str, ...], str | None]] = {
    "mining_derived_deposits": (("RU-MINING-EXPOSURE",), None),
    "sanctioned_wallet_exposure": (("SANCTIONED-EXPOSURE",), None),
    "shell_blocked_50pct": (("LISTED-OR-BLOCKED-CUSTOMER",), "ownership_blocked"),
    "listed_customer": (("LISTED-OR-BLOCKED-CUSTOMER", "SCREENING-POTENTIAL-MATCH"), "screening_hit"),
    "nominee_network": (("SHARED-DEVICE-OR-IP",), None),
    "structuring": (("STRUCTURING",), None),
    "pass_through": (("PASS-THROUGH",), None),
    "russian_nexus_customers": (("RUSSIA-NEXUS",), "russia_nexus"),
}


def flagged_customers(engine: DuckDBEngine) -> dict[str, set[str]]:
    """rule id -> customers with an alert of that rule (account subjects mapped to their customer)."""
    rows = engine.query(
        """SELECT a.rule_id, coalesce(l.customer_id, a.subject_id)
           FROM alerts a LEFT JOIN ledger_accounts l ON a.subject_type = 'account' AND l.account_id = a.subject_id""")
    out: dict[str, set[str]] = {}
    for rule, customer in rows:
        out.setdefault(rule, set()).add(customer)
    return out


def signal_true(engine: DuckDBEngine, column: str) -> set[str]:
    return {r[0] for r in engine.query(f"SELECT customer_id FROM signal_customers WHERE coalesce({column}, false)")}


def score(engine: DuckDBEngine, truth: dict[str, Any]) -> dict[str, Any]:
    by_rule = flagged_customers(engine)
    schemes: dict[str, Any] = {}
    for scheme, spec in truth["schemes"].items():
        rules, signal = SCHEME_RULES.get(scheme, ((), None))
        flagged = set().union(*(by_rule.get(r, set()) for r in rules)) if rules else set()
        if signal:
            flagged &= signal_true(engine, signal)
        subjects = set(spec["subjects"])
        tp = len(subjects & flagged)
        schemes[scheme] = {
            "subjects": len(subjects), "flagged": len(flagged), "true_positives": tp,
            "recall": round(tp / len(subjects), 4) if subjects else None,
            "precision": round(tp / len(flagged), 4) if flagged else None,
            "missed": sorted(subjects - flagged)[:10], "extra": sorted(flagged - subjects)[:10],
            "pass": bool(subjects) and tp / len(subjects) >= 0.95,
        }
    planted = set().union(*(set(s["subjects"]) for s in truth["schemes"].values()))
    cases = engine.query(
        """SELECT c.case_id, coalesce(l.customer_id, c.subject_id) FROM cases c
           LEFT JOIN ledger_accounts l ON c.subject_type = 'account' AND l.account_id = c.subject_id""")
    good = sum(1 for _, subject in cases if subject in planted)
    return {"schemes": schemes, "cases": len(cases),
            "case_precision": round(good / len(cases), 4) if cases else None,
            "case_precision_pass": bool(cases) and good / len(cases) >= 0.8}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", default="small", choices=("small", "medium", "large"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", type=Path, default=None, help="keep the world and database here")
    parser.add_argument("--world", type=Path, default=None, help="use this generated world (skip generating)")
    parser.add_argument("--engine", default="duckdb", choices=("duckdb", "spark"))
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="sanctrace-detection-"))
    world_dir = args.world or work / "world"
    started = time.perf_counter()
    if args.world is None:
        generate_world(args.seed, args.size, world_dir)
    generate_s = time.perf_counter() - started
    db = work / "sanctrace.duckdb"
    settings = Settings(db=db, engine=args.engine)
    engine = DuckDBEngine(db, threads=settings.threads, memory_limit=settings.memory_limit)
    outcomes = run_stages(STAGES, StageContext(engine, world_dir, work / "out", settings))
    pipeline_s = sum(o.seconds for o in outcomes)
    truth = json.loads((world_dir / "truth" / "ground_truth.json").read_text(encoding="utf-8"))
    result = score(engine, truth)
    world = json.loads((world_dir / "world.json").read_text(encoding="utf-8"))
    report = {
        "benchmark": "detection", "size": world.get("size", args.size), "seed": world.get("seed", args.seed),
        "engine": args.engine,
        "world": {"customers": world["customers"], "chain_txs": world["chain_txs"]},
        "generate_seconds": round(generate_s, 1) if args.world is None else None,
        "stage_seconds": {o.name: round(o.seconds, 2) for o in outcomes},
        "stage_status": {o.name: o.status for o in outcomes if o.status != "done"},
        "pipeline_seconds": round(pipeline_s, 1),
        "targets": {"recall_per_scheme": 0.95, "case_precision": 0.8,
                    "medium_world_seconds": 900 if args.size == "medium" else None},
        **result,
        "pass": all(s["pass"] for s in result["schemes"].values()) and result["case_precision_pass"]
        and (args.size != "medium" or pipeline_s <= 900),
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
