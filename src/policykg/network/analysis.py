"""Linking policies and actors: explained links, paths, rankings.

All three work on the network projection (:mod:`policykg.network.projection`), where a
partner membership is an edge labelled with its role and carrying its batch,
start date, evidence and sources.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import networkx as nx

from ..errors import EntityNotFoundError, PolicyKGError
from ..namespaces import shorten
from ..rdf.labels import resolve_entity
from ..rdf.loading import KnowledgeGraph
from .projection import Network, build_network

# What a link to a node of each class is, for grouping the answer of `links`.
_GROUP_ORDER = ["program", "policy", "government", "organization", "person", "statement", "goal", "target",
                "direction", "report", "place", "category", "observation"]


@dataclass(frozen=True)
class Link:
    direction: str  # "out" (entity -> other) or "in"
    relation: str  # edge label in the chosen language (a role for memberships)
    prop: str  # prefixed property, or org:Membership / org:Post
    other: str  # IRI
    other_label: str
    other_class: str
    details: dict = field(default_factory=dict)
    evidence: tuple = ()  # ({"phrase", "source"}, ...)
    sources: tuple = ()


@dataclass(frozen=True)
class LinksReport:
    entity: str
    label: str
    cls: str
    links: tuple[Link, ...]

    def grouped(self) -> list[tuple[str, list[Link]]]:
        """Links grouped by what they lead to, policies and programs first."""
        groups: dict[str, list[Link]] = {}
        for link in self.links:
            groups.setdefault(link.other_class, []).append(link)
        return [(g, groups[g]) for g in _GROUP_ORDER if g in groups]


def _edge_details(data: dict) -> dict:
    out = {}
    for key in ("batch", "since", "via"):
        if data.get(key) is not None:
            out[key] = data[key] if key != "via" else shorten(data[key])
    return out


def links(kg: KnowledgeGraph, name: str, *, lang: str = "en", net: Network | None = None) -> LinksReport:
    """Everything ``name`` (an IRI or any label) is linked to, and how.

    For an organization: the programs it is a member of (role, batch, since)
    and the policies it issued, with evidence and sources; for a policy: its
    issuer, goals, and actors with their roles; for a person: posts and the
    statements they made (what about, to which medium).

    >>> import policykg
    >>> report = policykg.links(policykg.load(), "Baidu")
    >>> first = report.links[0]
    >>> first.relation, first.other_label, first.details["batch"], first.details["since"]
    ('model partner', 'Beijing General Artificial Intelligence Industry Innovation Partnership Program', 1, '2023-05-19')
    """
    iri = resolve_entity(kg, name, lang=lang)
    net = net or build_network(kg, lang=lang)
    g = net.graph
    if iri not in g:
        raise EntityNotFoundError(f"{shorten(iri)} is not part of the policy-actor network")
    found: list[Link] = []
    for _, other, data in g.out_edges(iri, data=True):
        found.append(_link("out", other, data, net))
    for other, _, data in g.in_edges(iri, data=True):
        link = _link("in", other, data, net)
        if g.nodes[other]["cls"] == "statement":
            link = _statement_link(link, other, net)
        found.append(link)
    order = {c: i for i, c in enumerate(_GROUP_ORDER)}
    found.sort(key=lambda l: (order.get(l.other_class, 99), l.relation, l.other_label, l.direction))
    node = g.nodes[iri]
    return LinksReport(entity=iri, label=node["label"], cls=node["cls"], links=tuple(found))


def _link(direction: str, other: str, data: dict, net: Network) -> Link:
    node = net.graph.nodes[other]
    return Link(direction=direction, relation=data["label"], prop=data["prop"], other=other,
                other_label=node["label"], other_class=node["cls"], details=_edge_details(data),
                evidence=tuple(data.get("evidence") or node["evidence"]),
                sources=tuple(data.get("sources") or node["sources"]))


def _statement_link(link: Link, statement: str, net: Network) -> Link:
    """A statement the person made: what it was about and who reported it."""
    g = net.graph
    about = sorted(g.nodes[v]["label"] for _, v, d in g.out_edges(statement, data=True) if d["prop"] == "pk:about")
    media = sorted(g.nodes[v]["label"] for _, v, d in g.out_edges(statement, data=True) if d["prop"] == "pk:reportedBy")
    dates = [lit["value"] for lit in g.nodes[statement]["literals"] if lit["prop"] == "dct:date"]
    said = [lit["value"] for lit in g.nodes[statement]["literals"] if lit["prop"] == "rdfs:comment"]
    details = dict(link.details)
    details.update({k: v for k, v in (("about", "; ".join(about)), ("medium", "; ".join(media)),
                                       ("date", "; ".join(dates)), ("said", " ".join(said))) if v})
    return Link(**{**link.__dict__, "relation": "spoke", "details": details})


# ---------------------------------------------------------------- paths

# Concept schemes whose concepts would be shortcuts between unrelated actors
# (every company has okind:company); technologies and measure areas stay, as
# two policies sharing a key technology is a real link.
_HUB_SCHEMES = ("organization-kind/", "indicator/", "unit/", "policy-kind/", "policy-level/", "partner-role/",
                "comparator/", "post-role/")
_PATH_CLASSES = {"program", "policy", "government", "organization", "person", "goal", "target", "direction",
                 "statement", "place", "category"}
# Weak links cost more, so a path through a membership beats one through a city.
_WEIGHTS = {"pk:basedIn": 3.0, "pk:jurisdiction": 3.0, "pk:hasKeyTechnology": 2.0,
            "pk:hasTechnologyDirection": 2.0, "skos:broader": 2.0, "pk:hasMeasureCategory": 2.0}


@dataclass(frozen=True)
class Hop:
    source: str
    source_label: str
    relation: str
    target: str
    target_label: str
    forward: bool  # True if the edge points source -> target

    def words(self) -> str:
        if self.forward:
            return f"{self.source_label} —{self.relation}→ {self.target_label}"
        return f"{self.source_label} ←{self.relation}— {self.target_label}"


def _path_graph(net: Network) -> nx.Graph:
    g = net.graph
    keep = [n for n, d in g.nodes(data=True) if d["cls"] in _PATH_CLASSES
            and not (d["cls"] == "category" and any(s in n for s in _HUB_SCHEMES))]
    simple = nx.Graph()
    for u, v, data in g.subgraph(keep).edges(data=True):
        weight = _WEIGHTS.get(data["prop"], 1.0)
        if not simple.has_edge(u, v) or simple[u][v]["weight"] > weight:
            simple.add_edge(u, v, weight=weight, label=data["label"], tail=u,
                            batch=data.get("batch"))
    return simple


def find_paths(kg: KnowledgeGraph, a: str, b: str, *, max_hops: int = 4, k: int = 3, lang: str = "en",
          net: Network | None = None) -> list[list[Hop]]:
    """Up to ``k`` shortest paths (fewest, then strongest links) from ``a`` to ``b``."""
    if k < 1 or max_hops < 1:
        raise PolicyKGError("--k and --max-hops must be at least 1")
    src, dst = resolve_entity(kg, a, lang=lang), resolve_entity(kg, b, lang=lang)
    net = net or build_network(kg, lang=lang)
    pg = _path_graph(net)
    for iri in (src, dst):
        if iri not in pg:
            raise EntityNotFoundError(f"{shorten(iri)} has no links an actor path can use")
    found: list[list[Hop]] = []
    try:
        candidates = nx.shortest_simple_paths(pg, src, dst, weight=lambda u, v, d: 1000 + d["weight"])
        for nodes in candidates:
            if len(nodes) - 1 > max_hops:
                break
            found.append([_hop(pg, net, u, v) for u, v in zip(nodes, nodes[1:])])
            if len(found) == k:
                break
    except nx.NetworkXNoPath:
        pass
    return found


def _hop(pg: nx.Graph, net: Network, u: str, v: str) -> Hop:
    data = pg[u][v]
    label = data["label"] + (f" (batch {data['batch']})" if data.get("batch") else "")
    return Hop(source=u, source_label=net.graph.nodes[u]["label"], relation=label, target=v,
               target_label=net.graph.nodes[v]["label"], forward=data["tail"] == u)


# ---------------------------------------------------------------- ranking

ACTOR_CLASSES = {"program", "policy", "government", "organization", "person"}


@dataclass(frozen=True)
class Ranked:
    iri: str
    label: str
    cls: str
    degree: int
    degree_centrality: float
    betweenness: float
    community: int


def actor_network(net: Network) -> nx.Graph:
    """Policies and actors only; statements become person—medium / person—topic links."""
    g = net.graph
    actors = {n for n, d in g.nodes(data=True) if d["cls"] in ACTOR_CLASSES}
    out = nx.Graph()
    out.add_nodes_from(actors)
    for u, v, data in g.edges(data=True):
        if u in actors and v in actors:
            out.add_edge(u, v, label=data["label"])
    for s, d in g.nodes(data=True):
        if d["cls"] != "statement":
            continue
        speakers = [v for _, v, e in g.out_edges(s, data=True) if e["prop"] == "pk:speaker"]
        others = [v for _, v, e in g.out_edges(s, data=True) if e["prop"] in ("pk:reportedBy", "pk:about") and v in actors]
        for p in speakers:
            for o in others:
                if p != o:
                    out.add_edge(p, o, label="spoke to / about")
    return out


def rank(kg: KnowledgeGraph, *, cls: str | None = None, lang: str = "en", net: Network | None = None) -> list[Ranked]:
    """Actors by betweenness and degree centrality, with Louvain communities.

    ``cls`` restricts the listing (not the computation) to one display class,
    e.g. ``organization``; "Organization" and "org:Organization" work too.
    """
    net = net or build_network(kg, lang=lang)
    a = actor_network(net)
    if cls:
        key = cls.split(":")[-1].lower()
        key = {"partnerprogram": "program", "policydocument": "policy", "governmentbody": "government"}.get(key, key)
        if key not in ACTOR_CLASSES:
            raise PolicyKGError(f"--class must be one of {', '.join(sorted(ACTOR_CLASSES))}")
        cls = key
    degree = nx.degree_centrality(a)
    between = nx.betweenness_centrality(a, normalized=True)
    communities = nx.community.louvain_communities(a, seed=42) if a.number_of_edges() else [set(a)]
    # Number communities by size, then by their first member, so the numbering is stable.
    ordered = sorted(communities, key=lambda c: (-len(c), min(c)))
    community = {n: i + 1 for i, c in enumerate(ordered) for n in c}
    g = net.graph
    rows = [Ranked(iri=n, label=g.nodes[n]["label"], cls=g.nodes[n]["cls"], degree=a.degree(n),
                   degree_centrality=round(degree[n], 4), betweenness=round(between[n], 4),
                   community=community[n])
            for n in a if not cls or g.nodes[n]["cls"] == cls]
    rows.sort(key=lambda r: (-r.betweenness, -r.degree, r.label, r.iri))
    return rows
