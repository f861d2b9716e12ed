"""Bytes with an explicit format in, RDF out, and back; the one place RDF is parsed.

Parsing is done by pyoxigraph: strict, fast, and it never opens a file or a URL. On top of it
this module refuses what is unsafe before a parser sees it: RDF/XML with a DOCTYPE (entity
expansion, external entities), JSON-LD that names a remote ``@context`` (unless it is one of the
contexts we serve ourselves, which are substituted from local copies), and bodies over the cap.
The formats themselves (media types, extensions) are in :mod:`sro_graph.formats`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Node

from sro_graph.errors import (
    TooLargeError,
    UnparseableError,
    UnsafeInputError,
    UnsupportedFormatError,
)
from sro_graph.formats import (
    RDF_FILE_NAMES,
    RdfFormat,
    essence,
    rdf_format_for_file_name,
    rdf_format_for_media_type,
    rdf_format_for_name,
)
from sro_graph.oxterms import graph_to_triples, to_rdflib, triples_to_graph

SUPPORTED_MEDIA_TYPES = tuple(f.value for f in RdfFormat)

__all__ = [
    "SUPPORTED_MEDIA_TYPES",
    "ParsedRdf",
    "RdfFormat",
    "format_from_filename",
    "format_from_media_type",
    "format_from_name",
    "graph_from_ntriples",
    "parse_rdf",
    "serialize_graph",
    "write_statements",
]


def format_from_media_type(media_type: str | None) -> RdfFormat:
    """The format named by a Content-Type value (parameters ignored).

    Raises:
        UnsupportedFormatError: the media type is missing or not an RDF syntax we read.
    """
    if not media_type:
        raise UnsupportedFormatError(
            "No media type given; send one of: " + ", ".join(SUPPORTED_MEDIA_TYPES)
        )
    found = rdf_format_for_media_type(media_type)
    if found is None:
        raise UnsupportedFormatError(
            f"Unsupported media type '{essence(media_type)[:100]}'; send one of: "
            + ", ".join(SUPPORTED_MEDIA_TYPES)
        )
    return found


def format_from_filename(name: str | None) -> RdfFormat | None:
    """The format suggested by a file name's extension, or None."""
    return rdf_format_for_file_name(name) if name else None


def format_from_name(name: str) -> RdfFormat:
    """The format for a short name (``turtle``, ``ttl``, ``jsonld``) or a media type."""
    if "/" in name:
        return format_from_media_type(name)
    found = rdf_format_for_name(name)
    if found is None:
        raise UnsupportedFormatError(
            f"Unknown format '{name[:50]}'; use one of: " + ", ".join(sorted(RDF_FILE_NAMES))
        )
    return found


UNDEFINED_JSONLD_VOCAB = "urn:sro-graph:undefined-json-ld-term:"
"""The ``@vocab`` of the probe parse that finds JSON-LD keys the document's context lacks."""


@dataclass(frozen=True)
class UndefinedTerm:
    """A JSON-LD key (or ``@type`` value) that the context does not expand: dropped (or
    resolved against the document) by the parse. ``subject`` is the node it was said of."""

    subject: Node
    key: str
    as_type: bool


@dataclass(frozen=True)
class ParsedRdf:
    """What a parse produced: all triples in one graph, and how many statements were read.

    ``undefined_terms``: for JSON-LD, the keys and types that expanded to nothing.
    """

    graph: Graph
    statements: int
    named_graphs: frozenset[str]
    undefined_terms: tuple[UndefinedTerm, ...] = ()


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
_LINE_COLUMN = re.compile(r"line (\d+) between columns (\d+)")
_JSON_MAX_DEPTH = 64


