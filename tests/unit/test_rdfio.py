"""rdfio: bytes with an explicit format in, RDF out; unsafe input refused before parsing."""

from __future__ import annotations

import json

import pytest
from rdflib import Literal, URIRef
from rdflib.compare import isomorphic

from sro_graph.errors import (
    TooLargeError,
    UnparseableError,
    UnsafeInputError,
    UnsupportedFormatError,
)
from sro_graph.rdfio import (
    RdfFormat,
    format_from_filename,
    format_from_media_type,
    parse_rdf,
    serialize_graph,
)

BASE = "https://sro.test/"
TURTLE = b"""@prefix dct: <http://purl.org/dc/terms/> .
</id/initiatief/x> dct:title "Slimme parking"@nl, "Smart parking"@en .
"""


def test_parse_turtle_resolves_relative_iris_against_the_base() -> None:
    parsed = parse_rdf(TURTLE, RdfFormat.TURTLE, base_iri=BASE)
    assert parsed.statements == 2
    subject = URIRef("https://sro.test/id/initiatief/x")
    assert (
        subject,
        URIRef("http://purl.org/dc/terms/title"),
        Literal("Slimme parking", lang="nl"),
    ) in parsed.graph


@pytest.mark.parametrize("fmt", list(RdfFormat))
def test_serialize_then_parse_round_trips_in_every_format(fmt: RdfFormat) -> None:
    graph = parse_rdf(TURTLE, RdfFormat.TURTLE, base_iri=BASE).graph
    again = parse_rdf(serialize_graph(graph, fmt), fmt, base_iri=BASE).graph
    assert isomorphic(graph, again)


def test_syntax_error_reports_line_and_column() -> None:
    broken = b'<http://a> <http://b> "ok" .\n<http://a> <http://b> "unterminated .\n'
    with pytest.raises(UnparseableError) as info:
        parse_rdf(broken, RdfFormat.TURTLE, base_iri=BASE)
    assert info.value.line == 2
    assert info.value.column is not None
    assert "line 2" in info.value.detail


def test_rdfxml_with_doctype_is_refused() -> None:
    xml = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"/>"""
    with pytest.raises(UnsafeInputError, match="DOCTYPE"):
        parse_rdf(xml, RdfFormat.RDFXML, base_iri=BASE)


def test_jsonld_with_remote_context_is_refused() -> None:
    doc = json.dumps({"@context": "http://127.0.0.1:9/context.jsonld", "@id": "http://x"})
    with pytest.raises(UnsafeInputError, match="Remote JSON-LD contexts"):
        parse_rdf(doc.encode(), RdfFormat.JSONLD, base_iri=BASE)


def test_jsonld_with_a_known_context_uses_the_local_copy() -> None:
    url = "https://sro.test/ns/context.jsonld"
    context = {"title": {"@id": "http://purl.org/dc/terms/title", "@container": "@language"}}
    doc = json.dumps({"@context": url, "@id": "http://x", "title": {"nl": "Hallo"}})
    parsed = parse_rdf(doc.encode(), RdfFormat.JSONLD, base_iri=BASE, known_contexts={url: context})
    assert (
        URIRef("http://x"),
        URIRef("http://purl.org/dc/terms/title"),
        Literal("Hallo", lang="nl"),
    ) in parsed.graph


def test_deeply_nested_jsonld_is_refused() -> None:
    doc = b'{"@id": "http://x", "http://p": ' + b"[" * 200 + b"]" * 200 + b"}"
    with pytest.raises(UnsafeInputError, match="nested"):
        parse_rdf(doc, RdfFormat.JSONLD, base_iri=BASE)


def test_invalid_utf8_is_unparseable() -> None:
    with pytest.raises(UnparseableError, match="UTF-8"):
        parse_rdf(b'<http://a> <http://b> "\xff\xfe" .', RdfFormat.NTRIPLES, base_iri=BASE)


def test_oversize_body_is_refused_before_parsing() -> None:
    with pytest.raises(TooLargeError):
        parse_rdf(TURTLE, RdfFormat.TURTLE, base_iri=BASE, max_bytes=10)


@pytest.mark.parametrize("body", [b"", b"   \n", b"# only a comment\n"])
def test_empty_input_is_unparseable(body: bytes) -> None:
    with pytest.raises(UnparseableError):
        parse_rdf(body, RdfFormat.TURTLE, base_iri=BASE)


@pytest.mark.parametrize(
    ("media_type", "expected"),
    [
        ("text/turtle; charset=utf-8", RdfFormat.TURTLE),
        ("application/ld+json", RdfFormat.JSONLD),
        ("application/rdf+xml", RdfFormat.RDFXML),
        ("application/n-triples", RdfFormat.NTRIPLES),
        ("application/n-quads", RdfFormat.NQUADS),
        ("application/trig", RdfFormat.TRIG),
    ],
)
def test_media_types_name_their_formats(media_type: str, expected: RdfFormat) -> None:
    assert format_from_media_type(media_type) is expected


def test_unknown_media_type_is_unsupported() -> None:
    with pytest.raises(UnsupportedFormatError, match="image/png"):
        format_from_media_type("image/png")


def test_file_names_suggest_formats() -> None:
    assert format_from_filename("x.TTL") is RdfFormat.TURTLE
    assert format_from_filename("x.jsonld") is RdfFormat.JSONLD
    assert format_from_filename("x.docx") is None
    assert format_from_filename("noextension") is None
