"""Entry markers and "updated" footers in every supported house style."""

from __future__ import annotations

import pytest

from stream.core.markers import MARKER_LINE, UPDATED_LINE, clock_from_match


def marker(line: str):
    match = MARKER_LINE.match("\n" + line)
    if match is None or match.group("s"):
        return None
    clock = clock_from_match(match)
    return None if clock is None else (clock, match.group("headline"))


@pytest.mark.parametrize(
    ("line", "hour", "minute", "zone", "date", "headline"),
    [
        ("07h42 CEST", 7, 42, "CEST", None, None),
        ("07.19 CEST", 7, 19, "CEST", None, None),
        ("7.42am BST", 7, 42, "BST", None, None),
        ("7.42pm BST", 19, 42, "BST", None, None),
        ("12.25am BST", 0, 25, "BST", None, None),
        ("07:42 Uhr", 7, 42, None, None, None),
        ("7:42 a.m. ET", 7, 42, "ET", None, None),
        ("11:50 p.m. ET", 23, 50, "ET", None, None),
        ("07:42", 7, 42, None, None, None),
        ("00.20 uur", 0, 20, None, None, None),
        ("14h05", 14, 5, None, None, None),
        ("23:39 Uhr | Scholz trifft Macron", 23, 39, None, None, "Scholz trifft Macron"),
        ("22h45 : La participation en hausse", 22, 45, None, None, "La participation en hausse"),
        ("31.03.22 | 11:26", 11, 26, None, (2022, 3, 31), None),
        ("2024-03-31 11:26 CET", 11, 26, "CET", (2024, 3, 31), None),
        ("09:15 UTC+2", 9, 15, "UTC", None, None),
    ],
)
def test_marker_styles(line, hour, minute, zone, date, headline) -> None:
    found = marker(line)
    assert found is not None, line
    clock, found_headline = found
    assert (clock.hour, clock.minute, clock.zone, clock.date) == (hour, minute, zone, date)
    assert found_headline == headline


@pytest.mark.parametrize(
    "line",
    [
        "Wed 27 Nov 2024 21.17 GMT",  # page date line
        "First published on Wed 27 Nov 2024 17.21 GMT",
        "Stand: 27.10.2024 15:35 Uhr",
        "Última actualización: 17 mar 2024 - 20:53 CET",
        "2024-06-19 08:31:00",  # machine timestamp in the trailer
        "Updated at 7.45am BST",  # a footer, not a marker
        "1718775858",
        "25:10",
        "7 am is when the trains stop running in the city, officials said.",
        "3:1 for the home side",
    ],
)
def test_lines_that_are_not_markers(line: str) -> None:
    assert marker(line) is None


@pytest.mark.parametrize(
    ("line", "hour", "minute"),
    [
        ("Mis à jour à 07h42 CEST", 7, 42),
        ("Updated at 7.45am BST", 7, 45),
        ("Aktualisiert um 14:06 Uhr", 14, 6),
        ("Actualizado a las 19:29 CET", 19, 29),
        ("Aggiornato alle 19:04", 19, 4),
        ("Atualizado às 09h38", 9, 38),
        ("Bijgewerkt om 00.25 uur", 0, 25),
        ("Updated at 12:28 a.m. ET", 0, 28),
    ],
)
def test_updated_footers_in_each_language(line: str, hour: int, minute: int) -> None:
    match = UPDATED_LINE.match(line)
    assert match is not None, line
    clock = clock_from_match(match)
    assert clock is not None and (clock.hour, clock.minute) == (hour, minute)
