"""Fast reader for GraphSense TagPacks, with PyYAML as the arbiter.

A TagPack is YAML, but nearly every pack in the wild uses a tiny subset: top-level
``key: scalar`` header lines and a ``tags:`` list whose items are flat ``key: scalar`` maps.
PyYAML's C loader still needs ~3 s for the 37k-tag ``miners.yaml``; this scanner reads the flat
subset in a fraction of that. The moment a line falls outside the subset (nested values, flow
collections, anchors, block scalars, escapes) it gives up and the caller falls back to
``yaml.CSafeLoader`` — so the result is always what a YAML parser would produce for the
fields we use (tests compare both on every real pack).
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from sanctrace.errors import InputError

_KEY = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*):(?: (.*))?$")
_PLAIN_BAD = re.compile(r"^[\[\]{}&*!|>%@`]|: | #")


class _NotFlat(Exception):
    """The file uses YAML beyond the flat subset; let PyYAML read it."""


def _scalar(raw: str) -> Any:
    text = raw.strip()
    if not text:
        return None
    if text[0] == "'":
        if len(text) < 2 or text[-1] != "'":
            raise _NotFlat
        return text[1:-1].replace("''", "'")
    if text[0] == '"':
        if len(text) < 2 or text[-1] != '"' or "\\" in text:
            raise _NotFlat
        return text[1:-1]
    if _PLAIN_BAD.search(text):
        raise _NotFlat
    low = text.lower()
    if low in ("true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    if low in ("null", "~"):
        return None
    return text  # numbers and dates stay text: every field we read is used as text


def _scan(text: str) -> dict[str, Any]:
    header: dict[str, Any] = {}
    tags: list[dict[str, Any]] = []
    in_tags = False
    current: dict[str, Any] | None = None
    for line in text.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("%") or line == "---":
            continue
        if not in_tags:
            match = _KEY.match(line)
            if not match:
                raise _NotFlat
            key, value = match.group(1), match.group(2)
            if key == "tags" and not (value or "").strip():
                in_tags = True
                continue
            if value is None or not value.strip():
                raise _NotFlat  # a nested header value
            header[key] = _scalar(value)
            continue
        if line.startswith("- "):
            current = {}
            tags.append(current)
            body = line[2:]
        elif line.startswith("  ") and current is not None:
            body = line[2:]
        else:
            raise _NotFlat  # another top-level key after tags, or odd indentation
        match = _KEY.match(body)
        if not match or match.group(2) is None or not match.group(2).strip():
            raise _NotFlat
        current[match.group(1)] = _scalar(match.group(2))
    header["tags"] = tags
    return header


def load_tagpack_document(data: bytes, path: str) -> dict[str, Any]:
    """Parse a TagPack/ActorPack file into a dict, fast when it is flat."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError.at(path, f"byte {exc.start}", "not UTF-8 text") from exc
    try:
        doc = _scan(text)
        if doc["tags"]:
            return doc
    except _NotFlat:
        pass
    try:
        parsed = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        raise InputError.at(path, where, f"not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(parsed, dict):
        raise InputError.at(path, None, "a TagPack must be a YAML mapping")
    return parsed
