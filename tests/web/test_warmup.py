"""The server warms its caches after start-up: /charts and /search then answer from them, and a request
that comes while a cache is being built gets the same answer without building it twice."""

from __future__ import annotations

import asyncio
import re
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from policykg.charts.catalog import find_chart, list_charts
from policykg.web import charts, create_app

HIT_LINK = re.compile(r'<li class="hit [^"]*">\s*<a href="([^"]+)">')


def wait_for_warmup(client) -> dict:
    # Bounded by the warm-up itself: the portal's loop runs it, and finished() returns when it ends.
    client.portal.call(asyncio.wait_for, client.app.state.warmup.finished(), 600)
    return client.get("/health").json()["warmup"]


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(query_timeout=20.0, workers=1, warmup=True)) as c:
        yield c


def search_hits(client, text: str) -> list[str]:
    r = client.get("/search", params={"q": text})
    assert r.status_code == 200
    return HIT_LINK.findall(r.text)


def test_requests_during_warmup_get_full_answers_and_nothing_is_drawn_twice(client):
    state = client.get("/health").json()["warmup"]
    assert state["state"] in ("waiting", "running") and state["total"] > len(list_charts())
    during = client.get("/charts")
    assert during.status_code == 200
    for chart in list_charts():
        assert f'<section class="chart" id="{chart.name}"' in during.text
    hits_during = search_hits(client, "Baidu")
    assert hits_during and "baidu" in hits_during[0]

    state = wait_for_warmup(client)
    assert state == {"state": "done", "done": state["total"], "total": state["total"]}
    cache = charts._cache(client.app.state.site)
    # Each drawing was made once, whoever asked first (a request or the warm-up).
    assert cache.misses == len(cache)
    assert search_hits(client, "Baidu") == hits_during


def test_after_warmup_charts_and_search_answer_from_warm_caches(client):
    wait_for_warmup(client)
    site = client.app.state.site
    cache = charts._cache(site)
    assert site.labels.text_index_built  # built by the warm-up, not by a visitor
    misses = cache.misses
    for lang in ("en", "ja", "zh"):
        assert client.get("/charts", params={"lang": lang}).status_code == 200
    assert client.get("/charts/policy-timeline.svg").status_code == 200
    assert cache.misses == misses
    assert client.get("/network", params={"lang": "ja"}).status_code == 200
    assert set(site._networks) == {"en", "ja", "zh"}


def test_without_warmup_health_says_off_and_caches_wait_for_their_first_visitor():
    with TestClient(create_app(query_timeout=20.0, workers=1)) as c:
        assert wait_for_warmup(c) == {"state": "off", "done": 0, "total": 0}
        assert not c.app.state.site.labels.text_index_built
        assert search_hits(c, "Baidu")
        assert c.app.state.site.labels.text_index_built


def test_concurrent_requests_for_one_chart_share_one_drawing(client):
    chart = find_chart("digital-economy-index")
    cache = charts._cache(client.app.state.site)
    given = {"area": "pkd:beijing"}  # a key the warm-up never draws

    async def both():
        return await asyncio.gather(charts.drawing(client.app, chart, given, "en", "a"),
                                    charts.drawing(client.app, chart, given, "en", "b"))

    misses = cache.misses
    first, second = client.portal.call(both)
    assert first is second
    assert cache.misses == misses + 1
