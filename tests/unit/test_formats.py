"""``formats``: the one table of media types, extensions, short names and charsets (issue 16)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sro_graph.formats import (
    GRAPH_RESULT_FORMATS,
    RDF_FILE_NAMES,
    RDF_MEDIA_TYPE_ALIASES,
    RESULT_FORMATS,
    SHORT_NAMES,
    MediaType,
    RdfFormat,
    ResultFormat,
    content_type,
    essence,
    media_type_for_short_name,
    rdf_format_for_file_name,
    rdf_format_for_media_type,
)


@pytest.mark.parametrize("fmt", list(RdfFormat))
def test_rdf_format_names_agree_with_pyoxigraph(fmt: RdfFormat) -> None:
    """Each syntax's media type and extension are pyoxigraph's own for that syntax."""
    assert fmt.oxigraph.media_type == fmt.value
    assert fmt.oxigraph.file_extension == fmt.extension
    assert ox.RdfFormat.from_media_type(fmt.value) == fmt.oxigraph


@pytest.mark.parametrize("fmt", list(ResultFormat))
def test_result_format_names_agree_with_pyoxigraph(fmt: ResultFormat) -> None:
    # pyoxigraph states the charset of CSV and TSV; the essence is the same.
    assert essence(fmt.oxigraph.media_type) == fmt.value
    assert ox.QueryResultsFormat.from_media_type(fmt.value) == fmt.oxigraph


@pytest.mark.parametrize("fmt", list(RdfFormat))
def test_rdf_format_is_found_by_its_media_type_and_its_extension(fmt: RdfFormat) -> None:
    assert rdf_format_for_media_type(fmt.value) is fmt
    assert rdf_format_for_media_type(f"{fmt.value.upper()}; charset=UTF-8") is fmt
    assert rdf_format_for_file_name(f"data.{fmt.extension}") is fmt
    assert rdf_format_for_file_name(f"DATA.{fmt.extension.upper()}") is fmt


def test_every_short_name_answers_in_a_format_a_query_can_answer_in() -> None:
    answers = {*RESULT_FORMATS, *GRAPH_RESULT_FORMATS}
    assert set(SHORT_NAMES.values()) <= answers
    # ...and every answer format has a short name (a download link for each).
    assert answers <= set(SHORT_NAMES.values())


def test_short_names_ignore_case_and_surrounding_space() -> None:
    assert media_type_for_short_name(" CSV ") == "text/csv"
    assert media_type_for_short_name("ttl") == "text/turtle"
    assert media_type_for_short_name("text/csv") is None
    assert media_type_for_short_name("") is None


def test_aliases_and_file_names_map_to_known_formats_only() -> None:
    assert set(RDF_MEDIA_TYPE_ALIASES.values()) <= set(RdfFormat)
    assert set(RDF_FILE_NAMES.values()) <= set(RdfFormat)
    assert all(key == essence(key) for key in RDF_MEDIA_TYPE_ALIASES)


def test_w3c_format_iris_are_the_registered_ones() -> None:
    """The IRIs of http://www.w3.org/ns/formats/ that the service description names."""
    assert RdfFormat.TURTLE.w3c_iri == "http://www.w3.org/ns/formats/Turtle"
    assert RdfFormat.RDFXML.w3c_iri == "http://www.w3.org/ns/formats/RDF_XML"
    assert RdfFormat.JSONLD.w3c_iri == "http://www.w3.org/ns/formats/JSON-LD"
    assert ResultFormat.JSON.w3c_iri == "http://www.w3.org/ns/formats/SPARQL_Results_JSON"
    assert ResultFormat.TSV.w3c_iri == "http://www.w3.org/ns/formats/SPARQL_Results_TSV"


@pytest.mark.parametrize(
    ("media_type", "expected"),
    [
        ("text/turtle", "text/turtle; charset=utf-8"),
        ("text/csv", "text/csv; charset=utf-8"),
        ("text/html", "text/html; charset=utf-8"),
        (MediaType.ATOM, "application/atom+xml; charset=utf-8"),
        ("application/ld+json", "application/ld+json"),
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/gzip", "application/gzip"),
        ("text/plain; charset=latin-1", "text/plain; charset=latin-1"),
    ],
)
def test_content_type_states_utf8_for_textual_types(media_type: str, expected: str) -> None:
    assert content_type(media_type) == expected


@given(st.sampled_from([*RdfFormat, *ResultFormat, *MediaType]))
def test_content_type_is_idempotent_and_keeps_the_essence(media_type: str) -> None:
    once = content_type(media_type)
    assert content_type(once) == once
    assert essence(once) == media_type


@given(st.text(max_size=60))
def test_lookups_of_arbitrary_text_never_raise(text: str) -> None:
    assert rdf_format_for_media_type(text) in (None, *RdfFormat)
    assert rdf_format_for_file_name(text) in (None, *RdfFormat)
    assert media_type_for_short_name(text) in (None, *SHORT_NAMES.values())
