"""The time grammar: every marker family real live blogs print, and lines that are
not markers.  Each row is a shape seen on a real site (see ../shared/corpus-real)."""

from __future__ import annotations

import pytest

from stream.core.markers import UPDATED_LINE, clock_from_match
from stream.core.timegrammar import is_relative_age, read_marker


@pytest.mark.parametrize(
    ("line", "hour", "minute", "zone", "date", "separator", "rest"),
    [
        # a time alone on a line, in each style
        ("07h42 CEST", 7, 42, "CEST", None, "", ""),
        ("07.19 CEST", 7, 19, "CEST", None, "", ""),
        ("7.42am BST", 7, 42, "BST", None, "", ""),
        ("7.42pm BST", 19, 42, "BST", None, "", ""),
        ("12.25am BST", 0, 25, "BST", None, "", ""),
        ("07:42 Uhr", 7, 42, None, None, "", ""),
        ("7:42 a.m. ET", 7, 42, "ET", None, "", ""),
        ("11:50 p.m. ET", 23, 50, "ET", None, "", ""),
        (" 20:43", 20, 43, None, None, "", ""),
        ("00.20 uur", 0, 20, None, None, "", ""),
        ("22h04", 22, 4, None, None, "", ""),
        ("09:15 UTC+2", 9, 15, "UTC", None, "", ""),
        ("2250:", 22, 50, None, None, ":", ""),
        # text on the marker line
        ("21:10 Con el 20% de los votos", 21, 10, None, None, "", "Con el 20% de los votos"),
        ("09.49 - Sint-Michielsgestel volgt", 9, 49, None, None, "-", "Sint-Michielsgestel volgt"),
        ("ORE 19:18 – Una base Wagner", 19, 18, None, None, "–", "Una base Wagner"),
        ("01h01 - Taxa de abstenção: A taxa", 1, 1, None, None, "-", "Taxa de abstenção: A taxa"),
        ("23:00: C'est la fin de ce live.", 23, 0, None, None, ":", "C'est la fin de ce live."),
        ("20.19. ERC sería la segunda", 20, 19, None, None, ".", "ERC sería la segunda"),
        ("2312: Right, I can't", 23, 12, None, None, ":", "Right, I can't"),
        ("0.49 Dit is de uitslag", 0, 49, None, None, "", "Dit is de uitslag"),
        ("6:58 p.m. ET: Polls close", 18, 58, "ET", None, ":", "Polls close"),
        ("23:55 | Ouvimos João Moura", 23, 55, None, None, "|", "Ouvimos João Moura"),
        ("8:17 pm | END OF THIS LIVE PAGE", 20, 17, None, None, "|", "END OF THIS LIVE PAGE"),
        ("00.50  - Un incendio", 0, 50, None, None, "-", "Un incendio"),
        # words, dates and zones around the time
        ("6 Uhr: Auf den Straßen", 6, 0, None, None, ":", "Auf den Straßen"),
        ("6.32 Uhr: Das Robert Koch-Institut", 6, 32, None, None, ":", "Das Robert Koch-Institut"),
        ("22:25 Uhr | Striktere Maßnahmen", 22, 25, None, None, "|", "Striktere Maßnahmen"),
        ("  • 1/5/16 8:08 AM", 8, 8, None, (2016, 5, 1), "", ""),
        ("22:30 GMT – Trump’s Tulsa rally", 22, 30, "GMT", None, "–", "Trump’s Tulsa rally"),
        ("1:15pm NZDT (7:15pm EST)", 13, 15, None, None, "", ""),
        ("9: 12 Some 13,802 polling stations", 9, 12, None, None, "", "Some 13,802 polling"),
        ("31.03.22 | 11:26", 11, 26, None, (2022, 3, 31), "", ""),
        ("2024-03-31 11:26 CET", 11, 26, "CET", (2024, 3, 31), "", ""),
        ("Samedi 14 novembre 2015 à 18h04", 18, 4, None, (2015, 11, 14), "", ""),
        # the marker after the headline: time, comma, byline
        ("03:42 , Arpan Rai", 3, 42, None, None, ",", "Arpan Rai"),
    ],
)
def test_marker_families(line, hour, minute, zone, date, separator, rest) -> None:
    marker = read_marker(line)
    assert marker is not None, line
    clock = marker.clock
    assert (clock.hour, clock.minute, clock.zone, clock.date) == (hour, minute, zone, date)
    assert marker.separator == separator
    assert marker.rest.startswith(rest)


def test_an_ambiguous_numeric_date_keeps_both_readings() -> None:
    marker = read_marker("• 1/5/16 8:08 AM")
    assert marker.clock.date == (2016, 5, 1) and marker.clock.date_alt == (2016, 1, 5)


def test_a_stamp_closing_a_line_after_a_glued_byline() -> None:
    marker = read_marker("Thomas Kingsley25 February 2022 10:55")
    assert marker.kind == "trail" and marker.before == "Thomas Kingsley"
    assert (marker.clock.hour, marker.clock.minute, marker.clock.date) == (10, 55, (2022, 2, 25))


def test_month_names_come_from_cldr_in_many_languages() -> None:
    for line, month in [
        ("3 févr. 2024 14:05", 2),
        ("3 März 2024 14:05", 3),
        ("3 de mayo de 2024 14:05", None),  # "de" between: a written date, not a stamp
        ("3 augustus 2024 14:05", 8),
        ("3 dicembre 2024 14:05", 12),
    ]:
        marker = read_marker(line)
        assert (marker.clock.date[1] if marker else None) == month, line


@pytest.mark.parametrize(
    "line",
    [
        "2024-06-19 08:31:00",  # machine timestamp in the trailer
        "Updated at 7.45am BST",  # a footer, not a marker
        "1718775858",
        "25:10",
        "3:1 for the home side",
        "17.05.15",  # a date
        "123 90 * 69 40",  # a results widget
        "2,5 Prozent mehr",  # a decimal
        "SNP - 24,417",
        "9th August 2022",
        "10.5km run",
        "5h ago",
        "Stand: 27.10.2024 15:35 Uhr",
    ],
)
def test_lines_that_are_not_markers(line: str) -> None:
    assert read_marker(line) is None


@pytest.mark.parametrize(
    "line", ["5h ago", "vor 3 Minuten", "il y a 12 min", "hace 2 horas", "10 minuti fa"]
)
def test_relative_ages(line: str) -> None:
    assert is_relative_age(line)


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
