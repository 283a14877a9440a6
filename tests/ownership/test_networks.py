"""Networks: exact shared keys with a frequency cap, shared directors, Splink identity links, and
the shell-company red flags."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.ownership.linking import link_parties, name_key
from sanctrace.ownership.loaders import load_paths
from sanctrace.ownership.networks import show
from sanctrace.ownership.redflags import redflags
from tests.ownership.conftest import RELATION_HEADER, write

Graph = Callable[[list[str], list[str]], Any]
HEADER = ("party_id,kind,legal_name,local_name,jurisdiction,countries,birth_date,incorporation_date,listed,"
          "is_customer,addresses,phones,emails,ips,wallets,bank_accounts,monthly_volume_minor,volume_currency")


def world(engine: DuckDBEngine, tmp_path: Path) -> None:
    rows = [
        "OLI,person,Aleksandr Zakharov,Александр Захаров,ru,ru,1965-09-21,,ofac|eu|uk,false,,,,,,,,",
        "C1,person,Alexander Zakharov,,,ru,1965-09-21,,,true,,+7 912 769-33-11,a.z@mail.ru,,"
        "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh,,,",
        "C2,company,Izh Trading Pte Ltd,,sg,,,2025-09-01,,true,\"10 Anson Rd, #20-01, Singapore\",,"
        "ops@izh-trading.sg,203.0.113.7,,SG12 3456 7890,25000000,USD",
        "C3,company,Anson Nominees Pte Ltd,,sg,,,2015-01-01,,true,\"10 Anson Rd #20-01 Singapore\",,,"
        "203.0.113.7|198.51.100.1,BC1QXY2KGDYGJRSQTZQ2N0YRF2493P83KKFJHX0WLH,,,",
        "D,person,Lim Nominee,,sg,sg,,,,false,,,,,,,,",
    ]
    # a registered-agent address shared by twelve more companies, and a VPN exit IP
    rows += [f"F{i},company,Filler {i} Ltd,,sg,,,2010-01-01,,false,\"10 Anson Road, #20-01, Singapore\",,,"
             f"198.51.100.1,,,," for i in range(12)]
    parties = write(tmp_path / "parties.csv", HEADER, rows)
    rels = ["OLI,C2,ownership,30,,,,,", "C2,C3,ownership,60,,,,,", "C3,C2,ownership,20,,,,,",
            "D,C2,director,,,,,,", "D,C3,director,,,,,,"]
    rels += [f"D,F{i},director,,,,,," for i in range(10)]
    load_paths(engine, [parties, write(tmp_path / "relations.csv", RELATION_HEADER, rels)], as_of="2026-01-01")


def test_shared_keys_and_frequency_cap(engine: DuckDBEngine, tmp_path: Path) -> None:
    world(engine, tmp_path)
    net = show(engine, "C1", hops=1, cap=10)
    wallet = [e for e in net["edges"] if e["kind"] == "shared_wallet"]
    assert [(e["a"], e["b"]) for e in wallet] == [("C1", "C3")]  # bech32 compared case-insensitively
    net3 = show(engine, "C3", hops=1, cap=10)
    kinds = {(e["kind"], e["b"] if e["a"] == "C3" else e["a"]) for e in net3["edges"]}
    assert ("shared_ip", "C2") in kinds
    # the Anson Road address is held by 14 parties: above the cap, it links nobody but is reported
    assert not any(e["kind"] == "shared_address" for e in net3["edges"])
    assert {c["key_type"] for c in net3["common_values"]} == {"address", "ip"}
    # D sits on 12 boards: a nominee does not merge the companies either
    assert not any(e["kind"] == "shared_director" for e in net3["edges"])
    wide = show(engine, "C3", hops=1, cap=20)
    assert any(e["kind"] == "shared_address" for e in wide["edges"])
    assert any(e["kind"] == "shared_director" for e in wide["edges"])


def test_splink_links_spellings_across_scripts(engine: DuckDBEngine, tmp_path: Path) -> None:
    world(engine, tmp_path)
    assert name_key("ЗАХАРОВ, Александр") == name_key("Aleksandr Zakharov") == "aleksandr zakharov"
    count = link_parties(engine)
    links = engine.query("SELECT party_a, party_b, probability FROM party_identity_links")
    assert count == len(links) >= 1
    assert any({a, b} == {"C1", "OLI"} and p > 0.9 for a, b, p in links)
    assert not any("F1" in (a, b) for a, b, _ in links)  # Filler 1 / Filler 10 differ in name
    net = show(engine, "C1", hops=1)
    assert any(e["kind"] == "same_identity" for e in net["edges"])
    assert {n["party_id"] for n in net["nodes"]} >= {"C1", "OLI", "C3"}
    assert link_parties(engine) == count  # rerun replaces, does not duplicate


def test_redflags(engine: DuckDBEngine, tmp_path: Path) -> None:
    world(engine, tmp_path)
    link_parties(engine)
    c2 = redflags(engine, "C2", as_of="2026-01-01")
    names = {f["name"] for f in c2["flags"]}
    assert names == {"transit_jurisdiction", "recent_incorporation_high_volume", "mass_registration_address",
                     "nominee_director", "circular_ownership", "russian_nexus_owner_or_director"}
    assert 0.8 < c2["score"] < 1.0
    assert all(f["explanation"] and f["weight"] > 0 for f in c2["flags"])
    c3 = redflags(engine, "C3", as_of="2026-01-01")
    assert "wallet_shared_with_russian_nexus" in {f["name"] for f in c3["flags"]}
    common = [f for f in c3["flags"] if f["name"] == "common_value_shared"]
    assert common and common[0]["evidence"] == ["198.51.100.1"]  # the VPN exit IP
    clean = redflags(engine, "D", as_of="2026-01-01")
    assert clean["flags"] == [] and clean["score"] == 0.0


def test_ledger_logins_and_volume(engine: DuckDBEngine, tmp_path: Path) -> None:
    """IPs and devices seen at login link customers; ledger volume feeds the young-company flag."""
    from sanctrace.monitoring.ledger_schema import ensure_ledger_tables

    parties = write(tmp_path / "p.csv", "party_id,kind,legal_name,jurisdiction,incorporation_date,is_customer", [
        "N1,company,New Star FZE,ae,2025-10-01,true", "N2,person,Oleg Ivanov,ru,,true"])
    load_paths(engine, [parties])
    ensure_ledger_tables(engine)
    engine.execute("INSERT INTO ledger_accounts (account_id, customer_id, customer_name, customer_type, country) "
                   "VALUES ('a1', 'N1', 'New Star FZE', 'company', 'AE'), ('a2', 'N2', 'Oleg Ivanov', 'person', 'RU')")
    engine.execute("INSERT INTO ledger_events (event_id, kind, ts, account_id, ip, device_id, value_jpy) VALUES "
                   "('e1', 'login', '2025-12-01 10:00', 'a1', '203.0.113.9', 'DEV-42', NULL), "
                   "('e2', 'login', '2025-12-02 10:00', 'a2', '198.51.100.3', 'dev-42', NULL), "
                   "('e3', 'deposit', '2025-12-20 10:00', 'a1', NULL, NULL, 40000000)")
    net = show(engine, "N1", hops=1)
    assert [(e["kind"], e["b"]) for e in net["edges"]] == [("shared_device", "N2")]
    flags = {f["name"]: f for f in redflags(engine, "N1", as_of="2026-01-01")["flags"]}
    assert "ledger" in flags["recent_incorporation_high_volume"]["explanation"]
    assert set(flags) == {"transit_jurisdiction", "recent_incorporation_high_volume"}
