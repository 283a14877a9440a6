"""The Japanese suspicious transaction report (疑わしい取引の届出) fields, as CSV and JSON.

Under the Act on Prevention of Transfer of Criminal Proceeds (犯罪収益移転防止法, Art. 8) a
crypto-asset exchange files the notification through the FSA/JAFIC electronic system; its form asks
for the reporting business (届出事業者), the customer (顧客情報: 氏名・名称, フリガナ, 生年月日, 住所,
職業・事業内容, 国籍), each transaction (取引情報: 日時, 種別, 暗号資産の種類と数量, 円換算額,
トランザクションID, アドレス, 相手方) and the reason it is judged suspicious
(疑わしい取引に該当すると判断した理由). This module fills those fields from a case; the CSV has one
row per transaction (one row for the customer when there is none) and a UTF-8 BOM so Excel opens it
as UTF-8. Column names are Japanese because that is how the compliance staff who file it read them.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from typing import Any

from sanctrace.reports.entity import ReportingEntity
from sanctrace.reports.facts import CaseFacts, TransferFact, format_btc

TIME_NOTE = "日時はUTC (ISO 8601)"

COLUMNS: tuple[str, ...] = (
    "社内管理番号", "届出日", "届出事業者_名称", "届出事業者_登録番号", "届出事業者_業態", "届出事業者_所在地",
    "担当者_氏名", "担当者_部署", "担当者_電話番号",
    "顧客_区分", "顧客_顧客番号", "顧客_口座番号", "顧客_氏名・名称", "顧客_フリガナ", "顧客_生年月日",
    "顧客_住所・所在地", "顧客_職業・事業内容", "顧客_国籍・設立国",
    "取引_番号", "取引_日時", "取引_種別", "取引_暗号資産の種類", "取引_数量", "取引_数量(最小単位)",
    "取引_円換算額", "取引_トランザクションID", "取引_アウトプット番号", "取引_当社側アドレス",
    "取引_相手方アドレス", "取引_相手方交換業者", "取引_相手方国",
    "疑わしい取引に該当すると判断した理由", "該当ルール",
)

_KIND = {"in": "暗号資産の受入(入庫)", "out": "暗号資産の払出(出庫)"}
_CUSTOMER_KIND = {"person": "個人", "entity": "法人", "address": "アドレス(顧客不明)", "unknown": "不明"}


def _reason(facts: CaseFacts) -> str:
    parts = [f"{a.explanation}(ルール {a.rule_id} v{a.rule_version}、重要度 {a.severity.value}、"
             f"スコア {a.score:.2f})" for a in facts.file.alerts]
    if facts.file.case.close_reason:
        parts.append(f"担当者所見: {facts.file.case.close_reason}")
    return "\n".join(parts)


def build(facts: CaseFacts, entity: ReportingEntity, *, submitted_at: datetime) -> dict[str, Any]:
    """The notification as nested Japanese-keyed fields (the JSON form)."""
    subject = facts.subject
    rp = entity.reporting_person
    return {
        "様式": "疑わしい取引の届出",
        "社内管理番号": facts.file.case.case_id,
        "届出日": submitted_at.astimezone(UTC).date().isoformat(),
        "届出事業者": {
            "名称": entity.name, "登録番号": entity.registration_number, "業態": entity.business_type,
            "所在地": entity.address,
            "担当者": {"氏名": f"{rp.last_name} {rp.first_name}", "部署": rp.department, "電話番号": rp.phone,
                      "電子メール": rp.email},
        },
        "顧客情報": {
            "区分": _CUSTOMER_KIND.get(subject.kind, "不明"),
            "顧客番号": subject.customer_id or subject.subject_id,
            "口座番号": subject.account_ids,
            "氏名・名称": subject.name, "フリガナ": subject.name_kana, "生年月日": subject.birth_date,
            "住所・所在地": subject.address, "職業・事業内容": subject.occupation,
            "国籍・設立国": subject.nationality or subject.country,
            "情報源": subject.sources,
        },
        "取引情報": [_transaction(t, entity) for t in facts.transfers],
        "疑わしい取引に該当すると判断した理由": _reason(facts),
        "該当ルール": sorted({a.rule_id for a in facts.file.alerts}),
        "備考": TIME_NOTE,
    }


def _transaction(t: TransferFact, entity: ReportingEntity) -> dict[str, Any]:
    return {
        "番号": t.event_id, "日時": t.occurred_at.isoformat(), "種別": _KIND.get(t.direction, t.direction),
        "暗号資産の種類": t.asset, "数量": format_btc(t.amount), "数量(最小単位)": t.amount,
        "円換算額": t.value_local, "トランザクションID": t.txid, "アウトプット番号": t.vout,
        "当社側アドレス": t.address if t.direction == "in" else None,
        "相手方アドレス": t.counterparty_addresses if t.direction == "in" else [t.address],
        "相手方交換業者": t.counterparty_vasp, "相手方国": t.counterparty_country,
        "該当ルール": list(dict.fromkeys(t.rule_ids)),
    }


def to_json(facts: CaseFacts, entity: ReportingEntity, *, submitted_at: datetime) -> str:
    return json.dumps(build(facts, entity, submitted_at=submitted_at), ensure_ascii=False, indent=2) + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(str(v) for v in value if v is not None)
    return str(value)


def to_csv(facts: CaseFacts, entity: ReportingEntity, *, submitted_at: datetime) -> str:
    """One row per transaction; starts with a BOM (write the result as UTF-8 as is)."""
    doc = build(facts, entity, submitted_at=submitted_at)
    office, customer = doc["届出事業者"], doc["顧客情報"]
    head = [
        doc["社内管理番号"], doc["届出日"], office["名称"], office["登録番号"], office["業態"], office["所在地"],
        office["担当者"]["氏名"], office["担当者"]["部署"], office["担当者"]["電話番号"],
        customer["区分"], customer["顧客番号"], customer["口座番号"], customer["氏名・名称"], customer["フリガナ"],
        customer["生年月日"], customer["住所・所在地"], customer["職業・事業内容"], customer["国籍・設立国"],
    ]
    tail = [doc["疑わしい取引に該当すると判断した理由"], doc["該当ルール"]]
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for tx in doc["取引情報"] or [None]:
        middle = [None] * 13 if tx is None else [
            tx["番号"], tx["日時"], tx["種別"], tx["暗号資産の種類"], tx["数量"], tx["数量(最小単位)"],
            tx["円換算額"], tx["トランザクションID"], tx["アウトプット番号"], tx["当社側アドレス"],
            tx["相手方アドレス"], tx["相手方交換業者"], tx["相手方国"]]
        writer.writerow([_cell(v) for v in [*head, *middle, *tail]])
    return out.getvalue()
