"""The worker's web pages (on Faust's web server)."""

from __future__ import annotations

import faust

from stream.app.delivery import DeliveryTracker
from stream.contract import REASONS


def add_stats_page(app: faust.App, parse: DeliveryTracker, diff: DeliveryTracker) -> None:
    """``/liveblog/stats/``: pages delivered and in flight, as JSON."""

    async def stats(web: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        return web.json(
            {
                "pages_delivered": parse.delivered_events,
                "stories_delivered": diff.delivered_events,
                "pages_in_flight": len(parse.pending),
                "stories_in_flight": len(diff.pending),
                "reasons": list(REASONS),
            }
        )

    app.page("/liveblog/stats/", name="liveblog_stats")(stats)
