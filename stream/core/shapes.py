"""Marker induction: which shape of time marks the entries of this page.

Every site marks its entries its own way, but a page is consistent with itself.
So the parser collects every line that holds a time (``timegrammar.read_marker``),
groups them by shape (a time leading the line or a stamp closing it; prefix word;
date; 12-hour clock; zone), and picks the group that best explains the page:

- it recurs: more markers explain more of the page;
- its times run in order, newest first or oldest first (one wrap past midnight
  allowed), where times quoted in a body or an intro fall anywhere;
- a shape that occurs once must look like a marker on its own (alone on its line,
  or followed by a separator, a zone, a prefix word or a date), because
  ``21:10 Body`` once in a page is as likely a sentence as an entry.

Only the chosen shape splits the page; a time of another shape is text.
"""

from __future__ import annotations

import itertools
import operator
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from stream.core.timegrammar import Marker, read_marker

_MIN_ORDERED_FRACTION = 0.6


class Candidate(NamedTuple):
    """A line holding a time, at ``start`` (its newline) to ``end`` in the page text."""

    start: int
    end: int
    marker: Marker


# ``_new_tuple(Candidate, fields)`` is ``Candidate(*fields)`` without the Python-level
# ``__new__`` of a NamedTuple: twice as fast, and the parser makes one per line that
# holds a time.
_new_tuple = tuple.__new__


# Plain (not frozen) slotted classes: one of each per shape per page, and a frozen
# dataclass's __init__ sets every field through object.__setattr__ (three times slower).
@dataclass(slots=True)
class ShapeScore:
    shape: tuple
    candidates: list[Candidate]
    newest_first: bool
    ordered_fraction: float
    score: float
    reason: str  # why it was rejected, or "" when it is acceptable

    def describe(self) -> str:
        return describe_shape(self.shape, self.candidates)


@dataclass(slots=True)
class Induction:
    """The chosen shape (or None) and every shape it was weighed against."""

    chosen: ShapeScore | None
    weighed: list[ShapeScore] = field(default_factory=list)


# Lines that may hold a marker: a digit near the start (after a bullet, prefix word or
# weekday: a lead marker), or a digit, am/pm or zone closing the line (a stamp).  Two
# scans of the page find them; the grammar reads only those lines.
# Both start with a literal or a digit, so the regex engine skips ahead quickly; the
# possessive run does not backtrack through a digitless line start (40% faster).
# The first takes the whole line along (group 1), so that the usual scan slices no
# line in Python.
_LINE_WITH_DIGIT_NEAR_START = re.compile(r"\n([^\n\d]{0,30}+\d[^\n]*+)")
_DIGIT_AT_END = re.compile(r"\d(?:[ \t]*[AaPp]\.?[Mm]\.?)?(?:[ \t]*[A-Z]{2,5})?[ \t]*\n")


def collect(text: str, start: int, stamps_anywhere: bool = False) -> list[Candidate]:
    """Every line after ``start`` that holds a time, in page order.  ``text`` starts
    with a newline, so that every line has one before it.  Lines with a digit near
    the start are read; with ``stamps_anywhere``, so are lines that end in one (a
    stamp after a long byline), which costs a second scan."""
    if not stamps_anywhere:
        found = []
        for match in _LINE_WITH_DIGIT_NEAR_START.finditer(text, start):
            marker = read_marker(match.group(1))
            if marker is not None:
                found.append(_new_tuple(Candidate, (match.start(), match.end(), marker)))
        return found
    closed = text if text.endswith("\n") else text + "\n"
    near_start = (m.start() + 1 for m in _LINE_WITH_DIGIT_NEAR_START.finditer(closed, start))
    ends = {closed.rfind("\n", 0, m.start()) + 1 for m in _DIGIT_AT_END.finditer(closed, start)}
    found = []
    for line_start in sorted(ends.union(near_start)):
        if line_start == 0:
            continue  # the newline put in front of the page
        line_end = text.find("\n", line_start)
        if line_end < 0:
            line_end = len(text)
        marker = read_marker(text[line_start:line_end])
        if marker is not None:
            found.append(_new_tuple(Candidate, (line_start - 1, line_end, marker)))
    return found


