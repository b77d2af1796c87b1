"""Calendar words from CLDR (through Babel): month and weekday names in every
language the parser reads, so that no hand table has to list them."""

from __future__ import annotations

import unicodedata
from functools import lru_cache

from babel.dates import get_day_names, get_month_names

#: Languages whose calendar words are read.  More than the locales with live-blog
#: vocabulary: a date line is worth reading whatever the page's language.
CALENDAR_LANGUAGES = ("en", "fr", "de", "es", "it", "pt", "nl", "ca", "da", "sv", "nb", "pl")


def fold(word: str) -> str:
    """Lower case, accents and a closing period removed: 'Févr.' -> 'fevr'."""
    decomposed = unicodedata.normalize("NFKD", word.casefold().rstrip("."))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@lru_cache(maxsize=1)
def month_numbers() -> dict[str, int]:
    """Folded month name or abbreviation -> month number, all languages merged."""
    table: dict[str, int] = {}
    for language in CALENDAR_LANGUAGES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                names = get_month_names(width, context, locale=language)
                for number, name in names.items():
                    table.setdefault(fold(name), number)
    # Common abbreviations CLDR writes longer ("sept." is there; "sep" is not).
    for name, number in (("sep", 9), ("sept", 9), ("okt", 10), ("mrz", 3)):
        table.setdefault(name, number)
    return table


@lru_cache(maxsize=1)
def weekday_names() -> frozenset[str]:
    """Folded weekday names and abbreviations, all languages merged."""
    names: set[str] = set()
    for language in CALENDAR_LANGUAGES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                names.update(
                    fold(n) for n in get_day_names(width, context, locale=language).values()
                )
    return frozenset(names)


def month_number(word: str) -> int | None:
    return month_numbers().get(fold(word))


def is_weekday(word: str) -> bool:
    return fold(word) in weekday_names()
