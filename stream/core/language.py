"""Guessing a page's language when the envelope does not say."""

from __future__ import annotations

from stream.core.locales import DEFAULT_LANGUAGE, LOCALES

# A thousand characters (some 150 words) are plenty to tell these languages apart.
_SAMPLE_CHARS = 1000
# Every locale's function words: most words of a page are none of them, so the
# sample is cut down to these in one step before each locale's are counted.
_ANY_STOPWORD = frozenset().union(*(locale.stopwords for locale in LOCALES.values()))


def detect_language(text: str) -> str:
    """The ISO 639-1 code of the locale with the most distinct function words in the
    page's first thousand characters."""
    present = _ANY_STOPWORD.intersection(text[:_SAMPLE_CHARS].casefold().split())
    best, best_score = DEFAULT_LANGUAGE, 0
    for code, locale in LOCALES.items():
        score = len(present & locale.stopwords)
        if score > best_score:
            best, best_score = code, score
    return best
