"""pyoxigraph query results serialised for the client, cut at a row cap (embedded store and
query workers alike).

pyoxigraph serialises whole result sets; to cut at a row cap and say so, we write the
standard formats ourselves (SPARQL 1.1 Query Results JSON, XML, CSV, TSV).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from sro_graph.formats import RdfFormat, ResultFormat
from sro_graph.store.base import RawResult, StoreQueryError
from sro_graph.store.projection import projection_order

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None


def write_bindings(
    media_type: str, variables: Sequence[str], rows: Iterable[Sequence[Term]]
) -> bytes:
    """Serialise rows (terms in ``variables`` order, None when unbound)."""
    if media_type == ResultFormat.JSON:
        return _json(variables, rows)
    if media_type == ResultFormat.XML:
        return _xml(variables, rows)
    if media_type == ResultFormat.CSV:
        return _csv(variables, rows)
    if media_type == ResultFormat.TSV:
        return _tsv(variables, rows)
    raise ValueError(f"unsupported results media type {media_type}")


def write_boolean(media_type: str, value: bool) -> bytes:
    if media_type == ResultFormat.JSON:
        return json.dumps({"head": {}, "boolean": value}).encode()
    if media_type == ResultFormat.XML:
        return (
            '<?xml version="1.0"?><sparql xmlns="http://www.w3.org/2005/sparql-results#">'
            f"<head/><boolean>{'true' if value else 'false'}</boolean></sparql>"
        ).encode()
    if media_type in (ResultFormat.CSV, ResultFormat.TSV):
        return b"true\r\n" if value else b"false\r\n"
    raise ValueError(f"unsupported results media type {media_type}")


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        out: dict[str, object] = {"type": "literal", "value": term.value}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype.value != _XSD_STRING:
            out["datatype"] = term.datatype.value
        return out
    if isinstance(term, ox.Triple):
        return {
            "type": "triple",
            "value": {
                "subject": _json_term(term.subject),
                "predicate": _json_term(term.predicate),
                "object": _json_term(term.object),
            },
        }
    raise TypeError(term)


def _json(variables: Sequence[str], rows: Iterable[Sequence[Term]]) -> bytes:
    bindings = [
        {v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
        for row in rows
    ]
    return json.dumps(
        {"head": {"vars": list(variables)}, "results": {"bindings": bindings}},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value != _XSD_STRING:
            datatype = quoteattr(term.datatype.value)
            return f"<literal datatype={datatype}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _xml(variables: Sequence[str], rows: Iterable[Sequence[Term]]) -> bytes:
    parts = [
        '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
        "<head>",
        *(f"<variable name={quoteattr(v)}/>" for v in variables),
        "</head>",
        "<results>",
    ]
    for row in rows:
        parts.append("<result>")
        for v, t in zip(variables, row, strict=True):
            if t is not None:
                parts.append(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>")
        parts.append("</result>")
    parts.append("</results></sparql>")
    return "".join(parts).encode("utf-8")


def _csv_value(term: Term) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        value = "_:" + term.value
    elif isinstance(term, ox.NamedNode | ox.Literal):
        value = term.value
    else:
        value = str(term)
    if any(c in value for c in ',"\r\n'):
        return '"' + value.replace('"', '""') + '"'
    return value


def _csv(variables: Sequence[str], rows: Iterable[Sequence[Term]]) -> bytes:
    lines = [",".join(variables)]
    lines.extend(",".join(_csv_value(t) for t in row) for row in rows)
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def _tsv(variables: Sequence[str], rows: Iterable[Sequence[Term]]) -> bytes:
    lines = ["\t".join("?" + v for v in variables)]
    lines.extend("\t".join("" if t is None else str(t) for t in row) for row in rows)
    return ("\n".join(lines) + "\n").encode("utf-8")


def serialize_result(
    result: object, *, accept: str, row_cap: int | None, query: str | None = None
) -> RawResult:
    """Serialise a pyoxigraph query result in ``accept``, cut at ``row_cap`` rows; the
    columns of ``SELECT *`` in the order of ``query``'s text."""
    if isinstance(result, ox.QueryBoolean):
        return RawResult(write_boolean(accept, bool(result)), accept, "boolean", False, 1)
    if isinstance(result, ox.QuerySolutions):
        names = projection_order(query, [v.value for v in result.variables])
        rows, truncated = _take(([s[n] for n in names] for s in result), row_cap)
        body = write_bindings(accept, names, rows)
        return RawResult(body, accept, "bindings", truncated, len(rows))
    if isinstance(result, ox.QueryTriples):
        triples, truncated = _take(iter(result), row_cap)
        fmt = RdfFormat(accept).oxigraph
        if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
            body = _bytes(
                ox.serialize(
                    [ox.Quad(t.subject, t.predicate, t.object) for t in triples], format=fmt
                )
            )
        else:
            body = _bytes(ox.serialize(triples, format=fmt))
        return RawResult(body, accept, "graph", truncated, len(triples))
    raise StoreQueryError("Unexpected query result.")


def _bytes(data: bytes | None) -> bytes:
    # pyoxigraph returns None only when given an output to write to; we never give one.
    assert data is not None
    return data


def _take(items: Iterable[Any], cap: int | None) -> tuple[list[Any], bool]:
    out: list[Any] = []
    for item in items:
        if cap is not None and len(out) >= cap:
            return out, True
        out.append(item)
    return out, False
