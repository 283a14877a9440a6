"""Decide a transfer before the money moves: credit/hold/freeze a deposit, allow/hold/block a withdrawal.

The hot path touches no database: :class:`Decider` loads a snapshot (accounts, the three signal
tables, the recent ledger the rules' windows need) into dicts once, then each decision is a few
dict lookups plus the in-memory evaluation of the rules that apply to the transfer's kind
(:mod:`.rules.interp`, same meaning as the SQL the batch run uses). ``refresh()`` reloads the
snapshot after new signals or ledger rows land. The one slow path: a deposit output without
precomputed exposure that *is* in the ingested chain is traced at decision time (and remembered).

Every decision is an audit event (action ``decision.deposit`` / ``decision.withdrawal``). By default
it is appended synchronously; a server passes its own ``audit_sink`` to batch appends.
"""

from __future__ import annotations

import gc
import re
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sanctrace.cases.audit import AuditEntry, AuditLog
from sanctrace.chain.address import address_to_script
from sanctrace.config import Settings
from sanctrace.engine.base import Engine
from sanctrace.errors import InputError, NotFound, SanctraceError
from sanctrace.model.decision import VERDICTS, Decision, Effect, Reason
from sanctrace.monitoring.rules.evaluate import explain, prepare
from sanctrace.monitoring.rules.fields import FIELDS
from sanctrace.monitoring.rules.interp import EventHistory, evaluate, truth
from sanctrace.monitoring.rules.ruleset import Rule, RuleSet, load_ruleset
from sanctrace.monitoring.signal_schema import SIGNAL_ADDRESSES, SIGNAL_CUSTOMERS, SIGNAL_DEPOSITS

AuditSink = Callable[[AuditEntry], None]
_ACCOUNT_COLS = ("account_id", "customer_id", "customer_name", "customer_type", "country", "opened_at",
                 "expected_monthly_volume_jpy")
LIVE_TRACE_HOPS = 3
PRUNE_EVERY = 10_000
_DEFAULTS = {k: f.default for k, f in FIELDS.items() if f.default is not None}


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _naive(ts: datetime | None) -> datetime:
    if ts is None:
        return _now()
    return ts.astimezone(UTC).replace(tzinfo=None) if ts.tzinfo else ts


def _prefixed(ns: str, columns: tuple[tuple[str, str], ...], row: tuple[Any, ...]) -> dict[str, Any]:
    return {f"{ns}.{name}": value for (name, _), value in zip(columns, row, strict=True)}


# A withdrawal that leaves cannot be recalled: a mistyped address must be refused, not scored as "clean".
_TXID = re.compile(r"[0-9a-f]{64}")


def _check_bitcoin_address(account_id: str, address: str) -> None:
    try:
        address_to_script(address)
    except InputError as exc:
        reason = str(exc).rsplit(": ", 1)[-1]
        raise InputError.at("withdrawal", account_id,
                            f"destination {address!r} is not a valid Bitcoin address ({reason})") from None


