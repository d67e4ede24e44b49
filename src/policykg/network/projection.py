"""The policy-actor network: a networkx projection of the RDF graph.

RDF keeps n-ary facts as nodes (a partner membership joins a member, a
program, a role and a batch); people reading a network want the member
linked to the program by its role. So memberships become labelled edges
(organization -"model partner"-> program) and posts become person -> org
edges, while the edge keeps the membership's IRI and evidence. Evidence
phrases and sources are details of a node or edge, never nodes of their own,
and classes are never nodes: neither is a shortcut between two actors.
"""

from __future__ import annotations

import networkx as nx
import pyoxigraph as ox

from ..errors import EntityNotFoundError, PolicyKGError
from ..namespaces import PKD, PREFIXES, shorten
from ..rdf.labels import LabelIndex, types_of
from ..rdf.loading import KnowledgeGraph

LANGS = ("ja", "en", "zh")

def _display_classes() -> list[dict]:
    import json

    from .. import paths

    return json.loads((paths.STATIC / "network-classes.json").read_text(encoding="utf-8"))["classes"]


#: Display classes (key, class, label, colour, shape, size, font), most specific first:
#: a node takes the first that matches. One table for the projection and the page.
DISPLAY_CLASSES = _display_classes()
NODE_CLASSES: list[tuple[str, str, str]] = [(c["key"], c["class"], c["label"]) for c in DISPLAY_CLASSES]
CLASS_KEYS = [key for key, _, _ in NODE_CLASSES]

# Properties that never become edges: provenance and evidence are shown as
# details, typing and labels are attributes, and data-set membership would
# tie every observation to one hub.
_SKIP = {
    "rdf:type", "prov:wasDerivedFrom", "pk:evidence", "pk:quotedFrom", "qb:dataSet", "qb:structure",
    "dct:source", "dct:language", "skos:inScheme", "skos:topConceptOf", "org:memberDuring",
    "pk:period", "org:holds", "pk:comparator", "pk:unit",
}
_LABEL_PROPS = ("rdfs:label", "skos:prefLabel", "skos:altLabel", "dct:title", "pk:displayLabel")


def display_class(types: set[str]) -> str | None:
    for key, cls, _ in NODE_CLASSES:
        if cls in types:
            return key
    return None


def _evidence(store: ox.Store) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    rows = store.query("""
        PREFIX pk: <https://w3id.org/policykg/ontology#>
        PREFIX oa: <http://www.w3.org/ns/oa#>
        SELECT ?f ?exact ?source WHERE { ?f pk:evidence ?e . ?e oa:exact ?exact ; pk:quotedFrom ?source }
        ORDER BY ?f ?exact""")
    for r in rows:
        out.setdefault(r["f"].value, []).append({"phrase": r["exact"].value, "source": r["source"].value})
    return out


def _sources(store: ox.Store) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    rows = store.query("SELECT ?f ?s WHERE { ?f <http://www.w3.org/ns/prov#wasDerivedFrom> ?s } ORDER BY ?f ?s")
    for r in rows:
        out.setdefault(r["f"].value, []).append(r["s"].value)
    return out


class Network:
    """A projected network plus what is needed to describe its nodes."""

    def __init__(self, graph: nx.MultiDiGraph, labels: LabelIndex, lang: str):
        self.graph = graph
        self.labels = labels
        self.lang = lang

    def label(self, iri: str) -> str:
        return self.labels.best(iri, self.lang)


