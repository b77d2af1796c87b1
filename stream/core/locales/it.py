"""Italian: markers, labels, months and furniture of italian pages."""

from stream.core.locales.base import Locale, words

LOCALE = Locale(
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
    tag_headings=("Argomenti", "Leggi anche", "Tag"),
    furniture=("Condividi", "Commenti", "I più letti", "Più letti"),
    stopwords=words(
        "il lo la gli le di del della che e è per con una un non sono ha hanno nel alla dei"
    ),
)
