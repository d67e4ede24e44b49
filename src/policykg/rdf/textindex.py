"""Full-text search: what people type, matched against everything the graph says about an entity.

One document per named entity holds, each with a weight (lower is better):

- its labels, aliases and titles in every language (0 for the preferred
  label, 1 for the others);
- the labels of its types, its kind, its indicator, its area and its role
  (2), so "metaverse plan" finds a policy document labelled "... Metaverse
  ... Action Plan" and "Shanghai patents" the observations of Shanghai whose
  indicator speaks of patents;
- its dates as people write them ("30 May 2023", "2023年5月30日", "2023-05-30")
  and its numbers as written ("300 billion", "3000亿", "300000000000") (2);
- its descriptions (``skos:definition``, ``rdfs:comment``) and those of its
  indicator (3);
- the phrases of its evidence (``pk:evidence`` / ``oa:exact``) and their
  glosses (``pk:gloss``) (4).

Text is compared in one folded form, :func:`fold`: NFKC, case-folded, and
Chinese characters turned into simplified Chinese by OpenCC (Japanese
shinjitai to traditional, then Taiwan traditional to simplified with its
phrases), so 人工智慧 meets 人工智能 and 經濟 meets 経済 and 经济. Labels keep
their own script; only the matching form is folded. :func:`terms` cuts
folded text into words (Latin words with plurals stemmed, numbers with their
thousands separators dropped) and CJK character pairs.

:func:`rank_key` is the one ranking of search, autocomplete, name lookup,
the ``label-search`` query, reconciliation and document linking: exact
names, then names that start with the text, then names containing it or
documents holding every word, then documents holding most words, then close
spellings ("did you mean"); within each, the best field (a preferred label
before an alias), then the entity's :func:`priority` (programs, policies,
government bodies, organizations, people, places and sources in that order,
then other things that carry evidence, other instances, vocabulary concepts
and ontology terms), shorter names first, and the IRI.

Postings are read in that static order and at most :data:`POSTING_CAP`
documents per word, so a query never reads every document.
"""

from __future__ import annotations

import bisect
import heapq
import re
import unicodedata
from array import array
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox

from ..namespaces import PK, PKD, PREFIXES

_RDF, _RDFS, _SKOS, _XSD = PREFIXES["rdf"], PREFIXES["rdfs"], PREFIXES["skos"], PREFIXES["xsd"]
RDF_TYPE = _RDF + "type"
#: Properties whose values name a thing; the first two are its preferred labels.
LABEL_PROPS = (_RDFS + "label", _SKOS + "prefLabel", _SKOS + "altLabel", PREFIXES["dct"] + "title")
#: The names that are an entity's preferred labels; the others are aliases.
PREFERRED_PROPS = LABEL_PROPS[:2]
DESCRIPTION_PROPS = (_SKOS + "definition", _RDFS + "comment")
#: Links whose target's names describe the entity: its type, kind, indicator, area, role and unit.
RELATED_PROPS = (RDF_TYPE, PK + "policyKind", PK + "indicator", PREFIXES["sdmx-dimension"] + "refArea",
                 PREFIXES["org"] + "role", PK + "unit")
#: Links whose target's descriptions describe the entity too (an indicator's definition).
DESCRIBED_BY = (PK + "indicator",)
EVIDENCE, EXACT, GLOSS = PK + "evidence", PREFIXES["oa"] + "exact", PK + "gloss"
DATE_TYPES = {_XSD + t for t in ("date", "dateTime", "gYear", "gYearMonth")}
NUMBER_TYPES = {_XSD + t for t in ("integer", "decimal", "double", "float", "nonNegativeInteger",
                                   "positiveInteger", "int", "long")}
#: Field weights: lower is a better place for a word to be found.
WEIGHTS = {"label": 0, "alias": 1, "related": 2, "date": 2, "number": 2, "description": 3, "evidence": 4,
           "gloss": 4}
