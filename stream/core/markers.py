"""Line patterns of live-blog pages, compiled once from the locale tables.

Every pattern here matches a *whole line*.  They are built from all locales at once,
so a page whose language was guessed wrong still has its markers recognised.
"""

from __future__ import annotations

import re
from functools import lru_cache

from stream.core.calendar import month_number
from stream.core.locales import (
    COMMON_FURNITURE,
    FURNITURE_PREFIXES,
    INLINE_FURNITURE,
    LOCALES,
    ZONE_ABBREVIATIONS,
)
from stream.core.timegrammar import Clock, hour_of_day, offset_minutes


def _alternation(phrases: list[str] | tuple[str, ...] | set[str]) -> str:
    """A regex alternation, longest phrase first so that prefixes do not win."""
    unique = sorted(set(phrases), key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in unique)


_ZONES = _alternation(list(ZONE_ABBREVIATIONS))
# A clock time: 07h42, 07.42, 7:42, 7.42am, 7:42 a.m.; optional seconds.
_TIME = (
    r"(?P<h>[01]?\d|2[0-3])\s?(?:[h:.H]\s?(?P<m>[0-5]\d)(?:[:.](?P<s>[0-5]\d))?)?"
    r"\s?(?P<ampm>[aApP]\.?\s?[mM]\.?(?![a-zA-Z]))?"
)
# What may follow a time: a zone abbreviation or offset, and/or a local suffix word.
_ZONE = (
    rf"(?:\s*\(?(?P<zone>{_ZONES})(?P<offset>[+-]\d{{1,2}}(?::?\d{{2}})?)?\)?)?"
    r"(?:\s*(?:Uhr|hrs?|horas?|uur|ore|heures?)\b)?"
)
# A numeric date in front of a time: 31.03.22, 31/03/2024, 2024-03-31.
_NUMERIC_DATE = (
    r"(?:(?P<d>\d{1,2})[./](?P<mo>\d{1,2})[./](?P<y>\d{4}|\d{2})"
    r"|(?P<iy>\d{4})-(?P<imo>\d{2})-(?P<id>\d{2}))"
)
_DATE_TIME_GLUE = r"\s*(?:[|,–—-]|à|a las|um|at|alle|às|om)?\s*"

_UPDATED_PHRASES = _alternation([p for loc in LOCALES.values() for p in loc.updated])
#: An entry's "updated" footer: "Mis à jour à 07h42 CEST", "Updated at 7.45am BST".
UPDATED_LINE = re.compile(
    rf"^\s*(?:{_UPDATED_PHRASES})\s*:?\s*(?:{_NUMERIC_DATE}{_DATE_TIME_GLUE})?"
    rf"{_TIME}{_ZONE}\s*\.?\s*$",
    re.IGNORECASE,
)

#: First letters (lower case) of the "updated" phrases: a cheap test before the regex.
UPDATED_INITIALS = frozenset(p[0].casefold() for loc in LOCALES.values() for p in loc.updated)

#: Label lines, all languages merged: lower-cased line -> contract label.
LABELS: dict[str, str] = {
    word: label for loc in LOCALES.values() for word, label in loc.labels.items()
}

_CREDIT_WORDS = _alternation([w for loc in LOCALES.values() for w in loc.credit_words])
#: A photo credit inside a caption: "Photograph: AP", "Photographie : Getty Images".
CREDIT = re.compile(rf"(?<![\w])(?:{_CREDIT_WORDS})\s?:\s*")

# Month names are matched as any word and checked against CLDR's (stream.core.calendar) in
# ``find_date``: an alternation of every month name in every language, tried at every
# position of every line, was the slowest thing in the parser.
_MONTH_WORD = r"[^\W\d_]{3,10}"
#: A calendar date written out anywhere in a line (page date lines, not markers).
DATE_IN_LINE = re.compile(
    rf"(?P<numeric>{_NUMERIC_DATE})"
    rf"|(?P<td>\d{{1,2}})\.?\s+(?:de\s+)?(?P<tmonth>{_MONTH_WORD})\.?,?\s+(?:de\s+)?(?P<ty>\d{{4}})"
    rf"|(?P<umonth>{_MONTH_WORD})\.?\s+(?P<ud>\d{{1,2}}),?\s+(?P<uy>\d{{4}})"
)
_HAS_DIGIT = re.compile(r"\d")
TIME_IN_LINE = re.compile(rf"(?<![\d.:/-]){_TIME}{_ZONE}(?![\d])")

UNIX_TIMESTAMP = re.compile(r"^\s*(?P<epoch>1\d{9})(?P<millis>\d{3})?\s*$")
HASHTAGS = re.compile(r"^\s*(?:#[^\s#]+\s*)+$")
HASHTAG = re.compile(r"#([^\s#]+)")

