"""Inside one entry: labels, headline, body paragraphs, captions, updated footer.

How a page writes its entries (hard-wrapped lines or one paragraph a line; a
headline on the marker line, split from the body there, or on a line of its own)
is decided once per page, from all its entries (``page_style``), then applied to
each (``read_entries``).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from stream.core.anatomy import EntrySegment, ends_with_sentence_end
from stream.core.captions import Caption, image_caption, split_captions
from stream.core.markers import (
    CREDIT,
    LABELS,
    MEMO_SIZE,
    UPDATED_INITIALS,
    UPDATED_LINE,
    clock_from_match,
    is_furniture_block,
)
from stream.core.timegrammar import Clock

_PARAGRAPH_BREAK = re.compile(r"\n[ \t\u00a0]*\n")
_HAS_DIGIT = re.compile(r"\d")
_HEADLINE_MAX_CHARS = 200
_HEADLINE_MAX_WORDS = 30
_NOT_A_HEADLINE_END = frozenset(":;,")
_FOOTER_MAX_CHARS = 80
_LABEL_MAX_CHARS = 30
# "Headline: body" or "HEADLINE – body" on the marker line.
_INNER_SEPARATOR = re.compile(r"\s[–—-]\s|:\s")
_INNER_HEADLINE_MAX_CHARS = 150
_INNER_BODY_MIN_WORDS = 6
# A hard-wrapped page breaks lines mid-sentence: a line without closing punctuation
# followed by one that starts in lower case.
_WRAP_MIN_BREAKS = 2
_WRAP_MIN_SHARE = 0.25


class EntryStyle(NamedTuple):
    """How one page writes its entries (a tuple: it keys the entry memo, where a
    tuple's hash and equality cost least)."""

    #: A single newline continues the paragraph (hard-wrapped text); otherwise each
    #: line is a paragraph of its own.
    wrapped: bool = False
    #: The marker line reads "Headline: body" or "HEADLINE – body".
    headline_in_marker_line: bool = False
    #: Short first lines ending in "!" or "?" are headlines too ("Schönen Abend!").
    exclaimed_headlines: bool = False
    #: Entries have headlines: a short unpunctuated line alone is a headline with no
    #: body yet.  On a page with no headlines it is the whole (short) body.
    headlines: bool = False


@dataclass(frozen=True, slots=True)
class EntryParts:
    labels: tuple[str, ...]
    headline: str | None
    body: str  # its paragraphs, joined by blank lines
    captions: tuple[Caption, ...]
    updated: Clock | None


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs separated by blank lines (a hard-wrapped paragraph keeps its lines)."""
    paragraphs = []
    for part in text.split("\n\n"):
        if "\n" in part.strip():
            paragraphs.extend(p.strip() for p in _PARAGRAPH_BREAK.split(part))
        else:
            paragraphs.append(part.strip())
    return [p for p in paragraphs if p]


def split_lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def label_of(line: str) -> str | None:
    return LABELS.get(line.strip().rstrip(":").strip().casefold())


def is_headline(line: str) -> bool:
    """Short, one line, no closing punctuation: an entry's own title."""
    stripped = line.strip()
    return (
        _is_short_line(stripped)
        and not ends_with_sentence_end(stripped)
        and stripped[-1] not in _NOT_A_HEADLINE_END
        and (":" not in stripped or CREDIT.search(stripped) is None)
    )


def _is_short_line(stripped: str) -> bool:
    return (
        0 < len(stripped) <= _HEADLINE_MAX_CHARS
        and "\n" not in stripped
        and stripped.count(" ") < _HEADLINE_MAX_WORDS
    )


def _is_exclaimed_headline(line: str) -> bool:
    stripped = line.strip()
    return _is_short_line(stripped) and stripped.count(" ") < 8 and stripped[-1] in "!?"


class _Evidence(NamedTuple):
    """What one entry says about the page's style (summed over entries)."""

    breaks: int  # single line breaks between two non-empty lines
    wraps: int  # those that break a sentence mid-way
    with_rest: int  # 1 when text follows the marker on its line
    splittable: int  # 1 when that text reads "Headline: body"
    exclaimed: int  # 1 when a short first line (maybe exclaimed) heads a longer entry
    plain: int  # 1 when a longer entry starts with a line that is no headline
    headline: int  # 1 when a longer entry starts with a headline-like line


def page_style(segments: Sequence[EntrySegment]) -> EntryStyle:
    """Decide once, from every entry of the page, how its entries are written."""
    evidence = [_evidence(s.rest, s.body_text) for s in segments]
    if not evidence:
        return EntryStyle()
    totals = evidence[0] if len(evidence) == 1 else map(sum, zip(*evidence, strict=True))
    breaks, wraps, with_rest, splittable, exclaimed, plain, headline = totals
    return EntryStyle(
        wrapped=wraps >= _WRAP_MIN_BREAKS and wraps >= _WRAP_MIN_SHARE * breaks,
        headline_in_marker_line=with_rest > 0 and splittable * 2 >= with_rest,
        exclaimed_headlines=exclaimed > plain,
        headlines=headline > 0 or any(s.headline_above for s in segments),
    )


@lru_cache(maxsize=MEMO_SIZE)
def _evidence(rest: str, body_text: str) -> _Evidence:
    # Remembered by the entry's text: a re-scraped page repeats its older entries.
    breaks = wraps = 0
    lines = ([rest] if rest else []) + body_text.split("\n")
    for line, following in itertools.pairwise(lines):
        line, following = line.strip(), following.strip()
        if line and following:
            breaks += 1
            wraps += following[0].islower() and not ends_with_sentence_end(line)
    body = split_lines(body_text)
    while body and label_of(body[0]) is not None:
        body = body[1:]
    exclaimed = plain = headline = 0
    if not rest and len(body) > 1:
        headline = is_headline(body[0])
        exclaimed = headline or _is_exclaimed_headline(body[0])
        plain = not exclaimed
    splittable = bool(rest) and _inner_split(rest) is not None
    return _Evidence(breaks, wraps, int(bool(rest)), int(splittable), exclaimed, plain, headline)


def _inner_split(rest: str) -> tuple[str, str] | None:
    """("Headline", "body") of a marker line that runs both together, or None."""
    dash = next((m for m in _INNER_SEPARATOR.finditer(rest) if m.group().strip() != ":"), None)
    colon = next((m for m in _INNER_SEPARATOR.finditer(rest) if m.group().strip() == ":"), None)
    for match in (dash, colon):
        if match is None or match.start() > _INNER_HEADLINE_MAX_CHARS:
            continue
        head, tail = rest[: match.start()].strip(), rest[match.end() :].strip()
        # The body runs on after the headline: a sentence, not a byline or a name.
        runs_on = len(tail.split()) >= _INNER_BODY_MIN_WORDS or _has_sentence_end(tail)
        if len(head) >= 3 and runs_on and ", " not in head and not _has_sentence_end(head):
            return head, tail
    return None


def _has_sentence_end(text: str) -> bool:
    return re.search(r"[.!?…](?:\s|$)", text) is not None


PLAIN_STYLE = EntryStyle()


def read_entries(
    segments: Sequence[EntrySegment], style: EntryStyle = PLAIN_STYLE
) -> list[EntryParts]:
    """The parts of each entry, read in the page's style."""
    return [_read_entry(s.rest, s.headline_above, s.body_text, style) for s in segments]


@lru_cache(maxsize=MEMO_SIZE)
def _read_entry(
    rest: str, headline_above: str | None, body_text: str, style: EntryStyle
) -> EntryParts:
    # Remembered by the entry's text and the page's style: a re-scraped page repeats
    # its older entries verbatim.  EntryParts is frozen, so the memo cannot be spoiled.
    headline = headline_above
    if rest and headline is None and style.headline_in_marker_line:
        split = _inner_split(rest)
        if split is not None:
            headline, rest = split
    if style.wrapped:
        paragraphs = split_paragraphs((rest + "\n" if rest else "") + body_text)
    else:
        paragraphs = ([rest] if rest else []) + split_lines(body_text)

    paragraphs, updated = _without_updated_footer(paragraphs)
    labels, paragraphs = _leading_labels(paragraphs)
    if headline is None and paragraphs and _reads_as_headline(paragraphs, style):
        headline = paragraphs.pop(0)
    body, captions = _body_and_captions(paragraphs)
    return EntryParts(
        labels=tuple(sorted(set(labels))),
        headline=headline,
        body="\n\n".join(body),
        captions=tuple(captions),
        updated=updated,
    )


def _reads_as_headline(paragraphs: list[str], style: EntryStyle) -> bool:
    first = paragraphs[0]
    if len(paragraphs) == 1:
        return style.headlines and is_headline(first)
    return is_headline(first) or (style.exclaimed_headlines and _is_exclaimed_headline(first))


def _without_updated_footer(paragraphs: list[str]) -> tuple[list[str], Clock | None]:
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
    return kept, updated


def _leading_labels(paragraphs: list[str]) -> tuple[list[str], list[str]]:
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
    return labels, paragraphs


def _body_and_captions(paragraphs: list[str]) -> tuple[list[str], list[Caption]]:
    """Body paragraphs, without the furniture and the photo captions among them."""
    body: list[str] = []
    captions: list[Caption] = []
    index = 0
    while index < len(paragraphs):
        paragraph = paragraphs[index]
        found = image_caption(paragraphs, index)
        if found is not None:
            caption, used, label_above = found
            if label_above and body:
                body.pop()  # an image's file label or alt-text name above its caption
            if caption is not None:
                captions.append(caption)
            index += used
            continue
        if is_furniture_block(paragraph) or (body and _is_inserted_fragment(paragraph)):
            index += 1
            continue
        glued = split_captions(paragraph) if ":" in paragraph else None
        if glued is None:
            body.append(paragraph)
        else:
            paragraph_captions, glued_body = glued
            captions.extend(paragraph_captions)
            if glued_body:
                body.append(glued_body)
        index += 1
    return body, captions


def _is_inserted_fragment(paragraph: str) -> bool:
    """A few lower-case words with no punctuation between paragraphs ("qatar
    airways"): an ad or link label that scraping left in the text."""
    words = paragraph.split()
    return (
        2 <= len(words) <= 3
        and all(word.isalpha() and word.islower() for word in words)
        and len(paragraph) <= 30
    )


def forget_entry_memos() -> None:
    """Clear what is remembered of entries seen before (for measuring cold)."""
    _read_entry.cache_clear()
    _evidence.cache_clear()
