"""Transfer decisions before money moves: ``POST /decisions/deposit`` and ``/decisions/withdrawal``.

The exchange's deposit and withdrawal services call these. The server keeps one
:class:`~sanctrace.monitoring.decisions.Decider` (an in-memory snapshot of accounts and signals),
reloaded when the signal tables or the ledger change; each decision is an audit event recorded with
the calling user before the answer goes out (group-committed with concurrent decisions, see auditq).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from sanctrace.api.auth import Caller, need
from sanctrace.api.roles import Perm
from sanctrace.api.schemas import ERRORS, JSON, DecisionOut
from sanctrace.api.state import ApiState
from sanctrace.engine import Engine

router = APIRouter(prefix="/decisions", tags=["decisions"], responses=ERRORS)
Decide = Annotated[Caller, Depends(need(Perm.DECIDE))]
Amount = Field(ge=0, le=2**62, description="integer minor units (satoshi for BTC, yen for JPY)")


class _Transfer(BaseModel):
    account_id: str = Field(min_length=1, max_length=128)
    amount: int = Amount
    asset: str = Field(default="BTC", pattern=r"^[A-Z0-9]{2,10}$")
    value_jpy: int | None = Field(default=None, ge=0, le=2**62)
    ts: datetime | None = None
    event_id: str | None = Field(default=None, max_length=128)


class DepositIn(_Transfer):
    txid: str = Field(pattern=r"^[0-9a-fA-F]{64}$")
    vout: int = Field(ge=0, le=100_000)
    address: str | None = Field(default=None, max_length=128)


class WithdrawalIn(_Transfer):
    address: str = Field(min_length=1, max_length=128)
    counterparty_vasp: str | None = Field(default=None, max_length=256)
    counterparty_vasp_country: str | None = Field(default=None, pattern=r"^[A-Za-z]{2}$")


def _snapshot_version(db: Engine) -> str:
    parts = []
    for table, col in (("signal_customers", "count(*)"), ("signal_addresses", "count(*)"),
                       ("signal_deposits", "count(*)"), ("ledger_events", "count(*)"),
                       ("ledger_accounts", "count(*)")):
        parts.append(str(db.scalar(f"SELECT {col} FROM {table}")) if db.table_exists(table) else "-")
    return "/".join(parts)


def decider_for(state: ApiState, db: Engine) -> Any:
    """The server's decider over the current snapshot of accounts and signals (built on first use)."""
    from sanctrace.monitoring.decisions import Decider

    # The decider's own engine is a long-lived cursor; its audit events are appended by the route.
    return state.decider.get(
        lambda: _snapshot_version(db),
        lambda: Decider(state.cursor(), state.settings, actor="api", audit_sink=lambda entry: None),
    )


def _decider(caller: Caller) -> Any:
    return decider_for(caller.state, caller.db)


async def _record(caller: Caller, decision: Any) -> JSON:
    """Append the decision to the audit log (group commit); by default answer only once it is
    committed (``api_decision_audit = "queued"`` answers as soon as it is queued)."""
    from sanctrace.cases.audit import AuditEntry

    d: JSON = decision.to_dict()
    entry = AuditEntry(caller.user.name, f"decision.{decision.kind}", "account", decision.account_id, d)
    committed = caller.state.audit_writer.submit(entry)
    if caller.state.settings.api_decision_audit == "commit":
        await asyncio.wait_for(asyncio.wrap_future(committed), timeout=60)
    return d


async def _ready_decider(caller: Caller) -> Any:
    # Fast path in the event loop; building or re-checking the snapshot queries DuckDB, in a thread.
    return caller.state.decider.peek() or await run_in_threadpool(_decider, caller)


# The two routes are async: deciding is an in-memory computation of microseconds, and the only wait
# (the audit commit) is awaited, so the hot path never queues for the thread pool.
@router.post("/deposit", response_model=DecisionOut)
async def deposit(body: DepositIn, caller: Decide) -> JSON:
    """credit | hold | freeze, with the reasons (exposure to Russian-nexus mining, sanctioned sources,
    the customer's screening and ownership verdicts, rules)."""
    decider = await _ready_decider(caller)
    with caller.state.decide_lock:  # the decider's in-memory recent-event history: one at a time
        decision = decider.deposit(
            body.account_id, body.txid.lower(), body.vout, body.amount, asset=body.asset, address=body.address,
            value_jpy=body.value_jpy, ts=body.ts, event_id=body.event_id)
    return await _record(caller, decision)


@router.post("/withdrawal", response_model=DecisionOut)
async def withdrawal(body: WithdrawalIn, caller: Decide) -> JSON:
    """allow | hold | block, with the reasons (destination attribution and cluster, the customer's
    verdicts, Travel Rule counterparty, rules)."""
    decider = await _ready_decider(caller)
    with caller.state.decide_lock:
        decision = decider.withdrawal(
            body.account_id, body.address, body.amount, asset=body.asset, value_jpy=body.value_jpy, ts=body.ts,
            event_id=body.event_id, counterparty_vasp=body.counterparty_vasp,
            counterparty_vasp_country=body.counterparty_vasp_country)
    return await _record(caller, decision)