#: Ranking tiers.
EXACT_NAME, PREFIX_NAME, ALL_TERMS, SOME_TERMS, FUZZY = range(5)
TIER_NAMES = ("exact", "prefix", "match", "partial", "fuzzy")
#: The most documents read from one word's postings (in rank order).
POSTING_CAP = 4000
#: The most words of a query that are looked up (a pasted paragraph costs no more than this).
MAX_TERMS = 16
#: For equal text, instances of these classes come first, in this order: what analysts ask about, and
#: what a name shared by several entities most likely means in a document (a subclass's instance has
#: its superclasses too, so a partner program is found under its own class before org:Organization).
RANKED_CLASSES = (PK + "PartnerProgram", PK + "PolicyDocument", PK + "GovernmentBody",
                  PREFIXES["org"] + "Organization", PREFIXES["foaf"] + "Person", PK + "Place", PK + "Source")
#: Nodes that are parts of other entities' documents, not documents of their own.
PART_TYPES = {PK + "Evidence", PREFIXES["oa"] + "TextQuoteSelector"}

_CJK = ("\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af"
        "\U00020000-\U0002fa1f")
_TOKEN = re.compile(rf"(?P<num>\d{{1,3}}(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?)|(?P<cjk>[{_CJK}]+)"
                    rf"|(?P<word>[^\W\d_{_CJK}]+)")


@lru_cache(maxsize=1)
def _converters():
    import opencc

    # jp2t: Japanese shinjitai to traditional (経済 -> 經濟); tw2sp: Taiwan traditional to simplified,
    # with OpenCC's phrase table (人工智慧 -> 人工智能).
    return opencc.OpenCC("jp2t"), opencc.OpenCC("tw2sp")


def fold(text: str) -> str:
    """The form text is matched in: NFKC, case-folded, trimmed, Chinese characters simplified.

    >>> fold("人工智慧") == fold("人工智能"), fold("ＢＡＩＤＵ"), fold("経済") == fold("经济")
    (True, 'baidu', True)
    """
    text = unicodedata.normalize("NFKC", text).casefold().strip()
    if text.isascii():
        return text
    japanese_to_traditional, traditional_to_simplified = _converters()
    return traditional_to_simplified.convert(japanese_to_traditional.convert(text))


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """:func:`fold` for matching inside a document: the folded text, and for each of its characters
    the index in ``text`` it came from (for mentions, which report where a name was found).

    Lines are folded whole, so OpenCC's phrases apply (人工智慧 -> 人工智能); a line whose folded form
    changes length is folded character by character instead, keeping every offset exact.

    >>> fold_with_offsets("Ｂ人工智慧")
    ('b人工智能', [0, 1, 2, 3, 4])
    """
    out: list[str] = []
    where: list[int] = []
    start = 0
    for line in text.splitlines(keepends=True):
        chars, owners = [], []
        for i, ch in enumerate(line):
            n = unicodedata.normalize("NFKC", ch).casefold() if not ch.isascii() else ch.lower()
            chars.append(n)
            owners.extend([start + i] * len(n))
        plain = "".join(chars)
        if plain.isascii():
            folded = plain
        else:
            japanese_to_traditional, traditional_to_simplified = _converters()
            folded = traditional_to_simplified.convert(japanese_to_traditional.convert(plain))
            if len(folded) != len(plain):
                folded = "".join(traditional_to_simplified.convert(japanese_to_traditional.convert(c))
                                 if len(c) == 1 else c for c in plain)
                if len(folded) != len(plain):
                    folded = plain
        out.append(folded)
        where.extend(owners)
        start += len(line)
    return "".join(out), where


#: Chinese characters (after NFKC): what OpenCC converts, in runs, for matching in a stream.
HAN = "\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f"


