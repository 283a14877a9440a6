"""A sanctions-list entry as every loader produces it and every consumer reads it.

The source's own id is kept and prefixed by the source (``ofac:36456``, ``un:6908000``,
``eu:13``, ``uk:RUS0001``, ``jp-meti:ru-12``, ``os:NK-...``) so an analyst can find the entry in
the official publication.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class EntityKind(StrEnum):
    PERSON = "person"
    ORGANIZATION = "organization"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"
    UNKNOWN = "unknown"


class NameType(StrEnum):
    PRIMARY = "primary"
    AKA = "aka"
    FKA = "fka"
    NKA = "nka"
    LOW_QUALITY = "low_quality"  # OFAC "weak" a.k.a., UN "Low" quality alias, UK weak alias


@dataclass(frozen=True, slots=True)
class EntryName:
    full: str
    name_type: NameType = NameType.PRIMARY
    script: str = "Latn"  # ISO 15924: Latn, Cyrl, Arab, Hani, Jpan, Kore, ...
    language: str | None = None  # ISO 639 where the source says


@dataclass(frozen=True, slots=True)
class PostalAddress:
    text: str
    city: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2 where resolvable


@dataclass(frozen=True, slots=True)
class Identifier:
    id_type: str  # "passport", "national_id", "tax_id", "registration", "imo", "swift", ...
    value: str
    country: str | None = None


@dataclass(frozen=True, slots=True)
class CryptoAddress:
    currency: str  # OFAC code: XBT, ETH, USDT, TRX, LTC, XMR, ...
    address: str  # as published; normalisation happens at match time


@dataclass(frozen=True, slots=True)
class EntryRelation:
    relation: str  # "owned_or_controlled_by", "associate_of", "family_member_of", "leader_of", ...
    target_id: str  # prefixed id of the related entry


@dataclass(slots=True)
class ListEntry:
    entity_id: str
    source: str
    source_id: str
    kind: EntityKind
    names: list[EntryName] = field(default_factory=list)
    birth_dates: list[str] = field(default_factory=list)  # ISO 8601, partial allowed: "1952", "1952-10"
    nationalities: list[str] = field(default_factory=list)  # ISO alpha-2, nationality and citizenship
    countries: list[str] = field(default_factory=list)  # any other country link (residence, address)
    addresses: list[PostalAddress] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    crypto_addresses: list[CryptoAddress] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    listed_on: str | None = None  # ISO date of designation
    relations: list[EntryRelation] = field(default_factory=list)
    remarks: str | None = None

    @property
    def primary_name(self) -> str:
        for name in self.names:
            if name.name_type is NameType.PRIMARY:
                return name.full
        return self.names[0].full if self.names else self.entity_id
