"""Inside one entry: labels, headline, body paragraphs, captions, updated footer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from stream.core.anatomy import EntrySegment, ends_with_sentence_end
from stream.core.captions import Caption, split_captions
from stream.core.markers import (
    CREDIT,
    LABELS,
    UPDATED_INITIALS,
    UPDATED_LINE,
    Clock,
    clock_from_match,
)

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n")
_HAS_DIGIT = re.compile(r"\d")
_HEADLINE_MAX_CHARS = 200
_HEADLINE_MAX_WORDS = 30
_NOT_A_HEADLINE_END = frozenset(":;,")
_FOOTER_MAX_CHARS = 80
_LABEL_MAX_CHARS = 30


@dataclass(slots=True)
class EntryParts:
    labels: list[str]
    headline: str | None
    paragraphs: list[str]
    captions: list[Caption]
    updated: Clock | None

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


def split_paragraphs(text: str) -> list[str]:
    # One str.split does it, but for the rare piece that still holds a newline:
    # a multi-line paragraph, or paragraphs separated by a line of spaces.
    paragraphs = []
    for part in text.split("\n\n"):
        if "\n" in part.strip():
            paragraphs.extend(p.strip() for p in _PARAGRAPH_BREAK.split(part))
        else:
            paragraphs.append(part.strip())
    return [p for p in paragraphs if p]


def label_of(line: str) -> str | None:
    return LABELS.get(line.strip().rstrip(":").strip().casefold())


def is_headline(line: str) -> bool:
    """Short, one line, no closing punctuation: an entry's own title."""
    stripped = line.strip()
    return (
        0 < len(stripped) <= _HEADLINE_MAX_CHARS
        and "\n" not in stripped
        and stripped.count(" ") < _HEADLINE_MAX_WORDS
        and not ends_with_sentence_end(stripped)
        and stripped[-1] not in _NOT_A_HEADLINE_END
        and (":" not in stripped or CREDIT.search(stripped) is None)
    )


def read_entry(segment: EntrySegment) -> EntryParts:
    paragraphs = split_paragraphs(segment.body)

    updated: Clock | None = None
    kept: list[str] = []
    for paragraph in paragraphs:
        footer = (
            UPDATED_LINE.match(paragraph)
            if len(paragraph) <= _FOOTER_MAX_CHARS
            and paragraph[0].casefold() in UPDATED_INITIALS
            and "\n" not in paragraph
            and _HAS_DIGIT.search(paragraph)
            else None
        )
        if footer is not None:
            updated = updated or clock_from_match(footer)
            continue
        kept.append(paragraph)
    paragraphs = kept

    labels: list[str] = []
    while paragraphs:
        first_line, _, rest = paragraphs[0].partition("\n")
        if len(first_line) > _LABEL_MAX_CHARS:
            break
        label = label_of(first_line)
        if label is None:
            break
        labels.append(label)
        paragraphs = ([rest.strip()] if rest.strip() else []) + paragraphs[1:]

    headline = segment.marker_headline
    if headline is None and paragraphs and is_headline(paragraphs[0]):
        headline = paragraphs.pop(0)

    body: list[str] = []
    captions: list[Caption] = []
    for paragraph in paragraphs:
        found = split_captions(paragraph) if ":" in paragraph else None
        if found is None:
            body.append(paragraph)
            continue
        paragraph_captions, glued_body = found
        captions.extend(paragraph_captions)
        if glued_body:
            body.append(glued_body)

    return EntryParts(
        labels=sorted(set(labels)),
        headline=headline,
        paragraphs=body,
        captions=captions,
        updated=updated,
    )
