"""Dating entries: zones and daylight saving, defaults per language, midnight, pins."""

from __future__ import annotations

import pytest

from stream.core.timeline import parse_iso8601
from tests.conftest import page, parse_page


def times(outcome) -> list[tuple[str, str | None]]:
    return [(e["posted_at"], e["updated_at"]) for e in outcome.entries]


@pytest.mark.parametrize(
    ("marker", "scraped_at", "expected"),
    [
        ("10h00 CET", "2024-01-10T12:00:00Z", "2024-01-10T09:00:00Z"),
        ("10h00 CEST", "2024-07-10T12:00:00Z", "2024-07-10T08:00:00Z"),
        ("10.00am GMT", "2024-01-10T12:00:00Z", "2024-01-10T10:00:00Z"),
        ("10.00am BST", "2024-07-10T12:00:00Z", "2024-07-10T09:00:00Z"),
        ("10:00 a.m. ET", "2024-01-10T18:00:00Z", "2024-01-10T15:00:00Z"),  # EST
        ("10:00 a.m. ET", "2024-07-10T18:00:00Z", "2024-07-10T14:00:00Z"),  # EDT
        ("10:00 MESZ", "2024-07-10T12:00:00Z", "2024-07-10T08:00:00Z"),
        ("10:00 WET", "2024-01-10T12:00:00Z", "2024-01-10T10:00:00Z"),
        ("10:00 UTC", "2024-07-10T12:00:00Z", "2024-07-10T10:00:00Z"),
        ("10h00 CEST", "2024-01-10T12:00:00Z", "2024-01-10T08:00:00Z"),  # printed offset wins
    ],
)
def test_zone_abbreviations_follow_daylight_saving(marker, scraped_at, expected) -> None:
    outcome = parse_page(page("Title", marker, "Something happened."), scraped_at=scraped_at)
    assert times(outcome) == [(expected, None)]


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("fr", "2024-07-10T08:00:00Z"),  # Europe/Paris
        ("de", "2024-07-10T08:00:00Z"),
        ("es", "2024-07-10T08:00:00Z"),
        ("it", "2024-07-10T08:00:00Z"),
        ("nl", "2024-07-10T08:00:00Z"),
        ("pt", "2024-07-10T09:00:00Z"),  # Europe/Lisbon
        ("en", "2024-07-10T09:00:00Z"),  # Europe/London
    ],
)
def test_zone_less_markers_use_the_language_default(lang: str, expected: str) -> None:
    outcome = parse_page(
        page("Title", "10:00", "Something happened."), lang=lang, scraped_at="2024-07-10T12:00:00Z"
    )
    assert times(outcome) == [(expected, None)]


def test_envelope_timezone_beats_the_language_default() -> None:
    outcome = parse_page(
        page("Title", "10:00", "Something happened."),
        lang="en",
        timezone="America/Chicago",
        scraped_at="2024-07-10T18:00:00Z",
    )
    assert times(outcome) == [("2024-07-10T15:00:00Z", None)]


def test_crossing_midnight_rolls_the_date_back() -> None:
    text = page(
        "Title",
        "00h38 CET",
        "After midnight.",
        "23h55 CET",
        "Before midnight.",
        "22h10 CET",
        "Evening.",
    )
    outcome = parse_page(text, scraped_at="2024-03-26T00:57:00Z")
    assert [t for t, _ in times(outcome)] == [
        "2024-03-25T21:10:00Z",
        "2024-03-25T22:55:00Z",
        "2024-03-25T23:38:00Z",
    ]


def test_a_quiet_night_still_rolls_back() -> None:
    text = page("Title", "08.00am GMT", "Morning.", "7.00pm GMT", "The evening before.")
    outcome = parse_page(text, scraped_at="2024-01-10T09:00:00Z")
    assert [t for t, _ in times(outcome)] == ["2024-01-09T19:00:00Z", "2024-01-10T08:00:00Z"]


