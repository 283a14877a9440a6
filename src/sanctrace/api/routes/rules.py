"""Monitoring rules over HTTP (admin): the shipped rule packs, checking a rule file, running a pack
over the ledger (alerts go to the case queue) and back-testing it.

Only shipped packs are run by name; an uploaded rule file is only checked, so no request can make
the server read an arbitrary path.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path as FsPath
from typing import Annotated

import yaml
from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from sanctrace.api.auth import Caller, need
from sanctrace.api.roles import Perm
from sanctrace.api.schemas import ERRORS, JSON
from sanctrace.cli.io import to_jsonable
from sanctrace.errors import InputError

router = APIRouter(prefix="/rules", tags=["rules"], responses=ERRORS)
Reader = Annotated[Caller, Depends(need(Perm.READ))]
Admin = Annotated[Caller, Depends(need(Perm.RULES_WRITE))]
PACK = Field(default="mission", pattern=r"^[a-z0-9_-]{1,64}$", description="a shipped rule pack")


class CheckIn(BaseModel):
    yaml: str = Field(min_length=1, max_length=1_000_000, description="a rule file (YAML)")


class RunIn(BaseModel):
    ruleset: str = PACK
    date_from: datetime | None = None
    date_to: datetime | None = None


def _utc(value: datetime | None) -> datetime | None:
    """Naive UTC, as the ledger stores times."""
    return value.astimezone(UTC).replace(tzinfo=None) if value is not None and value.tzinfo else value


def _pack(name: str) -> str:
    from sanctrace.monitoring.rules.ruleset import builtin_rulesets

    if name not in builtin_rulesets():
        raise InputError(f"no shipped rule pack {name!r} (shipped: {', '.join(builtin_rulesets())})")
    return name


@router.get("")
def packs(caller: Reader) -> list[JSON]:
    """The shipped rule packs, each with its rules (id, version, severity, kinds, action)."""
    from sanctrace.monitoring.rules.check import check_ruleset
    from sanctrace.monitoring.rules.ruleset import builtin_rulesets

    return [check_ruleset(name) for name in builtin_rulesets()]


@router.post("/check")
def check(body: CheckIn, caller: Admin) -> JSON:
    """Parse and compile a rule file; 422 naming the line of the first problem."""
    from sanctrace.monitoring.rules.check import check_ruleset

    with tempfile.TemporaryDirectory(prefix="sanctrace-rules-") as tmp:
        path = FsPath(tmp) / "rules.yaml"
        path.write_text(body.yaml, encoding="utf-8")
        try:
            result = check_ruleset(str(path))
        except yaml.YAMLError as exc:  # e.g. control characters: the YAML reader refuses them
            raise InputError.at("rules.yaml", None, f"not valid YAML: {str(exc).splitlines()[0]}") from None
    result["source"] = "request"
    return result


@router.post("/run")
def run(body: RunIn, caller: Admin) -> JSON:
    """Run a shipped pack over the ledger and record new alerts (grouped into cases)."""
    from sanctrace.monitoring.rules.evaluate import record_hits, run_ruleset
    from sanctrace.monitoring.rules.ruleset import load_ruleset

    rs = load_ruleset(_pack(body.ruleset))
    with caller.writing():
        hits = run_ruleset(caller.db, rs, _utc(body.date_from), _utc(body.date_to))
        new = record_hits(caller.db, rs, hits)
        summary = {"ruleset": rs.name, "version": rs.version, "hits": len(hits), "new_alerts": len(new),
                   "per_rule": dict(Counter(h.rule.id for h in hits))}
        caller.audit("rules.run", "ruleset", rs.name, summary)
    return summary


@router.post("/backtest")
def backtest(body: RunIn, caller: Admin) -> JSON:
    """Alert counts per rule over a period, recording nothing."""
    from sanctrace.monitoring.backtest import backtest as run_backtest
    from sanctrace.monitoring.rules.ruleset import load_ruleset

    out: JSON = to_jsonable(run_backtest(caller.db, load_ruleset(_pack(body.ruleset)), _utc(body.date_from),
                                         _utc(body.date_to)))
    return out
