"""Synthetic policy graphs under the real policykg ontology, for benchmarks.

    python bench/generate.py --triples 100000 --out /tmp/pkg-bench/100k [--seed 1]

Writes ``<out>/graph/shipped/*.ttl`` (a copy of the shipped graph, so that every
IRI a canned query's ``example=`` uses exists) and ``<out>/graph/synthetic-NNNN.ttl``
(the synthetic bulk, files of about 100k triples) until the graph holds about
``--triples`` asserted triples. ``<out>`` has no ``ontology/``, so
``policykg.load(out)`` adds the packaged ontology and vocabularies.

The bulk uses the real classes, properties and SKOS concepts (read from the
packaged ``ontology/vocab``): cities, government bodies, sources, organizations
(labels in ja/en/zh, alt labels), policy documents with goals and targets,
partner programs with batches, stated counts and memberships, observations in
data sets with ranks and comparison groups, people, posts and statements, and
an evidence phrase plus ``prov:wasDerivedFrom`` on every fact. It is linked to
the shipped data so that the canned queries' example IRIs fan out more as the
graph grows: the Beijing partnership program gets further batches of members,
Baidu joins synthetic programs, Beijing and Shanghai appear in every data set,
the Beijing government issues more policies (some on 2023-05-30), the named
plans get more goals and targets, subsidiaries carry the real organizations'
names, and so on. The output is deterministic for a given seed and size.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
from pathlib import Path

import pyoxigraph as ox

GENERATOR_VERSION = 3
FILE_TRIPLES = 100_000

PK = "https://w3id.org/policykg/ontology#"
PKD = "https://w3id.org/policykg/id/"
PKV = "https://w3id.org/policykg/vocab/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ORG = "http://www.w3.org/ns/org#"

PREFIXES = {
    "cmp": PKV + "comparator/", "dct": "http://purl.org/dc/terms/", "foaf": "http://xmlns.com/foaf/0.1/",
    "ind": PKV + "indicator/", "kind": PKV + "policy-kind/", "lang": "http://id.loc.gov/vocabulary/iso639-1/",
    "level": PKV + "policy-level/", "measure": PKV + "measure-category/", "oa": "http://www.w3.org/ns/oa#",
    "okind": PKV + "organization-kind/", "org": ORG, "pk": PK, "pkd": PKD, "pkv": PKV,
    "post": PKV + "post-role/", "prov": "http://www.w3.org/ns/prov#", "qb": "http://purl.org/linked-data/cube#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "role": PKV + "partner-role/",
    "sdmx-dimension": "http://purl.org/linked-data/sdmx/2009/dimension#",
    "sdmx-measure": "http://purl.org/linked-data/sdmx/2009/measure#", "skos": SKOS,
    "tech": PKV + "technology/", "time": "http://www.w3.org/2006/time#", "unit": PKV + "unit/",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
HEADER = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in sorted(PREFIXES.items()))

# The real IRIs the canned queries' examples use, and the shipped nodes the bulk links to.
SEED_ARTICLE = "pkd:article-beijing-ai-capital-shanghai-metaverse"
BJ_PROGRAM = "pkd:bj-gai-partnership-program-2023"
BJ_BATCH_1 = "pkd:bj-gai-partnership-batch-1"
BJ_GOV = "pkd:beijing-municipal-government"
BJ_PLAN = "pkd:bj-ai-innovation-hub-plan-2023"
BJ_MEASURES = "pkd:bj-gai-measures-2023"
SH_PLAN = "pkd:shanghai-metaverse-key-tech-plan-2023"
BAIDU = "pkd:baidu-netcom"
BAIDU_MEMBERSHIP = "pkd:membership-bj-gai-partnership-baidu-netcom"
TOP50_GROUP = "pkd:group-top50-gdp-cities-2021"

SYLLABLES = [("an", "安"), ("bao", "宝"), ("chang", "长"), ("de", "德"), ("feng", "丰"), ("guang", "广"),
             ("hai", "海"), ("jin", "金"), ("kai", "开"), ("lin", "林"), ("ming", "明"), ("ning", "宁"),
             ("ping", "平"), ("qing", "青"), ("rui", "瑞"), ("shan", "山"), ("tai", "泰"), ("wu", "武"),
             ("xin", "新"), ("yang", "阳"), ("zhou", "州"), ("yun", "云"), ("hua", "华"), ("long", "龙")]
FIRMS = [("Zhiyuan", "智源"), ("Tianrui", "天瑞"), ("Huaxin", "华信"), ("Xinghe", "星河"), ("Lingyun", "凌云"),
         ("Shuzhi", "数智"), ("Kunpeng", "鲲鹏"), ("Qiming", "启明"), ("Hengtong", "恒通"), ("Jiuzhang", "九章"),
         ("Yuanjing", "远景"), ("Zhongke", "中科"), ("Boyan", "博研"), ("Ruijie", "锐捷"), ("Tianyan", "天眼")]
TRADES = [("Technology", "科技", "テクノロジー"), ("Intelligence", "智能", "インテリジェンス"),
          ("Data", "数据", "データ"), ("Cloud Computing", "云计算", "クラウドコンピューティング"),
          ("Semiconductor", "半导体", "半導体"), ("Venture Capital", "创业投资", "ベンチャーキャピタル"),
          ("Information Services", "信息服务", "情報サービス"), ("Robotics", "机器人", "ロボティクス")]
TOPICS = [("artificial intelligence", "人工知能", "人工智能"), ("the metaverse", "メタバース", "元宇宙"),
          ("the digital economy", "デジタル経済", "数字经济"), ("large models", "大規模モデル", "大模型"),
          ("computing power", "計算能力", "算力"), ("data elements", "データ要素", "数据要素"),
          ("intelligent manufacturing", "スマート製造", "智能制造"), ("blockchain", "ブロックチェーン", "区块链")]
DOCS = [("Implementation Plan for Promoting", "推進実施計画", "促进实施方案"),
        ("Several Measures to Support", "支援措置", "支持若干措施"),
        ("Action Plan for Developing", "発展行動計画", "发展行动计划"),
        ("Notice on Accelerating", "加速に関する通知", "加快发展的通知")]


def esc(s: str) -> str:
    return s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def lit(s: str, lang: str | None = None) -> str:
    return f'"{esc(s)}"' + (f"@{lang}" if lang else "")


def typed(s: str, dt: str) -> str:
    return f'"{s}"^^xsd:{dt}'


def short(iri: str) -> str:
    for p, ns in sorted(PREFIXES.items(), key=lambda kv: -len(kv[1])):
        if iri.startswith(ns):
            return f"{p}:{iri[len(ns):]}"
    return f"<{iri}>"


class Writer:
    """Subject blocks into files of about FILE_TRIPLES triples; counts triples."""

    def __init__(self, folder: Path):
        self.folder, self.count, self.files = folder, 0, 0
        self._file, self._in_file = None, 0

    def subject(self, s: str, pairs: list[tuple[str, str]]) -> None:
        if self._file is None or self._in_file >= FILE_TRIPLES:
            self._open()
        lines = [f"{s} {p} {o}" if i == 0 else f"    {p} {o}" for i, (p, o) in enumerate(pairs)]
        self._file.write(" ;\n".join(lines) + " .\n\n")
        self.count += len(pairs)
        self._in_file += len(pairs)

    def _open(self) -> None:
        self.close()
        self.files += 1
        self._file = open(self.folder / f"synthetic-{self.files:04d}.ttl", "w", encoding="utf-8")
        self._file.write("# Synthetic benchmark data (bench/generate.py); not real facts.\n\n" + HEADER + "\n")
        self._in_file = 0

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


def read_turtle(files: list[Path]) -> list[ox.Triple]:
    out = []
    for f in files:
        out.extend(q.triple for q in ox.parse(path=f, format=ox.RdfFormat.TURTLE))
    return out


def vocab_concepts(vocab_dir: Path) -> dict[str, list[str]]:
    """scheme slug -> sorted concept IRIs (prefixed), from the packaged vocabularies."""
    schemes: dict[str, list[str]] = {}
    for t in read_turtle(sorted(vocab_dir.glob("*.ttl"))):
        if t.predicate.value == SKOS + "inScheme":
            schemes.setdefault(t.object.value[len(PKV):], []).append(short(t.subject.value))
    return {k: sorted(set(v)) for k, v in schemes.items()}


class Generator:
    def __init__(self, shipped: list[ox.Triple], vocab: dict[str, list[str]], target: int, seed: int, w: Writer):
        self.r = random.Random(seed)
        self.w, self.vocab, self.target = w, vocab, target
        self.budget = max(0, target - len(set(shipped)))
        self.ev_n = 0
        by_s: dict[str, dict[str, list]] = {}
        for t in shipped:
            by_s.setdefault(t.subject.value, {}).setdefault(t.predicate.value, []).append(t.object)
        self.shipped = by_s
        types = lambda s: {o.value for o in by_s[s].get(RDF_TYPE, [])}  # noqa: E731
        self.shipped_cities = sorted(short(s) for s in by_s if PK + "City" in types(s))
        # Real organizations that have an English alt label: subsidiaries carry their names.
        self.real_orgs = []
        for s in sorted(by_s):
            if ORG + "Organization" in types(s):
                alts = {o.language: o.value for o in by_s[s].get(SKOS + "altLabel", []) if isinstance(o, ox.Literal)}
                labels = {o.language: o.value for o in by_s[s].get(RDFS_LABEL, []) if isinstance(o, ox.Literal)}
                names = {lang: alts.get(lang) or labels.get(lang) for lang in ("en", "ja", "zh")}
                if names["en"]:
                    self.real_orgs.append((short(s), names))
        # Indicator -> unit, as the shipped observations and targets use them.
        self.unit_of: dict[str, str] = {}
        for s, props in sorted(by_s.items()):
            if PK + "indicator" in props and PK + "unit" in props:
                self.unit_of.setdefault(short(props[PK + "indicator"][0].value), short(props[PK + "unit"][0].value))
        self.indicators = vocab["indicator"]
        self.units = vocab["unit"]

    # ----------------------------------------------------------------- helpers
    def scaled(self, per_100k: float, minimum: int = 1) -> int:
        return max(minimum, round(self.budget * per_100k / 100_000))

    def unit(self, indicator: str) -> str:
        return self.unit_of.get(indicator) or self.units[sum(map(ord, indicator)) % len(self.units)]

    def evidence(self, source: str, phrase: str) -> str:
        self.ev_n += 1
        e = f"pkd:syn-ev-{self.ev_n:07d}"
        self.w.subject(e, [("a", "pk:Evidence"), ("oa:exact", lit(phrase[:40])), ("pk:quotedFrom", source)])
        return e

    def facts(self, source: str, phrase: str, also_article: bool = False) -> list[tuple[str, str]]:
        pairs = [("prov:wasDerivedFrom", source), ("pk:evidence", self.evidence(source, phrase))]
        if also_article:
            pairs.append(("prov:wasDerivedFrom", SEED_ARTICLE))
        return pairs

    def date(self, year_from=2019, year_to=2024) -> str:
        y = self.r.randint(year_from, year_to)
        return f"{y}-{self.r.randint(1, 12):02d}-{self.r.randint(1, 28):02d}"

    def zipf_pick(self, items: list, s: float = 1.1):
        """Pick with weight 1/rank^s (items[0] most often)."""
        if not hasattr(self, "_zipf_cache"):
            self._zipf_cache = {}
        key = (id(items), len(items))
        if key not in self._zipf_cache:
            weights = [1 / (i + 1) ** s for i in range(len(items))]
            acc, cum = 0.0, []
            for x in weights:
                acc += x
                cum.append(acc)
            self._zipf_cache[key] = cum
        cum = self._zipf_cache[key]
        return self.r.choices(items, cum_weights=cum, k=1)[0]

    # ----------------------------------------------------------------- entities
    def make_cities(self) -> None:
        n = self.scaled(70, minimum=20)
        self.cities: list[tuple[str, str, str]] = []  # (iri, en, zh)
        seen = set()
        i = 0
        while len(self.cities) < n:
            a, b = SYLLABLES[i % len(SYLLABLES)], SYLLABLES[(i * 7 + 3) % len(SYLLABLES)]
            i += 1
            en, zh = (a[0] + b[0]).capitalize(), a[1] + b[1]
            if en in seen:
                en, zh = f"{en} {i}", f"{zh}{i}"
            seen.add(en)
            iri = f"pkd:syn-city-{len(self.cities) + 1:04d}"
            pairs = [("a", "pk:City"), ("rdfs:label", lit(en, "en")), ("rdfs:label", lit(zh, "ja")),
                     ("rdfs:label", lit(zh + "市", "zh"))]
            if self.r.random() < 0.3:
                pairs.append(("skos:altLabel", lit(zh + "市", "ja")))
            self.w.subject(iri, pairs)
            self.cities.append((iri, en, zh))
        # Shipped cities first (Beijing and Shanghai most often), then the synthetic ones.
        first = [c for c in ("pkd:beijing", "pkd:shanghai") if c in self.shipped_cities]
        self.all_cities = first + [c for c in self.shipped_cities if c not in first] + [c[0] for c in self.cities]

    def make_sources(self) -> None:
        n = self.scaled(40, minimum=6)
        self.sources: list[str] = []
        self.publishers = []
        for i in range(max(3, n // 10)):
            iri = f"pkd:syn-publisher-{i + 1:03d}"
            fe, fz = FIRMS[i % len(FIRMS)]
            self.w.subject(iri, [("a", "org:Organization"), ("rdfs:label", lit(f"{fe} Media {i + 1}", "en")),
                                 ("rdfs:label", lit(f"{fz}メディア{i + 1}", "ja")), ("rdfs:label", lit(f"{fz}传媒{i + 1}", "zh")),
                                 ("pk:organizationKind", self.r.choice(["okind:medium", "okind:think-tank"]))]
                          + self.facts(SEED_ARTICLE, f"{fz}传媒{i + 1}によると"))
            self.publishers.append(iri)
        cited = []
        for i in range(n):
            iri = f"pkd:syn-source-{i + 1:05d}"
            te, tj, tz = self.r.choice(TOPICS)
            year = self.r.randint(2019, 2024)
            cls = "pk:Report" if i % 2 == 0 else "pk:Article"
            word = ("Report", "報告書", "报告") if cls == "pk:Report" else ("Article", "記事", "文章")
            pairs = [("a", cls), ("dct:title", lit(f"{word[0]} on {te} ({year}) no. {i + 1}", "en")),
                     ("dct:title", lit(f"{tj}{word[1]}({year}年)第{i + 1}号", "ja")),
                     ("dct:title", lit(f"{tz}{word[2]}（{year}）第{i + 1}号", "zh")),
                     ("rdfs:label", lit(f"{word[0]} on {te} ({year}) no. {i + 1}", "en")),
                     ("rdfs:label", lit(f"{tj}{word[1]}({year}年)第{i + 1}号", "ja")),
                     ("dct:date", typed(str(year), "gYear")), ("dct:language", self.r.choice(["lang:zh", "lang:ja", "lang:en"])),
                     ("dct:publisher", self.r.choice(self.publishers))]
            if cited and self.r.random() < 0.5:
                pairs.append(("pk:cites", self.r.choice(cited)))
            ev = self.evidence(SEED_ARTICLE, f"{tj}{word[1]}第{i + 1}号")
            pairs.append(("pk:evidence", ev))
            self.w.subject(iri, pairs)
            self.sources.append(iri)
            cited.append(iri)
        # The seed article cites a share of them (cq-sources-cited-by-the-article fans out).
        extra = self.sources[: max(1, n // 20)]
        self.w.subject(SEED_ARTICLE, [("pk:cites", s) for s in extra])
        self.reports = [s for i, s in enumerate(self.sources) if i % 2 == 0]

    def make_government(self) -> None:
        self.bodies: list[tuple[str, str]] = [(BJ_GOV, "pkd:beijing")]  # (body, city)
        for iri, en, zh in self.cities:
            slug = iri.split("syn-city-")[1]
            gov = f"pkd:syn-gov-{slug}"
            src = self.r.choice(self.sources)
            self.w.subject(gov, [("a", "pk:GovernmentBody"), ("rdfs:label", lit(f"{en} Municipal Government", "en")),
                                 ("rdfs:label", lit(f"{zh}市", "ja")), ("rdfs:label", lit(f"{zh}市人民政府", "zh")),
                                 ("skos:altLabel", lit(f"{zh}市政府", "zh")), ("pk:basedIn", iri),
                                 ("pk:organizationKind", "okind:government-body")]
                          + self.facts(src, f"{zh}市人民政府が発表"))
            bureau = f"pkd:syn-bureau-{slug}"
            self.w.subject(bureau, [("a", "pk:GovernmentBody"),
                                    ("rdfs:label", lit(f"{en} Bureau of Economy and Information Technology", "en")),
                                    ("rdfs:label", lit(f"{zh}市経済・情報化局", "ja")),
                                    ("rdfs:label", lit(f"{zh}市经济和信息化局", "zh")), ("org:subOrganizationOf", gov),
                                    ("pk:basedIn", iri), ("pk:organizationKind", "okind:government-body")]
                          + self.facts(src, f"{zh}市経済・情報化局"))
            self.bodies += [(gov, iri), (bureau, iri)]

    def make_organizations(self) -> None:
        n = self.scaled(950, minimum=40)
        self.orgs: list[str] = []
        kinds = ["okind:company"] * 6 + ["okind:research-institute", "okind:university", "okind:investment-firm",
                                          "okind:public-institution"]
        for i in range(n):
            iri = f"pkd:syn-org-{i + 1:06d}"
            city = self.zipf_pick(self.all_cities)
            src = self.r.choice(self.sources)
            kind = self.r.choice(kinds)
            if self.real_orgs and i % 20 == 0:  # a subsidiary named after a real organization
                parent, names = self.real_orgs[(i // 20) % len(self.real_orgs)]
                en = f"{names['en']} {self.r.choice(TRADES)[0]} Subsidiary {i + 1}"
                ja = f"{names['ja'] or names['en']}子会社{i + 1}"
                zh = f"{names['zh'] or names['en']}子公司{i + 1}"
                extra = [("org:subOrganizationOf", parent), ("skos:altLabel", lit(f"{names['en']} {i + 1}", "en"))]
            else:
                fe, fz = FIRMS[i % len(FIRMS)]
                te, tz, tj = TRADES[(i // len(FIRMS)) % len(TRADES)]
                en, zh, ja = f"{fe} {te} Co., Ltd. {i + 1}", f"{fz}{tz}有限公司{i + 1}", f"{fz}{tj}株式会社{i + 1}"
                extra = [("skos:altLabel", lit(f"{fe} {te} {i + 1}", "en")), ("skos:altLabel", lit(f"{fz}{tz}{i + 1}", "zh"))]
            pairs = [("a", "org:Organization"), ("rdfs:label", lit(en, "en")), ("rdfs:label", lit(ja, "ja")),
                     ("rdfs:label", lit(zh, "zh")), ("pk:organizationKind", kind), ("pk:basedIn", city)] + extra
            self.w.subject(iri, pairs + self.facts(src, f"{zh}など"))
            self.orgs.append(iri)

    def policy(self, iri: str, issuer: str, city: str, issued: str, kind: str, level: str,
               n_goals: int, cls: str = "pk:PolicyDocument", extra=()) -> None:
        src = self.r.choice(self.sources)
        de, dj, dz = self.r.choice(DOCS)
        te, tj, tz = self.r.choice(TOPICS)
        num = iri.rsplit("-", 1)[1]
        pairs = [("a", cls), ("dct:title", lit(f"{de} {te} ({issued[:4]}) no. {num}", "en")),
                 ("dct:title", lit(f"{tj}{dj}({issued[:4]}年)第{num}号", "ja")),
                 ("dct:title", lit(f"{tz}{dz}（{issued[:4]}年）第{num}号", "zh")),
                 ("rdfs:label", lit(f"{de} {te} no. {num}", "en")), ("rdfs:label", lit(f"{tj}{dj}第{num}号", "ja")),
                 ("pk:issuedBy", issuer), ("pk:jurisdiction", city), ("dct:issued", typed(issued, "date")),
                 ("pk:policyKind", kind), ("pk:policyLevel", level)]
        if self.r.random() < 0.3:
            pairs.append(("pk:period", self.r.choice(["pkd:period-2021-2025", "pkd:period-2022-2025", "pkd:period-2023-2025"])))
        for t in self.r.sample(self.vocab["technology"], self.r.randint(0, 3)):
            pairs.append(("pk:hasKeyTechnology", t))
        if self.r.random() < 0.5:
            pairs.append(("pk:hasTechnologyDirection", self.r.choice(self.vocab["technology"])))
        if kind == "kind:measures":
            cats = self.r.sample(self.vocab["measure-category"], self.r.randint(1, 4))
            pairs += [("pk:hasMeasureCategory", c) for c in cats] + [("pk:statedMeasureCount", str(self.r.randint(5, 30)))]
        for g in self.goals(iri, n_goals, src):
            pairs.append(("pk:hasGoal", g))
        pairs += list(extra)
        self.w.subject(iri, pairs + self.facts(src, f"{tj}{dj}第{num}号を発表", also_article=self.r.random() < 0.2))

    def goals(self, owner: str, n: int, src: str) -> list[str]:
        out = []
        base = owner.split(":", 1)[1]
        for k in range(n):
            g = f"pkd:syn-goal-{base}-{k + 1}"
            year = self.r.choice(["2025", "2025", "2027", "2030"])
            pairs = [("a", "pk:Goal"), ("rdfs:label", lit(f"Goal {k + 1} of {base} by {year}", "en")),
                     ("rdfs:label", lit(f"{year}年までの目標{k + 1}", "ja")), ("pk:deadline", typed(year, "gYear"))]
            if self.r.random() < 0.5:
                t = f"pkd:syn-target-{base}-{k + 1}"
                ind = self.r.choice(self.indicators)
                tp = [("a", "pk:Target"), ("pk:indicator", ind), ("pk:unit", self.unit(ind)),
                      ("pk:deadline", typed(year, "gYear")), ("rdfs:label", lit(f"Target {k + 1} of {base}", "en"))]
                if self.r.random() < 0.2:
                    lo = self.r.randint(1, 50)
                    tp += [("pk:comparator", "cmp:range"), ("pk:targetMin", str(lo)), ("pk:targetMax", str(lo + self.r.randint(1, 50)))]
                else:
                    tp += [("pk:comparator", self.r.choice(["cmp:at-least", "cmp:more-than", "cmp:about"])),
                           ("pk:targetValue", str(self.r.randint(1, 10**6) * 1000))]
                self.w.subject(t, tp + self.facts(src, f"目標値{k + 1}"))
                pairs.append(("pk:hasTarget", t))
            self.w.subject(g, pairs + self.facts(src, f"{year}年までに目標{k + 1}"))
            out.append(g)
        return out

    def make_policies(self) -> None:
        n = self.scaled(170, minimum=10)
        self.policies: list[tuple[str, str]] = []  # (iri, issuer)
        kinds = [k for k in self.vocab["policy-kind"] if k != "kind:partnership-program"]
        levels = self.vocab["policy-level"]
        by_issuer: dict[str, list[str]] = {}
        for i in range(n):
            iri = f"pkd:syn-policy-{i + 1:06d}"
            if i % 10 == 0:  # the Beijing government issues many, some on the example date 2023-05-30
                issuer, city = BJ_GOV, "pkd:beijing"
                issued = "2023-05-30" if i % 30 == 0 else self.date(2022, 2024)
            else:
                issuer, city = self.zipf_pick(self.bodies, s=0.8)
                issued = "2023-05-30" if self.r.random() < 0.01 else self.date()
            extra = []
            earlier = by_issuer.get(issuer)
            if earlier and self.r.random() < 0.2:
                extra.append(("pk:refines", self.r.choice(earlier)))
            elif i % 50 == 0:
                extra.append(("pk:refines", SH_PLAN))
            self.policy(iri, issuer, city, issued, self.r.choice(kinds), self.r.choice(levels), self.r.randint(1, 4), extra=extra)
            by_issuer.setdefault(issuer, []).append(iri)
            self.policies.append((iri, issuer))
        # The named plans get more goals and targets as the graph grows.
        for plan in (BJ_PLAN, BJ_MEASURES, SH_PLAN):
            goals = self.goals(plan + "-extra", self.scaled(8, minimum=2), SEED_ARTICLE)
            self.w.subject(plan, [("pk:hasGoal", g) for g in goals])

    def membership(self, iri: str, member: str, program: str, role: str, batch: str, src: str, label: str) -> None:
        self.w.subject(iri, [("a", "pk:PartnerMembership"), ("org:member", member), ("org:organization", program),
                             ("org:role", role), ("pk:batch", batch), ("rdfs:label", lit(label, "en"))]
                       + self.facts(src, f"{label[:30]}として選定"))

    def batch(self, program: str, number: int, members: list[str], src: str, slug: str) -> None:
        b = f"pkd:syn-batch-{slug}-{number}"
        roles = self.vocab["partner-role"]
        assigned = [(m, roles[self.r.randrange(len(roles))]) for m in members]
        per_role = {r: sum(1 for _, x in assigned if x == r) for r in roles}
        self.w.subject(b, [("a", "pk:Batch"), ("pk:batchOf", program), ("pk:batchNumber", str(number)),
                           ("pk:statedMemberCount", str(len(members))), ("dct:issued", typed(self.date(2023, 2024), "date")),
                           ("rdfs:label", lit(f"Batch {number} of {program[4:]}", "en")),
                           ("rdfs:label", lit(f"{program[4:]} 第{number}陣", "ja"))]
                       + self.facts(src, f"第{number}陣のメンバー{len(members)}社"))
        for role, count in per_role.items():
            if count:
                self.w.subject(f"{b}-count-{role.split(':')[1]}", [("a", "pk:StatedCount"), ("pk:countIn", b),
                                                                   ("pk:countOf", role), ("pk:statedCount", str(count))]
                               + self.facts(src, f"第{number}陣の{role.split(':')[1]}パートナー {count} 社"))
        for k, (m, role) in enumerate(assigned):
            self.membership(f"pkd:syn-membership-{slug}-{number}-{k + 1}", m, program, role, b, src,
                            f"{m[4:]}: {role.split(':')[1]} partner (batch {number})")

    def make_programs(self) -> None:
        # The real Beijing program: further batches of about 40 members.
        n_real = self.scaled(200, minimum=10)
        src = self.r.choice(self.sources)
        members = self.r.sample(self.orgs, min(n_real, len(self.orgs)))
        for b in range(0, len(members), 40):
            self.batch(BJ_PROGRAM, b // 40 + 2, members[b:b + 40], src, "bj-gai")
        # Synthetic programs; Baidu joins half of them.
        n_programs = self.scaled(10, minimum=2)
        for i in range(n_programs):
            iri = f"pkd:syn-program-{i + 1:05d}"
            issuer, city = self.zipf_pick(self.bodies, s=0.8)
            psrc = self.r.choice(self.sources)
            self.policy(iri, issuer, city, self.date(2021, 2024), "kind:partnership-program", "level:operational",
                        1, cls="pk:PartnerProgram", extra=[("pk:hasPartnerRole", r) for r in self.vocab["partner-role"]])
            for b in range(1, self.r.randint(1, 3) + 1):
                ms = self.r.sample(self.orgs, min(len(self.orgs), self.r.randint(10, 60)))
                if b == 1 and i % 2 == 0:
                    ms[0] = BAIDU
                self.batch(iri, b, ms, psrc, f"p{i + 1:05d}")
        # The real Baidu membership gets further reports (sources and evidence fan out, slowly).
        pairs = []
        for k in range(self.scaled(4, minimum=1)):
            s = self.sources[(k * 7) % len(self.sources)]
            pairs += [("prov:wasDerivedFrom", s), ("pk:evidence", self.evidence(s, f"百度が模型伙伴に選ばれた{k + 1}"))]
        self.w.subject(BAIDU_MEMBERSHIP, pairs)

    def make_people(self) -> None:
        n = self.scaled(30, minimum=2)
        media = self.publishers
        for i in range(n):
            p, post = f"pkd:syn-person-{i + 1:05d}", f"pkd:syn-post-{i + 1:05d}"
            org = self.r.choice(self.orgs)
            src = self.r.choice(self.sources)
            a, b = SYLLABLES[i % len(SYLLABLES)], SYLLABLES[(i // len(SYLLABLES)) % len(SYLLABLES)]
            en, zh = f"{a[0].capitalize()} {b[0].capitalize()}{i + 1}", f"{a[1]}{b[1]}{i + 1}"
            self.w.subject(p, [("a", "foaf:Person"), ("rdfs:label", lit(en, "en")), ("rdfs:label", lit(en, "ja")),
                               ("rdfs:label", lit(zh, "zh")), ("org:holds", post)] + self.facts(src, f"{zh}氏"))
            self.w.subject(post, [("a", "org:Post"), ("org:heldBy", p), ("org:postIn", org),
                                  ("org:role", self.r.choice(self.vocab["post-role"])),
                                  ("rdfs:label", lit(f"Post of {en}", "en"))] + self.facts(src, f"{zh}氏の役職"))
            for k in range(self.r.randint(1, 3)):
                self.w.subject(f"pkd:syn-stmt-{i + 1:05d}-{k + 1}", [
                    ("a", "pk:Statement"), ("pk:speaker", p), ("pk:speakerPost", post), ("pk:reportedBy", self.r.choice(media)),
                    ("pk:about", self.r.choice(self.vocab["technology"])), ("dct:date", typed(self.date()[:7], "gYearMonth")),
                    ("rdfs:comment", lit(f"Synthetic statement {k + 1} by {en}.", "en")),
                    ("rdfs:label", lit(f"Statement {k + 1} by {en}", "en"))] + self.facts(src, f"{zh}氏は述べた{k + 1}"))

    def make_observations(self) -> None:
        """Data sets until the triple target is reached (this fills the remaining budget)."""
        used_top50: set[tuple[str, str]] = set()  # (indicator, year) already ranked in the real top-50 group
        for props in self.shipped.values():
            if any(o.value == PKD + TOP50_GROUP[4:] for o in props.get(PK + "comparisonGroup", [])):
                for ind in props.get(PK + "indicator", []):
                    for period in props.get("http://purl.org/linked-data/sdmx/2009/dimension#refPeriod", []):
                        used_top50.add((short(ind.value), period.value))
        groups = []
        d = 0
        while self.w.count < self.budget:
            d += 1
            report = self.r.choice(self.reports)
            ds = f"pkd:syn-dataset-{d:05d}"
            self.w.subject(ds, [("a", "qb:DataSet"), ("dct:source", report), ("qb:structure", "pk:cityIndicators"),
                                ("rdfs:label", lit(f"Synthetic city statistics {d}", "en"))]
                           + self.facts(report, f"データソース第{d}表"))
            year = str(self.r.randint(2013, 2023))
            inds = self.r.sample(self.indicators, self.r.randint(1, 4))
            if d <= 3:  # make sure the indicators the canned queries name keep growing
                inds = [i for i in ("ind:computer-software-hardware-enterprises", "ind:digital-tech-total",
                                    "ind:large-models-released") if i in self.indicators][:1] + inds[:2]
                inds = list(dict.fromkeys(inds))
                if d == 1:
                    year = "2021"
            group = None
            new_pairs = [(i, year) for i in inds if (i, year) not in used_top50]
            if new_pairs and d > 1 and self.r.random() < 0.5:
                group, inds = TOP50_GROUP, [i for i, _ in new_pairs]
                used_top50.update(new_pairs)
            elif d == 1 or self.r.random() < 0.6:
                group = f"pkd:syn-group-{d:05d}"
                self.w.subject(group, [("a", "pk:ComparisonGroup"), ("rdfs:label", lit(f"Comparison group {d}", "en")),
                                       ("rdfs:label", lit(f"比較グループ{d}", "ja"))] + self.facts(report, f"上位都市グループ{d}"))
                groups.append(group)
            n_cities = min(len(self.all_cities), self.r.randint(10, 50))
            cities = self.all_cities[:2] + self.r.sample(self.all_cities[2:], n_cities - 2)
            for ind in inds:
                ev = self.evidence(report, f"{ind[4:]}の{year}年の数値")
                values = sorted(((self.r.randint(1, 10**6), c) for c in cities), reverse=True)
                unit = self.unit(ind)
                for rank, (value, city) in enumerate(values, 1):
                    if self.w.count >= self.budget:
                        return
                    o = f"pkd:syn-obs-{d:05d}-{ind[4:]}-{rank}"
                    pairs = [("a", "pk:Observation"), ("qb:dataSet", ds), ("pk:indicator", ind),
                             ("sdmx-dimension:refArea", city), ("sdmx-dimension:refPeriod", typed(year, "gYear")),
                             ("sdmx-measure:obsValue", str(value)), ("pk:unit", unit),
                             ("rdfs:label", lit(f"{ind[4:]}, {city[4:]}, {year}", "en")),
                             ("prov:wasDerivedFrom", report), ("pk:evidence", ev)]
                    if group:
                        pairs += [("pk:rank", str(rank)), ("pk:comparisonGroup", group)]
                    if self.r.random() < 0.1:
                        pairs.append(("pk:comparator", self.r.choice(["cmp:about", "cmp:more-than", "cmp:at-least"])))
                    self.w.subject(o, pairs)

    def run(self) -> None:
        self.make_cities()
        self.make_sources()
        self.make_government()
        self.make_organizations()
        self.make_policies()
        self.make_programs()
        self.make_people()
        self.make_observations()


def inputs_digest(repo: Path | None = None) -> str:
    """SHA-256 of the shipped graph and vocabulary files the output is built from."""
    import hashlib
    repo = repo or Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for f in sorted((repo / "graph").glob("*.ttl")) + sorted((repo / "ontology" / "vocab").glob("*.ttl")):
        h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def generate(target: int, out: Path, seed: int = 1, repo: Path | None = None) -> dict:
    repo = repo or Path(__file__).resolve().parent.parent
    shipped_dir, vocab_dir = repo / "graph", repo / "ontology" / "vocab"
    graph = out / "graph"
    if graph.exists():
        shutil.rmtree(graph)
    (graph / "shipped").mkdir(parents=True)
    shipped_files = sorted(shipped_dir.glob("*.ttl"))
    for f in shipped_files:
        shutil.copy2(f, graph / "shipped" / f.name)
    shipped = read_turtle(shipped_files)
    w = Writer(graph)
    g = Generator(shipped, vocab_concepts(vocab_dir), target, seed, w)
    g.run()
    w.close()
    info = {"generator_version": GENERATOR_VERSION, "target_triples": target, "seed": seed,
            "shipped_triples": len(set(shipped)), "synthetic_triples": w.count,
            "graph_triples": len(set(shipped)) + w.count, "synthetic_files": w.files,
            "inputs_sha256": inputs_digest(repo)}
    (out / "generated.json").write_text(json.dumps(info, indent=1) + "\n")
    return info


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    mult = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * mult)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--triples", type=parse_size, required=True, help="target asserted triples in graph/ (e.g. 100000, 100k, 1M)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    info = generate(args.triples, args.out, args.seed)
    print(json.dumps(info), file=sys.stderr)


if __name__ == "__main__":
    main()
