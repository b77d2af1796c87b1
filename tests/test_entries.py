"""Inside entries: labels, headlines, bodies, captions, updated footers."""

from __future__ import annotations

import pytest

from stream.core.captions import Caption, split_captions, style_caption_texts
from tests.conftest import page, parse_page


def only_entry(*blocks: str, **fields):
    outcome = parse_page(page("Title", "10:00", *blocks, "Share"), **fields)
    assert not outcome.dead_letters, outcome.dead_letters
    [entry] = outcome.entries
    return entry


@pytest.mark.parametrize(
    ("line", "label"),
    [
        ("Analysis", "analysis"),
        ("Analyse", "analysis"),
        ("Análisis", "analysis"),
        ("Analisi", "analysis"),
        ("Análise", "analysis"),
        ("Key event", "key_event"),
        ("Pinned post", "pinned"),
        ("Breaking", "breaking"),
        ("Eilmeldung", "breaking"),
        ("Última hora", "breaking"),
        ("Ultim'ora", "breaking"),
        ("Net binnen", "breaking"),
        ("Summary", "summary"),
        ("Résumé", "summary"),
        ("Samenvatting", "summary"),
    ],
)
def test_label_lines(line: str, label: str) -> None:
    entry = only_entry(line, "Body text.")
    assert entry["labels"] == [label]
    assert entry["body"] == "Body text."


def test_several_labels_are_sorted() -> None:
    entry = only_entry("Pinned post", "Key event", "Body text.")
    assert entry["labels"] == ["key_event", "pinned"]


def test_headline_is_short_unpunctuated_and_first() -> None:
    entry = only_entry("Key event", "What we know so far", "Talks resume today.", "More later.")
    assert entry["headline"] == "What we know so far"
    assert entry["body"] == "Talks resume today.\n\nMore later."


@pytest.mark.parametrize(
    "first",
    [
        "Talks resume today.",  # a sentence
        "Reuters reports:",  # introduces a quote
        "“We will not give in,” the minister said.",
    ],
)
def test_first_paragraphs_that_are_not_headlines(first: str) -> None:
    entry = only_entry(first, "Second paragraph.")
    assert entry["headline"] is None
    assert entry["body"].startswith(first)


def test_headline_with_quotes_at_the_end() -> None:
    entry = only_entry("Kim hails a period of « new prosperity »", "Body.")
    assert entry["headline"] == "Kim hails a period of « new prosperity »"


def test_headline_alone_has_an_empty_body_on_a_page_with_headlines() -> None:
    outcome = parse_page(
        page(
            "Title",
            "10:30",
            "Negotiations resume behind closed doors",
            "10:00",
            "Talks stall",
            "Both sides left the room.",
            "Share",
        )
    )
    newest = outcome.entries[-1]
    assert newest["headline"] == "Negotiations resume behind closed doors"
    assert newest["body"] == ""


def test_a_short_line_alone_is_the_body_on_a_page_without_headlines() -> None:
    # fm4.orf.at style: one-paragraph posts, some of them short and unpunctuated.
    outcome = parse_page(
        page(
            "Title",
            "22:11",
            'Mirko Messner: "Mit der KPÖ ist zu rechnen"',
            "21:42",
            "Ob Frank Stronach weiß, wer Monika Lindner ist?",
            "Share",
        )
    )
    assert [(e["headline"], e["body"][:8]) for e in outcome.entries] == [
        (None, "Ob Frank"),
        (None, "Mirko Me"),
    ]


def test_updated_footer_is_removed_from_the_body() -> None:
    entry = only_entry(
        "Body text.", "Updated at 10.05am GMT", lang="en", scraped_at="2024-01-10T12:00:00Z"
    )
    assert entry["body"] == "Body text."
    assert entry["updated_at"] == "2024-01-10T10:05:00Z"


def test_glued_captions_are_split() -> None:
    paragraph = (
        "Poutine et Kim passent devant des soldats. Photographie : Getty ImagesKim et Poutine "
        "passent devant des enfants. Photographie : Vladimir Smirnov/AFP/Getty ImagesPoutine "
        "et Kim inspectent une rangée de soldats. Photographie : Getty Images"
    )
    captions, glued = split_captions(paragraph)
    assert glued == ""
    assert [(c.text, c.credit) for c in captions] == [
        ("Poutine et Kim passent devant des soldats.", "Getty Images"),
        ("Kim et Poutine passent devant des enfants.", "Vladimir Smirnov/AFP/Getty Images"),
        ("Poutine et Kim inspectent une rangée de soldats.", "Getty Images"),
    ]


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        (
            "Protesters outside. Photograph: Ludovic Marin/AFP"
            "Firefighters at work. Photograph: EPA",
            [("Protesters outside.", "Ludovic Marin/AFP"), ("Firefighters at work.", "EPA")],
        ),
        (
            "Demonstranten vor dem Rathaus. Foto: EPADie Delegation landet. Foto: Reuters",
            [("Demonstranten vor dem Rathaus.", "EPA"), ("Die Delegation landet.", "Reuters")],
        ),
        (
            "Des manifestants. Photographie : APLa délégation arrive. Photographie : AFP",
            [("Des manifestants.", "AP"), ("La délégation arrive.", "AFP")],
        ),
        (
            "Satellite view of the port. Photo: DigitalGlobe",
            [("Satellite view of the port.", "DigitalGlobe")],
        ),
    ],
)
def test_glue_points_between_credit_and_next_caption(paragraph, expected) -> None:
    captions, _ = split_captions(paragraph)
    assert [(c.text, c.credit) for c in captions] == expected


def test_body_text_glued_after_a_credit_goes_back_to_the_body() -> None:
    captions, glued = split_captions(
        "The port at dawn. Photograph: Getty ImagesThe minister said the port would reopen."
    )
    assert [(c.text, c.credit) for c in captions] == [("The port at dawn.", "Getty Images")]
    assert glued == "The minister said the port would reopen."


def test_prose_mentioning_a_photo_is_not_a_caption() -> None:
    entry = only_entry(
        "He posted a photo: it showed the flooded street in the early morning hours."
    )
    assert entry["captions"] == []


def test_caption_style_short_labels_lose_the_separator_period() -> None:
    styled = style_caption_texts([Caption("Firefighters at work.", "AP")])
    assert styled == [Caption("Firefighters at work", "AP")]


def test_caption_style_full_sentences_keep_their_period() -> None:
    sentence = "Poutine et Kim inspectent une rangée de soldats lors de la cérémonie."
    assert style_caption_texts([Caption(sentence, "AP")]) == [Caption(sentence, "AP")]


def test_captions_leave_the_body_and_keep_page_order() -> None:
    entry = only_entry(
        "Body text.",
        "Firefighters at work. Photograph: AP",
        "Protesters outside. Photograph: Reuters",
    )
    assert entry["body"] == "Body text."
    assert entry["captions"] == [
        {"text": "Firefighters at work", "credit": "AP"},
        {"text": "Protesters outside", "credit": "Reuters"},
    ]
