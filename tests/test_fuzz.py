"""Property-based fuzzing (Hypothesis) of the parsers and matchers that take user text.

Four targets: the canned-query header parser, parameter binding,
entity-name lookup and the mention finder. The only exceptions allowed are
the project's own (PolicyKGError and subclasses) with a non-empty message;
everything else is a bug.

How many inputs comes from the Hypothesis profile (see conftest.py): a few
hundred in ``make test``, 10,000 in ``make test-full``. Runs are
derandomized (the same inputs every run, so CI is repeatable);
``POLICYKG_FUZZ_RANDOM=1`` draws fresh inputs::

    POLICYKG_FUZZ_RANDOM=1 python -m pytest tests/test_fuzz.py --hypothesis-profile=full
"""

from __future__ import annotations

import os
import unicodedata

import pyoxigraph as ox
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, example, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from policykg.mentions import build_dictionary, find_mentions, normalise_with_offsets  # noqa: E402
from policykg.errors import PolicyKGError  # noqa: E402
from policykg.namespaces import PREFIXES  # noqa: E402
from policykg.rdf.labels import resolve_entity  # noqa: E402
from policykg.sparql.canned import CannedQuery, parse_query_file  # noqa: E402
from policykg.sparql.params import PARAM_TYPES, Param, to_term  # noqa: E402
from policykg.errors import ParameterError  # noqa: E402
from policykg.sparql.query import make_job  # noqa: E402

