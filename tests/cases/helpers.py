"""Alerts shaped like the ones monitoring produces, for the cases and reports tests."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sanctrace.model.alert import Alert

# A real mainnet transaction (block 170: the first bitcoin transfer, Satoshi → Hal Finney) so the
# txid and addresses have the shapes FIUs will see; the story around it is invented test data.
TXID = "f4184fc596403b9d638783cf57adfe4c75c605f6356fbc91338530e9831e9e16"
FROM_ADDRESS = "12cbQLTFMXRnSzktFkuoG3eHoMeFtpTu3S"
TO_ADDRESS = "1Q2TWHE3GMdB6BZKafqwxXtWAWgFt5Jvm3"


def mining_alert(subject: str = "cust-0001", event: str = "dep-0001", score: float = 0.82,
                 severity: str = "critical", **evidence: Any) -> Alert:
    ev: dict[str, Any] = {
        "transfer": {"event_id": event, "account_id": "acc-0001", "txid": TXID, "vout": 0, "address": TO_ADDRESS,
                     "from_address": FROM_ADDRESS, "amount_sat": 1_000_000_000, "direction": "in",
                     "asset": "BTC", "value_jpy": 1_450_000_000},
        "exposure": {"russia_mining_share": 0.82, "hops": 2},
        "paths": [[
            {"from": "pool:BitRiver coinbase", "to": FROM_ADDRESS, "value_sat": 5_000_000_000, "txid": "a" * 64},
            {"from": FROM_ADDRESS, "to": TO_ADDRESS, "value_sat": 1_000_000_000, "txid": TXID},
        ]],
        "heuristics": ["coinbase_attribution", "common_input_ownership"],
    }
    ev.update(evidence)
    return Alert(
        rule_id="deposit_russia_mining_exposure", rule_version="3", severity=severity,  # type: ignore[arg-type]
        subject_type="customer", subject_id=subject, event_id=event,  # type: ignore[arg-type]
        occurred_at=datetime(2025, 3, 14, 9, 26, 53, tzinfo=UTC), score=score,
        explanation="82% of the deposit traces to coinbase outputs of a Russian-nexus mining pool within 2 hops",
        evidence=ev, created_at=datetime(2025, 3, 14, 9, 27, 0, tzinfo=UTC),
    )


def listed_alert(subject: str = "cust-0001", event: str = "screen-0001") -> Alert:
    return Alert(
        rule_id="customer_owner_listed", rule_version="1", severity="high",  # type: ignore[arg-type]
        subject_type="customer", subject_id=subject, event_id=event,  # type: ignore[arg-type]
        occurred_at=datetime(2025, 3, 10, 0, 0, tzinfo=UTC), score=0.91,
        explanation="beneficial owner matches an OFAC SDN entry (RUSSIA-EO14024)",
        evidence={
            "list_entry": {"entity_id": "ofac:36456", "name": "BITRIVER AG", "programs": ["RUSSIA-EO14024"]},
            "list_version": "ofac@2025-11-19",
            "ownership_path": [{"from": "ofac:36456", "to": "party:cyprus-holdco", "share": 0.6},
                               {"from": "party:cyprus-holdco", "to": "cust-0001", "share": 0.55}],
        },
        created_at=datetime(2025, 3, 10, 0, 5, tzinfo=UTC),
    )
