"""Figures for the dashboard plots: alerts per rule per day, exposure distribution, screening volume.

These are read-only aggregate queries over tables the capabilities own; each one checks that its
table exists so a fresh database shows empty plots rather than an error.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from sanctrace.api.auth import Caller, need
from sanctrace.api.roles import Perm
from sanctrace.api.schemas import ERRORS, JSON
from sanctrace.engine import Engine

router = APIRouter(prefix="/dashboard", tags=["dashboard"], responses=ERRORS)
Reader = Annotated[Caller, Depends(need(Perm.READ))]

USAGE_SCHEMA = "CREATE TABLE IF NOT EXISTS api_usage (day DATE, what VARCHAR, n BIGINT, PRIMARY KEY (day, what))"
# Exposure shares in [0, 1] are bucketed in tenths; bucket 10 holds exactly 1.0.
EXPOSURE_COLUMNS = ("mining_ru_share", "mining_share", "sanctioned_share")
BUCKETS = [f"{i / 10:.1f}-{(i + 1) / 10:.1f}" for i in range(10)]


def alerts_per_rule_per_day(db: Engine, days: int) -> list[JSON]:
    if not db.table_exists("alerts"):
        return []
    rows = db.query(
        "SELECT CAST(occurred_at AS DATE) AS day, rule_id, count(*) FROM alerts "
        "WHERE occurred_at >= (SELECT max(occurred_at) FROM alerts) - to_days(CAST(? AS INTEGER)) "
        "GROUP BY ALL ORDER BY day, rule_id",
        [days],
    )
    return [{"day": d.isoformat(), "rule_id": r, "count": int(n)} for d, r, n in rows]


def exposure_distribution(db: Engine) -> JSON:
    """Histograms of the exposure shares of scored deposits (monitoring's ``signal_deposits``):
    one series per share column (Russian-nexus mining, all mining, sanctioned sources)."""
    series: dict[str, list[int]] = {}
    if db.table_exists("signal_deposits"):
        cols = {r[0] for r in db.query(
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'signal_deposits'")}
        for col in (c for c in EXPOSURE_COLUMNS if c in cols):
            counts = [0] * 10
            for b, n in db.query(
                f"SELECT least(CAST(floor({col} * 10) AS INTEGER), 9) AS b, count(*) FROM signal_deposits "
                f"WHERE {col} IS NOT NULL AND {col} > 0 GROUP BY b"
            ):
                counts[max(0, int(b))] += int(n)
            series[col] = counts
    return {"buckets": BUCKETS, "series": series}


def screening_volume(caller: Caller) -> list[JSON]:
    db = caller.db
    db.execute(USAGE_SCHEMA)
    merged: dict[tuple[str, str], int] = {}
    for day, what, n in db.query("SELECT CAST(day AS VARCHAR), what, n FROM api_usage"):
        merged[(day, what)] = int(n)
    for key, n in caller.state.usage().items():
        merged[key] = merged.get(key, 0) + n
    return [{"day": d, "kind": w, "count": n} for (d, w), n in sorted(merged.items()) if w.startswith("screen")]


@router.get("")
def dashboard(caller: Reader, days: Annotated[int, Query(ge=1, le=366)] = 30) -> JSON:
    db = caller.db
    open_cases = int(db.scalar("SELECT count(*) FROM cases WHERE status <> 'closed'") or 0) \
        if db.table_exists("cases") else 0
    return {
        "alerts_per_rule_per_day": alerts_per_rule_per_day(db, days),
        "exposure_distribution": exposure_distribution(db),
        "screening_volume": screening_volume(caller),
        "open_cases": open_cases,
    }
