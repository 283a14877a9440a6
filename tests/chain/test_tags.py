"""Tags: real TagPacks/ActorPacks/pool files/OFAC lists load set-wise with the derived flags."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sanctrace.chain.tags import load_tag_files, read_tagpack
from sanctrace.chain.tags_yaml import load_tagpack_document
from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.errors import InputError


@pytest.mark.slow  # parses every real pack twice (PyYAML needs ~3 s for miners.yaml alone)
def test_fast_reader_agrees_with_pyyaml(shared_data: Path) -> None:
    for path in sorted((shared_data / "chain" / "tagpacks").glob("*.yaml")):
        if "actorpack" in path.name:
            continue
        fast = load_tagpack_document(path.read_bytes(), str(path))
        slow = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
        assert len(fast["tags"]) == len(slow["tags"]), path.name
        for a, b in zip(fast["tags"], slow["tags"], strict=True):
            assert {k: str(v) for k, v in a.items()} == {k: str(v) for k, v in b.items()}
        assert str(fast.get("category")) == str(slow.get("category"))


def test_fast_reader_on_small_packs(shared_data: Path) -> None:
    for name in ("hydra.yaml", "exchange-wallets-okx.yaml", "walletexplorer.yaml"):
        path = shared_data / "chain" / "tagpacks" / name
        fast = load_tagpack_document(path.read_bytes(), str(path))
        slow = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
        assert [{k: str(v) for k, v in t.items()} for t in fast["tags"]] == [
            {k: str(v) for k, v in t.items()} for t in slow["tags"]]


def test_header_inherited(shared_data: Path) -> None:
    table = read_tagpack(shared_data / "chain" / "tagpacks" / "hydra.yaml")
    rows = table.to_pylist()
    assert len(rows) == 117
    assert all(r["label"] == "Hydra Market" and r["category"] == "market" and r["sanctioned"] for r in rows)
    assert rows[0]["confidence"] == pytest.approx(0.95) and rows[0]["cluster_definer"]


def test_load_real_sources(engine: DuckDBEngine, shared_data: Path) -> None:
    chain = shared_data / "chain"
    packs = sorted(p for p in (chain / "tagpacks").glob("*.yaml") if "actorpack" not in p.name)
    files = [chain / "tagpacks" / "graphsense.actorpack.yaml", *packs,
             chain / "pools" / "bitcoin-data_pool-list.json",
             chain / "ofac" / "0xB10C_lists_2024-09-27" / "sanctioned_addresses_XBT.txt"]
    counts = load_tag_files(engine, files)
    assert counts[str(chain / "tagpacks" / "miners.yaml")] == 37439
    assert counts[str(chain / "ofac" / "0xB10C_lists_2024-09-27" / "sanctioned_addresses_XBT.txt")] == 435
    nexus = {r[0] for r in engine.query("SELECT DISTINCT lower(entity) FROM chain_tags WHERE russia_mining_nexus")}
    assert {"emcdpool", "bitcoinrussia", "innopolis tech"} <= nexus
    assert not engine.scalar("SELECT count(*) FROM chain_tags WHERE russia_mining_nexus AND category <> 'miner'")
    # ETH addresses of the exchange packs are not Bitcoin tags
    assert not engine.scalar("SELECT count(*) FROM chain_tags WHERE address LIKE '0x%'")
    garantex = engine.query("SELECT jurisdictions FROM chain_actors WHERE actor_id = 'garantex'")
    assert garantex == [(["RU"],)]
    # Hydra (OFAC 2022-04-05) is sanctioned through its pack's treasury.gov source
    assert engine.scalar("SELECT bool_and(sanctioned) FROM chain_tags WHERE label = 'Hydra Market'")
    before = engine.scalar("SELECT count(*) FROM chain_tags")
    load_tag_files(engine, files[-2:])  # idempotent: reloading a file replaces its rows
    assert engine.scalar("SELECT count(*) FROM chain_tags") == before


def test_user_csv_nexus_and_errors(engine: DuckDBEngine, tmp_path: Path) -> None:
    good = tmp_path / "mine.csv"
    good.write_text(
        "address,label,category,entity,jurisdiction,confidence,source\n"
        "1BitRiverHostedMinerxxxxxxxxxxxxx,BitRiver client,miner,BitRiver hosting,ru,0.9,analyst\n"
        "1SomeExchangexxxxxxxxxxxxxxxxxxxx,Ex,exchange,Ex,RU,80,analyst\n"
    )
    load_tag_files(engine, [good])
    rows = dict(engine.query("SELECT entity, russia_mining_nexus FROM chain_tags"))
    assert rows == {"BitRiver hosting": True, "Ex": False}
    assert engine.scalar("SELECT confidence FROM chain_tags WHERE entity = 'Ex'") == pytest.approx(0.8)
    bad = tmp_path / "bad.csv"
    bad.write_text("address,label,confidence\n1abc,x,0.5\n1def,y,high-ish\n")
    with pytest.raises(InputError, match=r"bad.csv: line 3: unknown confidence"):
        load_tag_files(engine, [bad])
    assert engine.scalar("SELECT count(*) FROM chain_tags") == 2  # nothing half-written


def test_bad_yaml(engine: DuckDBEngine, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: x\ntags:\n- address: [unclosed\n")
    with pytest.raises(InputError, match=r"bad\.yaml: line"):
        load_tag_files(engine, [bad])


@pytest.mark.slow  # parses the bundled OFAC SDN advanced XML (~10 s of CPU)
def test_sanctions_list_addresses_become_tags(engine: DuckDBEngine, tmp_path: Path) -> None:
    from sanctrace.lists import load_paths

    bundled = Path(__file__).resolve().parents[2] / "src" / "sanctrace" / "data" / "lists"
    load_paths(engine, [bundled / "sdn_advanced_2025-11-19.xml.bz2"])
    user = tmp_path / "mine.csv"
    user.write_text("address,label\n1abc,x\n")
    counts = load_tag_files(engine, [user])
    assert counts["sanctions-lists"] > 400  # XBT only: ETH/TRX/... addresses are not Bitcoin tags
    row = engine.query_one(
        """SELECT entity, label, sanctioned FROM chain_tags
        WHERE loaded_from = 'sanctions-lists' AND address = '1CF46Rfbp97absrs7zb7dFfZS6qBXUm9EP'""")
    assert row == ("ofac:33151", "SUEX OTC, S.R.O.", True)
    assert not engine.scalar("SELECT count(*) FROM chain_tags WHERE loaded_from = 'sanctions-lists' "
                             "AND address LIKE '0x%'")
