"""Photo captions: "Text. Photograph: Credit", often glued together by scraping
("…Getty ImagesKim et Poutine…").  Split them back into (text, credit) pairs."""

from __future__ import annotations

import re
from typing import NamedTuple

from stream.core.markers import CREDIT

# Credits are short ("Ludovic Marin/AFP/Getty Images"); past this the rest is text.
_CREDIT_WINDOW = 60
_MAX_CAPTION_CHARS = 400
# Text glued after the last credit is body text only if it reads like a sentence.
_MIN_GLUED_BODY_WORDS = 4


class Caption(NamedTuple):
    text: str
    credit: str

    def as_record(self) -> dict[str, str]:
        return {"text": self.text, "credit": self.credit}


def split_captions(paragraph: str) -> tuple[list[Caption], str] | None:
    """Read a paragraph made of captions.

    Returns the captions and any body text glued after the last credit, or None when
    the paragraph is not a caption paragraph (so it stays in the body).
    """
    credits = list(CREDIT.finditer(paragraph))
    if not credits:
        return None
    captions: list[Caption] = []
    text = paragraph[: credits[0].start()].strip()
    trailing = ""
    for index, credit_match in enumerate(credits):
        if not text or len(text) > _MAX_CAPTION_CHARS:
            return None
        is_last = index + 1 == len(credits)
        segment_end = len(paragraph) if is_last else credits[index + 1].start()
        segment = paragraph[credit_match.end() : segment_end]
        if is_last:
            credit, trailing = _split_credit_from_rest(segment, require_split=False)
            if trailing and len(trailing.split()) < _MIN_GLUED_BODY_WORDS and credit:
                # "PhotoAlto", "DigitalGlobe": one credit, not a credit glued to prose.
                credit, trailing = segment.strip().rstrip(". "), ""
            if not credit:
                return None
            captions.append(Caption(text, credit))
        else:
            credit, next_text = _split_credit_from_rest(segment, require_split=True)
            if not credit:
                return None
            captions.append(Caption(text, credit))
            text = next_text
    return captions, trailing


def _split_credit_from_rest(segment: str, require_split: bool) -> tuple[str, str]:
    """Cut "Getty ImagesKim et Poutine passent…" into ("Getty Images", "Kim et …")."""
    segment = segment.strip()
    cut = _glue_point(segment)
    if cut is None:
        sentence_break = segment.find(". ")
        if 0 < sentence_break <= _CREDIT_WINDOW:
            cut = sentence_break + 1
    if cut is None:
        if require_split:
            return "", ""
        if len(segment) > _CREDIT_WINDOW:
            return "", segment  # not a credit after all: prose
        return segment.rstrip(". "), ""
    return segment[:cut].rstrip(". "), segment[cut:].strip()


# Two texts glued without a space: lower→Upper ("ImagesKim") or ACRONYM→Word
# ("AFPProtesters"); Latin script, as credits are.
_GLUE = re.compile(r"(?<=[a-zß-öø-ÿ])(?=[A-ZÀ-ÖØ-Þ])|(?<=[A-ZÀ-ÖØ-Þ]{2})(?=[A-ZÀ-ÖØ-Þ][a-zß-öø-ÿ])")


def _glue_point(segment: str) -> int | None:
    """Where two texts were glued, the last such join within the credit window."""
    point = None
    for match in _GLUE.finditer(segment, 0, _CREDIT_WINDOW + 1):
        point = match.start()
    return point


def style_caption_texts(captions: list[Caption]) -> list[Caption]:
    """Apply the page's caption style to the closing period of each caption text.

    Sites that write captions as short labels ("Firefighters inspect a damaged
    building") only have a period as the separator before the credit, so it is
    dropped; sites that write full descriptive sentences keep their period.  The
    style is read from the page as a whole (median caption length), because a site
    writes all its captions the same way.
    """
    if not captions:
        return captions
    lengths = sorted(len(c.text.split()) for c in captions)
    median = lengths[len(lengths) // 2]
    if median >= _SENTENCE_STYLE_MIN_WORDS:
        return captions
    return [Caption(c.text.rstrip().rstrip("."), c.credit) for c in captions]


_SENTENCE_STYLE_MIN_WORDS = 8
