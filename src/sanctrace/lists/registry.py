"""Registry of list formats: each parser registers itself by name with a ``detect`` and a ``parse``.

Built-in formats use the same path a plugin would (``register_format``), so ``lists load`` can
auto-detect any file without knowing the parsers. Detection looks at the file name and the first
decompressed bytes only; the first format whose ``detect`` says yes wins, in registration order.
"""

from __future__ import annotations

import codecs
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sanctrace.errors import ListSourceError
from sanctrace.lists.sourcefile import read_head
from sanctrace.lists.types import ParsedList

Detect = Callable[[Path, bytes], bool]
Parse = Callable[[Sequence[Path]], ParsedList]


@dataclass(frozen=True, slots=True)
class ListFormat:
    name: str  # "ofac_advanced_xml"
    source: str  # the source prefix its entries get ("ofac")
    detect: Detect
    parse: Parse  # takes one file, or for multi-file formats the whole set
    multi_file: bool = False  # True: all detected files of this format in one load form one publication
    description: str = ""


_FORMATS: dict[str, ListFormat] = {}


def register_format(fmt: ListFormat) -> ListFormat:
    _FORMATS[fmt.name] = fmt
    return fmt


def formats() -> list[ListFormat]:
    _load_builtins()
    return list(_FORMATS.values())


def get_format(name: str) -> ListFormat:
    _load_builtins()
    if name in _FORMATS:
        return _FORMATS[name]
    by_source = [fmt for fmt in _FORMATS.values() if fmt.source == name]
    if len(by_source) == 1:
        return by_source[0]
    known = ", ".join(sorted(_FORMATS))
    raise ListSourceError(f"unknown list format {name!r} (known: {known})")


def detect_format(path: Path, source_hint: str | None = None) -> ListFormat:
    """The format of ``path``; ``source_hint`` (a format name or a source) narrows the candidates."""
    _load_builtins()
    if not path.exists():
        raise ListSourceError.at(str(path), None, "no such file")
    if not path.is_file():
        raise ListSourceError.at(str(path), None, "not a file (give the list files themselves)")
    head = read_head(path)
    candidates = list(_FORMATS.values())
    if source_hint:
        candidates = [f for f in candidates if source_hint in (f.name, f.source)]
        if not candidates:
            known = sorted({f.source for f in _FORMATS.values()} | set(_FORMATS))
            raise ListSourceError(f"unknown list source {source_hint!r} (known sources and formats: "
                                  f"{', '.join(known)})")
    for fmt in candidates:
        if fmt.detect(path, head):
            return fmt
    names = ", ".join(f.name for f in candidates)
    raise ListSourceError.at(str(path), None, f"unknown list format (tried: {names}){_not_utf8(head)}")


def _not_utf8(head: bytes) -> str:
    """A hint when detection failed because the text is not UTF-8 (e.g. a list re-saved as Latin-1)."""
    if b"\0" in head:  # binary (an unknown archive, a spreadsheet): no text hint
        return ""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)  # a cut-off last char is fine
    except UnicodeDecodeError as exc:
        return f"; the file is not UTF-8 text (byte {exc.start}): re-save it as UTF-8"
    return ""


_LOADED = False
# Order matters: the first format whose detect() accepts a file wins.
_BUILTINS = ("ofac_advanced", "un", "eu_fsf", "uk", "ftm", "meti", "ofac_csv")


def _load_builtins() -> None:
    """Import the built-in parsers (each registers itself). Done lazily to keep imports cheap."""
    global _LOADED
    if _LOADED:
        return
    _LOADED = True
    import importlib

    for module in _BUILTINS:
        importlib.import_module(f"sanctrace.lists.{module}")


def parse_file(path: Path | str, *, source_hint: str | None = None) -> ParsedList:
    """Parse one list file without a database (multi-file formats: see :func:`parse_paths`)."""
    parsed = parse_paths([Path(path)], source_hint=source_hint)
    return parsed[0]


def parse_paths(paths: Sequence[Path], *, source_hint: str | None = None) -> list[ParsedList]:
    """Detect and parse every path; files of a multi-file format are parsed together."""
    groups: dict[str, list[Path]] = {}
    order: list[tuple[ListFormat, list[Path]]] = []
    for path in paths:
        fmt = detect_format(Path(path), source_hint)
        if fmt.multi_file:
            if fmt.name not in groups:
                groups[fmt.name] = []
                order.append((fmt, groups[fmt.name]))
            groups[fmt.name].append(Path(path))
        else:
            order.append((fmt, [Path(path)]))
    return [fmt.parse(group) for fmt, group in order]
