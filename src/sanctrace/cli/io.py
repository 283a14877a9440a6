"""Streaming input/output for commands: ``-`` is stdin/stdout, JSON lines for many records."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table

from sanctrace.errors import InputError


def to_jsonable(value: Any) -> Any:
    """Dataclasses, pydantic models, enums, dates and paths → plain JSON values."""
    if is_dataclass(value) and not isinstance(value, type):
        return to_jsonable(asdict(value))
    if hasattr(value, "model_dump"):
        return to_jsonable(value.model_dump(mode="json"))
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [to_jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def dumps(value: Any, *, indent: int | None = None) -> str:
    return json.dumps(to_jsonable(value), ensure_ascii=False, indent=indent, sort_keys=False)


@contextmanager
def open_input(path: str, *, encoding: str = "utf-8-sig") -> Iterator[TextIO]:
    """Open a text input; ``-`` is stdin. A missing file is a user error, not a traceback."""
    if path == "-":
        yield sys.stdin
        return
    try:
        handle = open(path, encoding=encoding, newline="")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(f"{path}: cannot open: {exc.strerror}") from exc
    with handle:
        yield handle


@contextmanager
def open_output(path: str) -> Iterator[TextIO]:
    """Open a text output; ``-`` is stdout. Files are written to a temp name and renamed on success,
    so an interrupted run never leaves a half-written result."""
    if path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    tmp = target.with_name(f".{target.name}.partial")
    try:
        handle = open(tmp, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror}") from exc
    try:
        with handle:
            yield handle
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    tmp.replace(target)


def write_jsonl(records: Iterable[Any], out: TextIO) -> int:
    count = 0
    for record in records:
        out.write(dumps(record))
        out.write("\n")
        count += 1
    return count


def emit(value: Any, fmt: str = "json") -> None:
    """Print one result: ``json`` (indented), ``jsonl`` (one line per record) or ``table``."""
    if fmt == "jsonl" and isinstance(value, list):
        write_jsonl(value, sys.stdout)
        return
    if fmt == "table":
        print_table(value)
        return
    sys.stdout.write(dumps(value, indent=2) + "\n")


def print_table(value: Any, title: str | None = None) -> None:
    rows = to_jsonable(value)
    if isinstance(rows, dict):
        rows = [{"key": k, "value": v} for k, v in rows.items()]
    if not isinstance(rows, list) or not rows:
        Console().print(dumps(rows, indent=2))
        return
    table = Table(title=title)
    columns = list(rows[0].keys())
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(*(_cell(row.get(c)) for c in columns))
    Console().print(table)


def _cell(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else str(value)
