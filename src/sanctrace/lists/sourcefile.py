"""Opening list files safely: compression, size limits, hashing and defensive XML parsing.

Every parser reads through here so that the same rules hold for every source:

* plain, ``.bz2``, ``.gz`` and ``.zip`` files are recognised by their magic bytes, not their name;
* XML is parsed with lxml's ``iterparse`` without DTD loading, entity resolution or network
  access; a document that declares a DTD (the vehicle of external entities and of
  entity-expansion "billion laughs" bombs) is refused before anything is expanded;
* any syntax or encoding error becomes a :class:`ListSourceError` naming the file and the line.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from lxml import etree

from sanctrace.errors import ListSourceError

HEAD_BYTES = 4096
_CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _zip_member(archive: zipfile.ZipFile, path: Path) -> zipfile.ZipInfo:
    members = [info for info in archive.infolist() if not info.is_dir()]
    if not members:
        raise ListSourceError.at(str(path), None, "the zip archive is empty")
    if len(members) == 1:
        return members[0]
    for suffix in (".xml", ".jsonl", ".json", ".csv", ".txt"):
        matching = [info for info in members if info.filename.lower().endswith(suffix)]
        if len(matching) == 1:
            return matching[0]
    names = ", ".join(info.filename for info in members[:5])
    raise ListSourceError.at(str(path), None, f"the zip archive holds several files ({names}); unpack it")


@contextmanager
def open_binary(path: Path) -> Iterator[IO[bytes]]:
    """The decompressed content of ``path`` as a binary stream."""
    try:
        raw = open(path, "rb")  # noqa: SIM115 - closed below
    except OSError as exc:
        raise ListSourceError.at(str(path), None, f"cannot open: {exc.strerror}") from exc
    try:
        magic = raw.read(4)
        raw.seek(0)
        stream: IO[bytes]
        if magic.startswith(b"BZh"):
            stream = bz2.BZ2File(raw)
        elif magic.startswith(b"\x1f\x8b"):
            stream = gzip.GzipFile(fileobj=raw)  # type: ignore[assignment]
        elif magic.startswith(b"PK\x03\x04"):
            try:
                archive = zipfile.ZipFile(raw)
            except zipfile.BadZipFile as exc:
                raise ListSourceError.at(str(path), None, f"broken zip archive: {exc}") from exc
            stream = archive.open(_zip_member(archive, path))
        else:
            stream = raw
        try:
            yield stream
        except (OSError, EOFError, zipfile.BadZipFile) as exc:  # corrupt compressed stream mid-way
            raise ListSourceError.at(str(path), None, f"cannot decompress: {exc}") from exc
        finally:
            if stream is not raw:
                stream.close()
    finally:
        raw.close()


def read_head(path: Path, size: int = HEAD_BYTES) -> bytes:
    """The first ``size`` decompressed bytes (what format detection looks at)."""
    with open_binary(path) as stream:
        try:
            return stream.read(size)
        except (OSError, EOFError) as exc:
            raise ListSourceError.at(str(path), None, f"cannot decompress: {exc}") from exc


def read_text(path: Path) -> tuple[str, str]:
    """Whole file decoded as UTF-8 (a BOM is allowed) → (text, sha256 of the raw file).

    A file that is not UTF-8 is refused with the line and byte offset of the first bad byte,
    rather than guessed at: a mis-decoded name would silently never match.
    """
    with open_binary(path) as stream:
        data = stream.read()
    return decode_utf8(data, str(path)), sha256_file(path)


def decode_utf8(data: bytes, source: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise ListSourceError.at(
            source, f"line {line} (byte {exc.start})",
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x}); re-save the file as UTF-8",
        ) from exc


def local(tag: object) -> str:
    """Tag name without its namespace (``{ns}Name`` → ``Name``); comments/PIs → ""."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def iter_xml(path: Path, tags: set[str] | None = None) -> Iterator[tuple[str, etree._Element]]:
    """Stream ``(event, element)`` for ``start`` and ``end`` events of the whole document.

    The caller clears elements it has consumed. Errors name the file and the line.
    """
    source = str(path)
    with open_binary(path) as stream:
        parser = etree.iterparse(
            stream,
            events=("start", "end"),
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            huge_tree=True,
            remove_comments=True,
            remove_pis=True,
        )
        first = True
        try:
            for event, element in parser:
                if first:
                    first = False
                    _refuse_dtd(element, source)
                yield event, element
        except etree.XMLSyntaxError as exc:
            line = exc.position[0] if exc.position else getattr(exc, "lineno", None)
            message = " ".join(str(exc.msg if hasattr(exc, "msg") else exc).split())  # one line
            raise ListSourceError.at(source, f"line {line}", f"malformed XML: {message}") from exc
        except UnicodeDecodeError as exc:
            raise ListSourceError.at(source, f"byte {exc.start}", f"wrong encoding: {exc.reason}") from exc
        if first:
            raise ListSourceError.at(source, None, "empty document")


def _refuse_dtd(root: etree._Element, source: str) -> None:
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.doctype or docinfo.system_url:
        raise ListSourceError.at(
            source, "DOCTYPE",
            "the document declares a DTD (entities are refused: external-entity and "
            "entity-expansion attacks); sanctions-list formats never need one",
        )


def text_of(element: etree._Element | None) -> str | None:
    """Stripped text of an element, None when missing or blank."""
    if element is None or element.text is None:
        return None
    value = element.text.strip()
    return value or None

