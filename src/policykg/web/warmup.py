"""Warming the server's caches once it is up, so no visitor pays for building them.

The pages keep what they build (the graph never changes while the server
runs): the charts' drawings, the full-text index behind /search and
/complete, and the network of each language. Built on first use, they made
the first visit to /charts or /search take seconds. Building them before the
server answers would delay start-up instead, so :class:`Warmup` builds them
after it: one item at a time, each only once no request has been in flight
for a moment, so a visitor waits for at most the one item under way. A
request that needs an item being built waits for that build rather than
starting another (the chart cache shares drawings under way; the label
index's and the site's caches build under a lock).

Its state is part of ``/health`` (``"warmup": {"state": ..., "done": ...}``).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Awaitable, Callable

from starlette.concurrency import run_in_threadpool

log = logging.getLogger(__name__)

#: The client name the warm-up's chart queries are scheduled under.
CLIENT = "policykg-warmup"
#: How long no request must have been in flight before the next item starts (seconds).
QUIET = 0.2


class Warmup:
    """The items to build and how far the building has gone."""

    def __init__(self, quiet: float = QUIET):
        self.quiet = quiet
        self.busy = 0  # requests in flight (see Activity)
        self.last = 0.0  # when the last request ended (loop time)
        self.items: list[tuple[str, Callable[[], Awaitable]]] = []
        self.state = "waiting"  # waiting, running, done, stopped; off when there is nothing to build
        self.done = 0
        self.current: str | None = None
        self.failed: list[str] = []
        self._finished = asyncio.Event()

    def report(self) -> dict:
        out = {"state": self.state, "done": self.done, "total": len(self.items)}
        if self.current:
            out["current"] = self.current
        if self.failed:
            out["failed"] = list(self.failed)
        return out

    async def _until_quiet(self) -> None:
        # Idle for a whole period, not just this instant: requests come in bursts (a page, then its chart).
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(self.quiet)
            if self.busy == 0 and loop.time() - self.last >= self.quiet:
                return

    async def run(self) -> None:
        if not self.items:
            self.state = "off"
            self._finished.set()
            return
        self.state = "running"
        try:
            for name, build in self.items:
                await self._until_quiet()
                self.current = name
                try:
                    await build()
                except asyncio.CancelledError:
                    raise
                except Exception:  # a cache that cannot be built now is built (or fails) on first use instead
                    log.exception("warm-up of %s failed", name)
                    self.failed.append(name)
                self.done += 1
                self.current = None
            self.state = "done"
        except asyncio.CancelledError:
            self.state = "stopped"
            raise
        finally:
            self._finished.set()

    async def finished(self) -> None:
        await self._finished.wait()


class Activity:
    """ASGI middleware: counts the requests in flight for :class:`Warmup` (/health aside, which monitors poll)."""

    def __init__(self, app, warmup: Warmup):
        self.app = app
        self.warmup = warmup

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope.get("path") == "/health":
            return await self.app(scope, receive, send)
        self.warmup.busy += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.warmup.busy -= 1
            self.warmup.last = asyncio.get_running_loop().time()


def site_items(app) -> list[tuple[str, Callable[[], Awaitable]]]:
    """What to build, most visited first: the home page's chart, the search index, the other charts, networks."""
    from ..charts.catalog import list_charts
    from ..rdf.labels import LANG_ORDER
    from . import charts

    site = app.state.site
    labels = site.labels

    def chart(c, lang):
        return f"chart {c.name} ({lang})", lambda: charts.drawing(app, c, {}, lang, CLIENT)

    def search_index():
        labels.text_index  # noqa: B018 -- built on first read
        labels._search_index  # noqa: B018
        labels._suggestion_names  # noqa: B018

    every = list_charts()
    first = [c for c in every if c.name == "policy-timeline"]
    items = [chart(c, "en") for c in first]
    items.append(("search index", lambda: run_in_threadpool(search_index)))
    items.append(("site statistics", lambda: run_in_threadpool(site.stats)))
    items += [chart(c, "en") for c in every if c not in first]
    for lang in LANG_ORDER:
        items.append((f"network ({lang})", lambda lang=lang: run_in_threadpool(site.network, lang)))
    items += [chart(c, lang) for lang in LANG_ORDER[1:] for c in every]
    return items
