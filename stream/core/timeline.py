"""Dating entries: from wall-clock markers to UTC instants.

Entries run newest first and usually print only a time.  The date comes from the
entry itself, else from the page's own date lines, else from ``scraped_at``; walking
down the page, a time later than the one above it means the blog crossed midnight,
so the date rolls back a day.  Nothing is dated after the page was scraped.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from stream.core.anatomy import date_of_line
from stream.core.locales import ZONE_ABBREVIATIONS
from stream.core.markers import TIME_IN_LINE, UNIX_TIMESTAMP, Clock, clock_from_match

# An entry printed a little later than the one above it is taken as out of order,
# not as a new day: only a jump larger than this rolls the date back.
OUT_OF_ORDER_TOLERANCE = timedelta(minutes=90)
# The page's own "last updated" line may lag its newest entry by a few minutes.
ANCHOR_TOLERANCE = timedelta(minutes=15)
_DAY = timedelta(days=1)
_MINUTE = timedelta(minutes=1)


@lru_cache(maxsize=64)
def zone_named(name: str) -> tzinfo | None:
    """The IANA zone of that name, or None when zoneinfo does not know it."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


@lru_cache(maxsize=8192)
def localize(day: date, clock: Clock, page_zone: tzinfo) -> datetime:
    """The UTC instant of ``clock`` on ``day`` (remembered: a page's days and times
    recur in every scrape).

    An abbreviation that states its offset (CET, CEST, BST, EDT) is taken at its
    word, even where the named zone's rule would disagree (CEST printed in January):
    it is what the page says.  One that does not (ET, CT, PT) and a time without a
    zone go through zoneinfo, which applies daylight saving for that date.
    """
    zone = clock.zone
    if zone is not None and clock.offset_minutes is None:
        stated = _STATED_OFFSETS.get(zone)
        if stated is not None:  # the common case, without zoneinfo
            return (
                datetime(day.year, day.month, day.day, clock.hour, clock.minute, tzinfo=UTC)
                - stated
            )
    wall = datetime.combine(day, time(clock.hour, clock.minute))
    if clock.offset_minutes is not None:
        base = 0.0
        if clock.zone:
            base = ZONE_ABBREVIATIONS.get(clock.zone, ("UTC", 0))[1] or 0.0
        offset = timedelta(hours=base, minutes=clock.offset_minutes)
        return (wall - offset).replace(tzinfo=UTC)
    if zone is not None and zone in ZONE_ABBREVIATIONS:  # ET, CT, PT: the zone's own rule
        zone_name = ZONE_ABBREVIATIONS[zone][0]
        return wall.replace(tzinfo=zone_named(zone_name) or UTC).astimezone(UTC)
    return wall.replace(tzinfo=page_zone).astimezone(UTC)


_STATED_OFFSETS: dict[str, timedelta] = {
    abbreviation: timedelta(hours=hours)
    for abbreviation, (_, hours) in ZONE_ABBREVIATIONS.items()
    if hours is not None
}


class DatedEntry(NamedTuple):
    posted_at: datetime
    updated_at: datetime | None


def date_entries(
    markers: Sequence[Clock],
    footers: Sequence[Clock | None],
    pinned: Sequence[bool],
    page_zone: tzinfo,
    anchor: datetime,
    hard_limit: datetime | None = None,
) -> list[DatedEntry]:
    """Date each entry (given newest first, as on the page).

    ``anchor`` is the latest instant the page can show (its last-update line, the
    scrape time, whichever is earlier); ``hard_limit`` (the scrape time) is never
    passed.  ``pinned`` entries sit out of order at the top and are dated against
    the anchor without moving the others.
    """
    anchor_local = anchor.astimezone(page_zone)
    anchor_day = anchor_local.date()
    previous: datetime | None = None  # UTC instant of the entry above
    previous_day = anchor_day  # its day in the page's zone
    dated: list[DatedEntry] = []
    left_out = _out_of_chain(markers, pinned, anchor_local)
    for index, clock in enumerate(markers):
        printed_day = _printed_day(clock, anchor_day)
        if printed_day is not None:
            posted = localize(printed_day, clock, page_zone)
        else:
            if previous is None or index in left_out:
                posted = _latest_at_or_before(
                    clock, anchor, anchor_day, page_zone, ANCHOR_TOLERANCE
                )
            else:
                posted = _latest_at_or_before(
                    clock, previous, previous_day, page_zone, OUT_OF_ORDER_TOLERANCE
                )
            while hard_limit is not None and posted > hard_limit:
                posted = localize(day_in(posted, page_zone) - _DAY, clock, page_zone)
        posted_day = day_in(posted, page_zone)
        if index not in left_out:
            previous, previous_day = posted, posted_day
        footer = footers[index]
        updated = None if footer is None else _updated_after(footer, posted, posted_day, page_zone)
        dated.append(_new_tuple(DatedEntry, (posted, updated)))
    return dated


_new_tuple = tuple.__new__  # a NamedTuple without its Python-level __new__


@lru_cache(maxsize=8192)
def day_in(instant: datetime, zone: tzinfo) -> date:
    """The day ``instant`` falls on in ``zone`` (remembered: a lookup costs a fifth of
    converting, and re-scrapes date the same entries again)."""
    return instant.astimezone(zone).date()


