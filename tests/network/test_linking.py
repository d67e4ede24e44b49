"""links, path, rank, export-network and link, on the shipped graph."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
import pytest

from policykg.cli import cli
from policykg.mentions import build_dictionary, find_mentions
from policykg.errors import EntityNotFoundError
from policykg.network.analysis import find_paths as paths, links, rank
from policykg.rdf.labels import resolve_entity

DATA = Path(__file__).resolve().parent.parent / "data" / "linking"
BAIDU = "https://w3id.org/policykg/id/baidu-netcom"
PROGRAM = "https://w3id.org/policykg/id/bj-gai-partnership-program-2023"


@pytest.mark.parametrize("name", ["Baidu", "baidu", "百度", "ＢＡＩＤＵ", "バイドゥ", "pkd:baidu-netcom", BAIDU, f"<{BAIDU}>"])
def test_an_entity_is_found_by_iri_or_any_label_in_any_language(kg, name):
    assert resolve_entity(kg, name) == BAIDU


@pytest.mark.parametrize("name, iri", [
    ("阿里云", "alibaba-cloud-computing"), ("Alibaba Cloud", "alibaba-cloud-computing"),
    ("アリババクラウド", "alibaba-cloud-computing"), ("実施計画", "bj-ai-innovation-hub-plan-2023"),
])
def test_aliases_readers_use_resolve(kg, name, iri):
    assert resolve_entity(kg, name) == "https://w3id.org/policykg/id/" + iri


def test_an_unknown_name_suggests_the_closest_labels(kg):
    with pytest.raises(EntityNotFoundError, match="did you mean 'Baidu'"):
        resolve_entity(kg, "Baidoo")


def test_an_ambiguous_name_lists_candidates_with_types_and_the_cli_exits_non_zero(kg, runner, tmp_path):
    (tmp_path / "graph").mkdir()
    (tmp_path / "graph" / "twins.ttl").write_text("""
