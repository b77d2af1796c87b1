"""Page anatomy: title and section, top matter, trailer and tags, spillover, truncation."""

from __future__ import annotations

import pytest

from stream.core.anatomy import lay_out
from tests.conftest import page, parse_page

TRAILER = ("Explore more on these topics", "Storm\nFerries", "Share", "Most viewed")


def test_title_section_and_tags() -> None:
    outcome = parse_page(
        page(
            "Storm live: ferries cancelled | UK news",
            "2.05pm GMT",
            "Sailings are cancelled.",
            *TRAILER,
            "#Storm #Ferries",
        )
    )
    assert outcome.story["title"] == "Storm live: ferries cancelled"
    assert outcome.story["section"] == "UK news"
    assert outcome.story["tags"] == ["Storm", "Ferries"]


@pytest.mark.parametrize(
    ("title_line", "title", "section"),
    [
        ("Storm live | Weather | UK news", "Storm live | Weather", "UK news"),  # the last bar
        ("Storm live|UK news", "Storm live|UK news", None),  # no spaces: part of the title
        ("Storm live | " + "x" * 61, "Storm live | " + "x" * 61, None),  # too long a section
        ("Storm live |\u00a0Météo", "Storm live", "Météo"),
    ],
)
def test_a_section_is_what_follows_the_title_lines_last_bar(
    title_line: str, title: str, section: str | None
) -> None:
    outcome = parse_page(page(title_line, "2.05pm GMT", "Sailings are cancelled.", "Share"))
    assert (outcome.story["title"], outcome.story["section"]) == (title, section)


def test_top_matter_is_not_an_entry_and_its_updated_line_is_not_a_footer() -> None:
    outcome = parse_page(
        page(
            "Storm live",
            "Updated at 2.30pm GMT",
            "Key points",
            "Ferries stopped; roads shut.",
            "2.05pm GMT",
            "Sailings are cancelled.",
            *TRAILER,
        ),
        scraped_at="2024-01-10T15:00:00Z",
    )
    [entry] = outcome.entries
    assert entry["updated_at"] is None
    assert entry["body"] == "Sailings are cancelled."


def test_trailer_furniture_is_dropped_from_the_last_entry() -> None:
    outcome = parse_page(
        page(
            "Storm live",
            "2.05pm GMT",
            "Sailings are cancelled.",
            *TRAILER,
            "Leave a Comment",
            "This site uses Akismet to reduce spam. Learn how your comment data is processed.",
        )
    )
    assert outcome.entries[0]["body"] == "Sailings are cancelled."
    assert outcome.dead_letters == []


def test_a_rescrape_with_a_new_entry_finds_the_same_trailer_further_down() -> None:
    # The trailer's place is remembered by the text after the last marker, which a
    # re-scrape repeats: it must be found again at its new offset, not the old one.
    first = lay_out(page("Storm live", "2.05pm GMT", "Sailings are cancelled.", *TRAILER))
    again = lay_out(
        page(
            "Storm live",
            "2.40pm GMT",
            "Roads are shut as well, police say.",
            "2.05pm GMT",
            "Sailings are cancelled.",
            *TRAILER,
        )
    )
    assert first is not None and again is not None
    assert first.trailer == again.trailer and again.trailer.startswith(TRAILER[0])
    assert [e.body.strip() for e in again.entries] == [
        "Roads are shut as well, police say.",
        "Sailings are cancelled.",
    ]


def test_spillover_after_the_trailer_is_a_dead_letter() -> None:
    outcome = parse_page(
        page(
            "Storm live",
            "2.05pm GMT",
            "Sailings are cancelled.",
            *TRAILER,
            "How to bake sourdough",
            "Sat 8 Mar 2025 09.00 GMT Start your starter a week ahead and keep it somewhere warm.",
        )
    )
    [letter] = outcome.dead_letters
    assert letter["reason"] == "spillover"
    assert letter["text"].startswith("How to bake sourdough")
    assert letter["story_id"] == outcome.story_id
    assert letter["original"] is None
    assert [e["body"] for e in outcome.entries] == ["Sailings are cancelled."]


def test_truncated_page_holds_back_only_its_last_entry() -> None:
    outcome = parse_page(
        page(
            "Storm live",
            "2.05pm GMT",
            "Sailings are cancelled.",
            "1.30pm GMT",
            "Winds of 80mph are forecast, and the coastguard asked",
        )
    )
    [letter] = outcome.dead_letters
    assert letter["reason"] == "truncated"
    assert letter["text"].startswith("1.30pm GMT")
    assert [e["body"] for e in outcome.entries] == ["Sailings are cancelled."]


def test_page_without_trailer_but_complete_is_not_truncated() -> None:
    outcome = parse_page(
        page(
            "Storm live",
            "2.05pm GMT",
            "Sailings are cancelled.",
            "1.30pm GMT",
            "Winds of 80mph are forecast.",
            "Updated at 1.35pm GMT",
        )
    )
    assert outcome.dead_letters == []
    assert len(outcome.entries) == 2


def test_page_without_markers_is_not_a_live_blog() -> None:
    outcome = parse_page(
        page(
            "How the city rebuilt its trams",
            "In ten years the network doubled.",
            "Published 3 May 2024",
        )
    )
    [letter] = outcome.dead_letters
    assert letter["reason"] == "not_a_liveblog"
    assert outcome.entries == []


def test_layout_of_an_empty_text_is_none() -> None:
    assert lay_out("") is None
    assert lay_out("\n\n  \n") is None
