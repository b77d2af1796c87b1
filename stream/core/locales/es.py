"""Spanish: markers, labels, months and furniture of spanish pages."""

from stream.core.locales.base import Locale, words

LOCALE = Locale(
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
        "importante": "key_event",
    },
    credit_words=("Foto", "Fotografía", "Imagen"),
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
    stopwords=words(
        "el la los las y de del que en por con para una un se ha han su sus al según durante"
    ),
)