def parse_rdf(
    data: bytes,
    fmt: RdfFormat,
    *,
    base_iri: str,
    max_bytes: int | None = None,
    known_contexts: Mapping[str, Any] | None = None,
) -> ParsedRdf:
    """Parse ``data`` in ``fmt`` into one rdflib graph (graph names of quads are recorded).

    Args:
        base_iri: resolves relative IRIs in the data.
        max_bytes: refuse larger input before parsing.
        known_contexts: JSON-LD contexts we serve ourselves, by URL, substituted locally;
            any other remote context is refused.

    Raises:
        TooLargeError, UnsafeInputError, UnparseableError.
    """
    if max_bytes is not None and len(data) > max_bytes:
        raise TooLargeError(f"The body is {len(data)} bytes; the limit is {max_bytes} bytes.")
    if not data.strip():
        raise UnparseableError("The body is empty: there is no RDF to read.")
    if fmt is RdfFormat.RDFXML and _DOCTYPE.search(data):
        raise UnsafeInputError(
            "RDF/XML with a DOCTYPE or ENTITY declaration is refused (entity expansion and "
            "external entities are not allowed)."
        )
    if fmt is RdfFormat.JSONLD:
        data = _resolve_jsonld_contexts(data, known_contexts or {})
    else:
        _require_utf8(data)
    graph = Graph()
    names: set[str] = set()
    count = 0
    try:
        parser = ox.parse(data, format=fmt.oxigraph, base_iri=base_iri)
        add = graph.add
        for quad in parser:
            add((to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object)))
            gname = quad.graph_name
            if isinstance(gname, ox.NamedNode):
                names.add(gname.value)
            count += 1
    except SyntaxError as exc:
        raise _unparseable(exc, fmt) from exc
    except ValueError as exc:  # pyoxigraph reports some malformed terms as ValueError
        raise UnparseableError(f"The {fmt.name} data is not valid RDF: {_short(exc)}") from exc
    if count == 0:
        raise UnparseableError("The body parses but holds no RDF statements.")
    undefined = _undefined_jsonld_terms(data, base_iri) if fmt is RdfFormat.JSONLD else ()
    return ParsedRdf(
        graph=graph, statements=count, named_graphs=frozenset(names), undefined_terms=undefined
    )


def _undefined_jsonld_terms(data: bytes, base_iri: str) -> tuple[UndefinedTerm, ...]:
    """Keys and ``@type`` values that the document's context leaves undefined.

    JSON-LD drops such keys silently. The same parser reads the document again with a probe
    ``@vocab`` under the document's own context (a context with its own ``@vocab`` wins, and
    then nothing was dropped): whatever expands into the probe namespace was undefined.
    """
    doc = json.loads(data)
    probe_context: dict[str, Any] = {"@vocab": UNDEFINED_JSONLD_VOCAB}
    if isinstance(doc, dict) and "@context" in doc:
        own = doc["@context"]
        doc = {**doc, "@context": [probe_context, *(own if isinstance(own, list) else [own])]}
    elif isinstance(doc, dict):
        doc = {**doc, "@context": probe_context}
    else:
        doc = {"@context": probe_context, "@graph": doc}
    found: dict[tuple[str, str, bool], UndefinedTerm] = {}
    try:
        for quad in ox.parse(
            json.dumps(doc).encode(), format=ox.RdfFormat.JSON_LD, base_iri=base_iri
        ):
            predicate, obj = quad.predicate.value, quad.object
            if predicate.startswith(UNDEFINED_JSONLD_VOCAB):
                key = predicate.removeprefix(UNDEFINED_JSONLD_VOCAB)
                term = UndefinedTerm(to_rdflib(quad.subject), key, as_type=False)
            elif (
                isinstance(obj, ox.NamedNode)
                and obj.value.startswith(UNDEFINED_JSONLD_VOCAB)
                and predicate == _RDF_TYPE
            ):
                key = obj.value.removeprefix(UNDEFINED_JSONLD_VOCAB)
                term = UndefinedTerm(to_rdflib(quad.subject), key, as_type=True)
            else:
                continue
            found.setdefault((str(term.subject), key, term.as_type), term)
    except (SyntaxError, ValueError):  # the real parse succeeded; a probe failure hides nothing
        return ()
    return tuple(found[k] for k in sorted(found))


