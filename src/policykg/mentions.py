"""Mentions: finding the entities the graph knows in the text of a new document.

Every label and alias of the graph's actors, policies, places and sources
goes into one Aho-Corasick automaton (pyahocorasick), matched against the
document in the form search folds text to (NFKC, case folding, Chinese
characters simplified by OpenCC: :func:`policykg.rdf.textindex.simplify_run`),
so ``ＢＡＩＤＵ``, ``baidu`` and ``Baidu`` are one name, and 北京市經濟和信息化局
finds 北京市经济和信息化局. Chinese and kanji/hiragana Japanese are
matched without word boundaries; a name that starts or ends with a Latin
letter or digit must sit between non-alphanumerics (``IDG`` is not found in
``BRIDGE``), and a katakana name must not be part of a longer katakana word
(``メタ``, Meta, is not found in ``メタバース``). Where matches overlap, the longest wins (北京ビッグデータセンター,
not 北京). A name several entities share stands for the first of them in the
ranking search uses (:func:`~policykg.rdf.textindex.rank_key`: a preferred
label before an alias, then programs, policies, government bodies,
organizations, people, places, sources); the others are its candidates.

A document is read and matched as a stream (:class:`Linker`), so time is
linear and memory does not grow with its size. Text comes in chunks of any
length; each is normalised character by character (so a chunk's
normalisation is its piece of the whole text's), and the automaton re-scans
only the last ``longest name - 1`` normalised characters before the new
ones, so a name across a chunk boundary is found, once. Chinese characters
are simplified a run at a time (OpenCC's phrases: 人工智慧 is 人工智能), so a
run that reaches the end of a chunk waits for the next one; a run is
simplified in pieces of :data:`MAX_RUN` characters counted from its start,
so one never waits longer than that. Overlapping matches
are resolved (longest first) one cluster at a time, as soon as no later
match can overlap the cluster; sentences are closed, and their candidate
statements given, once every mention that starts inside them is settled.
The output is the same whatever the chunks (``tests/network/test_linking.py``).
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from .errors import DataNotFoundError, PolicyKGError
from .namespaces import PREFIXES
from .network.projection import display_class
from .rdf.labels import types_of
from .rdf.loading import KnowledgeGraph
from .rdf.textindex import EXACT_NAME, HAN, rank_key, simplify_run

LINKABLE = ("program", "policy", "government", "organization", "person", "place", "report")
_SENTENCE_END = re.compile(r"[。！？!?\n]|(?<=[a-z0-9\)][.])\s")


#: Chinese characters simplified at once, at most: the longest run a stream holds back.
MAX_RUN = 256
_HAN_RUNS = re.compile(f"[{HAN}]{{1,{MAX_RUN}}}")
_HAN_TAIL = re.compile(f"[{HAN}]*\\Z")


def normalise_with_offsets(text: str) -> tuple[str, list[int]]:
    """NFKC + casefold + Chinese simplified, and for each output character the index it came from."""
    norm, where = _normalise(text, 0)
    return _simplify(norm), where


def _simplify(norm: str) -> str:
    """Chinese characters of normalised text simplified, one for one, a run (or MAX_RUN of one) at a time."""
    if norm.isascii():
        return norm
    return _HAN_RUNS.sub(lambda m: simplify_run(m.group()), norm)


def _fold(ch: str) -> str:
    return unicodedata.normalize("NFKC", ch).casefold() if ord(ch) > 127 else ch.lower()


def _normalise(text: str, offset: int) -> tuple[str, list[int]]:
    """:func:`normalise_with_offsets` of a piece of a document that starts at ``offset``.

    Each character is normalised on its own (so a piece's result is its part
    of the whole text's), through one ``str.translate`` table of the piece's
    distinct characters; the offsets are a plain range unless some character
    expands (㍻ is 平成).
    """
    if text.isascii():
        return text.lower(), list(range(offset, offset + len(text)))
    table, expands = {}, False
    for ch in set(text):
        n = _fold(ch)
        if n != ch:
            table[ord(ch)] = n
            expands = expands or len(n) != 1
    norm = text.translate(table)
    if not expands:
        return norm, list(range(offset, offset + len(text)))
    where: list[int] = []
    for i, ch in enumerate(text, offset):
        n = table.get(ord(ch))
        if n is None or len(n) == 1:
            where.append(i)
        else:
            where.extend([i] * len(n))
    return norm, where


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


#: One name of an entity in the dictionary; ``rank``: its :func:`~policykg.rdf.textindex.rank_key` as an exact
#: name, which decides the entity a name shared by several stands for (the others become candidates).
Entry = NamedTuple("Entry", [("iri", str), ("cls", str), ("alias", str), ("rank", tuple)])


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
    #: (key, iri) -> the entity's names that fold to the key in another script (蘇州市 and 苏州市).
    scripts: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    automaton: object = None
    #: Normalised characters in the longest name: how far back a chunk's scan must start.
    longest: int = 0

    def add(self, name: str, entry: Entry) -> None:
        key, _ = normalise_with_offsets(name.strip())
        if len(key) < 2 or (key.isascii() and len(key) < 3 and not key.isupper()):
            return  # one-character names (and "AR"-like ASCII pairs in lower case) are noise
        bucket = self.entries.setdefault(key, [])
        if all(e.iri != entry.iri for e in bucket):
            bucket.append(entry)
        elif entry.alias not in self.scripts.setdefault((key, entry.iri), []):
            self.scripts[key, entry.iri].append(entry.alias)

    def alias(self, key: str, entry: Entry, text: str) -> str:
        """The entity's name under ``key`` written in the same script as ``text``, else ``entry.alias``."""
        others = self.scripts.get((key, entry.iri))
        if others:
            written = _normalise(text, 0)[0]
            for name in [entry.alias, *others]:
                if _normalise(name.strip(), 0)[0] == written:
                    return name
        return entry.alias

    def compile(self) -> "Dictionary":
        import ahocorasick

        automaton = ahocorasick.Automaton()
        for key, bucket in self.entries.items():
            bucket.sort(key=lambda e: e.rank)
            automaton.add_word(key, (key, tuple(bucket)))
        automaton.make_automaton()
        self.automaton = automaton
        self.longest = max(map(len, self.entries), default=1)
        return self

    def __len__(self) -> int:
        return len(self.entries)


def build_dictionary(kg: KnowledgeGraph) -> Dictionary:
    """Every label, title and alias of the linkable entities of the graph."""
    labels = kg.labels
    types = types_of(kg.store)
    d = Dictionary()
    for iri, names in labels.labels.items():
        if not iri.startswith(PREFIXES["pkd"]):
            continue
        cls = display_class(types.get(iri, set()))
        if cls not in LINKABLE:
            continue
        for name, lang, _ in names:
            rank = rank_key(EXACT_NAME, 0, labels.weight(iri, name, lang), labels.priority[iri], len(name), iri)
            d.add(name, Entry(iri, cls, name, rank))
    return d.compile()


def find_mentions(text: str, dictionary: Dictionary) -> list[Mention]:
    """All non-overlapping mentions in ``text``, longest match first."""
    matcher = _Matcher(dictionary)
    return matcher.feed(text) + matcher.finish()


class _Matcher:
    """Mentions in a text given in chunks: what :func:`find_mentions` finds, in order of start.

    It holds a window of the text: the normalised characters from one
    before the next scan's start, their offsets in the document, and the
    original characters they came from; matches found but not yet resolved
    (a cluster of overlapping ones still open to the right). Everything
    before that is dropped, so the window stays near one chunk in size.
    """

    def __init__(self, dictionary: Dictionary):
        self.automaton = dictionary.automaton
        self.dictionary = dictionary
        self.reach = (dictionary.longest or max(map(len, dictionary.entries), default=1)) - 1
        self.norm = ""  # normalised window
        self.where: list[int] = []  # document offset of each character of norm
        self.nbase = 0  # norm[0]'s index in the whole normalised text
        self.text = ""  # original window
        self.tbase = 0  # text[0]'s offset in the document
        self.scanned = 0  # every match ending (exclusive) at or before this normalised index is found
        self.pending: list[tuple[int, int, tuple]] = []  # valid matches not yet resolved, by start
        self.settled = 0  # document offset before which every mention has been given
        self.held = ""  # normalised Chinese run at the end, not yet simplified: the next chunk may go on with it
        self.held_where: list[int] = []
        self.run_done = 0  # characters of the held run already simplified (a multiple of MAX_RUN)

    def feed(self, chunk: str) -> list[Mention]:
        norm, where = _normalise(chunk, self.tbase + len(self.text))
        self.text += chunk
        held, held_where = self.held + norm, self.held_where + where
        tail = _HAN_TAIL.search(held).start()
        if tail == 0:  # one run goes on: simplify whole pieces of it
            total = self.run_done + len(held)
            cut = total - total % MAX_RUN - self.run_done
            self.run_done += cut
        else:
            cut, self.run_done = tail, 0
        self.norm += _simplify(held[:cut])
        self.where.extend(held_where[:cut])
        self.held, self.held_where = held[cut:], held_where[cut:]
        # The last character waits for the next chunk: whether a name may end there depends on the next one.
        return self._advance(self.nbase + len(self.norm) - 1, final=False)

    def finish(self) -> list[Mention]:
        self.norm += _simplify(self.held)
        self.where.extend(self.held_where)
        self.held, self.held_where = "", []
        return self._advance(self.nbase + len(self.norm), final=True)

    def _text_end(self) -> int:
        """Document offset of the first character not yet in the normalised window."""
        return self.held_where[0] if self.held_where else self.tbase + len(self.text)

    def _advance(self, limit: int, final: bool) -> list[Mention]:
        norm, where, nbase = self.norm, self.where, self.nbase
        size = len(norm)
        if limit > self.scanned:
            first = max(self.nbase, self.scanned - self.reach)
            for end_index, (key, bucket) in self.automaton.iter(norm, first - nbase, limit - nbase):
                end = end_index + 1  # window index, exclusive
                if end + nbase <= self.scanned:
                    continue  # found by the previous scan
                start = end - len(key)
                # A name must cover whole characters of the document: 成都 is not in ㍻都
                # (㍻ normalises to 平成), nor 2021 in 202½ (½ is 1⁄2).
                if (start > 0 and where[start - 1] == where[start]) or \
                        (end < size and where[end] == where[end - 1]):
                    continue
                head, tail = _word_class(key[0]), _word_class(key[-1])
                if head and start > 0 and _word_class(norm[start - 1]) == head:
                    continue
                if tail and end < size and _word_class(norm[end]) == tail:
                    continue
                self.pending.append((start + nbase, end + nbase, bucket))
            self.scanned = limit
        # A later match starts at scanned - reach or after: clusters ending there or before are closed.
        frontier = float("inf") if final else self.scanned - self.reach
        self.pending.sort(key=lambda m: m[0])
        out: list[Mention] = []
        cluster: list[tuple[int, int, tuple]] = []
        reach_end, done = -1, 0
        for i, m in enumerate(self.pending):
            if cluster and m[0] >= reach_end:  # the cluster before m is complete
                if reach_end > frontier:
                    break
                out += self._resolve(cluster)
                cluster, done = [], i
            cluster.append(m)
            reach_end = max(reach_end, m[1])
        else:
            if cluster and reach_end <= frontier:
                out += self._resolve(cluster)
                done = len(self.pending)
        del self.pending[:done]
        keep = min([self.scanned - self.reach - 1] + [m[0] for m in self.pending[:1]])
        settled_norm = min(frontier, self.pending[0][0]) if self.pending else frontier
        self.settled = (self._text_end() if settled_norm - nbase >= size or not size
                        else where[max(0, settled_norm - nbase)])
        self._trim(keep)
        return out

    def _resolve(self, cluster: list[tuple[int, int, tuple]]) -> list[Mention]:
        """Longest first, then leftmost; keep a match only if it overlaps none kept."""
        base = cluster[0][0]
        taken = bytearray(max(e for _, e, _ in cluster) - base)  # 1 where a kept mention already covers
        kept = []
        for s, e, bucket in sorted(cluster, key=lambda m: (-(m[1] - m[0]), m[0])):
            if taken.find(1, s - base, e - base) != -1:
                continue
            taken[s - base:e - base] = b"\x01" * (e - s)
            o_start, o_end = self.where[s - self.nbase], self.where[e - 1 - self.nbase] + 1
            best, text = bucket[0], self.text[o_start - self.tbase:o_end - self.tbase]
            kept.append(Mention(start=o_start, end=o_end, text=text, iri=best.iri, cls=best.cls,
                                alias=self.dictionary.alias(self.norm[s - self.nbase:e - self.nbase], best, text),
                                candidates=tuple(x.iri for x in bucket[1:])))
        kept.sort(key=lambda m: m.start)
        return kept

    def _trim(self, keep: int) -> None:
        """Drop the window before normalised index ``keep``, once that is most of it."""
        cut = keep - self.nbase
        if cut <= 0 or cut < len(self.norm) // 2:
            return
        cut = min(cut, len(self.norm))
        tcut = (self.where[cut] if cut < len(self.norm) else self._text_end()) - self.tbase
        self.norm, self.where, self.nbase = self.norm[cut:], self.where[cut:], self.nbase + cut
        self.text, self.tbase = self.text[tcut:], self.tbase + tcut


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
    starts = [m.start for m in mentions]  # mentions come sorted by start
    for sent in sentences(text):
        inside = mentions[bisect.bisect_left(starts, sent.start):bisect.bisect_left(starts, sent.end)]
        if inside:
            out += _Entities(inside).pairs(sent)
    return out


class _Entities:
    """The entities of one sentence, by the part they play in a candidate statement."""

    def __init__(self, mentions: Iterable[Mention] = ()):
        self.policies: set[str] = set()
        self.orgs: set[str] = set()
        self.people: set[str] = set()
        for m in mentions:
            self.add(m)

    def add(self, m: Mention) -> None:
        if m.cls in ("policy", "program"):
            self.policies.add(m.iri)
        elif m.cls in ("organization", "government"):
            self.orgs.add(m.iri)
        elif m.cls == "person":
            self.people.add(m.iri)

    def pairs(self, sent: "Sentence") -> list[Candidate]:
        """Policy + organization and person + organization, each organization in turn, sorted."""
        out = []
        policies, people = sorted(self.policies), sorted(self.people)
        for o in sorted(self.orgs):
            out += [Candidate(o, p, "policy-organization", sent) for p in policies]
            out += [Candidate(person, o, "person-organization", sent) for person in people]
        return out


class Linker:
    """Mentions and candidate statements of a document given in chunks, with memory bounded by a chunk.

    :meth:`feed` each piece of the text in order (any length, cut anywhere),
    then :meth:`finish`; each returns the mentions and the candidate
    statements settled so far, in the order :func:`find_mentions` and
    :func:`candidate_statements` give them for the whole text. A sentence's
    candidates come when the sentence ends; one sentence holds only the sets
    of entities mentioned in it, however long it is.
    """

    def __init__(self, dictionary: Dictionary):
        self.matcher = _Matcher(dictionary)
        self.length = 0  # characters fed so far
        self.tail = ""  # the last characters fed: the sentence-end pattern looks two back
        self.ends: list[int] = []  # sentence ends found and not yet closed, in order
        self.start = 0  # where the open sentence starts
        self.inside = _Entities()  # the entities mentioned in the open sentence

    def feed(self, chunk: str) -> tuple[list[Mention], list[Candidate]]:
        window = self.tail + chunk
        skip = len(self.tail)
        self.ends += [self.length - skip + m.end() for m in _SENTENCE_END.finditer(window) if m.start() >= skip]
        self.length += len(chunk)
        self.tail = window[-2:]
        return self._settle(self.matcher.feed(chunk), self.matcher.settled)

    def finish(self) -> tuple[list[Mention], list[Candidate]]:
        mentions, candidates = self._settle(self.matcher.finish(), self.length)
        return mentions, candidates + self._close(self.length)

    def _settle(self, mentions: list[Mention], settled: int) -> tuple[list[Mention], list[Candidate]]:
        candidates: list[Candidate] = []
        ends, i = self.ends, 0
        for m in mentions:
            while i < len(ends) and ends[i] <= m.start:
                candidates += self._close(ends[i])
                i += 1
            self.inside.add(m)
        while i < len(ends) and ends[i] <= settled:  # no mention may start in these sentences any more
            candidates += self._close(ends[i])
            i += 1
        del ends[:i]
        return mentions, candidates

    def _close(self, end: int) -> list[Candidate]:
        """End the open sentence at ``end``: its candidate statements, as candidate_statements gives them."""
        inside, self.inside = self.inside, _Entities()
        sent, self.start = Sentence(self.start, end), end
        return inside.pairs(sent)


def link_chunks(chunks: Iterable[str], dictionary: Dictionary) -> Iterator[tuple[list[Mention], list[Candidate]]]:
    """:class:`Linker` over ``chunks``: the mentions and candidates settled after each chunk, then the rest."""
    linker = Linker(dictionary)
    for chunk in chunks:
        yield linker.feed(chunk)
    yield linker.finish()


def read_chunks(path: Path, chunk_bytes: int = 1 << 16, max_bytes: int | None = None) -> Iterator[str]:
    """The text of a UTF-8 file, decoded piece by piece (a character split between reads is kept whole).

    Line ends are kept as they are, so offsets are those of the file's text.
    Raises :class:`DataNotFoundError` for an unreadable file or bytes that
    are not UTF-8, and :class:`PolicyKGError` past ``max_bytes``: by default
    none for a regular file, :data:`MAX_DOCUMENT_BYTES` for anything else.
    """
    import codecs
    import stat

    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    total = 0
    try:
        with open(path, "rb") as f:
            limit = max_bytes if max_bytes is not None else \
                None if stat.S_ISREG(os.fstat(f.fileno()).st_mode) else MAX_DOCUMENT_BYTES
            while True:
                raw = f.read(chunk_bytes)
                total += len(raw)
                if limit is not None and total > limit:
                    raise PolicyKGError(f"{path}: over {limit >> 20} MB, the most `mentions` reads from a device "
                                        "or a pipe, which may never end; save the text to a file to link all of it")
                text = decoder.decode(raw, final=not raw)
                if text:
                    yield text
                if not raw:
                    return
    except OSError as e:
        raise DataNotFoundError(f"{path}: {e.strerror}") from None
    except UnicodeDecodeError as e:
        raise DataNotFoundError(f"{path}: not UTF-8 text ({e.reason})") from None


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


#: The most ``mentions`` reads from a device or a pipe, which may never end (``/dev/zero``).
#: A regular file has no limit: it ends, and memory does not grow with it (it is matched as a stream).
MAX_DOCUMENT_BYTES = 20 << 20


@dataclass(frozen=True)
class LinkResult:
    document: str
    mentions: list[Mention]
    candidates: list[Candidate]
    turtle: str


def link_document(kg: KnowledgeGraph, path: Path, *, lang: str = "auto", dictionary: Dictionary | None = None) -> LinkResult:
    """Mentions of known entities in a UTF-8 text file, and candidate statements.

    The file is read and matched as a stream (:class:`Linker`); only the
    mentions and candidates found are kept, never the whole text.
    ``lang`` (auto, ja, zh, en) is accepted for the record: names of every
    language are matched everywhere, since a Japanese text names Baidu too.
    """
    if lang not in ("auto", "ja", "zh", "en"):
        raise PolicyKGError("--lang is one of auto, ja, zh, en")
    dictionary = dictionary or build_dictionary(kg)
    mentions: list[Mention] = []
    candidates: list[Candidate] = []
    for found, pairs in link_chunks(read_chunks(Path(path)), dictionary):
        mentions += found
        candidates += pairs
    doc_iri = Path(path).resolve().as_uri()
    return LinkResult(document=str(path), mentions=mentions, candidates=candidates,
                      turtle=candidates_turtle(candidates, doc_iri))
