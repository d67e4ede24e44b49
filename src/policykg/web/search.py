"""Search and autocomplete: ``/search`` (a page of ranked results) and ``/complete`` (JSON for forms).

Both ask the label index's full-text search (:meth:`LabelIndex.find
<policykg.rdf.labels.LabelIndex.find>`, :meth:`LabelIndex.complete
<policykg.rdf.labels.LabelIndex.complete>`); the handlers only read
parameters and shape the answer. An exact name comes first but the page
always lists the rest; ``?lucky=1`` goes straight to the first hit. Results
are paged on the server (:data:`PAGE_SIZE`, at most :data:`MAX_HITS` in
all), so a common word never renders unbounded HTML.
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse

from ..namespaces import shorten
from ..rdf.textindex import ALL_TERMS, FUZZY, highlight
from .entities import entity_path
from .pages import _lang, _site

#: Results on one page, and in all.
PAGE_SIZE = 20
MAX_HITS = 500
#: Autocomplete: the default and the largest ``limit``; the longest text read.
COMPLETE_LIMIT, COMPLETE_MAX = 10, 50
MAX_QUERY_CHARS = 200
#: Fields whose match is shown with the phrase's evidence (gloss and source).
_EVIDENCE_FIELDS = ("evidence", "gloss")
#: How the page names the field a match was found in.
FIELD_WORDS = {"label": "name", "alias": "other name", "related": "type, kind or topic", "date": "date",
               "number": "figure", "description": "description", "evidence": "evidence phrase",
               "gloss": "evidence gloss"}


def _page(request: Request) -> int:
    try:
        return max(1, min(MAX_HITS // PAGE_SIZE, int(request.query_params.get("page", "1"))))
    except ValueError:
        return 1


def _url(request: Request, **changes) -> str:
    params = dict(request.query_params)
    params.update({k: str(v) for k, v in changes.items()})
    return request.url.path + "?" + urlencode(params)


def _row(site, hit, q: str, lang: str) -> dict:
    """What the page shows of one hit: name, type, the text that matched (marked) and its evidence."""
    from ..rdf.facts import evidence_of

    labels = site.labels
    index = labels.text_index
    cls = index.main_type(hit.iri)
    if hit.matched:  # a name: the exact, prefix and substring tiers, and the close spelling of a fuzzy hit
        field, matched, matched_lang = "label", hit.matched, hit.matched_lang
    else:
        field, matched, matched_lang = index.matched_field(hit.iri, q)
    evidence = []
    if field in _EVIDENCE_FIELDS:
        evidence = [e for e in evidence_of(site.store, labels, hit.iri, lang)
                    if matched in (e["phrase"], e["gloss"])][:1]
    label = labels.best(hit.iri, lang)
    fuzzy = hit.tier == FUZZY
    segments = highlight(matched, q) if not fuzzy else [(matched, False)]
    return {"iri": hit.iri, "href": entity_path(hit.iri), "label": label, "short": shorten(hit.iri),
            "type": labels.best(cls, lang) if cls else "", "kind": hit.kind,
            "field": "close spelling" if fuzzy else FIELD_WORDS.get(field, field), "matched_lang": matched_lang,
            "evidence": evidence, "segments": segments,
            # The name shown is the one that matched: mark it in place instead of repeating it.
            "label_segments": segments if matched == label and not fuzzy else None}


async def search_page(request: Request):
    """``/search?q=TEXT[&type=CLASS][&page=N][&lucky=1]``: ranked results with their types and matched text."""
    site = _site(request)
    lang = _lang(request)
    q = request.query_params.get("q", "").strip()[:MAX_QUERY_CHARS]
    types = request.query_params.getlist("type")
    page = _page(request)
    hits = await run_in_threadpool(site.labels.find, q, limit=MAX_HITS, types=types) if q else []
    if hits and request.query_params.get("lucky") == "1":
        return RedirectResponse(entity_path(hits[0].iri), status_code=303)
    first = (page - 1) * PAGE_SIZE
    shown = hits[first:first + PAGE_SIZE]
    rows = await run_in_threadpool(lambda: [_row(site, h, q, lang) for h in shown])
    suggestions = []
    if q and not any(h.tier <= ALL_TERMS for h in hits):
        seen = set()
        for name, _ in site.labels.suggest(q):
            if name.casefold() not in seen and name.casefold() != q.casefold():
                seen.add(name.casefold())
                suggestions.append({"name": name, "href": "/search?" + urlencode({"q": name, "lang": lang})})
    pages = {}
    if page > 1:
        pages["previous"] = _url(request, page=page - 1)
    if len(hits) > first + PAGE_SIZE:
        pages["next"] = _url(request, page=page + 1)
    return site.render("search.html", lang=lang, q=q, results=rows, suggestions=suggestions[:3], pages=pages,
                       first=first + 1 if rows else 0, last=first + len(rows), total=len(hits),
                       more=len(hits) >= MAX_HITS)


async def complete(request: Request):
    """``/complete?q=TEXT[&type=CLASS]...[&lang=en][&limit=10]``: names for a form's autocomplete, as JSON.

    Answer: ``{"q": TEXT, "results": [{"iri", "label", "type", "typeLabel",
    "matched", "matchedLang", "href"}]}``; ``type`` (repeatable) is a class
    IRI or prefixed name, subclasses included; ``limit`` is at most
    :data:`COMPLETE_MAX`.
    """
    site = _site(request)
    params = request.query_params
    q = params.get("q", "")[:MAX_QUERY_CHARS]
    try:
        limit = max(1, min(COMPLETE_MAX, int(params.get("limit", COMPLETE_LIMIT))))
    except ValueError:
        limit = COMPLETE_LIMIT
    results = []
    if q.strip():
        results = await run_in_threadpool(site.labels.complete, q, params.getlist("type") or None, _lang(request),
                                          limit)
    for r in results:
        r["href"] = entity_path(r["iri"])
    return JSONResponse({"q": q, "results": results}, headers={"Cache-Control": "public, max-age=300"})
