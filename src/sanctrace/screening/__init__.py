"""Cross-script screening of names and wallets against sanctions-list entries.

Public API::

    from sanctrace.screening import Screener, CustomerRecord
    screener = Screener.from_engine(engine)            # or Screener(entries, list_version)
    result = screener.screen(CustomerRecord(id="c1", name="ウラジーミル・プーチン", kind="person"))
    result.matches[0].entity_id, result.matches[0].score, result.matches[0].features
    result.russia_nexus                                 # every Russia connection, listed or not

``match_names(a, b, kind)`` scores two bare names (the pairwise form the benchmarks use).
"""

from sanctrace.screening.matcher import FEATURES, Feature, match_names
from sanctrace.screening.nexus import NexusReason, russia_nexus
from sanctrace.screening.records import CustomerRecord, Match, ScreeningResult, read_customers
from sanctrace.screening.screener import DEFAULT_THRESHOLD, Screener

__all__ = [
    "DEFAULT_THRESHOLD",
    "FEATURES",
    "CustomerRecord",
    "Feature",
    "Match",
    "NexusReason",
    "Screener",
    "ScreeningResult",
    "match_names",
    "read_customers",
    "russia_nexus",
]
