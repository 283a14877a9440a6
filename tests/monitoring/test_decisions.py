from __future__ import annotations

from datetime import datetime

import pytest

from sanctrace.cases.audit import AuditLog
from sanctrace.config import Settings
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.errors import InputError, NotFound
from sanctrace.model.decision import Verdict
from sanctrace.monitoring.decisions import Decider
from tests.monitoring.world import REAL

AT = datetime(2026, 5, 9, 12)


def _codes(decision) -> set[str]:  # type: ignore[no-untyped-def]
    return {r.code for r in decision.reasons}


def test_deposit_verdicts(world: DuckDBEngine) -> None:
    d = Decider(world, Settings())
    mined = d.deposit("A3", REAL["t_mining"], 0, 5000, ts=AT)
    assert mined.verdict is Verdict.FREEZE
    assert {"mining_ru_exposure", "rule:RU-MINING-EXPOSURE"} <= _codes(mined)
    small = d.deposit("A4", REAL["t_sanct"], 0, 10, ts=AT)  # 5% sanctioned share: below freeze share 0.25 → hold,
    assert small.verdict is Verdict.FREEZE  # but the rule pack's SANCTIONED-EXPOSURE blocks any share
    assert next(r for r in small.reasons if r.code == "sanctioned_exposure").effect.value == "hold"
    clean = d.deposit("A3", REAL["t_clean"], 1, 10, ts=AT)
    assert clean.verdict is Verdict.CREDIT and clean.reasons == ()
    unknown = d.deposit("A3", REAL["t_never_traced"], 0, 10, ts=AT)
    assert unknown.verdict is Verdict.CREDIT and _codes(unknown) == {"exposure_unknown"}
    strict = Decider(world, Settings(decision_unknown_exposure="hold"))
    assert strict.deposit("A3", REAL["t_never_traced"], 0, 10, ts=AT).verdict is Verdict.HOLD
    listed = d.deposit("A6", REAL["t_clean"], 1, 10, ts=AT)
    assert listed.verdict is Verdict.FREEZE and "customer_listed" in _codes(listed)


def test_withdrawal_verdicts(world: DuckDBEngine) -> None:
    d = Decider(world, Settings())
    assert d.withdrawal("A3", REAL["1SanctionedAddr"], 10, ts=AT).verdict is Verdict.BLOCK
    cluster = d.withdrawal("A3", REAL["bc1qcluster"], 10, ts=AT)
    assert cluster.verdict is Verdict.BLOCK and "destination_cluster_sanctioned" in _codes(cluster)
    nexus = d.withdrawal("A3", REAL["1GarantexHot"], 10, ts=AT)
    assert nexus.verdict is Verdict.HOLD and "rule:WITHDRAWAL-RU-NEXUS-CLUSTER" in _codes(nexus)
    assert d.withdrawal("A3", REAL["bc1qclean"], 10, ts=AT).verdict is Verdict.ALLOW
    vasp = d.withdrawal("A3", REAL["bc1qclean"], 10, ts=AT, counterparty_vasp="Garantex",
                        counterparty_vasp_country="ru")
    assert vasp.verdict is Verdict.HOLD and _codes(vasp) == {"rule:TRAVEL-RULE-RU-VASP"}
    nexus_customer = d.withdrawal("A1", REAL["bc1qclean"], 10, ts=AT)
    assert nexus_customer.verdict is Verdict.ALLOW  # monitored, not held
    assert {"customer_russia_nexus", "rule:RUSSIA-NEXUS"} <= _codes(nexus_customer)


def test_pass_through_uses_history_and_earlier_decisions(world: DuckDBEngine) -> None:
    d = Decider(world, Settings())
    # A4 has no recent inflow: a withdrawal is allowed
    first = d.withdrawal("A4", REAL["bc1qclean"], 10, value_jpy=900_000, ts=AT)
    assert first.verdict is Verdict.ALLOW
    # a deposit credited now, then most of it withdrawn two hours later: pass-through → hold
    assert d.deposit("A4", REAL["t_clean"], 1, 10, value_jpy=1_000_000, ts=AT).verdict is Verdict.CREDIT
    later = datetime(2026, 5, 9, 14)
    second = d.withdrawal("A4", REAL["bc1qclean"], 10, value_jpy=950_000, ts=later)
    assert second.verdict is Verdict.HOLD and "rule:PASS-THROUGH" in _codes(second)
    assert "1000000 JPY arriving" in next(r.message for r in second.reasons if r.code == "rule:PASS-THROUGH")


