"""The project's own sample pages, one per house style and language the shared
corpus lacks (it, pt, nl, US English, headline-on-marker styles)."""

from __future__ import annotations

import pytest

from stream.core.process import process_message
from tests.conftest import SAMPLES


def outcome_of(name: str):
    return process_message((SAMPLES / name).read_bytes(), key=b"sample")


def summary(outcome):
    return [(e["posted_at"], e["updated_at"], e["headline"], e["labels"]) for e in outcome.entries]


def test_italian_without_lang_in_envelope() -> None:
    outcome = outcome_of("it-maltempo.msg")
    assert outcome.lang == "it"
    assert outcome.story["section"] == "Cronaca"
    assert outcome.story["tags"] == ["Maltempo", "Genova", "Liguria"]
    assert summary(outcome) == [
        (
            "2025-11-14T16:48:00Z",
            "2025-11-14T17:10:00Z",
            "Perché la Liguria è così esposta",
            ["analysis"],
        ),
        ("2025-11-14T17:31:00Z", None, None, []),
        (
            "2025-11-14T18:02:00Z",
            "2025-11-14T18:04:00Z",
            "Chiuse le scuole anche domani",
            ["breaking"],
        ),
    ]
    assert outcome.entries[1]["captions"] == [
        {"text": "Volontari controllano gli argini del Bisagno", "credit": "ANSA"},
        {
            "text": "Una strada allagata nel quartiere di Sampierdarena",
            "credit": "Luca Zennaro/ANSA",
        },
    ]


def test_portuguese_in_lisbon_time() -> None:
    outcome = outcome_of("pt-greve.msg")
    assert outcome.lang == "pt"
    assert summary(outcome) == [
        ("2025-03-12T07:10:00Z", None, None, ["analysis"]),
        ("2025-03-12T08:55:00Z", None, "Governo convoca reunião de urgência", ["breaking"]),
        ("2025-03-12T09:32:00Z", "2025-03-12T09:38:00Z", None, []),
    ]


def test_dutch_across_midnight_in_summer_time() -> None:
    outcome = outcome_of("nl-verkiezingen.msg")
    assert outcome.lang == "nl"
    assert summary(outcome) == [
        ("2025-04-04T20:15:00Z", None, None, ["analysis"]),
        (
            "2025-04-04T21:48:00Z",
            None,
            "Exitpoll: nek-aan-nekrace tussen de twee grootste partijen",
            ["breaking"],
        ),
        ("2025-04-04T22:20:00Z", "2025-04-04T22:25:00Z", None, []),
    ]


def test_us_eastern_twelve_hour_clock_with_a_pinned_post() -> None:
    outcome = outcome_of("en-us-storm.msg")
    assert summary(outcome) == [
        ("2025-10-10T02:05:00Z", None, "What we know so far", ["pinned"]),
        ("2025-10-10T03:50:00Z", None, None, []),
        (
            "2025-10-10T04:25:00Z",
            "2025-10-10T04:28:00Z",
            "Power outages pass 200,000",
            ["key_event"],
        ),
    ]


def test_german_ticker_with_dates_and_headlines_on_marker_lines() -> None:
    outcome = outcome_of("de-ticker-headlines.msg")
    assert outcome.lang == "de"
    assert summary(outcome) == [
        ("2025-03-30T21:39:00Z", None, "Einigung in letzter Minute", ["breaking"]),
        ("2025-03-31T08:58:00Z", "2025-03-31T09:05:00Z", "Opposition kündigt Widerstand an", []),
        ("2025-03-31T09:26:00Z", None, None, []),
    ]


def test_french_headline_after_colon_on_marker_line() -> None:
    outcome = outcome_of("fr-headline-markers.msg")
    assert outcome.story["tags"] == ["Municipales", "Élections"]
    assert summary(outcome) == [
        ("2025-03-23T21:10:00Z", None, "Les premiers résultats tombent", []),
        ("2025-03-23T21:45:00Z", "2025-03-23T21:50:00Z", "La participation en hausse", []),
    ]


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("bad-empty.msg", "empty"),
        ("bad-json.msg", "invalid_json"),
        ("bad-envelope.msg", "invalid_envelope"),
        ("bad-binary.msg", "invalid_encoding"),
        ("bad-not-live.msg", "not_a_liveblog"),
        ("spillover.msg", "spillover"),
        ("truncated.msg", "truncated"),
    ],
)
def test_bad_samples_dead_letter_with_their_reason(name: str, reason: str) -> None:
    assert [d["reason"] for d in outcome_of(name).dead_letters] == [reason]


def test_mojibake_and_windows_1252_samples_come_out_clean() -> None:
    for name in ("mojibake.msg", "cp1252-bare.msg"):
        outcome = outcome_of(name)
        assert outcome.dead_letters == []
        assert any("« une journée historique »" in e["body"] for e in outcome.entries), name


def test_warm_up_parses_a_page_in_every_language_and_forgets_it() -> None:
    from stream.core.locales import LOCALES
    from stream.core.process import warm_up
    from stream.core.timegrammar import read_marker

    # every warm-up page is read as a live blog, so the worker's start runs the
    # paths its first real pages take (and leaves no memo behind)
    assert warm_up() == 3 * len(LOCALES)
    assert read_marker.cache_info().currsize == 0
