"""/sparql: the SPARQL 1.1 Protocol for queries, parsed back by real parsers."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph
from rdflib.query import Result, ResultRow

from sro_graph.web.app import create_app
from tests.conftest import TEST_BASE, make_settings


@pytest.fixture(scope="module")
def shared() -> Iterator[TestClient]:
    """One app for the tests of this module that change nothing."""
    with TestClient(create_app(make_settings())) as client:
        yield client


COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
SCHEMES = (
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "SELECT ?s WHERE { ?s a skos:ConceptScheme } ORDER BY ?s"
)
CONSTRUCT = (
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "CONSTRUCT { ?s a skos:ConceptScheme } WHERE { ?s a skos:ConceptScheme }"
)
ORGS_GRAPH = f"{TEST_BASE}/graph/basis/organisaties"
JSON_RESULTS = "application/sparql-results+json"


def _first_column(result: Result) -> set[str]:
    """The values of the first variable of a SELECT result."""
    values = set()
    for row in result:
        assert isinstance(row, ResultRow)
        values.add(str(row[0]))
    return values


def _count(client: TestClient) -> int:
    r = client.get("/sparql", params={"query": COUNT})
    return int(r.json()["results"]["bindings"][0]["n"]["value"])


def test_sparql_get_select_answers_sparql_json_by_default(shared: TestClient) -> None:
    r = shared.get("/sparql", params={"query": SCHEMES})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(JSON_RESULTS)
    result = Result.parse(io.BytesIO(r.content), format="json")
    assert f"{TEST_BASE}/id/conceptscheme/uitdaging" in _first_column(result)


def test_sparql_post_form_runs_the_query(shared: TestClient) -> None:
    r = shared.post("/sparql", data={"query": SCHEMES})
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) >= 9


def test_sparql_post_form_keeps_percent_signs_in_the_query(shared: TestClient) -> None:
    query = 'SELECT ?x WHERE { BIND("100% a+b" AS ?x) }'
    r = shared.post("/sparql", data={"query": query})
    assert r.json()["results"]["bindings"][0]["x"]["value"] == "100% a+b"


def test_sparql_post_sparql_query_body_runs_the_query(shared: TestClient) -> None:
    r = shared.post(
        "/sparql", content=SCHEMES.encode(), headers={"content-type": "application/sparql-query"}
    )
    assert r.status_code == 200
    assert len(r.json()["results"]["bindings"]) >= 9


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("application/sparql-results+xml", "xml"),
        ("text/csv", "csv"),
        ("text/tab-separated-values", "tsv"),
        ("application/sparql-results+json", "json"),
    ],
)
def test_sparql_select_formats_parse_back(shared: TestClient, accept: str, fmt: str) -> None:
    r = shared.get("/sparql", params={"query": SCHEMES}, headers={"accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(accept)
    rows = Result.parse(io.BytesIO(r.content), format=fmt)
    assert f"{TEST_BASE}/id/conceptscheme/uitdaging" in _first_column(rows)


@pytest.mark.parametrize(
    "accept", ["application/sparql-results+json", "application/sparql-results+xml"]
)
def test_sparql_ask_formats_parse_back(shared: TestClient, accept: str) -> None:
    r = shared.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}, headers={"accept": accept})
    fmt = "json" if accept.endswith("json") else "xml"
    assert Result.parse(io.BytesIO(r.content), format=fmt).askAnswer is True


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        (None, "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_sparql_construct_formats_parse_back(
    shared: TestClient, accept: str | None, fmt: str
) -> None:
    headers = {"accept": accept} if accept else {}
    r = shared.get("/sparql", params={"query": CONSTRUCT}, headers=headers)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(accept or "text/turtle")
    graph = Graph().parse(data=r.content, format=fmt)
    assert len(graph) >= 9


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/csv;q=0.5, application/sparql-results+xml", "application/sparql-results+xml"),
        ("application/sparql-results+json;q=0, */*;q=0.1", "application/sparql-results+xml"),
        ("text/*", "text/csv"),
        ("text/html, */*;q=0.8", "application/sparql-results+json"),
    ],
)
def test_sparql_accept_q_values_choose_the_format(
    shared: TestClient, accept: str, expected: str
) -> None:
    r = shared.get("/sparql", params={"query": COUNT}, headers={"accept": accept})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(expected)


def test_sparql_unacceptable_accept_is_406(shared: TestClient) -> None:
    r = shared.get("/sparql", params={"query": COUNT}, headers={"accept": "image/png"})
    assert r.status_code == 406
    assert r.json()["error"] == "not-acceptable"


def test_sparql_construct_with_results_only_accept_is_406(shared: TestClient) -> None:
    r = shared.get(
        "/sparql",
        params={"query": CONSTRUCT},
        headers={"accept": "application/sparql-results+json"},
    )
    assert r.status_code == 406


def test_sparql_malformed_query_is_400_with_the_parser_message(shared: TestClient) -> None:
    r = shared.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p }"})
    assert r.status_code == 400
    assert r.json()["error"] == "query-syntax"
    assert "parse" in r.json()["detail"]


def test_sparql_two_query_parameters_are_400(shared: TestClient) -> None:
    r = shared.get("/sparql", params=[("query", COUNT), ("query", COUNT)])
    assert r.status_code == 400


def test_sparql_query_in_url_and_body_is_400(shared: TestClient) -> None:
    r = shared.post(
        "/sparql?query=ASK%7B%7D",
        content=b"ASK {}",
        headers={"content-type": "application/sparql-query"},
    )
    assert r.status_code == 400


@pytest.mark.parametrize("kind", ["get-update", "form-update", "sparql-update", "query-insert"])
def test_sparql_update_requests_are_refused_and_change_nothing(
    shared: TestClient, kind: str
) -> None:
    before = _count(shared)
    update = "INSERT DATA { <http://ex/a> <http://ex/b> <http://ex/c> }"
    if kind == "get-update":
        r = shared.get("/sparql", params={"update": update})
    elif kind == "form-update":
        r = shared.post("/sparql", data={"update": update})
    elif kind == "sparql-update":
        r = shared.post(
            "/sparql",
            content=update.encode(),
            headers={"content-type": "application/sparql-update"},
        )
    else:
        r = shared.get("/sparql", params={"query": update})
    assert 400 <= r.status_code < 500
    assert _count(shared) == before


def test_sparql_post_unknown_content_type_is_415(shared: TestClient) -> None:
    r = shared.post("/sparql", content=b"{}", headers={"content-type": "application/json"})
    assert r.status_code == 415


def test_sparql_default_graph_uri_restricts_the_default_graph(shared: TestClient) -> None:
    query = "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> ASK { ?s a skos:ConceptScheme }"
    r = shared.get("/sparql", params={"query": query, "default-graph-uri": ORGS_GRAPH})
    assert r.json()["boolean"] is False
    assert shared.get("/sparql", params={"query": query}).json()["boolean"] is True


def test_sparql_named_graph_uri_restricts_graph_names(shared: TestClient) -> None:
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    r = shared.get("/sparql", params={"query": query, "named-graph-uri": ORGS_GRAPH})
    assert [b["g"]["value"] for b in r.json()["results"]["bindings"]] == [ORGS_GRAPH]


def test_sparql_default_graph_uri_outside_the_store_is_an_empty_graph(shared: TestClient) -> None:
    """Issue 12.3: a graph the store lacks is empty, never fetched (as Oxigraph and Fuseki)."""
    r = shared.get(
        "/sparql",
        params={"query": COUNT, "default-graph-uri": "http://example.org/data.ttl"},
        headers={"accept": "application/sparql-results+json"},
    )
    assert r.status_code == 200, r.text
    assert [b["n"]["value"] for b in r.json()["results"]["bindings"]] == ["0"]


def test_sparql_without_query_answers_the_service_description(shared: TestClient) -> None:
    r = shared.get("/sparql", headers={"accept": "text/turtle"})
    assert r.status_code == 200
    graph = Graph().parse(data=r.content, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert any(str(o) == sd + "SPARQL11Query" for o in graph.objects())


def test_sparql_without_query_for_a_browser_is_the_query_page(shared: TestClient) -> None:
    r = shared.get("/sparql", headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    assert "/static/sparql/sparql.js" in r.text
    assert "initiatives-per-challenge" in r.text
    assert "cdn" not in r.text.lower()
    assert shared.get("/static/sparql/sparql.js").status_code == 200


def test_sparql_download_format_parameter_overrides_accept(shared: TestClient) -> None:
    r = shared.get("/sparql", params={"query": SCHEMES, "_format": "csv"})
    assert r.headers["content-type"].startswith("text/csv")


def test_sparql_cors_allows_any_origin_without_credentials(shared: TestClient) -> None:
    r = shared.get("/sparql", params={"query": COUNT}, headers={"origin": "https://x.example"})
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers


@pytest.fixture
def capped_client() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(query_row_cap=3))) as c:
        yield c


def test_sparql_results_over_the_row_cap_are_cut_and_signalled(capped_client: TestClient) -> None:
    r = capped_client.get("/sparql", params={"query": SCHEMES})
    assert r.headers["x-sro-truncated"] == "true"
    body = json.loads(r.content)
    assert body["truncated"] is True
    assert len(body["results"]["bindings"]) == 3


def test_sparql_results_under_the_row_cap_carry_no_signal(capped_client: TestClient) -> None:
    r = capped_client.get("/sparql", params={"query": COUNT})
    assert "x-sro-truncated" not in r.headers
    assert "truncated" not in r.json()


def test_sparql_graph_over_the_row_cap_is_signalled(capped_client: TestClient) -> None:
    r = capped_client.get("/sparql", params={"query": CONSTRUCT})
    assert r.headers["x-sro-truncated"] == "true"
    assert len(Graph().parse(data=r.content, format="turtle")) == 3


def test_sparql_query_page_examples_run_on_the_endpoint(shared: TestClient) -> None:
    runtime = shared.app.state.runtime  # type: ignore[attr-defined]
    for example in runtime.queries.examples():
        qdef = runtime.queries.get(example["name"])
        if any(p.required for p in qdef.params):
            continue
        r = shared.post("/sparql", data={"query": example["text"]})
        assert r.status_code == 200, (example["name"], r.text)
