"""What the parser knows about each language, kept as data.

One ``Locale`` per language. Adding a language means adding one table here and a
fixture under ``tests/fixtures/``; the patterns in ``stream.markers`` are built
from these tables, so no parsing code changes.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Locale:
    code: str  # ISO 639-1
    default_timezone: str  # IANA name used when a marker carries no zone
    # Phrases that introduce an entry's "updated" footer, e.g. "Updated at".
    updated: tuple[str, ...]
    # Label lines at the top of an entry, mapped to the contract's label names.
    labels: dict[str, str]
    # Words that introduce a photo credit inside a caption ("Photograph: AP").
    credit_words: tuple[str, ...]
    # Month names and abbreviations (lower case) -> month number.
    months: dict[str, int]
    # Headings of the trailer that introduce a tag list ("Explore more on these topics").
    tag_headings: tuple[str, ...]
    # Other trailer furniture: share buttons, comment boxes, "most viewed" headings.
    furniture: tuple[str, ...]
    # Frequent function words, for detecting the language of a page.
    stopwords: frozenset[str]


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


def _months(*names: str) -> dict[str, int]:
    """Map 'jan|january' style groups (one per month, in order) to month numbers."""
    table: dict[str, int] = {}
    for number, group in enumerate(names, start=1):
        for name in group.split("|"):
            table[name] = number
    return table


ENGLISH = Locale(
    code="en",
    default_timezone="Europe/London",
    updated=("Updated at", "Updated", "Last updated at", "Last updated"),
    labels={
        "analysis": "analysis",
        "key event": "key_event",
        "key events": "key_event",
        "pinned post": "pinned",
        "pinned": "pinned",
        "breaking": "breaking",
        "breaking news": "breaking",
        "summary": "summary",
    },
    credit_words=("Photograph", "Photo", "Picture", "Illustration", "Composite", "Image"),
    months=_months(
        "jan|january",
        "feb|february",
        "mar|march",
        "apr|april",
        "may",
        "jun|june",
        "jul|july",
        "aug|august",
        "sep|sept|september",
        "oct|october",
        "nov|november",
        "dec|december",
    ),
    tag_headings=("Explore more on these topics", "Topics", "More on this story"),
    furniture=(
        "Share",
        "Reuse this content",
        "Most viewed",
        "Most popular",
        "Comments",
        "Leave a Comment",
        "Leave a comment",
        "Sign up",
        "Related",
        "Read more",
        "Skip past newsletter promotion",
        "Print",
    ),
    stopwords=_words(
        "the and of to in is was for on that with by at from have has are said "
        "were will their this after about more than been"
    ),
)

FRENCH = Locale(
    code="fr",
    default_timezone="Europe/Paris",
    updated=("Mis à jour à", "Mis à jour le", "Mis à jour", "Actualisé à", "Modifié à"),
    labels={
        "analyse": "analysis",
        "événement clé": "key_event",
        "évènement clé": "key_event",
        "moment clé": "key_event",
        "épinglé": "pinned",
        "message épinglé": "pinned",
        "post épinglé": "pinned",
        "urgent": "breaking",
        "alerte": "breaking",
        "dernière minute": "breaking",
        "résumé": "summary",
    },
    credit_words=("Photographie", "Photo", "Illustration", "Crédit"),
    months=_months(
        "janv|janvier",
        "févr|fév|février",
        "mars",
        "avr|avril",
        "mai",
        "juin",
        "juil|juillet",
        "août",
        "sept|septembre",
        "oct|octobre",
        "nov|novembre",
        "déc|décembre",
    ),
    tag_headings=("Sur le même sujet", "Mots-clés", "Thèmes"),
    furniture=(
        "Partager",
        "Commentaires",
        "Laisser un commentaire",
        "Les plus lus",
        "Lire aussi",
        "Réutiliser ce contenu",
    ),
    stopwords=_words(
        "le la les des et est une du dans pour que qui sur au aux pas par ont "
        "été avec son sa ses selon a"
    ),
)

GERMAN = Locale(
    code="de",
    default_timezone="Europe/Berlin",
    updated=("Aktualisiert um", "Aktualisiert am", "Aktualisiert", "Zuletzt aktualisiert um"),
    labels={
        "analyse": "analysis",
        "eilmeldung": "breaking",
        "breaking news": "breaking",
        "wichtiges ereignis": "key_event",
        "schlüsselereignis": "key_event",
        "angeheftet": "pinned",
        "angepinnt": "pinned",
        "zusammenfassung": "summary",
    },
    credit_words=("Foto", "Bild", "Fotos", "Grafik"),
    months=_months(
        "jan|januar|jän|jänner",
        "feb|februar",
        "mär|märz|mrz",
        "apr|april",
        "mai",
        "jun|juni",
        "jul|juli",
        "aug|august",
        "sep|sept|september",
        "okt|oktober",
        "nov|november",
        "dez|dezember",
    ),
    tag_headings=("Mehr zum Thema", "Themen", "Schlagworte"),
    furniture=(
        "Teilen",
        "Kommentare",
        "Meistgelesen",
        "Meistgelesene Artikel",
        "Mehr lesen",
        "Facebook",
        "E-Mail",
    ),
    stopwords=_words(
        "der die das und ist den dem des nicht sich mit von auf für ein eine im "
        "zu haben hat wurde sind bei"
    ),
)

SPANISH = Locale(
    code="es",
    default_timezone="Europe/Madrid",
    updated=("Actualizado a las", "Actualizado a la", "Actualizado el", "Actualizado"),
    labels={
        "análisis": "analysis",
        "última hora": "breaking",
        "urgente": "breaking",
        "momento clave": "key_event",
        "clave": "key_event",
        "fijado": "pinned",
        "destacado": "pinned",
        "resumen": "summary",
    },
    credit_words=("Foto", "Fotografía", "Imagen"),
    months=_months(
        "ene|enero",
        "feb|febrero",
        "mar|marzo",
        "abr|abril",
        "may|mayo",
        "jun|junio",
        "jul|julio",
        "ago|agosto",
        "sep|sept|septiembre",
        "oct|octubre",
        "nov|noviembre",
        "dic|diciembre",
    ),
    tag_headings=("Archivado En", "Archivado en", "Temas"),
    furniture=(
        "Compartir",
        "Comentarios",
        "Lo más visto",
        "Más información",
        "Compartir en Facebook",
        "Compartir en Twitter",
        "Compartir en WhatsApp",
    ),
    stopwords=_words(
        "el la los las y de del que en por con para una un se ha han su sus al según durante"
    ),
)

ITALIAN = Locale(
    code="it",
    default_timezone="Europe/Rome",
    updated=("Aggiornato alle", "Aggiornato il", "Aggiornato"),
    labels={
        "analisi": "analysis",
        "ultim'ora": "breaking",
        "ultim’ora": "breaking",
        "ultima ora": "breaking",
        "evento chiave": "key_event",
        "momento chiave": "key_event",
        "in evidenza": "pinned",
        "fissato": "pinned",
        "riepilogo": "summary",
        "sintesi": "summary",
    },
    credit_words=("Foto", "Fotografia", "Immagine"),
    months=_months(
        "gen|gennaio",
        "feb|febbraio",
        "mar|marzo",
        "apr|aprile",
        "mag|maggio",
        "giu|giugno",
        "lug|luglio",
        "ago|agosto",
        "set|settembre",
        "ott|ottobre",
        "nov|novembre",
        "dic|dicembre",
    ),
    tag_headings=("Argomenti", "Leggi anche", "Tag"),
    furniture=("Condividi", "Commenti", "I più letti", "Più letti"),
    stopwords=_words(
        "il lo la gli le di del della che e è per con una un non sono ha hanno nel alla dei"
    ),
)

PORTUGUESE = Locale(
    code="pt",
    default_timezone="Europe/Lisbon",
    updated=("Atualizado às", "Atualizado a", "Atualizado em", "Atualizado"),
    labels={
        "análise": "analysis",
        "última hora": "breaking",
        "urgente": "breaking",
        "momento-chave": "key_event",
        "momento chave": "key_event",
        "destaque": "key_event",
        "fixado": "pinned",
        "afixado": "pinned",
        "resumo": "summary",
    },
    credit_words=("Foto", "Fotografia", "Imagem"),
    months=_months(
        "jan|janeiro",
        "fev|fevereiro",
        "mar|março",
        "abr|abril",
        "mai|maio",
        "jun|junho",
        "jul|julho",
        "ago|agosto",
        "set|setembro",
        "out|outubro",
        "nov|novembro",
        "dez|dezembro",
    ),
    tag_headings=("Tópicos", "Temas", "Leia também"),
    furniture=("Partilhar", "Compartilhar", "Comentários", "Mais lidas", "Mais lidos"),
    stopwords=_words(
        "o os a as de do da dos das que em no na e é um uma para com não foi pelo pela ao"
    ),
)

DUTCH = Locale(
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
    months=_months(
        "jan|januari",
        "feb|februari",
        "mrt|maart",
        "apr|april",
        "mei",
        "jun|juni",
        "jul|juli",
        "aug|augustus",
        "sep|sept|september",
        "okt|oktober",
        "nov|november",
        "dec|december",
    ),
    tag_headings=("Meer over dit onderwerp", "Onderwerpen", "Tags"),
    furniture=("Delen", "Reacties", "Meest gelezen", "Lees ook"),
    stopwords=_words(
        "de het een en van in is dat op te met voor niet zijn er aan door bij werd worden naar"
    ),
)

LOCALES: dict[str, Locale] = {
    locale.code: locale for locale in (ENGLISH, FRENCH, GERMAN, SPANISH, ITALIAN, PORTUGUESE, DUTCH)
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
