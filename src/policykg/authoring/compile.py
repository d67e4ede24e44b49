"""Rows to triples: each row becomes the nodes ``docs/modelling.md`` describes.

IRIs are ``pkd:`` plus the row's ``id`` (evidence ``pkd:ev-<id>``,
``pkd:ev-<id>-2`` ...), so they are readable and never change while the
sheet keeps its ids. References to other things are ids too: of a row of the
same sheet or of something the graph already holds. References to
vocabularies (roles, kinds, indicators, units, comparators, levels) are the
concept's local name (``at-least``, ``ai-core-industry-scale``); an unknown
one is reported with the known ones listed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox

from ..namespaces import PK, PKD, PKV, PREFIXES, RDF_TYPE
from .sheet import Problem, Row, Sheet, Value

DCT, RDFS, SKOS, PROV, OA = (PREFIXES[p] for p in ("dct", "rdfs", "skos", "prov", "oa"))
ORG, QB, XSD, ELI = PREFIXES["org"], PREFIXES["qb"], PREFIXES["xsd"], PREFIXES["eli"]
FOAF = PREFIXES["foaf"]
SDMX_DIM, SDMX_MEAS = PREFIXES["sdmx-dimension"], PREFIXES["sdmx-measure"]
SCHEMA_URL = "http://schema.org/url"
LANG = PREFIXES["lang"]

ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
LABEL_LANGS = re.compile(r"^(ja|en|zh)(-[A-Za-z]{2,8})*$")
MAX_PHRASE = 40

#: Relations between policies: the column word and the property it writes.
RELATIONS = {
    "implements": ELI + "implements",
    "cites": ELI + "cites",
    "refines": PK + "refines",
}

#: Vocabulary columns: scheme local name under pkv:, and the namespace of its concepts.
SCHEMES = {
    "policy-kind": PREFIXES["kind"], "policy-level": PREFIXES["level"], "administrative-level": PREFIXES["level"],
    "partner-role": PREFIXES["role"], "indicator": PREFIXES["ind"], "unit": PREFIXES["unit"],
    "comparator": PREFIXES["cmp"], "organization-kind": PREFIXES["okind"], "post-role": PREFIXES["post"],
}

#: What a referenced id must be in the graph (or in the sheet), by the class it must have.
AGENT_CLASSES = (ORG + "Organization", FOAF + "Person", FOAF + "Agent")


@dataclass
class Context:
    """What the graph already holds, for checking references and clashes."""

    types: dict[str, set[str]]  # IRI -> its classes (entailed)
    concepts: dict[str, list[str]]  # scheme -> concept local names
    exact: dict[str, str] = field(default_factory=dict)  # evidence IRI -> phrase

    def has(self, iri: str, *classes: str) -> bool:
        t = self.types.get(iri)
        return t is not None and (not classes or bool(t.intersection(classes)))


@dataclass
class Compiled:
    triples: list[ox.Triple]
    rows_by_subject: dict[str, Row]
    phrases: list[tuple[Row, str, str, int]]  # row, column, phrase, line


_FACT = ("id", "label", "alt", "comment", "source", "evidence")
#: The columns of each section; any other column is refused (a typo would otherwise drop a fact).
COLUMNS = {
    "sources": ("id", "type", "title", "label", "alt", "publisher", "issued", "language", "url", "comment", "cites",
                "evidence"),
    "places": ("id", "type", "label", "alt", "part_of", "comment"),
    "organizations": _FACT + ("type", "kind", "part_of", "based_in"),
    "people": _FACT,
    "posts": _FACT + ("in", "role", "held_by"),
    "policies": _FACT + ("type", "title", "kind", "level", "administrative_level", "issuers", "jurisdiction", "issued",
                         "identifier", "roles"),
    "relations": _FACT + ("policy", *RELATIONS),
    "goals": _FACT + ("policy", "deadline"),
    "targets": _FACT + ("goal", "indicator", "value", "min", "max", "unit", "comparator", "deadline"),
    "batches": _FACT + ("program", "number", "members", "issued"),
    "memberships": _FACT + ("member", "program", "role", "batch"),
    "observations": _FACT + ("indicator", "area", "period", "value", "unit", "comparator", "rank", "group", "dataset"),
}


def _nn(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


class _Compiler:
    def __init__(self, sheet: Sheet, context: Context):
        self.sheet = sheet
        self.ctx = context
        self.problems: list[Problem] = []
        self.triples: list[ox.Triple] = []
        self.rows_by_subject: dict[str, Row] = {}
        self.phrases: list[tuple[Row, str, str, int]] = []
        self.defined: dict[str, tuple[set, Row]] = {}  # iri -> (classes, row)
        self.document: str | None = None

    # -- reporting ---------------------------------------------------------

    def problem(self, row: Row | None, column: str | None, message: str, line: int | None = None):
        if row is None:
            self.problems.append(Problem(self.sheet.name, line, None, None, None, column, message))
            return
        line = line or row.lines.get(column, row.line) if column else line or row.line
        self.problems.append(Problem(self.sheet.name, line, row.section, row.index, row.id, column, message))

    # -- values ------------------------------------------------------------

    def add(self, s: str, p: str, o):
        self.triples.append(ox.Triple(_nn(s), _nn(p), o if not isinstance(o, str) else _nn(o)))

    def text(self, row: Row, col: str, required: bool = False) -> str | None:
        v = row.columns.get(col)
        if v is None:
            if required:
                self.problem(row, col, f"missing column {col}")
            return None
        if not isinstance(v, Value):
            self.problem(row, col, f"{col} is one value, not a list or mapping")
            return None
        t = unicodedata.normalize("NFC", v.text).strip()
        if not t:
            if required:
                self.problem(row, col, f"{col} is empty")
            return None
        return t

    def texts(self, row: Row, col: str, required: bool = False) -> list[tuple[str, int]]:
        v = row.columns.get(col)
        if v is None:
            if required:
                self.problem(row, col, f"missing column {col}")
            return []
        items = v if isinstance(v, list) else [v]
        out = []
        for item in items:
            if not isinstance(item, Value):
                self.problem(row, col, f"{col} lists plain values")
                continue
            t = unicodedata.normalize("NFC", item.text).strip()
            if t:
                out.append((t, item.line))
        if required and not out:
            self.problem(row, col, f"{col} is empty")
        return out

    def langs(self, row: Row, col: str, prop: str, subject: str, *, need: tuple = (), one: bool = True):
        v = row.columns.get(col)
        if v is None:
            if need:
                self.problem(row, col, f"missing column {col} (a mapping with {', '.join(need)})")
            return
        if not isinstance(v, dict):
            self.problem(row, col, f"{col} is a mapping of language to text, e.g. {{ja: ..., en: ..., zh: ...}}")
            return
        for lang in need:
            if lang not in v:
                self.problem(row, col, f"{col} needs a {lang} entry")
        for lang, value in sorted(v.items()):
            if not LABEL_LANGS.match(lang):
                self.problem(row, col, f"unknown language {lang!r}; use ja, en, zh (or zh-Hant, zh-Hans)")
                continue
            values = value if isinstance(value, list) else [value]
            if one and len(values) != 1:
                self.problem(row, col, f"{col} has one {lang} text; put the others in alt")
                continue
            for item in values:
                if not isinstance(item, Value) or not item.text.strip():
                    self.problem(row, col, f"{col}.{lang} is a non-empty text")
                    continue
                text = unicodedata.normalize("NFC", item.text).strip()
                self.add(subject, prop, ox.Literal(text, language=lang))

    def date(self, row: Row, col: str, required: bool = False) -> ox.Literal | None:
        t = self.text(row, col, required)
        if t is None:
            return None
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
                raise ValueError
            dt.date.fromisoformat(t)
        except ValueError:
            self.problem(row, col, f"bad date {t!r}: write a day as YYYY-MM-DD, e.g. 2024-07-26")
            return None
        return ox.Literal(t, datatype=_nn(XSD + "date"))

    def year(self, row: Row, col: str, required: bool = False) -> ox.Literal | None:
        t = self.text(row, col, required)
        if t is None:
            return None
        if not re.fullmatch(r"[12]\d{3}", t):
            self.problem(row, col, f"bad year {t!r}: write a year as YYYY, e.g. 2025")
            return None
        return ox.Literal(t, datatype=_nn(XSD + "gYear"))

    def period(self, row: Row, col: str) -> ox.Literal | None:
        t = self.text(row, col, True)
        if t is None:
            return None
        if re.fullmatch(r"[12]\d{3}", t):
            return ox.Literal(t, datatype=_nn(XSD + "gYear"))
        if re.fullmatch(r"[12]\d{3}-\d{2}", t) and 1 <= int(t[5:]) <= 12:
            return ox.Literal(t, datatype=_nn(XSD + "gYearMonth"))
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
                dt.date.fromisoformat(t)
                return ox.Literal(t, datatype=_nn(XSD + "date"))
        except ValueError:
            pass
        self.problem(row, col, f"bad period {t!r}: write YYYY, YYYY-MM or YYYY-MM-DD")
        return None

    def number(self, row: Row, col: str, required: bool = False) -> ox.Literal | None:
        t = self.text(row, col, required)
        if t is None:
            return None
        try:
            d = Decimal(t.replace("_", ""))
            if not d.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            self.problem(row, col, f"{t!r} is not a number (write 300000000000, not 3000億)")
            return None
        if d == d.to_integral_value() and "." not in t and "e" not in t.lower():
            return ox.Literal(str(int(d)), datatype=_nn(XSD + "integer"))
        return ox.Literal(format(d, "f"), datatype=_nn(XSD + "decimal"))

    def concept(self, row: Row, col: str, scheme: str, required: bool = False) -> str | None:
        t = self.text(row, col, required)
        if t is None:
            return None
        known = self.ctx.concepts.get(scheme, [])
        if t not in known:
            self.problem(row, col, f"unknown {scheme.replace('-', ' ')} {t!r}; known: {', '.join(known)}")
            return None
        return SCHEMES[scheme] + t

    def ref(self, row: Row, col: str, value: str, classes: tuple, what: str, line: int | None = None) -> str | None:
        iri = PKD + value.removeprefix("pkd:")
        mine = self.defined.get(iri)
        if mine is not None:
            if not classes or mine[0].intersection(classes):
                return iri
        elif self.ctx.has(iri, *classes):
            return iri
        self.problem(row, col, f"{value!r} is not {what} the graph or this sheet holds", line)
        return None

    def refs(self, row: Row, col: str, classes: tuple, what: str, required: bool = False) -> list[str]:
        out = []
        for value, line in self.texts(row, col, required):
            iri = self.ref(row, col, value, classes, what, line)
            if iri:
                out.append(iri)
        return out

    # -- the parts every fact row has ---------------------------------------

    def subject(self, row: Row, cls: set) -> str | None:
        rid = self.text(row, "id", True)
        if rid is None:
            return None
        if not ID_PATTERN.match(rid):
            self.problem(row, "id", f"bad id {rid!r}: lower-case letters, digits and hyphens, e.g. bj-ai-plus-plan-2024")
            return None
        iri = PKD + rid
        if iri in self.defined:
            other = self.defined[iri][1]
            self.problem(row, "id", f"duplicate id {rid!r}: {other.section}[{other.index}] (line {other.line}) has it too")
            return None
        if iri in self.ctx.types:
            self.problem(row, "id", f"id {rid!r} clashes with pkd:{rid}, which the graph already holds; "
                                    "pick another id or refer to it instead")
            return None
        self.defined[iri] = (cls, row)
        return iri

    def facts(self, row: Row, s: str, *, labelled: bool = True, need_langs=("ja", "en")):
        """Type, labels, source and evidence: what every fact row writes."""
        self.rows_by_subject[s] = row
        if labelled:
            self.langs(row, "label", RDFS + "label", s, need=need_langs)
        self.langs(row, "alt", SKOS + "altLabel", s, one=False)
        comment = self.text(row, "comment")
        if comment:
            self.add(s, RDFS + "comment", ox.Literal(comment, language="en"))
        sources = self.refs(row, "source", (PK + "Source",), "a source", required=True)
        for src in sources:
            self.add(s, PROV + "wasDerivedFrom", src)
        self.evidence(row, s, "evidence")

    def evidence(self, row: Row, s: str, col: str, *, prefix: str | None = None, node=None, base_line=None):
        items = node if node is not None else row.columns.get(col)
        if items is None:
            self.problem(row, col, "missing column evidence: at least one phrase copied from the source")
            return
        items = items if isinstance(items, list) else [items]
        if not items:
            self.problem(row, col, "evidence is empty: at least one phrase copied from the source")
        stem = prefix or s.removeprefix(PKD)
        for n, item in enumerate(items, start=1):
            gloss = None
            if isinstance(item, dict):
                phrase_v, gloss_v = item.get("phrase"), item.get("gloss")
                if not isinstance(phrase_v, Value):
                    self.problem(row, col, "an evidence entry is a phrase, or {phrase: ..., gloss: ...}")
                    continue
                if gloss_v is not None:
                    gloss = gloss_v.text.strip() if isinstance(gloss_v, Value) else None
            elif isinstance(item, Value):
                phrase_v = item
            else:
                self.problem(row, col, "an evidence entry is a phrase, or {phrase: ..., gloss: ...}")
                continue
            phrase = unicodedata.normalize("NFC", phrase_v.text)
            if not phrase.strip():
                self.problem(row, col, "an evidence phrase is empty", phrase_v.line)
                continue
            if len(phrase) > MAX_PHRASE:
                self.problem(row, col, f"evidence phrase of {len(phrase)} characters, over {MAX_PHRASE}: "
                                       f"{phrase!r}; keep the words that pin the fact", phrase_v.line)
                continue
            ev = PKD + f"ev-{stem}" + ("" if n == 1 else f"-{n}")
            if ev in self.ctx.types:
                self.problem(row, col, f"evidence id {ev.removeprefix(PKD)} clashes with one the graph holds")
                continue
            self.phrases.append((row, col, phrase, phrase_v.line))
            self.add(ev, RDF_TYPE, PK + "Evidence")
            self.add(ev, OA + "exact", ox.Literal(phrase))
            if self.document:
                self.add(ev, PK + "quotedFrom", self.document)
            if gloss:
                self.add(ev, PK + "gloss", ox.Literal(gloss, language="en"))
            self.add(s, PK + "evidence", ev)

    # -- sections ----------------------------------------------------------

    def declare(self):
        """Ids first, so rows may refer to rows further down the sheet."""
        classes = {"sources": {PK + "Source"}, "places": {PK + "Place"},
                   "organizations": {ORG + "Organization", FOAF + "Agent"}, "people": {FOAF + "Person", FOAF + "Agent"},
                   "posts": {ORG + "Post"}, "policies": {PK + "PolicyDocument"}, "goals": {PK + "Goal"},
                   "targets": {PK + "Target"}, "batches": {PK + "Batch"}, "memberships": {ORG + "Membership"},
                   "observations": {QB + "Observation"}, "relations": {PK + "PolicyLink"}}
        self.subjects: dict[int, str] = {}
        for row in self.sheet.all_rows():
            if "id" not in row.columns and row.section == "relations":
                continue
            cls = set(classes[row.section])
            if row.section == "policies" and isinstance(row.columns.get("type"), Value) \
                    and row.columns["type"].text.strip() == "program":
                cls.add(PK + "PartnerProgram")
            s = self.subject(row, cls)
            if s:
                self.subjects[id(row)] = s
        sources = self.sheet.rows.get("sources", [])
        if len(sources) != 1:
            self.problem(None, None, "a sheet has exactly one row under sources: the document its --source text "
                                     f"holds (found {len(sources)})", line=sources[1].line if len(sources) > 1 else 1)
        elif id(sources[0]) in self.subjects:
            self.document = self.subjects[id(sources[0])]

    def compile(self) -> Compiled:
        for row in self.sheet.all_rows():
            for col in row.columns:
                if col not in COLUMNS[row.section]:
                    self.problem(row, col, f"unknown column {col!r}; the columns of {row.section} are "
                                           f"{', '.join(COLUMNS[row.section])}")
        self.declare()
        for section in ("sources", "places", "organizations", "people", "posts", "policies", "relations",
                        "goals", "targets", "batches", "memberships", "observations"):
            for row in self.sheet.rows.get(section, []):
                s = self.subjects.get(id(row))
                if s is None and not (section == "relations" and "id" not in row.columns):
                    continue
                getattr(self, "row_" + section)(row, s)
        return Compiled(self.triples, self.rows_by_subject, self.phrases)

    def row_sources(self, row: Row, s: str):
        kinds = {"source": PK + "Source", "article": PK + "Article", "report": PK + "Report"}
        kind = self.text(row, "type") or "source"
        if kind not in kinds:
            self.problem(row, "type", f"unknown source type {kind!r}; known: {', '.join(kinds)}")
            return
        self.add(s, RDF_TYPE, kinds[kind])
        self.rows_by_subject[s] = row
        self.langs(row, "label", RDFS + "label", s, need=("ja", "en"))
        self.langs(row, "title", DCT + "title", s, need=("en",))
        self.langs(row, "alt", SKOS + "altLabel", s, one=False)
        for pub in self.refs(row, "publisher", AGENT_CLASSES, "an organization"):
            self.add(s, DCT + "publisher", pub)
        issued = self.date(row, "issued", required=True)
        if issued is not None:
            self.add(s, DCT + "issued", issued)
        lang = self.text(row, "language", True)
        if lang:
            if not re.fullmatch(r"[a-z]{2}", lang):
                self.problem(row, "language", f"bad language {lang!r}: a two-letter ISO 639-1 code such as zh or ja")
            else:
                self.add(s, DCT + "language", LANG + lang)
        url = self.text(row, "url", True)
        if url:
            try:
                if not url.startswith(("http://", "https://")):
                    raise ValueError("not an http(s) address")
                self.add(s, SCHEMA_URL, ox.NamedNode(_iri_escape(url)))
            except ValueError as e:
                self.problem(row, "url", f"bad address {url!r}: {e}")
        comment = self.text(row, "comment")
        if comment:
            self.add(s, RDFS + "comment", ox.Literal(comment, language="en"))
        for cited in self.refs(row, "cites", (), "something"):
            self.add(s, PK + "cites", cited)
        self.evidence(row, s, "evidence")

    def row_places(self, row: Row, s: str):
        kinds = {"place": PK + "Place", "city": PK + "City"}
        kind = self.text(row, "type") or "place"
        if kind not in kinds:
            self.problem(row, "type", f"unknown place type {kind!r}; known: {', '.join(kinds)}")
            return
        self.add(s, RDF_TYPE, kinds[kind])
        self.rows_by_subject[s] = row
        self.langs(row, "label", RDFS + "label", s, need=("ja", "en"))
        self.langs(row, "alt", SKOS + "altLabel", s, one=False)
        for whole in self.refs(row, "part_of", (PK + "Place",), "a place"):
            self.add(s, DCT + "isPartOf", whole)
        comment = self.text(row, "comment")
        if comment:
            self.add(s, RDFS + "comment", ox.Literal(comment, language="en"))

    def row_organizations(self, row: Row, s: str):
        kinds = {"organization": ORG + "Organization", "government-body": PK + "GovernmentBody"}
        kind = self.text(row, "type") or "organization"
        if kind not in kinds:
            self.problem(row, "type", f"unknown organization type {kind!r}; known: {', '.join(kinds)}")
            return
        self.add(s, RDF_TYPE, kinds[kind])
        okind = self.concept(row, "kind", "organization-kind", required=True)
        if okind:
            self.add(s, PK + "organizationKind", okind)
        for parent in self.refs(row, "part_of", (ORG + "Organization",), "an organization"):
            self.add(s, ORG + "subOrganizationOf", parent)
        for place in self.refs(row, "based_in", (PK + "Place",), "a place"):
            self.add(s, PK + "basedIn", place)
        self.facts(row, s)

    def row_people(self, row: Row, s: str):
        self.add(s, RDF_TYPE, FOAF + "Person")
        self.facts(row, s)

    def row_posts(self, row: Row, s: str):
        self.add(s, RDF_TYPE, ORG + "Post")
        org = self.refs(row, "in", (ORG + "Organization",), "an organization", required=True)
        for o in org:
            self.add(s, ORG + "postIn", o)
        role = self.concept(row, "role", "post-role", required=True)
        if role:
            self.add(s, ORG + "role", role)
        for person in self.refs(row, "held_by", (FOAF + "Person",), "a person", required=True):
            self.add(s, ORG + "heldBy", person)
        self.facts(row, s, labelled=False)
        self.langs(row, "label", RDFS + "label", s)

    def row_policies(self, row: Row, s: str):
        kinds = {"policy": PK + "PolicyDocument", "program": PK + "PartnerProgram"}
        kind = self.text(row, "type") or "policy"
        if kind not in kinds:
            self.problem(row, "type", f"unknown policy type {kind!r}; known: {', '.join(kinds)}")
            return
        self.add(s, RDF_TYPE, kinds[kind])
        self.langs(row, "title", DCT + "title", s, need=("ja", "en"))
        pkind = self.concept(row, "kind", "policy-kind", required=True)
        if pkind:
            self.add(s, PK + "policyKind", pkind)
        level = self.concept(row, "level", "policy-level")
        if level:
            self.add(s, PK + "policyLevel", level)
        admin = self.concept(row, "administrative_level", "administrative-level")
        if admin:
            self.add(s, PK + "administrativeLevel", admin)
        for issuer in self.refs(row, "issuers", (ORG + "Organization",), "an organization", required=True):
            self.add(s, PK + "issuedBy", issuer)
        for place in self.refs(row, "jurisdiction", (PK + "Place",), "a place"):
            self.add(s, PK + "jurisdiction", place)
        issued = self.date(row, "issued", required=True)
        if issued is not None:
            self.add(s, DCT + "issued", issued)
        number = self.text(row, "identifier")
        if number:
            self.add(s, DCT + "identifier", ox.Literal(number))
        for role, line in self.texts(row, "roles"):
            known = self.ctx.concepts.get("partner-role", [])
            if role not in known:
                self.problem(row, "roles", f"unknown partner role {role!r}; known: {', '.join(known)}", line)
            else:
                self.add(s, PK + "hasPartnerRole", PREFIXES["role"] + role)
        self.facts(row, s)

    def row_relations(self, row: Row, s: str | None):
        """``{policy: a, implements: b}``: the direct link, and a pk:PolicyLink node holding its evidence."""
        policy = self.refs(row, "policy", (PK + "PolicyDocument",), "a policy", required=True)
        words = [w for w in RELATIONS if w in row.columns]
        if len(words) != 1:
            self.problem(row, None, f"a relation row names one of {', '.join(RELATIONS)} (found {len(words) or 'none'})")
            return
        word = words[0]
        target = self.refs(row, word, (PK + "PolicyDocument",), "a policy", required=True)
        if not policy or not target:
            return
        a, b = policy[0], target[0]
        if s is None:
            s = PKD + f"link-{a.removeprefix(PKD)}-{word}-{b.removeprefix(PKD)}"
            if s in self.defined or s in self.ctx.types:
                self.problem(row, word, f"duplicate relation: {s.removeprefix(PKD)} is already given")
                return
            self.defined[s] = ({PK + "PolicyLink"}, row)
        self.add(a, RELATIONS[word], b)
        self.add(s, RDF_TYPE, PK + "PolicyLink")
        self.add(s, PK + "linkFrom", a)
        self.add(s, PK + "linkTo", b)
        self.add(s, PK + "linkProperty", RELATIONS[word])
        self.facts(row, s, labelled=False)

    def row_goals(self, row: Row, s: str):
        self.add(s, RDF_TYPE, PK + "Goal")
        for policy in self.refs(row, "policy", (PK + "PolicyDocument",), "a policy", required=True):
            self.add(policy, PK + "hasGoal", s)
        deadline = self.year(row, "deadline")
        if deadline is not None:
            self.add(s, PK + "deadline", deadline)
        self.facts(row, s)

    def row_targets(self, row: Row, s: str):
        self.add(s, RDF_TYPE, PK + "Target")
        for goal in self.refs(row, "goal", (PK + "Goal",), "a goal", required=True):
            self.add(goal, PK + "hasTarget", s)
        ind = self.concept(row, "indicator", "indicator", required=True)
        if ind:
            self.add(s, PK + "indicator", ind)
        self.target_concept(row, s, "unit")
        cmp = self.target_concept(row, s, "comparator")
        deadline = self.year(row, "deadline", required=True)
        if deadline is not None:
            self.add(s, PK + "deadline", deadline)
        if cmp == PREFIXES["cmp"] + "range":
            lo, hi = self.number(row, "min", True), self.number(row, "max", True)
            if lo is not None and hi is not None:
                self.add(s, PK + "targetMin", lo)
                self.add(s, PK + "targetMax", hi)
        else:
            value = self.number(row, "value", True)
            if value is not None:
                self.add(s, PK + "targetValue", value)
        self.facts(row, s, need_langs=("en",))

    def target_concept(self, row: Row, s: str, field: str):
        """The target's ``field`` (unit or comparator), which it must have; the known values on a problem."""
        if self.text(row, field) is None:
            self.problem(row, field, f"a target needs a {field} (known: "
                         + ", ".join(self.ctx.concepts.get(field, [])) + ")")
            return None
        concept = self.concept(row, field, field)
        if concept:
            self.add(s, PK + field, concept)
        return concept

    def row_batches(self, row: Row, s: str):
        self.add(s, RDF_TYPE, PK + "Batch")
        for program in self.refs(row, "program", (PK + "PartnerProgram",), "a partner program", required=True):
            self.add(s, PK + "batchOf", program)
        number = self.number(row, "number", True)
        if number is not None:
            self.add(s, PK + "batchNumber", number)
        members = self.number(row, "members")
        if members is not None:
            self.add(s, PK + "statedMemberCount", members)
        issued = self.date(row, "issued")
        if issued is not None:
            self.add(s, DCT + "issued", issued)
        self.facts(row, s)

    def row_memberships(self, row: Row, s: str):
        self.add(s, RDF_TYPE, PK + "PartnerMembership")
        for member in self.refs(row, "member", AGENT_CLASSES, "an organization or person", required=True):
            self.add(s, ORG + "member", member)
        for program in self.refs(row, "program", (PK + "PartnerProgram",), "a partner program", required=True):
            self.add(s, ORG + "organization", program)
        role = self.concept(row, "role", "partner-role", required=True)
        if role:
            self.add(s, ORG + "role", role)
        for batch in self.refs(row, "batch", (PK + "Batch",), "a batch", required=True):
            self.add(s, PK + "batch", batch)
        self.facts(row, s, labelled=False)

    def row_observations(self, row: Row, s: str):
        self.add(s, RDF_TYPE, PK + "Observation")
        ind = self.concept(row, "indicator", "indicator", required=True)
        if ind:
            self.add(s, PK + "indicator", ind)
        for area in self.refs(row, "area", (PK + "Place",), "a place", required=True):
            self.add(s, SDMX_DIM + "refArea", area)
        period = self.period(row, "period")
        if period is not None:
            self.add(s, SDMX_DIM + "refPeriod", period)
        value = self.number(row, "value")
        rank = self.number(row, "rank")
        if value is None and rank is None and "value" not in row.columns and "rank" not in row.columns:
            self.problem(row, "value", "an observation needs a value or a rank")
        if value is not None:
            self.add(s, SDMX_MEAS + "obsValue", value)
            unit = self.concept(row, "unit", "unit", required=True)
            if unit:
                self.add(s, PK + "unit", unit)
        if rank is not None:
            self.add(s, PK + "rank", rank)
            for group in self.refs(row, "group", (PK + "ComparisonGroup",), "a comparison group", required=True):
                self.add(s, PK + "comparisonGroup", group)
        cmp = self.concept(row, "comparator", "comparator")
        if cmp:
            self.add(s, PK + "comparator", cmp)
        for ds in self.refs(row, "dataset", (QB + "DataSet",), "a data set"):
            self.add(s, QB + "dataSet", ds)
        self.facts(row, s, need_langs=("en",))