def build_network(kg: KnowledgeGraph, *, lang: str = "en", include: set[str] | None = None) -> Network:
    """Project the graph into a :class:`Network` (a networkx MultiDiGraph inside).

    ``include`` limits nodes to some display classes (keys of NODE_CLASSES).
    Node attributes: ``cls``, ``label``, ``labels`` (per language),
    ``aliases``, ``types``, ``evidence``, ``sources``, ``literals``. Edge
    attributes: ``prop`` (prefixed name), ``label`` (property or role label),
    and for projected memberships ``via`` (the membership IRI), ``batch``,
    ``since``, ``evidence``.
    """
    if include is not None:
        unknown = set(include) - set(CLASS_KEYS)
        if unknown:
            raise PolicyKGError(f"unknown class(es) {', '.join(sorted(unknown))}; choose from {', '.join(CLASS_KEYS)}")
    store = kg.store
    labels = kg.labels
    types = types_of(store)
    evidence = _evidence(store)
    sources = _sources(store)
    net = Network(nx.MultiDiGraph(), labels, lang)
    g = net.graph

    def add_node(iri: str) -> bool:
        if iri in g:
            return True
        cls = display_class(types.get(iri, set()))
        if cls is None or (include is not None and cls not in include):
            return False
        if cls == "category" and not iri.startswith(PREFIXES["pkv"]):
            return False  # classes and external concepts are not nodes
        if not (iri.startswith(PKD) or iri.startswith(PREFIXES["pkv"])):
            return False
        g.add_node(iri, cls=cls, label=net.label(iri), labels=labels.preferred(iri),
                   aliases=labels.aliases(iri), types=sorted(types.get(iri, ())),
                   evidence=evidence.get(iri, []), sources=sources.get(iri, []), literals=[])
        return True

    # Memberships and posts become labelled edges between the actors.
    projected: set[str] = set()
    rows = store.query("""
        PREFIX org: <http://www.w3.org/ns/org#>
        PREFIX pk: <https://w3id.org/policykg/ontology#>
        PREFIX time: <http://www.w3.org/2006/time#>
        SELECT ?m ?member ?program ?role ?batchNumber ?since WHERE {
          ?m a org:Membership ; org:member ?member ; org:organization ?program ; org:role ?role .
          OPTIONAL { ?m pk:batch/pk:batchNumber ?batchNumber }
          OPTIONAL { ?m org:memberDuring/time:hasBeginning/time:inXSDDate ?since }
        } ORDER BY ?m""")
    for r in rows:
        m, member, program, role = (r[k].value for k in ("m", "member", "program", "role"))
        projected.add(m)
        if add_node(member) and add_node(program):
            g.add_edge(member, program, key=m, prop="org:Membership", label=net.label(role), role=role, via=m,
                       batch=int(r["batchNumber"].value) if r["batchNumber"] else None,
                       since=r["since"].value if r["since"] else None, evidence=evidence.get(m, []),
                       sources=sources.get(m, []))
    rows = store.query("""
        PREFIX org: <http://www.w3.org/ns/org#>
        SELECT ?post ?person ?org ?role WHERE { ?post a org:Post ; org:heldBy ?person ; org:postIn ?org ; org:role ?role }
        ORDER BY ?post""")
    for r in rows:
        post, person, org_, role = (r[k].value for k in ("post", "person", "org", "role"))
        projected.add(post)
        if add_node(person) and add_node(org_):
            g.add_edge(person, org_, key=post, prop="org:Post", label=net.label(role), role=role, via=post,
                       evidence=evidence.get(post, []), sources=sources.get(post, []))

    rows = store.query("SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(isIRI(?s)) } ORDER BY ?s ?p ?o")
    for r in rows:
        s, p, o = r["s"], r["p"].value, r["o"]
        prop = shorten(p)
        if prop in _SKIP or s.value in projected:
            continue
        if isinstance(o, ox.Literal):
            if s.value in g or add_node(s.value):
                if prop not in _LABEL_PROPS:
                    g.nodes[s.value]["literals"].append(
                        {"prop": prop, "label": labels.best(p, lang), "value": o.value,
                         "lang": o.language or ""})
            continue
        if not isinstance(o, ox.NamedNode) or o.value in projected:
            continue
        if add_node(s.value) and add_node(o.value):
            g.add_edge(s.value, o.value, key=prop, prop=prop, label=labels.best(p, lang))
    return net


def neighbourhood(net: Network, focus: str, depth: int) -> Network:
    """The nodes within ``depth`` hops of ``focus`` (edges in either direction)."""
    if focus not in net.graph:
        raise EntityNotFoundError(f"{shorten(focus)} is not a node of the network (try --include)")
    undirected = net.graph.to_undirected(as_view=True)
    keep = nx.single_source_shortest_path_length(undirected, focus, cutoff=depth)
    return Network(net.graph.subgraph(keep).copy(), net.labels, net.lang)
