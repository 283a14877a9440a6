"""A small ledger in which every rule of the mission pack has something to find, and its signals.

Expected hits are written down next to the data (``EXPECTED``) so tests check each rule against
events chosen by hand, not against whatever the engine happens to return.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from sanctrace.chain.address import script_address
from sanctrace.engine.base import Engine
from sanctrace.monitoring.signal_schema import ensure_signal_tables

# The data below names addresses and transactions by readable labels; what is written and inserted are
# real, valid Bitcoin addresses and 64-hex txids derived from them (decisions refuse malformed ones).
ADDRESS_LABELS = ("1SanctionedAddr", "bc1qcluster", "1GarantexHot", "bc1qclean",
                  "bc1qdep1", "bc1qdep2", "bc1qdep3", "bc1qdep4", "bc1qdep6")
TX_LABELS = ("t_mining", "t_clean", "t_sanct", "t_ru", "t_listed", "t_never_traced")


def _address(label: str) -> str:
    address = script_address(b"\x00\x14" + hashlib.sha256(label.encode()).digest()[:20])
    assert address is not None
    return address


REAL: dict[str, str] = {**{label: _address(label) for label in ADDRESS_LABELS},
                        **{label: hashlib.sha256(label.encode()).hexdigest() for label in TX_LABELS}}
_LABEL = re.compile(r"\b(" + "|".join(map(re.escape, REAL)) + r")\b")


def real(text: str) -> str:
    """The text with every label replaced by its real address or txid."""
    return _LABEL.sub(lambda m: REAL[m.group(1)], text)


FILES: dict[str, str] = {
    "accounts.csv": """account_id,customer_id,customer_name,customer_type,country,opened_at,expected_monthly_volume_jpy
A1,C1,Ivan Petrov,person,RU,2025-01-01T00:00:00Z,1000000
A2,C2,Lion Gate Trading Pte Ltd,company,SG,2026-04-20T00:00:00Z,500000
A3,C3,Taro Yamada,person,JP,2024-01-01T00:00:00Z,
A4,C4,Hanako Suzuki,person,JP,2024-01-01T00:00:00Z,
A5,C5,Kenji Sato,person,JP,2024-01-01T00:00:00Z,
A6,C6,Pavel Listed,person,JP,2024-01-01T00:00:00Z,
""",
    "deposits.csv": """event_id,ts,account_id,asset,amount,txid,vout,address,value_jpy
D1,2026-05-01T10:00:00Z,A3,BTC,50000000,t_mining,0,bc1qdep3,5000000
D2,2026-05-02T09:00:00Z,A2,BTC,100000000,t_clean,1,bc1qdep2,10000000
D3,2026-05-03T08:00:00Z,A4,BTC,1000,t_sanct,0,bc1qdep4,100
D4,2026-05-04T12:00:00Z,A1,BTC,200000,t_ru,0,bc1qdep1,20000
D5,2026-05-05T01:00:00Z,A6,BTC,300000,t_listed,2,bc1qdep6,30000
""",
    "withdrawals.csv": """event_id,ts,account_id,asset,amount,address,txid,value_jpy
W1,2026-05-02T11:00:00Z,A2,BTC,90000000,1SanctionedAddr,,9000000
W2,2026-05-06T10:00:00Z,A3,BTC,1000000,bc1qcluster,,100000
W3,2026-05-07T10:00:00Z,A5,BTC,2000000,1GarantexHot,,200000
W4,2026-05-08T10:00:00Z,A3,BTC,1000000,bc1qclean,,100000
""",
    "fiat.csv": """event_id,ts,account_id,direction,currency,amount,counterparty_name,counterparty_country
F1,2026-05-01T09:00:00+09:00,A4,in,JPY,1900000,Hanako Suzuki,JP
F2,2026-05-03T09:00:00+09:00,A4,in,JPY,1950000,Hanako Suzuki,JP
F3,2026-05-05T09:00:00+09:00,A4,in,JPY,1990000,Hanako Suzuki,JP
""",
    "logins.csv": """event_id,ts,account_id,ip,device_id
