"""Pool files: every real format parses, and the matcher follows address-then-tag precedence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sanctrace.chain.pools import match_pool, parse_pool_file, pool_rules
from sanctrace.errors import InputError


@pytest.fixture(scope="module")
def rules(shared_data: Path):  # type: ignore[no-untyped-def]
    pools = shared_data / "chain" / "pools"
    files = ["mempool_pools-v2.json", "bitcoin-data_pool-list.json", "bitcoin-data_pools.json", "btccom_pools.json"]
    return pool_rules([parse_pool_file(pools / f) for f in files])


def test_formats_parse(shared_data: Path) -> None:
    pools = shared_data / "chain" / "pools"
    legacy = parse_pool_file(pools / "bitcoin-data_pools.json")
    listed = parse_pool_file(pools / "bitcoin-data_pool-list.json")
    mempool = parse_pool_file(pools / "mempool_pools-v2.json")
    btccom = parse_pool_file(pools / "btccom_pools.json")
    assert len(listed) == 148 and len(mempool) == 168
    assert len({p.name for p in legacy}) == 148 and len({p.name for p in btccom}) == 141
    assert sum(len(p.addresses) for p in legacy) == 200 and sum(len(p.tags) for p in legacy) == 171
    assert all(p.tags_are_regex for p in mempool) and not any(p.tags_are_regex for p in listed)
    emcd = next(p for p in listed if p.name == "EMCDPool")
    assert emcd.jurisdiction == "RU" and "1BDbsWi3Mrcjp1wdop3PWFNCNZtu4R7Hjy" in emcd.addresses


def test_address_beats_tag(rules) -> None:  # type: ignore[no-untyped-def]
    # 300025: coinbase says "Mined by gabc" (no tag match), payout address is F2Pool's.
    hit = match_pool("Mined by gabc", ["1KFHE7w8BhaENAswwryaoccDb6qcT6DbYY"], rules)
    assert hit is not None and hit.pool == "F2Pool" and hit.kind == "address"
    # an address rule wins over a tag naming another pool
    hit = match_pool("/slush/", ["1CjPR7Z5ZSyWk6WtXvSFgkptmpoi4UM9BC"], rules)
    assert hit is not None and hit.pool == "GHash.IO"


def test_tag_and_unknown(rules) -> None:  # type: ignore[no-untyped-def]
    hit = match_pool("\x03\xfcq\x03/slush/", ["1NotAPoolAddressxxxxxxxxxxxxxxxxx"], rules)
    assert hit is not None and hit.pool == "Braiins Pool" and hit.kind in ("tag", "regex")
    assert match_pool("nothing here", ["1NotAPoolAddressxxxxxxxxxxxxxxxxx"], rules) is None


def test_regex_tags(tmp_path: Path) -> None:
    path = tmp_path / "pools-v2.json"
    path.write_text(json.dumps([{"id": 1, "name": "Rx", "addresses": [], "tags": ["^/R[0-9]+x/"], "link": ""}]))
    rules = pool_rules([parse_pool_file(path)])
    assert match_pool("/R42x/ more", [], rules) is not None
    assert match_pool("xx /R42x/", [], rules) is None  # anchored regex, not a substring


def test_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "pools.json"
    bad.write_text('{"coinbase_tags": {"/x/": {"link": "l"}}}')
    with pytest.raises(InputError, match=r"pools.json: coinbase_tags./x/.name"):
        parse_pool_file(bad)
    broken = tmp_path / "broken.json"
    broken.write_text('{"coinbase_tags": ')
    with pytest.raises(InputError, match="not JSON"):
        parse_pool_file(broken)
    rx = tmp_path / "mempool-pools-v2.json"
    rx.write_text(json.dumps([{"name": "Bad", "addresses": [], "tags": ["(unclosed"]}]))
    with pytest.raises(InputError, match="bad tag regex"):
        parse_pool_file(rx)
