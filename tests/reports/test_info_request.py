from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.errors import InputError, IntegrityError
from sanctrace.reports.info_request import MANIFEST, Period, verify_package, write_package

MARCH = Period.parse("2025-03-01", "2025-04-01")


def _csv(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    key = "account_id" if path.name == "accounts.csv" else ("event_id" if path.name == "transfers.csv"
                                                            else "alert_id")
    return {r[key]: r for r in rows}


def test_package_lists_flagged_accounts_and_transfers(world: DuckDBEngine, tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    manifest = write_package(world, MARCH, out, reference="FSA-2025-041")
    accounts = _csv(out / "accounts.csv")
    # acc-0001 Russian customer; acc-0002 mining-derived deposit; acc-0003 listed owner + RU VASP;
    # acc-0004 withdrawal to a sanctioned address. Nothing else is in the ledger.
    assert set(accounts) == {"acc-0001", "acc-0002", "acc-0003", "acc-0004"}
    assert accounts["acc-0001"]["russia_nexus"] == "true" and accounts["acc-0001"]["sanctions_hit"] == "false"
    assert accounts["acc-0002"]["mining_exposure"] == "true" and accounts["acc-0002"]["russia_nexus"] == "false"
    assert accounts["acc-0003"]["sanctions_hit"] == "true" and "BITRIVER AG" in accounts["acc-0003"]["reasons"]
    assert accounts["acc-0004"]["sanctions_hit"] == "true"

    transfers = _csv(out / "transfers.csv")
    assert "dep-0004" not in transfers  # April: outside the period
    assert transfers["dep-0001"]["mining_exposure"] == "true" and transfers["dep-0001"]["mining_ru_share"] == "0.82"
    assert transfers["dep-0001"]["amount"] == "1000000000"  # satoshi, never floats
    assert transfers["wd-0001"]["counterparty_vasp"] == "Garantex"
    assert transfers["wd-0001"]["russia_nexus"] == "true"
    assert transfers["wd-0002"]["sanctions_hit"] == "true"
    assert transfers["dep-0002"]["sanctions_hit"] == "false" and "account flagged" in transfers["dep-0002"]["reasons"]

    alerts = _csv(out / "alerts.csv")
    assert len(alerts) == 3 and {a["case_id"] for a in alerts.values()} == {"case-000001", "case-000002"}

    on_disk = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert on_disk == manifest and on_disk["reference"] == "FSA-2025-041"
    assert [f["name"] for f in on_disk["files"]] == ["accounts.csv", "transfers.csv", "alerts.csv"]
    assert on_disk["files"][0]["rows"] == 4
    assert verify_package(out)["ok"]


def test_verify_detects_changes(world: DuckDBEngine, tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    write_package(world, MARCH, out)
    path = out / "transfers.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("1000000000", "100000000"), encoding="utf-8")
    with pytest.raises(IntegrityError, match=r"transfers\.csv: SHA-256 differs"):
        verify_package(out)
    write_package(world, MARCH, tmp_path / "pkg2")
    (tmp_path / "pkg2" / "accounts.csv").unlink()
    (tmp_path / "pkg2" / "extra.csv").write_text("x\n")
    with pytest.raises(IntegrityError, match=r"accounts.csv: missing.*extra.csv: not in the manifest"):
        verify_package(tmp_path / "pkg2")


def test_refuses_to_overwrite_and_bad_periods(world: DuckDBEngine, tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    write_package(world, MARCH, out)
    with pytest.raises(InputError, match="not an empty directory"):
        write_package(world, MARCH, out)
    with pytest.raises(InputError, match="must be after"):
        Period.parse("2025-04-01", "2025-03-01")
    with pytest.raises(InputError, match="--from"):
        Period.parse("March", "2025-03-01")
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".pkg")]  # no temporary directories left


def test_without_ledger_only_alerts(engine: DuckDBEngine, tmp_path: Path) -> None:
    manifest = write_package(engine, MARCH, tmp_path / "pkg")
    assert manifest["sources_present"]["ledger"] is False
    assert [f["rows"] for f in manifest["files"]] == [0, 0, 0]
