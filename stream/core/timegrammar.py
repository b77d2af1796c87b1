"""The time grammar: every way a live blog prints the time of an entry, in one place.

A *marker* is a time at the start of a line (``21:10 Body…``, ``• 1/5/16 8:08 AM``,
``ORE 19:18 – Body``, ``6 Uhr:``, ``1:15pm NZDT (7:15pm EST)``) or a date-and-time
stamp closing a line (``Thomas Kingsley25 February 2022 10:55``).  This module
reads one line and says whether it holds one and of what shape; choosing which
shape marks the entries of a page is ``stream.core.shapes``' job.

Times: H:MM, H.MM, HhMM, H,MM, HHMM (with a colon or zone after it), an hour alone
when a word (``Uhr``, ``h``, ``horas``) or am/pm says it is a time, 12-hour clocks
(``pm``, ``p.m.``), seconds, zone abbreviations, UTC offsets, a second zone in
brackets.  Dates: numeric (``31.03.22``, ``1/5/16``, ``2024-03-31``), day + month
name, month name + day, with or without a weekday.  Month names come from CLDR
(``stream.core.calendar``); the prefix words and hour words are live-blog vocabulary.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import NamedTuple

from stream.core.calendar import is_weekday, month_number
from stream.core.locales import ZONE_ABBREVIATIONS

#: Words some sites print before the time ("ORE 19:18", "um 6 Uhr", "à 7h").
PREFIX_WORDS = ("ore", "h", "um", "à", "a las", "às", "alle", "at", "kl", "klo", "om")
#: Words that say a number is an hour ("6 Uhr", "21h", "14 horas").
HOUR_WORDS = ("uhr", "h", "hrs", "hr", "horas", "hora", "uur", "heures", "heure", "ore", "hod")

_PREFIX = "(?i:" + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in PREFIX_WORDS) + ")"
_HOUR_WORD = "(?i:" + "|".join(sorted(HOUR_WORDS, key=len, reverse=True)) + ")"
_ZONE = r"(?:[A-Z]{1,4}T|UTC|GMT|MEZ|MESZ)(?:[+-]\d{1,2}(?::?\d{2})?)?"
_AMPM = r"[aApP]\.?\s?[mM]\.?(?![^\W\d_])"
_MONTH_WORD = r"[^\W\d_]{3,12}\.?"

_LEADING = re.compile(
    rf"""
    [ \t\u00a0]*
    (?P<bullet>[•·▪►■▶*]\s*)?
    (?:(?P<prefix>{_PREFIX})\.?\s+)?
    (?:(?P<weekday>[^\W\d_]{{2,12}}\.?),?\s+(?=\d))?
    (?:(?P<date>
        (?P<d1>\d{{1,2}})[./](?P<d2>\d{{1,2}})[./](?P<d3>\d{{4}}|\d{{2}})
      | (?P<iy>\d{{4}})-(?P<imo>\d{{2}})-(?P<id>\d{{2}})
      | (?P<td>\d{{1,2}})\.?\s+(?P<tmonth>{_MONTH_WORD})(?:\s+(?P<ty>\d{{4}}))?
      | (?P<umonth>{_MONTH_WORD})\s+(?P<ud>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<uy>\d{{4}}))?
    )\s*(?:[,|–—-]|\s)\s*(?:(?:um|at|à|a\s+las|às|alle|om)\s+)?)?
    (?:
        (?P<h>[01]?\d|2[0-3])\s?(?P<sep>[:.hH,])\s?(?P<m>[0-5]\d)(?::(?P<s>[0-5]\d))?
      | (?P<h4>[01]\d|2[0-3])(?P<m4>[0-5]\d)(?=\s*(?::|[A-Z]{{2,4}}\b))
      | (?P<hh>[01]?\d|2[0-3])(?=\s?(?:{_HOUR_WORD})\b|\s?{_AMPM})
    )
    (?![\d/]|[.,]\d)
    (?:\s?(?P<ampm>{_AMPM}))?
    (?:\s?\(?(?P<zone>{_ZONE})\)?(?![^\W\d_]))?
    (?:\s*\((?P<second>[^()\n]{{1,30}})\))?
    (?:\s?(?P<hourword>{_HOUR_WORD})\b\.?)?
    (?P<gap>[ \t\u00a0]*)
    (?P<separator>[|–—:,•]|-(?!\d)|\.(?=\s|$))?
    [ \t\u00a0]*
    (?P<rest>.*?)[ \t\u00a0]*$
    """,
    re.VERBOSE,
)

_TRAILING = re.compile(
    rf"""
    (?P<before>.*?)
    (?P<td>\d{{1,2}})\.?\s+(?P<tmonth>{_MONTH_WORD})\s+(?P<ty>\d{{4}}),?\s+
    (?:(?:um|at|à|a\s+las|às|alle|om)\s+)?
    (?P<h>[01]?\d|2[0-3])[:.hH](?P<m>[0-5]\d)
    (?:\s?(?P<ampm>{_AMPM}))?
    (?:\s?(?P<zone>{_ZONE}))?
    [ \t\u00a0]*$
    """,
    re.VERBOSE,
)

_STRONG_SEPARATORS = frozenset("–—-|:,•")
_RELATIVE_AGE = re.compile(
    r"^\s*(?:\d{1,3}\s?(?:h|hrs?|hours?|m|mins?|minutes?|d|days?)\s+ago"
    r"|vor\s+\d{1,3}\s+(?:Minuten|Stunden|Min\.?|Std\.?)"
    r"|il\s+y\s+a\s+\d{1,3}\s+(?:min|minutes?|h|heures?)"
    r"|hace\s+\d{1,3}\s+(?:min|minutos?|h|horas?)"
    r"|\d{1,3}\s?(?:min|uur|u)\s+geleden"
    r"|(?:há|ha)\s+\d{1,3}\s+(?:min|minutos?|h|horas?)"
    r"|\d{1,3}\s+(?:minuti|ore)\s+fa)\s*$",
    re.IGNORECASE,
)


class Clock(NamedTuple):
    """A wall-clock time as printed on the page, before any date is known."""

    hour: int
    minute: int
    zone: str | None = None  # abbreviation as printed, upper case
    offset_minutes: int | None = None  # explicit "UTC+2" style offset
    date: tuple[int, int, int] | None = None  # (year, month, day) when printed
    #: The other reading of an ambiguous numeric date (1/5/16: 1 May or 5 Jan).
    date_alt: tuple[int, int, int] | None = None


class Marker(NamedTuple):
    """A time that may mark an entry, read from one line."""

    clock: Clock
    #: "lead" (the line starts with it) or "trail" (a stamp closes the line).
    kind: str
    #: What kind of marker it is, for grouping: the same site prints one shape.
    shape: tuple
    separator: str  # "" when the time is followed by a space or nothing
    rest: str  # the text after the marker on its line ("" when alone)
    before: str  # for trailing stamps: the text before the stamp (a byline)
    #: How much this occurrence alone looks like a marker: alone on its line or
    #: followed by a separator (1), with a zone, date or prefix word (0.75), or a
    #: time that merely starts a sentence, "7 am is when…" (0.5).
    strength: float
    #: The clock's minutes since midnight (hour * 60 + minute), read once here: marker
    #: induction compares them for every candidate of every page.
    minute_of_day: int


@lru_cache(maxsize=20_000)
def read_marker(line: str) -> Marker | None:
    """The marker a line holds, or None.  Remembered by the line's text: marker
    lines recur page after page."""
    stripped = line.strip()
    if not stripped or len(stripped) > 2000 or is_relative_age(stripped):
        return None
    if stripped[0].isdigit() or stripped[0] in "•·▪►■▶*" or not stripped[0].isalnum():
        found = _leading(line)
        if found is not None:
            return found
    elif stripped[:1].isalpha():
        found = _leading(line) if _starts_with_word_then_digit(stripped) else None
        if found is not None:
            return found
    if stripped[-1].isdigit() or stripped[-1] in "MmTC":
        return _trailing(stripped)
    return None


def _starts_with_word_then_digit(text: str) -> bool:
    """Cheap test for prefix words and written dates: a digit within 20 characters."""
    return any(c.isdigit() for c in text[:20])


def _leading(line: str) -> Marker | None:
    match = _LEADING.match(line)
    if match is None:
        return None
    groups = match.groupdict()
    weekday = groups["weekday"]
    if weekday and not is_weekday(weekday):
        return None  # a word before the time that is not a weekday: prose
    date, date_alt = _date_of(groups)
    if groups["date"] and date is None:
        return None
    clock = _clock_of(groups, date, date_alt)
    if clock is None:
        return None
    if groups["s"]:
        return None  # seconds: a machine timestamp (a page's date line), not a marker
    if groups["h"] and groups["sep"] == "," and not groups["gap"]:
        return None  # "2,5 Prozent": a decimal, not a time
    separator = (groups["separator"] or "").strip()
    rest = groups["rest"] or ""
    if not separator and rest and not groups["gap"] and not groups["hourword"]:
        return None  # glued to a word: "10.5km"
    if groups["hh"] and not (groups["ampm"] or groups["hourword"]):
        return None
    shape = (
        "lead",
        (groups["prefix"] or "").casefold(),
        "date" if date else "",
        bool(groups["ampm"]),
        bool(groups["zone"]),
    )
    if not rest or separator in _STRONG_SEPARATORS:
        strength = 1.0
    else:
        strength = 0.75 if groups["prefix"] or date or groups["zone"] else 0.5
    minute_of_day = clock.hour * 60 + clock.minute
    return Marker(clock, "lead", shape, separator, rest, "", strength, minute_of_day)


def _trailing(line: str) -> Marker | None:
    match = _TRAILING.match(line)
    if match is None:
        return None
    groups = match.groupdict()
    month = month_number(groups["tmonth"])
    if month is None:
        return None
    date = (int(groups["ty"]), month, int(groups["td"]))
    clock = _clock_of(groups, date, None)
    if clock is None:
        return None
    before = groups["before"].strip()
    if len(before) > 80:
        return None  # a sentence that ends with a date: not a stamp
    shape = ("trail", bool(groups["ampm"]))
    return Marker(clock, "trail", shape, "", "", before, 1.0, clock.hour * 60 + clock.minute)


def _clock_of(
    groups: dict[str, str | None],
    date: tuple[int, int, int] | None,
    date_alt: tuple[int, int, int] | None,
) -> Clock | None:
    hour_text = groups.get("h") or groups.get("h4") or groups.get("hh")
    minute_text = groups.get("m") or groups.get("m4")
    if hour_text is None:
        return None
    hour = hour_of_day(int(hour_text), groups.get("ampm"))
    if hour is None:
        return None
    minute = int(minute_text) if minute_text else 0
    zone_text = groups.get("zone")
    zone, offset = _zone_of(zone_text) if zone_text else (None, None)
    return Clock(hour, minute, zone, offset, date, date_alt)


def hour_of_day(hour: int, ampm: str | None) -> int | None:
    """The 24-hour hour of a printed hour and its am/pm, or None when they disagree
    (hour 13 with "pm")."""
    if not ampm:
        return hour
    if not 1 <= hour <= 12:
        return None
    return (hour % 12) + (12 if ampm[0] in "pP" else 0)


def offset_minutes(offset: str) -> int:
    """Minutes of a printed UTC offset: "+2", "-0530", "+05:30"."""
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours, minutes = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "0")
    return sign * (int(hours) * 60 + int(minutes))


def _zone_of(text: str) -> tuple[str | None, int | None]:
    match = re.match(r"([A-Z]+)([+-]\d{1,2}(?::?\d{2})?)?$", text)
    if match is None:
        return None, None
    abbreviation, offset = match.groups()
    minutes = offset_minutes(offset) if offset else None
    if abbreviation not in ZONE_ABBREVIATIONS and minutes is None:
        return None, None  # unknown abbreviation: the page's zone decides
    return abbreviation, minutes


def _date_of(
    groups: dict[str, str | None],
) -> tuple[tuple[int, int, int] | None, tuple[int, int, int] | None]:
    """(date, the other reading of an ambiguous numeric date)."""
    if groups.get("d1"):
        first, second, year = int(groups["d1"]), int(groups["d2"]), int(groups["d3"])
        year += 2000 if year < 100 else 0
        day_month = (year, second, first) if 1 <= second <= 12 and 1 <= first <= 31 else None
        month_day = (year, first, second) if 1 <= first <= 12 and 1 <= second <= 31 else None
        if day_month and month_day and day_month != month_day:
            return day_month, month_day
        return day_month or month_day, None
    if groups.get("iy"):
        year, month, day = int(groups["iy"]), int(groups["imo"]), int(groups["id"])
        return ((year, month, day) if 1 <= month <= 12 and 1 <= day <= 31 else None), None
    word, day_text, year_text = (
        (groups.get("tmonth"), groups.get("td"), groups.get("ty"))
        if groups.get("tmonth")
        else (groups.get("umonth"), groups.get("ud"), groups.get("uy"))
    )
    if word is None:
        return None, None
    month = month_number(word)
    if month is None or not day_text or not 1 <= int(day_text) <= 31:
        return None, None
    # A date with no year: the dating step puts it in the year before the anchor.
    return (int(year_text) if year_text else 0, month, int(day_text)), None


def is_relative_age(line: str) -> bool:
    """'5h ago', 'vor 3 Minuten': an age printed next to (above) a marker."""
    return len(line) < 40 and _RELATIVE_AGE.match(line) is not None
