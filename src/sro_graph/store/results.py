"""Query results serialised for the client, cut at a row cap and a byte cap (embedded store,
query workers and remote store alike).

pyoxigraph serialises whole result sets; to cut at a row cap and say so, we write the
standard formats ourselves (SPARQL 1.1 Query Results JSON, XML, CSV, TSV). The byte cap is
checked row by row before a row is written (first against the length of its terms' text, a
lower bound, so a 128 MB literal is never encoded), so the answer is never built whole and
then cut. A row that alone passes the cap is not written: the answer then has fewer rows (or
none) and says it was cut for its size (``SRO_SPARQL_MAX_RESULT_BYTES``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from sro_graph.formats import RdfFormat, ResultFormat
from sro_graph.store.base import RawResult, StoreQueryError
from sro_graph.store.projection import projection_order

Truncation = Literal["rows", "bytes"]
"""Why an answer was cut: at the row cap, or at the byte cap."""

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None


@dataclass(frozen=True)
class Written:
    """A serialised answer, how many rows (or triples) it holds and why it was cut, if it was."""

    body: bytes
    count: int
    cut: Truncation | None = None


def write_bindings(
    media_type: str, variables: Sequence[str], rows: Iterable[Sequence[Term]]
) -> bytes:
    """Serialise rows (terms in ``variables`` order, None when unbound)."""
    return write_bindings_capped(media_type, variables, rows).body


def write_bindings_capped(
    media_type: str,
    variables: Sequence[str],
    rows: Iterable[Sequence[Term]],
    *,
    row_cap: int | None = None,
    max_bytes: int | None = None,
) -> Written:
    """Serialise rows until ``row_cap`` rows or ``max_bytes`` bytes; ``rows`` is read lazily
    and no further than one row past the cap."""
    head, encode, separator, foot = _writer(media_type, variables)
    parts = [head]
    size = len(head) + len(foot)
    count = 0
    cut: Truncation | None = None
    for row in rows:
        if row_cap is not None and count >= row_cap:
            cut = "rows"
            break
        if max_bytes is not None and size + sum(_chars(t) for t in row) > max_bytes:
            cut = "bytes"
            break
        chunk = (separator if count else b"") + encode(row)
        if max_bytes is not None and size + len(chunk) > max_bytes:
            cut = "bytes"
            break
        parts.append(chunk)
        size += len(chunk)
        count += 1
    parts.append(foot)
    return Written(b"".join(parts), count, cut)


def write_graph_capped(
    fmt: ox.RdfFormat,
    triples: Iterable[ox.Triple],
    *,
    row_cap: int | None = None,
    max_bytes: int | None = None,
) -> Written:
    """Serialise triples in ``fmt`` until ``row_cap`` triples or ``max_bytes`` bytes.

    Triples are taken while their N-Triples size fits (checked first against their terms'
    text length, so a huge literal is never written out); a syntax that writes them larger
    than N-Triples (RDF/XML) is cut further after writing, by proportion, until it fits.
    """
    if row_cap is None and max_bytes is None:  # the service's own dumps: no cut to look for
        whole = list(triples)
        return Written(_serialize_graph(fmt, whole), len(whole), None)
    kept: list[ox.Triple] = []
    size = 0
    cut: Truncation | None = None
    for triple in triples:
        if row_cap is not None and len(kept) >= row_cap:
            cut = "rows"
            break
        if max_bytes is not None:
            if size + _chars(triple) > max_bytes:
                cut = "bytes"
                break
            size += len(str(triple).encode("utf-8")) + 3
            if size > max_bytes:
                cut = "bytes"
                break
        kept.append(triple)
    body = _serialize_graph(fmt, kept)
    while max_bytes is not None and len(body) > max_bytes and kept:
        kept = kept[: max(0, len(kept) * max_bytes // len(body) - 1)]
        cut = "bytes"
        body = _serialize_graph(fmt, kept)
    return Written(body, len(kept), cut)


def _serialize_graph(fmt: ox.RdfFormat, triples: list[ox.Triple]) -> bytes:
    if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
        quads = [ox.Quad(t.subject, t.predicate, t.object) for t in triples]
        return ox.serialize(quads, format=fmt) or b""
    return ox.serialize(triples, format=fmt) or b""


def _chars(term: Term) -> int:
    """The length of a term's text: a lower bound of its bytes in any results format."""
    if term is None:
        return 0
    if isinstance(term, ox.Triple):
        return _chars(term.subject) + _chars(term.predicate) + _chars(term.object)
    return len(term.value)


