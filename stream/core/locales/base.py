"""The shape of a language table, and helpers to write one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Locale:
    code: str  # ISO 639-1
    default_timezone: str  # IANA name used when a marker carries no zone
    # Phrases that introduce an entry's "updated" footer, e.g. "Updated at".
    updated: tuple[str, ...]
    # Label lines at the top of an entry, mapped to the contract's label names.
    labels: dict[str, str]
    # Words that introduce a photo credit inside a caption ("Photograph: AP").
    credit_words: tuple[str, ...]
    # Headings of the trailer that introduce a tag list ("Explore more on these topics").
    tag_headings: tuple[str, ...]
    # Other trailer furniture: share buttons, comment boxes, "most viewed" headings.
    furniture: tuple[str, ...]
    # Frequent function words, for detecting the language of a page.
    stopwords: frozenset[str]


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())
