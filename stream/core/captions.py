"""Photo captions: "Text. Photograph: Credit", often glued together by scraping
("…Getty ImagesKim et Poutine…").  Split them back into (text, credit) pairs."""

from __future__ import annotations

import re
from typing import NamedTuple

from stream.core.locales import AGENCIES
from stream.core.markers import CREDIT

AGENCY_KEYS = frozenset(a.casefold() for a in AGENCIES)

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
    writes all its captions the same way.  Returns ``captions`` itself when the
    style keeps them as they are.
    """
    if not captions:
        return captions
    lengths = sorted(len(c.text.split()) for c in captions)
    median = lengths[len(lengths) // 2]
    if median >= _SENTENCE_STYLE_MIN_WORDS:
        return captions
    return [Caption(c.text.rstrip().rstrip("."), c.credit) for c in captions]


_SENTENCE_STYLE_MIN_WORDS = 8


# An image file's name and its credit: "Unbenannt-2.jpg © Screenshot".
_FILE_CREDIT = re.compile(
    r"^(?:\S+\.(?:jpe?g|png|gif|webp)\s*)?©\s*(?P<credit>[^©]{1,60})$", re.IGNORECASE
)
# A caption closed by its credit in brackets: "Supporters crowd… [Leah Millis/Reuters]".
_BRACKET_CREDIT = re.compile(r"^(?P<text>.{10,400}?)\s*\[(?P<credit>[^\[\]]{2,60})\]$")
# A credit on a line of its own: "Pic: AP", "Foto: dpa", "Bildrechte: IMAGO".
_CREDIT_LINE = re.compile(rf"^(?:{CREDIT.pattern})(?P<credit>.{{1,60}})$")
_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)*\.[a-z]{2,6}(?:/\S*)?$", re.IGNORECASE)
_LABEL_MAX_WORDS = 6
_BARE_CREDIT_MAX_CHARS = 60


def image_caption(paragraphs: list[str], index: int) -> tuple[Caption | None, int, bool] | None:
    """The photo caption that starts at ``paragraphs[index]``, or None.

    Returns (the caption, how many paragraphs it spans, whether the paragraph above
    is the image's file or alt label, to be dropped too).
    """
    paragraph = paragraphs[index]
    if len(paragraph) > _MAX_CAPTION_CHARS + 100:
        return None
    found = _FILE_CREDIT.match(paragraph) if "©" in paragraph else None
    if found:
        return Caption("", found.group("credit").strip()), 1, False
    if len(paragraph) <= _BARE_CREDIT_MAX_CHARS and is_bare_credit(paragraph):
        return Caption("", paragraph.strip()), 1, False
    found = _BRACKET_CREDIT.match(paragraph) if paragraph.endswith("]") else None
    if found:
        label_above = index > 0 and _is_image_label(paragraphs[index - 1])
        caption = Caption(found.group("text").strip(), found.group("credit").strip())
        return caption, 1, label_above
    following = paragraphs[index + 1] if index + 1 < len(paragraphs) else None
    if (
        following == paragraph
        and len(paragraph) <= _MAX_CAPTION_CHARS
        and not ends_in_sentence(paragraph)
        and CREDIT.search(paragraph) is None
    ):
        # Alt text and caption printed twice, maybe with a credit line under them.
        after = paragraphs[index + 2] if index + 2 < len(paragraphs) else ""
        credit = _CREDIT_LINE.match(after)
        if credit:
            return Caption(paragraph, credit.group("credit").strip()), 3, False
        return Caption(paragraph, ""), 2, False
    return None


def is_bare_credit(line: str) -> bool:
    """A credit line with no caption text: an agency ("APA", "dpa") or a site name."""
    stripped = line.strip()
    return stripped.casefold() in AGENCY_KEYS or (
        " " not in stripped and _DOMAIN.match(stripped) is not None
    )


def _is_image_label(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= _LABEL_MAX_WORDS and not ends_in_sentence(line)


def ends_in_sentence(line: str) -> bool:
    return bool(re.search(r"[.!?…][\"”»’)]?$", line.strip()))
