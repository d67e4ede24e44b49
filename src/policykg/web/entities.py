"""What an entity page shows, read straight from the server's store.

Only the store's pattern API is used (``quads_for_pattern`` with a parsed
:class:`pyoxigraph.NamedNode`), so no IRI from a URL is ever put into query
text. Labels come from the graph's one :class:`~policykg.rdf.labels.LabelIndex`.

A page opens with what the entity is, in words (:func:`summary`), then the
facts a reader came for with the phrases that back them (memberships,
figures, targets, posts, statements), then the links in and out, paged on
the server so that a source cited by hundreds of facts still makes a short
page. Internal nodes (evidence, memberships, time intervals) are shown as
their phrase or sentence, never as an identifier.

Text is handed to templates as *segments*: ``{"text", "href", "lang"}``
dicts, so a label keeps its language (``lang`` attribute, CJK fonts) inside
an English sentence and links stay links without any markup in the data.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pyoxigraph as ox

from ..namespaces import PKD, PREFIXES, shorten
from ..rdf.facts import date_of
from ..rdf.labels import DISPLAY_LABEL, LABEL_PROPS, LANG_ORDER, LabelIndex
from ..wording import format_date, format_number

RDF_TYPE = PREFIXES["rdf"] + "type"
DEFINITION_PROPS = (PREFIXES["skos"] + "definition", PREFIXES["rdfs"] + "comment")
PK = PREFIXES["pk"]
PK_EVIDENCE = PK + "evidence"
OA_EXACT = PREFIXES["oa"] + "exact"
PK_QUOTED_FROM = PK + "quotedFrom"
ORG, DCT, TIME, SKOS = PREFIXES["org"], PREFIXES["dct"], PREFIXES["time"], PREFIXES["skos"]
PROV_DERIVED = PREFIXES["prov"] + "wasDerivedFrom"
SDMX_AREA = PREFIXES["sdmx-dimension"] + "refArea"
#: What a page never lists as a fact of its own: labels have their own box, evidence its own section.
_NOT_FACTS = set(LABEL_PROPS) | {DISPLAY_LABEL}
#: Links shown on one page of an entity's incoming or outgoing links.
LINKS_PER_PAGE = 50
_G = ox.DefaultGraph()

_KANA = re.compile(r"[\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f]")
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f]")


def text_lang(text: str, known: str = "") -> str:
    """The language to tag ``text`` with: ``known`` if given, else "ja" for kana, "zh" for other Han, else ""."""
    if known:
        return known
    if not text:
        return ""
    if _KANA.search(text):
        return "ja"
    if _HAN.search(text):
        return "zh"
    return ""


_CJK_RUN = re.compile(r"[\u3000-\u303f\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
                      r"\uff01-\uff60\U00020000-\U0002fa1f]+")


def mark_cjk(text: str, known: str = ""):
    """``text`` as escaped HTML, each run of Chinese or Japanese in a ``<span lang>`` (for English notes
    that quote the source's words). Text already tagged ja or zh (``known``) needs no spans."""
    from markupsafe import Markup, escape

    text = "" if text is None else str(text)
    if known in ("ja", "zh") or not _CJK_RUN.search(text):
        return escape(text)
    whole = "ja" if _KANA.search(text) else "zh"
    out, last = [], 0
    for m in _CJK_RUN.finditer(text):
        run = m.group()
        out.append(escape(text[last:m.start()]))
        out.append(Markup('<span lang="{}">{}</span>').format("ja" if _KANA.search(run) else whole, run))
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def entity_path(iri: str) -> str:
    """The page of ``iri`` on this server: /id/{slug} for pkd: IRIs, else /entity?iri=."""
    if iri.startswith(PKD):
        slug = iri[len(PKD):]
        if slug.strip(".") and all(c.isalnum() or c in "-_." for c in slug):  # never /id/. or /id/..
            return "/id/" + slug
    return "/entity?iri=" + quote(iri, safe="")


def entity_triples(store: ox.Store, node: ox.NamedNode) -> list[ox.Triple]:
    """The entity's outgoing and incoming triples (what its RDF views serve), without computed labels."""
    out = [q.triple for q in store.quads_for_pattern(node, None, None, _G) if q.predicate.value != DISPLAY_LABEL]
    out += [q.triple for q in store.quads_for_pattern(None, None, node, _G) if q.subject != node]
    return out


# ---- small readers over the store


def _objects(store: ox.Store, node, prop: str) -> list:
    return sorted((q.object for q in store.quads_for_pattern(node, ox.NamedNode(prop), None, _G)),
                  key=lambda t: t.value)


def _subjects(store: ox.Store, prop: str, node) -> list:
    return sorted((q.subject for q in store.quads_for_pattern(None, ox.NamedNode(prop), node, _G)),
                  key=lambda t: t.value)


def _one(store: ox.Store, node, prop: str):
    found = _objects(store, node, prop)
    return found[0] if found else None


def _types(store: ox.Store, node) -> set[str]:
    return {t.value for t in _objects(store, node, RDF_TYPE) if isinstance(t, ox.NamedNode)}


def label_lang(labels: LabelIndex, iri: str, lang: str) -> tuple[str, str]:
    """The display label of ``iri`` and the language it is written in ("" when unknown)."""
    text = labels.label(iri, lang)
    if text is None:
        return shorten(iri), ""
    entries = labels.labels.get(iri, [])
    for wanted in (lang, *LANG_ORDER):
        for t, l, _ in entries:
            if t == text and l == wanted:
                return text, l
    for t, l, _ in entries:
        if t == text:
            return text, text_lang(t, l)
    return text, text_lang(text)


def _seg(text: str, href: str | None = None, lang: str = "") -> dict:
    return {"text": text, "href": href, "lang": lang}


def _link(labels: LabelIndex, iri: str, lang: str) -> dict:
    text, tl = label_lang(labels, iri, lang)
    return _seg(text, entity_path(iri), tl)


def _date_of(store: ox.Store, node, lang: str) -> str:
    """A date literal or an OWL-Time instant or interval, as people write it.

    The page's own words are English whatever language its labels are in, so dates are too.
    """
    return date_of(store, node, "en")


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{format_number(n)} {one if n == 1 else (many or one + 's')}"


def _ordinal(n) -> str:
    words = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth")
    try:
        k = int(str(n))
    except ValueError:
        return str(n)
    return words[k - 1] if 1 <= k <= len(words) else f"no. {k}"


def _fact_sentence(store, labels, iri, lang) -> str | None:
    try:
        from ..rdf.facts import fact_sentence
    except ImportError:  # pragma: no cover - the module ships with the package
        return None
    return fact_sentence(store, labels, iri, lang)


# ---- evidence


def _source(store: ox.Store, labels: LabelIndex, iri: str, lang: str) -> dict:
    from ..rdf.facts import source_of

    src = dict(source_of(store, labels, iri, lang))
    src["date"] = _source_date(store, iri)
    src["title_lang"] = text_lang(src["title"])
    src["publisher_lang"] = text_lang(src["publisher"])
    return src


def _source_date(store: ox.Store, iri: str) -> str:
    node = ox.NamedNode(iri)
    return _date_of(store, _one(store, node, DCT + "issued") or _one(store, node, DCT + "date"), "en")


def evidence_items(store: ox.Store, labels: LabelIndex, iri: str, lang: str) -> list[dict]:
    """The evidence of ``iri``: phrase (with its language), English gloss, source (title, publisher, date, url)."""
    from ..rdf.facts import evidence_of

    items = evidence_of(store, labels, iri, lang)
    for item in items:
        if item.get("source"):
            item["source"] = dict(item["source"], date=_source_date(store, item["source"]["iri"]))
            item["source"]["title_lang"] = text_lang(item["source"]["title"])
            item["source"]["publisher_lang"] = text_lang(item["source"]["publisher"])
        item["phrase_lang"] = text_lang(item["phrase"], item.get("phrase_lang", ""))
        item["gloss_lang"] = text_lang(item.get("gloss", ""))
    return items


# ---- what a node is, in words


_KIND_ORDER = [
    (PK + "PartnerMembership", "membership"), (ORG + "Membership", "membership"), (ORG + "Post", "post"),
    (PK + "PartnerProgram", "program"), (PK + "PolicyDocument", "policy"), (PK + "Batch", "batch"),
    (PK + "StatedCount", "stated count"), (PK + "PolicyLink", "policy link"),
    (PK + "GovernmentBody", "government body"),
    (ORG + "Organization", "organization"), (PREFIXES["foaf"] + "Person", "person"),
    (PK + "Statement", "statement"), (PK + "Observation", "observation"), (PK + "Target", "target"),
    (PK + "Goal", "goal"), (PK + "Direction", "direction"), (PK + "Evidence", "evidence"),
    (PK + "Article", "source"), (PK + "Report", "source"), (PK + "Source", "source"),
    (PK + "City", "place"), (PK + "Country", "place"), (PK + "Place", "place"),
    (PK + "ComparisonGroup", "comparison group"), (PREFIXES["qb"] + "DataSet", "data set"),
    (PK + "Indicator", "indicator"), (TIME + "Instant", "time"), (TIME + "Interval", "time"),
    (PREFIXES["owl"] + "Class", "ontology term"), (PREFIXES["rdfs"] + "Class", "ontology term"),
    (PREFIXES["owl"] + "ObjectProperty", "ontology term"), (PREFIXES["owl"] + "DatatypeProperty", "ontology term"),
    (PREFIXES["owl"] + "AnnotationProperty", "ontology term"), (PREFIXES["rdf"] + "Property", "ontology term"),
    (SKOS + "ConceptScheme", "concept scheme"), (SKOS + "Concept", "concept"),
]


def kind_of(types: set[str]) -> str:
    """What a page calls a node of these types: "organization", "policy", "observation", ... or "thing"."""
    for cls, kind in _KIND_ORDER:
        if cls in types:
            return kind
    return "thing"


def _type_words(store, labels, node, types, lang) -> list[dict]:
    """ "Company (organization)" style opening: the most specific asserted type's label."""
    specific = sorted(t["iri"] for t in _most_specific(store, [{"kind": "iri", "iri": t} for t in types]))
    kind_iri = next((cls for cls, _ in _KIND_ORDER if cls in specific), None) or next(iter(specific), None)
    words = []
    okind = _one(store, node, PK + "organizationKind") or _one(store, node, PK + "policyKind")
    if okind is not None:
        words.append(_link(labels, okind.value, lang))
    elif kind_iri is not None:
        words.append(_link(labels, kind_iri, lang))
    return words


def _membership_segments(store, labels, m, lang, *, member_first: bool) -> list[dict]:
    """ "model partner of <program>, first batch, since 19 May 2023" (or "<member>, model partner, ...")."""
    member, program = _one(store, m, ORG + "member"), _one(store, m, ORG + "organization")
    role, batch = _one(store, m, ORG + "role"), _one(store, m, PK + "batch")
    segs: list[dict] = []
    if member_first and member is not None:
        segs += [_link(labels, member.value, lang), _seg(": ")]
    segs.append(_link(labels, role.value, lang) if role is not None else _seg("member"))
    if not member_first and program is not None:
        segs += [_seg(" of "), _link(labels, program.value, lang)]
    if isinstance(batch, ox.NamedNode):
        number = _one(store, batch, PK + "batchNumber")
        segs += [_seg(", "), _seg(f"{_ordinal(number.value)} batch" if number is not None else "batch",
                                  entity_path(batch.value))]
    during = _one(store, m, ORG + "memberDuring")
    when = _date_of(store, during, lang) if during is not None else ""
    if when:
        segs.append(_seg(", since " + when if not when.startswith(("from ", "until ")) and "–" not in when
                         else ", " + when.replace("from ", "since ")))
    return segs


def _fact(store, labels, node_iri, segments, lang, href=None) -> dict:
    return {"sentence": segments, "href": href if href is not None else entity_path(node_iri),
            "evidence": evidence_items(store, labels, node_iri, lang)}


def _plain_fact(store, labels, iri, lang) -> list[dict]:
    text = _fact_sentence(store, labels, iri, lang)
    if not text:
        text, tl = label_lang(labels, iri, lang)
        return [_seg(text, lang=tl)]
    return [_seg(text, lang=text_lang(text))]


def summary_and_facts(store: ox.Store, labels: LabelIndex, iri: str, lang: str = "en") -> dict:
    """What the page opens with: ``kind``, ``summary`` (sentences of segments) and ``facts`` with their evidence.

    Each fact is ``{"sentence": [segment], "href": page of the node that holds it, "evidence": [...]}``;
    the entity's own evidence backs the first fact, the one that says what the entity is.
    """
    node = ox.NamedNode(iri)
    types = _types(store, node)
    kind = kind_of(types)
    sentences: list[list[dict]] = []
    facts: list[dict] = []
    name, name_lang = label_lang(labels, iri, lang)
    type_words = _type_words(store, labels, node, types, lang)
    if kind in ("observation", "target", "membership", "stated count", "batch"):
        own = _plain_fact(store, labels, iri, lang)
        sentences.append([_seg(kind.capitalize() + ": ")] + own)
    elif type_words:
        # The heading names it; the opening says what it is ("A company based in Beijing.").
        sentences.append([_seg("An " if type_words[0]["text"][:1].lower() in "aeiou" else "A ")] + type_words
                         + [_seg(".")])

    def extend_opening(segs: list[dict]) -> None:
        if sentences and type_words and sentences[0][-1]["text"] == ".":
            sentences[0] = sentences[0][:-1] + segs + [_seg(".")]
        else:
            first = dict(segs[0], text=segs[0]["text"].lstrip(", ;").capitalize())
            sentences.append([first] + segs[1:] + [_seg(".")])
    own_evidence = evidence_items(store, labels, iri, lang)

    if kind in ("organization", "government body", "person"):
        place = _one(store, node, PK + "basedIn")
        parent = _one(store, node, ORG + "subOrganizationOf")
        extra = []
        if place is not None:
            extra += [_seg(" based in "), _link(labels, place.value, lang)]
        if parent is not None:
            extra += [_seg(", part of "), _link(labels, parent.value, lang)]
        if extra:
            extend_opening(extra)
        for m in _subjects(store, ORG + "member", node):
            segs = _membership_segments(store, labels, m, lang, member_first=False)
            segs[0] = dict(segs[0], text=segs[0]["text"][:1].upper() + segs[0]["text"][1:])
            sentences.append(segs + [_seg(".")])
            facts.append(_fact(store, labels, m.value, segs, lang))
        for post in _objects(store, node, ORG + "holds") + _subjects(store, ORG + "postIn", node):
            if not isinstance(post, ox.NamedNode):
                continue
            holder, role, where = (_one(store, post, ORG + p) for p in ("heldBy", "role", "postIn"))
            segs = []
            if holder is not None:
                segs += [_link(labels, holder.value, lang), _seg(": ")]
            segs.append(_link(labels, role.value, lang) if role is not None else _seg("post"))
            if where is not None:
                segs += [_seg(", "), _link(labels, where.value, lang)]
            sentences.append(segs + [_seg(".")])
            facts.append(_fact(store, labels, post.value, segs, lang))
        issued = _subjects(store, PK + "issuedBy", node)
        if issued:
            segs = [_seg("Issued " + _count(len(issued), "policy", "policies") + ": ")]
            for i, p in enumerate(issued):
                when = _date_of(store, _one(store, p, DCT + "issued"), lang)
                segs += ([_seg("; ")] if i else []) + [_link(labels, p.value, lang)]
                segs += [_seg(f" ({when})")] if when else []
            sentences.append(segs + [_seg(".")])
        published = _subjects(store, DCT + "publisher", node)
        if published:
            segs = [_seg("Published " + _count(len(published), "source") + ": ")]
            for i, s in enumerate(published):
                segs += ([_seg("; ")] if i else []) + [_link(labels, s.value, lang)]
            sentences.append(segs + [_seg(".")])
        statements = {s.value for prop in ("speaker", "reportedBy", "about") for s in _subjects(store, PK + prop, node)}
        for s in sorted(statements):
            facts.append(_statement_fact(store, labels, s, lang))
        if statements:
            sentences.append([_seg(_count(len(statements), "statement") + " by, about or reported by it, below.")])

    elif kind in ("program", "policy"):
        issuer, issued = _one(store, node, PK + "issuedBy"), _one(store, node, DCT + "issued")
        segs = []
        if issuer is not None:
            segs += [_seg(", issued by "), _link(labels, issuer.value, lang)]
        if issued is not None:
            segs += [_seg((" on " if segs else ", issued on ") + _date_of(store, issued, lang))]
        period = _one(store, node, PK + "period")
        if period is not None:
            segs += [_seg(", for " + _date_of(store, period, lang))]
        where = _one(store, node, PK + "jurisdiction")
        if where is not None:
            segs += [_seg(", in "), _link(labels, where.value, lang)]
        level = _one(store, node, PK + "policyLevel")
        if level is not None:
            segs += [_seg("; level: "), _link(labels, level.value, lang)]
        if segs:
            extend_opening(segs)
        goals = _objects(store, node, PK + "hasGoal")
        targets = [t for g in goals for t in _objects(store, g, PK + "hasTarget")]
        counts = [(goals, "goal"), (targets, "numeric target"),
                  (_objects(store, node, PK + "hasDirection"), "direction"),
                  (_objects(store, node, PK + "hasMeasureCategory"), "measure category"),
                  (_objects(store, node, PK + "hasKeyTechnology"), "key technology"),
                  (_objects(store, node, PK + "hasTechnologyArea"), "technology area"),
                  (_objects(store, node, PK + "hasPartnerRole"), "partner category")]
        words = [_count(len(items), noun, "key technologies" if noun == "key technology" else
                        "measure categories" if noun == "measure category" else
                        "partner categories" if noun == "partner category" else None)
                 for items, noun in counts if items]
        stated_words = []
        for prop, noun in (("statedMeasureCount", "measures"), ("statedKeyTaskCount", "key tasks")):
            stated = _one(store, node, PK + prop)
            if stated is not None:
                stated_words.append(f"{format_number(stated.value)} {noun}")
        if words or stated_words:
            text = ("It sets " + ", ".join(words)) if words else ""
            if stated_words:
                text += ("; the source counts " if text else "The source counts ") + " and ".join(stated_words)
            sentences.append([_seg(text + ".")])
        # What it names, by name: technologies, measure categories, partner categories, directions.
        for prop, noun in (("hasTechnologyDirection", "Technology directions"),
                           ("hasTechnologyArea", "Technology areas"),
                           ("hasKeyTechnology", "Key technologies"), ("hasMeasureCategory", "Measure categories"),
                           ("hasPartnerRole", "Partner categories"), ("hasDirection", "Directions")):
            named = _objects(store, node, PK + prop)
            if named:
                segs = [_seg(noun + ": ")]
                for i, t in enumerate(sorted(named, key=lambda t: labels.best(t.value, lang).casefold())):
                    segs += ([_seg("; ")] if i else []) + [_link(labels, t.value, lang)]
                sentences.append(segs + [_seg(".")])
        for t in targets:
            facts.append(_fact(store, labels, t.value, _plain_fact(store, labels, t.value, lang), lang))
        # Links between policies (pk:PolicyLink: eli:implements, eli:cites, pk:refines), each with its evidence.
        for end, other_end in (("linkTo", "linkFrom"), ("linkFrom", "linkTo")):
            for link in _subjects(store, PK + end, node):
                other, relation = _one(store, link, PK + other_end), _one(store, link, PK + "linkProperty")
                if other is None:
                    continue
                verb = labels.best(relation.value, lang) if relation is not None else "links to"
                verb = {"implements": "implements", "cites": "cites"}.get(verb.rsplit("#", 1)[-1].rsplit(":", 1)[-1],
                                                                          verb)
                first, second = (other, node) if end == "linkTo" else (node, other)
                facts.append(_fact(store, labels, link.value,
                                   [_link(labels, first.value, lang), _seg(f" {verb} "),
                                    _link(labels, second.value, lang)], lang))
        for prop, verb in (("refines", "Refines "), ):
            for other in _objects(store, node, PK + prop):
                sentences.append([_seg(verb), _link(labels, other.value, lang), _seg(".")])
        for other in _subjects(store, PK + "refines", node):
            sentences.append([_seg("Refined by "), _link(labels, other.value, lang), _seg(".")])
        if kind == "program":
            memberships = _subjects(store, ORG + "organization", node)
            batches = _subjects(store, PK + "batchOf", node)
            stated = sum(int(b.value) for bt in batches for b in _objects(store, bt, PK + "statedMemberCount"))
            if memberships or stated:
                text = f"{len(memberships)} named member{'s' if len(memberships) != 1 else ''}"
                if stated:
                    text += f" of {format_number(stated)} stated"
                segs = [_seg(text + (" in " if batches else ""))]
                for i, bt in enumerate(batches):
                    when = _date_of(store, _one(store, bt, DCT + "issued"), lang)
                    number = (_one(store, bt, PK + "batchNumber") or ox.Literal("1")).value
                    segs += ([_seg(", ")] if i else []) + [_seg(_ordinal(number) + " batch", entity_path(bt.value))]
                    segs += [_seg(f" ({when})")] if when else []
                sentences.append(segs + [_seg("; by role below.")])
            # Members first (what readers ask), then the batches and the counts the source states.
            def by_role(m):
                return tuple(labels.best((_one(store, m, ORG + p) or m).value, lang) for p in ("role", "member"))

            for m in sorted(memberships, key=by_role):
                facts.append(_fact(store, labels, m.value,
                                   _membership_segments(store, labels, m, lang, member_first=True), lang))
            for bt in batches:
                if _fact_sentence(store, labels, bt.value, lang) or evidence_items(store, labels, bt.value, lang):
                    number = (_one(store, bt, PK + "batchNumber") or ox.Literal("1")).value
                    text = _fact_sentence(store, labels, bt.value, lang)
                    facts.append(_fact(store, labels, bt.value, [_seg(_ordinal(number).capitalize() + " batch"
                                                                      + (": " + text if text else ""))], lang))
            for sc in sorted({s.value for bt in batches for s in _subjects(store, PK + "countIn", bt)}):
                facts.append(_fact(store, labels, sc, _plain_fact(store, labels, sc, lang), lang))

    elif kind == "source":
        segs = []
        publisher, when = _one(store, node, DCT + "publisher"), _date_of(
            store, _one(store, node, DCT + "issued") or _one(store, node, DCT + "date"), lang)
        if publisher is not None:
            segs += [_seg(" published by "), _link(labels, publisher.value, lang)]
        if when:
            segs.append(_seg((", " if segs else ", dated ") + when))
        language = _one(store, node, DCT + "language")
        if language is not None:
            code = language.value.rstrip("/").rsplit("/", 1)[-1]
            segs.append(_seg(", in " + {"ja": "Japanese", "zh": "Chinese", "en": "English"}.get(code, code)))
        ident = _one(store, node, DCT + "identifier")
        if ident is not None:
            segs += [_seg(", document number "), _seg(ident.value, lang=text_lang(ident.value))]
        url = _source(store, labels, iri, lang)["url"]
        if url:
            segs += [_seg(", at "), _seg(url, url)]
        if segs:
            extend_opening(segs)
        cites, cited_by = _objects(store, node, PK + "cites"), _subjects(store, PK + "cites", node)
        original = _one(store, node, PK + "translatedFrom")
        if original is not None:
            sentences.append([_seg("Translated from "), _link(labels, original.value, lang), _seg(".")])
        if cites:
            sentences.append([_seg("Cites " + _count(len(cites), "report or article", "reports and articles")
                                   + ", each below with the words that name it.")])
        for c in cites:
            src = _source(store, labels, c.value, lang)
            segs = [_seg("Cites "), _seg(src["title"], src["href"], src["title_lang"])]
            if src["publisher"]:
                segs.append(_seg(", " + src["publisher"], lang=src["publisher_lang"]))
            if src["date"]:
                segs.append(_seg(", " + src["date"]))
            facts.append(_fact(store, labels, c.value, segs, lang))
        for c in cited_by:
            sentences.append([_seg("Cited by "), _link(labels, c.value, lang), _seg(".")])
        derived = len(_subjects(store, PROV_DERIVED, node))
        quoted = len(_subjects(store, PK_QUOTED_FROM, node))
        if derived or quoted:
            sentences.append([_seg(f"{_count(derived, 'fact')} in the graph rest on it, "
                                   f"and {_count(quoted, 'evidence phrase')} are quoted from it.")])

    elif kind == "batch":
        for sc in _subjects(store, PK + "countIn", node):
            facts.append(_fact(store, labels, sc.value, _plain_fact(store, labels, sc.value, lang), lang))
        for m in sorted(_subjects(store, PK + "batch", node),
                        key=lambda m: labels.best((_one(store, m, ORG + "role") or m).value, lang)):
            facts.append(_fact(store, labels, m.value,
                               _membership_segments(store, labels, m, lang, member_first=True), lang))

    elif kind == "policy link":
        first, second, relation = (_one(store, node, PK + p) for p in ("linkFrom", "linkTo", "linkProperty"))
        if first is not None and second is not None:
            verb = relation.value.rsplit("#", 1)[-1].rsplit("/", 1)[-1] if relation is not None else "links to"
            sentences = [[_link(labels, first.value, lang), _seg(f" {verb} "), _link(labels, second.value, lang),
                          _seg(".")]]

    elif kind == "statement":
        facts.append(_statement_fact(store, labels, iri, lang))
        own_evidence = []

    elif kind == "evidence":
        phrase = _one(store, node, OA_EXACT)
        src = _one(store, node, PK_QUOTED_FROM)
        if phrase is not None:
            source = _source(store, labels, src.value, lang) if isinstance(src, ox.NamedNode) else None
            plang = ""
            if isinstance(src, ox.NamedNode):
                code = _one(store, src, DCT + "language")
                plang = code.value.rstrip("/").rsplit("/", 1)[-1] if code is not None else ""
            sentences = [[_seg("Evidence phrase “"), _seg(phrase.value, lang=text_lang(phrase.value, plang)),
                          _seg("”")] + ([_seg(" quoted from "), _seg(source["title"], source["href"],
                                                                     source["title_lang"])] if source else [])
                         + [_seg(".")]]
        backs = _subjects(store, PK_EVIDENCE, node)
        if backs:
            segs = [_seg("It backs " + _count(len(backs), "fact") + ": ")]
            for i, b in enumerate(backs[:LINKS_PER_PAGE]):
                segs += ([_seg("; ")] if i else []) + [_link(labels, b.value, lang)]
            sentences.append(segs + [_seg(".")])

    elif kind == "place":
        figures = _subjects(store, SDMX_AREA, node)
        if figures:
            sentences.append([_seg(_count(len(figures), "figure") + " in the graph are about it: "),
                              _seg("all its figures", "/queries/city-indicators?city=" + quote(iri, safe="")),
                              _seg(".")])
        policies = _subjects(store, PK + "jurisdiction", node)
        if policies:
            segs = [_seg(_count(len(policies), "policy", "policies") + " apply to it: ")]
            for i, p in enumerate(policies):
                segs += ([_seg("; ")] if i else []) + [_link(labels, p.value, lang)]
            sentences.append(segs + [_seg(".")])

    elif kind in ("goal", "direction"):
        for prop, word in (("hasGoal", "Goal of "), ("hasDirection", "Direction of ")):
            for p in _subjects(store, PK + prop, node):
                sentences.append([_seg(word), _link(labels, p.value, lang), _seg(".")])
        deadline = _one(store, node, PK + "deadline")
        if deadline is not None:
            sentences.append([_seg("Deadline: " + _date_of(store, deadline, lang) + ".")])
        for t in _objects(store, node, PK + "hasTarget"):
            facts.append(_fact(store, labels, t.value, _plain_fact(store, labels, t.value, lang), lang))

    elif kind == "target":
        for g in _subjects(store, PK + "hasTarget", node):
            for p in _subjects(store, PK + "hasGoal", g):
                sentences.append([_seg("Target of the goal "), _link(labels, g.value, lang), _seg(" of "),
                                  _link(labels, p.value, lang), _seg(".")])

    elif kind == "observation":
        dataset = _one(store, node, PREFIXES["qb"] + "dataSet")
        group = _one(store, node, PK + "comparisonGroup")
        indicator, area = _one(store, node, PK + "indicator"), _one(store, node, SDMX_AREA)
        segs = []
        if indicator is not None:
            segs += [_seg("Indicator: "), _link(labels, indicator.value, lang)]
        if area is not None:
            segs += [_seg("; area: " if segs else "Area: "), _link(labels, area.value, lang)]
        if segs:
            sentences.append(segs + [_seg(".")])
        segs = []
        if group is not None:
            segs += [_seg("Ranked among "), _link(labels, group.value, lang)]
        if dataset is not None:
            segs += [_seg("; in " if segs else "In "), _link(labels, dataset.value, lang)]
        if segs:
            sentences.append(segs + [_seg(".")])

    elif kind in ("concept", "indicator", "concept scheme", "ontology term"):
        scheme = _one(store, node, SKOS + "inScheme")
        broader = _objects(store, node, SKOS + "broader")
        segs = []
        if scheme is not None:
            segs += [_seg("In "), _link(labels, scheme.value, lang)]
        for b in broader:
            segs += [_seg("; broader: " if segs else "Broader: "), _link(labels, b.value, lang)]
        if segs:
            sentences.append(segs + [_seg(".")])
        if kind == "ontology term":
            instances = len(_subjects(store, RDF_TYPE, node))
            uses = sum(1 for _ in store.quads_for_pattern(None, node, None, _G))
            what = "class" if types & {PREFIXES["owl"] + "Class", PREFIXES["rdfs"] + "Class"} else "property"
            ours = iri.startswith(PK)
            where = "the policykg ontology" if ours else "a vocabulary policykg reuses"
            sentences[:1] = [[_seg(f"A {what} of {where}.")]]
            if instances:
                sentences.append([_seg(f"{_count(instances, 'thing')} in the graph {'is' if instances == 1 else 'are'} "
                                       "of this class.")])
            if uses:
                sentences.append([_seg(f"Used in {_count(uses, 'statement')} of the graph.")])
        else:
            uses = len({q.subject.value for q in store.quads_for_pattern(None, None, node, _G)})
            if uses:
                verb = "points" if uses == 1 else "point"
                sentences.append([_seg(f"{_count(uses, 'thing')} in the graph {verb} to it.")])
            # A role: who holds it, with the phrases that say so.
            for m in _subjects(store, ORG + "role", node):
                if _one(store, m, ORG + "member") is not None:
                    facts.append(_fact(store, labels, m.value,
                                       _membership_segments(store, labels, m, lang, member_first=True), lang))

    # Figures and targets that rest on this node (a report, a data set, an indicator, a comparison group):
    # the answer a reader came for, each with its phrase, unless there are too many to read on one page.
    related = set()
    if kind == "source":
        related = {s.value for s in _subjects(store, PROV_DERIVED, node)}
    elif kind == "data set":
        related = {s.value for s in _subjects(store, PREFIXES["qb"] + "dataSet", node)}
    elif kind in ("indicator", "concept") and PK + "Indicator" in types:
        related = {s.value for s in _subjects(store, PK + "indicator", node)}
    elif kind == "comparison group":
        related = {s.value for s in _subjects(store, PK + "comparisonGroup", node)}
    figures = [r for r in related if _types(store, ox.NamedNode(r)) & {PK + "Observation", PK + "Target"}]
    if figures and len(figures) <= MAX_FIGURE_FACTS:
        rows = [(_fact_sentence(store, labels, r, lang) or labels.best(r, lang), r) for r in figures]
        for text, r in sorted(rows, key=lambda x: _figure_order(x[0])):
            facts.append(_fact(store, labels, r, [_seg(text, lang=text_lang(text))], lang))
        sentences.append([_seg(f"{_count(len(figures), 'figure')} rest on it, below with their evidence.")])
    elif figures and kind != "source":
        sentences.append([_seg(f"{_count(len(figures), 'figure')} rest on it; see the links below.")])

    if own_evidence or not facts:
        first = sentences[0] if sentences else [_seg(name, lang=name_lang)]
        own = {"sentence": first, "href": None, "evidence": own_evidence}
        # A program's members, a policy's targets, a report's figures come before the phrases that only
        # name the thing itself.
        if kind in ("program", "policy", "source", "data set"):
            facts.append(own)
        else:
            facts.insert(0, own)
    return {"kind": kind, "summary": sentences, "facts": [f for f in facts if f["evidence"] or f["href"]],
            # What a vocabulary term means is its answer: its definition opens the page.
            "definitions_first": kind in ("concept", "indicator", "concept scheme", "ontology term")}


#: Above this many figures a node's page links to them instead of wording each one with its evidence.
MAX_FIGURE_FACTS = 60


def _figure_order(text: str):
    """Figures sorted as a reader scans them: by what and where, then by period as a number (2013 before 2021)."""
    return [int(part) if part.isdigit() else part.casefold() for part in re.split(r"(\d+)", text)]


def _statement_fact(store, labels, iri, lang) -> dict:
    node = ox.NamedNode(iri)
    speaker, medium, post = (_one(store, node, PK + p) for p in ("speaker", "reportedBy", "speakerPost"))
    when = _date_of(store, _one(store, node, DCT + "date"), lang)
    segs = []
    if speaker is not None:
        segs.append(_link(labels, speaker.value, lang))
        if post is not None:
            segs += [_seg(" ("), _link(labels, post.value, lang), _seg(")")]
        segs.append(_seg(": "))
    text, tl = label_lang(labels, iri, lang)
    segs += [_seg("“"), _seg(text, entity_path(iri), tl), _seg("”")]
    if medium is not None:
        segs += [_seg(", reported by "), _link(labels, medium.value, lang)]
    if when:
        segs.append(_seg(", " + when))
    return _fact(store, labels, iri, segs, lang)


# ---- links in and out


def _term(store: ox.Store, term, labels: LabelIndex, lang: str) -> dict:
    """A link's end as the page shows it: internal nodes as their phrase or sentence, never as an id."""
    if isinstance(term, ox.NamedNode):
        iri = term.value
        text, tl = label_lang(labels, iri, lang)
        if labels.label(iri, lang) is None:
            phrase = _one(store, term, OA_EXACT)
            if phrase is not None:
                text, tl = f"“{phrase.value}”", text_lang(phrase.value)
            else:
                when = _date_of(store, term, lang)
                if when:
                    text, tl = when, ""
        else:
            types = _types(store, term)
            if TIME + "Instant" in types or TIME + "Interval" in types or TIME + "ProperInterval" in types:
                text, tl = _date_of(store, term, lang) or text, "" if _date_of(store, term, lang) else tl
        return {"kind": "iri", "iri": iri, "href": entity_path(iri), "label": text, "lang": tl, "short": shorten(iri)}
    if isinstance(term, ox.BlankNode):
        return {"kind": "bnode", "label": "_:" + term.value, "lang": ""}
    datatype = term.datatype.value if term.datatype else ""
    value = term.value
    if datatype.endswith(("#date", "#gYear", "#gYearMonth")):
        value = format_date(value, lang)
    elif datatype.endswith(("#integer", "#decimal", "#double", "#int", "#nonNegativeInteger", "#positiveInteger")):
        value = format_number(value)
    return {"kind": "literal", "label": value, "lang": text_lang(term.value, term.language or ""),
            "tag": term.language or "",
            "datatype": "" if term.language or datatype.endswith("#string") else shorten(datatype)}


def _page(rows: list, page: int, size: int) -> dict:
    pages = max(1, -(-len(rows) // size))
    page = min(max(1, page), pages)
    first = (page - 1) * size
    return {"rows": rows[first:first + size], "page": page, "pages": pages, "total": len(rows),
            "first": first + 1 if rows else 0, "last": min(first + size, len(rows))}


def _by_property(rows: list[dict]) -> list[dict]:
    counts: dict[tuple[str, str], int] = {}
    for row in rows:
        key = (row["prop"]["label"], row["prop"].get("lang", ""))
        counts[key] = counts.get(key, 0) + 1
    return [{"label": k[0], "lang": k[1], "count": n}
            for k, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def _most_specific(store: ox.Store, types: list[dict]) -> list[dict]:
    """The types no other type of the node specialises: the store also holds every inferred superclass."""
    iris = {t["iri"] for t in types if t["kind"] == "iri"}
    broader: set[str] = set()
    for iri in iris:
        todo, seen = [iri], set()
        while todo:
            for sup in _objects(store, ox.NamedNode(todo.pop()), PREFIXES["rdfs"] + "subClassOf"):
                if isinstance(sup, ox.NamedNode) and sup.value not in seen and sup.value != iri:
                    seen.add(sup.value)
                    todo.append(sup.value)
        broader |= seen
    return [t for t in types if t["kind"] != "iri" or t["iri"] not in broader]


def describe(store: ox.Store, labels: LabelIndex, iri: str, lang: str = "en", *, in_page: int = 1,
             out_page: int = 1, per_page: int = LINKS_PER_PAGE) -> dict:
    """Everything the entity page shows about ``iri`` (which must parse as an IRI).

    ``in_page`` and ``out_page`` pick the page of incoming and outgoing links
    (``per_page`` each); the counts per property cover all of them.
    """
    node = ox.NamedNode(iri)
    types, outgoing, incoming, definitions = [], [], [], []
    evidence_count = 0
    for q in store.quads_for_pattern(node, None, None, _G):
        p = q.predicate.value
        if p == RDF_TYPE:
            types.append(_term(store, q.object, labels, lang))
        elif p in _NOT_FACTS and isinstance(q.object, ox.Literal):
            continue
        elif p in DEFINITION_PROPS and isinstance(q.object, ox.Literal):
            definitions.append({"prop": shorten(p), "text": q.object.value,
                                "lang": text_lang(q.object.value, q.object.language or "")})
        elif p == PK_EVIDENCE:
            evidence_count += 1  # shown, with phrase and source, in the evidence section
        else:
            outgoing.append({"prop": _term(store, q.predicate, labels, lang),
                             "value": _term(store, q.object, labels, lang)})
    for q in store.quads_for_pattern(None, None, node, _G):
        incoming.append({"subject": _term(store, q.subject, labels, lang),
                         "prop": _term(store, q.predicate, labels, lang)})
    key = lambda row: (row["prop"]["label"].casefold(), row.get("value", row.get("subject"))["label"])  # noqa: E731
    outgoing.sort(key=key)
    incoming.sort(key=key)
    types = _most_specific(store, types)
    types.sort(key=lambda t: t["label"].casefold())
    label_rows = sorted(({"text": t, "lang": text_lang(t, l), "tag": l, "prop": shorten(p)}
                         for t, l, p in labels.labels.get(iri, [])),
                        key=lambda r: (LANG_ORDER.index(r["tag"]) if r["tag"] in LANG_ORDER else 9,
                                       r["prop"] != "rdfs:label", r["text"]))
    name, name_lang = label_lang(labels, iri, lang)
    about = summary_and_facts(store, labels, iri, lang)
    evidence = [item for fact in about["facts"] for item in fact["evidence"]]
    # A phrase that backs several facts (a category count behind every member) is shown in full once;
    # later facts name it and point up, so a program's page stays short.
    seen: set[str] = set()
    for fact in about["facts"]:
        fact["evidence"] = [dict(item, repeat=item["evidence"] in seen) for item in fact["evidence"]]
        seen.update(item["evidence"] for item in fact["evidence"])
    return {"iri": iri, "short": shorten(iri), "label": name, "label_lang": name_lang, "labels": label_rows,
            "types": types, "definitions": definitions, "kind": about["kind"], "summary": about["summary"],
            "facts": about["facts"], "definitions_first": about["definitions_first"], "evidence": evidence,
            "evidence_count": evidence_count,
            "outgoing": _page(outgoing, out_page, per_page), "incoming": _page(incoming, in_page, per_page),
            "outgoing_by_property": _by_property(outgoing), "incoming_by_property": _by_property(incoming)}
