"""What the parser knows about each language, kept as data.

One module per language, each holding one ``Locale``.  Adding a language means adding
a module here, listing it in ``LOCALES`` and a fixture under ``tests/``; the patterns
in ``stream.core.markers`` are built from these tables, so no parsing code changes.
"""

from __future__ import annotations

from stream.core.locales import de, en, es, fr, it, nl, pt
from stream.core.locales.base import Locale

__all__ = [
    "AGENCIES",
    "COMMON_FURNITURE",
    "DEFAULT_LANGUAGE",
    "FURNITURE_PREFIXES",
    "INLINE_FURNITURE",
    "LOCALES",
    "ZONE_ABBREVIATIONS",
    "Locale",
]

LOCALES: dict[str, Locale] = {
    module.LOCALE.code: module.LOCALE for module in (en, fr, de, es, it, pt, nl)
}

# Furniture that is the same whatever the page's language: share targets and the
# comment-box boilerplate of common publishing systems.
COMMON_FURNITURE: tuple[str, ...] = (
    "Facebook",
    "Twitter",
    "X",
    "LinkedIn",
    "Pinterest",
    "WhatsApp",
    "Telegram",
    "Reddit",
    "Email",
    "E-mail",
    "Flipboard",
    "Bluesky",
    "Threads",
    "Copy link",
    "Leave a Comment",
    "Leave a Reply",
    "This site uses Akismet to reduce spam. Learn how your comment data is processed.",
)

# Zone abbreviations printed after times, mapped to the IANA zone they name and the
# UTC offset (hours) they state.  ``None`` means "the zone's own rule decides", for
# abbreviations such as ET that do not say whether daylight saving is in force.
ZONE_ABBREVIATIONS: dict[str, tuple[str, float | None]] = {
    "UTC": ("UTC", 0),
    "GMT": ("Europe/London", 0),
    "BST": ("Europe/London", 1),
    "WET": ("Europe/Lisbon", 0),
    "WEST": ("Europe/Lisbon", 1),
    "CET": ("Europe/Paris", 1),
    "CEST": ("Europe/Paris", 2),
    "MEZ": ("Europe/Berlin", 1),
    "MESZ": ("Europe/Berlin", 2),
    "EET": ("Europe/Athens", 2),
    "EEST": ("Europe/Athens", 3),
    "ET": ("America/New_York", None),
    "EST": ("America/New_York", -5),
    "EDT": ("America/New_York", -4),
    "CT": ("America/Chicago", None),
    "CST": ("America/Chicago", -6),
    "CDT": ("America/Chicago", -5),
    "PT": ("America/Los_Angeles", None),
    "PST": ("America/Los_Angeles", -8),
    "PDT": ("America/Los_Angeles", -7),
}

DEFAULT_LANGUAGE = "en"

# Photo agencies and broadcasters whose name alone on a line is an image credit.
AGENCIES: tuple[str, ...] = (
    "AP",
    "AFP",
    "APA",
    "ANP",
    "ANSA",
    "dpa",
    "EFE",
    "EPA",
    "Reuters",
    "Getty",
    "Getty Images",
    "Imago",
    "Keystone",
    "Lusa",
    "ORF",
    "PA",
    "PA Media",
    "Shutterstock",
    "AAP",
    "Xinhua",
    "TASS",
    "Belga",
    "Ritzau",
    "NTB",
    "TT",
    "KEYSTONE",
    "picture alliance",
)

# Lines inside entries that are ad, embed or player furniture, not text (unlike the
# furniture above, they do not mark the start of the trailer).
INLINE_FURNITURE: tuple[str, ...] = (
    "Advertisement",
    "Anzeige",
    "Publicidad",
    "Publicité",
    "Pubblicità",
    "Publicidade",
    "Advertentie",
    "Wiederholen",
)

# Lines that start like this are embed, video or promotion furniture, not text.
FURNITURE_PREFIXES: tuple[str, ...] = (
    "Video zum Thema",
    "Diese Videos könnten Sie auch interessieren",
    "Mehr zum Thema",
    "Lesen Sie auch",
    "Read more:",
    "Watch:",
    "Leia também",
    "Leggi anche",
    "Lire aussi",
    "Lee también",
)
