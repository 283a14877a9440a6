"""Japanese METI/MOFA export-ban lists (text of the published PDFs) → ListEntry.

Each list (Russian entities, third-country suppliers, Belarus) is a numbered sequence::

    ３ 有限責任会社アルグト            ← number, Japanese name (Katakana/Kanji, legal form)
    Argut OOO                          ← English name, maybe ", a.k.a., the following N aliases:"
    -alias one; and                    ← English aliases
    所在地：6 Mnevniki str …, Russia.   ← address(es), "; and "-separated

PDF extraction glues things together: an entry number can follow the previous address on the
same line ("Moscow 127055RU.10 対外諜報庁"), a Japanese name can wrap or run straight into its
English name, and Japanese aliases sit in "（別称、A、B及びC）". Entries are therefore found by
their *sequential* numbers (1, 2, 3 …, each followed on its line by Japanese text), which
rejects house numbers at line starts. Every entry gets a ``Jpan`` name and a ``Latn`` name;
ids are ``jp-meti:<file-key>-<n>`` with file keys ``ru``, ``third`` and ``by``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from sanctrace.errors import ListSourceError
from sanctrace.lists.common import clean_text, dedupe, make_name
from sanctrace.lists.countries import to_iso2
from sanctrace.lists.registry import ListFormat, register_format
from sanctrace.lists.sourcefile import read_text
from sanctrace.lists.types import ParsedList
from sanctrace.model.list_entry import EntityKind, ListEntry, NameType, PostalAddress

SOURCE = "jp-meti"
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_NUMBER = re.compile(r"(?:^|(?<=[.\sA-Za-z]))([0-9]{1,3})[ \t]*(?=\S)", re.MULTILINE)
_UPDATED = re.compile(r"最終更新日[:：]\s*([0-9]{4})\s*年\s*([0-9]{1,2})\s*月\s*([0-9]{1,2})\s*日")
_AKA = re.compile(r",?\s*a\.k\.a\.?,?.*$", re.IGNORECASE | re.DOTALL)
_ADDRESS = "所在地:"
_DASHES = ("-", "—", "–")
_FILES = {  # header words → (file key, program, default country)
    "ロシア連邦の団体": ("ru", "JP-METI-RU", "RU"),
    "ベラルーシ共和国の団体": ("by", "JP-METI-BY", "BY"),
}
_THIRD = ("third", "JP-METI-RU-THIRD-COUNTRY", None)


def detect(path: Path, head: bytes) -> bool:
    text = head.decode("utf-8", "ignore")
    return "外務省告示" in text or ("輸出等に係る禁止措置" in text and "指定日" in text)


def parse(paths: Sequence[Path]) -> ParsedList:
    (path,) = paths
    raw, sha = read_text(path)
    text = unicodedata.normalize("NFKC", raw)
    header = text[:600]
    key, program, default_country = next((v for k, v in _FILES.items() if k in header), _THIRD)
    updated = _UPDATED.search(header)
    published = f"{updated.group(1)}-{int(updated.group(2)):02d}-{int(updated.group(3)):02d}" if updated else None
    starts: list[tuple[int, int, int]] = []  # (number, start of number, start of name)
    expected = 1
    for match in _NUMBER.finditer(text):
        if int(match.group(1)) != expected:
            continue
        line_end = text.find("\n", match.end())
        rest = text[match.end(): line_end if line_end >= 0 else len(text)]
        if not _JAPANESE.search(rest):
            continue
        starts.append((expected, match.start(), match.end()))
        expected += 1
    if not starts:
        raise ListSourceError.at(str(path), None, "no numbered entries found (expected '1 <Japanese name>')")
    entries: list[ListEntry] = []
    for index, (number, _start, name_start) in enumerate(starts):
        end = starts[index + 1][1] if index + 1 < len(starts) else len(text)
        block = text[name_start:end]
        where = f"entry {number} (line {text.count(chr(10), 0, name_start) + 1})"
        entries.append(_entry(path, key, program, default_country, number, block, where))
    return ParsedList(source=SOURCE, format="meti_text", file_name=path.name, file_sha256=sha,
                      published=published, entries=entries)


_OPEN, _CLOSE = "(「", ")」"


def _is_jp(char: str) -> bool:
    return bool(_JAPANESE.match(char))


def _split_header(header: str) -> tuple[str, str]:
    """Japanese name text and English text of an entry header (everything before 所在地/別称).

    The Japanese part continues over line breaks while the next line starts with Japanese or
    a bracket is still open (names wrap mid-word); it ends early when Latin text follows a
    Japanese character directly and the rest of that line holds no Japanese outside brackets
    ("クロッカス・ナノ・エレクトロニクスCrocus Nano Electronics").
    """
    depth = 0
    index = 0
    length = len(header)
    while index < length:
        char = header[index]
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(0, depth - 1)
        elif char == "\n" and depth == 0:
            rest = header[index + 1:].lstrip(" ")
            if not rest or not _is_jp(rest[0]):
                return header[:index], header[index + 1:]
        elif depth == 0 and char.isascii() and char.isalpha() and index \
                and (_is_jp(header[index - 1]) or header[index - 1] in _CLOSE):
            line_end = header.find("\n", index)
            line = header[index: line_end if line_end >= 0 else length]
            top = _top_level(line).strip()
            if " " in top and not _JAPANESE.search(top):  # a multi-word Latin name, not "有限会社Ineko"
                return header[:index], header[index:]
        index += 1
    return header, ""


def _top_level(text: str) -> str:
    """``text`` without bracketed parts."""
    out: list[str] = []
    depth = 0
    for char in text:
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0:
            out.append(char)
    return "".join(out)


def _join_lines(text: str) -> str:
    """Join wrapped lines: no space inside Japanese words, one space elsewhere."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    out = ""
    for line in lines:
        if out and _is_jp(out[-1]) and _is_jp(line[0]):
            out += line
        else:
            out = f"{out} {line}" if out else line
    return out