def induce(candidates: Sequence[Candidate]) -> Induction:
    """Weigh the candidates' shapes and choose the one that explains the page."""
    groups: dict[tuple, list[Candidate]] = {}
    for candidate in candidates:
        groups.setdefault(candidate.marker.shape, []).append(candidate)
    weighed = [_score(shape, members) for shape, members in groups.items()]
    if len(weighed) > 1:  # most pages hold one shape of time
        weighed.sort(key=lambda s: (-s.score, s.candidates[0].start))
    best = next((s for s in weighed if not s.reason), None)
    if best is None:
        return Induction(None, weighed)
    return Induction(_with_dated_siblings(best, groups), weighed)


def _with_dated_siblings(chosen: ShapeScore, groups: dict[tuple, list[Candidate]]) -> ShapeScore:
    """Markers of the same shape but for a printed date (a ticker that prints the
    date at day changes), inside the chosen markers' span, are markers too."""
    if chosen.shape[0] != "lead":
        return chosen
    first, last = chosen.candidates[0].start, chosen.candidates[-1].start
    kind, prefix, dated, twelve_hour, zoned = chosen.shape
    sibling = groups.get((kind, prefix, "" if dated else "date", twelve_hour, zoned), [])
    inside = [c for c in sibling if first < c.start < last]
    if not inside:
        return chosen
    merged = sorted([*chosen.candidates, *inside], key=lambda c: c.start)
    rescored = _score(chosen.shape, merged)
    return rescored if not rescored.reason else chosen


# (attrgetter and map loop in C: a shape has tens of members on a long page)
_MINUTE_OF_DAY = operator.attrgetter("marker.minute_of_day")
_STRENGTH = operator.attrgetter("marker.strength")


def _score(shape: tuple, members: list[Candidate]) -> ShapeScore:
    if len(members) == 1:
        # One stamp closing a line is a page's "First published on …" line.
        strength = members[0].marker.strength
        strong = shape[0] != "trail" and strength >= _STRONG
        reason = "" if strong else "occurs once and reads like a sentence that starts with a time"
        return ShapeScore(shape, members, True, 1.0, strength, reason)
    newest, oldest = _ordered_fractions(list(map(_MINUTE_OF_DAY, members)))
    # Most live blogs run newest first: the other way only when it reads better.
    newest_first = newest >= oldest
    fraction = max(newest, oldest)
    strength = sum(map(_STRENGTH, members))
    reason = ""
    # Times in prose fall anywhere; markers run in order.  Markers that look like
    # markers on their own (alone on a line, or followed by a separator) may stand
    # out of order, as pinned and shuffled posts do.
    if fraction < _MIN_ORDERED_FRACTION and strength < len(members):
        reason = f"its times are out of order ({fraction:.0%} of steps in order)"
    return ShapeScore(shape, members, newest_first, fraction, strength * fraction, reason)


def _ordered_fractions(minutes: Sequence[int]) -> tuple[float, float]:
    """Shares of steps that go newest first and that go oldest first; in each, one
    step the other way is a wrap past midnight (with no date to say how long the
    night was, any such step is)."""
    if len(minutes) < 2:
        return 1.0, 1.0
    down = up = 0  # steps to an earlier time (newest first), to a later one
    down_wrapped = up_wrapped = False
    for before, after in itertools.pairwise(minutes):
        if before >= after:
            down += 1
        elif not down_wrapped:
            down, down_wrapped = down + 1, True
        if after >= before:
            up += 1
        elif not up_wrapped:
            up, up_wrapped = up + 1, True
    steps = len(minutes) - 1
    return down / steps, up / steps


_STRONG = 0.75


def describe_shape(shape: tuple, candidates: Sequence[Candidate]) -> str:
    """A person's description of a shape, from its first example."""
    example = candidates[0].marker
    if shape[0] == "trail":
        return "a date-and-time stamp closing a line (the entry above it)"
    _, prefix, dated, twelve_hour, zoned = shape
    parts = ["a time leading the line"]
    if prefix:
        parts.append(f"after the word {prefix.upper()!r}")
    if dated:
        parts.append("with a date")
    if twelve_hour:
        parts.append("on a 12-hour clock")
    if zoned:
        parts.append("with a zone")
    alone = sum(1 for c in candidates if not c.marker.rest)
    if alone == len(candidates):
        parts.append("alone on its line")
    elif example.separator:
        parts.append(f"then {example.separator!r} and text")
    else:
        parts.append("then text")
    return ", ".join(parts)
