"""Small helpers every parser shares: building names with their script, slugs, de-duplication."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import TypeVar

from sanctrace.lists.scripts import detect_script
from sanctrace.model.list_entry import EntryName, NameType

T = TypeVar("T")

_SPACES = re.compile(r"\s+")
_NON_WORD = re.compile(r"[^a-z0-9]+")


def clean_text(value: str | None) -> str | None:
    """NFC, collapsed whitespace, stripped; None for empty."""
    if value is None:
        return None
    text = _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
    return text or None


def make_name(full: str, name_type: NameType = NameType.PRIMARY, language: str | None = None) -> EntryName:
    text = clean_text(full) or full
    return EntryName(full=text, name_type=name_type, script=detect_script(text), language=language)


def slug(label: str) -> str:
    """``"Owned or Controlled By"`` → ``"owned_or_controlled_by"``."""
    return _NON_WORD.sub("_", label.lower()).strip("_")


def dedupe(values: Iterable[T]) -> list[T]:
    """Keep the first occurrence of each value, in order."""
    seen: set[T] = set()
    out: list[T] = []
    for value in values:
        if value not in seen:
            seen.add(value)
            out.append(value)
    return out
