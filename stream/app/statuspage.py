"""The status page: one HTML page a person opens in a browser (``/status``).

No build step and no script: the server renders it, a meta refresh reloads it every
few seconds, and the rate chart is inline SVG.  Pure: data in, HTML out.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass

from stream.app.lag import GroupLag

REFRESH_S = 5
_CHART_W, _CHART_H = 600, 120


@dataclass(frozen=True, slots=True)
class RecentLetter:
    reason: str
    detail: str
    source: str  # "topic[partition]@offset"


@dataclass(frozen=True, slots=True)
class RecentStory:
    title: str
    entries: int
    last_seen: str


@dataclass(frozen=True, slots=True)
class StatusView:
    version: str
    status: str
    ready: tuple[bool, str]
    lag: GroupLag | None
    statuses: dict[tuple[str, int], str]
    rates: Sequence[tuple[float, float, float]]  # (unix time, pages/s, entries/s)
    letters_by_reason: dict[str, int]
    recent_letters: Sequence[RecentLetter]
    recent_stories: Sequence[RecentStory]
    settings: dict[str, str]


def render(view: StatusView) -> str:
    e = html.escape
    ready, ready_reason = view.ready
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="refresh" content="{REFRESH_S}">
<title>liveblog-stream: {e(view.status)}</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }}
h1 {{ font-size: 20px; }} h2 {{ font-size: 16px; margin-top: 1.6em; }}
table {{ border-collapse: collapse; }} td, th {{ padding: 2px 10px; text-align: right; }}
th {{ background: #eee; }} td.l, th.l {{ text-align: left; }}
.OK {{ color: #1a7f37; }} .WARNING {{ color: #9a6700; }}
.STALLED, .STOPPED, .no {{ color: #cf222e; font-weight: bold; }}
</style></head><body>
<h1>liveblog-stream worker <span id="status" class="{e(view.status)}">{e(view.status)}</span></h1>
<p>version {e(view.version)} &middot; ready: {_ready(ready, ready_reason)} &middot;
refreshes every {REFRESH_S} s</p>
<h2>Lag</h2>
{_lag_table(view)}
<h2>Throughput (last minutes)</h2>
{_rate_chart(view.rates)}
<h2>Dead letters</h2>
{_letters(view)}
<h2>Latest stories</h2>
{_stories(view.recent_stories)}
<h2>Settings</h2>
{_settings(view.settings)}
</body></html>
"""


def _ready(ready: bool, reason: str) -> str:
    word, css = ("yes", "OK") if ready else ("no", "no")
    return f'<span id="ready" class="{css}">{word}</span> ({html.escape(reason)})'


def _settings(settings: dict[str, str]) -> str:
    e = html.escape
    rows = "".join(
        f'<tr><td class="l">{e(k)}</td><td class="l">{e(v)}</td></tr>' for k, v in settings.items()
    )
    return f'<table id="settings">{rows}</table>'


def _lag_table(view: StatusView) -> str:
    if view.lag is None:
        return "<p>Not measured yet.</p>"
    e = html.escape
    rows = []
    for p in view.lag.partitions:
        status = view.statuses.get((p.topic, p.partition), "OK")
        seconds = f"{p.lag_seconds:.1f}" if p.lag_seconds is not None else "-"
        rows.append(
            f'<tr><td class="l">{e(p.topic)}</td><td>{p.partition}</td><td>{p.committed}</td>'
            f"<td>{p.end}</td><td>{p.lag}</td><td>{seconds}</td>"
            f'<td class="l {e(status)}">{e(status)}</td></tr>'
        )
    members = ", ".join(view.lag.members) or "none"
    return (
        f"<p>group {e(view.lag.group)}: total lag {view.lag.total}, max "
        f"{view.lag.max_lag_seconds:.1f} s; members: {e(members)}</p>"
        '<table id="lag"><tr><th class="l">topic</th><th>partition</th><th>committed</th>'
        '<th>log end</th><th>lag</th><th>lag (s)</th><th class="l">status</th></tr>'
        + "".join(rows)
        + "</table>"
    )


def _rate_chart(rates: Sequence[tuple[float, float, float]]) -> str:
    if len(rates) < 2:
        return "<p>Collecting&hellip;</p>"
    top = max(max(p, n) for _, p, n in rates) or 1.0
    start, end = rates[0][0], rates[-1][0]
    span = (end - start) or 1.0

    def line(index: int) -> str:
        return " ".join(
            f"{(t - start) / span * _CHART_W:.1f},{_CHART_H - row[index] / top * _CHART_H:.1f}"
            for row in rates
            for t in (row[0],)
        )

    last = rates[-1]
    return (
        f'<svg width="{_CHART_W}" height="{_CHART_H}" role="img" '
        'aria-label="pages and entries per second" style="border:1px solid #ddd">'
        f'<polyline fill="none" stroke="#0969da" stroke-width="2" points="{line(1)}"/>'
        f'<polyline fill="none" stroke="#8250df" stroke-width="2" points="{line(2)}"/></svg>'
        f'<p><span style="color:#0969da">pages/s {last[1]:.1f}</span> &middot; '
        f'<span style="color:#8250df">entries/s {last[2]:.1f}</span> (peak {top:.1f})</p>'
    )


def _letters(view: StatusView) -> str:
    e = html.escape
    if not view.letters_by_reason:
        return "<p>None since the worker started.</p>"
    counts = "".join(
        f'<tr><td class="l">{e(reason)}</td><td>{count}</td></tr>'
        for reason, count in sorted(view.letters_by_reason.items())
    )
    newest = "".join(
        f'<tr><td class="l">{e(letter.reason)}</td><td class="l">{e(letter.source)}</td>'
        f'<td class="l">{e(letter.detail[:160])}</td></tr>'
        for letter in view.recent_letters
    )
    return (
        f'<table id="reasons"><tr><th class="l">reason</th><th>count</th></tr>{counts}</table>'
        '<p>Newest:</p><table id="letters"><tr><th class="l">reason</th>'
        f'<th class="l">source</th><th class="l">detail</th></tr>{newest}</table>'
    )


def _stories(stories: Sequence[RecentStory]) -> str:
    e = html.escape
    if not stories:
        return "<p>None yet.</p>"
    rows = "".join(
        f'<tr><td class="l">{e(s.title)}</td><td>{s.entries}</td>'
        f'<td class="l">{e(s.last_seen)}</td></tr>'
        for s in stories
    )
    return (
        '<table id="stories"><tr><th class="l">title</th><th>entries</th>'
        f'<th class="l">last seen</th></tr>{rows}</table>'
    )
