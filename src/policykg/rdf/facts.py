"""What a node says, in words, and who says so.

:func:`evidence_of` gives a node's evidence phrases with their source
(title, publisher, date, address) and an English gloss; :func:`fact_sentence`
words the fact a node states ("AI core industry scale: at least 300 billion
yuan by 2025"). Result pages and entity pages show both, so a reader sees the
answer, the phrase it rests on, and where that phrase was read.

Only the store's pattern API is used, with parsed terms: an IRI that came
from a URL never becomes query text. Numbers and dates are worded by
:mod:`policykg.wording`, like everywhere else.
"""

from __future__ import annotations

import pyoxigraph as ox

from ..namespaces import PREFIXES
from ..wording import format_date, format_number, format_quantity, format_span
from .labels import LabelIndex

_PK, _DCT, _RDF = PREFIXES["pk"], PREFIXES["dct"], PREFIXES["rdf"]
_ORG, _TIME, _QB = PREFIXES["org"], PREFIXES["time"], PREFIXES["qb"]
_SDMX_DIM, _SDMX_MEASURE = PREFIXES["sdmx-dimension"], PREFIXES["sdmx-measure"]
_SKOS = PREFIXES["skos"]
#: Where a source's web address is kept; both spellings of schema.org are in use.
SCHEMA_URL = ("http://schema.org/url", "https://schema.org/url")
_GRAPH = ox.DefaultGraph()
_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")


def _node(iri) -> ox.NamedNode | None:
    if isinstance(iri, ox.NamedNode):
        return iri
    try:
        return ox.NamedNode(str(iri))
    except ValueError:
        return None


def _objects(store: ox.Store, subject: ox.NamedNode, prop: str) -> list:
    return [q.object for q in store.quads_for_pattern(subject, ox.NamedNode(prop), None, _GRAPH)]


def _subjects(store: ox.Store, prop: str, obj: ox.NamedNode) -> list:
    return [q.subject for q in store.quads_for_pattern(None, ox.NamedNode(prop), obj, _GRAPH)]


def _one(store: ox.Store, subject: ox.NamedNode, prop: str):
    """The first value of ``prop`` (sorted, so the choice is stable)."""
    found = sorted(_objects(store, subject, prop), key=lambda t: (t.value, str(t)))
    return found[0] if found else None


def _text(store: ox.Store, subject: ox.NamedNode, prop: str, lang: str) -> str | None:
    """A literal of ``prop`` in ``lang``, else English, else any (stable)."""
    found = [t for t in _objects(store, subject, prop) if isinstance(t, ox.Literal)]
    for wanted in (lang, "en"):
        for t in sorted(found, key=lambda t: t.value):
            if t.language == wanted:
                return t.value
    return min((t.value for t in found), default=None)


def _types(store: ox.Store, node: ox.NamedNode) -> set[str]:
    return {t.value for t in _objects(store, node, _RDF + "type") if isinstance(t, ox.NamedNode)}


def _label(labels: LabelIndex, term, lang: str) -> str:
    return labels.best(term.value, lang) if isinstance(term, ox.NamedNode) else ("" if term is None else term.value)


def _lang_code(term) -> str:
    """``lang:ja`` (an ISO 639-1 IRI) or a plain literal to ``ja``."""
    if term is None:
        return ""
    return term.value.rstrip("/").rsplit("/", 1)[-1]


def _date(store: ox.Store, node: ox.NamedNode, lang: str) -> str:
    found = _one(store, node, _DCT + "issued") or _one(store, node, _DCT + "date")
    return format_date(found.value, lang) if found is not None else ""


def source_of(store: ox.Store, labels: LabelIndex, iri, lang: str = "en") -> dict:
    """A source's ``iri``, ``href`` (its page here), ``title``, ``publisher``, ``date`` and ``url`` (or "")."""
    from ..web.entities import entity_path

    node = _node(iri)
    publisher = _one(store, node, _DCT + "publisher")
    url = next((t.value for p in SCHEMA_URL for t in sorted(_objects(store, node, p), key=lambda t: t.value)
                if t.value.startswith(("http://", "https://"))), "")
    return {"iri": node.value, "href": entity_path(node.value),
            "title": _text(store, node, _DCT + "title", lang) or labels.best(node.value, lang),
            "publisher": _label(labels, publisher, lang) if publisher is not None else "",
            "date": _date(store, node, lang), "url": url}


