"""The party graph in the engine: parties, their names, identifiers, linking keys, listings and
relations, plus the warnings a load produced.

A load is one transaction: every loader hands over a :class:`LoadBatch`; :func:`save_batch`
replaces the rows of the parties and relations it carries (so loading a file twice changes
nothing), then checks the graph as a whole — owners that exist, stakes that add up — and rolls
everything back on the first problem. Cycles are legal (cross-holdings exist) but reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pyarrow as pa

from sanctrace.engine.base import Engine
from sanctrace.errors import EngineError, InputError
from sanctrace.model.party import Party, Relation, RelationType
from sanctrace.ownership.identifiers import normalize_identifier
from sanctrace.ownership.normalize import normalize_key

#: tolerance for "stakes add up to more than 100%" (rounded percentages in registers)
STAKE_TOLERANCE = 0.005

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS parties (
        party_id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, primary_name VARCHAR,
        is_customer BOOLEAN NOT NULL, jurisdiction VARCHAR, countries VARCHAR[], birth_date VARCHAR,
        incorporation_date VARCHAR, monthly_volume_minor BIGINT, volume_currency VARCHAR,
        source VARCHAR, record VARCHAR, loaded_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS party_names (
        party_id VARCHAR NOT NULL, full_name VARCHAR NOT NULL, form VARCHAR NOT NULL,
        name_type VARCHAR NOT NULL, script VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS party_identifiers (
        party_id VARCHAR NOT NULL, id_type VARCHAR NOT NULL, value VARCHAR NOT NULL,
        norm VARCHAR NOT NULL, country VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS party_keys (
        party_id VARCHAR NOT NULL, key_type VARCHAR NOT NULL, value VARCHAR NOT NULL, norm VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS party_listings (
        party_id VARCHAR NOT NULL, regime VARCHAR NOT NULL, program VARCHAR, source VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS party_relations (
        source_id VARCHAR NOT NULL, target_id VARCHAR NOT NULL, rel_type VARCHAR NOT NULL,
        share_min DOUBLE, share_max DOUBLE, start_date VARCHAR, end_date VARCHAR, role VARCHAR,
        origin VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS party_load_warnings (
        file VARCHAR, record VARCHAR, problem VARCHAR, loaded_at TIMESTAMP)""",
)


def ensure_schema(engine: Engine) -> None:
    if engine.name != "duckdb":
        # the party graph is small next to the chain; its SQL (recursive CTEs, lists) is DuckDB's
        raise EngineError(f"parties and ownership run on the DuckDB engine, not {engine.name}; "
                          "use --splink-backend spark for linking at scale")
    for statement in SCHEMA:
        engine.execute(statement)


@dataclass
class LoadWarning:
    file: str
    record: str
    problem: str


@dataclass
class LoadBatch:
    """What one file contributed. ``known_ids`` are ids the file refers to that another file or an
    earlier load must provide."""

    file: str
    parties: list[Party] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    warnings: list[LoadWarning] = field(default_factory=list)
    #: stakes over 100% are an error (a KYC file or one register's statement); False for data merged
    #: from many registers and dates (OpenSanctions FtM), where they are reported as warnings
    strict_stakes: bool = True


@dataclass
class LoadSummary:
    files: list[str]
    parties: int
    relations: int
    warnings: list[LoadWarning]


