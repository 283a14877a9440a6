from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from sanctrace.engine.duckdb_engine import DuckDBEngine
from sanctrace.reports import jp_str
from sanctrace.reports.entity import ReportingEntity
from sanctrace.reports.facts import gather
from tests.cases.helpers import FROM_ADDRESS, TXID

WHEN = datetime(2025, 3, 20, 1, 2, 3, tzinfo=UTC)


def test_json_fields(world: DuckDBEngine, entity: ReportingEntity) -> None:
    doc = json.loads(jp_str.to_json(gather(world, "case-000001"), entity, submitted_at=WHEN))
    assert doc["様式"] == "疑わしい取引の届出"
    assert doc["届出日"] == "2025-03-20"
    assert doc["届出事業者"]["登録番号"] == "関東財務局長 第00099号"
    assert doc["届出事業者"]["担当者"]["氏名"] == "Suzuki Hanako"
    customer = doc["顧客情報"]
    assert customer["区分"] == "個人" and customer["氏名・名称"] == "山田 太郎"
    assert customer["フリガナ"] == "ヤマダ タロウ"  # reading from pykakasi
    assert customer["口座番号"] == ["acc-0002"] and "ledger_accounts" in customer["情報源"]
    (tx,) = doc["取引情報"]
    assert tx["種別"] == "暗号資産の受入(入庫)" and tx["数量"] == "10.00000000"
    assert tx["数量(最小単位)"] == 1_000_000_000 and tx["円換算額"] == 1_450_000_000
    assert tx["トランザクションID"] == TXID and tx["相手方アドレス"] == [FROM_ADDRESS]
    reason = doc["疑わしい取引に該当すると判断した理由"]
    assert "Russian-nexus mining" in reason and "deposit_russia_mining_exposure" in reason


def test_csv_has_bom_and_one_row_per_transaction(world: DuckDBEngine, entity: ReportingEntity) -> None:
    text = jp_str.to_csv(gather(world, "case-000001"), entity, submitted_at=WHEN)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert tuple(rows[0]) == jp_str.COLUMNS
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["顧客_氏名・名称"] == "山田 太郎" and row["取引_トランザクションID"] == TXID
    assert row["取引_円換算額"] == "1450000000" and row["届出事業者_名称"] == "Example Crypto Exchange K.K."
    assert "RUSSIA-EO14024" in row["疑わしい取引に該当すると判断した理由"]
    # Excel needs the BOM in the bytes, and UTF-8 must round-trip.
    assert text.encode("utf-8").startswith(b"\xef\xbb\xbf")


def test_csv_without_transfers_still_has_the_customer(world: DuckDBEngine, entity: ReportingEntity) -> None:
    text = jp_str.to_csv(gather(world, "case-000002"), entity, submitted_at=WHEN)
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    assert len(rows) == 2
    row = dict(zip(rows[0], rows[1], strict=True))
    assert row["顧客_区分"] == "法人" and row["顧客_氏名・名称"] == "Harbour Trade Pte Ltd"
    assert row["取引_トランザクションID"] == ""