def evidence_of(store: ox.Store, labels: LabelIndex, iri, lang: str = "en") -> list[dict]:
    """The evidence of ``iri`` (through ``pk:evidence``), one dict per phrase, most specific first.

    Each dict: ``phrase`` (``oa:exact``, as the source writes it),
    ``phrase_lang`` (the source's ``dct:language``, e.g. "ja": render the
    phrase with that ``lang`` attribute), ``gloss`` (``pk:gloss`` in ``lang``,
    else English, else "") and ``gloss_lang`` (its language), ``evidence`` (the evidence node's IRI) and
    ``source`` (see :func:`source_of`; None when the phrase names no source).
    A node without evidence, or an IRI not in the graph, gives ``[]``.
    """
    node = _node(iri)
    if node is None:
        return []
    out = []
    sources: dict[str, dict] = {}
    cited = [t for t in _objects(store, node, _PK + "evidence") if isinstance(t, ox.NamedNode)]
    # The phrase that backs this node alone says the most about it: it comes first.
    for ev in sorted(cited, key=lambda t: (len(_subjects(store, _PK + "evidence", t)), t.value)):
        exact = _one(store, ev, PREFIXES["oa"] + "exact")
        if exact is None:
            continue
        src = _one(store, ev, _PK + "quotedFrom")
        source = None
        if isinstance(src, ox.NamedNode):
            if src.value not in sources:
                sources[src.value] = source_of(store, labels, src, lang)
            source = sources[src.value]
        glosses = [t for t in _objects(store, ev, _PK + "gloss") if isinstance(t, ox.Literal)]
        gloss = next((t for wanted in (lang, "en") for t in sorted(glosses, key=lambda t: t.value)
                      if t.language == wanted), None)
        phrase_lang = _lang_code(_one(store, src, _DCT + "language")) if isinstance(src, ox.NamedNode) else ""
        out.append({"phrase": exact.value, "phrase_lang": phrase_lang or exact.language or "",
                    "gloss": gloss.value if gloss else "", "gloss_lang": gloss.language if gloss else "",
                    "evidence": ev.value, "source": source})
    return out


def has_evidence(store: ox.Store, iri) -> bool:
    """Whether ``iri`` has at least one ``pk:evidence``."""
    node = _node(iri)
    if node is None:
        return False
    for _ in store.quads_for_pattern(node, ox.NamedNode(_PK + "evidence"), None, _GRAPH):
        return True
    return False


# ---- facts in words


def _year(term) -> str:
    return "" if term is None else format_date(term.value)


def instant_date(store: ox.Store, node, lang: str = "en") -> str | None:
    """A date literal or a time:Instant's date as people write it; None for anything else."""
    if isinstance(node, ox.Literal):
        return format_date(node.value, lang)
    if node is None:
        return None
    for prop in ("inXSDDate", "inXSDgYearMonth", "inXSDgYear", "inXSDDateTimeStamp"):
        found = _one(store, node, _TIME + prop)
        if found is not None:
            return format_date(found.value, lang)
    return None


def date_of(store: ox.Store, node, lang: str = "en") -> str:
    """A date literal, a time:Instant or a time:ProperInterval as people write it ("" when it has no date)."""
    found = instant_date(store, node, lang)
    if found is not None:
        return found
    if node is None:
        return ""
    start, end = _one(store, node, _TIME + "hasBeginning"), _one(store, node, _TIME + "hasEnd")
    return format_span(date_of(store, start, lang), date_of(store, end, lang))


def _instant(store: ox.Store, labels: LabelIndex, node, lang: str) -> str:
    """A time:Instant (or a bare date literal) as people write it, else its label."""
    if node is None:
        return ""
    found = instant_date(store, node, lang)
    return found if found is not None else _label(labels, node, lang)


