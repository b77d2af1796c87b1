"""Page anatomy: title, top matter, entries, trailer, and whatever follows.

A page is one long text.  Entry markers (times alone on a line) cut it into
entries; the top matter before the first marker is not an entry; after the last
entry comes the trailer (date lines, tags, share buttons, comment boxes), and any
article text after the trailer is spillover from another page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from stream.core.captions import split_captions
from stream.core.markers import FURNITURE_KEYS as _FURNITURE_KEYS
from stream.core.markers import (
    HASHTAG,
    HASHTAGS,
    MARKER_LINE,
    MEMO_SIZE,
    UNIX_TIMESTAMP,
    UPDATED_LINE,
    Clock,
    clock_from_match,
    find_date,
    is_furniture_phrase,
)
from stream.core.markers import TAG_HEADING_KEYS as _TAG_HEADING_KEYS

# A trailing " | Section" on the title line names the section.
_TITLE_SECTION = re.compile(r"^(?P<title>.+?)\s+\|\s+(?P<section>[^|]{1,60})$")
_LINE = re.compile(r"[^\n]+")
_DIGIT_LED_LINE = re.compile(r"\n[ \t]*\d")
_TERMINAL = frozenset(".!?…")
_CLOSERS = "\"'”’»)]*"
# Spillover is prose: a long line with a sentence in it.
_PROSE_MIN_CHARS = 60
_SENTENCE = re.compile(r"[.!?…][\"”»’)]?(?:\s|$)")
_DATE_LINE_MAX_CHARS = 80
_SPILL_HEADLINE_MAX_CHARS = 160


class EntrySegment(NamedTuple):
    """The raw text of one entry, from its marker line to the next marker."""

    clock: Clock
    marker_headline: str | None
    page: str  # the page text the offsets below are in
    start: int  # the marker line
    body_start: int  # after the marker line
    end: int

    @property
    def body(self) -> str:
        return self.page[self.body_start : self.end]

    @property
    def text(self) -> str:
        """The whole segment, marker line included (for dead letters)."""
        return self.page[self.start : self.end].strip()


@dataclass(slots=True)
class Layout:
    title: str
    section: str | None
    top: str
    entries: list[EntrySegment]  # as on the page: newest first
    trailer: str
    spillover: str | None
    truncated: bool
    tags: list[str] = field(default_factory=list)


def normalise_newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def lay_out(text: str) -> Layout | None:
    """Split a page into its parts, or None when it has no entry markers."""
    # One newline in front, so that the first line can match MARKER_LINE too; all
    # offsets below are in this text.
    text = "\n" + text
    title_match = _LINE.search(text)
    while title_match and not title_match.group().strip():
        title_match = _LINE.search(text, title_match.end())
    if title_match is None:
        return None
    title, section = _split_title(title_match.group().strip())

    # (start of the line's newline, end of the line, clock, headline)
    markers: list[tuple[int, int, Clock, str | None]] = []
    for candidate in _DIGIT_LED_LINE.finditer(text, title_match.end()):
        # Markers start with a digit: try the full pattern on those lines only.
        start = candidate.start()
        line_end = text.find("\n", start + 1)
        if line_end < 0:
            line_end = len(text)
        found = marker_in_line(text[start:line_end])
        if found is not None:
            markers.append((start, line_end, *found))
    if not markers:
        return None

    trailer_start = _trailer_start(text, markers[-1][1])
    entries_end = trailer_start if trailer_start is not None else len(text)
    entries = []
    for index, (start, line_end, clock, headline) in enumerate(markers):
        end = markers[index + 1][0] if index + 1 < len(markers) else entries_end
        entries.append(EntrySegment(clock, headline, text, start, line_end, end))

    trailer, spillover, tags = "", None, []
    if trailer_start is not None:
        trailer, spillover, tags = read_trailer(text[trailer_start:])
    truncated = trailer_start is None and _ends_mid_entry(entries[-1])
    return Layout(
        title=title,
        section=section,
        top=text[title_match.end() : markers[0][0]],
        entries=entries,
        trailer=trailer,
        spillover=spillover,
        truncated=truncated,
        tags=tags,
    )


@lru_cache(maxsize=MEMO_SIZE)
def marker_in_line(line: str) -> tuple[Clock, str | None] | None:
    """The clock and headline of a marker line ("\\n07h42 CEST"), or None.

    Remembered by the line's text: "07h42 CEST" recurs on page after page.
    """
    match = MARKER_LINE.match(line)
    found = None
    # A machine timestamp with seconds is a page date line, not a marker.
    if match is not None and not match.group("s"):
        clock = clock_from_match(match)
        if clock is not None:
            headline = match.group("headline")
            found = (clock, headline.strip() if headline else None)
    return found


def _split_title(line: str) -> tuple[str, str | None]:
    match = _TITLE_SECTION.match(line)
    if match:
        return match.group("title").strip(), match.group("section").strip()
    return line, None


def date_of_line(line: str) -> tuple[tuple[int, int, int], int] | None:
    """The date of a date line (with time or prefix words), not prose; else None."""
    if len(line) > _DATE_LINE_MAX_CHARS:
        return None
    found = find_date(line)
    if found is None or _SENTENCE.search(line):
        return None
    return found


def is_date_line(line: str) -> bool:
    return date_of_line(line) is not None


def _is_trailer_line(line: str) -> bool:
    return is_furniture_phrase(line) or _is_other_trailer_line(line)


def _is_other_trailer_line(line: str) -> bool:
    """Hashtags, unix timestamps and date lines (furniture phrases aside)."""
    return (
        (line[0] == "#" and HASHTAGS.match(line) is not None)
        or (line[0].isdigit() and UNIX_TIMESTAMP.match(line) is not None)
        or (is_date_line(line) and UPDATED_LINE.match(line) is None)
    )


def _trailer_start(text: str, after: int) -> int | None:
    """Offset of the first line of site furniture after the last entry's marker."""
    for match in _LINE.finditer(text, after):
        line = match.group().strip()
        if line and _is_trailer_line(line):
            return match.start()
    return None