_FURNITURE_PHRASES = {
    p.casefold() for loc in LOCALES.values() for p in (*loc.furniture, *loc.tag_headings)
} | {p.casefold() for p in COMMON_FURNITURE}
_TAG_HEADINGS = {h.casefold() for loc in LOCALES.values() for h in loc.tag_headings}


#: Lower-cased furniture phrases and tag headings, for callers that casefold once.
FURNITURE_KEYS: frozenset[str] = frozenset(_FURNITURE_PHRASES)
TAG_HEADING_KEYS: frozenset[str] = frozenset(_TAG_HEADINGS)


def furniture_key(line: str) -> str:
    return line.strip().rstrip(":").casefold()


_FURNITURE_PREFIX_KEYS = tuple(p.casefold() for p in FURNITURE_PREFIXES)
_INLINE_FURNITURE_KEYS = frozenset(p.casefold() for p in INLINE_FURNITURE)
_IMAGE_FILE = re.compile(r"^\S+\.(?:jpe?g|png|gif|webp)$", re.IGNORECASE)
_FURNITURE_MAX_CHARS = 120
_RULE_LINE = re.compile(r"^[-_=*~—–─•·]{3,}$")


def is_furniture_block(paragraph: str) -> bool:
    """A paragraph that is site furniture: a known phrase, an embed or promotion line,
    an image file name."""
    if len(paragraph) > _FURNITURE_MAX_CHARS:
        return False
    key = furniture_key(paragraph)
    return (
        key in _FURNITURE_PHRASES
        or key in _INLINE_FURNITURE_KEYS
        or key.startswith(_FURNITURE_PREFIX_KEYS)
        or _IMAGE_FILE.match(paragraph.strip()) is not None
        or _RULE_LINE.match(paragraph.strip()) is not None
    )


def is_furniture_phrase(line: str) -> bool:
    """Share buttons, comment boxes, 'most viewed' and similar site furniture."""
    return furniture_key(line) in _FURNITURE_PHRASES


#: Parser memos: live-blog pages repeat the same marker lines and clock times page
#: after page, so the parser remembers them with ``functools.lru_cache`` (the one
#: cache mechanism of the core; ``stream.core.process.forget_memos`` clears them all).
MEMO_SIZE = 20_000


def clock_from_match(match: re.Match[str]) -> Clock | None:
    """``read_clock``, remembered by the matched text and pattern."""
    return clock_of_text(match.re, match.group())


@lru_cache(maxsize=MEMO_SIZE)
def clock_of_text(pattern: re.Pattern[str], text: str) -> Clock | None:
    # The matched text matches the pattern whole, with the same groups.
    match = pattern.fullmatch(text)
    return read_clock(match) if match is not None else None


def read_clock(match: re.Match[str]) -> Clock | None:
    """Read a ``Clock`` from a match of one of the time patterns, or None if the
    match is not a plausible time (a bare number, hour 13 with "pm", ...)."""
    hour_text, minute_text, ampm, zone, offset = match.group("h", "m", "ampm", "zone", "offset")
    if minute_text is None and not ampm:
        return None
    hour = hour_of_day(int(hour_text), ampm)
    if hour is None:
        return None
    minute = int(minute_text) if minute_text else 0
    date = None
    if "d" in match.re.groupindex and (match.group("y") or match.group("iy")):
        date = numeric_date(match.groupdict())
    stated = offset_minutes(offset) if offset else None
    return Clock(hour, minute, zone.upper() if zone else None, stated, date)


def numeric_date(groups: dict[str, str | None]) -> tuple[int, int, int] | None:
    """The (year, month, day) of a numeric date group, or None if absent or invalid."""
    if groups.get("y"):
        year, month, day = int(groups["y"]), int(groups["mo"]), int(groups["d"])
        if year < 100:
            year += 2000
    elif groups.get("iy"):
        year, month, day = int(groups["iy"]), int(groups["imo"]), int(groups["id"])
    else:
        return None
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    return (year, month, day)


def find_date(line: str) -> tuple[tuple[int, int, int], int] | None:
    """The first calendar date in a line, as ((year, month, day), end offset)."""
    if _HAS_DIGIT.search(line) is None:
        return None
    for match in DATE_IN_LINE.finditer(line):
        groups = match.groupdict()
        if groups["numeric"]:
            ymd = numeric_date(groups)
        elif groups["tmonth"]:
            month = month_number(groups["tmonth"])
            ymd = (int(groups["ty"]), month, int(groups["td"])) if month else None
        else:
            month = month_number(groups["umonth"])
            ymd = (int(groups["uy"]), month, int(groups["ud"])) if month else None
        if ymd is not None and 1 <= ymd[2] <= 31:
            return ymd, match.end()
    return None