L1,2026-05-01T00:00:00Z,A3,203.0.113.5,dev-X
L2,2026-05-02T00:00:00Z,A4,203.0.113.6,dev-X
L3,2026-05-03T00:00:00Z,A5,203.0.113.7,dev-X
""",
    "travel_rule.csv": "event_id,ts,account_id,transfer_event_id,direction,originator_name,beneficiary_name,"
    """counterparty_vasp,counterparty_vasp_country
T1,2026-05-07T10:00:00Z,A5,W3,out,Kenji Sato,Ivan Ivanov,Garantex Europe,RU
""",
    "internal_transfers.csv": """event_id,ts,account_id,to_account_id,asset,amount,value_jpy
I1,2026-05-04T13:00:00Z,A1,A3,BTC,1000,100
""",
    "trades.csv": """event_id,ts,account_id,side,base_asset,base_amount,quote_asset,quote_amount
TR1,2026-05-04T14:00:00Z,A6,buy,BTC,1000,JPY,100
""",
}

EXPECTED: dict[str, set[str]] = {
    "RU-MINING-EXPOSURE": {"D1"},
    "SANCTIONED-EXPOSURE": {"D3", "W1"},
    "LISTED-OR-BLOCKED-CUSTOMER": {"D5", "TR1"},
    "SCREENING-POTENTIAL-MATCH": {"W3"},
    "RUSSIA-NEXUS": {"D4", "I1"},
    "TRANSIT-CORP-OUT-OF-PROFILE": {"D2", "W1"},
    "PASS-THROUGH": {"W1"},
    "STRUCTURING": {"F3"},
    "SHARED-DEVICE-OR-IP": {"L3"},
    "WITHDRAWAL-SANCTIONED-CLUSTER": {"W1", "W2"},  # W1: the sanctioned address is in its own cluster
    "WITHDRAWAL-RU-NEXUS-CLUSTER": {"W1", "W3"},
    "TRAVEL-RULE-RU-VASP": {"T1"},
}


def write_world(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in FILES.items():
        path = folder / name
        path.write_text(real(text), encoding="utf-8")
        paths.append(path)
    return paths


def insert_signals(engine: Engine) -> None:
    ensure_signal_tables(engine)
    engine.execute(
        "INSERT INTO signal_customers (customer_id, russia_nexus, nexus_reason, listed, list_entry, list_name, "
        "screening_hit, screening_score) VALUES "
        "('C1', true, 'resident of RU', NULL, NULL, NULL, NULL, NULL), "
        "('C6', false, NULL, true, 'ofac:99999', 'SDN', true, 1.0), "
        "('C5', false, NULL, false, 'ofac:12345', 'SDN', true, 0.82)")
    engine.execute(real(
        "INSERT INTO signal_addresses (address, sanctioned, sanction_entity, russia_nexus, label, cluster_id, "
        "cluster_sanctioned, cluster_russia_nexus, cluster_label) VALUES "
        "('1SanctionedAddr', true, 'Garantex Europe OU', true, 'garantex', 'cl-0', true, true, 'Garantex'), "
        "('bc1qcluster', false, NULL, false, NULL, 'cl-1', true, false, 'Hydra Market cluster'), "
        "('1GarantexHot', false, NULL, true, 'garantex', NULL, false, false, NULL)"))
    engine.execute(real(
        "INSERT INTO signal_deposits (txid, vout, mining_ru_share, mining_share, sanctioned_share, hops, max_hops) "
        "VALUES ('t_mining', 0, 0.4, 0.9, 0.0, 2, 3), ('t_sanct', 0, 0.0, 0.0, 0.05, 1, 3), "
        "('t_clean', 1, 0.0, 0.0, 0.0, NULL, 3)"))
