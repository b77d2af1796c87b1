"""English: markers, labels, months and furniture of english pages."""

from stream.core.locales.base import Locale, words

LOCALE = Locale(
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
    credit_words=("Photograph", "Photo", "Picture", "Illustration", "Composite", "Image", "Pic"),
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
    stopwords=words(
        "the and of to in is was for on that with by at from have has are said "
        "were will their this after about more than been"
    ),
)
