"""The worker's web pages (on Faust's web server): metrics, health, stats."""

from __future__ import annotations

from importlib import metadata

import faust
from prometheus_client import CONTENT_TYPE_LATEST

from stream.app.health import WorkerHealth
from stream.app.metrics import WorkerMetrics
from stream.app.statuspage import StatusView, render
from stream.app.watch import Watch
from stream.contract import REASONS
from stream.settings import Settings

_PROMETHEUS_TYPE = CONTENT_TYPE_LATEST.split(";")[0]  # text/plain (version 0.0.4)


def add_pages(
    app: faust.App,
    metrics: WorkerMetrics,
    health: WorkerHealth,
    trackers: dict[str, object],
    delivery_timeout_s: float,
) -> None:
    """``/metrics`` (Prometheus), ``/livez``, ``/readyz``, ``/liveblog/stats/``."""

    async def metrics_page(web: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        # The Prometheus text format; aiohttp takes the charset apart from the type.
        return web.text(metrics.exposition().decode("utf-8"), content_type=_PROMETHEUS_TYPE)

    async def livez(web: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        alive, reason = health.liveness(delivery_timeout_s)
        return web.json({"ok": alive, "reason": reason}, status=200 if alive else 503)

    async def readyz(web: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        ready, reason = health.readiness()
        return web.json({"ok": ready, "reason": reason}, status=200 if ready else 503)

    async def stats(web: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        parse, diff = trackers["parse_pages"], trackers["diff_stories"]
        return web.json(
            {
                "pages_delivered": parse.delivered_events,
                "stories_delivered": diff.delivered_events,
                "pages_in_flight": len(parse.pending),
                "stories_in_flight": len(diff.pending),
                "reasons": list(REASONS),
            }
        )

    for path, handler in (
        ("/metrics", metrics_page),
        ("/livez", livez),
        ("/readyz", readyz),
        ("/liveblog/stats/", stats),
    ):
        app.page(path, name=f"liveblog{path.replace('/', '_').rstrip('_')}")(handler)


def add_status_page(app: faust.App, watch: Watch, settings: Settings) -> None:
    """``/status``: the page a person opens (lag, throughput, dead letters, stories)."""

    async def status(web: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        health = watch.health
        view = StatusView(
            version=_version(),
            status=health.status(),
            ready=health.readiness(),
            lag=health.lag,
            statuses=health.statuses(),
            rates=list(watch.rates),
            letters_by_reason=dict(watch.letters_by_reason),
            recent_letters=list(watch.recent_letters),
            recent_stories=list(reversed(watch.recent_stories.values())),
            settings=settings.public(),
        )
        return web.html(render(view))

    app.page("/status", name="liveblog_status")(status)


def _version() -> str:
    try:
        return metadata.version("liveblog-stream")
    except metadata.PackageNotFoundError:
        return "unknown"
