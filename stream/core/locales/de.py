"""German: markers, labels, months and furniture of german pages."""

from stream.core.locales.base import Locale, words

LOCALE = Locale(
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
    credit_words=("Foto", "Bild", "Fotos", "Grafik", "Bildrechte"),
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
    stopwords=words(
        "der die das und ist den dem des nicht sich mit von auf für ein eine im "
        "zu haben hat wurde sind bei"
    ),
)
