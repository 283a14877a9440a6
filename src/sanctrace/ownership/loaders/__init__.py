"""Party loaders by format, picked from the file's content (not only its name), and the one entry
point :func:`load_paths` that loads any mix of files in a single transaction."""

from __future__ import annotations

from pathlib import Path

from sanctrace.engine.base import Engine
from sanctrace.errors import InputError
from sanctrace.ownership.loaders.bods import load_bods
from sanctrace.ownership.loaders.csv_loader import load_csv
from sanctrace.ownership.loaders.ftm import load_ftm
from sanctrace.ownership.store import LoadBatch, LoadSummary, save_batches


def detect_format(path: Path) -> str:
    """``csv``, ``ftm`` or ``bods`` from the first bytes of the file."""
    try:
        with path.open("rb") as handle:
            head = handle.read(4096).decode("utf-8-sig", errors="replace").lstrip()
    except OSError as exc:
        raise InputError(f"{path}: cannot open: {exc.strerror}") from exc
    if head.startswith("["):
        return "bods"
    if head.startswith("{"):
        first = head.splitlines()[0]
        if '"recordType"' in first or '"statementType"' in first or '"recordDetails"' in head[:2000]:
            return "bods"
        return "ftm"
    if head:
        return "csv"
    raise InputError(f"{path}: empty file")


_LOADERS = {"csv": load_csv, "ftm": load_ftm, "bods": load_bods}


def read_path(path: Path, fmt: str | None = None) -> LoadBatch:
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    kind = fmt or detect_format(path)
    if kind not in _LOADERS:
        raise InputError(f"{path}: unknown format {kind!r} (csv, ftm, bods)")
    return _LOADERS[kind](path)


def load_paths(engine: Engine, paths: list[Path], *, fmt: str | None = None,
               as_of: str | None = None) -> LoadSummary:
    """Parse every file, then write them all in one transaction (all or nothing). Parties files
    are written before relations files, whatever the order on the command line."""
    batches = [read_path(p, fmt) for p in paths]
    batches.sort(key=lambda b: 0 if b.parties else 1)
    return save_batches(engine, batches, as_of=as_of)