def _party_tables(parties: list[Party], now: datetime) -> dict[str, pa.Table]:
    rows: dict[str, list[dict[str, object]]] = {
        "parties": [], "party_names": [], "party_identifiers": [], "party_keys": [], "party_listings": [],
    }
    for p in parties:
        rows["parties"].append({
            "party_id": p.party_id, "kind": p.kind.value, "primary_name": p.primary_name,
            "is_customer": p.is_customer, "jurisdiction": p.jurisdiction, "countries": list(p.countries),
            "birth_date": p.birth_date, "incorporation_date": p.incorporation_date,
            "monthly_volume_minor": p.monthly_volume_minor, "volume_currency": p.volume_currency,
            "source": p.source, "record": p.record, "loaded_at": now,
        })
        seen_names: set[tuple[str, str, str]] = set()
        for n in p.names:
            marker = (n.full, n.form.value, n.name_type.value)
            if marker in seen_names:
                continue
            seen_names.add(marker)
            rows["party_names"].append({"party_id": p.party_id, "full_name": n.full, "form": n.form.value,
                                        "name_type": n.name_type.value, "script": n.script})
        for i in p.identifiers:
            rows["party_identifiers"].append({"party_id": p.party_id, "id_type": i.id_type, "value": i.value,
                                              "norm": normalize_identifier(i.id_type, i.value),
                                              "country": i.country})
        seen_keys: set[tuple[str, str]] = set()
        for k in p.keys:
            norm = normalize_key(k.key_type, k.value)
            if not norm or (k.key_type.value, norm) in seen_keys:
                continue
            seen_keys.add((k.key_type.value, norm))
            rows["party_keys"].append({"party_id": p.party_id, "key_type": k.key_type.value,
                                       "value": k.value, "norm": norm})
        for listing in p.listings:
            rows["party_listings"].append({"party_id": p.party_id, "regime": listing.regime,
                                           "program": listing.program, "source": listing.source})
    schemas = {
        "parties": pa.schema([("party_id", pa.string()), ("kind", pa.string()), ("primary_name", pa.string()),
                              ("is_customer", pa.bool_()), ("jurisdiction", pa.string()),
                              ("countries", pa.list_(pa.string())), ("birth_date", pa.string()),
                              ("incorporation_date", pa.string()), ("monthly_volume_minor", pa.int64()),
                              ("volume_currency", pa.string()), ("source", pa.string()),
                              ("record", pa.string()), ("loaded_at", pa.timestamp("us"))]),
        "party_names": pa.schema([("party_id", pa.string()), ("full_name", pa.string()), ("form", pa.string()),
                                  ("name_type", pa.string()), ("script", pa.string())]),
        "party_identifiers": pa.schema([("party_id", pa.string()), ("id_type", pa.string()),
                                        ("value", pa.string()), ("norm", pa.string()),
                                        ("country", pa.string())]),
        "party_keys": pa.schema([("party_id", pa.string()), ("key_type", pa.string()), ("value", pa.string()),
                                 ("norm", pa.string())]),
        "party_listings": pa.schema([("party_id", pa.string()), ("regime", pa.string()),
                                     ("program", pa.string()), ("source", pa.string())]),
    }
    return {name: pa.Table.from_pylist(rows[name], schema=schemas[name]) for name in rows}


def _relation_table(relations: list[Relation]) -> pa.Table:
    schema = pa.schema([("source_id", pa.string()), ("target_id", pa.string()), ("rel_type", pa.string()),
                        ("share_min", pa.float64()), ("share_max", pa.float64()), ("start_date", pa.string()),
                        ("end_date", pa.string()), ("role", pa.string()), ("origin", pa.string())])
    return pa.Table.from_pylist([{
        "source_id": r.source, "target_id": r.target, "rel_type": r.rel_type.value,
        "share_min": r.share_min, "share_max": r.share_max, "start_date": r.start_date,
        "end_date": r.end_date, "role": r.role, "origin": r.origin,
    } for r in relations], schema=schema)


