"""Page anatomy: title, top matter, entries, trailer, and whatever follows.

A page is one long text.  Entry markers (the shape ``stream.core.shapes`` induces
for the page) cut it into entries; the top matter before the first marker is not an
entry; after the last entry comes the trailer (date lines, tags, share buttons,
comment boxes), and any article text after the trailer is spillover from another page.
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
    MEMO_SIZE,
    UNIX_TIMESTAMP,
    UPDATED_LINE,
    find_date,
    is_furniture_block,
    is_furniture_phrase,
)
from stream.core.markers import TAG_HEADING_KEYS as _TAG_HEADING_KEYS
from stream.core.shapes import Candidate, Induction, collect, induce
from stream.core.timegrammar import Clock, Marker, is_relative_age

# A trailing " | Section" on the title line names the section.
_SECTION_MAX_CHARS = 60
_LINE = re.compile(r"[^\n]+")
# Words of relative ages ("5h ago", "vor 3 Minuten"): only near them is the line above
# a marker read.
_AGE_HINT = re.compile(r"ago|vor |il y a|hace |geleden|há | fa")
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
    rest: str  # the text after the marker on its line ("" when the time is alone)
    headline_above: str | None  # a headline printed above the marker line
    page: str  # the page text the offsets below are in
    start: int  # the marker line (or the headline or age line above it)
    body_start: int  # after the marker line
    end: int
    #: The text under the marker line, sliced once (the entry readers' memo key).
    body_text: str = ""

    @property
    def body(self) -> str:
        return self.page[self.body_start : self.end]

    def ending_at(self, end: int) -> EntrySegment:
        return make_segment(
            self.clock, self.rest, self.headline_above, self.page, self.start, self.body_start, end
        )

    @property
    def text(self) -> str:
        """The whole segment, marker line included (for dead letters)."""
        return self.page[self.start : self.end].strip()


@dataclass(slots=True)
class Layout:
    title: str
    section: str | None
    top: str
    entries: list[EntrySegment]  # whole entries, in page order
    trailer: str
    spillover: str | None
    truncated_text: str | None  # the last entry, cut off by the end of the page
    newest_first: bool = True
    tags: list[str] = field(default_factory=list)
    induction: Induction | None = None


def make_segment(
    clock: Clock,
    rest: str,
    headline_above: str | None,
    page: str,
    start: int,
    body_start: int,
    end: int,
) -> EntrySegment:
    # The first newline under the marker ends the marker line; it is not body.
    text_start = body_start + 1 if page.startswith("\n", body_start) else body_start
    body_text = page[text_start:end] if text_start < end else ""
    # tuple.__new__ skips the NamedTuple's Python-level __new__ (one segment per entry).
    return _new_tuple(
        EntrySegment, (clock, rest, headline_above, page, start, body_start, end, body_text)
    )


_new_tuple = tuple.__new__


def normalise_newlines(text: str) -> str:
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text


def lay_out(text: str) -> Layout | None:
    """Split a page into its parts, or None when no marker shape explains it."""
    layout, _ = analyse(text)
    return layout


def analyse(text: str) -> tuple[Layout | None, Induction | None]:
    """The layout, and the marker induction behind it (for ``parse --explain``)."""
    # One newline in front, so that every line starts after a newline; all offsets
    # below are in this text.
    text = "\n" + text
    title_match = _LINE.search(text)
    while title_match and not title_match.group().strip():
        title_match = _LINE.search(text, title_match.end())
    if title_match is None:
        return None, None
    induction = induce(collect(text, 0))
    if induction.chosen is None:
        # Last try: stamps closing lines after long bylines, which the first scan skips.
        induction = induce(collect(text, 0, stamps_anywhere=True))
    if induction.chosen is None:
        return None, induction
    chosen = induction.chosen
    title, section = _split_title(title_match.group().strip())
    top_start = title_match.end()
    if chosen.candidates[0].start < title_match.start():
        # The page starts with an entry: it has no title line.
        title, section, top_start = "", None, 0
    stamped = chosen.shape[0] == "trail"
    if stamped:
        segments, tail_start = _stamped_segments(text, chosen.candidates)
    else:
        segments, tail_start = _led_segments(text, chosen.candidates, top_start)
    trailer_start = _trailer_start(text, tail_start)
    entries_end = trailer_start if trailer_start is not None else len(text)
    trailer, spillover, tags = "", None, []
    if trailer_start is not None:
        trailer, spillover, tags = read_trailer(text[trailer_start:])
    truncated_text = None
    if stamped:
        tail = text[tail_start:entries_end].strip()
        if tail and not ends_with_sentence_end(tail):
            truncated_text = tail
    else:
        segments[-1] = segments[-1].ending_at(entries_end)
        if trailer_start is None and _ends_mid_entry(segments[-1]):
            truncated_text = segments.pop().text
    if not segments and truncated_text is None:
        return None, induction
    layout = Layout(
        title=title,
        section=section,
        top=text[top_start : (segments[0].start if segments else tail_start)],
        entries=segments,
        trailer=trailer,
        spillover=spillover,
        truncated_text=truncated_text,
        newest_first=chosen.newest_first,
        tags=tags,
        induction=induction,
    )
    return layout, induction


def _led_segments(
    text: str, markers: list[Candidate], top_end: int
) -> tuple[list[EntrySegment], int]:
    """Entries that start at their marker line (or at a headline or age line above it)."""
    age_hint = _AGE_HINT.search
    starts: list[int] = []
    headlines_above: list[str | None] = []
    rests: list[str] = []
    for candidate in markers:
        marker, start, headline_above = candidate.marker, candidate.start, None
        # (most markers have no "," after the time: only those can be bylines)
        byline = marker.separator == "," and _is_byline_marker(marker)
        # The line above is read only for a byline, or near "5h ago" above the clock.
        window_start = start - 40 if start > 40 else 0
        if byline or age_hint(text, window_start, start) is not None:
            above = _line_above(text, start, top_end)
            if above is not None:
                above_start, line = above
                if is_relative_age(line):
                    start = above_start
                elif byline and _short_unpunctuated(line):
                    start, headline_above = above_start, line
        starts.append(start)
        headlines_above.append(headline_above)
        rests.append("" if byline else marker.rest)
    segments = []
    last = len(markers) - 1
    for index, candidate in enumerate(markers):
        rest = rests[index]
        end = starts[index + 1] if index < last else len(text)
        segment = make_segment(
            candidate.marker.clock,
            rest,
            headlines_above[index],
            text,
            starts[index],
            candidate.end,
            end,
        )
        body_text = segment.body_text
        if index < last and not rest and (not body_text or body_text.isspace()):
            continue  # a marker with no text at all ("20:46 –") is not an entry
        segments.append(segment)
    return segments, markers[-1].end


def _stamped_segments(text: str, stamps: list[Candidate]) -> tuple[list[EntrySegment], int]:
    """Entries closed by a stamp line: each runs from the stamp above to its own."""
    previous_end = _first_stamped_entry_start(text, stamps)
    segments = []
    for candidate in stamps:
        clock = candidate.marker.clock
        segments.append(
            make_segment(clock, "", None, text, previous_end, previous_end, candidate.start)
        )
        previous_end = candidate.end
    return segments, stamps[-1].end


def _first_stamped_entry_start(text: str, stamps: list[Candidate]) -> int:
    """Where the entry above the first stamp starts: after the last gap before it
    as wide as the gap after a stamp (pages set entries apart with wider gaps than
    paragraphs), or after the last paragraph break when every gap is the same."""
    wide = max(_newlines_after(text, stamps[0].end), 2)
    head = text[: stamps[0].start].rstrip()
    position = len(head)
    while True:
        newline = head.rfind("\n", 0, position)
        if newline < 0:
            return 0
        run_start = newline
        while run_start > 0 and head[run_start - 1] in "\n \t":
            run_start -= 1
        if head.count("\n", run_start, newline + 1) >= wide:
            return newline
        position = run_start
        if position == 0:
            return 0


def _newlines_after(text: str, position: int) -> int:
    count = 0
    while position < len(text) and text[position] in "\n \t":
        count += text[position] == "\n"
        position += 1
    return count


def _line_above(text: str, line_start: int, floor: int) -> tuple[int, str] | None:
    """(its newline offset, its text) of the nearest non-empty line above, below ``floor``."""
    position = line_start
    while position > floor:
        above = text.rfind("\n", floor, position)
        if above < 0:
            return None
        line = text[above + 1 : position].strip()
        if line:
            return above, line
        position = above
    return None


def _is_byline_marker(marker: Marker) -> bool:
    """'03:42 , Author': the time and a byline; the headline is the line above."""
    rest = marker.rest
    return (
        marker.separator == ","
        and 0 < len(rest) <= 60
        and not ends_with_sentence_end(rest)
        and all(word[:1].isupper() for word in rest.split() if word[:1].isalpha())
    )


def _short_unpunctuated(line: str) -> bool:
    return len(line) <= 200 and not ends_with_sentence_end(line)


def _split_title(line: str) -> tuple[str, str | None]:
    """("Title", "Section") of a title line "Title | Section" (spaces around the last
    bar, a section of at most 60 characters), else (the line, None).  ``line`` is one
    stripped line; string methods, not a regex, since every page's title is read."""
    head, bar, after = line.rpartition("|")
    if not bar or len(head) < 2 or not head[-1].isspace() or not after[:1].isspace():
        return line, None
    section = after.strip()
    if not section or len(section) > _SECTION_MAX_CHARS:
        return line, None
    return head.strip(), section


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


