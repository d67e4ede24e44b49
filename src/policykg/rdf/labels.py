"""Labels: the one place that decides what an entity is called.

:data:`DISPLAY_LABELS` is the label fallback, written once: for each reader
language, the thing's label (``rdfs:label`` or ``skos:prefLabel``) in that
language, else in English, Japanese or Chinese, in that order, else any
label, and only when it has no label at all an alias or title. The loader
runs it on the store, which then holds one ``pk:displayLabel`` per subject
and reader language (tagged with the reader's language). Canned queries read
it with one triple pattern; Python reads it through :class:`LabelIndex`,
which also gathers every name of every subject for search and lookup.

:func:`resolve_entity` turns what a user types (an IRI, a ``pkd:`` name, or
any label or alias in any language) into an IRI.

Names are matched in one folded form, :func:`normalise` (NFKC, case-folded,
Chinese characters simplified by OpenCC, so 人工智慧 finds 人工智能), by
lookup, search, autocomplete and reconciliation alike. Beyond names,
:meth:`LabelIndex.find` (the search page) and :meth:`LabelIndex.complete`
(autocomplete) read the full-text index of :mod:`policykg.rdf.textindex`;
:meth:`LabelIndex.suggest` is the one "did you mean" matcher.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import threading
from functools import cached_property

import pyoxigraph as ox

from ..errors import EntityNotFoundError
from ..namespaces import PK, PKD, PREFIXES, shorten
from .textindex import (LABEL_PROPS, PREFERRED_PROPS, WEIGHTS, Hit, TextIndex, fold, most_specific_type,
                        name_field, name_tier, priorities, priority, rank_key)
_RDF_TYPE = ox.NamedNode(PREFIXES["rdf"] + "type")
_SUBCLASS = ox.NamedNode(PREFIXES["rdfs"] + "subClassOf")
#: Reader languages, and the order in which other languages stand in for a missing one.
LANG_ORDER = ("en", "ja", "zh")
DISPLAY_LABEL = PK + "displayLabel"

# The sort key of a candidate label: labels before aliases and titles, then the
# language rank (reader, en, ja, zh, none, other), then the property, then the text.
DISPLAY_LABELS = f"""
INSERT {{ ?s <{DISPLAY_LABEL}> ?display }}
WHERE {{
  {{
    SELECT ?s ?reader (MIN(?key) AS ?best) WHERE {{
      VALUES ?reader {{ {" ".join(f'"{lang}"' for lang in LANG_ORDER)} }}
      VALUES (?p ?group ?rank) {{ {" ".join(f"(<{p}> {int(i >= 2)} {i})" for i, p in enumerate(LABEL_PROPS))} }}
      ?s ?p ?l .
      FILTER(isIRI(?s) && isLiteral(?l))
      BIND(LANG(?l) AS ?lang)
      BIND(IF(?lang = ?reader, 0, IF(?lang = "en", 1, IF(?lang = "ja", 2, IF(?lang = "zh", 3,
           IF(?lang = "", 4, 5))))) AS ?langRank)
      BIND(CONCAT(STR(?group), STR(?langRank), STR(?rank), STR(?l)) AS ?key)
    }} GROUP BY ?s ?reader
  }}
  BIND(STRLANG(SUBSTR(?best, 4), ?reader) AS ?display)
}}
"""


def normalise(text: str) -> str:
    """The form names are matched in: NFKC, case-folded, Chinese characters simplified.

    One folding for lookup, search, autocomplete and reconciliation
    (:func:`policykg.rdf.textindex.fold`): 人工智慧 finds 人工智能.
    """
    return fold(text)


#: One build of a full-text index at a time (builds are rare: once per loaded graph).
_TEXT_INDEX_LOCK = threading.Lock()


@dataclass
class LabelIndex:
    """Every label of every named subject: ``iri -> [(text, lang, property)]``."""

    labels: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    display: dict[tuple[str, str], str] = field(default_factory=dict)  # (iri, reader language) -> label
    store: ox.Store | None = field(default=None, repr=False, compare=False)  # for the full-text index

    @classmethod
    def build(cls, store: ox.Store) -> "LabelIndex":
        """Every name in ``store``, and the display labels the loader computed (see :data:`DISPLAY_LABELS`)."""
        index = cls(store=store)
        graph = ox.DefaultGraph()
        for q in store.quads_for_pattern(None, ox.NamedNode(DISPLAY_LABEL), None, graph):
            index.display[q.subject.value, q.object.language] = q.object.value
        for prop in LABEL_PROPS:
            for q in store.quads_for_pattern(None, ox.NamedNode(prop), None, graph):
                if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.Literal):
                    index.labels.setdefault(q.subject.value, []).append(
                        (q.object.value, q.object.language or "", prop))
        for entries in index.labels.values():
            entries.sort(key=lambda e: (LABEL_PROPS.index(e[2]), e[1], e[0]))
        return index

    def label(self, iri: str, lang: str = "en") -> str | None:
        """The display label of ``iri`` for a reader of ``lang``, or None if it has no name."""
        found = self.display.get((iri, lang))
        if found is None and lang not in LANG_ORDER:
            found = self.display.get((iri, LANG_ORDER[0]))
        return found

    def best(self, iri: str, lang: str = "en") -> str:
        """:meth:`label`, or the prefixed IRI when there is no label."""
        return self.label(iri, lang) or shorten(iri)

    def preferred(self, iri: str) -> dict[str, str]:
        """The preferred label in each language (the first one, if a language has two)."""
        out: dict[str, str] = {}
        for text, lang, prop in self.labels.get(iri, ()):
            if prop in PREFERRED_PROPS:
                out.setdefault(lang, text)
        return out

    def aliases(self, iri: str) -> list[tuple[str, str]]:
        """Every other name of ``iri``: ``(text, lang)``, sorted."""
        preferred = self.preferred(iri)
        return sorted({(text, lang) for text, lang, _ in self.labels.get(iri, ())
                       if preferred.get(lang) != text})

    def names(self, iri: str) -> list[str]:
        """Every label, title and alias of ``iri``."""
        return [text for text, _, _ in self.labels.get(iri, ())]

    @cached_property
    def priority(self) -> dict[str, int]:
        """Every named subject's :func:`~policykg.rdf.textindex.priority` (part of the one ranking)."""
        if self.store is None:
            return {iri: priority(iri, (), False) for iri in self.labels}
        return priorities(self.store, self.labels)

    def weight(self, iri: str, text: str, lang: str) -> int:
        """The :data:`~policykg.rdf.textindex.WEIGHTS` of a name: 0 for a preferred label, 1 for an alias or title."""
        return min((WEIGHTS[name_field(prop)] for t, l, prop in self.labels.get(iri, ()) if t == text and l == lang),
                   default=WEIGHTS["alias"])

    def main_type(self, iri: str) -> str | None:
        """The most specific type of ``iri``
        (:func:`~policykg.rdf.textindex.most_specific_type`), or None; read from the store when first
        asked for, then kept."""
        cache = self.__dict__.setdefault("_main_types", {})
        if iri in cache:
            return cache[iri]
        found = None
        if self.store is not None:
            graph, supers = ox.DefaultGraph(), self.__dict__.setdefault("_superclasses", {})
            types = {q.object.value for q in self.store.quads_for_pattern(ox.NamedNode(iri), _RDF_TYPE, None, graph)
                     if isinstance(q.object, ox.NamedNode)}
            for t in types - supers.keys():
                supers[t] = {q.object.value for q in self.store.quads_for_pattern(ox.NamedNode(t), _SUBCLASS, None, graph)
                             if isinstance(q.object, ox.NamedNode)}
            found = most_specific_type(types, supers)
        cache[iri] = found
        return found

    @cached_property
    def _by_name(self) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for iri, entries in self.labels.items():
            for text, _, _ in entries:
                out.setdefault(normalise(text), set()).add(iri)
        return out

    def lookup(self, name: str) -> set[str]:
        """Every subject one of whose names is ``name``, ignoring case and width."""
        return set(self._by_name.get(normalise(name), ()))

    @cached_property
    def _search_index(self):
        """Every name, normalised, numbered in rank order, with three ways into them.

        A name is one ``(normalised, iri, label, lang, weight)`` row per
        entity, text and language (its best property). Rows are numbered by
        :func:`~policykg.rdf.textindex.rank_key` without its tier (preferred
        labels before aliases, then the entity's priority, shorter names
        first, then IRI), so any list of numbers in ascending order is in rank
        order within a tier. ``exact`` maps a normalised name to its numbers,
        ``ordered`` lists the names sorted for prefix look-ups, and ``grams``
        maps each character and pair of characters to the names holding it.
        """
        from array import array

        best: dict[tuple[str, str, str], int] = {}
        for iri, labels in self.labels.items():
            for label, lang, prop in labels:
                weight = WEIGHTS[name_field(prop)]
                if best.get((iri, label, lang), 99) > weight:
                    best[iri, label, lang] = weight
        prio = self.priority
        rows = sorted(((normalise(label), iri, label, lang, weight) for (iri, label, lang), weight in best.items()),
                      key=lambda e: (e[4], prio[e[1]], len(e[2]), e[1], e[0], e[3]))
        exact: dict[str, list[int]] = {}
        grams: dict[str, list[int]] = {}
        for number, row in enumerate(rows):
            n = row[0]
            exact.setdefault(n, []).append(number)
            for gram in {*n, *(n[k:k + 2] for k in range(len(n) - 1))}:
                grams.setdefault(gram, []).append(number)
        ordered = sorted((row[0], number) for number, row in enumerate(rows))
        return (rows, exact, [n for n, _ in ordered], [number for _, number in ordered],
                {g: array("I", ids) for g, ids in grams.items()})

    def _key(self, wanted: str, row) -> tuple:
        n, iri, label, _, weight = row
        return rank_key(name_tier(wanted, n), 0, weight, self.priority[iri], len(label), iri)

    def search(self, text: str, limit: int = 50) -> list[tuple[str, str, str]]:
        """``(iri, matched name, lang)`` for names containing ``text``, in any language and script.

        Folded as everywhere (:func:`normalise`) and ranked by the one
        ranking (:func:`~policykg.rdf.textindex.rank_key`): exact names
        first, then names that start with the text, then the others; within
        each, preferred labels before aliases, then the entity's priority,
        shorter names first; one row per entity, its best name. Exact names
        come from a dictionary, prefixes from a sorted list, and the rest from
        the names holding the text's rarest pair of characters, read in rank
        order until ``limit`` entities are found, so a lookup never reads
        every name.
        """
        import bisect
        import heapq

        wanted = normalise(text)
        if not wanted:
            return []
        rows, exact, names, numbers, grams = self._search_index
        found: dict[str, tuple[str, str]] = {}

        def take(candidates) -> bool:
            for number in candidates:
                _, iri, label, lang, _ = rows[number]
                if iri not in found:
                    found[iri] = (label, lang)
                    if len(found) >= limit:
                        return True
            return False

        if take(exact.get(wanted, ())):
            return [(iri, *found[iri]) for iri in found]
        lo = bisect.bisect_left(names, wanted)
        hi = bisect.bisect_left(names, wanted + "\U0010ffff")
        prefixed = [numbers[k] for k in range(lo, hi) if names[k] != wanted]
        if take(heapq.nsmallest(limit * 4, prefixed)) or len(prefixed) > limit * 4 and take(sorted(prefixed)):
            return [(iri, *found[iri]) for iri in found]
        postings = self._postings(wanted)
        if postings is not None:
            take(number for number in postings
                 if wanted in rows[number][0] and not rows[number][0].startswith(wanted))
        return [(iri, *found[iri]) for iri in found]

    def _postings(self, wanted: str):
        """The numbers of the names that may contain ``wanted`` (those holding its rarest character pair), or
        None when some pair occurs in no name."""
        grams = self._search_index[4]
        postings = [grams.get(key) for key in ({wanted[k:k + 2] for k in range(len(wanted) - 1)} or {wanted})]
        if any(p is None for p in postings):
            return None
        return min(postings, key=len)

    def matches(self, text: str) -> list[tuple[str, str, str]]:
        """Every ``(iri, name, lang)`` whose name contains ``text`` (folded), ranked: the ``label-search``
        query on the local store (:mod:`policykg.sparql.indexed`).

        One row per entity, name and language, in the order of
        :func:`~policykg.rdf.textindex.rank_key`, then name and language.
        Read from the postings of the text's rarest character pair, so the
        cost follows the names that hold that pair, not the graph.

        >>> import policykg
        >>> [name for _, name, _ in policykg.load().labels.matches("百度")]
        ['百度', '百度网讯', '北京百度网讯科技有限公司']
        """
        wanted = normalise(text)
        if not wanted:
            return []
        rows = self._search_index[0]
        postings = self._postings(wanted) or ()
        found = [rows[number] for number in postings if wanted in rows[number][0]]
        found.sort(key=lambda row: (self._key(wanted, row), row[2], row[3]))
        return [(iri, label, lang) for _, iri, label, lang, _ in found]

    # -- full text: search, autocomplete, "did you mean" -------------------------------------------

    @property
    def text_index_built(self) -> bool:
        """Whether the full-text index exists yet (the server's warm-up builds it before any visitor asks)."""
        return "_text_index" in self.__dict__

    @property
    def text_index(self) -> TextIndex:
        """The full-text index over names, descriptions, dates, numbers and evidence (built on first use).

        Built once even when several threads ask at once (the server's warm-up and a first search):
        functools.cached_property holds no lock since Python 3.12.
        """
        index = self.__dict__.get("_text_index")
        if index is None:
            if self.store is None:
                raise ValueError("a LabelIndex built without its store has no full-text index")
            with _TEXT_INDEX_LOCK:
                index = self.__dict__.get("_text_index")
                if index is None:
                    index = self.__dict__["_text_index"] = TextIndex(self.store, self)
        return index

    def find(self, text: str, *, limit: int = 50, types=None) -> list[Hit]:
        """Everything the graph says that matches ``text``, ranked (:func:`~policykg.rdf.textindex.rank_key`).

        Exact names first, then names starting with the text, then names
        containing it and entities whose texts (labels in any language,
        types, descriptions, dates and numbers as people write them, evidence
        phrases and glosses) hold every word, then those holding most words,
        then close spellings. An exact name never hides the rest.

        >>> import policykg
        >>> hits = policykg.load().labels.find("Beijing")
        >>> hits[0].iri, hits[0].kind, len(hits) > 10
        ('https://w3id.org/policykg/id/beijing', 'exact', True)
        """
        return self.text_index.find(text, limit=limit, types=_class_iris(types))

    def complete(self, text: str, types=None, lang: str = "en", limit: int = 10) -> list[dict]:
        """Names for autocomplete: entities whose names match ``text`` as it is being typed.

        ``types``: class IRIs or prefixed names (an instance of a subclass
        counts). Each result: ``iri``, ``label`` (for a reader of ``lang``),
        ``type`` (the most specific class IRI, or ""), ``typeLabel``,
        ``matched`` (the name that matched, in its own script) and
        ``matchedLang``.

        >>> import policykg
        >>> first = policykg.load().labels.complete("百", types=["org:Organization"])[0]
        >>> first["iri"], first["matched"], first["typeLabel"]
        ('https://w3id.org/policykg/id/baidu-netcom', '百度', 'organization')
        """
        index = self.text_index
        out = []
        for hit in index.find(text, limit=max(0, limit), types=_class_iris(types), names_only=True, prefix=True,
                              fuzzy=False):
            matched, matched_lang = hit.matched, hit.matched_lang
            if not matched:
                _, matched, matched_lang = index.matched_field(hit.iri, text, names_only=True)
            cls = index.main_type(hit.iri)
            out.append({"iri": hit.iri, "label": self.best(hit.iri, lang), "type": cls or "",
                        "typeLabel": self.best(cls, lang) if cls else "", "matched": matched,
                        "matchedLang": matched_lang})
        return out

    @cached_property
    def _suggestion_names(self) -> tuple[list[str], dict[str, tuple[str, str]]]:
        # The names of things in the graph (not of ontology terms), later subjects winning a shared name.
        every = {normalise(t): (t, s) for s in sorted(self.labels) if s.startswith(PKD) for t in self.names(s)}
        return list(every), every

    def suggest(self, text: str, n: int = 5) -> list[tuple[str, str]]:
        """``(name, iri)`` of the names closest in spelling to ``text``, best first ("did you mean").

        The one matcher for suggestions: the CLI's lookup and the search page both use it.
        """
        import difflib

        keys, every = self._suggestion_names
        return [every[c] for c in difflib.get_close_matches(normalise(text), keys, n=n, cutoff=0.6)]


