"""French: markers, labels, months and furniture of french pages."""

from stream.core.locales.base import Locale, words

LOCALE = Locale(
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
    tag_headings=("Sur le même sujet", "Mots-clés", "Thèmes"),
    furniture=(
        "Partager",
        "Commentaires",
        "Laisser un commentaire",
        "Les plus lus",
        "Lire aussi",
        "Réutiliser ce contenu",
    ),
    stopwords=words(
        "le la les des et est une du dans pour que qui sur au aux pas par ont "
        "été avec son sa ses selon a"
    ),
)
