"""``stream parse --explain``: how the parser read a page, for a person adding a site.

It says which marker shape it chose and why, which shapes it weighed and why they
lost, how it reads the entries (paragraphs, headlines), and where the top matter,
the entries, the trailer and any spillover or cut-off text are.
"""

from __future__ import annotations

from stream.core.anatomy import Layout, analyse, normalise_newlines
from stream.core.decoding import Rejection, decode_message
from stream.core.entries import EntryStyle, page_style
from stream.core.shapes import Induction, ShapeScore

_EXAMPLES = 3


def explain(value: bytes, max_bytes: int) -> str:
    """A report on one raw message, as text."""
    decoded = decode_message(value, max_bytes)
    if isinstance(decoded, Rejection):
        return f"Rejected before parsing: {decoded.reason}\n  {decoded.detail}\n"
    text = normalise_newlines(decoded.text)
    layout, induction = analyse(text)
    lines = ["Page: " + _first_line(text)]
    if decoded.lang or decoded.timezone:
        lines.append(f"  lang {decoded.lang or '?'}, zone {decoded.timezone or '(default)'}")
    lines += _shapes(induction, "\n" + text)
    if layout is None:
        lines.append("Result: not_a_liveblog (no shape explains the page)")
        return "\n".join(lines) + "\n"
    lines += _anatomy(layout, "\n" + text)
    lines += _style(page_style(layout.entries))
    return "\n".join(lines) + "\n"


def _shapes(induction: Induction | None, text: str) -> list[str]:
    if induction is None or not induction.weighed:
        return ["Markers: no line holds a time the grammar reads as a marker."]
    out = []
    chosen = induction.chosen
    if chosen is not None:
        out.append(f"Chosen marker shape: {chosen.describe()}")
        out.append("  " + _figures(chosen))
        out += [f"    {_where(text, c.start)}" for c in chosen.candidates[:_EXAMPLES]]
    others = [s for s in induction.weighed if chosen is None or s.shape != chosen.shape]
    if others:
        out.append("Shapes it beat:" if chosen else "Shapes weighed (none explains the page):")
    for score in others:
        why = score.reason or "explains less of the page"
        out.append(f"  - {score.describe()}: {_figures(score)}; {why}")
        out += [f"      {_where(text, c.start)}" for c in score.candidates[:1]]
    return out


def _figures(score: ShapeScore) -> str:
    direction = "newest first" if score.newest_first else "oldest first"
    return (
        f"{len(score.candidates)} marker(s), {direction}, {score.ordered_fraction:.0%} of "
        f"steps in order, score {score.score:.2f}"
    )


def _anatomy(layout: Layout, text: str) -> list[str]:
    out = [f"Title: {layout.title or '(none: the page starts with an entry)'}"]
    entries = layout.entries
    top_lines = layout.top.strip().count("\n") + 1 if layout.top.strip() else 0
    out.append(f"Top matter: {top_lines} line(s) before the first entry")
    if entries:
        out.append(
            f"Entries: {len(entries)}, {'newest' if layout.newest_first else 'oldest'} first, "
            f"from {_where(text, entries[0].start)}"
        )
    if layout.trailer.strip():
        out.append(f"Trailer starts: {_quote(layout.trailer.strip().splitlines()[0])}")
    else:
        out.append("Trailer: none (the page ends with its last entry)")
    if layout.spillover:
        out.append(f"Spillover (dead letter): {_quote(layout.spillover)}")
    if layout.truncated_text:
        out.append(f"Cut off at the end (dead letter): {_quote(layout.truncated_text)}")
    return out


def _style(style: EntryStyle) -> list[str]:
    paragraphs = (
        "hard-wrapped lines joined into paragraphs"
        if style.wrapped
        else "each line or blank-line block a paragraph"
    )
    headlines = []
    if style.headline_in_marker_line:
        headlines.append("headline and body share the marker line ('Headline: body')")
    if style.headlines:
        headlines.append("a short unpunctuated first line is the headline")
    if style.exclaimed_headlines:
        headlines.append("short exclaimed first lines are headlines too")
    return [
        f"Entry style: {paragraphs}",
        "  headlines: " + ("; ".join(headlines) if headlines else "only where a line reads as one"),
    ]


def _where(text: str, offset: int) -> str:
    line_number = text.count("\n", 0, offset + 1)
    end = text.find("\n", offset + 1)
    line = text[offset + 1 : end if end >= 0 else len(text)]
    return f"line {line_number}: {_quote(line)}"


def _quote(text: str, limit: int = 70) -> str:
    flat = " ".join(text.split())
    return repr(flat if len(flat) <= limit else flat[: limit - 1] + "…")


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return _quote(line.strip())
    return "(empty)"