@lru_cache(maxsize=1 << 16)
def simplify_run(run: str) -> str:
    """A run of Chinese characters (already NFKC and case-folded) simplified as :func:`fold` does,
    one character for one, so that offsets into the run stay exact (for document linking).

    A run whose phrase conversion changes its length (記憶體 -> 内存) is converted character by
    character; a character that would still change length is kept.

    >>> simplify_run("人工智慧"), simplify_run("経済")
    ('人工智能', '经济')
    """
    japanese_to_traditional, traditional_to_simplified = _converters()
    out = traditional_to_simplified.convert(japanese_to_traditional.convert(run))
    if len(out) == len(run):
        return out
    chars = (traditional_to_simplified.convert(japanese_to_traditional.convert(c)) for c in run)
    return "".join(n if len(n) == 1 else c for c, n in zip(run, chars))


#: Names come back from every query: fold each once.
_fold_name = lru_cache(maxsize=1 << 16)(fold)


def stem(word: str) -> str:
    """An English word without its plural ending: patents -> patent, policies -> policy."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith("sses"):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _number(text: str) -> str:
    whole, _, frac = text.replace(",", "").partition(".")
    whole = whole.lstrip("0") or "0"
    return whole + ("." + frac if frac else "")


def terms(folded: str) -> list[str]:
    """The words of folded text, in order: stemmed Latin words, numbers, CJK character pairs.

    >>> terms(fold("Digital-economy patents, 3,000億 (2023年5月)"))
    ['digital', 'economy', 'patent', '3000', '亿', '2023', '年', '5', '月']
    """
    out = []
    for m in _TOKEN.finditer(folded):
        kind = m.lastgroup
        text = m.group()
        if kind == "num":
            out.append(_number(text))
        elif kind == "word":
            out.append(stem(text))
        elif len(text) == 1:
            out.append(text)
        else:
            out.extend(text[k:k + 2] for k in range(len(text) - 1))
    return out


def highlight(text: str, query: str) -> list[tuple[str, bool]]:
    """``text`` cut into ``(segment, matched)`` pieces: the query and its words marked.

    Words are found as the index finds them (:func:`terms`): "patents" is
    marked for "patent", "2023" for "2023-05-30", 人工智慧 for 人工智能. The
    pieces are plain text; the template escapes each and wraps the matched
    ones in ``<mark>``.

    >>> highlight("Shanghai digital technology patents", "Patent shanghai")
    [('Shanghai', True), (' digital technology ', False), ('patents', True)]
    """
    joined, owner = fold_with_offsets(text)
    wanted = fold(query)
    pieces = set(terms(wanted))
    marks = bytearray(len(text))

    def mark(start: int, end: int) -> None:
        s, e = owner[start], owner[end - 1] + 1
        marks[s:e] = b"\x01" * (e - s)

    for m in _TOKEN.finditer(joined):
        kind, found = m.lastgroup, m.group()
        if kind == "num" and _number(found) in pieces or kind == "word" and stem(found) in pieces:
            mark(m.start(), m.end())
        elif kind == "cjk":
            for k in range(len(found)):
                if found[k:k + 2] in pieces:
                    mark(m.start() + k, m.start() + min(k + 2, len(found)))
                elif found[k] in pieces:
                    mark(m.start() + k, m.start() + k + 1)
    at = joined.find(wanted) if wanted else -1
    while at != -1:
        mark(at, at + len(wanted))
        at = joined.find(wanted, at + 1)
    out: list[tuple[str, bool]] = []
    for i, ch in enumerate(text):
        on = bool(marks[i])
        if out and out[-1][1] == on:
            out[-1] = (out[-1][0] + ch, on)
        else:
            out.append((ch, on))
    return out


def rank_key(tier: int, missing: int, weight: int, priority: int, length: int, iri: str) -> tuple:
    """The one ranking: lower is better (see the module docstring).

    ``tier``: :data:`EXACT_NAME` .. :data:`FUZZY`; ``missing``: words of the
    text the entity lacks; ``weight``: the :data:`WEIGHTS` of the field that
    matched; ``priority``: :func:`priority`; ``length``: of the matched name.
    """
    return (tier, missing, weight, priority, length, iri)


def name_field(prop: str) -> str:
    """The field a name given by ``prop`` is: "label" for a preferred label, "alias" for another name."""
    return "label" if prop in PREFERRED_PROPS else "alias"


def name_tier(wanted: str, name: str) -> int:
    """The tier of a folded ``name`` that contains the folded text ``wanted``."""
    return EXACT_NAME if name == wanted else PREFIX_NAME if name.startswith(wanted) else ALL_TERMS


def priority(iri: str, types, has_evidence: bool) -> int:
    """Where an entity stands among entities whose text matches equally well: lower first.

    The first of :data:`RANKED_CLASSES` it is an instance of; else anything
    that carries evidence; else another instance of the graph; else a
    vocabulary concept; else an ontology term.
    """
    for k, cls in enumerate(RANKED_CLASSES):
        if cls in types:
            return k
    n = len(RANKED_CLASSES)
    if has_evidence:
        return n
    if iri.startswith(PKD):
        return n + 1
    if _SKOS + "Concept" in types or "/vocab/" in iri:
        return n + 2
    return n + 3


def priorities(store: ox.Store, iris) -> dict[str, int]:
    """:func:`priority` of each of ``iris``, read from ``store`` (types, entailed supertypes included, and
    ``pk:evidence``)."""
    graph = ox.DefaultGraph()
    types: dict[str, set[str]] = {}
    for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, graph):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            types.setdefault(q.subject.value, set()).add(q.object.value)
    with_evidence = {q.subject.value for q in store.quads_for_pattern(None, ox.NamedNode(EVIDENCE), None, graph)
                     if isinstance(q.subject, ox.NamedNode)}
    return {iri: priority(iri, types.get(iri, ()), iri in with_evidence) for iri in iris}


@dataclass(frozen=True)
class Hit:
    """One ranked search result."""

    iri: str
    tier: int  # EXACT_NAME .. FUZZY
    key: tuple  # rank_key(...)
    matched: str = ""  # the name that matched, for the name tiers (see TextIndex.matched_field otherwise)
    matched_lang: str = ""

    @property
    def kind(self) -> str:
        return TIER_NAMES[self.tier]


class TextIndex:
    """Word postings over one document per named entity; built from the store and the label index."""

    def __init__(self, store: ox.Store, labels):
        self.store = store
        self.labels = labels
        graph = ox.DefaultGraph()
        types: dict[str, set[str]] = {}
        for q in store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), None, graph):
            if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
                types.setdefault(q.subject.value, set()).add(q.object.value)
        self.types = types
        docs = [iri for iri in labels.labels if not types.get(iri, set()) & PART_TYPES]
        self.priority = labels.priority
        self.length = {iri: min((len(t) for t, _, _ in labels.labels[iri]), default=0) for iri in docs}
        self.docs = sorted(docs, key=lambda i: (self.priority[i], self.length[i], i))
        self.number = {iri: n for n, iri in enumerate(self.docs)}
        postings: dict[str, tuple[array, bytearray]] = {}
        words_of: dict[str, frozenset[str]] = {}  # type labels and indicator definitions repeat across documents
        for n, iri in enumerate(self.docs):
            best: dict[str, int] = {}
            for field, text, _ in self.fields(iri):
                weight = WEIGHTS[field]
                found = words_of.get(text)
                if found is None:
                    found = words_of[text] = frozenset(terms(fold(text)))
                for term in found:
                    if best.get(term, 99) > weight:
                        best[term] = weight
            for term, weight in best.items():
                seen = postings.get(term)
                if seen is None:
                    seen = postings[term] = (array("I"), bytearray())
                seen[0].append(n)
                seen[1].append(weight)
        # Documents were added in number order, so each posting is already sorted.
        self.postings = {t: (docs, bytes(weights)) for t, (docs, weights) in postings.items()}
        self.vocabulary = sorted(self.postings)
        self.by_type: dict[str, list[int]] = {}
        for n, iri in enumerate(self.docs):
            for t in types.get(iri, ()):
                self.by_type.setdefault(t, []).append(n)

    # -- what a document holds -----------------------------------------------------------------

    def fields(self, iri: str):
        """``(field, text, lang)`` for every text of ``iri``'s document (see the module docstring)."""
        from ..wording import format_date, format_number

        store, graph = self.store, ox.DefaultGraph()
        for text, lang, prop in self.labels.labels.get(iri, ()):
            yield name_field(prop), text, lang
        # One read of the node's triples; the predicate says what each value gives.
        evidence = []
        for q in store.quads_for_pattern(ox.NamedNode(iri), None, None, graph):
            prop, value = q.predicate.value, q.object
            if isinstance(value, ox.NamedNode):
                if prop in RELATED_PROPS:
                    for text, lang, p in self.labels.labels.get(value.value, ()):
                        if p in LABEL_PROPS[:3]:
                            yield "related", text, lang
                    if prop in DESCRIBED_BY:
                        yield from self._descriptions(value)
                elif prop == EVIDENCE:
                    evidence.append(value)
                continue
            if not isinstance(value, ox.Literal):
                continue
            if prop in DESCRIPTION_PROPS:
                yield "description", value.value, value.language or ""
                continue
            datatype = value.datatype.value if value.datatype is not None else ""
            if datatype in DATE_TYPES:
                yield "date", value.value, ""
                for lang in ("en", "ja"):
                    written = format_date(value.value[:10], lang)
                    if written != value.value:
                        yield "date", written, lang
            elif datatype in NUMBER_TYPES:
                yield "number", value.value, ""
                for lang in ("en", "ja", "zh"):
                    written = format_number(value.value, lang)
                    if written != value.value:
                        yield "number", written, lang
        for ev in evidence:
            for q in store.quads_for_pattern(ev, None, None, graph):
                if isinstance(q.object, ox.Literal) and q.predicate.value in (EXACT, GLOSS):
                    yield ("evidence" if q.predicate.value == EXACT else "gloss"), q.object.value, \
                        q.object.language or ""

    def _descriptions(self, node: ox.NamedNode) -> list[tuple[str, str, str]]:
        cache = self.__dict__.setdefault("_description_cache", {})
        found = cache.get(node.value)
        if found is None:
            found = cache[node.value] = [
                ("description", q.object.value, q.object.language or "")
                for q in self.store.quads_for_pattern(node, None, None, ox.DefaultGraph())
                if q.predicate.value in DESCRIPTION_PROPS and isinstance(q.object, ox.Literal)]
        return found

    def matched_field(self, iri: str, text: str, names_only: bool = False) -> tuple[str, str, str]:
        """``(field, text, lang)``: the text of ``iri`` that holds most of the words of ``text``, best field first."""
        wanted = fold(text)
        want = set(terms(wanted))
        best, best_key = ("label", self.labels.best(iri), ""), None
        texts = self.fields(iri) if not names_only else (
            (name_field(prop), value, lang)
            for value, lang, prop in self.labels.labels.get(iri, ()))
        for field, value, lang in texts:
            folded = fold(value)
            have = set(terms(folded))
            found, whole = len(want & have), bool(wanted) and wanted in folded
            if not found and not whole:
                continue
            key = (-max(found, len(want) if whole else 0), WEIGHTS[field], not whole, len(value))
            if best_key is None or key < best_key:
                best, best_key = (field, value, lang), key
        return best

    # -- search ----------------------------------------------------------------------------------

    def _term_docs(self, term: str, prefix: bool, cap: int) -> dict[int, int]:
        """Documents holding ``term`` (or, with ``prefix``, a word starting with it): number -> best weight."""
        keys = [term]
        if prefix:
            lo = bisect.bisect_left(self.vocabulary, term)
            keys = []
            for k in range(lo, min(lo + 64, len(self.vocabulary))):
                if not self.vocabulary[k].startswith(term):
                    break
                keys.append(self.vocabulary[k])
        out: dict[int, int] = {}
        budget = cap  # documents read in all, over every word the prefix stands for
        for key in keys:
            docs, weights = self.postings.get(key, (array("I"), b""))
            for n, w in zip(docs[:budget], weights[:budget]):
                if out.get(n, 99) > w:
                    out[n] = w
            budget -= min(len(docs), budget)
            if budget <= 0:
                break
        return out

    def find(self, text: str, *, limit: int = 50, types=None, names_only: bool = False,
             prefix: bool = False, fuzzy: bool = True) -> list[Hit]:
        """Ranked hits for ``text`` (see :func:`rank_key`), at most ``limit``.

        ``types`` keeps instances of those class IRIs (the store holds the
        entailed supertypes, so a superclass finds its subclasses' instances).
        ``names_only`` matches names only (autocomplete); ``prefix`` lets the
        last word be the start of a word (typing "Bai" finds Baidu).
        """
        wanted = fold(text)
        if not wanted or limit <= 0:
            return []
        allowed = None
        if types:
            allowed = set()
            for t in types:
                allowed.update(self.by_type.get(t, ()))
        cap = POSTING_CAP * (4 if allowed is not None else 1)
        found: dict[str, Hit] = {}

        def add(hit: Hit) -> None:
            old = found.get(hit.iri)
            if old is None or hit.key < old.key:
                found[hit.iri] = hit

        def ok(iri: str) -> bool:
            n = self.number.get(iri)
            return n is not None and (allowed is None or n in allowed)

        for iri, label, lang in self.labels.search(text, max(limit, 10) * (8 if allowed is not None else 2)):
            if not ok(iri):
                continue
            tier = name_tier(wanted, _fold_name(label))
            weight = self.labels.weight(iri, label, lang)
            add(Hit(iri, tier, rank_key(tier, 0, weight, self.priority[iri], len(label), iri), label, lang))
        words = list(dict.fromkeys(terms(wanted)))[:MAX_TERMS]
        if words:
            per_term = [self._term_docs(w, prefix and k == len(words) - 1 and not wanted[-1:].isspace(), cap)
                        for k, w in enumerate(words)]
            counts: dict[int, list] = {}
            for matches in per_term:
                for n, w in matches.items():
                    if names_only and w > WEIGHTS["alias"]:
                        continue
                    entry = counts.setdefault(n, [0, 0])
                    entry[0] += 1
                    entry[1] = max(entry[1], w)
            need = len(words) if len(words) < 3 else (len(words) + 1) // 2
            # Documents are numbered in rank order (priority, length, IRI), so the number stands in for
            # those parts of the key until the few best become hits.
            scored = [(ALL_TERMS if hits == len(words) else SOME_TERMS, len(words) - hits, weight, n)
                      for n, (hits, weight) in counts.items()
                      if (hits >= need or hits == len(words)) and (allowed is None or n in allowed)]
            complete_match = any(s[0] == ALL_TERMS for s in scored)
            for tier, missing, weight, n in heapq.nsmallest(limit + len(found), scored):
                iri = self.docs[n]
                add(Hit(iri, tier, rank_key(tier, missing, weight, self.priority[iri], self.length[iri], iri)))
        else:
            complete_match = False
        if fuzzy and not complete_match and not any(h.tier <= ALL_TERMS for h in found.values()):
            for name, iri in self.labels.suggest(text):
                if ok(iri):
                    add(Hit(iri, FUZZY, rank_key(FUZZY, 0, 0, self.priority[iri], len(name), iri), name, ""))
        return sorted(found.values(), key=lambda h: h.key)[:limit]

    # -- types -------------------------------------------------------------------------------------

    def main_type(self, iri: str) -> str | None:
        """The most specific type of ``iri``, or None: see :meth:`LabelIndex.main_type
        <policykg.rdf.labels.LabelIndex.main_type>`."""
        return self.labels.main_type(iri)


def most_specific_type(types, parents: dict[str, set[str]]) -> str | None:
    """Of an entity's ``types``, one that no other of them is a subclass of; the policykg ontology's
    first, then the first by IRI. ``parents``: class -> its superclasses (the store holds the closure,
    so direct edges suffice). The ``label-search`` query's ``?type`` says the same in SPARQL.
    """
    minimal = [t for t in types if not any(n != t and t in parents.get(n, ()) for n in types)]
    return min(minimal, key=lambda t: (not t.startswith(PK), t), default=None)
