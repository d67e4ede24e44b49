"""Mentions: finding the entities the graph knows in the text of a new document.

Every label and alias of the graph's actors, policies, places and sources
goes into one Aho-Corasick automaton (pyahocorasick), matched against the
document after NFKC normalisation and case folding, so ``ＢＡＩＤＵ``,
``baidu`` and ``Baidu`` are one name. Chinese and kanji/hiragana Japanese are
matched without word boundaries; a name that starts or ends with a Latin
letter or digit must sit between non-alphanumerics (``IDG`` is not found in
``BRIDGE``), and a katakana name must not be part of a longer katakana word
(``メタ``, Meta, is not found in ``メタバース``). Where matches overlap, the longest wins (北京ビッグデータセンター,
not 北京).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .errors import DataNotFoundError, PolicyKGError
from .namespaces import PREFIXES
from .network.projection import display_class
from .rdf.labels import types_of
from .rdf.loading import KnowledgeGraph

LINKABLE = ("program", "policy", "government", "organization", "person", "place", "report")
_PRIORITY = {cls: i for i, cls in enumerate(LINKABLE)}
_SENTENCE_END = re.compile(r"[。！？!?\n]|(?<=[a-z0-9\)][.])\s")


def normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """NFKC + casefold, and for each output character the index it came from."""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    cache: dict[str, str] = {}
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        n = cache.get(ch)
        if n is None:
            n = cache[ch] = unicodedata.normalize("NFKC", ch).casefold() if ord(ch) > 127 else ch.lower()
        out.append(n)
        if len(n) == 1:
            where.append(i)
        else:
            where.extend([i] * len(n))
    return "".join(out), where


def _word_class(ch: str) -> str | None:
    """Scripts whose runs form words: Latin letters and digits, and katakana.

    Chinese characters and hiragana have no such boundary, so names in them
    match anywhere; a katakana name must not sit inside a longer katakana
    word (メタ is not in メタバース), nor a Latin one inside a Latin word.
    """
    if ch.isascii():
        return "latin" if ch.isalnum() else None
    if "\u30a0" <= ch <= "\u30ff" or "\uff66" <= ch <= "\uff9f":
        return "katakana"
    return None


#: One name of an entity in the dictionary.
Entry = NamedTuple("Entry", [("iri", str), ("cls", str), ("alias", str)])


@dataclass(frozen=True)
class Mention:
    start: int  # character offsets in the original document
    end: int
    text: str
    iri: str
    cls: str
    alias: str  # the label or alias that matched
    candidates: tuple[str, ...] = ()  # other entities sharing that name, if any


@dataclass
class Dictionary:
    """Normalised names -> entities, compiled into an automaton."""

    entries: dict[str, list[Entry]] = field(default_factory=dict)
    automaton: object = None

    def add(self, name: str, entry: Entry) -> None:
        key, _ = normalise_with_offsets(name.strip())
        if len(key) < 2 or (key.isascii() and len(key) < 3 and not key.isupper()):
            return  # one-character names (and "AR"-like ASCII pairs in lower case) are noise
        bucket = self.entries.setdefault(key, [])
        if all(e.iri != entry.iri for e in bucket):
            bucket.append(entry)

    def compile(self) -> "Dictionary":
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for key, bucket in self.entries.items():
            bucket.sort(key=lambda e: (_PRIORITY.get(e.cls, 99), e.iri))
            automaton.add_word(key, (key, tuple(bucket)))
        automaton.make_automaton()
        self.automaton = automaton
        return self

    def __len__(self) -> int:
        return len(self.entries)


def build_dictionary(kg: KnowledgeGraph) -> Dictionary:
    """Every label, title and alias of the linkable entities of the graph."""
    labels = kg.labels
    types = types_of(kg.store)
    d = Dictionary()
    for iri in labels.labels:
        if not iri.startswith(PREFIXES["pkd"]):
            continue
        cls = display_class(types.get(iri, set()))
        if cls not in LINKABLE:
            continue
        for name in labels.names(iri):
            d.add(name, Entry(iri, cls, name))
    return d.compile()


def find_mentions(text: str, dictionary: Dictionary) -> list[Mention]:
    """All non-overlapping mentions in ``text``, longest match first."""
    norm, where = normalise_with_offsets(text)
    found = []
    for end_index, (key, bucket) in dictionary.automaton.iter(norm):
        start = end_index - len(key) + 1
        # A name must cover whole characters of the document: 成都 is not in ㍻都
        # (㍻ normalises to 平成), nor 2021 in 202½ (½ is 1⁄2).
        if (start > 0 and where[start - 1] == where[start]) or \
                (end_index + 1 < len(norm) and where[end_index + 1] == where[end_index]):
            continue
        first, last = _word_class(key[0]), _word_class(key[-1])
        if first and start > 0 and _word_class(norm[start - 1]) == first:
            continue
        if last and end_index + 1 < len(norm) and _word_class(norm[end_index + 1]) == last:
            continue
        found.append((start, end_index + 1, bucket))
    # Longest first, then leftmost; keep a match only if it overlaps none kept.
    found.sort(key=lambda m: (-(m[1] - m[0]), m[0]))
    taken = bytearray(len(norm))  # 1 where a kept mention already covers the text
    mentions = []
    for s, e, bucket in found:
        if taken.find(1, s, e) != -1:
            continue
        taken[s:e] = b"\x01" * (e - s)
        o_start, o_end = where[s], where[e - 1] + 1
        best = bucket[0]
        mentions.append(Mention(start=o_start, end=o_end, text=text[o_start:o_end], iri=best.iri, cls=best.cls,
                                alias=best.alias, candidates=tuple(x.iri for x in bucket[1:])))
    mentions.sort(key=lambda m: m.start)
    return mentions


@dataclass(frozen=True)
class Sentence:
    start: int
    end: int


def sentences(text: str) -> list[Sentence]:
    out, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        end = m.end()
        if text[start:end].strip():
            out.append(Sentence(start, end))
        start = end
    if text[start:].strip():
        out.append(Sentence(start, len(text)))
    return out


@dataclass(frozen=True)
class Candidate:
    subject: str  # organization or person
    object: str  # policy/program, or organization
    kind: str  # "policy-organization" or "person-organization"
    sentence: Sentence


def candidate_statements(text: str, mentions: list[Mention]) -> list[Candidate]:
    """Pairs mentioned in the same sentence: policy + organization, person + organization."""
    import bisect

    out: list[Candidate] = []
    seen = set()
    starts = [m.start for m in mentions]  # mentions come sorted by start
    for sent in sentences(text):
        inside = mentions[bisect.bisect_left(starts, sent.start):bisect.bisect_left(starts, sent.end)]
        policies = sorted({m.iri for m in inside if m.cls in ("policy", "program")})
        orgs = sorted({m.iri for m in inside if m.cls in ("organization", "government")})
        people = sorted({m.iri for m in inside if m.cls == "person"})
        for o in orgs:
            for p in policies:
                key = (o, p, sent)
                if key not in seen:
                    seen.add(key)
                    out.append(Candidate(o, p, "policy-organization", sent))
            for person in people:
                key = (person, o, sent)
                if key not in seen:
                    seen.add(key)
                    out.append(Candidate(person, o, "person-organization", sent))
    return out


def candidates_turtle(candidates: list[Candidate], document_iri: str) -> str:
    """Candidate statements as Turtle, for review; never added to the graph.

    Built as triples and written by pyoxigraph, so a document's IRI or a
    name can never break the Turtle.
    """
    import pyoxigraph as ox

    pk, oa, rdfs, rdf = (PREFIXES[p] for p in ("pk", "oa", "rdfs", "rdf"))
    integer = ox.NamedNode(PREFIXES["xsd"] + "integer")
    document = ox.NamedNode(document_iri)
    triples = []
    for c in candidates:
        digest = hashlib.sha1(f"{document_iri} {c.subject} {c.object} {c.sentence.start}".encode()).hexdigest()[:12]
        node, selector = ox.NamedNode(f"urn:policykg:candidate:{digest}"), ox.BlankNode(f"selector{digest}")
        triples += [
            ox.Triple(node, ox.NamedNode(rdf + "type"), ox.NamedNode(pk + "CandidateLink")),
            ox.Triple(node, ox.NamedNode(pk + "candidateSubject"), ox.NamedNode(c.subject)),
            ox.Triple(node, ox.NamedNode(pk + "candidateObject"), ox.NamedNode(c.object)),
            ox.Triple(node, ox.NamedNode(rdfs + "comment"), ox.Literal(f"{c.kind} mentioned in the same sentence")),
            ox.Triple(node, ox.NamedNode(pk + "evidence"), selector),
            ox.Triple(selector, ox.NamedNode(rdf + "type"), ox.NamedNode(oa + "TextPositionSelector")),
            ox.Triple(selector, ox.NamedNode(oa + "start"), ox.Literal(str(c.sentence.start), datatype=integer)),
            ox.Triple(selector, ox.NamedNode(oa + "end"), ox.Literal(str(c.sentence.end), datatype=integer)),
            ox.Triple(selector, ox.NamedNode(oa + "hasSource"), document),
        ]
    body = ox.serialize(triples, format=ox.RdfFormat.TURTLE,
                        prefixes={p: PREFIXES[p] for p in ("oa", "pk", "rdfs", "xsd")}).decode("utf-8")
    return ("# Candidate links found by `policykg mentions`. Review each one before adding a fact\n"
            "# to the graph (e.g. as a pk:PartnerMembership with a role).\n\n" + body)


#: The largest document ``mentions`` reads.
MAX_DOCUMENT_BYTES = 20 << 20


@dataclass(frozen=True)
class LinkResult:
    document: str
    mentions: list[Mention]
    candidates: list[Candidate]
    turtle: str


def link_document(kg: KnowledgeGraph, path: Path, *, lang: str = "auto", dictionary: Dictionary | None = None) -> LinkResult:
    """Mentions of known entities in a UTF-8 text file, and candidate statements.

    ``lang`` (auto, ja, zh, en) is accepted for the record: names of every
    language are matched everywhere, since a Japanese text names Baidu too.
    """
    if lang not in ("auto", "ja", "zh", "en"):
        raise PolicyKGError("--lang is one of auto, ja, zh, en")
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_DOCUMENT_BYTES + 1)  # a bounded read: /dev/zero has no end
        text = raw.decode("utf-8")
    except OSError as e:
        raise DataNotFoundError(f"{path}: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise DataNotFoundError(f"{path}: not UTF-8 text ({e.reason})") from None
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise PolicyKGError(f"{path}: over {MAX_DOCUMENT_BYTES >> 20} MB; split the document "
                            "(matching keeps an offset per character, so memory grows with the text)")
    dictionary = dictionary or build_dictionary(kg)
    mentions = find_mentions(text, dictionary)
    candidates = candidate_statements(text, mentions)
    doc_iri = Path(path).resolve().as_uri()
    return LinkResult(document=str(path), mentions=mentions, candidates=candidates,
                      turtle=candidates_turtle(candidates, doc_iri))