def save_batches(engine: Engine, batches: list[LoadBatch], *, as_of: str | None = None) -> LoadSummary:
    """Write every batch in one transaction, then validate the whole graph (see module doc)."""
    ensure_schema(engine)
    now = datetime.now(UTC).replace(tzinfo=None)
    parties = [p for b in batches for p in b.parties]
    relations = [r for b in batches for r in b.relations]
    warnings = [w for b in batches for w in b.warnings]
    with engine.transaction():
        if parties:
            tables = _party_tables(parties, now)
            engine.register("_load_ids", pa.table({"party_id": [p.party_id for p in parties]}))
            for name in ("parties", "party_names", "party_identifiers", "party_keys", "party_listings"):
                engine.execute(f"DELETE FROM {name} WHERE party_id IN (SELECT party_id FROM _load_ids)")
                engine.register(f"_load_{name}", tables[name])
                engine.execute(f"INSERT INTO {name} BY NAME SELECT * FROM _load_{name}")
        if relations:
            engine.register("_load_relations", _relation_table(relations))
            engine.execute(
                "DELETE FROM party_relations r USING (SELECT DISTINCT source_id, target_id, rel_type "
                "FROM _load_relations) n WHERE r.source_id = n.source_id AND r.target_id = n.target_id "
                "AND r.rel_type = n.rel_type")
            engine.execute("INSERT INTO party_relations BY NAME SELECT * FROM _load_relations")
        _check_endpoints(engine)
        strict = {b.file for b in batches if b.strict_stakes}
        for problem, origins in _stake_problems(engine, as_of):
            if any(o.split(": ")[0] in strict for o in origins):
                raise InputError(f"{'; '.join(origins)}: {problem}")
            warnings.append(LoadWarning(origins[0].split(": ")[0], "; ".join(origins), problem))
        touched = {r.source for r in relations} | {r.target for r in relations}
        cycle_warnings = _cycle_warnings(engine, as_of, touched)
        warnings.extend(cycle_warnings)
        if warnings:
            engine.register("_load_warnings", pa.Table.from_pylist(
                [{"file": w.file, "record": w.record, "problem": w.problem, "loaded_at": now} for w in warnings],
                schema=pa.schema([("file", pa.string()), ("record", pa.string()), ("problem", pa.string()),
                                  ("loaded_at", pa.timestamp("us"))])))
            engine.execute("INSERT INTO party_load_warnings SELECT * FROM _load_warnings")
    return LoadSummary([b.file for b in batches], len(parties), len(relations), warnings)


def _check_endpoints(engine: Engine) -> None:
    row = engine.query_one(
        "SELECT r.origin, r.source_id, r.target_id, s.party_id IS NULL FROM party_relations r "
        "LEFT JOIN parties s ON s.party_id = r.source_id LEFT JOIN parties t ON t.party_id = r.target_id "
        "WHERE s.party_id IS NULL OR t.party_id IS NULL ORDER BY r.origin LIMIT 1")
    if row:
        origin, source_id, target_id, source_missing = row
        missing = source_id if source_missing else target_id
        raise InputError(f"{origin}: relation {source_id} -> {target_id} refers to party {missing!r}, "
                         "which is in no loaded file")


def active_clause(as_of: str | None, alias: str = "r") -> str:
    """SQL condition: the relation is in force on ``as_of`` (ISO date; today when None)."""
    if as_of:
        try:
            as_of = date.fromisoformat(as_of).isoformat()  # also keeps anything but a date out of the SQL
        except ValueError:
            raise InputError(f"--as-of {as_of!r} is not an ISO date (YYYY-MM-DD)") from None
    day = f"DATE '{as_of}'" if as_of else "current_date"
    return (f"(TRY_CAST({alias}.start_date AS DATE) IS NULL OR TRY_CAST({alias}.start_date AS DATE) <= {day}) "
            f"AND (TRY_CAST({alias}.end_date AS DATE) IS NULL OR TRY_CAST({alias}.end_date AS DATE) > {day})")


def _stake_problems(engine: Engine, as_of: str | None) -> list[tuple[str, list[str]]]:
    """Assets whose certain stakes (the minimum of each range) in force add up to more than 100%.
    Several records of one holder in one asset are reports of the same holding (sources overlap,
    registers repeat): the largest counts, as in the regimes."""
    out = []
    for rel_type in (RelationType.OWNERSHIP, RelationType.VOTING):
        for target, total, origins in engine.query(
            f"""WITH holdings AS (
                    SELECT source_id, target_id, max(share_min) AS share, list(origin ORDER BY origin) AS origins
                    FROM party_relations r WHERE rel_type = ? AND share_min IS NOT NULL AND {active_clause(as_of)}
                    GROUP BY source_id, target_id)
                SELECT target_id, sum(share), flatten(list(origins ORDER BY origins)) FROM holdings
                GROUP BY target_id HAVING sum(share) > ? ORDER BY target_id""",
            [rel_type.value, 1.0 + STAKE_TOLERANCE]):
            out.append((f"{rel_type.value} stakes in {target!r} add up to {total * 100:.2f}%, more than 100%",
                        [o for o in origins if o]))
    return out


