"""Fuzzy identity linking with Splink: the same person or company under different spellings (and
scripts — names are transliterated to Latin with ICU before comparison).

The model's m and u probabilities are fixed, not trained: they are stated below with their
reasoning, so every link is reproducible and explainable (the match weight of each level is
``log2(m/u)``) and a run costs no EM iterations. Only the prior (how likely two random records
match) is estimated from the data, because it falls with the size of the customer base. Blocking keeps the comparison
count near-linear: records are compared only when they share the first and last token of the
token-sorted name, or one of those tokens and the birth/incorporation date.

DuckDB is the default backend (a private in-memory connection; nothing of Splink's lands in the
sanctrace database); ``backend="spark"`` runs the same model on a Spark session for scale.
"""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from typing import Any

import pyarrow as pa
import pyarrow.compute

from sanctrace.engine.base import Engine
from sanctrace.ownership.networks import IDENTITY_SCHEMA
from sanctrace.ownership.store import ensure_schema

THRESHOLD = 0.9
#: share of true duplicates that keep the same transliterated name and birth date (for the prior)
DETERMINISTIC_RECALL = 0.8
MAX_PRIOR = 1e-3


@lru_cache(maxsize=1)
def _translit() -> Any:
    import icu

    return icu.Transliterator.createInstance("Russian-Latin/BGN; Any-Latin; Latin-ASCII; Lower")


def name_key(name: str) -> str:
    """Transliterated, lower-case, punctuation-free, tokens sorted (word order never matters)."""
    text = _translit().transliterate(unicodedata.normalize("NFKC", name))
    tokens = "".join(ch if ch.isalnum() else " " for ch in text).split()
    return " ".join(sorted(tokens))


def records_from_parties(engine: Engine) -> pa.Table:
    """One record per party: its primary name, birth or incorporation date, first country."""
    ensure_schema(engine)
    rows = engine.query(
        "SELECT party_id, primary_name, coalesce(birth_date, incorporation_date), "
        "coalesce(jurisdiction, countries[1]) FROM parties WHERE primary_name IS NOT NULL ORDER BY party_id")
    return build_records([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], [r[3] for r in rows])


def build_records(ids: list[str], names: list[str], births: list[str | None],
                  countries: list[str | None]) -> pa.Table:
    keys = [name_key(n) for n in names]
    first = [k.split(" ")[0] if k else None for k in keys]
    last = [k.split(" ")[-1] if k else None for k in keys]
    return pa.table({
        "unique_id": ids, "name": keys, "tok_first": first, "tok_last": last,
        "digits": ["".join(ch for ch in k if ch.isdigit()) for k in keys],
        "birth": [b[:10] if b else None for b in births], "country": [c.lower() if c else None for c in countries],
    })


def estimate_prior(records: pa.Table) -> float:
    """Probability that two random records match, estimated the way Splink's
    ``estimate_probability_two_random_records_match`` does: pairs that agree on a near-certain rule
    (same transliterated name and same birth/incorporation date), scaled up by the rule's assumed
    recall, over all pairs. At least one such pair is assumed, so tiny sets do not get a zero prior."""
    n = records.num_rows
    total = n * (n - 1) / 2
    if total <= 0:
        return MAX_PRIOR
    dated = records.filter(pa.compute.is_valid(records.column("birth")))
    groups = dated.group_by(["name", "birth"]).aggregate([("unique_id", "count")])
    counts = groups.column("unique_id_count").to_numpy()
    agreeing = float((counts * (counts - 1) / 2).sum())
    return float(min(max(agreeing, 1.0) / DETERMINISTIC_RECALL / total, MAX_PRIOR))


