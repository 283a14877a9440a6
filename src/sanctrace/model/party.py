"""A party of the exchange's world (customer, director, shareholder, beneficial owner, list entry)
and the relations between parties that ownership and network analysis read.

Names follow IVMS101: a natural or legal person has a *legal* name set, a *local* name set (the
name in its own script, e.g. Kanji) and a *phonetic* name set (e.g. Katakana), each name with a
type code (``LEGL``, ``ALIA``, ``BIRT``, ``MAID``, ``SHRT``, ``TRAD``, ``MISC``). Percentages are
fractions in [0, 1] with a minimum and a maximum, so a BODS range ("between 25% and 50%") and an
exact figure (min == max) share one representation; an unknown stake is [0, 1].
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class PartyKind(StrEnum):
    PERSON = "person"
    COMPANY = "company"
    ORGANIZATION = "organization"
    LEGAL_ENTITY = "legal_entity"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"
    UNKNOWN = "unknown"

    @property
    def is_natural(self) -> bool:
        return self is PartyKind.PERSON


class NameForm(StrEnum):
    """Which IVMS101 name-identifier set a name belongs to."""

    LEGAL = "legal"
    LOCAL = "local"
    PHONETIC = "phonetic"


class NameType(StrEnum):
    """IVMS101 name type codes (natural: LEGL ALIA BIRT MAID MISC; legal: LEGL SHRT TRAD)."""

    LEGL = "LEGL"
    ALIA = "ALIA"
    BIRT = "BIRT"
    MAID = "MAID"
    SHRT = "SHRT"
    TRAD = "TRAD"
    FORMER = "FORM"  # former name (FtM previousName, BODS "former"): not in IVMS101, kept apart
    MISC = "MISC"


class RelationType(StrEnum):
    """Edges of the party graph. Only OWNERSHIP and VOTING carry a percentage."""

    OWNERSHIP = "ownership"  # shares / proprietary rights
    VOTING = "voting"  # voting rights (may differ from shares)
    BOARD_APPOINTMENT = "board_appointment"  # right to appoint or remove a majority of the board
    DOMINANT_INFLUENCE = "dominant_influence"  # dominant influence / other control
    DIRECTOR = "director"
    REPRESENTATIVE_DIRECTOR = "representative_director"  # 代表取締役 and equivalents
    JOINT_ARRANGEMENT = "joint_arrangement"  # two holders act together (UK aggregation)
    FAMILY = "family"
    ASSOCIATE = "associate"
    OWNED_OR_CONTROLLED = "owned_or_controlled"  # list-side "Owned or Controlled By", share unknown

    @property
    def has_share(self) -> bool:
        return self in (RelationType.OWNERSHIP, RelationType.VOTING, RelationType.OWNED_OR_CONTROLLED)

    @property
    def is_control(self) -> bool:
        return self in (RelationType.BOARD_APPOINTMENT, RelationType.DOMINANT_INFLUENCE)


class KeyType(StrEnum):
    """Attributes that link parties into networks when two parties share the same value."""

    ADDRESS = "address"
    PHONE = "phone"
    EMAIL = "email"
    DEVICE = "device"
    IP = "ip"
    BANK_ACCOUNT = "bank_account"
    WALLET = "wallet"


@dataclass(frozen=True, slots=True)
class PartyName:
    full: str
    form: NameForm = NameForm.LEGAL
    name_type: NameType = NameType.LEGL
    script: str = "Latn"  # ISO 15924


@dataclass(frozen=True, slots=True)
class PartyIdentifier:
    id_type: str  # "jp_corporate_number", "lei", "registration", "tax_id", "passport", "national_id", ...
    value: str
    country: str | None = None


@dataclass(frozen=True, slots=True)
class PartyKey:
    key_type: KeyType
    value: str  # as given; the normalised form is computed on load


@dataclass(frozen=True, slots=True)
class Listing:
    """The party is designated. ``regime`` is ofac/eu/uk/jp/un, or ``any`` when the source does not
    say which authority listed it (such a listing counts for every regime)."""

    regime: str
    program: str | None = None
    source: str | None = None


@dataclass(slots=True)
class Party:
    party_id: str
    kind: PartyKind
    names: list[PartyName] = field(default_factory=list)
    identifiers: list[PartyIdentifier] = field(default_factory=list)
    keys: list[PartyKey] = field(default_factory=list)
    listings: list[Listing] = field(default_factory=list)
    is_customer: bool = False
    jurisdiction: str | None = None  # ISO 3166-1 alpha-2 (registration country for companies)
    countries: list[str] = field(default_factory=list)  # nationality, residence, other links
    birth_date: str | None = None
    incorporation_date: str | None = None
    monthly_volume_minor: int | None = None  # declared or observed monthly volume, minor units
    volume_currency: str | None = None
    source: str = ""
    record: str = ""  # file and record that produced it, for evidence

    @property
    def primary_name(self) -> str:
        for name in self.names:
            if name.form is NameForm.LEGAL and name.name_type is NameType.LEGL:
                return name.full
        return self.names[0].full if self.names else self.party_id


@dataclass(frozen=True, slots=True)
class Relation:
    """``source`` holds/directs/controls ``target`` (owner → asset, director → company)."""

    source: str
    target: str
    rel_type: RelationType
    share_min: float | None = None  # fraction in [0, 1]
    share_max: float | None = None
    start_date: str | None = None
    end_date: str | None = None
    role: str | None = None
    origin: str = ""  # "file: record" for evidence and error messages