def _iri_escape(url: str) -> str:
    """An address as an IRI: characters IRIs forbid are percent-encoded, the rest kept (CJK paths stay readable)."""
    from urllib.parse import quote

    return quote(url, safe=":/?#[]@!$&'()*+,;=%-._~" + "".join(c for c in url if ord(c) > 0x7F))


def compile_sheet(sheet: Sheet, context: Context) -> tuple[Compiled, list[Problem]]:
    """The triples of a sheet and every problem found on the way (references, vocabularies, values)."""
    c = _Compiler(sheet, context)
    compiled = c.compile()
    return compiled, c.problems


def known_concepts(store: ox.Store) -> dict[str, list[str]]:
    """Concept local names per vocabulary scheme, sorted (what an error lists as known)."""
    out: dict[str, list[str]] = {}
    in_scheme = ox.NamedNode(SKOS + "inScheme")
    for q in store.quads_for_pattern(None, in_scheme, None, ox.DefaultGraph()):
        scheme = q.object.value.removeprefix(PKV)
        ns = SCHEMES.get(scheme)
        if ns and isinstance(q.subject, ox.NamedNode) and q.subject.value.startswith(ns):
            out.setdefault(scheme, []).append(q.subject.value.removeprefix(ns))
    return {k: sorted(set(v)) for k, v in out.items()}
