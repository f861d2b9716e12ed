"""Fuzzing: schemathesis over the service's own OpenAPI document (every operation, a bounded
number of examples: no 5xx, responses match their schema), and hypothesis properties of the
RDF parser and of named-query parameter binding."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Literal, URIRef
from schemathesis.checks import not_a_server_error, response_schema_conformance

from sro_graph.errors import BadParameterError, SroError
from sro_graph.queries import bound_query, load_query_defs
from sro_graph.rdfio import RdfFormat, parse_rdf
from sro_graph.sparql import inspect_query, tokenize
from sro_graph.web.app import create_app
from tests.conftest import STEWARD_TOKEN, TEST_BASE, make_settings

FUZZ_EXAMPLES = 6  # per operation; ~45 operations


@schemathesis.serializer("application/sparql-query")
def _sparql_query_text(ctx: Any, value: Any) -> bytes:
    return value.encode("utf-8", "surrogatepass") if isinstance(value, str) else str(value).encode()


@schemathesis.serializer(
    "application/n-triples",
    "application/n-quads",
    "application/trig",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
)
def _upload_bytes(ctx: Any, value: Any) -> bytes:
    """Submission bodies (RDF syntaxes, the XLSX template) are sent as the bytes generated."""
    if isinstance(value, bytes):
        return value
    return value.encode("utf-8", "surrogatepass") if isinstance(value, str) else str(value).encode()


# Built at import so schemathesis can generate one test per operation; the lifespan (which
# opens the store) is entered by the fixture below for the module's duration.
FUZZ_APP = create_app(make_settings(query_timeout_s=2, validation_timeout_s=10))
schema = schemathesis.openapi.from_asgi("/openapi.json", FUZZ_APP)


@pytest.fixture(scope="module")
def fuzz_app() -> Iterator[FastAPI]:
    """The fuzzed app, running over an in-memory store with short query limits."""
    with TestClient(FUZZ_APP):
        yield FUZZ_APP


def test_openapi_operation_ids_are_unique(fuzz_app: FastAPI) -> None:
    document = fuzz_app.openapi()
    ids = [op["operationId"] for path in document["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert len(ids) > 20


@schema.parametrize()
@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_without_5xx_and_matches_its_schema(
    fuzz_app: FastAPI,
    case: Any,
) -> None:
    case.call_and_validate(
        headers={"authorization": f"Bearer {STEWARD_TOKEN}"},
        checks=[not_a_server_error, response_schema_conformance],
    )


# -- the parser --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", list(RdfFormat))
@given(data=st.binary(max_size=2048))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_parse_rdf_on_arbitrary_bytes_raises_only_sro_errors(fmt: RdfFormat, data: bytes) -> None:
    with contextlib.suppress(SroError):  # anything else fails the test
        parse_rdf(data, fmt, base_iri=f"{TEST_BASE}/", max_bytes=4096)


RDF_ALPHABET = st.sampled_from(
    [
        *'<>"@{}[]()^^.;,:_#\\ \n\t\'aZ09-+/é\u0000{"@context":',
        "@prefix",
        "<http://x/>",
        "@base",
        '"""',
        "rdf:RDF",
        "<!DOCTYPE",
        "&x;",
        "xml:base",
        "\\u0000",
        "\\U0010FFFF",
        "\udcff",
        "true",
        "1e9",
        "\ufeff",
    ]
)


@pytest.mark.parametrize("fmt", list(RdfFormat))
@given(parts=st.lists(RDF_ALPHABET, max_size=60))
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_parse_rdf_on_rdf_like_text_raises_only_sro_errors(
    fmt: RdfFormat, parts: list[str]
) -> None:
    data = "".join(parts).encode("utf-8", "surrogatepass")
    with contextlib.suppress(SroError):  # anything else fails the test
        parse_rdf(data, fmt, base_iri=f"{TEST_BASE}/", max_bytes=4096)


# -- named-query parameter binding -------------------------------------------------------------


@pytest.fixture(scope="module")
def keyword_search(query_defs: dict[str, Any]) -> Any:
    return query_defs["keyword-search"]


def _shape(text: str) -> list[tuple[str, str]]:
    """The query's token structure, with literal and IRI contents blanked."""
    return [(t.kind, "" if t.kind in ("string", "iri") else t.text.upper()) for t in tokenize(text)]


@given(value=st.text(max_size=200))
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_string_parameter_never_changes_the_query_structure(
    keyword_search: Any, value: str
) -> None:
    baseline = bound_query(keyword_search, {"q": Literal("x")}, base=TEST_BASE)
    try:
        text = bound_query(keyword_search, {"q": Literal(value)}, base=TEST_BASE)
    except ValueError:
        return  # a value pyoxigraph cannot write as a term (e.g. a lone surrogate): refused
    assert _shape(text) == _shape(baseline)
    info = inspect_query(text)
    assert info.form == "SELECT"
    assert info.services == ()
    assert info.from_graphs == ()


IRI_CHARS = st.text(alphabet=st.characters(codec="utf-8"), max_size=60)


@pytest.fixture(scope="module")
def query_defs() -> dict[str, Any]:
    return load_query_defs(make_settings().queries_dir)


@given(tail=IRI_CHARS)
@settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_iri_parameter_never_changes_the_query_structure(
    query_defs: dict[str, Any], tail: str
) -> None:
    defs = query_defs
    qdef = next(
        d
        for d in defs.values()
        if any(p.type not in ("string", "integer", "date", "language") for p in d.params)
    )
    param = next(
        p.name for p in qdef.params if p.type not in ("string", "integer", "date", "language")
    )
    baseline = bound_query(qdef, {param: URIRef("http://x/")}, base=TEST_BASE)
    try:
        text = bound_query(qdef, {param: URIRef("http://x/" + tail)}, base=TEST_BASE)
    except BadParameterError:
        return  # not an IRI: refused before any text is built
    assert _shape(text) == _shape(baseline)
    assert (
        not re.search(r"\bSERVICE\b", text.split("VALUES", 1)[0] + text.split("}", 1)[-1])
        or "SERVICE" in qdef.text
    )


@pytest.fixture(scope="module")
def http() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings())) as client:
        yield client


@given(value=st.text(max_size=100))
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_keyword_search_over_http_is_200_or_422_for_any_text(http: TestClient, value: str) -> None:
    r = http.get("/queries/keyword-search", params={"q": value})
    assert r.status_code in (200, 422), r.text
