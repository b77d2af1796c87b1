"""From the raw bytes of a message to page text and envelope fields.

Message-level failures (empty, oversized, undecodable, bad JSON, bad envelope)
come back as a ``Rejection`` value; nothing here raises on bad input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import ftfy
import ftfy.bad_codecs
import orjson

from stream.core.timeline import parse_iso8601, zone_named

DEFAULT_MAX_BYTES = 8 * 1024 * 1024


@dataclass(slots=True)  # not frozen: one per message, and a frozen __init__ is slower
class Page:
    """A decoded page: its text and what the envelope (if any) said about it."""

    text: str
    url: str | None = None
    scraped_at: datetime | None = None
    source: str | None = None
    lang: str | None = None
    timezone: str | None = None
    repaired: bool = False  # mojibake was repaired


@dataclass(frozen=True, slots=True)
class Rejection:
    reason: str
    detail: str


# Control characters that never occur in page text (tab, newlines, form feed do).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# UTF-8 read as Windows-1252 or Latin-1 leaves these pairs behind: Ã© for é, â€™ for ’.
_MOJIBAKE = re.compile(
    "[ÃÂ][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]"
    "|â€|Å[\u0080-\u00bf\u201c\u201d\u2019\u0161\u017e\u00a0¸¹º»]"
)
_ENVELOPE_STRING_FIELDS = ("url", "scraped_at", "source", "lang", "timezone")
_LANG_CODE = re.compile(r"^[a-z]{2}$")


def decode_message(value: bytes | None, max_bytes: int = DEFAULT_MAX_BYTES) -> Page | Rejection:
    """Decode one raw-topic message value into a ``Page``, or say why it cannot be."""
    refused = _refused_unread(value, max_bytes)
    if refused is not None:
        return refused
    assert value is not None
    # (``lstrip`` copies the whole page: only a value with leading space pays for it)
    if value[:1] == b"{" or value.lstrip()[:1] == b"{":
        # The usual case: a UTF-8 JSON envelope, parsed from the bytes in one step.
        try:
            envelope = orjson.loads(value)
        except orjson.JSONDecodeError:
            if not _is_utf8(value):
                return Rejection(
                    "invalid_encoding",
                    "The message is a JSON envelope whose bytes are not valid UTF-8 (JSON "
                    "must be UTF-8); check the scraper's output encoding.",
                )
            # valid UTF-8 but not JSON: decide below, with the text in hand
        else:
            # JSON forbids raw control characters in strings: they can only come from
            # \u escapes (or a raw DEL), so most envelopes need no scan for them.
            may_hold_controls = b"\\u00" in value or b"\x7f" in value
            return _from_envelope(envelope, may_hold_controls)
    text = _decode_bytes(value)
    if text is None:
        return Rejection(
            "invalid_encoding",
            "The bytes are neither UTF-8 nor clean Windows-1252 text; "
            "check the scraper's output encoding.",
        )
    stripped = text.lstrip("\ufeff \t\r\n")
    if stripped.startswith("{"):
        try:
            envelope = orjson.loads(stripped)
        except orjson.JSONDecodeError as exc:
            return Rejection(
                "invalid_json",
                f"The message starts like a JSON envelope but is not valid JSON ({exc}); "
                "check that the scraper writes complete JSON documents.",
            )
        return _from_envelope(envelope)
    if stripped.startswith("["):
        try:
            orjson.loads(stripped)
        except orjson.JSONDecodeError:
            pass  # a page that merely starts with a bracket, e.g. "[LIVE] ..."
        else:
            return Rejection(
                "invalid_envelope",
                "The message is a JSON array; send one JSON object per page, "
                'with the page in "text".',
            )
    return _repaired(Page(text=stripped))


def _refused_unread(value: bytes | None, max_bytes: int) -> Rejection | None:
    """Messages refused before their bytes are read: nothing, or too much."""
    if value is None:
        return Rejection(
            "empty",
            "The message is a tombstone (a null value, which marks a deletion on a "
            "compacted topic), not a page; scrapers should publish pages only.",
        )
    if len(value) == 0 or not value.strip():
        return Rejection("empty", "The message value is empty; the scraper sent nothing to parse.")
    if len(value) > max_bytes:
        return Rejection(
            "oversized",
            f"The message is {len(value):,} bytes, over the {max_bytes:,}-byte limit "
            "(LIVEBLOG_MAX_PAGE_BYTES); raise the limit or split the page.",
        )
    return None


def _is_utf8(value: bytes) -> bool:
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _decode_bytes(value: bytes) -> str | None:
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError:
        try:
            text = value.decode("cp1252")  # strict: undefined bytes fail here
        except UnicodeDecodeError:
            return None
    if _CONTROL.search(text):
        return None
    return text


def _field_type_problem(envelope: dict) -> Rejection | None:
    for field in _ENVELOPE_STRING_FIELDS:
        field_value = envelope.get(field)
        if field_value is not None and not isinstance(field_value, str):
            return Rejection(
                "invalid_envelope",
                f'The envelope\'s "{field}" field must be a string or absent, '
                f"not {type(field_value).__name__}.",
            )
    return None


def _from_envelope(envelope: object, may_hold_controls: bool = True) -> Page | Rejection:
    if not isinstance(envelope, dict):
        return Rejection(
            "invalid_envelope",
            f"The envelope is a JSON {type(envelope).__name__}, not an object; "
            'send {"text": ...} with optional url, scraped_at, source, lang, timezone.',
        )
    page_text = envelope.get("text")
    if not isinstance(page_text, str):
        found = "missing" if page_text is None else f"a {type(page_text).__name__}"
        return Rejection(
            "invalid_envelope",
            f'The envelope\'s "text" field is {found}; it must be a string holding the page.',
        )
    problem = _field_type_problem(envelope)
    if problem is not None:
        return problem
    scraped_at = None
    if envelope.get("scraped_at"):
        scraped_at = parse_iso8601(envelope["scraped_at"])
        if scraped_at is None:
            return Rejection(
                "invalid_envelope",
                f'"scraped_at" is {envelope["scraped_at"]!r}, not an ISO 8601 timestamp '
                "such as 2024-06-19T05:44:18Z.",
            )
    lang = envelope.get("lang")
    if lang is not None:
        lang = lang.strip().lower()
        if not _LANG_CODE.match(lang):
            return Rejection(
                "invalid_envelope",
                f'"lang" is {envelope["lang"]!r}; use a two-letter ISO 639-1 code such as "fr".',
            )
    tz_name = envelope.get("timezone")
    if tz_name is not None and zone_named(tz_name) is None:
        return Rejection(
            "invalid_envelope",
            f'"timezone" is {tz_name!r}, which is not an IANA time zone name '
            '(such as "Europe/Paris").',
        )
    if may_hold_controls and _CONTROL.search(page_text):
        return Rejection(
            "invalid_encoding",
            'The envelope\'s "text" holds control characters; it is not page text.',
        )
    return _repaired(
        Page(
            text=page_text,
            url=envelope.get("url") or None,
            scraped_at=scraped_at,
            source=envelope.get("source") or None,
            lang=lang,
            timezone=tz_name,
        )
    )


def looks_mojibaked(text: str) -> bool:
    """A cheap check run before ftfy: does the text carry UTF-8-as-1252 debris?"""
    # Substring tests are far cheaper than the regex; every pattern starts so.
    if "Ã" not in text and "Â" not in text and "â€" not in text and "Å" not in text:
        return False
    return _MOJIBAKE.search(text) is not None


def _undo_whole_text_mojibake(text: str) -> str | None:
    """The common case, a whole page decoded as Windows-1252, undone in one step with
    ftfy's codec; None when the text mixes clean and broken parts (then ftfy's
    heuristics take over, at a hundred times the cost)."""
    try:
        return text.encode("sloppy-windows-1252").decode("utf-8")
    except UnicodeError:
        return None


def _repaired(page: Page) -> Page | Rejection:
    if not looks_mojibaked(page.text):
        return page
    fixed = _undo_whole_text_mojibake(page.text) or ftfy.fix_encoding(page.text)
    # ftfy marks bytes it could not recover with U+FFFD: then the text is not clean.
    if looks_mojibaked(fixed) or fixed.count("\ufffd") > page.text.count("\ufffd"):
        return Rejection(
            "invalid_encoding",
            "The text is mojibake (UTF-8 decoded with the wrong code page) that could "
            "not be repaired; re-scrape the page and decode it as UTF-8.",
        )
    return Page(
        text=fixed,
        url=page.url,
        scraped_at=page.scraped_at,
        source=page.source,
        lang=page.lang,
        timezone=page.timezone,
        repaired=True,
    )