def _is_prose(line: str) -> bool:
    return len(line) >= _PROSE_MIN_CHARS and _SENTENCE.search(line) is not None


def read_trailer(trailer: str) -> tuple[str, str | None, list[str]]:
    """One pass over the trailer: (the trailer proper, the spillover after it, tags).

    Spillover starts at the first prose line that is not known furniture, taking the
    short headline line above it along.  Tags are hashtags, and the lines of the
    paragraph under a tag heading such as "Explore more on these topics".
    """
    tags: list[str] = []
    heading_seen = False  # a tag heading was the last line
    under_heading = False  # inside the paragraph that follows a tag heading
    above: tuple[int, str, bool] | None = None  # (offset, line, is furniture) of the line above
    offset = 0
    for raw in trailer.split("\n"):
        line_offset, offset = offset, offset + len(raw) + 1
        line = raw.strip()
        if not line:
            if under_heading:
                under_heading = False
            elif heading_seen:
                under_heading, heading_seen = True, False
            continue
        key = line.rstrip(":").casefold()
        is_heading = key in _TAG_HEADING_KEYS
        furniture = is_heading or key in _FURNITURE_KEYS or _is_other_trailer_line(line)
        if not furniture and _is_prose(line):
            start = line_offset
            if (
                above is not None
                and not above[2]
                and len(above[1]) <= _SPILL_HEADLINE_MAX_CHARS
                and not _SENTENCE.search(above[1])
            ):
                start = above[0]
                if tags and tags[-1] == above[1]:
                    tags.pop()  # the spilled article's headline is not a tag
            return trailer[:start], trailer[start:].strip(), list(dict.fromkeys(tags))
        if line[0] == "#" and HASHTAGS.match(line):
            tags.extend(HASHTAG.findall(line))
        elif is_heading:
            heading_seen = True
        elif (under_heading or heading_seen) and not furniture:
            tags.append(line)
            under_heading, heading_seen = True, False
        else:
            under_heading = heading_seen = False
        above = (line_offset, line, furniture)
    return trailer, None, list(dict.fromkeys(tags))


def ends_with_sentence_end(line: str) -> bool:
    stripped = line.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _TERMINAL


def _ends_mid_entry(entry: EntrySegment) -> bool:
    """Does the page stop inside its last entry (no trailer, text cut mid-sentence)?"""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", entry.body) if p.strip()]
    if not paragraphs:
        return True  # the page ends right after a marker
    last = paragraphs[-1].splitlines()[-1]
    if UPDATED_LINE.match(last):
        return False
    if split_captions(paragraphs[-1]) is not None:
        return False
    return not ends_with_sentence_end(last)