def _printed_day(clock: Clock, anchor_day: date) -> date | None:
    """The day a marker prints, if it prints one.  An ambiguous numeric date (1/5/16)
    and a date without a year are read as the latest day not after the anchor."""
    if clock.date is None and clock.date_alt is None:
        return None  # most markers print a time only
    days = []
    for printed in (clock.date, clock.date_alt):
        if printed is None:
            continue
        year, month, day = printed
        for candidate_year in (year,) if year else (anchor_day.year, anchor_day.year - 1):
            try:
                days.append(date(candidate_year, month, day))
            except ValueError:
                continue
    if not days:
        return None
    not_after = [day for day in days if day <= anchor_day + _DAY]
    return max(not_after) if not_after else min(days)


def _out_of_chain(
    markers: Sequence[Clock], pinned: Sequence[bool], anchor_local: datetime
) -> set[int]:
    """Indices of the entries left out of the newest-first chain (usually none).

    Pinned entries are left out, and so is a first entry printed earlier than the
    second one while the second still fits before the anchor on the same day: that
    is a pinned post without its label.
    """
    if not any(pinned):  # the usual page
        left_out: set[int] = set()
        first = 0 if markers else None
    else:
        left_out = {i for i, is_pinned in enumerate(pinned) if is_pinned}
        first = next((i for i in range(len(markers)) if i not in left_out), None)
    if first is not None and first + 1 < len(markers) and first + 1 not in left_out:
        a, b = markers[first], markers[first + 1]
        if a.date is None and b.date is None:
            a_minutes, b_minutes = a.hour * 60 + a.minute, b.hour * 60 + b.minute
            anchor_minutes = anchor_local.hour * 60 + anchor_local.minute
            if a_minutes < b_minutes <= anchor_minutes:
                left_out.add(first)
    return left_out


@lru_cache(maxsize=8192)
def _latest_at_or_before(
    clock: Clock, ceiling: datetime, ceiling_day: date, page_zone: tzinfo, tolerance: timedelta
) -> datetime:
    """The latest instant showing ``clock`` that is not after ``ceiling`` by more than
    ``tolerance`` (so that a slightly misordered entry keeps its day).  ``ceiling_day``
    is the ceiling's day in the page's zone.  (Remembered: below the newest entry,
    each entry's ceiling is the entry above it, which a re-scrape dates the same.)"""
    candidate = localize(ceiling_day, clock, page_zone)
    # The printed zone may differ from the page zone, so the local day can be off by one.
    if candidate - ceiling > tolerance:
        candidate = localize(ceiling_day - _DAY, clock, page_zone)
    elif ceiling - candidate > _DAY - tolerance:
        later = localize(ceiling_day + _DAY, clock, page_zone)
        if later - ceiling <= tolerance:
            candidate = later
    return candidate


def _updated_after(
    footer: Clock, posted: datetime, posted_day: date, page_zone: tzinfo
) -> datetime:
    """An update time is never before the post: a smaller time means the next day."""
    if footer.date is not None:
        return localize(date(*footer.date), footer, page_zone)
    updated = localize(posted_day, footer, page_zone)
    if updated < posted - _MINUTE:
        updated = localize(posted_day + _DAY, footer, page_zone)
    return updated


@lru_cache(maxsize=8192)
def format_utc(instant: datetime) -> str:
    """ISO 8601 in UTC with a Z, to the second: 2024-06-19T05:42:00Z (remembered:
    re-scrapes print the same times)."""
    if instant.tzinfo is not UTC:
        instant = instant.astimezone(UTC)
    if instant.microsecond:
        instant = instant.replace(microsecond=0)
    return instant.isoformat()[:-6] + "Z"  # "...+00:00" -> "...Z"; all in C


def parse_iso8601(text: str) -> datetime | None:
    """Parse an ISO 8601 timestamp; a naive one is taken as UTC.  None if invalid."""
    try:
        parsed = datetime.fromisoformat(text)  # the usual stamp, "Z" and all, in one step
    except (ValueError, TypeError):
        try:
            parsed = datetime.fromisoformat(
                text.strip().replace("Z", "+00:00").replace("z", "+00:00")
            )
        except (ValueError, AttributeError):
            return None
    if parsed.tzinfo is UTC:
        return parsed
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def page_anchor(
    top: str,
    trailer: str,
    page_zone: tzinfo,
    scraped_at: datetime | None,
    record_time: datetime | None,
) -> datetime | None:
    """The latest instant the page can show: its newest own date line (in the top
    matter or the trailer), capped by the scrape time; the Kafka record time is the
    last resort."""
    page_times = [*_page_times(top, page_zone), *_page_times(trailer, page_zone)]
    candidates = []
    if page_times:
        candidates.append(max(page_times))
    if scraped_at:
        candidates.append(scraped_at)
    if candidates:
        return min(candidates)
    return record_time


_DIGIT = re.compile(r"\d")


@lru_cache(maxsize=4096)
def _page_times(text: str, page_zone: tzinfo) -> tuple[datetime, ...]:
    """Instants named by the page's own date lines and unix timestamps (remembered:
    the top matter and the trailer repeat in every scrape of a page)."""
    return tuple(_each_page_time(text, page_zone))


def _each_page_time(text: str, page_zone: tzinfo) -> Iterator[datetime]:
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


def forget_dating_memos() -> None:
    """Clear what dating remembers between messages (for measuring it cold)."""
    for memo in (localize, day_in, _latest_at_or_before, format_utc, _page_times):
        memo.cache_clear()
