"""Which sanctions programs are "Russia programs" (the regimes the FSA order is about).

OFAC tags Russia-related designations RUSSIA-EO14024/14065/14066/14068/14071,
UKRAINE-EO13660/13661/13662/13685, CAATSA - RUSSIA and PEESA-EO14039 (the definition the
shared data's SOURCES.md counts with). Other sources name their regimes differently: EU FSF uses
programme codes RUS and UKR, the UK list the regime "Russia", OpenSanctions program ids such as
US-RUSHAR, EU-RUS or GB-RUS, and the Japanese METI lists are Russia export bans by definition.
"""

from __future__ import annotations

_OFAC_EXACT = frozenset({
    "UKRAINE-EO13660", "UKRAINE-EO13661", "UKRAINE-EO13662", "UKRAINE-EO13685",
    "CAATSA - RUSSIA", "PEESA-EO14039",
})
_OTHER_EXACT = frozenset({
    "RUS", "UKR",  # EU FSF programme codes
    "RUSSIA",  # UK regime
    "US-RUSHAR", "US-CAATSA", "US-UKRRUS-REL", "EU-RUS", "EU-UKR", "GB-RUS",  # OpenSanctions ids
})
_PREFIXES = ("RUSSIA-EO", "JP-METI-RU", "THE RUSSIA (SANCTIONS)")


def is_russia_program(program: str) -> bool:
    text = program.strip().upper().removeprefix("BPI-")  # blocked pending investigation
    return text in _OFAC_EXACT or text in _OTHER_EXACT or text.startswith(_PREFIXES)