def _class_iris(types) -> list[str] | None:
    """Class IRIs from IRIs or prefixed names (``org:Organization``)."""
    if not types:
        return None
    out = []
    for t in types:
        prefix, sep, local = t.partition(":")
        out.append(PREFIXES[prefix] + local if sep and prefix in PREFIXES and not local.startswith("//") else t)
    return out


def best_matches(wanted: str, entries, priority: dict[str, int], limit: int = 50) -> list[tuple[str, str, str]]:
    """Of ``(normalised name, iri, label, lang, weight)`` entries, those containing ``wanted``: the best name
    of each entity, ranked by :func:`~policykg.rdf.textindex.rank_key`. A scan of every name: the reference
    :meth:`LabelIndex.search` is tested and measured against."""
    hits: dict[str, tuple] = {}
    for n, iri, label, lang, weight in entries:
        if wanted in n:
            key = (rank_key(name_tier(wanted, n), 0, weight, priority[iri], len(label), iri), n, lang)
            if iri not in hits or key < hits[iri][0]:
                hits[iri] = (key, label, lang)
    ordered = sorted(hits.items(), key=lambda kv: kv[1][0])
    return [(iri, label, lang) for iri, (_, label, lang) in ordered[:limit]]


def exists(store: ox.Store, node: ox.NamedNode) -> bool:
    """Whether ``node`` appears in the default graph as subject, predicate or object."""
    graph = ox.DefaultGraph()
    for pattern in ((node, None, None), (None, None, node), (None, node, None)):
        for _ in store.quads_for_pattern(*pattern, graph):
            return True
    return False