def _period(store: ox.Store, labels: LabelIndex, node, lang: str) -> str:
    """A time:ProperInterval as "2023–2025" (or its label)."""
    if not isinstance(node, ox.NamedNode):
        return "" if node is None else node.value
    start = _instant(store, labels, _one(store, node, _TIME + "hasBeginning"), lang)
    end = _instant(store, labels, _one(store, node, _TIME + "hasEnd"), lang)
    return format_span(start, end) or _label(labels, node, lang)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _plural(noun: str, count) -> str:
    """English plural of a role or unit word ("model partner" -> "model partners")."""
    try:
        one = int(str(count)) == 1
    except ValueError:
        one = False
    if one or noun.endswith("s"):
        return noun
    if noun.endswith(("ch", "sh", "x")):
        return noun + "es"
    return noun[:-1] + "ies" if noun.endswith("y") and noun[-2:-1] not in "aeiou" else noun + "s"


def _ordinal(n) -> str:
    try:
        k = int(str(n))
    except ValueError:
        return str(n)
    return _ORDINALS[k - 1] if 1 <= k <= len(_ORDINALS) else f"no. {k}"


def _quantity(store: ox.Store, node: ox.NamedNode, value_prop: str) -> str:
    value = _one(store, node, value_prop)
    low, high = _one(store, node, _PK + "targetMin"), _one(store, node, _PK + "targetMax")
    unit, cmp = _one(store, node, _PK + "unit"), _one(store, node, _PK + "comparator")
    if value is None and low is None and high is None:
        return ""
    return format_quantity(value.value if value is not None else None, unit.value if unit is not None else None,
                           cmp.value if cmp is not None else None,
                           low=low.value if low is not None else None, high=high.value if high is not None else None)


def _observation(store, labels, node, lang):
    indicator = _one(store, node, _PK + "indicator")
    area = _one(store, node, _SDMX_DIM + "refArea")
    period = _one(store, node, _SDMX_DIM + "refPeriod")
    what = _label(labels, indicator, lang) if indicator is not None else "value"
    head = f"{_label(labels, area, lang)}'s {what}" if area is not None else _capital(what)
    when = _instant(store, labels, period, lang) if period is not None else ""
    value = _quantity(store, node, _SDMX_MEASURE + "obsValue")
    rank = _one(store, node, _PK + "rank")
    parts = [value] if value else []
    if rank is not None:
        parts.append(f"(rank {format_number(rank.value)})" if value else f"rank {format_number(rank.value)}")
    return f"{head}{', ' + when if when else ''}: {' '.join(parts)}" if parts else None


def _target(store, labels, node, lang):
    indicator = _one(store, node, _PK + "indicator")
    what = _capital(_label(labels, indicator, lang)) if indicator is not None else labels.best(node.value, lang)
    amount = _quantity(store, node, _PK + "targetValue")
    deadline = _year(_one(store, node, _PK + "deadline"))
    text = f"{what}: {amount}" if amount else what
    return f"{text} by {deadline}" if deadline else text


def _named_members(store, batch: ox.NamedNode, role=None) -> int:
    members = _subjects(store, _PK + "batch", batch)
    if role is not None:
        members = [m for m in members if role in _objects(store, m, _ORG + "role")]
    return len({m.value for m in members})


def _membership(store, labels, node, lang):
    member, program = _one(store, node, _ORG + "member"), _one(store, node, _ORG + "organization")
    role, batch = _one(store, node, _ORG + "role"), _one(store, node, _PK + "batch")
    if member is None:
        return None
    what = _label(labels, role, lang) if role is not None else "member"
    text = f"{_label(labels, member, lang)}: {what}"
    if program is not None:
        text += f" of the {_label(labels, program, lang)}"
    if isinstance(batch, ox.NamedNode):
        number = _one(store, batch, _PK + "batchNumber")
        if number is not None:
            text += f", {_ordinal(number.value)} batch"
    during = _one(store, node, _ORG + "memberDuring")
    if isinstance(during, ox.NamedNode):
        start = _instant(store, labels, _one(store, during, _TIME + "hasBeginning"), lang)
        end = _instant(store, labels, _one(store, during, _TIME + "hasEnd"), lang)
        if start:
            text += f", since {start}" if not end else f", {start}–{end}"
    return text


def _stated_count(store, labels, node, lang):
    count, of, within = (_one(store, node, _PK + p) for p in ("statedCount", "countOf", "countIn"))
    if count is None:
        return None
    noun = _plural(_label(labels, of, lang), count.value) if of is not None else "items"
    text = f"{format_number(count.value)} {noun} stated"
    if isinstance(within, ox.NamedNode) and _PK + "Batch" in _types(store, within):
        text += f"; {_named_members(store, within, of)} named"
    return text


