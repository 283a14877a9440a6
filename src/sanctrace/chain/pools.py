"""Mining-pool definitions: read the public pool files and turn them into matching rules.

Four formats exist in the wild and all describe the same thing — which coinbase text and which
payout address identify which pool:

* bitcoin-data / btccom *legacy*: ``{"coinbase_tags": {tag: {name, link}},
  "payout_addresses": {address: {name, link}}}`` — tags are plain substrings;
* bitcoin-data *list*: ``[{id, name, addresses[], tags[], link}]`` — tags are plain substrings;
* mempool *pools-v2*: the list shape, but tags are regular expressions.

A block is attributed by payout address first (an address is hard to fake, a coinbase tag is
free text anyone can write), then by coinbase tag; a block that matches nothing stays unknown.
Rules keep the order of the files they came from: the first file given wins a tie.

Jurisdictions are not in any pool file. ``POOL_JURISDICTIONS`` records the few that matter for
the Russian mining nexus (pools run from Russia); users extend it with CSV tags.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sanctrace.errors import InputError

RuleKind = Literal["address", "tag", "regex"]

# Pools operated from Russia (public facts: EMCD was founded and is run in Russia; Bitcoin-Russia.ru
# is a Russian pool; Innopolis Tech is based in the Innopolis special economic zone, Tatarstan).
POOL_JURISDICTIONS: dict[str, str] = {
    "EMCDPool": "RU",
    "BitcoinRussia": "RU",
    "Innopolis Tech": "RU",
}


@dataclass(frozen=True, slots=True)
class Pool:
    name: str
    link: str | None
    addresses: tuple[str, ...]
    tags: tuple[str, ...]
    tags_are_regex: bool
    source: str

    @property
    def jurisdiction(self) -> str | None:
        return POOL_JURISDICTIONS.get(self.name)


@dataclass(frozen=True, slots=True)
class PoolRule:
    """One way to recognise a pool. ``priority`` orders rules: lower wins."""

    priority: int
    kind: RuleKind
    pattern: str
    pool: str
    link: str | None
    source: str
    jurisdiction: str | None


def _text(value: Any, path: str, where: str) -> str:
    if not isinstance(value, str) or not value:
        raise InputError.at(path, where, f"expected a non-empty string, got {value!r}")
    return value


def _legacy(data: dict[str, Any], path: str) -> list[Pool]:
    by_name: dict[str, dict[str, Any]] = {}
    for section, key in (("payout_addresses", "addresses"), ("coinbase_tags", "tags")):
        entries = data.get(section, {})
        if not isinstance(entries, dict):
            raise InputError.at(path, section, "expected an object")
        for pattern, info in entries.items():
            if not isinstance(info, dict):
                raise InputError.at(path, f"{section}.{pattern}", "expected an object with name and link")
            name = _text(info.get("name"), path, f"{section}.{pattern}.name")
            pool = by_name.setdefault(name, {"link": info.get("link"), "addresses": [], "tags": []})
            pool[key].append(pattern)
    return [
        Pool(name, v["link"], tuple(v["addresses"]), tuple(v["tags"]), False, path)
        for name, v in by_name.items()
    ]


def _listed(data: list[Any], path: str, regex: bool) -> list[Pool]:
    pools: list[Pool] = []
    for index, item in enumerate(data):
        where = f"pool #{index}"
        if not isinstance(item, dict):
            raise InputError.at(path, where, "expected an object")
        name = _text(item.get("name"), path, f"{where}.name")
        addresses = item.get("addresses") or []
        tags = item.get("tags") or []
        if not isinstance(addresses, list) or not isinstance(tags, list):
            raise InputError.at(path, f"{where} ({name})", "addresses and tags must be lists")
        if regex:
            for tag in tags:
                try:
                    re.compile(tag)
                except re.error as exc:
                    raise InputError.at(path, f"{where} ({name})", f"bad tag regex {tag!r}: {exc}") from exc
        pools.append(
            Pool(name, item.get("link"), tuple(map(str, addresses)), tuple(map(str, tags)), regex, path)
        )
    return pools


def parse_pool_file(path: Path | str, *, regex: bool | None = None) -> list[Pool]:
    """Read one pool file in any of the known formats.

    ``regex=None`` guesses: mempool's ``pools-v2`` files carry regex tags, the others substrings.
    """
    p = Path(path)
    try:
        data = json.loads(p.read_bytes())
    except OSError as exc:
        raise InputError.at(str(p), None, f"cannot read: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise InputError.at(str(p), f"line {exc.lineno}", f"not JSON: {exc.msg}") from exc
    if isinstance(data, dict) and ("coinbase_tags" in data or "payout_addresses" in data):
        return _legacy(data, str(p))
    if isinstance(data, list):
        is_regex = ("pools-v2" in p.name or "mempool" in p.name) if regex is None else regex
        return _listed(data, str(p), is_regex)
    raise InputError.at(str(p), None, "not a pool file (expected coinbase_tags/payout_addresses or a list)")


def is_pool_file(path: Path) -> bool:
    """Cheap sniff used by ``tags load`` to route pool files here."""
    if path.suffix.lower() != ".json":
        return False
    try:
        head = path.read_bytes()[:4096].decode("utf-8", "replace")
    except OSError:
        return False
    return '"coinbase_tags"' in head or '"payout_addresses"' in head or (
        head.lstrip().startswith("[") and '"tags"' in head and '"addresses"' in head
    )


def pool_rules(pools_per_file: list[list[Pool]]) -> list[PoolRule]:
    """Flatten pools into ordered rules: all addresses of all files first, then all tags."""
    rules: list[PoolRule] = []
    for pools in pools_per_file:
        for pool in pools:
            for address in pool.addresses:
                rules.append(PoolRule(0, "address", address, pool.name, pool.link, pool.source,
                                      pool.jurisdiction))
    for pools in pools_per_file:
        for pool in pools:
            kind: RuleKind = "regex" if pool.tags_are_regex else "tag"
            for tag in pool.tags:
                rules.append(PoolRule(0, kind, tag, pool.name, pool.link, pool.source, pool.jurisdiction))
    return [
        PoolRule(i, r.kind, r.pattern, r.pool, r.link, r.source, r.jurisdiction) for i, r in enumerate(rules)
    ]


def match_pool(coinbase_text: str, payout_addresses: list[str], rules: list[PoolRule]) -> PoolRule | None:
    """Reference matcher for one block (the set-wise SQL in ``attribution`` must agree with it)."""
    addresses = set(payout_addresses)
    for rule in rules:
        if rule.kind == "address":
            if rule.pattern in addresses:
                return rule
        elif rule.kind == "tag":
            if rule.pattern in coinbase_text:
                return rule
        elif re.search(rule.pattern, coinbase_text):
            return rule
    return None


def attribute_block(engine: Any, block_id: int) -> Any:
    """The pool of a stored block (see :func:`sanctrace.chain.attribution.block_pool`)."""
    from sanctrace.chain.attribution import block_pool

    return block_pool(engine, block_id)
