"""Run stages in order, skip the ones whose inputs have not changed, and keep a summary.

Each stage declares the files it reads; their sizes and modification times (and the stages it
depends on) make its fingerprint. A stage whose fingerprint matches its last successful run is
skipped, so rerunning ``sanctrace run`` changes nothing, and adding data reruns only what it feeds.
Stages themselves are idempotent too (loads dedupe by hash or id), so a forced rerun is also safe.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sanctrace.engine.base import Engine

StageFn = Callable[["StageContext"], dict[str, Any]]


@dataclass
class StageContext:
    engine: Engine
    data_dir: Path
    out_dir: Path
    settings: Any
    progress: Callable[[str, int, int], None] = lambda label, done, total: None


@dataclass
class Stage:
    name: str
    description: str
    inputs: Callable[[Path], Sequence[Path]]
    run: StageFn
    after: tuple[str, ...] = ()


@dataclass
class StageOutcome:
    name: str
    status: str  # "done", "unchanged", "skipped: <why>", "failed: <why>"
    seconds: float
    summary: dict[str, Any] = field(default_factory=dict)


def ensure_schema(engine: Engine) -> None:
    engine.execute(
        """CREATE TABLE IF NOT EXISTS pipeline_stages (
            stage VARCHAR PRIMARY KEY, fingerprint VARCHAR, finished_at TIMESTAMP, seconds DOUBLE,
            summary JSON)"""
    )


def fingerprint(paths: Sequence[Path], upstream: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    for item in upstream:
        digest.update(item.encode())
    return digest.hexdigest()


def run_stages(stages: Sequence[Stage], ctx: StageContext, *, force: bool = False,
               on_outcome: Callable[[StageOutcome], None] = lambda outcome: None) -> list[StageOutcome]:
    ensure_schema(ctx.engine)
    outcomes: list[StageOutcome] = []
    prints: dict[str, str] = {}
    for stage in stages:
        upstream = [prints.get(dep, "") for dep in stage.after]
        fp = fingerprint(stage.inputs(ctx.data_dir), upstream)
        prints[stage.name] = fp
        previous = ctx.engine.query_one("SELECT fingerprint, summary FROM pipeline_stages WHERE stage = ?",
                                        [stage.name])
        started = time.perf_counter()
        if previous and previous[0] == fp and not force:
            outcome = StageOutcome(stage.name, "unchanged", 0.0, json.loads(previous[1] or "{}"))
        else:
            summary = stage.run(ctx)
            seconds = time.perf_counter() - started
            status = str(summary.pop("_status", "done"))
            outcome = StageOutcome(stage.name, status, seconds, summary)
            if status == "done":
                ctx.engine.execute(
                    "INSERT OR REPLACE INTO pipeline_stages VALUES (?, ?, ?, ?, ?)",
                    [stage.name, fp, datetime.now(UTC).replace(tzinfo=None), seconds,
                     json.dumps(summary, default=str)],
                )
            else:
                prints[stage.name] = f"{fp}:{status}"  # downstream reruns once this stage can run
        outcomes.append(outcome)
        on_outcome(outcome)
    return outcomes
