"""Targets against figures: each numeric target beside the observations of its indicator and area.

The status (``met``, ``on track``, ``behind``, ``no figure yet``) is
computed by the canned query ``target-status`` from the target's comparator
and deadline and the figures' dates; it is never stored. This module groups
the query's rows per target and adds every evidence phrase of both sides.

>>> import policykg
>>> kg = policykg.load()
>>> [t.status for t in policykg.targets(kg, "pkd:bj-ai-innovation-hub-plan-2023")
...  if t.target.endswith("core-industry-scale")]
['met']
"""

from __future__ import annotations

from dataclasses import dataclass

from ..namespaces import PREFIXES

PK, OA = PREFIXES["pk"], PREFIXES["oa"]
STATUSES = ("met", "on track", "behind", "no figure yet")


@dataclass(frozen=True)
class Figure:
    """One observation of the target's indicator for its area."""

    observation: str
    period: str
    value: str
    comparator: str | None
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class TargetStatus:
    policy: str
    policy_label: str
    target: str
    label: str
    indicator: str
    indicator_label: str
    area: str | None
    area_label: str | None
    comparator: str
    value: str | None
    low: str | None
    high: str | None
    unit: str | None
    unit_label: str | None
    deadline: str
    status: str
    figures: tuple[Figure, ...]  # by period
    evidence: tuple[str, ...]  # the target's phrases

    @property
    def latest(self) -> Figure | None:
        return self.figures[-1] if self.figures else None

    def wording(self, lang: str = "en") -> str:
        """The target in words: "at least 300 billion yuan"."""
        from ..wording import format_quantity

        return format_quantity(self.value, self.unit, self.comparator, low=self.low, high=self.high,
                               unit_label=_plural(self.unit_label, self.high or self.value), lang=lang)

    def latest_period_text(self, lang: str = "en") -> str:
        """The date of the latest figure as people write it, or ""."""
        from ..wording import format_date

        return format_date(self.latest.period, lang) if self.latest else ""

    def figure_wording(self, figure: Figure | None = None, lang: str = "en") -> str:
        """A figure in words, in the target's unit: "more than 300 billion yuan"."""
        from ..wording import format_quantity

        figure = figure or self.latest
        if figure is None:
            return ""
        return format_quantity(figure.value, self.unit, figure.comparator,
                               unit_label=_plural(self.unit_label, figure.value), lang=lang)


def _plural(label: str | None, value) -> str | None:
    # Units wording.py does not know are worded by their English label; counts above one need the plural.
    if not label:
        return label
    try:
        one = float(value) == 1
    except (TypeError, ValueError):
        one = False
    return label if one or label.endswith("s") else label + "s"


def _phrases(kg, node: str) -> tuple[str, ...]:
    from .lineage import phrases_of

    return phrases_of(kg.store, node)


def targets_job(lang: str = "en"):
    """The ``target-status`` query as a job, for callers that run it themselves (the web server's pool)."""
    from ..sparql.query import make_job

    return make_job(name="target-status", params={"lang": lang}, lang=lang)


def targets(kg, policy: str | None = None, *, lang: str = "en", result=None) -> list[TargetStatus]:
    """Every numeric target (of ``policy`` if given: a name, ``pkd:`` name or IRI) with its figures and status.

    Sorted by policy, deadline and target. ``result`` is the answer of
    :func:`targets_job` when the caller ran it; otherwise it runs here.
    Raises :class:`~policykg.errors.EntityNotFoundError` for an unknown policy.
    """
    from ..rdf.labels import resolve_entity
    from ..sparql.query import run_query

    wanted = resolve_entity(kg, policy, lang=lang) if policy else None
    if result is None:
        result = run_query(kg, name="target-status", params={"lang": lang}, lang=lang)
    names = result.variables
    grouped: dict[str, dict] = {}
    for row in result.rows:
        v = {name: (term.value if term is not None else None) for name, term in zip(names, row)}
        if wanted and v["policy"] != wanted:
            continue
        entry = grouped.setdefault(v["target"], {**v, "figures": {}, "status": "no figure yet"})
        if v["observation"]:
            entry["figures"][v["observation"]] = v
        if v["latest"] == "yes" or not v["observation"]:
            entry["status"] = v["status"]
    out = []
    for target, v in grouped.items():
        figures = tuple(sorted(
            (Figure(observation=o, period=f["period"], value=f["figure"], comparator=f["figureComparator"],
                    evidence=_phrases(kg, o)) for o, f in v["figures"].items()),
            key=lambda f: (f.period, f.observation)))
        out.append(TargetStatus(
            policy=v["policy"], policy_label=v["policyLabel"] or v["policy"], target=target,
            label=v["targetLabel"] or target, indicator=v["indicator"], indicator_label=v["indicatorLabel"] or "",
            area=v["area"], area_label=v["areaLabel"], comparator=v["comparator"], value=v["value"], low=v["min"],
            high=v["max"], unit=v["unit"], unit_label=kg.labels.best(v["unit"], "en") if v["unit"] else None,
            deadline=v["deadline"], status=v["status"], figures=figures, evidence=_phrases(kg, target)))
    out.sort(key=lambda t: (t.policy, t.deadline, t.target))
    return out


def targets_text(found: list[TargetStatus], lang: str = "en") -> str:
    """A terminal table: target, deadline, latest figure and its date, status, evidence of both sides."""
    from ..namespaces import shorten
    from ..terminal import table
    from ..wording import format_date

    rows = []
    for t in found:
        latest = t.latest
        rows.append([t.label, t.wording(lang), t.deadline, t.figure_wording(lang=lang) or "-",
                     format_date(latest.period, lang) if latest else "-", t.status,
                     " / ".join(t.evidence), " / ".join(latest.evidence) if latest else "",
                     shorten(t.policy)])
    return table(["target", "aim", "deadline", "latest figure", "as of", "status", "target evidence",
                  "figure evidence", "policy"], rows)


def targets_json(found: list[TargetStatus]) -> str:
    import dataclasses
    import json

    return json.dumps([dataclasses.asdict(t) | {"latest": dataclasses.asdict(t.latest) if t.latest else None}
                       for t in found], ensure_ascii=False, indent=2) + "\n"