def types_of(store: ox.Store) -> dict[str, set[str]]:
    """Every named subject's types, as prefixed names."""
    out: dict[str, set[str]] = {}
    rdf_type = ox.NamedNode(PREFIXES["rdf"] + "type")
    for q in store.quads_for_pattern(None, rdf_type, None, ox.DefaultGraph()):
        if isinstance(q.subject, ox.NamedNode) and isinstance(q.object, ox.NamedNode):
            out.setdefault(q.subject.value, set()).add(shorten(q.object.value))
    return out


def resolve_entity(kg, name: str, *, lang: str = "en") -> str:
    """An IRI for ``name``: an IRI, a ``pkd:`` name, or any label or alias.

    Matching is case- and width-insensitive (NFKC): ``Baidu``, ``百度``,
    ``ＢＡＩＤＵ`` all find the same organization. An ambiguous name raises
    :class:`EntityNotFoundError` listing the candidates with their types; an
    unknown one suggests the closest labels.

    >>> import policykg
    >>> kg = policykg.load()
    >>> policykg.resolve_entity(kg, "百度")
    'https://w3id.org/policykg/id/baidu-netcom'
    >>> policykg.resolve_entity(kg, "ＢＡＩＤＵ") == policykg.resolve_entity(kg, "pkd:baidu-netcom")
    True
    """
    name = name.strip()
    store = kg.store
    if name.startswith("<") and name.endswith(">"):
        name = name[1:-1]
    prefix, sep, local = name.partition(":")
    iri = None
    if sep and prefix in PREFIXES and not local.startswith("//"):
        iri = PREFIXES[prefix] + local
    elif name.startswith(("http://", "https://", "urn:")):
        iri = name
    if iri is not None:
        try:
            node = ox.NamedNode(iri)  # Oxigraph's IRI parser: no text ever spliced into a query
        except ValueError as e:
            raise EntityNotFoundError(f"{name!r} is not a valid IRI: {e}") from None
        if not exists(store, node):
            raise EntityNotFoundError(f"{shorten(iri)} is not in the graph")
        return iri
    labels = kg.labels
    matches = labels.lookup(name)
    # Prefer instances over ontology terms and concepts of the same name.
    matches = {s for s in matches if s.startswith(PKD)} or matches
    if len(matches) == 1:
        return next(iter(matches))
    if matches:
        types = types_of(store)
        lines = [f"  {shorten(s)} ({', '.join(sorted(types.get(s, ())) or ['untyped'])}): {labels.best(s, lang)}"
                 for s in sorted(matches)]
        raise EntityNotFoundError(f"{name!r} is ambiguous; it matches:\n" + "\n".join(lines))
    close = labels.suggest(name)
    hint = f"; did you mean {' or '.join(repr(t) for t, _ in close)}?" if close else ""
    raise EntityNotFoundError(f"no entity is called {name!r}{hint}")