@lru_cache(maxsize=MEMO_SIZE)  # the oldest entry's lines and the furniture recur
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
    offset = _trailer_offset(text[after:])
    return None if offset is None else after + offset


@lru_cache(maxsize=1024)  # the oldest entry and the furniture are the same on every scrape
def _trailer_offset(tail: str) -> int | None:
    for match in _LINE.finditer(tail):
        line = match.group().strip()
        if line and _is_trailer_line(line):
            return match.start()
    return None


def _is_prose(line: str) -> bool:
    return len(line) >= _PROSE_MIN_CHARS and _SENTENCE.search(line) is not None


def read_trailer(trailer: str) -> tuple[str, str | None, list[str]]:
    """(the trailer proper, the spillover after it, tags): see ``_read_trailer``."""
    proper, spillover, tags = _read_trailer(trailer)
    return proper, spillover, list(tags)


@lru_cache(maxsize=1024)  # a site's furniture is the same on every scrape of a page
def _read_trailer(trailer: str) -> tuple[str, str | None, tuple[str, ...]]:
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
            return trailer[:start], trailer[start:].strip(), tuple(dict.fromkeys(tags))
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
    return trailer, None, tuple(dict.fromkeys(tags))


def ends_with_sentence_end(line: str) -> bool:
    stripped = line.rstrip().rstrip(_CLOSERS)
    return bool(stripped) and stripped[-1] in _TERMINAL


def _ends_mid_entry(entry: EntrySegment) -> bool:
    """Does the page stop inside its last entry (no trailer, text cut mid-sentence)?"""
    return _cut_mid_sentence(entry.rest, entry.body)


@lru_cache(maxsize=1024)  # the oldest entry is the same on every scrape of a page
def _cut_mid_sentence(rest: str, body_text: str) -> bool:
    body = rest + "\n\n" + body_text
    paragraphs = [
        p.strip() for p in re.split(r"\n\s*\n", body) if p.strip() and not is_furniture_block(p)
    ]
    if not paragraphs:
        return True  # the page ends right after a marker
    last = paragraphs[-1].splitlines()[-1]
    if UPDATED_LINE.match(last):
        return False
    if split_captions(paragraphs[-1]) is not None:
        return False
    return not ends_with_sentence_end(last)


def forget_layout_memos() -> None:
    """Clear what is remembered of trailers and last entries (for measuring cold)."""
    for memo in (_is_trailer_line, _trailer_offset, _read_trailer, _cut_mid_sentence):
        memo.cache_clear()
