from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

from sanctrace.chain.address import address_to_script
from sanctrace.demo.generate import generate_world
from sanctrace.errors import InputError
from sanctrace.model.list_entry import ListEntry

SCHEMES = {"russian_nexus_customers", "listed_customer", "shell_blocked_50pct", "nominee_network",
           "mining_derived_deposits", "sanctioned_wallet_exposure", "structuring", "pass_through"}


def _digest(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(directory.rglob("*")) if p.is_file() and p.suffix != ".parquet"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, sdn_entries: list[ListEntry]) -> Path:
    out = tmp_path_factory.mktemp("world")
    generate_world(7, "small", out, entries=sdn_entries)
    return out


def test_every_scheme_is_planted_with_subjects(world: Path) -> None:
    truth = json.loads((world / "truth" / "ground_truth.json").read_text(encoding="utf-8"))
    assert set(truth["schemes"]) == SCHEMES
    for scheme, spec in truth["schemes"].items():
        assert spec["subjects"], scheme
    customers = {r["party_id"] for r in csv.DictReader((world / "parties" / "parties.csv").open(encoding="utf-8"))
                 if r["is_customer"] == "true"}
    for spec in truth["schemes"].values():
        assert set(spec["subjects"]) <= customers


def test_shell_owners_are_real_russia_program_designations(world: Path, sdn_entries: list[ListEntry]) -> None:
    truth = json.loads((world / "truth" / "ground_truth.json").read_text(encoding="utf-8"))
    by_id = {e.entity_id: e for e in sdn_entries}
    for entity_id in truth["listed_entities"]:
        assert "RUSSIA-EO14024" in by_id[entity_id].programs
    relations = list(csv.DictReader((world / "parties" / "relations.csv").open(encoding="utf-8")))
    shells = set(truth["schemes"]["shell_blocked_50pct"]["subjects"])
    owned = {r["target_id"] for r in relations if r["relation"] == "ownership"}
    assert shells <= owned


def test_ledger_deposits_point_at_real_outputs_of_the_chain(world: Path) -> None:
    deposits = list(csv.DictReader((world / "ledger" / "deposits.csv").open(encoding="utf-8")))
    assert deposits
    for row in deposits[:50]:
        assert len(row["txid"]) == 64 and int(row["vout"]) >= 0 and int(row["amount"]) > 0
        address_to_script(row["address"])  # a valid mainnet address
    truth = json.loads((world / "truth" / "ground_truth.json").read_text(encoding="utf-8"))
    planted = {f["deposit_address"] for f in truth["planted_flows"]}
    assert planted <= {row["address"] for row in deposits}
    assert (world / "chain" / "blk00000.dat").read_bytes()[:4] == bytes.fromhex("fabfb5da")


def test_japanese_customers_carry_kanji_and_katakana(world: Path) -> None:
    rows = list(csv.DictReader((world / "parties" / "parties.csv").open(encoding="utf-8")))
    japanese = [r for r in rows if r["countries"] == "JP" and r["kind"] == "person"]
    assert japanese
    assert all(r["phonetic_name"] and all("\u30a0" <= ch <= "\u30ff" or ch == " " for ch in r["phonetic_name"])
               for r in japanese)


def test_same_seed_same_world(world: Path, tmp_path: Path, sdn_entries: list[ListEntry]) -> None:
    again = tmp_path / "again"
    generate_world(7, "small", again, entries=sdn_entries)
    assert _digest(again) == _digest(world)


def test_unknown_size_is_a_user_error(tmp_path: Path, sdn_entries: list[ListEntry]) -> None:
    with pytest.raises(InputError, match="unknown size"):
        generate_world(7, "huge", tmp_path, entries=sdn_entries)  # type: ignore[arg-type]
