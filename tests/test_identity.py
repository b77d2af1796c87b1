"""Story and entry ids stay the same across re-scrapes, edits and URL noise."""

from __future__ import annotations

from stream.core.identity import canonical_url, entry_id_for, story_id_for
from stream.core.process import process_message
from tests.conftest import SAMPLES, page, parse_page


def test_url_noise_does_not_change_the_story() -> None:
    variants = [
        "https://www.news.example/live/storm",
        "http://news.example/live/storm/",
        "https://NEWS.example/live/storm?utm_source=x&utm_medium=y#latest",
        "https://news.example:443/live/storm?fbclid=abc",
    ]
    assert {canonical_url(u) for u in variants} == {"https://news.example/live/storm"}
    assert len({story_id_for(u, None, "t") for u in variants}) == 1


def test_meaningful_query_parameters_are_kept() -> None:
    assert story_id_for("https://n.example/live?id=1", None, "t") != story_id_for(
        "https://n.example/live?id=2", None, "t"
    )


def test_without_url_the_story_is_source_and_title() -> None:
    a = story_id_for(None, "news.example", "Storm  live")
    assert a == story_id_for(None, "news.example", "storm live")
    assert a != story_id_for(None, "other.example", "Storm live")


def test_a_url_key_serves_as_the_story_url() -> None:
    text = page("Storm live", "2.05pm GMT", "Sailings are cancelled.", "Share")
    outcome = process_message(
        text.encode(),
        key=b"https://news.example/live/storm",
    )
    # no date anywhere: dead-lettered, but the story is still identified by the key URL
    assert outcome.story_id == story_id_for("https://news.example/live/storm", None, "x")


def test_entry_ids_survive_edits_and_new_entries() -> None:
    first = process_message((SAMPLES / "rescrape-1.msg").read_bytes())
    second = process_message((SAMPLES / "rescrape-2.msg").read_bytes())
    ids_first = {e["posted_at"]: e["entry_id"] for e in first.entries}
    ids_second = {e["posted_at"]: e["entry_id"] for e in second.entries}
    assert first.story_id == second.story_id
    for posted_at, entry_id in ids_first.items():
        assert ids_second[posted_at] == entry_id  # the edited 09:40 entry included
    assert len(set(ids_second.values())) == len(ids_second) == 4


def test_entries_posted_the_same_minute_get_distinct_ids() -> None:
    outcome = parse_page(page("Storm live", "2.05pm GMT", "Second.", "2.05pm GMT", "First."))
    assert [e["body"] for e in outcome.entries] == ["First.", "Second."]
    assert len({e["entry_id"] for e in outcome.entries}) == 2
    assert outcome.entries[0]["entry_id"] == entry_id_for(
        outcome.story_id, outcome.entries[0]["posted_at"], 0
    )
