"""Writing query results: an aligned table, or the W3C result formats.

SELECT and ASK results go out as SPARQL 1.1 Query Results JSON, XML, CSV or
TSV, so other tools read them; CONSTRUCT and DESCRIBE results as sorted
Turtle, N-Triples or JSON-LD.
"""

from __future__ import annotations

import csv
import io
import json

import pyoxigraph as ox

from .errors import PolicyKGError
from .namespaces import shorten
from .output import table

SELECT_FORMATS = ("table", "csv", "tsv", "json", "xml")
GRAPH_FORMATS = ("table", "turtle", "nt", "jsonld")
FORMATS = tuple(dict.fromkeys(SELECT_FORMATS + GRAPH_FORMATS))
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


# xml.sax.saxutils would do, but it imports urllib and http.client: 20 ms
# of start-up on every query. XML text needs only these five replacements.
def escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def quoteattr(s: str) -> str:
    return '"' + escape(s).replace('"', "&quot;") + '"'


def _cell(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    if isinstance(term, ox.Literal):
        return f"{term.value}@{term.language}" if term.language else term.value
    return str(term)


def _json_term(term) -> dict:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != _XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _xml_term(term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != _XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _csv_value(term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return term.value


def format_result(result, fmt: str, *, lang: str | None = None) -> str:
    """Text of ``result`` (a :class:`policykg.query.QueryResult`) in ``fmt``."""
    if result.form == "GRAPH":
        if fmt not in GRAPH_FORMATS:
            raise PolicyKGError(f"--format {fmt} is for SELECT/ASK; a graph result takes {', '.join(GRAPH_FORMATS[1:])}")
        from .serialize import serialize
        return serialize(result.triples, "turtle" if fmt == "table" else fmt)
    if fmt not in SELECT_FORMATS:
        raise PolicyKGError(f"--format {fmt} is for CONSTRUCT/DESCRIBE; SELECT/ASK take {', '.join(SELECT_FORMATS)}")
    if result.form == "ASK":
        return _format_boolean(result.boolean, fmt)
    variables, rows = result.variables, result.rows
    if fmt == "table":
        text = table(variables, [[_cell(t) for t in row] for row in rows])
        return text + f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n"
    if fmt == "json":
        bindings = [{v: _json_term(t) for v, t in zip(variables, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": variables}, "results": {"bindings": bindings}},
                          ensure_ascii=False, indent=1) + "\n"
    if fmt == "xml":
        out = ['<?xml version="1.0" encoding="UTF-8"?>',
               '<sparql xmlns="http://www.w3.org/2005/sparql-results#">', "<head>"]
        out += [f"  <variable name={quoteattr(v)}/>" for v in variables]
        out += ["</head>", "<results>"]
        for row in rows:
            out.append("  <result>")
            out += [f"    <binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                    for v, t in zip(variables, row) if t is not None]
            out.append("  </result>")
        out += ["</results>", "</sparql>"]
        return "\n".join(out) + "\n"
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_csv_value(t) for t in row] for row in rows)
        return buf.getvalue()
    # TSV: terms in SPARQL syntax, header with ?-prefixed names (SPARQL 1.1 TSV).
    lines = ["\t".join("?" + v for v in variables)]
    lines += ["\t".join("" if t is None else str(t).replace("\t", "\\t") for t in row) for row in rows]
    return "\n".join(lines) + "\n"


def _format_boolean(value: bool, fmt: str) -> str:
    word = "true" if value else "false"
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}) + "\n"
    if fmt == "xml":
        return ('<?xml version="1.0" encoding="UTF-8"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n'
                f"<head/>\n<boolean>{word}</boolean>\n</sparql>\n")
    return word + "\n"