def _batch(store, labels, node, lang):
    count = _one(store, node, _PK + "statedMemberCount")
    if count is None:
        return None
    return f"{format_number(count.value)} {_plural('member', count.value)} stated; {_named_members(store, node)} named"


_STATED_COUNTS = (("statedMeasureCount", "measure"), ("statedDirectionCount", "direction"),
                  ("statedKeyTaskCount", "key task"))


def _policy(store, labels, node, lang):
    parts = []
    issuer = _one(store, node, _PK + "issuedBy")
    issued = _one(store, node, _DCT + "issued")
    if issuer is not None:
        parts.append(f"issued by {_label(labels, issuer, lang)}" + (f" on {format_date(issued.value, lang)}"
                                                                   if issued is not None else ""))
    elif issued is not None:
        parts.append(f"issued on {format_date(issued.value, lang)}")
    period = _one(store, node, _PK + "period")
    if period is not None:
        parts.append(f"period {_period(store, labels, period, lang)}")
    for prop, noun in _STATED_COUNTS:
        count = _one(store, node, _PK + prop)
        if count is not None:
            parts.append(f"{format_number(count.value)} {_plural(noun, count.value)} stated")
    members = member_counts(store, labels, node, lang)
    if members is not None:
        parts.append(members["text"])
    return ", ".join(parts) or None


def _goal(store, labels, node, lang):
    deadline = _year(_one(store, node, _PK + "deadline"))
    return f"{labels.best(node.value, lang)} by {deadline}" if deadline else None


#: The first class a node has decides how its fact is worded.
_WORDERS = ((_PK + "Observation", _observation), (_PK + "Target", _target),
            (_PK + "PartnerMembership", _membership), (_PK + "StatedCount", _stated_count),
            (_PK + "Batch", _batch), (_PK + "PolicyDocument", _policy), (_PK + "Goal", _goal))


def fact_sentence(store: ox.Store, labels: LabelIndex, iri, lang: str = "en") -> str | None:
    """The fact ``iri`` states, in English words, or None for a node that states none of these.

    Observations ("Shanghai's digital technology share, 2021: 11.3 % (rank 1)"),
    targets ("AI core industry scale: at least 300 billion yuan by 2025"),
    memberships ("Baidu: model partner of the ..., first batch, since 19 May 2023"),
    stated counts and batches ("7 model partners stated; 1 named"), policies
    ("issued by X on 30 May 2023, period 2023–2025") and goals with a deadline.
    """
    node = _node(iri)
    if node is None:
        return None
    types = _types(store, node)
    for cls, worder in _WORDERS:
        if cls in types:
            return worder(store, labels, node, lang)
    return None


def member_counts(store: ox.Store, labels: LabelIndex, iri, lang: str = "en") -> dict | None:
    """Stated and named members of a partner program (over its batches) or of one batch, or None.

    ``{"stated": 39, "named": 10, "text": "10 named of 39 stated members"}``:
    the count the source states (``pk:statedMemberCount``) beside the
    memberships the graph records, so a list of 10 never reads as the whole.
    """
    node = _node(iri)
    if node is None:
        return None
    types = _types(store, node)
    if _PK + "Batch" in types:
        batches = [node]
    else:
        batches = [b for b in _subjects(store, _PK + "batchOf", node) if isinstance(b, ox.NamedNode)]
    # Only batches whose size the source states count; a batch called for but not yet listed does not.
    counted = [(b, v) for b in sorted(batches, key=lambda b: b.value)
               if (v := _one(store, b, _PK + "statedMemberCount")) is not None]
    if not counted:
        return None
    try:
        stated = sum(int(v.value) for _, v in counted)
    except ValueError:
        return None
    named = len({m.value for b, _ in counted for m in _subjects(store, _PK + "batch", b)})
    text = f"{format_number(named)} named of {format_number(stated)} stated {_plural('member', stated)}"
    if len(counted) < len(batches):
        numbers = [_one(store, b, _PK + "batchNumber") for b, _ in counted]
        if all(n is not None for n in numbers):
            text += " in the " + " and ".join(_ordinal(n.value) for n in numbers) + \
                f" {_plural('batch', len(numbers))}"
    return {"stated": stated, "named": named, "text": text}
