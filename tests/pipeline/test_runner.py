from __future__ import annotations

from pathlib import Path
from typing import Any

from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.pipeline.runner import Stage, StageContext, run_stages


def _stages(calls: list[str]) -> list[Stage]:
    def make(name: str) -> Any:
        def run(ctx: StageContext) -> dict[str, Any]:
            calls.append(name)
            return {"files": len(list(ctx.data_dir.glob(f"{name}/*")))}
        return run

    return [
        Stage("a", "first", lambda d: sorted((d / "a").glob("*")), make("a")),
        Stage("b", "depends on a", lambda d: [], make("b"), after=("a",)),
        Stage("c", "independent", lambda d: sorted((d / "c").glob("*")), make("c")),
    ]


def test_rerun_skips_unchanged_stages_and_new_input_reruns_dependents(tmp_path: Path, engine: DuckDBEngine) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "c").mkdir()
    (tmp_path / "a" / "1.csv").write_text("x")
    calls: list[str] = []
    ctx = StageContext(engine, tmp_path, tmp_path / "out", None)
    first = run_stages(_stages(calls), ctx)
    assert [o.status for o in first] == ["done", "done", "done"]
    assert calls == ["a", "b", "c"]

    again = run_stages(_stages(calls), ctx)
    assert [o.status for o in again] == ["unchanged"] * 3
    assert again[0].summary == {"files": 1}  # the summary of the last real run is kept
    assert calls == ["a", "b", "c"]

    (tmp_path / "a" / "2.csv").write_text("y")
    run_stages(_stages(calls), ctx)
    assert calls == ["a", "b", "c", "a", "b"]  # c's inputs did not change


def test_a_skipped_stage_is_retried_and_not_recorded(tmp_path: Path, engine: DuckDBEngine) -> None:
    calls: list[str] = []

    def not_yet(ctx: StageContext) -> dict[str, Any]:
        calls.append("x")
        return {"_status": "skipped: nothing to do"}

    stages = [Stage("x", "maybe", lambda d: [], not_yet)]
    ctx = StageContext(engine, tmp_path, tmp_path, None)
    assert run_stages(stages, ctx)[0].status == "skipped: nothing to do"
    run_stages(stages, ctx)
    assert calls == ["x", "x"]
