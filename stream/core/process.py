"""The pure core: one raw message in, the records it must produce out.

No Kafka, no clock, no I/O.  ``process_message`` never raises: any unexpected
failure becomes a ``processing_error`` dead letter carrying the original bytes.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

import orjson

from stream.contract import (
    ENTRY_SCHEMA,
    DeadLetterValue,
    EntryValue,
    SourceRef,
    StoryValue,
    dead_letter,
)
from stream.core.anatomy import (
    EntrySegment,
    Layout,
    forget_layout_memos,
    lay_out,
    normalise_newlines,
)
from stream.core.calendar import month_numbers, weekday_names
from stream.core.captions import style_caption_texts
from stream.core.decoding import DEFAULT_MAX_BYTES, Page, Rejection, decode_message
from stream.core.entries import EntryParts, forget_entry_memos, page_style, read_entries
from stream.core.identity import (
    canonical_url,
    entry_id_for,
    is_url,
    story_id_for,
    title_from_url,
)
from stream.core.language import detect_language
from stream.core.locales import LOCALES
from stream.core.markers import clock_of_text
from stream.core.timegrammar import read_marker
from stream.core.timeline import (
    UTC,
    date_entries,
    forget_dating_memos,
    format_utc,
    page_anchor,
    zone_named,
)

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
    """Clear everything the parser remembers between messages (marker lines, clock
    times, entries, local times, page dates, URLs, ids): for measuring it cold."""
    for memo in (read_marker, clock_of_text, canonical_url, entry_id_for, story_id_for):
        memo.cache_clear()
    forget_entry_memos()
    forget_dating_memos()
    forget_layout_memos()


def warm_up() -> int:
    """Load what the first page would otherwise load, and parse a few pages.

    The first page a process parses pays for reading CLDR's calendar names in twelve
    languages (about 100 ms here, against about 1 ms for the next page), time zones
    and compiled patterns.  A worker calls this before it reads, so that its first
    real pages are not the slow ones.  Returns the entries it parsed."""
    month_numbers()
    weekday_names()
    entries = [
        f"{hour}:{minute:02d}\n\nWarm-up entry at {hour}:{minute:02d}."
        for hour, minute in ((11, 42), (10, 15), (9, 5))
    ]
    text = "\n\n".join(["Live: warm-up", "1 January 2025", *entries, "Share"])
    parsed = 0
    for code, locale in LOCALES.items():
        envelope = {"text": text, "lang": code, "timezone": locale.default_timezone}
        outcome = process_message(orjson.dumps({**envelope, "scraped_at": "2025-01-01T12:00Z"}))
        parsed += len(outcome.entries)
    forget_memos()
    return parsed


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


@dataclass(slots=True)  # not frozen: made once per page, and faster to make
class _Context:
    """What every record of one page shares."""

    original: bytes
    ref: SourceRef
    story_id: str
    story: StoryValue
    lang: str
    zone: tzinfo


def _process(value: bytes | None, key: bytes | None, source: Source, max_bytes: int) -> Outcome:
    outcome = Outcome(key=key)
    original = value or b""
    decoded = decode_message(value, max_bytes)
    if isinstance(decoded, Rejection):
        ref = _source_ref(source, None)
        outcome.dead_letters.append(
            dead_letter(decoded.reason, decoded.detail, ref, original=original)
        )
        return outcome
    page = decoded
    text = normalise_newlines(page.text)
    layout = lay_out(text)
    if layout is None:
        ref = _source_ref(source, page.scraped_at)
        outcome.dead_letters.append(
            dead_letter("not_a_liveblog", NOT_A_LIVEBLOG, ref, original=original)
        )
        return outcome
    context = _context(page, layout, text, key, source, original)
    outcome.story_id, outcome.story, outcome.lang = context.story_id, context.story, context.lang
    segments, letters = _complete_segments(layout, context)
    outcome.dead_letters.extend(letters)
    anchor = page_anchor(
        layout.top, layout.trailer, context.zone, page.scraped_at, source.timestamp
    )
    if anchor is None:
        outcome.dead_letters.append(
            dead_letter(
                "invalid_envelope",
                "The page shows no date and the message has no scraped_at, so its "
                "entries cannot be dated; add scraped_at (ISO 8601) to the envelope.",
                context.ref,
                story_id=context.story_id,
                original=original,
            )
        )
        return outcome
    newest_first = segments if layout.newest_first else segments[::-1]
    outcome.entries = _entries(newest_first, context, anchor, page.scraped_at)
    return outcome


NOT_A_LIVEBLOG = (
    "No shape of time marker explains this page (no recurring times leading lines in "
    "order, such as '21:10 Body', '09.49 - Headline' or '7.42am BST' alone on a line, "
    "and no date-and-time stamps closing entries): it looks like an ordinary article. "
    "If it is a live blog, run `python -m stream parse --explain FILE` to see the "
    "candidates and why each was rejected."
)


def _context(
    page: Page, layout: Layout, text: str, key: bytes | None, source: Source, original: bytes
) -> _Context:
    url = page.url
    if url is None and key:
        decoded_key = key.decode("utf-8", "replace")
        url = decoded_key if is_url(decoded_key) else None
    lang = page.lang or detect_language(text)
    locale = LOCALES.get(lang)
    zone_name = page.timezone or (locale.default_timezone if locale else None)
    story: StoryValue = {
        "title": layout.title or title_from_url(url) or "",
        "section": layout.section,
        "url": url,
        "tags": layout.tags,
    }
    return _Context(
        original=original,
        ref=_source_ref(source, page.scraped_at),
        story_id=story_id_for(url, page.source, story["title"]),
        story=story,
        lang=lang,
        zone=(zone_named(zone_name) if zone_name else None) or UTC,
    )


def _complete_segments(
    layout: Layout, context: _Context
) -> tuple[list[EntrySegment], list[DeadLetterValue]]:
    """The entry segments that are whole, and letters for the truncated and spilled text."""
    segments, letters = layout.entries, []
    if layout.truncated_text is not None:
        letters.append(
            dead_letter(
                "truncated",
                "The page ends in the middle of its oldest entry (no trailer, last "
                "sentence cut off); the entry was held back.  It will be emitted when "
                "a complete scrape of the page arrives.",
                context.ref,
                story_id=context.story_id,
                text=layout.truncated_text,
            )
        )
    if layout.spillover:
        letters.append(
            dead_letter(
                "spillover",
                "Text from another article follows the page's trailer; it was cut off "
                "and not parsed.  Check the scraper's content selector for this site.",
                context.ref,
                story_id=context.story_id,
                text=layout.spillover,
            )
        )
    return segments, letters


def _entries(
    segments: list[EntrySegment],
    context: _Context,
    anchor: datetime,
    scraped_at: datetime | None,
) -> list[EntryValue]:
    """The entry records, oldest first.  ``segments`` run newest first."""
    style = page_style(segments)
    parts = read_entries(segments, style)
    parts = _with_caption_style(parts)
    dated = date_entries(
        [segment.clock for segment in segments],
        [p.updated for p in parts],
        ["pinned" in p.labels for p in parts],
        context.zone,
        anchor,
        hard_limit=scraped_at,
    )
    # Oldest first; entries posted the same minute keep their page order reversed.
    order = sorted(zip([d.posted_at for d in dated], range(0, -len(dated), -1), strict=True))
    story_id, story, lang, ref = context.story_id, context.story, context.lang, context.ref
    ordinal_of: dict[str, int] = {}
    entries: list[EntryValue] = []
    for posted, negative_index in order:
        entry, updated = parts[-negative_index], dated[-negative_index].updated_at
        posted_at = format_utc(posted)
        ordinal = ordinal_of.get(posted_at, 0)
        ordinal_of[posted_at] = ordinal + 1
        # (the record is built here, not in a helper: one call fewer per entry)
        entries.append(
            {
                "schema": ENTRY_SCHEMA,
                "story_id": story_id,
                "entry_id": entry_id_for(story_id, posted_at, ordinal),
                "revision": 1,
                "posted_at": posted_at,
                "updated_at": format_utc(updated) if updated else None,
                "headline": entry.headline,
                "labels": list(entry.labels),
                "body": entry.body,
                "captions": [c.as_record() for c in entry.captions] if entry.captions else [],
                "lang": lang,
                "story": story,
                "source": ref,
            }
        )
    return entries


def _with_caption_style(parts: Sequence[EntryParts]) -> list[EntryParts]:
    """The parts with their captions written in the page's caption style."""
    captions = [c for p in parts for c in p.captions]
    if not captions:
        return list(parts)
    styled_captions = style_caption_texts(captions)
    if styled_captions is captions:  # the page writes sentences: nothing to restyle
        return list(parts)
    styled = iter(styled_captions)
    return [
        EntryParts(p.labels, p.headline, p.body, tuple(next(styled) for _ in p.captions), p.updated)
        if p.captions
        else p
        for p in parts
    ]


def _source_ref(source: Source, scraped_at: datetime | None) -> SourceRef:
    return {
        "topic": source.topic,
        "partition": source.partition,
        "offset": source.offset,
        "scraped_at": format_utc(scraped_at) if scraped_at else None,
    }