_Writer = tuple[bytes, Callable[[Sequence[Term]], bytes], bytes, bytes]


def _writer(media_type: str, variables: Sequence[str]) -> _Writer:
    """Head, row encoder, row separator and foot of a results format."""
    if media_type == ResultFormat.JSON:
        head = json.dumps({"vars": list(variables)}, ensure_ascii=False, separators=(",", ":"))
        return (
            ('{"head":' + head + ',"results":{"bindings":[').encode("utf-8"),
            lambda row: _json_row(variables, row),
            b",",
            b"]}}",
        )
    if media_type == ResultFormat.XML:
        xml_head = "".join(
            [
                '<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">',
                "<head>",
                *(f"<variable name={quoteattr(v)}/>" for v in variables),
                "</head>",
                "<results>",
            ]
        )
        return (
            xml_head.encode("utf-8"),
            lambda row: _xml_row(variables, row),
            b"",
            b"</results></sparql>",
        )
    if media_type == ResultFormat.CSV:
        return (
            (",".join(variables) + "\r\n").encode("utf-8"),
            lambda row: (",".join(_csv_value(t) for t in row) + "\r\n").encode("utf-8"),
            b"",
            b"",
        )
    if media_type == ResultFormat.TSV:
        return (
            ("\t".join("?" + v for v in variables) + "\n").encode("utf-8"),
            lambda row: ("\t".join("" if t is None else str(t) for t in row) + "\n").encode(
                "utf-8"
            ),
            b"",
            b"",
        )
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


def _json_row(variables: Sequence[str], row: Sequence[Term]) -> bytes:
    binding = {v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None}
    return json.dumps(binding, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


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


def _xml_row(variables: Sequence[str], row: Sequence[Term]) -> bytes:
    parts = ["<result>"]
    for v, t in zip(variables, row, strict=True):
        if t is not None:
            parts.append(f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>")
    parts.append("</result>")
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


def serialize_result(
    result: object,
    *,
    accept: str,
    row_cap: int | None,
    max_bytes: int | None = None,
    query: str | None = None,
) -> RawResult:
    """Serialise a pyoxigraph query result in ``accept``, cut at ``row_cap`` rows and at
    ``max_bytes`` bytes (rows are pulled from the engine one at a time, never all at once);
    the columns of ``SELECT *`` in the order of ``query``'s text."""
    if isinstance(result, ox.QueryBoolean):
        return RawResult(write_boolean(accept, bool(result)), accept, "boolean", False, 1)
    if isinstance(result, ox.QuerySolutions):
        names = projection_order(query, [v.value for v in result.variables])
        written = write_bindings_capped(
            accept,
            names,
            ([s[n] for n in names] for s in result),
            row_cap=row_cap,
            max_bytes=max_bytes,
        )
        return _raw(written, accept, "bindings")
    if isinstance(result, ox.QueryTriples):
        written = write_graph_capped(
            RdfFormat(accept).oxigraph, iter(result), row_cap=row_cap, max_bytes=max_bytes
        )
        return _raw(written, accept, "graph")
    raise StoreQueryError("Unexpected query result.")


def _raw(written: Written, accept: str, kind: Literal["bindings", "graph"]) -> RawResult:
    return RawResult(
        written.body, accept, kind, written.cut is not None, written.count, written.cut
    )