pytestmark = pytest.mark.fuzz
# The number of examples comes from the active profile; these settings add to it.
FUZZ = settings(deadline=None, database=None, derandomize=not os.environ.get("POLICYKG_FUZZ_RANDOM"),
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


def _own_error(e: BaseException) -> None:
    """Fail unless ``e`` is one of the project's errors with a message."""
    if not isinstance(e, PolicyKGError):
        raise e
    assert str(e).strip(), f"{type(e).__name__} without a message"


# Characters that break naive parsers: quotes, braces, comment and escape
# starts, line breaks of every kind, IRI delimiters, SPARQL punctuation.
HOSTILE = ['"', "'", '"""', "'''", "{", "}", "#", "\n", "\r", "\r\n", "\u2028", "\u0085", "\x0b", "\x00", "\t",
           "\\", "\\u0022", "\\U0000007B", "\\n", "<", ">", "$", "?", "$v", "?v", "@", "^^", ":", "//", " ",
           "} . ?s ?p ?o {", "} UNION {", " SERVICE <http://evil/> {", "# title:", "ORDER BY", "%zz", "%41",
           "\u3000", "\ufeff", "\u200b", "\u0301", "Ａ", "😀", "百度", "ｐｋｄ："]
hostile_text = st.lists(st.one_of(st.sampled_from(HOSTILE), st.characters(), st.text(max_size=4)),
                        max_size=12).map("".join)
any_text = st.one_of(st.text(max_size=40), hostile_text)


# --- 1. The query-header parser ---------------------------------------------------------------------------------

_NAMES = ["program", "org", "lang", "v", "x", "_a1", "Name", "é", "1bad", ""]
_header_key = st.one_of(st.sampled_from(["title", "description", "param", "cq", "Title", "PARAM", "params", "cq-x"]),
                        st.from_regex(r"[A-Za-z-]{1,8}", fullmatch=True), st.text(max_size=6))
_param_value = st.builds(
    lambda n, t, ex: f"{n} {t}" + (f" example={ex}" if ex is not None else ""),
    st.sampled_from(_NAMES), st.one_of(st.sampled_from(PARAM_TYPES), st.text(max_size=6)),
    st.one_of(st.none(), st.text(max_size=10), st.sampled_from(["pkd:baidu-netcom", "", "  ", "a example=b"])))
_header_line = st.one_of(
    st.builds(lambda k, sp, v: f"#{sp}{k}{sp}:{sp}{v}", _header_key, st.sampled_from(["", " ", "  ", "\t"]),
              st.one_of(_param_value, st.text(max_size=20))),
    st.builds(lambda v: f"# param: {v}", _param_value),
    st.text(max_size=20).map(lambda t: "#" + t),
)
_body_line = st.one_of(
    st.sampled_from(["SELECT ?x WHERE {", "SELECT * {", "ASK {", "CONSTRUCT { ?s ?p ?o } WHERE {",
                     "?x ?p $program .", "?x ?p $org .", "BIND($lang AS ?l)", "FILTER(?x = $v)",
                     '"a $x string"', "'$v'", '"""$v\n"""', "<http://x/$v>", "# $v in a comment",
                     "}", "} ORDER BY ?x", "ORDER BY ?x", "order by ?x", "$", "$1", "$é", ""]),
    st.builds(lambda n: f"?s ?p ${n} .", st.sampled_from(_NAMES)),
    any_text,
)
_newline = st.sampled_from(["\n", "\r\n", "\r", "\u2028", "\x0b", "\x0c", "\x1c", "\u0085"])


@st.composite
def query_files(draw) -> str:
    lines = draw(st.lists(_header_line, max_size=6)) + draw(st.lists(_body_line, max_size=6))
    if len(lines) > 1 and draw(st.integers(0, 3)) == 0:  # a header line below the body, or the reverse
        i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
    sep = draw(st.one_of(st.just("\n"), _newline))
    return sep.join(lines) + draw(st.sampled_from(["", "\n", sep]))


@pytest.fixture(scope="module")
def rq_path(tmp_path_factory):
    return tmp_path_factory.mktemp("fuzz") / "fuzzed.rq"


@FUZZ
@given(text=st.one_of(query_files(), st.text()))
@example(text="# title: t\n# description: d\n# param: v IRI\nSELECT ?x WHERE { ?x ?p $v } ORDER BY ?x\n")
@example(text="# title: t\n# description: d\nSELECT ?x WHERE { ?x ?p $undeclared } ORDER BY ?x\n")
@example(text="# title: t\r# description: d\u2028SELECT ?x { ?x ?p $v }")
@example(text="# title: t\n# description: caf\udce9\nSELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x\n")
def test_fuzz_query_header_parser(rq_path, text):
    # Lone surrogates become bytes that are not UTF-8: a file in another encoding.
    rq_path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        q = parse_query_file(rq_path)
    except Exception as e:  # noqa: BLE001
        _own_error(e)
        return
    assert q.title and q.description
    assert len({p.name for p in q.params}) == len(q.params)
    assert all(p.type in PARAM_TYPES for p in q.params)


def test_query_files_that_are_not_utf8_are_a_clear_error(tmp_path):
    """Found by fuzzing: a .rq file in Latin-1 raised UnicodeDecodeError (a traceback from the CLI);
    so did stdin or -e text with undecodable bytes (lone surrogates in Python) in Oxigraph's parser."""
    from policykg.errors import QueryFileError, QuerySyntaxError

    path = tmp_path / "latin1.rq"
    path.write_bytes("# title: t\n# description: café\nSELECT ?x WHERE { ?x ?p ?o } ORDER BY ?x\n".encode("latin-1"))
    with pytest.raises(QueryFileError, match=r"latin1.rq:2: not UTF-8 text"):
        parse_query_file(path)
    with pytest.raises(PolicyKGError, match=r"latin1.rq: not UTF-8 text"):
        make_job(path=path)
    with pytest.raises(QuerySyntaxError, match="not UTF-8"):
        make_job(sparql='SELECT * WHERE { ?s ?p "caf\udce9" }')


# --- 2. Parameter binding -------------------------------------------------------------------------------------

# The bound query must parse, keep its variables, and give back exactly the
# term bound: the value is a term, never query syntax. "$v" in a string and a
# comment must stay as written.
_BIND_TEXT = """# title: fuzz
# description: binding
SELECT ?v ?s ?c WHERE {
  BIND($v AS ?v)   # $v in a comment { "
  OPTIONAL { ?s ?p $v }
  BIND("$v # $v '$v'" AS ?c)
}
"""
_EMPTY_STORE = ox.Store()


def _iri_values():
    return st.one_of(
        st.builds(lambda p, t: f"{p}:{t}", st.sampled_from(sorted(PREFIXES)), hostile_text),
        st.builds(lambda t: f"<https://w3id.org/policykg/id/{t}>", hostile_text),
        st.builds(lambda t: f"https://example.org/{t}", hostile_text),
        any_text)


def _values_for(ptype: str):
    if ptype == "IRI":
        return _iri_values()
    if ptype == "lang-string":
        return st.builds(lambda t, lang: f"{t}@{lang}", any_text,
                         st.one_of(st.sampled_from(["en", "zh", "ja", "zh-Hans", "x-private1"]), any_text))
    if ptype == "integer":
        return st.one_of(st.integers().map(str), st.integers().map(lambda i: f" {i}\n"), any_text,
                         st.sampled_from(["1_000", "٣", "+5", "-0", "1e3", "0x10", "9" * 5000]))
    if ptype == "date":
        return st.one_of(st.dates().map(str), any_text, st.sampled_from(["2023-02-30", "20230530", "2023-W01-1"]))
    return any_text


@st.composite
def typed_values(draw):
    ptype = draw(st.sampled_from(PARAM_TYPES + ("unknown",)))
    return ptype, draw(_values_for(ptype))


@FUZZ
@given(tv=typed_values())
@example(tv=("string", 'x" } ; DROP ALL ; SELECT * { "'))
@example(tv=("string", "a\\u0022 } UNION { ?s ?p ?o } #"))
@example(tv=("string", "line\nbreak\r\u2028 # $v ?s"))
@example(tv=("IRI", "pkd:a> } UNION { ?s ?p ?o } #"))
@example(tv=("IRI", "pkd:\\u003e"))
@example(tv=("lang-string", '"quoted" {x}@en'))
@example(tv=("integer", "1 } UNION { ?s ?p ?o"))
def test_fuzz_parameter_binding(tv):
    ptype, value = tv
    param = Param("v", ptype)
    try:
        term = to_term(param, value)
    except Exception as e:  # noqa: BLE001
        _own_error(e)
        assert isinstance(e, ParameterError)
        return
    assert isinstance(term, (ox.NamedNode, ox.Literal))
    query = CannedQuery(name="fuzz", path=None, title="fuzz", description="binding", params=(param,), cq=None,
                        text=_BIND_TEXT)
    bound = query.bind({"v": value})
    # Exactly the two variable tokens were replaced, by the term's own SPARQL form.
    assert bound == _BIND_TEXT.replace("BIND($v AS", f"BIND({term} AS").replace("?p $v }", f"?p {term} }}")
    result = _EMPTY_STORE.query(bound)  # a SyntaxError here would be an injection
    assert [v.value for v in result.variables] == ["v", "s", "c"]
    rows = list(result)
    assert len(rows) == 1
    assert rows[0]["v"] == term
    assert rows[0]["s"] is None
    assert rows[0]["c"] == ox.Literal("$v # $v '$v'")


# --- 3. Entity-name lookup ------------------------------------------------------------------------------------

def _fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else ("\u3000" if c == " " else c) for c in text)