def _cycle_warnings(engine: Engine, as_of: str | None, touched: set[str]) -> list[LoadWarning]:
    """Ownership cycles through the relations of this load (cycles found before are not repeated)."""
    from sanctrace.ownership.graph import ownership_cycles

    out = []
    for cycle, origins in ownership_cycles(engine, as_of):
        if touched.isdisjoint(cycle):
            continue
        out.append(LoadWarning(origins[0] if origins else "party_relations", " -> ".join(cycle),
                               f"ownership cycle through {len(cycle)} parties (computed to a fixed point)"))
    return out


def party_exists(engine: Engine, party_id: str) -> bool:
    if not engine.table_exists("parties"):
        return False
    return bool(engine.scalar("SELECT count(*) FROM parties WHERE party_id = ?", [party_id]))


def describe(engine: Engine, party_id: str) -> dict[str, object]:
    """Everything stored about one party (for ``parties show`` and the API)."""
    from sanctrace.errors import NotFound

    ensure_schema(engine)
    row = engine.query_one(
        "SELECT party_id, kind, primary_name, is_customer, jurisdiction, countries, birth_date, "
        "incorporation_date, monthly_volume_minor, volume_currency, source, record FROM parties WHERE party_id = ?",
        [party_id])
    if row is None:
        raise NotFound(f"party {party_id!r} is not loaded (sanctrace parties load ...)")
    keys = ("party_id", "kind", "name", "is_customer", "jurisdiction", "countries", "birth_date",
            "incorporation_date", "monthly_volume_minor", "volume_currency", "source", "record")
    out: dict[str, object] = dict(zip(keys, row, strict=True))
    out["names"] = [dict(zip(("full", "form", "name_type", "script"), r, strict=True)) for r in engine.query(
        "SELECT full_name, form, name_type, script FROM party_names WHERE party_id = ?", [party_id])]
    out["identifiers"] = [dict(zip(("id_type", "value", "country"), r, strict=True)) for r in engine.query(
        "SELECT id_type, value, country FROM party_identifiers WHERE party_id = ?", [party_id])]
    out["keys"] = [dict(zip(("key_type", "value", "norm"), r, strict=True)) for r in engine.query(
        "SELECT key_type, value, norm FROM party_keys WHERE party_id = ? ORDER BY 1, 2", [party_id])]
    out["listings"] = [dict(zip(("regime", "program", "source"), r, strict=True)) for r in engine.query(
        "SELECT regime, program, source FROM party_listings WHERE party_id = ? ORDER BY 1", [party_id])]
    cols = ("source_id", "target_id", "rel_type", "share_min", "share_max", "start_date", "end_date", "role",
            "origin")
    out["relations"] = [dict(zip(cols, r, strict=True)) for r in engine.query(
        f"SELECT {', '.join(cols)} FROM party_relations WHERE source_id = ? OR target_id = ? ORDER BY 1, 2",
        [party_id, party_id])]
    return out


def stats(engine: Engine) -> dict[str, object]:
    ensure_schema(engine)
    return {
        "parties": dict(engine.query("SELECT kind, count(*) FROM parties GROUP BY 1 ORDER BY 1")),
        "customers": engine.scalar("SELECT count(*) FROM parties WHERE is_customer"),
        "relations": dict(engine.query("SELECT rel_type, count(*) FROM party_relations GROUP BY 1 ORDER BY 1")),
        "listed_parties": dict(engine.query(
            "SELECT regime, count(DISTINCT party_id) FROM party_listings GROUP BY 1 ORDER BY 1")),
        "keys": dict(engine.query("SELECT key_type, count(*) FROM party_keys GROUP BY 1 ORDER BY 1")),
    }
