"""The demo world's parties side: customers, companies, ownership and directorships, contact
points, accounts and planted schemes, generated deterministically from a seed.

The chain side (blocks, pools, deposits on chain) is in :mod:`sanctrace.demo.chain_world`; the
ledger in :mod:`sanctrace.demo.ledger_gen`. Every planted scheme records its subjects in
:class:`GroundTruth`, which the detection benchmark scores against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from sanctrace.demo import names
from sanctrace.model.list_entry import EntityKind, ListEntry

Size = Literal["small", "medium", "large"]
CUSTOMERS_BY_SIZE: dict[str, int] = {"small": 300, "medium": 100_000, "large": 1_000_000}
TRANSIT = ("SG", "CY", "AE", "HK")
RU_CITIES = ("Moscow", "Saint Petersburg", "Novosibirsk", "Krasnoyarsk", "Irkutsk", "Kemerovo", "Bratsk")
JP_CITIES = (("東京都港区", "Minato-ku, Tokyo"), ("大阪府大阪市北区", "Kita-ku, Osaka"),
             ("福岡県福岡市中央区", "Chuo-ku, Fukuoka"), ("北海道札幌市中央区", "Chuo-ku, Sapporo"))
REGISTERED_AGENT = {"SG": "1 Raffles Place #44-01, Singapore 048616",
                    "CY": "Arch. Makariou III 155, Limassol 3026, Cyprus",
                    "AE": "Office 1201, Business Bay, Dubai, UAE",
                    "HK": "Unit 2A, 15/F, 9 Queen's Road Central, Hong Kong"}


@dataclass
class Party:
    party_id: str
    kind: Literal["person", "company"]
    name: str
    local_name: str | None = None
    phonetic_name: str | None = None
    birth_date: str | None = None
    nationality: str | None = None
    country: str | None = None  # residence or registration
    address: str | None = None
    phone: str | None = None
    email: str | None = None
    incorporated: str | None = None
    registration_number: str | None = None
    is_customer: bool = False
    listed_entity_id: str | None = None  # the real list entry this party is, when planted so


@dataclass
class Edge:
    kind: Literal["ownership", "directorship"]
    owner_id: str  # owner or director
    asset_id: str  # owned company or company directed
    percentage: float | None = None
    role: str | None = None


@dataclass
class Account:
    account_id: str
    customer_id: str
    opened: str
    device: str
    ip: str
    ip_country: str
    bank_account: str


@dataclass
class GroundTruth:
    schemes: dict[str, set[str]] = field(default_factory=dict)  # scheme → customer ids
    notes: dict[str, str] = field(default_factory=dict)

    def plant(self, scheme: str, subject: str, note: str | None = None) -> None:
        self.schemes.setdefault(scheme, set()).add(subject)
        if note:
            self.notes.setdefault(scheme, note)


@dataclass
class PartiesWorld:
    parties: list[Party]
    edges: list[Edge]
    accounts: list[Account]
    truth: GroundTruth


class _Ids:
    def __init__(self) -> None:
        self.counters: dict[str, int] = {}

    def next(self, prefix: str) -> str:
        self.counters[prefix] = self.counters.get(prefix, 0) + 1
        return f"{prefix}{self.counters[prefix]:07d}"


def _phone(rng: np.random.Generator, country: str) -> str:
    digits = "".join(str(d) for d in rng.integers(0, 10, 9))
    return {"JP": f"+81 90 {digits[:4]} {digits[4:8]}",
            "RU": f"+7 9{digits[:2]} {digits[2:5]} {digits[5:7]} {digits[7:]}",
            "SG": f"+65 {digits[:8]}", "AE": f"+971 5{digits[:8]}", "HK": f"+852 {digits[:8]}",
            "CY": f"+357 9{digits[:7]}"}.get(country, f"+1 202 {digits[:7]}")


def _date(rng: np.random.Generator, start_year: int, end_year: int) -> str:
    year = int(rng.integers(start_year, end_year + 1))
    return f"{year:04d}-{int(rng.integers(1, 13)):02d}-{int(rng.integers(1, 29)):02d}"


def sanctioned_russians(entries: list[ListEntry], count: int, rng: np.random.Generator) -> list[ListEntry]:
    """Real RUSSIA-EO14024 individuals from the shipped SDN snapshot, chosen by seed."""
    pool = sorted(
        (e for e in entries
         if e.kind is EntityKind.PERSON and "RUSSIA-EO14024" in e.programs and e.birth_dates),
        key=lambda e: e.entity_id,
    )
    if len(pool) < count:
        raise ValueError("the list snapshot has too few RUSSIA-EO14024 individuals for the demo world")
    picks = rng.choice(len(pool), size=count, replace=False)
    return [pool[int(i)] for i in sorted(picks)]


def generate_parties(seed: int, size: Size, listed: list[ListEntry]) -> PartiesWorld:
    """Customers and companies with every planted parties-side scheme.

    ``listed`` are real sanctioned individuals (see :func:`sanctioned_russians`); at least 6.
    """
    rng = np.random.default_rng(seed)
    ids = _Ids()
    truth = GroundTruth()
    parties: list[Party] = []
    edges: list[Edge] = []
    n_customers = CUSTOMERS_BY_SIZE[size]

    def add(p: Party) -> Party:
        parties.append(p)
        return p

    # --- ordinary customers: mostly Japanese, some foreigners, a share of Russians -------------
    n_russian = max(12, n_customers // 25)
    n_foreign = max(10, n_customers // 12)
    for i in range(n_customers - n_russian - n_foreign):
        nm = names.japanese_person(rng)
        city = names_city(rng)
        add(Party(ids.next("C"), "person", nm.latin, nm.local, nm.phonetic, _date(rng, 1950, 2004), "JP",
                  "JP", f"{city[0]} {int(rng.integers(1, 9))}-{int(rng.integers(1, 30))}-{int(rng.integers(1, 20))}",
                  _phone(rng, "JP"), f"user{i}@example.jp", is_customer=True))
    for i in range(n_foreign):
        nm2, country = names.other_person(rng)
        add(Party(ids.next("C"), "person", nm2.latin, None, None, _date(rng, 1955, 2003), country, "JP",
                  f"{names_city(rng)[1]}, Japan", _phone(rng, "JP"), f"f{i}@example.com", is_customer=True))
    for i in range(n_russian):
        nm3 = names.russian_person(rng)
        ru_city = RU_CITIES[int(rng.integers(len(RU_CITIES)))]
        # Russian nexus signals vary: some live in Japan with only a +7 phone or a .ru e-mail.
        style = i % 4
        p = add(Party(ids.next("C"), "person", nm3.latin, nm3.local, None, _date(rng, 1960, 2002),
                      "RU" if style != 3 else "KZ", "RU" if style in (0, 1) else "JP",
                      f"{ru_city}, Russia" if style in (0, 1) else f"{names_city(rng)[1]}, Japan",
                      _phone(rng, "RU"), f"r{i}@{('mail.ru', 'yandex.ru', 'bk.ru', 'example.com')[style]}",
                      is_customer=True))
        truth.plant("russian_nexus_customers", p.party_id, "Russian nationality, residence, +7 phone or .ru e-mail")

    # --- a listed person opens an account under a Cyrillic or Japanese rendering of the name ----
    direct = listed[0]
    cyr = next((n.full for n in direct.names if n.script == "Cyrl"), None)
    p = add(Party(ids.next("C"), "person", cyr or direct.primary_name, None, None, direct.birth_dates[0],
                  "RU", "RU", "Moscow, Russia", _phone(rng, "RU"), "client@mail.ru", is_customer=True,
                  listed_entity_id=direct.entity_id))
    truth.plant("listed_customer", p.party_id, "a customer who is an OFAC-listed person under another script")
    truth.plant("russian_nexus_customers", p.party_id)

    # --- shell chains ending at real sanctioned Russians (OFAC 50% rule) ------------------------
    n_shells = max(3, n_customers // 100)
    for k in range(n_shells):
        oligarch = listed[1 + k % (len(listed) - 1)]
        owner = add(Party(ids.next("P"), "person", oligarch.primary_name, None, None, oligarch.birth_dates[0],
                          "RU", "RU", "Moscow, Russia", listed_entity_id=oligarch.entity_id))
        holding_country = ("CY", "AE")[k % 2]
        holding = add(Party(ids.next("E"), "company", names.foreign_company(rng, holding_country),
                            country=holding_country, address=REGISTERED_AGENT[holding_country],
                            incorporated=_date(rng, 2022, 2024),
                            registration_number=f"{holding_country}{int(rng.integers(10**6, 10**7))}"))
        shell_country = ("SG", "HK")[k % 2]
        shell = add(Party(ids.next("C"), "company", names.foreign_company(rng, shell_country),
                          country=shell_country, address=REGISTERED_AGENT[shell_country],
                          phone=_phone(rng, shell_country), email=f"ops{k}@{shell_country.lower()}-trade.com",
                          incorporated=_date(rng, 2023, 2025),
                          registration_number=f"{shell_country}{int(rng.integers(10**8, 10**9))}",
                          is_customer=True))
        if k % 3 == 2:
            # Aggregation: two blocked persons each below 50% together reach it through the holding.
            second = listed[1 + (k + 1) % (len(listed) - 1)]
            owner2 = add(Party(ids.next("P"), "person", second.primary_name, None, None,
                               second.birth_dates[0], "RU", "RU", listed_entity_id=second.entity_id))
            edges += [Edge("ownership", owner.party_id, holding.party_id, 30.0),
                      Edge("ownership", owner2.party_id, holding.party_id, 25.0)]
        else:
            edges.append(Edge("ownership", owner.party_id, holding.party_id, 55.0))
        edges.append(Edge("ownership", holding.party_id, shell.party_id, 60.0))
        nominee_jp = names.japanese_person(rng)
        director = add(Party(ids.next("P"), "person", nominee_jp.latin, nominee_jp.local, nominee_jp.phonetic,
                             _date(rng, 1960, 1990), "JP", "JP"))
        edges.append(Edge("directorship", director.party_id, shell.party_id, role="director"))
        truth.plant("shell_blocked_50pct", shell.party_id,
                    "transit-jurisdiction company ≥50% owned, indirectly, by OFAC-listed Russians")

    # --- nominee networks: one director and one registered address behind many companies --------
    n_networks = max(2, n_customers // 150)
    for k in range(n_networks):
        country = TRANSIT[k % len(TRANSIT)]
        nominee_name = names.other_person(rng)[0]
        nominee = add(Party(ids.next("P"), "person", nominee_name.latin, nationality="GB", country=country))
        for j in range(5):
            company = add(Party(ids.next("C"), "company", names.foreign_company(rng, country), country=country,
                                address=REGISTERED_AGENT[country] if j % 2 == 0 else f"Suite {100 + k}, {country}",
                                phone=_phone(rng, country) if j else _phone(rng, "RU"),
                                incorporated=_date(rng, 2024, 2025),
                                registration_number=f"{country}{int(rng.integers(10**8, 10**9))}",
                                is_customer=True))
            edges.append(Edge("directorship", nominee.party_id, company.party_id, role="director"))
            truth.plant("nominee_network", company.party_id,
                        "companies sharing a nominee director, a device and an address")
            if j == 0:  # the first company of each network is run from a Russian phone number
                truth.plant("russian_nexus_customers", company.party_id)

    accounts = _accounts(parties, rng, truth)
    return PartiesWorld(parties, edges, accounts, truth)


def names_city(rng: np.random.Generator) -> tuple[str, str]:
    return JP_CITIES[int(rng.integers(len(JP_CITIES)))]


def _accounts(parties: list[Party], rng: np.random.Generator, truth: GroundTruth) -> list[Account]:
    """One exchange account per customer; the nominee network shares a device and an IP."""
    accounts: list[Account] = []
    network_members = truth.schemes.get("nominee_network", set())
    shared_device = f"dev-{int(rng.integers(10**9)):09x}"
    for i, party in enumerate(p for p in parties if p.is_customer):
        russian = party.party_id in truth.schemes.get("russian_nexus_customers", set())
        ru_ip = russian and i % 2 == 0
        device = shared_device if party.party_id in network_members else f"dev-{int(rng.integers(10**12)):012x}"
        ip_country = "RU" if ru_ip else "JP"
        ip = (f"95.{int(rng.integers(24, 32))}.{int(rng.integers(256))}.{int(rng.integers(1, 255))}" if ru_ip
              else f"126.{int(rng.integers(256))}.{int(rng.integers(256))}.{int(rng.integers(1, 255))}")
        accounts.append(Account(f"A{party.party_id[1:]}", party.party_id, _date(rng, 2019, 2025), device, ip,
                                ip_country, f"JP-{int(rng.integers(10**6, 10**7))}-{i:07d}"))
    return accounts
