"""Dutch: markers, labels, months and furniture of dutch pages."""

from stream.core.locales.base import Locale, words

LOCALE = Locale(
    code="nl",
    default_timezone="Europe/Amsterdam",
    updated=("Bijgewerkt om", "Bijgewerkt op", "Bijgewerkt"),
    labels={
        "analyse": "analysis",
        "breaking": "breaking",
        "net binnen": "breaking",
        "belangrijk moment": "key_event",
        "belangrijk": "key_event",
        "vastgezet": "pinned",
        "vastgepind": "pinned",
        "samenvatting": "summary",
    },
    credit_words=("Foto", "Beeld"),
    tag_headings=("Meer over dit onderwerp", "Onderwerpen", "Tags"),
    furniture=("Delen", "Reacties", "Meest gelezen", "Lees ook"),
    stopwords=words(
        "de het een en van in is dat op te met voor niet zijn er aan door bij werd worden naar"
    ),
)
