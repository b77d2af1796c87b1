"""Stable identifiers: the same story and entry get the same ids on every scrape."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that track the reader, not the page.
_TRACKING_PREFIXES = ("utm_", "at_", "ito", "fbclid", "gclid", "mc_", "cmp", "ref")


@lru_cache(maxsize=4096)  # the same stories are scraped again every minute
def canonical_url(url: str) -> str:
    """The URL with what varies between scrapes of one page removed: scheme and host
    case, "www.", default ports, the fragment, tracking parameters, trailing slash."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if not k.lower().startswith(_TRACKING_PREFIXES)
    )
    path = parts.path.rstrip("/") or "/"
    return urlunsplit(
        (
            "https" if parts.scheme in ("http", "https", "") else parts.scheme,
            host,
            path,
            urlencode(query),
            "",
        )
    )


def _digest(text: str, size: int) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=size).hexdigest()


@lru_cache(maxsize=4096)  # every scrape of a story asks again
def story_id_for(url: str | None, source: str | None, title: str) -> str:
    """From the canonical URL when known, else from the source and the title."""
    if url:
        return _digest("url\n" + canonical_url(url), 10)
    return _digest(
        f"title\n{(source or '').strip().casefold()}\n{' '.join(title.split()).casefold()}", 10
    )


def story_key(url: str | None, story_id: str) -> bytes:
    """The Kafka key that puts every page of a story on one partition: the canonical
    URL its id comes from, else the id itself.  Scrapers that key raw pages by it
    spare the worker a repartition (``stream.app.routing``)."""
    return (canonical_url(url) if url else story_id).encode()


@lru_cache(maxsize=20_000)  # re-scrapes repeat their entries
def entry_id_for(story_id: str, posted_at: str, ordinal: int) -> str:
    """An entry is its story, its posting time and its rank among entries posted the
    same minute (oldest first), which survive edits to its text."""
    return _digest(f"{story_id}\n{posted_at}\n{ordinal}", 10)


def is_url(text: str | None) -> bool:
    return bool(text) and text.strip().lower().startswith(("http://", "https://"))


_SLUG_WORDS = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")


def title_from_url(url: str | None) -> str | None:
    """A title from the URL's slug, for pages whose text has no title line:
    '…/sigue-directo-sucede-jornada-electoral-2023…html' -> 'Sigue directo sucede…'."""
    if not url:
        return None
    path = urlsplit(url).path
    best = ""
    for part in path.split("/"):
        stem = part.rsplit(".", 1)[0]
        words = [w for w in _SLUG_WORDS.findall(stem.replace("-", " ").replace("_", " "))]
        words = [w for w in words if not w.isdigit() and not re.fullmatch(r"[0-9a-f]{8,}", w)]
        if len(" ".join(words)) > len(best):
            best = " ".join(words)
    return best[:1].upper() + best[1:] if best else None
