"""Splink on Spark gives the same links and probabilities as on DuckDB (engine parity)."""

from __future__ import annotations

from typing import Any

import pytest

from sanctrace.ownership.linking import build_records, predict


@pytest.mark.spark
@pytest.mark.slow
def test_spark_matches_duckdb(spark: Any) -> None:
    records = build_records(
        ["a", "b", "c", "d", "e"],
        ["Aleksandr Zakharov", "ЗАХАРОВ Александр", "Ivan Petrov", "PETROV, Ivann", "Filler 10 Ltd"],
        ["1965-09-21", "1965-09-21", "1980-02-01", "1980-02-01", None],
        ["ru", "ru", None, "kz", "sg"])
    on_duckdb = predict(records).to_pydict()
    on_spark = predict(records, backend="spark", spark=spark).to_pydict()
    pairs = {(a, b): p for a, b, p in zip(on_duckdb["unique_id_l"], on_duckdb["unique_id_r"],
                                          on_duckdb["match_probability"], strict=True)}
    assert set(pairs) == {("a", "b"), ("c", "d")}
    spark_pairs = {(a, b): p for a, b, p in zip(on_spark["unique_id_l"], on_spark["unique_id_r"],
                                                on_spark["match_probability"], strict=True)}
    assert set(spark_pairs) == set(pairs)
    for key, p in pairs.items():
        assert spark_pairs[key] == pytest.approx(p, rel=1e-6)