@prefix pk: <https://w3id.org/policykg/ontology#> .
@prefix pkd: <https://w3id.org/policykg/id/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
pkd:twin-a a org:Organization ; rdfs:label "Twin"@en .
pkd:twin-b a pk:GovernmentBody ; rdfs:label "twin"@en .
""", encoding="utf-8")
    result = runner.invoke(cli, ["links", "TWIN", "--data-dir", str(tmp_path)])
    assert result.exit_code == 1
    assert "'TWIN' is ambiguous" in result.output
    assert "pkd:twin-a (foaf:Agent, org:Organization)" in result.output
    assert "pkd:twin-b (" in result.output and "pk:GovernmentBody" in result.output


def test_links_of_an_organization_give_program_role_batch_since_and_evidence(kg):
    report = links(kg, "百度")
    (membership,) = [l for l in report.links if l.other == PROGRAM]
    assert membership.relation == "model partner"
    assert membership.details == {"batch": 1, "since": "2023-05-19",
                                  "via": "pkd:membership-bj-gai-partnership-baidu-netcom"}
    assert {e["phrase"] for e in membership.evidence} == {"Baidu.com Technology Co., Ltd.", "7 社のモデル パートナー"}
    assert membership.sources == ("https://w3id.org/policykg/id/article-beijing-ai-capital-shanghai-metaverse",)
    assert report.grouped()[0][0] == "program"


def test_links_of_a_policy_give_issuer_goals_and_actors_by_role(kg):
    report = links(kg, "pkd:bj-gai-partnership-program-2023")
    by_relation: dict[str, set[str]] = {}
    for l in report.links:
        by_relation.setdefault(l.relation, set()).add(l.other.rsplit("/", 1)[1])
    assert by_relation["issued by"] == {"beijing-economy-it-bureau"}
    assert by_relation["model partner"] == {"baidu-netcom", "alibaba-damo-academy-beijing"}
    assert by_relation["investment partner"] == {"idg-capital-investment-consulting-beijing",
                                                 "beijing-smartyuan-venture-capital-fund-management"}
    assert len(by_relation["has goal"]) == 2


def test_links_of_a_person_give_posts_and_what_they_spoke_about(kg):
    report = links(kg, "Kong Rongdu")
    post = [l for l in report.links if l.relation == "chief global technology analyst"]
    assert [l.other_label for l in post] == ["TF Securities Co., Ltd."]
    spoke = [l for l in report.links if l.relation == "spoke"]
    assert len(spoke) == 1
    assert spoke[0].details["medium"] == "Shanghai Securities News"
    assert "Shanghai Metaverse Key Technology Action Plan" in spoke[0].details["about"]


def test_links_cli_table_and_json(runner):
    table = runner.invoke(cli, ["links", "Baidu"])
    assert table.exit_code == 0
    lines = table.stdout.splitlines()
    assert lines[0] == "Beijing Baidu Netcom Science and Technology Co., Ltd. (pkd:baidu-netcom, organization)"
    assert lines[2] == "program:"
    assert lines[5].startswith("-> model partner  Beijing General Artificial Intelligence Industry Innovation Partnership Program  pkd:bj-gai-partnership-program-2023  batch 1, since 2023-05-19")
    data = json.loads(runner.invoke(cli, ["links", "百度", "--format", "json"]).stdout)
    assert data["entity"] == BAIDU and data["links"][0]["relation"] == "model partner"


def test_path_explains_each_hop_in_words(kg, runner):
    found = paths(kg, "Baidu", "Alibaba Cloud", k=1)
    assert [h.words() for h in found[0]] == [
        "Beijing Baidu Netcom Science and Technology Co., Ltd. —model partner (batch 1)→ "
        "Beijing General Artificial Intelligence Industry Innovation Partnership Program",
        "Beijing General Artificial Intelligence Industry Innovation Partnership Program ←computing power partner "
        "(batch 1)— Alibaba Cloud Computing Co., Ltd.",
    ]
    result = runner.invoke(cli, ["path", "HTC", "pkd:shanghai-metaverse-key-tech-plan-2023", "--k", "2", "--lang", "ja"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("path 1 (4 hops):\n")
    assert result.stdout.count("path ") == 2


def test_classes_and_sources_are_not_shortcuts(kg):
    for hops in paths(kg, "Baidu", "IDG Capital", k=5, max_hops=6):
        for hop in hops:
            assert "/vocab/organization-kind/" not in hop.target
            assert "/id/article-" not in hop.target and "/id/report-" not in hop.target


def test_path_respects_max_hops(runner):
    result = runner.invoke(cli, ["path", "HTC", "pkd:shanghai-metaverse-key-tech-plan-2023", "--max-hops", "2"])
    assert result.exit_code == 1 and "no path of at most 2 hops" in result.output


def test_rank_puts_the_partnership_program_first_and_numbers_communities(kg, runner):
    rows = rank(kg)
    assert rows[0].iri == PROGRAM and rows[0].degree == 11
    assert {r.cls for r in rank(kg, cls="Organization")} == {"organization"}
    data = json.loads(runner.invoke(cli, ["rank", "--format", "json"]).stdout)
    assert data[0]["iri"] == PROGRAM and data[0]["community"] == 1
    members = {r.iri for r in rows if r.community == 1}
    assert BAIDU in members


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json", "csv"])
def test_export_network_round_trips_nodes_edges_and_attributes(kg, runner, tmp_path, fmt):
    out = tmp_path / f"net.{fmt}"
    result = runner.invoke(cli, ["export-network", "--format", fmt, "-o", str(out)])
    assert result.exit_code == 0, result.output
    from policykg.network.projection import build_network
    net = build_network(kg)
    if fmt == "graphml":
        g = nx.read_graphml(out, force_multigraph=True)
    elif fmt == "gexf":
        g = nx.read_gexf(out)
    elif fmt == "json":
        g = nx.node_link_graph(json.loads(out.read_text(encoding="utf-8")), edges="edges")
    else:
        nodes = list(csv.DictReader(open(tmp_path / "net-nodes.csv", encoding="utf-8")))
        edges = list(csv.DictReader(open(tmp_path / "net-edges.csv", encoding="utf-8")))
        assert len(nodes) == net.graph.number_of_nodes() and len(edges) == net.graph.number_of_edges()
        baidu = next(n for n in nodes if n["id"] == BAIDU)
        assert (baidu["label_zh"], baidu["class"]) == ("北京百度网讯科技有限公司", "organization")
        member = next(e for e in edges if e["source"] == BAIDU and e["target"] == PROGRAM)
        assert (member["label"], member["batch"], member["since"]) == ("model partner", "1", "2023-05-19")
        return
    assert g.number_of_nodes() == net.graph.number_of_nodes()
    assert g.number_of_edges() == net.graph.number_of_edges()
    assert g.nodes[BAIDU]["label_zh"] == "北京百度网讯科技有限公司"
    assert g.nodes[BAIDU]["class"] == "organization"
    edge = next(d for u, v, d in g.edges(data=True) if u == BAIDU and v == PROGRAM)
    assert edge["label"] == "model partner" and int(edge["batch"]) == 1


def _expected_mentions():
    spec = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
    for name in ("ja.txt", "zh.txt", "en.txt"):
        text = (DATA / name).read_text(encoding="utf-8")
        out = set()
        for surface, occurrence, entity in spec[name]:
            start = -1
            for _ in range(occurrence):
                start = text.index(surface, start + 1)
            out.add((start, start + len(surface), "https://w3id.org/policykg/id/" + entity.split(":", 1)[1]))
        yield name, text, out


# Measured on the shipped set: precision 1.00, recall 1.00 (26 mentions).
# The thresholds leave room for new aliases that add an occasional miss.
MIN_PRECISION = 0.9
MIN_RECALL = 0.9


def test_linking_precision_and_recall_on_the_hand_labelled_set(kg):
    dictionary = build_dictionary(kg)
    tp = fp = fn = 0
    for name, text, expected in _expected_mentions():
        found = {(m.start, m.end, m.iri) for m in find_mentions(text, dictionary)}
        tp += len(found & expected)
        fp += len(found - expected)
        fn += len(expected - found)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"linking: precision {precision:.3f}, recall {recall:.3f} over {tp + fn} labelled mentions")
    assert precision >= MIN_PRECISION and recall >= MIN_RECALL


def test_latin_names_respect_word_boundaries_and_cjk_names_do_not_need_them(kg):
    d = build_dictionary(kg)
    assert [m.text for m in find_mentions("BRIDGE and IDG, and IDGX.", d)] == ["IDG"]
    assert [m.text for m in find_mentions("阿里云与百度合作", d)] == ["阿里云", "百度"]
    assert [m.text for m in find_mentions("メタバースとメタ", d)] == ["メタ"]


def test_longest_match_wins_on_overlaps(kg):
    d = build_dictionary(kg)
    mentions = find_mentions("北京ビッグデータセンターと北京", d)
    assert [(m.text, m.iri.rsplit("/", 1)[1]) for m in mentions] == [
        ("北京ビッグデータセンター", "beijing-big-data-center"), ("北京", "beijing")]


def test_width_and_case_insensitive_with_offsets_in_the_original_text(kg):
    d = build_dictionary(kg)
    text = "今日、ＢＡＩＤＵが発表。"
    (m,) = find_mentions(text, d)
    assert (m.start, m.end, m.text) == (3, 8, "ＢＡＩＤＵ")


def test_link_cli_lists_mentions_and_candidate_statements(runner, tmp_path):
    out = tmp_path / "candidates.ttl"
    result = runner.invoke(cli, ["link", str(DATA / "zh.txt"), "--candidates", str(out)])
    assert result.exit_code == 0, result.output
    assert any(line.split()[2:4] == ["北京百度网讯科技有限公司", "pkd:baidu-netcom"] for line in result.stdout.splitlines()[2:])
    assert result.stdout.endswith("(8 mentions, 4 candidate statements)\n")
    turtle = out.read_text(encoding="utf-8")
    from rdflib import Graph
    g = Graph().parse(data=turtle, format="turtle")
    pairs = {(str(s).rsplit("/", 1)[1], str(o).rsplit("/", 1)[1])
             for s, o in g.query("SELECT ?s ?o WHERE { ?c <https://w3id.org/policykg/ontology#candidateSubject> ?s ; "
                                 "<https://w3id.org/policykg/ontology#candidateObject> ?o }")}
    assert ("beijing-municipal-government", "bj-gai-measures-2023") in pairs
    assert ("shanghai-science-technology-commission", "shanghai-metaverse-key-tech-plan-2023") in pairs
    # Evidence is the sentence's character offsets in the document.
    starts = {int(x) for (x,) in g.query("SELECT ?s WHERE { ?e <http://www.w3.org/ns/oa#start> ?s }")}
    assert 0 in starts


def test_a_shared_name_stands_for_the_first_entity_in_the_search_ranking_and_offers_the_others(kg):
    from policykg.namespaces import PKD

    dictionary = build_dictionary(kg)
    shared = {key: bucket for key, bucket in dictionary.entries.items() if len({e.iri for e in bucket}) > 1}
    assert shared, "the shipped graph has names shared by several entities"
    for key, bucket in shared.items():
        ranked = sorted(bucket, key=lambda e: (kg.labels.weight(e.iri, e.alias, _lang(kg, e)),
                                               kg.labels.priority[e.iri], len(e.alias), e.iri))
        assert [e.iri for e in bucket] == [e.iri for e in ranked], key
    [mention] = find_mentions("北京市が発表した。", dictionary)
    # The city and its government share 北京市: the government body ranks before the place.
    assert mention.iri == PKD + "beijing-municipal-government" and PKD + "beijing" in mention.candidates


def _lang(kg, entry) -> str:
    return next(lang for text, lang, _ in kg.labels.labels[entry.iri] if text == entry.alias)
