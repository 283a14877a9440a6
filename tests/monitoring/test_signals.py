"""The signal adapter against the real capabilities: UN list screening, the OFAC 50% rule, and chain
exposure and clusters on real mainnet block 300025 (with its real spent-prevout records)."""

from __future__ import annotations

from pathlib import Path

from sanctrace.config import Settings
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.model.decision import Verdict
from sanctrace.monitoring.decisions import Decider
from sanctrace.monitoring.ledger import load_ledger
from sanctrace.monitoring.rules.evaluate import run_ruleset
from sanctrace.monitoring.rules.ruleset import load_ruleset
from sanctrace.monitoring.signals import refresh_signals

# Real transactions of block 300025: each has one input, whose address the test tags.
TX_SANCTIONED_INPUT = "a17cb56f386346017346398e9fe1b72a33e2a405fd1a8c826d3beb93e87521ef"  # in: 1MEMAUm1…
TX_MINER_INPUT = "cf9c554c6881a2672476a82c222ac09ffbf15806a7050d8e66bc0f197a2af86e"  # in: 1Jjz3MR6…
TAGS = """address,label,category,entity,jurisdiction,confidence,source
1MEMAUm1RGLYPqJAJmkewxfDm9dtFg4axs,test sanctioned wallet,sanction,Test SDN,,1,test
1Jjz3MR6XwLEAQnDMBQoo26ubUR1PNZJG3,test Siberian miner,miner,Test Hosting LLC,RU,0.9,test
"""


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_customer_signals_from_un_list_and_50_percent_rule(engine: DuckDBEngine, tmp_path: Path,
                                                           shared_data: Path) -> None:
    from sanctrace.lists.store import load_paths as load_lists
    from sanctrace.ownership.loaders import load_paths as load_parties

    load_lists(engine, [shared_data / "sanctions" / "un" / "UN_consolidated_2026-02-27.xml"])
    load_parties(engine, [
        _write(tmp_path / "parties.csv", "party_id,kind,legal_name,jurisdiction,listed,is_customer\n"
               "OWNER,person,Oleg Blocked,RU,ofac,false\nC2,company,Northern Lights Trading Ltd,CY,,true\n"),
        _write(tmp_path / "relations.csv", "source_id,target_id,relation,share\nOWNER,C2,ownership,60\n"),
    ], as_of="2026-01-01")
    load_ledger(engine, [
        _write(tmp_path / "accounts.csv",
               "account_id,customer_id,customer_name,customer_type,country,opened_at\n"
               "A1,C1,Eric Badege,person,CD,2024-01-01\nA2,C2,Northern Lights Trading Ltd,company,CY,2024-01-01\n"
               "A3,C3,Иван Петров,person,RU,2024-01-01\nA4,C4,Hanako Suzuki,person,JP,2024-01-01\n"),
        _write(tmp_path / "fiat.csv", "event_id,ts,account_id,direction,currency,amount\n"
               "F1,2026-05-01T00:00:00,A1,in,JPY,1000\nF2,2026-05-01T00:01:00,A2,in,JPY,1000\n"
               "F3,2026-05-01T00:02:00,A3,in,JPY,1000\nF4,2026-05-01T00:03:00,A4,in,JPY,1000\n"),
    ])
    report = refresh_signals(engine, Settings(), parts=("customers",))
    assert report.customers == 4 and report.sources["screening"]["list_version"].startswith("un:2026-02-27")
    rows = {r[0]: r[1:] for r in engine.query(
        "SELECT customer_id, screening_hit, list_entry, ownership_blocked, ownership_share, russia_nexus, listed "
        "FROM signal_customers")}
    assert rows["C1"][0] is True and rows["C1"][1].startswith("un:")  # UN-listed name (DRC regime)
    assert rows["C2"][2] is True and rows["C2"][3] == 0.6  # 60% owned by an SDN-listed person
    assert rows["C3"][4] is True  # Russian resident: FSA monitoring nexus
    assert not any(v for v in rows["C4"] if v)
    hits: dict[str, set[str]] = {}
    for h in run_ruleset(engine, load_ruleset("mission")):
        hits.setdefault(h.rule.id, set()).add(h.event["event_id"])
    assert hits["LISTED-OR-BLOCKED-CUSTOMER"] == {"F2"}
    assert hits["RUSSIA-NEXUS"] == {"F3"}
    assert "F4" not in set().union(*hits.values())