def _settings(prior: float) -> Any:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl
    from splink import SettingsCreator, block_on

    name = cl.CustomComparison(output_column_name="name", comparison_levels=[
        cll.NullLevel("name"),
        # exact (after transliteration and token sort): nearly every true pair, about 1 in 10^5 random pairs
        cll.ExactMatchLevel("name").configure(m_probability=0.85, u_probability=1e-5),
        # similar spelling *and* the same numbers: "Filler 1 Ltd" and "Filler 10 Ltd" are two companies
        cll.And(cll.JaroWinklerLevel("name", 0.92), cll.ExactMatchLevel("digits")).configure(
            m_probability=0.1, u_probability=1e-5),
        cll.And(cll.JaroWinklerLevel("name", 0.80), cll.ExactMatchLevel("digits")).configure(
            m_probability=0.04, u_probability=5e-3),
        cll.ElseLevel().configure(m_probability=0.01, u_probability=0.995),
    ])
    birth = cl.CustomComparison(output_column_name="birth", comparison_levels=[
        cll.NullLevel("birth"),
        # one in ~10^4 dates by chance; a true duplicate keeps its date unless mistyped
        cll.ExactMatchLevel("birth").configure(m_probability=0.9, u_probability=1e-4),
        cll.CustomLevel("substr(birth_l, 1, 4) = substr(birth_r, 1, 4)").configure(
            m_probability=0.08, u_probability=0.02),
        cll.ElseLevel().configure(m_probability=0.02, u_probability=0.98),
    ])
    country = cl.CustomComparison(output_column_name="country", comparison_levels=[
        cll.NullLevel("country"),
        cll.ExactMatchLevel("country").configure(m_probability=0.9, u_probability=0.3),
        cll.ElseLevel().configure(m_probability=0.1, u_probability=0.7),
    ])
    rules: list[Any] = [block_on("tok_first", "tok_last"), block_on("tok_first", "birth"),
                        block_on("tok_last", "birth")]
    return SettingsCreator(link_type="dedupe_only", comparisons=[name, birth, country],
                           blocking_rules_to_generate_predictions=rules,
                           probability_two_random_records_match=prior,
                           retain_intermediate_calculation_columns=False)


def predict(records: pa.Table, *, threshold: float = THRESHOLD, backend: str = "duckdb",
            spark: Any = None) -> pa.Table:
    """Scored pairs above ``threshold``: unique_id_l, unique_id_r, match_probability, name_l, name_r."""
    from splink import Linker

    if backend == "spark":
        from splink.backends.spark import SparkAPI

        if spark.sparkContext.getCheckpointDir() is None:  # Splink breaks lineage by checkpointing
            import tempfile

            spark.sparkContext.setCheckpointDir(tempfile.mkdtemp(prefix="sanctrace-splink-"))
        from splink.backends.spark import similarity_jar_location

        # Splink's string-similarity UDFs (jaro_winkler, ...) ship as a jar: add it to this session
        spark.sql(f"ADD JAR '{similarity_jar_location()}'")
        db_api: Any = SparkAPI(spark_session=spark)  # type: ignore[no-untyped-call]
        frame: Any = spark.createDataFrame(records.to_pylist())
        con = None
    else:
        import duckdb
        from splink.backends.duckdb import DuckDBAPI

        con = duckdb.connect(":memory:")
        db_api = DuckDBAPI(con)
        frame = records
    sdf = db_api.register(frame, dataset_display_name="parties")
    linker = Linker(sdf, _settings(estimate_prior(records)), log_level=None)
    result = linker.inference.predict(threshold_match_probability=threshold, warning_mode="never")
    columns = "unique_id_l, unique_id_r, match_probability, match_weight, name_l, name_r"
    if con is not None:
        table: pa.Table = con.sql(f"SELECT {columns} FROM {result.physical_name}").to_arrow_table()
        return table
    return pa.Table.from_pylist(result.as_record_list())


def link_parties(engine: Engine, *, threshold: float = THRESHOLD, backend: str = "duckdb",
                 spark: Any = None) -> int:
    """Find same-identity pairs among all loaded parties and store them (replacing earlier Splink
    links) in ``party_identity_links``. Returns the number of links."""
    records = records_from_parties(engine)
    engine.execute(IDENTITY_SCHEMA)
    pairs = predict(records, threshold=threshold, backend=backend, spark=spark) if records.num_rows > 1 else None
    rows = []
    if pairs is not None and pairs.num_rows:
        cols = pairs.to_pydict()
        for i in range(pairs.num_rows):
            rows.append({
                "party_a": cols["unique_id_l"][i], "party_b": cols["unique_id_r"][i],
                "probability": float(cols["match_probability"][i]), "method": "splink",
                "evidence": json.dumps({"name_l": cols["name_l"][i], "name_r": cols["name_r"][i],
                                        "match_weight": round(float(cols["match_weight"][i]), 3)},
                                       ensure_ascii=False),
            })
    table = pa.Table.from_pylist(rows, schema=pa.schema([
        ("party_a", pa.string()), ("party_b", pa.string()), ("probability", pa.float64()),
        ("method", pa.string()), ("evidence", pa.string())]))
    with engine.transaction():
        engine.execute("DELETE FROM party_identity_links WHERE method = 'splink'")
        engine.register("_identity_links", table)
        engine.execute("INSERT INTO party_identity_links SELECT * FROM _identity_links")
    return len(rows)
