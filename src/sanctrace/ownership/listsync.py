"""Bring loaded sanctions-list entries into the party graph, so list-side relations (OFAC "Owned or
Controlled By", "Leader or official of", family, associates) join the same graph as the
exchange's customers and the ownership edges from FtM/BODS/CSV.

Each entry becomes a party with its prefixed list id (``ofac:36456``) and a listing for the regime of
its source. "Owned or Controlled By" carries no percentage in the lists: it becomes an
``owned_or_controlled`` edge with the unknown range 0–100%, which makes the owned party *possibly*
blocked, never certainly — the listed party is, in practice, designated itself.
"""

from __future__ import annotations

from sanctrace.engine.base import Engine
from sanctrace.model.list_entry import EntityKind, ListEntry
from sanctrace.model.list_entry import NameType as EntryNameType
from sanctrace.model.party import (
    KeyType,
    Listing,
    NameForm,
    NameType,
    Party,
    PartyIdentifier,
    PartyKey,
    PartyKind,
    PartyName,
    Relation,
    RelationType,
)
from sanctrace.ownership.store import LoadBatch, LoadSummary, LoadWarning, save_batches

_KINDS = {EntityKind.PERSON: PartyKind.PERSON, EntityKind.ORGANIZATION: PartyKind.ORGANIZATION,
          EntityKind.VESSEL: PartyKind.VESSEL, EntityKind.AIRCRAFT: PartyKind.AIRCRAFT,
          EntityKind.UNKNOWN: PartyKind.UNKNOWN}
_NAME_TYPES = {EntryNameType.PRIMARY: NameType.LEGL, EntryNameType.AKA: NameType.ALIA,
               EntryNameType.FKA: NameType.FORMER, EntryNameType.NKA: NameType.ALIA,
               EntryNameType.LOW_QUALITY: NameType.MISC}
_RELATIONS = {"associate_of": RelationType.ASSOCIATE, "family_member_of": RelationType.FAMILY,
              "leader_of": RelationType.DIRECTOR}


def regime_of_source(source: str) -> str:
    source = source.lower()
    if source.startswith("jp"):
        return "jp"
    return source if source in ("ofac", "eu", "uk", "un") else "other"


def entry_to_party(entry: ListEntry) -> Party:
    names = []
    for n in entry.names:
        form = NameForm.LEGAL if n.script == "Latn" else NameForm.PHONETIC if n.script == "Kana" else NameForm.LOCAL
        names.append(PartyName(n.full, form, _NAME_TYPES.get(n.name_type, NameType.MISC), n.script))
    regime = regime_of_source(entry.source)
    listings = [Listing(regime, p, f"list {entry.source}") for p in entry.programs] or \
        [Listing(regime, None, f"list {entry.source}")]
    keys = [PartyKey(KeyType.ADDRESS, a.text) for a in entry.addresses if a.text]
    keys += [PartyKey(KeyType.WALLET, f"{c.currency}:{c.address}") for c in entry.crypto_addresses]
    return Party(
        party_id=entry.entity_id, kind=_KINDS.get(entry.kind, PartyKind.UNKNOWN), names=names,
        identifiers=[PartyIdentifier(i.id_type, i.value, i.country) for i in entry.identifiers],
        keys=keys, listings=listings, countries=sorted(set(entry.nationalities) | set(entry.countries)),
        birth_date=entry.birth_dates[0] if entry.birth_dates else None, source=f"list:{entry.source}",
        record=f"list {entry.source}: {entry.source_id}")


def sync_lists(engine: Engine, entries: list[ListEntry] | None = None) -> LoadSummary:
    """Replace the list-side parties with ``entries`` (default: the current list snapshots).
    Idempotent: syncing twice leaves the same rows."""
    if entries is None:
        from sanctrace.lists.store import load_entries

        entries = load_entries(engine)
    batch = LoadBatch("lists")
    ids = {e.entity_id for e in entries}
    for entry in entries:
        batch.parties.append(entry_to_party(entry))
        for rel in entry.relations:
            origin = f"list {entry.source}: {entry.source_id}"
            if rel.target_id not in ids:
                batch.warnings.append(LoadWarning("lists", origin, f"{rel.relation} -> {rel.target_id}: target "
                                                  "not in the loaded lists; edge skipped"))
                continue
            if rel.target_id == entry.entity_id:
                continue
            if rel.relation == "owned_or_controlled_by":
                batch.relations.append(Relation(rel.target_id, entry.entity_id, RelationType.OWNED_OR_CONTROLLED,
                                                0.0, 1.0, None, None, "Owned or Controlled By", origin))
            else:
                batch.relations.append(Relation(entry.entity_id, rel.target_id,
                                                _RELATIONS.get(rel.relation, RelationType.ASSOCIATE),
                                                None, None, None, None, rel.relation, origin))
    return save_batches(engine, [batch])