def test_chain_signals_on_real_block(engine: DuckDBEngine, tmp_path: Path, shared_data: Path) -> None:
    from sanctrace.chain.cluster import cluster_addresses
    from sanctrace.chain.decode_undo import apply_undo
    from sanctrace.chain.ingest import ingest_paths
    from sanctrace.chain.tags import load_tag_files

    blocks = shared_data / "chain" / "blocks"
    ingest_paths(engine, [blocks / "mainnet_block_300025.raw"])
    apply_undo(engine, 300025, blocks / "mainnet_block_300025.prevouts_bcoin_undo.bin")
    load_tag_files(engine, [_write(tmp_path / "tags.csv", TAGS)], include_lists=False)
    cluster_addresses(engine)
    load_ledger(engine, [
        _write(tmp_path / "accounts.csv", "account_id,customer_id,customer_name,customer_type,country,opened_at\n"
               "A1,C1,Taro Yamada,person,JP,2024-01-01\n"),
        _write(tmp_path / "deposits.csv", "event_id,ts,account_id,asset,amount,txid,vout,address\n"
               f"D1,2014-05-10T12:00:00Z,A1,BTC,17073588,{TX_SANCTIONED_INPUT},0,17n7EJW4ZLChSRqZs5cAPa9an7FtcTh1C9\n"
               f"D2,2014-05-10T12:00:01Z,A1,BTC,3800000,{TX_MINER_INPUT},0,1513W6ogBxRZUM1F64d7g313qRrZQPRUCD\n"
               "D3,2014-05-10T12:00:02Z,A1,BTC,1,00000000000000000000000000000000000000000000000000000000000000ff,"
               "0,1x\n"),
    ])
    report = refresh_signals(engine, Settings(), parts=("addresses", "deposits"))
    assert report.sources["deposits"] == {"traced": 2, "not_in_chain": 1, "hops": 3}
    exp = {r[0]: r[1:] for r in engine.query(
        "SELECT txid, mining_ru_share, sanctioned_share, hops FROM signal_deposits")}
    assert exp[TX_SANCTIONED_INPUT] == (0.0, 1.0, 1)
    assert exp[TX_MINER_INPUT] == (1.0, 0.0, 1)
    addr = {r[0]: r[1:] for r in engine.query(
        "SELECT address, sanctioned, russia_nexus, cluster_sanctioned FROM signal_addresses")}
    assert addr["1MEMAUm1RGLYPqJAJmkewxfDm9dtFg4axs"][0] is True
    assert addr["1Jjz3MR6XwLEAQnDMBQoo26ubUR1PNZJG3"][1] is True
    # re-running traces only new deposits
    assert refresh_signals(engine, Settings(), parts=("deposits",)).deposits == 0

    decider = Decider(engine, Settings())
    mined = decider.deposit("A1", TX_MINER_INPUT, 0, 3800000)
    assert mined.verdict is Verdict.FREEZE
    assert {r.code for r in mined.reasons} >= {"mining_ru_exposure", "rule:RU-MINING-EXPOSURE"}
    assert decider.deposit("A1", TX_SANCTIONED_INPUT, 0, 17073588).verdict is Verdict.FREEZE
    assert decider.withdrawal("A1", "1MEMAUm1RGLYPqJAJmkewxfDm9dtFg4axs", 1000).verdict is Verdict.BLOCK

    # an output the signal run has not traced yet is traced at decision time
    engine.execute("DELETE FROM signal_deposits")
    live = Decider(engine, Settings())
    traced = live.deposit("A1", TX_MINER_INPUT, 0, 3800000)
    assert traced.verdict is Verdict.FREEZE
    assert {"exposure_traced_live", "mining_ru_exposure"} <= {r.code for r in traced.reasons}
    unknown = live.deposit("A1", "ab" * 32, 0, 1)
    assert {r.code for r in unknown.reasons} == {"exposure_unknown"}