def _first_sentence(text: str) -> str:
    """Text up to the first "。" outside brackets ("国防省（…）。右には…": a description follows)."""
    depth = 0
    for index, char in enumerate(text):
        if char in _OPEN:
            depth += 1
        elif char in _CLOSE:
            depth = max(0, depth - 1)
        elif char == "。" and depth == 0:
            return text[:index]
    return text


def _bracket_names(text: str) -> tuple[str, list[str]]:
    """``株式会社X（別称、A、B及びC）`` → ("株式会社X", [A, B, C]); other brackets with Japanese or
    Chinese text (``（香港旗速電子有限公司、…）``) are names too; the rest stays in the main name."""
    main = text
    aliases: list[str] = []
    for match in re.finditer(r"\(([^()]*(?:\([^()]*\)[^()]*)*)\)", text):
        inner = match.group(1).strip()
        if inner.startswith("別称"):
            inner = inner[2:].lstrip("、,: ")
        elif "含む" in inner:  # "（…を含む）" ("including …") describes the entity: neither name nor alias
            main = main.replace(match.group(0), " ")
            continue
        elif not _JAPANESE.search(inner) or inner.startswith(("以下", "これ")):
            continue  # Latin abbreviations such as "(ELVIS)" stay in the name
        aliases.extend(p for p in re.split(r"、|及び|;", inner) if p.strip())
        main = main.replace(match.group(0), " ")
    return clean_text(main) or text, [a for a in (clean_text(x) for x in aliases) if a]


def _entry(path: Path, key: str, program: str, default_country: str | None, number: int, block: str,
           where: str) -> ListEntry:
    header, _, address_text = block.partition(_ADDRESS)
    header, _, alias_section = header.partition("別称:") if "\n別称:" in header else (header, "", "")
    japanese_raw, english_raw = _split_header(header.strip())
    japanese = _join_lines(japanese_raw)
    if not japanese or not english_raw.strip():
        raise ListSourceError.at(str(path), where, "entry without a Japanese and an English name")
    english_name, english_aliases = _english(english_raw)
    jp_main, jp_aliases = _bracket_names(_first_sentence(japanese))
    entry = ListEntry(entity_id=f"{SOURCE}:{key}-{number}", source=SOURCE, source_id=f"{key}-{number}",
                      kind=EntityKind.ORGANIZATION, programs=[program])
    # Japanese written in Kanji only (連邦保安庁) is still Japanese: the list says so.
    entry.names.append(replace(make_name(jp_main, NameType.PRIMARY, "ja"), script="Jpan"))
    entry.names.append(make_name(english_name, NameType.PRIMARY, "en"))
    for alias in [*jp_aliases, *english_aliases, *_alias_section(alias_section)]:
        entry.names.append(make_name(alias, NameType.AKA, "ja" if _JAPANESE.search(alias) else "en"))
    entry.names = dedupe(entry.names)
    address = clean_text(address_text.replace("\n", " "))
    if address:
        for part in re.split(r";\s*and\s+|;\s+", address):
            part = part.strip().rstrip(".")
            if not part:
                continue
            country = to_iso2(part.rsplit(",", 1)[-1].strip().rstrip(".")) or default_country
            entry.addresses.append(PostalAddress(part, None, country))
            if country:
                entry.countries.append(country)
    if default_country:
        entry.countries.insert(0, default_country)
    entry.countries = dedupe(entry.countries)
    return entry


def _alias_section(text: str) -> list[str]:
    """New-style "別称：A; B" blocks: Japanese aliases, then English ones, ``;``-separated."""
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    marked: list[str] = []
    for line in lines:
        # a Japanese line followed by a Latin one is a boundary between two aliases
        if marked and _JAPANESE.search(marked[-1]) and not _JAPANESE.search(line[:1]):
            marked.append(";")
        marked.append(line)
    joined = _join_lines("\n".join(marked)).replace(" ;", ";")
    return [a for a in (clean_text(p.strip().rstrip(".")) for p in joined.split(";")) if a]


def _english(text: str) -> tuple[str, list[str]]:
    body, bracket_aliases = _bracket_names(_join_lines(text))
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    name_parts: list[str] = []
    aliases: list[str] = []
    for line in lines:
        if line.startswith(_DASHES):
            aliases.extend(p for p in re.split(r";\s*(?:and)?\s*[-—–]", line[1:]) if p.strip())
        elif aliases:
            aliases[-1] = f"{aliases[-1]} {line}"
        else:
            name_parts.append(line)
    name = " ".join(name_parts) if aliases else body
    name, _ = _bracket_names(name)
    name = _AKA.sub("", name)
    # "Ministry of Defence of …, including the Armed Forces … This includes …": keep the name
    name = re.split(r",\s+including\s|\.\s+(?=This\s)", name)[0]
    cleaned = [re.sub(r"(;\s*and|;|\.)$", "", a.strip()).strip() for a in aliases]
    return (clean_text(name.rstrip(",")) or name,
            [a for a in (clean_text(c) for c in [*cleaned, *bracket_aliases]) if a])


register_format(ListFormat(name="meti_text", source=SOURCE, detect=detect, parse=parse,
                           description="Japan METI/MOFA export-ban list text (Japanese + English names)"))
