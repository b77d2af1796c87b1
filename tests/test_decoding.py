"""Decoding raw bytes: encodings, envelopes, repairs, and every message-level reason."""

from __future__ import annotations

import base64

import ftfy.bad_codecs  # noqa: F401  (registers the sloppy-windows-1252 codec)
import orjson
import pytest

from stream.core.decoding import Page, Rejection, decode_message
from stream.core.process import Source, process_message
from tests.conftest import envelope

LIVE = "Title\n\n07h42 CEST\n\nUne phrase complète.\n"


def reason(value: bytes, **kw: object) -> str:
    decoded = decode_message(value, **kw)
    assert isinstance(decoded, Rejection), decoded
    return decoded.reason


@pytest.mark.parametrize("value", [b"", b"   \n\t "])
def test_empty_values_are_rejected(value: bytes) -> None:
    assert reason(value) == "empty"


def test_oversized_limit_is_configurable() -> None:
    value = envelope(LIVE)
    assert reason(value, max_bytes=len(value) - 1) == "oversized"
    assert isinstance(decode_message(value, max_bytes=len(value)), Page)


def test_utf8_and_clean_windows_1252_are_accepted() -> None:
    text = "Grève « générale » – l’été\n\n07h42\n\nÇa continue.\n"
    for raw in (text.encode("utf-8"), text.encode("cp1252")):
        decoded = decode_message(raw)
        assert isinstance(decoded, Page)
        assert decoded.text == text


def test_utf8_bom_is_dropped() -> None:
    decoded = decode_message(b"\xef\xbb\xbf" + LIVE.encode())
    assert isinstance(decoded, Page) and decoded.text == LIVE


@pytest.mark.parametrize(
    "value",
    [bytes(range(256)), b"\x00\x01\x02 binary", b"text with a \x07 bell", b"\x81\x8d\x8f"],
)
def test_binary_is_invalid_encoding(value: bytes) -> None:
    assert reason(value) == "invalid_encoding"


def test_json_problems_have_their_own_reasons() -> None:
    assert reason(b'{"text": "unterminated') == "invalid_json"
    assert reason(b'[{"text": "hello"}]') == "invalid_envelope"
    assert reason(b'{"url": "https://x.example"}') == "invalid_envelope"
    assert reason(b'{"text": 42}') == "invalid_envelope"
    assert reason(envelope(LIVE, url=5)) == "invalid_envelope"
    assert reason(envelope(LIVE, scraped_at="yesterday")) == "invalid_envelope"
    assert reason(envelope(LIVE, lang="French")) == "invalid_envelope"
    assert reason(envelope(LIVE, timezone="Mars/Olympus")) == "invalid_envelope"


def test_a_bare_page_may_start_with_a_bracket() -> None:
    decoded = decode_message(b"[LIVE] Storm coverage\n\n9.05am GMT\n\nIt rains.\n")
    assert isinstance(decoded, Page)
    assert decoded.text.startswith("[LIVE]")


def test_envelope_fields_are_read() -> None:
    decoded = decode_message(
        envelope(
            LIVE,
            url="https://a.example/x",
            scraped_at="2024-06-19T05:44:18Z",
            source="a.example",
            lang="FR",
            timezone="Europe/Paris",
        )
    )
    assert isinstance(decoded, Page)
    assert decoded.url == "https://a.example/x"
    assert (
        decoded.scraped_at is not None
        and decoded.scraped_at.isoformat() == "2024-06-19T05:44:18+00:00"
    )
    assert (decoded.source, decoded.lang, decoded.timezone) == ("a.example", "fr", "Europe/Paris")


def test_mojibake_is_repaired_to_the_clean_text_with_curly_quotes() -> None:
    clean = "Le président a salué « le courage » des pompiers, l’“essentiel”.\n"
    # what a browser-like scraper produces: undefined 1252 bytes kept as C1 controls
    broken = clean.encode("utf-8").decode("sloppy-windows-1252")
    assert broken != clean
    decoded = decode_message(envelope(broken))
    assert isinstance(decoded, Page)
    assert decoded.repaired
    assert decoded.text == clean


def test_clean_text_is_not_touched_by_the_repair() -> None:
    decoded = decode_message(envelope("Ã la carte? No: À la carte, déjà vu.\n"))
    assert isinstance(decoded, Page)
    assert not decoded.repaired


def test_unrepairable_mojibake_is_invalid_encoding() -> None:
    # the third byte of each quote was lost on the way: ftfy cannot recover it
    assert reason(envelope("Il a dit â€?bonjourâ€? hier.")) == "invalid_encoding"


def test_message_level_dead_letters_keep_the_original_bytes() -> None:
    for value in (b"", b'{"text": ', bytes(range(256)), b'{"text": 1}', envelope("No markers.")):
        outcome = process_message(value, key=b"k")
        assert outcome.entries == []
        [letter] = outcome.dead_letters
        assert base64.b64decode(letter["original"]) == value
        assert letter["detail"]
        orjson.dumps(letter)  # serialisable as is


def test_a_tombstone_and_an_empty_value_say_which_they_are() -> None:
    tombstone, empty = decode_message(None), decode_message(b"")
    assert tombstone.reason == empty.reason == "empty"
    assert "tombstone" in tombstone.detail and "tombstone" not in empty.detail


def test_invalid_utf8_inside_a_json_envelope_is_invalid_encoding() -> None:
    value = b'{"text": "Title\\n\\n07h42 CEST\\n\\nCaf\xe9 ferm\xe9.", "lang": "fr"}'
    rejected = decode_message(value)
    assert isinstance(rejected, Rejection) and rejected.reason == "invalid_encoding"


def test_a_dead_letter_id_is_stable_for_a_source_record_and_reason() -> None:
    def letters(offset: int):
        source = Source(topic="articles.raw", partition=2, offset=offset)
        return process_message(b"{not json", source=source).dead_letters

    assert letters(5)[0]["letter_id"] == letters(5)[0]["letter_id"]
    assert letters(5)[0]["letter_id"] != letters(6)[0]["letter_id"]
