"""The pure core: one raw message in, the records it must produce out.

No Kafka, no clock, no I/O.  ``process_message`` never raises: any unexpected
failure becomes a ``processing_error`` dead letter carrying the original bytes.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo

from stream.contract import (
    ENTRY_SCHEMA,
    DeadLetterValue,
    EntryValue,
    SourceRef,
    StoryValue,
    dead_letter,
)
from stream.core.anatomy import Layout, date_of_line, lay_out, marker_in_line, normalise_newlines
from stream.core.captions import style_caption_texts
from stream.core.decoding import DEFAULT_MAX_BYTES, Page, Rejection, decode_message
from stream.core.entries import EntryParts, read_entry
from stream.core.identity import canonical_url, entry_id_for, is_url, story_id_for
from stream.core.language import detect_language
from stream.core.locales import LOCALES
from stream.core.markers import TIME_IN_LINE, UNIX_TIMESTAMP, Clock, clock_from_match, clock_of_text
from stream.core.timeline import UTC, date_entries, format_utc, localize, zone_named

_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Source:
    """Where a message came from; all optional (``stream parse`` has none of it)."""

    topic: str | None = None
    partition: int | None = None
    offset: int | None = None
    timestamp: datetime | None = None  # the Kafka record time: last-resort date


@dataclass(slots=True)
class Outcome:
    """What one message produces: entries (oldest first) and dead letters."""

    key: bytes | None
    story_id: str | None = None
    entries: list[EntryValue] = field(default_factory=list)
    dead_letters: list[DeadLetterValue] = field(default_factory=list)
    story: StoryValue | None = None
    lang: str | None = None
    exception: BaseException | None = None  # behind a processing_error, for its headers


def forget_memos() -> None:
    """Clear what the parser remembers between messages (marker lines, clock times,
    canonical URLs): for measuring it cold."""
    for memo in (marker_in_line, clock_of_text, canonical_url):
        memo.cache_clear()


def process_message(
    value: bytes | None,
    key: bytes | None = None,
    source: Source = Source(),
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Outcome:
    """Decode and parse one raw-topic message.  Never raises."""
    try:
        return _process(value, key, source, max_bytes)
    except Exception as exc:  # the contract: bad input never escapes as an exception
        outcome = Outcome(key=key, exception=exc)
        detail = (
            f"The parser failed unexpectedly ({type(exc).__name__}: {exc}); this is a bug "
            "in liveblog-stream: report it with this dead letter attached. "
            f"Where: {traceback.format_exception(exc)[-2].strip()[:300]}"
        )
        outcome.dead_letters.append(
            dead_letter(
                "processing_error", detail, _source_ref(source, None), original=value or b""
            )
        )
        return outcome


def _process(value: bytes | None, key: bytes | None, source: Source, max_bytes: int) -> Outcome:
    outcome = Outcome(key=key)
    decoded = decode_message(value, max_bytes)
    if isinstance(decoded, Rejection):
        outcome.dead_letters.append(
            dead_letter(
                decoded.reason, decoded.detail, _source_ref(source, None), original=value or b""
            )
        )
        return outcome
    page = decoded
    ref = _source_ref(source, page.scraped_at)
    text = normalise_newlines(page.text)
    layout = lay_out(text)
    if layout is None:
        outcome.dead_letters.append(
            dead_letter(
                "not_a_liveblog",
                "No entry markers (times alone on a line, such as '07h42 CEST' or "
                "'7.42am BST') were found: this looks like an ordinary article, not a "
                "live blog.  If it is a live blog in a new house style, add its marker "
                "style to stream/markers.py with a fixture.",
                ref,
                original=value or b"",
            )
        )
        return outcome

    url = page.url or (
        key.decode("utf-8", "replace") if key and is_url(key.decode("utf-8", "replace")) else None
    )
    story_id = story_id_for(url, page.source, layout.title)
    lang = page.lang or detect_language(text)
    locale = LOCALES.get(lang)
    page_zone = (
        zone_named(page.timezone)
        if page.timezone
        else zone_named(locale.default_timezone)
        if locale
        else UTC
    ) or UTC
    story: StoryValue = {
        "title": layout.title,
        "section": layout.section,
        "url": url,
        "tags": layout.tags,
    }
    outcome.story_id, outcome.story, outcome.lang = story_id, story, lang

    segments = layout.entries
    if layout.truncated:
        outcome.dead_letters.append(
            dead_letter(
                "truncated",
                "The page ends in the middle of its oldest entry (no trailer, last "
                "sentence cut off); the entry was held back.  It will be emitted when "
                "a complete scrape of the page arrives.",
                ref,
                story_id=story_id,
                text=segments[-1].text,
            )
        )
        segments = segments[:-1]
    if layout.spillover:
        outcome.dead_letters.append(
            dead_letter(
                "spillover",
                "Text from another article follows the page's trailer; it was cut off "
                "and not parsed.  Check the scraper's content selector for this site.",
                ref,
                story_id=story_id,
                text=layout.spillover,
            )
        )

    anchor = _anchor(layout, page, page_zone, source)
    if anchor is None:
        outcome.dead_letters.append(
            dead_letter(
                "invalid_envelope",
                "The page shows no date and the message has no scraped_at, so its "
                "entries cannot be dated; add scraped_at (ISO 8601) to the envelope.",
                ref,
                story_id=story_id,
                original=value or b"",
            )
        )
        return outcome

    parts = [read_entry(segment) for segment in segments]
    _apply_caption_style(parts)
    dated = date_entries(
        [segment.clock for segment in segments],
        [p.updated for p in parts],
        ["pinned" in p.labels for p in parts],
        page_zone,
        anchor,
        hard_limit=page.scraped_at,
    )
    # Oldest first; entries posted the same minute keep their page order reversed.
    order = sorted(range(len(parts)), key=lambda i: (dated[i].posted_at, -i))
    ordinal_of: dict[str, int] = {}
    for i in order:
        posted_at = format_utc(dated[i].posted_at)
        ordinal = ordinal_of.get(posted_at, 0)
        ordinal_of[posted_at] = ordinal + 1
        updated = dated[i].updated_at
        outcome.entries.append(
            _entry_value(
                parts[i],
                story_id,
                posted_at,
                ordinal,
                format_utc(updated) if updated else None,
                lang,
                story,
                ref,
            )
        )
    return outcome


def _entry_value(
    parts: EntryParts,
    story_id: str,
    posted_at: str,
    ordinal: int,
    updated_at: str | None,
    lang: str,
    story: StoryValue,
    ref: SourceRef,
) -> EntryValue:
    return {
        "schema": ENTRY_SCHEMA,
        "story_id": story_id,
        "entry_id": entry_id_for(story_id, posted_at, ordinal),
        "revision": 1,
        "posted_at": posted_at,
        "updated_at": updated_at,
        "headline": parts.headline,
        "labels": parts.labels,
        "body": parts.body,
        "captions": [c.as_record() for c in parts.captions],
        "lang": lang,
        "story": story,
        "source": ref,
    }


def _apply_caption_style(parts: Sequence[EntryParts]) -> None:
    styled = iter(style_caption_texts([c for p in parts for c in p.captions]))
    for p in parts:
        p.captions = [next(styled) for _ in p.captions]


def _source_ref(source: Source, scraped_at: datetime | None) -> SourceRef:
    return {
        "topic": source.topic,
        "partition": source.partition,
        "offset": source.offset,
        "scraped_at": format_utc(scraped_at) if scraped_at else None,
    }


def _anchor(layout: Layout, page: Page, page_zone: tzinfo, source: Source) -> datetime | None:
    """The latest instant the page can show: its newest own date line, capped by the
    scrape time; the Kafka record time is the last resort."""
    page_times = list(_page_times(layout.top, page_zone)) + list(
        _page_times(layout.trailer, page_zone)
    )
    candidates = []
    if page_times:
        candidates.append(max(page_times))
    if page.scraped_at:
        candidates.append(page.scraped_at)
    if candidates:
        return min(candidates)
    return source.timestamp


def _page_times(text: str, page_zone: tzinfo):
    """Instants named by the page's own date lines and unix timestamps."""
    for raw in text.split("\n"):
        line = raw.strip()
        if not line or _DIGIT.search(line, 0, 40) is None:
            continue
        stamp = UNIX_TIMESTAMP.match(line) if line[0].isdigit() else None
        if stamp:
            yield datetime.fromtimestamp(int(stamp.group("epoch")), tz=UTC)
            continue
        found = date_of_line(line)
        if found is None:
            continue
        instant = _date_line_instant(line, found, page_zone)
        if instant is not None:
            yield instant


def _date_line_instant(
    line: str, found: tuple[tuple[int, int, int], int], page_zone: tzinfo
) -> datetime | None:
    ymd, date_end = found
    try:
        day = datetime(*ymd).date()
    except ValueError:
        return None
    time_match = TIME_IN_LINE.search(line, date_end)
    clock = clock_from_match(time_match) if time_match else None
    if clock is None:
        # A date without a time: the page was live at some point that day.
        return localize(day, Clock(23, 59), page_zone) + timedelta(seconds=59)
    return localize(day, clock, page_zone)