@pytest.fixture(scope="module")
def graph_names(kg):
    return sorted({t for s in kg.labels.labels for t in kg.labels.names(s)})


@st.composite
def entity_names(draw, names):
    kind = draw(st.integers(0, 5))
    if kind == 0:
        return draw(any_text)
    if kind == 1:
        name = draw(st.sampled_from(names))
        return draw(st.sampled_from([name, name.upper(), _fullwidth(name), f"  {name}\n", f"<{name}>",
                                     f"pkd:{name}", name[: len(name) // 2], name + draw(hostile_text)]))
    if kind == 2:
        return f"{draw(st.sampled_from(sorted(PREFIXES) + ['', 'xx', 'http', 'urn']))}:{draw(any_text)}"
    if kind == 3:
        return f"<{draw(st.sampled_from(['http://', 'https://', 'urn:', 'pkd:', '']))}{draw(any_text)}>"
    if kind == 4:
        return draw(st.sampled_from(["http://", "https://", "urn:"])) + draw(any_text)
    return draw(st.sampled_from(["<", ">", "<>", "< >", ":", "pkd:", "pkd://x", "", " ", "\u3000", "\x00"]))


@FUZZ
@given(data=st.data())
def test_fuzz_entity_lookup(kg, graph_names, data):
    name = data.draw(entity_names(graph_names))
    try:
        iri = resolve_entity(kg, name)
    except Exception as e:  # noqa: BLE001
        _own_error(e)
        return
    node = ox.NamedNode(iri)
    assert next(kg.store.quads_for_pattern(node, None, None), None) is not None or \
        next(kg.store.quads_for_pattern(None, None, node), None) is not None
    # Width and case do not matter: the full-width form of a name finds the same entity.
    if name.isascii() and name.strip() and not name.strip().startswith("<") and ":" not in name:
        assert resolve_entity(kg, _fullwidth(name)) == iri


def test_resolve_entity_rejects_malformed_iris_with_its_own_error(kg):
    """Found by fuzzing: these reached Oxigraph's query parser and raised SyntaxError."""
    from policykg.errors import EntityNotFoundError

    for name in ["pkd:\tx", "urn:a\tb", "https://a\rb", "pkd:%zz", "pkd:a#b#c", "http://x y", "<pkd:a b>"]:
        with pytest.raises(EntityNotFoundError, match="not a valid IRI"):
            resolve_entity(kg, name)


# --- 4. The entity linker -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dictionary(kg):
    return build_dictionary(kg)


def _expanding_chars(keys) -> tuple[list[str], list[str]]:
    """Characters whose normal form is several characters (㍻ -> 平成, ½ -> 1⁄2, ﬃ -> ffi), and
    splices of them with the graph's names where a name starts or ends inside an expansion
    (㍻ + 都 holds 成都; 202 + ½ holds 2021): the linker must not report those."""
    chars, splices = [], []
    starts = {k[:i]: k for k in keys for i in range(1, 5)}
    ends = {k[-i:]: k for k in keys for i in range(1, 5)}
    for cp in range(0x80, 0x30000):
        ch = chr(cp)
        if unicodedata.category(ch) in ("Cs", "Cn"):
            continue
        n = normalise_with_offsets(ch)[0]
        if len(n) < 2:
            continue
        chars.append(ch)
        for i in range(1, len(n)):
            if n[i:] in starts:
                k = starts[n[i:]]
                splices.append(ch + k[len(n) - i:])
            if n[:i] in ends:
                k = ends[n[:i]]
                splices.append(k[: len(k) - i] + ch)
    return chars[:: max(1, len(chars) // 300)], sorted(set(splices))


_CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)
_KANA = st.characters(min_codepoint=0x3040, max_codepoint=0x30FF)
_HALF_KANA = st.characters(min_codepoint=0xFF66, max_codepoint=0xFF9F)
_FULLWIDTH = st.characters(min_codepoint=0xFF01, max_codepoint=0xFF5E)
_COMBINING = st.characters(min_codepoint=0x0300, max_codepoint=0x036F)
_EMOJI = st.sampled_from(["😀", "👍🏽", "👨‍👩‍👧", "🇨🇳", "❤️", "🏳️‍🌈"])
_LATIN = st.characters(min_codepoint=0x20, max_codepoint=0x7E)


@st.composite
def documents(draw, names, expanding, splices):
    pieces = draw(st.lists(st.one_of(
        st.sampled_from(names), st.sampled_from(names).map(_fullwidth), st.sampled_from(names).map(str.upper),
        _CJK, _KANA, _HALF_KANA, _FULLWIDTH, _COMBINING, _EMOJI, _LATIN, st.sampled_from(expanding),
        st.sampled_from(splices),
        st.sampled_from(["。", "、", "\n", " ", "(", ")", "「", "」", "ß", "İ", "ﬃ", "ǆ", "\u200d"]),
        st.text(max_size=5)), max_size=16))
    text = "".join(pieces)
    # Sometimes replace a character inside a name by an expanding one, or split a name by a mark.
    if text and draw(st.booleans()):
        i = draw(st.integers(0, len(text) - 1))
        text = text[:i] + draw(st.one_of(st.sampled_from(expanding), _COMBINING)) + text[i + draw(st.integers(0, 1)):]
    return text


def _check_mentions(text, mentions):
    assert all(0 <= m.start < m.end <= len(text) for m in mentions)
    assert all(text[m.start:m.end] == m.text for m in mentions)
    for a, b in zip(mentions, mentions[1:]):
        assert a.end <= b.start, f"overlapping mentions {a} and {b}"
    for m in mentions:
        assert normalise_with_offsets(m.text)[0] == normalise_with_offsets(m.alias.strip())[0], m


@pytest.fixture(scope="module")
def linker_inputs(dictionary, graph_names):
    return ([n for n in graph_names if n.strip()], *_expanding_chars(dictionary.entries))


@FUZZ
@given(data=st.data())
def test_fuzz_entity_linker(dictionary, linker_inputs, data):
    text = data.draw(documents(*linker_inputs))
    try:
        mentions = find_mentions(text, dictionary)
    except Exception as e:  # noqa: BLE001
        _own_error(e)
        return
    _check_mentions(text, mentions)


@pytest.mark.parametrize("text", ["百度\u0301", "ＢＡＩＤＵ", "㍻", "ﬃ baidu", "第⑭次5カ年計画", "İstic", "\u0301百度",
                                  "㍻都", "昆㍾", "global innovation index 202½", "hefeİ", "㎼orld", "met℀"])
def test_linker_offsets_on_explicit_examples(dictionary, text):
    _check_mentions(text, find_mentions(text, dictionary))


@pytest.mark.parametrize("text", ["㍻都", "昆㍾", "global innovation index 202½", "hefeİ", "㎼orld", "met℀",
                                  "alibaba clouǆ", "metaverse new trac㏀"])
def test_linker_never_matches_part_of_one_character(dictionary, text):
    """Found by fuzzing: 成都 was reported in ㍻都 (㍻ is 平成), 昆明 in 昆㍾ (明治), Global Innovation
    Index 2021 in "... 202½" (½ is 1⁄2): a name began or ended inside one character's normal form."""
    assert find_mentions(text, dictionary) == []


def test_linker_still_matches_whole_expansions(dictionary):
    assert [m.text for m in find_mentions("成都と昆明㍾、ＢＡＩＤＵ", dictionary)] == ["成都", "昆明", "ＢＡＩＤＵ"]
