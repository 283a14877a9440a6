"""Typed settings, read from the environment (prefix ``SANCTRACE_``) and CLI options.

A :class:`Settings` object is created once at the entry point (CLI or API) and passed down;
nothing reads the environment at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_LIST_URLS: dict[str, str] = {
    "ofac": "https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/SDN_ADVANCED.XML",
    "un": "https://scsanctions.un.org/resources/xml/en/consolidated.xml",
    "eu": "https://webgate.ec.europa.eu/fsd/fsf/public/files/xmlFullSanctionsList_1_1/content",
    "uk": "https://sanctionslist.fcdo.gov.uk/docs/UK-Sanctions-List.xml",
}


class Settings(BaseSettings):
    """Every knob sanctrace has. Override with ``SANCTRACE_<NAME>`` or the CLI's global options."""

    model_config = SettingsConfigDict(env_prefix="SANCTRACE_", extra="ignore")

    db: Path = Field(default=Path("sanctrace.duckdb"), description="DuckDB database file")
    engine: Literal["duckdb", "spark"] = "duckdb"
    spark_master: str = "local[*]"
    spark_warehouse: Path = Field(default=Path("sanctrace-spark"), description="Parquet dir for Spark runs")
    # Extra Spark properties, e.g. SANCTRACE_SPARK_CONF='{"spark.driver.memory": "16g"}' for a large world on
    # one machine; they override the defaults in engine/spark_engine.py.
    spark_conf: dict[str, str] = Field(default_factory=dict)
    threads: int = 0  # 0: let DuckDB decide
    memory_limit: str | None = None

    screening_threshold: float = 0.75
    screening_max_matches: int = 10

    # monitoring decisions: exposure shares at or above freeze_share freeze/block, above hold_share hold
    decision_ruleset: str = "mission"
    decision_freeze_share: float = 0.25
    decision_hold_share: float = 0.0
    decision_unknown_exposure: Literal["credit", "hold"] = "credit"
    decision_port: int = 8765

    list_urls: dict[str, str] = Field(default_factory=lambda: dict(DEFAULT_LIST_URLS))
    http_timeout_s: float = 60.0
    max_download_bytes: int = 512 * 1024 * 1024

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    api_max_body_bytes: int = 10 * 1024 * 1024
    api_max_upload_bytes: int = 256 * 1024 * 1024  # list files and case attachments
    api_report_entity: Path | None = None  # reporting-entity profile (JSON/YAML) for STRs served by the API
    # Decisions' audit events: "commit" answers after the event is committed (default), "queued" once it
    # is queued for the next group commit (lower latency; a crash can lose the last few milliseconds).
    api_decision_audit: Literal["commit", "queued"] = "commit"
    # How long a Python thread may hold the GIL before another may take it (CPython's default: 5 ms).
    # The server's audit writer thread works while the event loop answers; with 5 ms, every handover
    # back to the loop could cost up to 5 ms (sequential decisions p50 18 ms vs 2.4 ms at 0.5 ms).
    api_gil_switch_interval_ms: float = Field(default=0.5, gt=0, le=100)
    api_rate_limit_per_minute: int = 6000