def test_every_decision_is_an_audit_event(world: DuckDBEngine) -> None:
    d = Decider(world, Settings(), actor="teller-1")
    dec = d.withdrawal("A3", REAL["1SanctionedAddr"], 10, ts=AT)
    events = AuditLog(world).events(subject_type="account", subject_id="A3")
    last = events[-1]
    assert (last.actor, last.action) == ("teller-1", "decision.withdrawal")
    assert last.details["decision_id"] == dec.decision_id and last.details["verdict"] == "block"
    assert AuditLog(world).verify().ok


def test_bad_requests(world: DuckDBEngine) -> None:
    d = Decider(world, Settings())
    with pytest.raises(NotFound, match="unknown account 'A99'"):
        d.withdrawal("A99", REAL["bc1qclean"], 1)
    with pytest.raises(InputError, match="amount must be a non-negative integer"):
        d.withdrawal("A3", REAL["bc1qclean"], -1)
    with pytest.raises(InputError, match="vout must be >= 0"):
        d.deposit("A3", "t", -1, 1)
    with pytest.raises(InputError, match="destination address is required"):
        d.withdrawal("A3", "", 1)


@pytest.mark.parametrize(("address", "problem"), [
    ("1SanctionedAddr", "bad base58check checksum or length"),
    ("bc1qclean", "not a bech32 address"),
    ("0x8589427373d6d84e98730d7795d8f6f8731fda16", "invalid base58 character '0'"),
    ("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5", "bad bech32 checksum"),
])
def test_malformed_destination_is_refused_before_money_moves(world: DuckDBEngine, address: str, problem: str) -> None:
    with pytest.raises(InputError) as err:
        Decider(world, Settings()).withdrawal("A3", address, 1)
    assert str(err.value) == f"withdrawal: A3: destination {address!r} is not a valid Bitcoin address ({problem})"


def test_valid_destinations_of_every_kind_are_accepted(world: DuckDBEngine) -> None:
    d = Decider(world, Settings())
    for address in ("1BoatSLRHtKNngkdXEeobR76b53LETtpyT", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy",
                    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4",
                    "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0"):
        assert d.withdrawal("A3", address, 1, ts=AT).verdict is Verdict.ALLOW


def test_malformed_txid_is_refused(world: DuckDBEngine) -> None:
    with pytest.raises(InputError, match="txid must be 64 hexadecimal characters"):
        Decider(world, Settings()).deposit("A3", "t_mining", 0, 1)


def test_server_routes_validate_requests(world: DuckDBEngine) -> None:
    from sanctrace.monitoring.server import DecisionServer

    seen: list[object] = []
    server = DecisionServer(Decider(world, Settings(), audit_sink=seen.append))
    bad_json = server.route("POST", "/v1/decisions/withdrawal", b"{not json")
    assert bad_json == (400, {"error": "request body is not JSON"})
    assert server.route("POST", "/v1/decisions/withdrawal", b"[1]")[0] == 400
    assert server.route("GET", "/v1/decisions/withdrawal", b"") == (405, {"error": "use POST"})
    status, body = server.route("POST", "/v1/decisions/withdrawal",
                                b'{"account_id": "A3", "address": "x", "amount": 1.5}')
    assert (status, body) == (422, {"error": "request: amount: must be an integer (minor units)"})
    status, body = server.route("POST", "/v1/decisions/deposit",
                                b'{"account_id": "A3", "txid": "' + REAL["t_mining"].encode()
                                + b'", "vout": 0, "amount": 7, "ts": "2026-05-09T12:00:00+09:00"}')
    assert status == 200 and body["verdict"] == "freeze" and len(seen) == 1
    health = server.route("GET", "/health", b"")[1]
    assert health["served"] == 1 and health["service"]["p50_ms"] is None  # timing is taken by the socket loop