def test_a_pinned_entry_out_of_order_does_not_shift_the_others() -> None:
    text = page(
        "Title",
        "Sat 6 Jul 2024 11.56 BST",
        "7.57am BST",
        "Pinned post",
        "Pinned text.",
        "11.56am BST",
        "Newest.",
        "9.30am BST",
        "Older.",
    )
    outcome = parse_page(text, scraped_at="2024-07-06T12:15:00Z")
    assert [t for t, _ in times(outcome)] == [
        "2024-07-06T06:57:00Z",
        "2024-07-06T08:30:00Z",
        "2024-07-06T10:56:00Z",
    ]
    assert outcome.entries[0]["labels"] == ["pinned"]


def test_an_unlabelled_pinned_entry_is_recognised_by_its_order() -> None:
    text = page(
        "Title",
        "Sat 6 Jul 2024 11.56 BST",
        "7.57am BST",
        "Pinned text.",
        "11.56am BST",
        "Newest.",
        "9.30am BST",
        "Older.",
    )
    outcome = parse_page(text, scraped_at="2024-07-06T12:15:00Z")
    assert [t for t, _ in times(outcome)] == [
        "2024-07-06T06:57:00Z",
        "2024-07-06T08:30:00Z",
        "2024-07-06T10:56:00Z",
    ]


def test_no_time_lies_after_scraped_at() -> None:
    outcome = parse_page(page("Title", "23h50 CET", "Late."), scraped_at="2024-01-10T10:00:00Z")
    assert times(outcome) == [("2024-01-09T22:50:00Z", None)]


def test_the_entry_date_beats_the_page_date() -> None:
    text = page("Title", "Stand: 02.04.2024 10:00 Uhr", "01.04.24 | 09:15", "Yesterday.")
    outcome = parse_page(text, lang="de", scraped_at="2024-04-02T10:00:00Z")
    assert times(outcome) == [("2024-04-01T07:15:00Z", None)]


def test_the_page_date_line_beats_scraped_at() -> None:
    # scraped a day later than the page was last updated
    text = page("Title", "Stand: 27.10.2024 15:35 Uhr", "15:35 Uhr", "Text.", "14:06 Uhr", "Text.")
    outcome = parse_page(text, lang="de", scraped_at="2024-10-28T09:00:00Z")
    assert [t for t, _ in times(outcome)] == ["2024-10-27T13:06:00Z", "2024-10-27T14:35:00Z"]


def test_dates_from_a_trailer_and_unix_timestamp_when_there_is_no_envelope() -> None:
    from stream.core.process import process_message

    text = page("Titre", "07h42 CEST", "Texte.", "2024-06-19 08:31:00", "1718775858", "Facebook")
    outcome = process_message(text.encode())
    assert times(outcome) == [("2024-06-19T05:42:00Z", None)]


def test_updated_footer_after_midnight_is_the_next_day() -> None:
    text = page("Title", "23h58 CET", "Late news.", "Mis à jour à 00h03 CET")
    outcome = parse_page(text, scraped_at="2024-01-11T01:00:00Z")
    assert times(outcome) == [("2024-01-10T22:58:00Z", "2024-01-10T23:03:00Z")]


def test_undatable_page_is_a_dead_letter_with_advice() -> None:
    from stream.core.process import process_message

    outcome = process_message(page("Title", "10:00", "Text.").encode())
    [letter] = outcome.dead_letters
    assert letter["reason"] == "invalid_envelope"
    assert "scraped_at" in letter["detail"]


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("2024-06-19T05:44:18Z", "2024-06-19T05:44:18+00:00"),
        (" 2024-06-19T05:44:18z ", "2024-06-19T05:44:18+00:00"),  # what scrapers write too
        ("2024-06-19T07:44:18+02:00", "2024-06-19T05:44:18+00:00"),
        ("2024-06-19 05:44", "2024-06-19T05:44:00+00:00"),  # naive: taken as UTC
        ("2024-06-19T05:44:18.250Z", "2024-06-19T05:44:18.250000+00:00"),
        ("19/06/2024 05:44", None),
        ("", None),
    ],
)
def test_scraped_at_stamps_are_read_in_utc(stamp: str, expected: str | None) -> None:
    parsed = parse_iso8601(stamp)
    assert (parsed.isoformat() if parsed else None) == expected