def serialize_graph(
    graph: Iterable[Any], fmt: RdfFormat, *, prefixes: Mapping[str, str] | None = None
) -> bytes:
    """Serialise triples (an rdflib graph) in ``fmt``; dataset formats write the default graph."""
    return write_statements(graph_to_triples(graph), fmt, prefixes=prefixes)


def write_statements(
    statements: Iterable[ox.Triple], fmt: RdfFormat, *, prefixes: Mapping[str, str] | None = None
) -> bytes:
    """Serialise pyoxigraph triples in ``fmt``; dataset formats write the default graph."""
    triples = list(statements)
    if fmt.is_dataset:
        quads = [ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in triples]
        return _bytes(ox.serialize(quads, format=fmt.oxigraph))
    usable = dict(prefixes or {}) if fmt in (RdfFormat.TURTLE, RdfFormat.RDFXML) else None
    return _bytes(ox.serialize(triples, format=fmt.oxigraph, prefixes=usable))


def _bytes(data: bytes | None) -> bytes:
    # pyoxigraph returns None only when given an output to write to; we never give one.
    assert data is not None
    return data


def graph_from_ntriples(data: bytes) -> Graph:
    """A graph from N-Triples that we produced ourselves (store dumps, worker results)."""
    return triples_to_graph(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))


def _require_utf8(data: bytes) -> None:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise UnparseableError(
            f"The body is not valid UTF-8 (first bad byte at offset {exc.start})."
        ) from None


def _resolve_jsonld_contexts(data: bytes, known: Mapping[str, Any]) -> bytes:
    try:
        doc = json.loads(data)
    except RecursionError:
        raise UnsafeInputError("The JSON-LD document is nested too deeply.") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        col = getattr(exc, "colno", None)
        where = f" at line {line}, column {col}" if line else ""
        raise UnparseableError(
            f"The body is not valid JSON{where}.", line=line, column=col
        ) from None
    _check_depth(doc)
    resolved = _substitute_contexts(doc, known)
    return json.dumps(resolved).encode("utf-8")


def _check_depth(doc: Any) -> None:
    stack: list[tuple[Any, int]] = [(doc, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > _JSON_MAX_DEPTH:
            raise UnsafeInputError(
                f"The JSON-LD document is nested deeper than {_JSON_MAX_DEPTH} levels."
            )
        if isinstance(node, dict):
            stack.extend((v, depth + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, depth + 1) for v in node)


def _substitute_contexts(node: Any, known: Mapping[str, Any]) -> Any:
    if isinstance(node, list):
        return [_substitute_contexts(item, known) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "@context":
            out[key] = _context_value(value, known)
        else:
            out[key] = _substitute_contexts(value, known)
    return out


def _context_value(value: Any, known: Mapping[str, Any]) -> Any:
    if isinstance(value, list):
        return [_context_value(item, known) for item in value]
    if isinstance(value, str):
        if value in known:
            return known[value]
        raise UnsafeInputError(
            f"Remote JSON-LD contexts are not fetched: '{value[:200]}' is not one of the "
            "contexts this service knows. Inline the context in the document instead."
        )
    if isinstance(value, dict):
        if "@import" in value:
            raise UnsafeInputError("JSON-LD '@import' of a remote context is not fetched.")
        return {k: _substitute_contexts(v, known) for k, v in value.items()}
    return value


def _unparseable(exc: SyntaxError, fmt: RdfFormat) -> UnparseableError:
    message = _short(exc)
    match = _LINE_COLUMN.search(message)
    line = int(match.group(1)) if match else getattr(exc, "lineno", None)
    column = int(match.group(2)) + 1 if match else getattr(exc, "offset", None)
    where = f" (line {line}, column {column})" if line else ""
    return UnparseableError(
        f"The {fmt.name} data could not be parsed{where}: {message}", line=line, column=column
    )


def _short(exc: BaseException, limit: int = 300) -> str:
    text = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
    return text if len(text) <= limit else text[:limit] + "…"