class Decider:
    """In-memory decisions over a snapshot of accounts, signals and recent ledger events."""

    def __init__(self, engine: Engine, settings: Settings, ruleset: RuleSet | str | None = None, *,
                 actor: str = "system", audit_sink: AuditSink | None = None) -> None:
        self.engine = engine
        self.settings = settings
        self.ruleset = ruleset if isinstance(ruleset, RuleSet) else load_ruleset(ruleset or settings.decision_ruleset)
        self.actor = actor
        self._audit_sink = audit_sink
        self._audit: AuditLog | None = None
        self.rules: dict[str, list[Rule]] = {
            kind: [r for r in self.ruleset.rules if r.enabled and kind in r.on] for kind in ("deposit", "withdrawal")
        }
        self.refresh()

    # -- snapshot --------------------------------------------------------------------------------
    def refresh(self) -> None:
        """(Re)load accounts, signals and the recent ledger into memory."""
        prepare(self.engine)
        q = self.engine.query
        self.accounts = {r[0]: dict(zip(_ACCOUNT_COLS, r, strict=True))
                         for r in q(f"SELECT {', '.join(_ACCOUNT_COLS)} FROM ledger_accounts")}
        self.customers = {r[0]: _prefixed("customer", SIGNAL_CUSTOMERS, r)
                          for r in q(f"SELECT {', '.join(n for n, _ in SIGNAL_CUSTOMERS)} FROM signal_customers")}
        self.addresses = {r[0]: _prefixed("address", SIGNAL_ADDRESSES, r)
                          for r in q(f"SELECT {', '.join(n for n, _ in SIGNAL_ADDRESSES)} FROM signal_addresses")}
        self.exposures = {(r[0], int(r[1])): _prefixed("exposure", SIGNAL_DEPOSITS, r)
                          for r in q(f"SELECT {', '.join(n for n, _ in SIGNAL_DEPOSITS)} FROM signal_deposits")}
        rules = [r for rs in self.rules.values() for r in rs]
        aggs = [n for r in rules for n in r.aggregates()]
        self.history = EventHistory({a.per for a in aggs})
        self.window_s = max((a.window_s for a in aggs), default=0)
        self._added = 0
        if aggs:
            window = self.window_s
            latest = self.engine.scalar("SELECT max(ts) FROM ledger_events")
            if latest is not None:
                since = min(latest, _now()) - timedelta(seconds=window)
                table = self.engine.to_arrow(
                    "SELECT e.* EXCLUDE (row_hash, source_file, source_line), a.customer_id "
                    "FROM ledger_events e JOIN ledger_accounts a USING (account_id) WHERE e.ts > ? ORDER BY e.ts",
                    [since])
                for event in table.to_pylist():
                    self.history.add(event)
        self.chain_loaded = bool(self.engine.table_exists("chain_txs")
                                 and self.engine.scalar("SELECT count(*) > 0 FROM chain_txs"))
        self.loaded_at = datetime.now(UTC).isoformat(timespec="seconds")
        # The snapshot lives as long as the decider: keep the cyclic GC from rescanning it on every
        # full collection (a full pass over a large snapshot is a multi-millisecond pause).
        gc.collect()
        gc.freeze()

    # -- the row a rule sees ---------------------------------------------------------------------
    def context(self, event: dict[str, Any]) -> dict[str, Any]:
        """The fields dict for one (pending or ledger) event: event, account, customer, address, exposure."""
        account = self.accounts.get(event["account_id"])
        if account is None:
            raise NotFound(f"unknown account {event['account_id']!r}")
        row: dict[str, Any] = dict(_DEFAULTS)
        row.update(event)
        row["customer_id"] = account["customer_id"]
        for key, value in account.items():
            row[f"account.{key}"] = value
        opened = account["opened_at"]
        row["account.age_days"] = (event["ts"].date() - opened.date()).days if opened is not None else None
        cust = self.customers.get(account["customer_id"])
        if cust:
            row.update({k: v for k, v in cust.items() if v is not None})
        addr = self.addresses.get(event.get("address")) if event.get("address") else None
        if addr:
            row.update({k: v for k, v in addr.items() if v is not None})
        if event.get("kind") == "deposit" and event.get("txid") is not None:
            exp = self.exposure(event["txid"], int(event["vout"]))
            if exp:
                row.update({k: v for k, v in exp.items() if v is not None})
        return row

    def exposure(self, txid: str, vout: int) -> dict[str, Any] | None:
        """The output's exposure signals: precomputed, or traced now when the chain holds the output.

        The live trace (the chain capability's backward trace, tens of milliseconds) is the slow
        path for deposits that arrive before ``rules signals`` has run over them; its result is
        kept in memory for later decisions on the same output.
        """
        key = (txid, vout)
        if key in self.exposures or not self.chain_loaded:
            return self.exposures.get(key)
        from sanctrace.chain.exposure import exposure

        try:
            res = exposure(self.engine, txid, vout, hops=LIVE_TRACE_HOPS)
        except SanctraceError:  # not in the ingested chain, or not a transaction id
            return None
        flagged = [b for b in res.breakdown if b.sanctioned or b.russia_mining_nexus]
        found = {
            "exposure.txid": txid, "exposure.vout": vout,
            "exposure.mining_ru_share": float(res.russia_mining_nexus_share),
            "exposure.sanctioned_share": float(res.sanctioned_share),
            "exposure.hops": min((b.min_hops for b in flagged), default=None),
            "exposure.max_hops": LIVE_TRACE_HOPS, "exposure.live": True,
        }
        self.exposures[key] = found
        return found

    def fires(self, rule: Rule, row: dict[str, Any]) -> bool:
        return truth(evaluate(rule.condition, row, self.history))

    # -- decisions -------------------------------------------------------------------------------
    def deposit(self, account_id: str, txid: str, vout: int, amount: int, *, asset: str = "BTC",
                address: str | None = None, value_jpy: int | None = None, ts: datetime | None = None,
                event_id: str | None = None) -> Decision:
        if vout < 0:
            raise InputError.at("deposit", f"{txid}:{vout}", "vout must be >= 0")
        txid = txid.strip().lower()
        if asset == "BTC" and not _TXID.fullmatch(txid):
            raise InputError.at("deposit", f"{txid}:{vout}", "txid must be 64 hexadecimal characters")
        event = self._event("deposit", account_id, asset, amount, value_jpy, ts, event_id,
                            txid=txid, vout=int(vout), address=address, direction="in")
        return self._decide(event, f"{txid}:{vout}")

    def withdrawal(self, account_id: str, address: str, amount: int, *, asset: str = "BTC",
                   value_jpy: int | None = None, ts: datetime | None = None, event_id: str | None = None,
                   counterparty_vasp: str | None = None, counterparty_vasp_country: str | None = None) -> Decision:
        if not address:
            raise InputError.at("withdrawal", account_id, "destination address is required")
        address = address.strip()
        if asset == "BTC":
            _check_bitcoin_address(account_id, address)
        event = self._event("withdrawal", account_id, asset, amount, value_jpy, ts, event_id, address=address,
                            direction="out", counterparty_vasp=counterparty_vasp,
                            counterparty_vasp_country=(counterparty_vasp_country or "").upper() or None)
        return self._decide(event, address)

    def _event(self, kind: str, account_id: str, asset: str, amount: int, value_jpy: int | None,
               ts: datetime | None, event_id: str | None, **extra: Any) -> dict[str, Any]:
        for name, value in (("amount", amount), ("value_jpy", value_jpy)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise InputError.at(kind, account_id, f"{name} must be a non-negative integer (minor units)")
        if value_jpy is None and asset == "JPY":
            value_jpy = amount
        return {"event_id": event_id or f"pending-{uuid.uuid4().hex[:16]}", "kind": kind, "ts": _naive(ts),
                "account_id": account_id, "asset": asset, "amount": amount, "value_jpy": value_jpy, **extra}

    def _policy(self, row: dict[str, Any]) -> list[Reason]:
        s = self.settings
        reasons: list[Reason] = []

        def share_check(code: str, share_key: str, what: str) -> None:
            share = float(row.get(share_key) or 0.0)
            if share >= s.decision_freeze_share and share > 0:
                effect = Effect.BLOCK
            elif share > s.decision_hold_share:
                effect = Effect.HOLD
            else:
                return
            reasons.append(Reason(code, effect, f"{share:.4g} of the deposited value traces to {what} "
                                  f"within {row.get('exposure.hops')} hops", "policy",
                                  {"share": share, "hops": row.get("exposure.hops")}))

        if row["kind"] == "deposit":
            if (row["txid"], row["vout"]) in self.exposures:
                if row.get("exposure.live"):
                    reasons.append(Reason("exposure_traced_live", Effect.NONE, "exposure traced at decision time "
                                          f"({LIVE_TRACE_HOPS} hops); not yet in the signal tables", "policy", {}))
                share_check("mining_ru_exposure", "exposure.mining_ru_share", "Russian-nexus mining")
                share_check("sanctioned_exposure", "exposure.sanctioned_share", "sanctioned addresses")
            else:
                effect = Effect.HOLD if s.decision_unknown_exposure == "hold" else Effect.NONE
                reasons.append(Reason("exposure_unknown", effect, "no chain exposure computed for this output "
                                      "(run the chain trace and `sanctrace rules signals`)", "policy", {}))
        else:
            if row.get("address.sanctioned"):
                reasons.append(Reason("destination_sanctioned", Effect.BLOCK, f"destination {row['address']} is "
                                      f"a sanctioned address ({row.get('address.sanction_entity')})", "policy",
                                      {"address": row["address"]}))
            if row.get("address.cluster_sanctioned"):
                reasons.append(Reason("destination_cluster_sanctioned", Effect.BLOCK, f"destination "
                                      f"{row['address']} is clustered with sanctioned addresses "
                                      f"({row.get('address.cluster_label')})", "policy",
                                      {"cluster_id": row.get("address.cluster_id")}))
            if row.get("address.russia_nexus") or row.get("address.cluster_russia_nexus"):
                label = row.get("address.label") or row.get("address.cluster_label")
                reasons.append(Reason("destination_russia_nexus", Effect.HOLD, f"destination {row['address']} "
                                      f"is attributed to a Russian-nexus entity ({label})", "policy", {}))
        cust = row["customer_id"]
        if row.get("customer.listed"):
            reasons.append(Reason("customer_listed", Effect.BLOCK, f"customer {cust} is listed "
                                  f"({row.get('customer.list_entry')})", "policy",
                                  {"list_entry": row.get("customer.list_entry")}))
        if row.get("customer.owner_listed") or row.get("customer.ownership_blocked"):
            reasons.append(Reason("owner_blocked", Effect.BLOCK, f"customer {cust} is owned or controlled by "
                                  f"blocked persons ({row.get('customer.owner_name')}, blocked share "
                                  f"{row.get('customer.ownership_share')})", "policy", {}))
        if row.get("customer.screening_hit") and not row.get("customer.listed"):
            reasons.append(Reason("customer_potential_match", Effect.HOLD, f"customer {cust} is a potential "
                                  f"match to {row.get('customer.list_entry')} (score "
                                  f"{row.get('customer.screening_score')})", "policy", {}))
        if row.get("customer.russia_nexus"):
            reasons.append(Reason("customer_russia_nexus", Effect.NONE, f"customer {cust} has a Russian nexus "
                                  f"({row.get('customer.nexus_reason')}); monitored under the FSA order",
                                  "policy", {}))
        return reasons

    def _decide(self, event: dict[str, Any], subject: str) -> Decision:
        row = self.context(event)
        reasons = self._policy(row)
        for rule in self.rules[event["kind"]]:
            if self.fires(rule, row):
                values = [evaluate(p, row, self.history) for p in rule.explanation if not isinstance(p, str)]
                reasons.append(Reason(f"rule:{rule.id}", Effect(rule.action), explain(rule, values, event.get("asset")),
                                      "rule",
                                      {"rule_id": rule.id, "rule_version": rule.version,
                                       "severity": rule.severity}))
        effect = max((r.effect for r in reasons), key=lambda e: e.rank, default=Effect.NONE)
        verdict = VERDICTS[event["kind"]][effect]
        decision = Decision(
            decision_id=f"dec-{uuid.uuid4().hex}", kind=event["kind"], verdict=verdict,
            account_id=event["account_id"], customer_id=row["customer_id"], subject=subject,
            asset=event["asset"], amount=event["amount"], reasons=tuple(reasons),
            decided_at=datetime.now(UTC).isoformat(timespec="microseconds"), ruleset=self.ruleset.name,
            ruleset_version=self.ruleset.version, signals_loaded_at=self.loaded_at,
        )
        if effect is not Effect.BLOCK and self.window_s:
            self.history.add({**event, "customer_id": row["customer_id"]})
            self._added += 1
            if self._added % PRUNE_EVERY == 0:  # a long-running server must not keep every decision
                self.history.prune(event["ts"] - timedelta(seconds=self.window_s))
        self._record(decision)
        return decision

    def _record(self, decision: Decision) -> None:
        entry = AuditEntry(self.actor, f"decision.{decision.kind}", "account", decision.account_id,
                           decision.to_dict())
        if self._audit_sink is not None:
            self._audit_sink(entry)
            return
        if self._audit is None:
            self._audit = AuditLog(self.engine)
        self._audit.append_many([entry])

