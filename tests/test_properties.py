"""Property tests: no input makes the core raise, and every input yields records."""

from __future__ import annotations

import base64
import json

import orjson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stream.core.process
from stream.contract import REASONS
from stream.core.process import process_message

PAGE_LINES = st.sampled_from(
    [
        "Title | Section",
        "07h42 CEST",
        "7.42am BST",
        "23:39 Uhr | Headline",
        "31.03.22 | 11:26",
        "Mis à jour à 07h42 CEST",
        "Updated at 7.45am BST",
        "Analysis",
        "Key event",
        "Pinned post",
        "A full sentence of body text.",
        "A cut-off sentence without",
        "Photograph: AP",
        "Firefighters at work. Photograph: Getty ImagesProtesters. Photograph: EPA",
        "Share",
        "Most viewed",
        "#Tag #Other",
        "1718775858",
        "2024-06-19 08:31:00",
        "Explore more on these topics",
        "Wed 27 Nov 2024 21.17 GMT",
        "",
        "12.25am",
        "Ã©tÃ©",
    ]
)
ENVELOPE_VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=30),
    st.lists(st.text(max_size=5), max_size=3),
)
ENVELOPES = st.fixed_dictionaries(
    {},
    optional={
        "text": st.one_of(
            st.lists(PAGE_LINES, max_size=40).map("\n\n".join), st.text(), ENVELOPE_VALUES
        ),
        "url": st.one_of(st.just("https://n.example/live"), ENVELOPE_VALUES),
        "scraped_at": st.one_of(
            st.just("2024-06-19T05:44:18Z"), st.just("2024-06-19"), ENVELOPE_VALUES
        ),
        "source": ENVELOPE_VALUES,
        "lang": st.one_of(
            st.sampled_from(["fr", "en", "de", "xx", "FR", "french"]), ENVELOPE_VALUES
        ),
        "timezone": st.one_of(
            st.sampled_from(["Europe/Paris", "UTC", "Nowhere/City"]), ENVELOPE_VALUES
        ),
    },
)


def assert_well_formed(value: bytes) -> None:
    outcome = process_message(value, key=b"k", max_bytes=64 * 1024)
    assert outcome.entries or outcome.dead_letters
    for entry in outcome.entries:
        assert entry["posted_at"].endswith("Z")
    for letter in outcome.dead_letters:
        assert letter["reason"] in REASONS
        assert letter["reason"] != "processing_error", letter["detail"]
        if letter["original"] is not None:
            assert base64.b64decode(letter["original"]) == value
    orjson.dumps(outcome.entries + outcome.dead_letters)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_raise(value: bytes) -> None:
    assert_well_formed(value)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ENVELOPES)
def test_arbitrary_envelopes_never_raise(envelope: dict) -> None:
    assert_well_formed(json.dumps(envelope).encode())


@settings(max_examples=200, deadline=None)
@given(st.lists(PAGE_LINES, min_size=1, max_size=60))
def test_arbitrary_bare_pages_never_raise(lines: list[str]) -> None:
    assert_well_formed("\n\n".join(lines).encode())


def test_an_internal_failure_becomes_a_processing_error(monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(stream.core.process, "lay_out", broken)
    value = orjson.dumps({"text": "Title\n\n07h42\n\nText."})
    outcome = process_message(value, key=b"k")
    [letter] = outcome.dead_letters
    assert letter["reason"] == "processing_error"
    assert "RuntimeError: boom" in letter["detail"]
    assert base64.b64decode(letter["original"]) == value
