"""`lists update`: download the official files, verify they parse, then load them.

Downloads are streamed to a temporary directory with a hard size cap
(``settings.max_download_bytes``) and the configured timeout; only http(s) URLs are accepted.
Every requested source is downloaded and parsed before anything is written, and all are
stored in one transaction, so a failed download or a broken file leaves the database as it was.
A file identical to one already loaded (same sha256) reuses that snapshot.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import urlparse

import httpx

from sanctrace.config import Settings
from sanctrace.engine.base import Engine
from sanctrace.errors import InputError, ListSourceError
from sanctrace.lists.registry import parse_paths
from sanctrace.lists.store import store_parsed
from sanctrace.lists.types import SnapshotInfo


def download(url: str, target: Path, *, timeout_s: float, max_bytes: int) -> int:
    """Stream ``url`` into ``target``; refuse more than ``max_bytes``. Returns the byte count."""
    scheme = urlparse(url).scheme
    if scheme not in ("http", "https"):
        raise InputError(f"{url}: only http(s) URLs can be downloaded")
    size = 0
    try:
        with httpx.stream("GET", url, timeout=timeout_s, follow_redirects=True) as response:
            if response.status_code != 200:
                raise ListSourceError(f"{url}: download failed: HTTP {response.status_code}")
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > max_bytes:
                raise ListSourceError(f"{url}: file is {declared} bytes, over the {max_bytes}-byte limit")
            with open(target, "wb") as out:
                for chunk in response.iter_bytes():
                    size += len(chunk)
                    if size > max_bytes:
                        raise ListSourceError(f"{url}: download exceeds the {max_bytes}-byte limit")
                    out.write(chunk)
    except httpx.HTTPError as exc:
        raise ListSourceError(f"{url}: download failed: {exc}") from exc
    if size == 0:
        raise ListSourceError(f"{url}: download is empty")
    return size


def update_lists(engine: Engine, settings: Settings, sources: Sequence[str] | None = None) -> list[SnapshotInfo]:
    urls = settings.list_urls
    wanted = list(sources) if sources else list(urls)
    unknown = [s for s in wanted if s not in urls]
    if unknown:
        raise InputError(f"no download URL configured for {', '.join(unknown)} (known: {', '.join(urls)})")
    with tempfile.TemporaryDirectory(prefix="sanctrace-update-") as tmp:
        parsed = []
        for source in wanted:
            url = urls[source]
            name = Path(urlparse(url).path).name or "download"
            target = Path(tmp) / f"{source}-{name}"
            download(url, target, timeout_s=settings.http_timeout_s, max_bytes=settings.max_download_bytes)
            try:
                parsed_here = parse_paths([target], source_hint=source)
            except ListSourceError as exc:  # name the URL, not our temporary file
                raise ListSourceError(f"{url}: {str(exc).replace(f'{target}: ', '')}") from exc
            for publication in parsed_here:
                if not publication.entries:
                    raise ListSourceError(f"{url}: the downloaded {source} list has no entries; not loaded")
                parsed.append(publication)
        return store_parsed(engine, parsed)
