"""Follow-through pages: /targets (every numeric target against the latest figures), and the
lineage and targets of one policy for its entity page (templates/_lineage.html, _targets.html).

Both queries run in the server's worker pool, like every query page; only
the grouping (and the evidence look-ups on the in-memory store) runs here.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ..errors import EntityNotFoundError, PolicyKGError
from ..followthrough.lineage import is_policy, lineage, lineage_job
from ..followthrough.targets import STATUSES, targets, targets_job
from ..rdf.labels import LANG_ORDER as LANGS
from ..sparql.query import QueryResult
from .endpoint import error_status
from .scheduling import client_of


def _lang(request: Request) -> str:
    lang = request.query_params.get("lang", "en")
    return lang if lang in LANGS else "en"


async def _run(request: Request, job) -> QueryResult:
    site = request.app.state.site
    form, fmt, data = await request.app.state.scheduler.run(job, site.query_timeout, client_of(request))
    return QueryResult(form, fmt, data)


async def policy_followthrough(request: Request, iri: str, lang: str) -> dict:
    """``{"lineage": Lineage, "targets": [TargetStatus]}`` of the policy ``iri``, for an entity page.

    The context _lineage.html and _targets.html expect; ``{}`` when ``iri``
    is not a policy.
    """
    site = request.app.state.site
    if not is_policy(site.store, iri):
        return {}  # before any query runs: most entity pages are not policies
    found = await run_in_threadpool(lineage, site.kg, iri, lang=lang, result=await _run(request, lineage_job(iri, lang)))
    listed = await run_in_threadpool(targets, site.kg, iri, lang=lang, result=await _run(request, targets_job(lang)))
    return {"lineage": found, "targets": listed, "glosses": await run_in_threadpool(glosses, site, listed, lang)}


def glosses(site, found, lang: str) -> dict[str, dict]:
    """``phrase -> {"text", "lang"}``: the gloss (``pk:gloss``) of every evidence phrase of the targets
    ``found`` and of their figures, for _targets.html (:func:`policykg.rdf.facts.evidence_of`)."""
    from ..rdf.facts import evidence_of

    out: dict[str, dict] = {}
    for t in found:
        for node in (t.target, *(f.observation for f in t.figures)):
            for e in evidence_of(site.store, site.labels, node, lang):
                if e["gloss"]:
                    out.setdefault(e["phrase"], {"text": e["gloss"], "lang": e["gloss_lang"] or "en"})
    return out


async def targets_page(request: Request):
    """/targets[?policy=NAME-OR-IRI][&lang=..]: every target, its deadline, latest figure, status and evidence."""
    site = request.app.state.site
    lang = _lang(request)
    policy = request.query_params.get("policy", "").strip() or None
    try:
        found = await run_in_threadpool(targets, site.kg, policy, lang=lang,
                                        result=await _run(request, targets_job(lang)))
    except EntityNotFoundError as e:
        return site.render("error.html", status=404, title="No such policy", message=str(e))
    except PolicyKGError as e:
        return site.render("error.html", status=error_status(e), title="The targets could not be computed",
                           message=str(e))
    counts = {s: sum(1 for t in found if t.status == s) for s in STATUSES}
    return site.render("targets.html", lang=lang, targets=found, counts=counts, policy=policy,
                       glosses=await run_in_threadpool(glosses, site, found, lang))
