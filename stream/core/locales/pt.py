"""Portuguese: markers, labels, months and furniture of portuguese pages."""

from stream.core.locales.base import Locale, words

LOCALE = Locale(
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
    tag_headings=("Tópicos", "Temas", "Leia também"),
    furniture=("Partilhar", "Compartilhar", "Comentários", "Mais lidas", "Mais lidos"),
    stopwords=words(
        "o os a as de do da dos das que em no na e é um uma para com não foi pelo pela ao"
    ),
)
