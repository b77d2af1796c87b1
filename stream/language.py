"""Guessing a page's language when the envelope does not say."""

from __future__ import annotations

from stream.locales import DEFAULT_LANGUAGE, LOCALES

# A couple of thousand characters are plenty to tell these languages apart.
_SAMPLE_CHARS = 2500
# word -> the languages it is a function word of, so each word costs one lookup.
_LANGUAGES_OF: dict[str, tuple[str, ...]] = {}
for _code, _locale in LOCALES.items():
    for _word in _locale.stopwords:
        _LANGUAGES_OF[_word] = (*_LANGUAGES_OF.get(_word, ()), _code)


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the locale whose function words are most frequent."""
    words = text[:_SAMPLE_CHARS].casefold().split()
    scores = {code: 0 for code in LOCALES}
    for word in words:
        for code in _LANGUAGES_OF.get(word, ()):
            scores[code] += 1
    best = max(scores, key=lambda code: scores[code])
    return best if scores[best] > 0 else DEFAULT_LANGUAGE
