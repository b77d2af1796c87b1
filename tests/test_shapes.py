"""Marker induction on whole pages, one shape family each (short pages of the
project's own making, each in the style of a real site), and the properties that
keep it honest: no text makes it raise; entry order changes no entry's content."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from stream.core.anatomy import analyse
from tests.conftest import page, parse_page


def entries(text: str, **fields) -> list[tuple[str, str | None, str]]:
    outcome = parse_page(text, **fields)
    assert not [d for d in outcome.dead_letters if d["reason"] == "not_a_liveblog"], outcome
    return [(e["posted_at"][11:16], e["headline"], e["body"]) for e in outcome.entries]


def letters(text: str, **fields) -> list[str]:
    return [d["reason"] for d in parse_page(text, **fields).dead_letters]


def test_time_and_body_on_one_line_with_times_inside_bodies() -> None:
    text = page(
        "Noche electoral",
        "21:05 Se cierran los colegios; sobre las 22:30 horas se sabrá el resultado.",
        "21:00 Noelia Vera no quiere valorar los resultados del sondeo.",
        "20:50 José Manuel Villegas habla tras el batacazo.",
    )
    found = entries(text, lang="es", timezone="UTC", scraped_at="2025-01-15T23:00:00Z")
    assert [(t, h) for t, h, _ in found] == [("20:50", None), ("21:00", None), ("21:05", None)]
    assert found[2][2].endswith("sobre las 22:30 horas se sabrá el resultado.")


def test_time_word_pipe_headline_then_body() -> None:
    text = page(
        "Corona-Ticker",
        "22:25 Uhr | Striktere Maßnahmen in Dänemark",
        "In Dänemark werden die Beschränkungen ausgeweitet.",
        "21:45 Uhr | Heim unter Quarantäne",
        "Die gesamte Unterkunft wurde unter Quarantäne gestellt.",
    )
    found = entries(text, timezone="UTC")
    assert [(t, h) for t, h, _ in found] == [
        ("21:45", "Heim unter Quarantäne"),
        ("22:25", "Striktere Maßnahmen in Dänemark"),
    ]


def test_headline_and_body_run_together_on_the_marker_line() -> None:
    text = page(
        "Eleições",
        "01h01 - Abstenção regista novo recorde de 45,5%: A taxa de abstenção registou um "
        "novo recorde nas eleições legislativas de domingo.",
        "Os dados dizem respeito aos eleitores recenseados.",
    )
    [(_, headline, body)] = entries(text, timezone="UTC", scraped_at="2025-01-15T02:00:00Z")
    assert headline == "Abstenção regista novo recorde de 45,5%"
    assert body.startswith("A taxa de abstenção registou")


def test_upper_case_headline_between_dashes() -> None:
    text = page(
        "La diretta",
        "ORE 21:30 – ZELENSKY: “SERVE ASSISTENZA PIENA” – “Abbiamo il diritto di contare "
        "su un’assistenza piena e urgente”, dice il presidente.",
    )
    [(time, headline, _)] = entries(text, timezone="UTC")
    assert (time, headline) == ("21:30", "ZELENSKY: “SERVE ASSISTENZA PIENA”")


def test_headline_above_a_time_and_byline_line() -> None:
    text = page(
        "Ukraine news – live",
        "Key Points",
        "Putin’s forces unlikely to make major gains this year",
        "03:42 , Arpan Rai",
        "A senior Pentagon official has said that the US does not expect gains.",
    )
    [(time, headline, body)] = entries(text, timezone="UTC", scraped_at="2025-01-15T05:00:00Z")
    assert (time, headline) == ("03:42", "Putin’s forces unlikely to make major gains this year")
    assert body.startswith("A senior Pentagon official")


def test_stamp_after_the_entry_closes_it() -> None:
    text = (
        "War: latest updates\n\nStandfirst of the page.\n\nIntro paragraph.\n\n\n"
        "Mayor urges residents into shelters\n\nThe mayor urged residents to shelter.\n\n\n"
        "Jane Doe25 February 2022 10:55\n\n\n"
        "UN reports casualties\n\nThe UN says it has reports of casualties.\n\n\n"
        "Jane Doe25 February 2022 10:50\n\n\nVoices | Why you should think twice before sh"
    )
    assert entries(text, timezone="UTC", scraped_at="2022-02-25T11:00:00Z") == [
        ("10:50", "UN reports casualties", "The UN says it has reports of casualties."),
        ("10:55", "Mayor urges residents into shelters", "The mayor urged residents to shelter."),
    ]
    assert letters(text, timezone="UTC", scraped_at="2022-02-25T11:00:00Z") == ["truncated"]


def test_relative_age_above_the_clock_is_not_body() -> None:
    text = (
        "Ukraine war – latest\n5h ago\n16:45\nBiden to visit Poland\n"
        "Biden will travel to Poland this month.\n\nThe visit is scheduled for February.\n"
        "2h ago\n19:10\nA second post\nIt says something.\n"
    )
    found = entries(text, timezone="UTC", scraped_at="2025-01-15T21:00:00Z")
    assert found[0] == (
        "16:45",
        "Biden to visit Poland",
        "Biden will travel to Poland this month.\n\nThe visit is scheduled for February.",
    )


def test_single_newlines_and_a_flag_line() -> None:
    text = (
        "Secciones\n00:18\nImportante\nFeijóo asegura que se hace cargo.\n"
        "00:14\nEntre gritos de «presidente», Feijóo habla.\nLee la noticia completa.\n"
    )
    outcome = parse_page(
        text, lang="es", timezone="UTC", url="https://e.example/sigue-directo-jornada-electoral"
    )
    assert [(e["labels"], e["body"]) for e in outcome.entries] == [
        ([], "Entre gritos de «presidente», Feijóo habla.\n\nLee la noticia completa."),
        (["key_event"], "Feijóo asegura que se hace cargo."),
    ]


def test_hard_wrapped_lines_stay_one_paragraph() -> None:
    text = (
        "Kenya decides\n"
        "9:45 African Union (AU) lauds Kenya for holding a\n"
        "peaceful, transparent and credible General Election. It has, however,\n"
        "raised concern over the huge number of rejected votes.\n"
        "9:40 Kamukunji constituency: Gideon Mbuvi 46,918 against 20,979.\n"
        "9:05 Johnson Manya Naicca (ODM) clinches Mumias West MP\n"
        "seat after garnering 18, 932 votes.\n"
    )
    found = entries(text, timezone="UTC", scraped_at="2025-01-15T10:00:00Z")
    assert [(t, h, b.count("\n\n")) for t, h, b in found] == [
        ("09:05", None, 0),
        ("09:40", None, 0),
        ("09:45", None, 0),
    ]


def test_oldest_first_twelve_hour_clock_with_a_second_zone() -> None:
    text = page(
        "Live-blogging the election",
        "I plan to start around 7:15pm Eastern Time.",
        "1:15pm NZDT (7:15pm EST)",
        "And, we're off!",
        "1:54pm NZDT (7:54pm EST)",
        "The next wave of poll closings will be big.",
        "2:04pm NZDT (8:04pm EST)",
        "Big number of states' polls have now closed.",
    )
    outcome = parse_page(text, timezone="Pacific/Auckland", scraped_at="2016-11-09T01:30:00Z")
    assert [e["posted_at"] for e in outcome.entries] == [
        "2016-11-09T00:15:00Z",
        "2016-11-09T00:54:00Z",
        "2016-11-09T01:04:00Z",
    ]


def test_an_ambiguous_us_date_is_read_so_that_it_is_not_after_the_scrape() -> None:
    text = (
        "Newsblog\n\nIntro.\n  • 1/5/16 8:08 AM\n    Last post of the morning.\n"
        "  • 1/5/16 8:05 AM\n    An earlier post.\n"
    )
    outcome = parse_page(text, timezone="Europe/Berlin", scraped_at="2016-01-05T08:00:00Z")
    assert [e["posted_at"] for e in outcome.entries] == [
        "2016-01-05T07:05:00Z",
        "2016-01-05T07:08:00Z",
    ]


def test_a_marker_with_no_text_is_not_an_entry() -> None:
    text = "23:49 – Bombardamento a Kharkiv.\n20:46 –\n20:34 – Più di 3mila persone fermate.\n"
    found = entries(text, timezone="UTC", url="https://l.example/ucraina-la-diretta")
    assert [t for t, _, _ in found] == ["20:34", "23:49"]


def test_an_article_with_times_in_its_text_is_not_a_live_blog() -> None:
    text = page(
        "Trains stop early tonight",
        "7 am is when the trains stop running in the city, officials said.",
        "The last train leaves at 23:10 from the central station.",
        "21:10 is the time the bars close, and 22:00 when the buses stop.",
    )
    assert letters(text) == ["not_a_liveblog"]


def test_captions_credits_and_furniture_leave_the_body() -> None:
    text = page(
        "Live",
        "16:45",
        "Biden to visit Poland",
        "Biden will travel to Poland.",
        "qatar airways",
        "Biden during the trip last year",
        "Biden during the trip last year",
        "Pic: AP",
        "Kpop/annette ekin",
        "Supporters crowd near the stage [Leah Millis/Reuters]",
        "Unbenannt-2.jpg © Screenshot",
        "APA",
        "Advertisement",
        "____________________",
        "He had visited Poland before.",
    )
    outcome = parse_page(text, timezone="UTC")
    [entry] = outcome.entries
    assert entry["body"] == "Biden will travel to Poland.\n\nHe had visited Poland before."
    assert entry["captions"] == [
        {"text": "Biden during the trip last year", "credit": "AP"},
        {"text": "Supporters crowd near the stage", "credit": "Leah Millis/Reuters"},
        {"text": "", "credit": "Screenshot"},
        {"text": "", "credit": "APA"},
    ]


def test_explain_names_the_chosen_shape_and_the_ones_it_beat() -> None:
    text = page(
        "Ticker",
        "17.05.15",
        "29.9.2013 16:34",
        "22:11",
        "Wir verabschieden uns.",
        "21:42 Uhr",
        "Ob Frank Stronach weiß, wer Monika Lindner ist?",
    )
    layout, induction = analyse(text)
    assert layout is not None and len(layout.entries) == 2
    assert "alone on its line" in induction.chosen.describe()
    assert len(induction.weighed) == 2


# --- properties -----------------------------------------------------------------

WORDS = st.sampled_from(
    [
        "the",
        "vote",
        "count",
        "goes",
        "on",
        "in",
        "the",
        "capital",
        "and",
        "the",
        "north",
        "while",
        "officials",
        "wait",
    ]
)
SENTENCES = st.lists(WORDS, min_size=4, max_size=12).map(
    lambda words: " ".join(words).capitalize() + "."
)
STYLES = [
    lambda t, h, b: [t, h, b] if h else [t, b],
    lambda t, h, b: [f"{t} Uhr | {h}", b] if h else [f"{t} Uhr", b],
    lambda t, h, b: [f"{t} – {b}"],
]


@st.composite
def live_pages(draw):
    count = draw(st.integers(min_value=2, max_value=8))
    minutes = sorted(
        draw(st.lists(st.integers(0, 22 * 60), min_size=count, max_size=count, unique=True))
    )
    with_headlines = draw(st.booleans())
    style = draw(st.sampled_from(STYLES))
    posts = [
        (
            f"{m // 60:02d}:{m % 60:02d}",
            draw(st.sampled_from(["Polls close", "Results are in", "Turnout rises"]))
            if with_headlines
            else None,
            draw(SENTENCES),
        )
        for m in minutes
    ]
    return posts, style


def render(posts, style) -> str:
    blocks = ["Election night live"]
    for time, headline, body in posts:
        blocks.extend(style(time, headline, body))
    return page(*blocks, "Share")


def contents(outcome) -> list:
    return sorted((e["headline"], e["body"]) for e in outcome.entries)


@settings(max_examples=60, deadline=None)
@given(live_pages())
def test_newest_or_oldest_first_gives_the_same_entries(drawn) -> None:
    posts, style = drawn
    fields = {"timezone": "UTC", "scraped_at": "2025-01-15T23:30:00Z"}
    newest_first = parse_page(render(posts[::-1], style), **fields)
    oldest_first = parse_page(render(posts, style), **fields)
    assert len(newest_first.entries) == len(posts)
    strip = [{k: v for k, v in e.items() if k != "source"} for e in newest_first.entries]
    assert strip == [{k: v for k, v in e.items() if k != "source"} for e in oldest_first.entries]


@settings(max_examples=60, deadline=None)
@given(live_pages(), st.randoms(use_true_random=False))
def test_shuffling_the_entries_changes_no_entry_content(drawn, rng: random.Random) -> None:
    posts, style = drawn
    shuffled = posts[:]
    rng.shuffle(shuffled)
    fields = {"timezone": "UTC", "scraped_at": "2025-01-15T23:30:00Z"}
    assert contents(parse_page(render(shuffled, style), **fields)) == contents(
        parse_page(render(posts[::-1], style), **fields)
    )


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_any_text_parses_without_raising(text: str) -> None:
    outcome = parse_page(text)
    assert outcome.entries or outcome.dead_letters
    assert not [d for d in outcome.dead_letters if d["reason"] == "processing_error"]
