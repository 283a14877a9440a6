"""The screener: list entries in, an index built once, customers screened against it.

``Screener(entries, list_version)`` parses every name of every entry (all aliases, all scripts)
once, builds the blocking index and the wallet table, and then answers ``screen(record)`` by
scoring only the blocked candidates with the declared features of :mod:`matcher`. Every match
carries the entry id, the list name that matched, its score and features, the entry's programs
and the list version, so the answer can be defended later against the list it came from.

Kinds: a person query is compared with person (and unknown) entries only, a company query with
organisations; a person never matches a company on name alone. Wallets match exactly, whatever
the name says.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from sanctrace.engine import Engine
from sanctrace.model.list_entry import EntityKind, ListEntry
from sanctrace.screening.countries import country_code
from sanctrace.screening.index import NameIndex
from sanctrace.screening.matcher import (
    FEATURES,
    Evidence,
    Feature,
    MatchContext,
    NameComparison,
    compare_names,
    score,
)
from sanctrace.screening.nexus import russia_nexus
from sanctrace.screening.normalize import ParsedName, parse_name
from sanctrace.screening.records import CustomerRecord, Match, ScreeningResult
from sanctrace.screening.wallets import normalize_address, split_wallets

# Chosen on the evaluation sets (benchmarks/screening.py): the best F1 on the name bench while
# keeping recall on the UN positives and alerts on the synthetic negatives within target.
DEFAULT_THRESHOLD = 0.7
DEFAULT_CANDIDATES = 10

_PERSON_KINDS = frozenset({EntityKind.PERSON.value, EntityKind.UNKNOWN.value})
_ORG_KINDS = frozenset({EntityKind.ORGANIZATION.value, EntityKind.UNKNOWN.value})
_CJK_SCRIPTS = frozenset({"Jpan", "Kana", "Hani"})
_ID_CLEAN = re.compile(r"[\s\-./]")
_raw_parse = parse_name.__wrapped__  # list names bypass the query cache


@dataclass(frozen=True, slots=True)
class _IndexedName:
    entry: int
    text: str
    parsed: ParsedName


def _identifier_key(value: str) -> str:
    return _ID_CLEAN.sub("", value).upper()


def _birth_date(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    text = value.strip().replace("/", "-").replace(".", "-")
    match = re.match(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?", text)
    if match is None:
        match_dmy = re.match(r"^(\d{1,2})-(\d{1,2})-(\d{4})$", text)
        if match_dmy is None:
            return ()
        return (f"{match_dmy[3]}-{int(match_dmy[2]):02d}-{int(match_dmy[1]):02d}",)
    year, month, day = match[1], match[2], match[3]
    if month and day:
        return (f"{year}-{int(month):02d}-{int(day):02d}",)
    if month:
        return (f"{year}-{int(month):02d}",)
    return (year,)


_WORKER_SCREENER: Screener | None = None


def _screen_in_worker(record: CustomerRecord) -> ScreeningResult:
    assert _WORKER_SCREENER is not None
    return _WORKER_SCREENER.screen(record)


class Screener:
    """Screen names and wallets against one set of list entries (one list version)."""

    def __init__(self, entries: Sequence[ListEntry], list_version: str, *,
                 threshold: float = DEFAULT_THRESHOLD, features: tuple[Feature, ...] = FEATURES,
                 candidates: int = DEFAULT_CANDIDATES) -> None:
        self.entries = list(entries)
        self.list_version = list_version
        self.threshold = threshold
        self.features = features
        self.candidate_limit = candidates
        self._names: list[_IndexedName] = []
        self._wallets: dict[str, list[tuple[int, str, str]]] = {}
        self._evidence: list[Evidence] = []
        for idx, entry in enumerate(self.entries):
            is_person = entry.kind is EntityKind.PERSON
            is_org = entry.kind not in (EntityKind.PERSON, EntityKind.UNKNOWN)
            seen: set[str] = set()
            for name in entry.names:
                if name.full in seen or not name.full.strip():
                    continue
                seen.add(name.full)
                parsed = _raw_parse(name.full, is_org, is_person)
                if not parsed.empty:
                    self._names.append(_IndexedName(idx, name.full, parsed))
            for crypto in entry.crypto_addresses:
                key = normalize_address(crypto.address)
                self._wallets.setdefault(key, []).append((idx, crypto.currency, crypto.address))
            self._evidence.append(Evidence(
                birth_dates=tuple(d for raw in entry.birth_dates for d in _birth_date(raw)),
                nationalities=frozenset(c.upper() for c in entry.nationalities if c),
                identifiers=frozenset(_identifier_key(i.value) for i in entry.identifiers if i.value),
            ))
        self.index = NameIndex([n.parsed for n in self._names])
        kinds = [self.entries[n.entry].kind.value for n in self._names]
        self._person_mask = np.asarray([k in _PERSON_KINDS for k in kinds], dtype=np.float32)
        self._org_mask = np.asarray([k in _ORG_KINDS for k in kinds], dtype=np.float32)

    @classmethod
    def from_engine(cls, engine: Engine, snapshot_ids: Sequence[int] | None = None,
                    **options: object) -> Screener:
        """Build from the list snapshots stored in ``engine`` (the current ones by default)."""
        from sanctrace.lists.store import list_version, load_entries

        entries = load_entries(engine, snapshot_ids)
        return cls(entries, list_version(engine, snapshot_ids), **options)  # type: ignore[arg-type]

    @property
    def name_count(self) -> int:
        return len(self._names)

    def screen_name(self, name: str, kind: str = "unknown") -> ScreeningResult:
        return self.screen(CustomerRecord(id=name, name=name, kind=kind))

    def screen_many(self, records: Iterable[CustomerRecord], workers: int = 1,
                    chunk: int = 64) -> Iterator[ScreeningResult]:
        """Screen records in order. ``workers > 1`` forks that many processes sharing this index
        (copy-on-write, no rebuild); results still come back in input order."""
        if workers <= 1 or not hasattr(os, "fork"):
            for record in records:
                yield self.screen(record)
            return
        import multiprocessing

        global _WORKER_SCREENER
        _WORKER_SCREENER = self
        context = multiprocessing.get_context("fork")
        with context.Pool(workers) as pool:
            yield from pool.imap(_screen_in_worker, records, chunksize=chunk)
        _WORKER_SCREENER = None

    def screen(self, record: CustomerRecord) -> ScreeningResult:
        matches = self._name_matches(record)
        for wallet_match in self._wallet_matches(record):
            existing = next((m for m in matches if m.entity_id == wallet_match.entity_id), None)
            if existing is None:
                matches.append(wallet_match)
            else:
                existing.score = 1.0
                existing.matched_on = "name+wallet"
                existing.features.update(wallet_match.features)
        matches.sort(key=lambda m: (-m.score, m.entity_id))
        nexus = russia_nexus(
            nationality=record.nationality, country=record.country, document_country=record.document_country,
            phone=record.phone, email=record.email, address=record.address, ip_country=record.ip_country,
        )
        return ScreeningResult(id=record.id, matches=matches, russia_nexus=nexus)

    def _parse_query(self, record: CustomerRecord) -> tuple[ParsedName, bool]:
        kind = record.kind
        if kind == "person":
            return parse_name(record.name, False, True), False
        if kind in ("company", "vessel", "aircraft"):
            return parse_name(record.name, True, False), True
        parsed = parse_name(record.name, False, False)
        if parsed.legal_forms:  # "Argut OOO" without a kind column is a company
            return parse_name(record.name, True, False), True
        return parsed, False

    def _query_evidence(self, record: CustomerRecord) -> Evidence:
        nationalities = set()
        for value in (record.nationality, record.document_country):
            for part in re.split(r"[;,|/]+", value or ""):
                code = country_code(part)
                if code:
                    nationalities.add(code)
        return Evidence(
            birth_dates=_birth_date(record.birth_date),
            nationalities=frozenset(nationalities),
            identifiers=frozenset({_identifier_key(record.id_number)}) if record.id_number else frozenset(),
        )

    def _name_matches(self, record: CustomerRecord) -> list[Match]:
        query, query_is_org = self._parse_query(record)
        if query.empty:
            return []
        if record.kind == "person":
            mask = self._person_mask
        elif query_is_org:
            mask = self._org_mask
        else:
            mask = None
        evidence = self._query_evidence(record)
        best: dict[int, tuple[float, dict[str, float], str]] = {}
        seen: dict[tuple[object, ...], NameComparison] = {}
        # A Japanese (or Chinese) organisation name shares only sounds and translated generic words
        # with the Latin one, so its blocking score is flatter: look further down the list.
        japanese = query_is_org and query.script in _CJK_SCRIPTS  # persons: names are not translated
        limit = self.candidate_limit * (5 if japanese else 1)
        for name_id in self.index.candidates(query, limit, mask, translated=japanese):
            item = self._names[name_id]
            entry = self.entries[item.entry]
            is_org = query_is_org or entry.kind not in (EntityKind.PERSON, EntityKind.UNKNOWN)
            # Aliases often parse to the same tokens ("PUTIN, Vladimir" / "Putin Vladimir"): compare once.
            key = (is_org, item.parsed.script, item.parsed.legal_forms, tuple(f.tokens for f in item.parsed.forms))
            comparison = seen.get(key)
            if comparison is None:
                comparison = seen[key] = compare_names(query, item.parsed, is_org)
            ctx = MatchContext(query, item.parsed, comparison, evidence, self._evidence[item.entry])
            value, fired = score(ctx, self.features)
            previous = best.get(item.entry)
            if previous is None or value > previous[0]:
                best[item.entry] = (value, fired, item.text)
        matches: list[Match] = []
        for entry_idx, (value, fired, text) in best.items():
            if value < self.threshold:
                continue
            entry = self.entries[entry_idx]
            matches.append(Match(
                entity_id=entry.entity_id, name=text, score=round(value, 4), features=fired,
                programs=list(entry.programs), list_version=self.list_version, kind=entry.kind.value,
            ))
        return matches

    def _wallet_matches(self, record: CustomerRecord) -> list[Match]:
        matches: list[Match] = []
        for wallet in split_wallets(record.wallet):
            for entry_idx, currency, published in self._wallets.get(normalize_address(wallet), []):
                entry = self.entries[entry_idx]
                matches.append(Match(
                    entity_id=entry.entity_id, name=f"{currency} {published}", score=1.0,
                    features={"wallet_exact": 1.0}, programs=list(entry.programs),
                    list_version=self.list_version, kind=entry.kind.value, matched_on="wallet",
                ))
        return matches
