"""/queries: the named queries as REST with typed parameters, ETags and a cache."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.query import Result

from sro_graph.store import GraphWrite
from sro_graph.web.app import create_app
from tests.conftest import TEST_BASE, make_settings


@pytest.fixture(scope="module")
def shared() -> Iterator[TestClient]:
    """One app for the read-only tests of this module (loading base knowledge takes time)."""
    with TestClient(create_app(make_settings())) as client:
        yield client


def test_list_queries_json_names_every_query_with_typed_params(shared: TestClient) -> None:
    r = shared.get("/queries")
    assert r.status_code == 200
    queries = {q["name"]: q for q in r.json()["queries"]}
    assert "initiatives-per-challenge" in queries
    params = {p["name"]: p for p in queries["cooperation-pairs"]["params"]}
    assert params["minimum"]["type"] == "integer"
    assert queries["lighthouses"]["title"]["en"] == "Lighthouse initiatives"


def test_list_queries_html_for_browsers(shared: TestClient) -> None:
    r = shared.get("/queries", headers={"accept": "text/html"})
    assert r.status_code == 200
    assert "Vuurtorenprojecten" in r.text


def test_named_query_answers_sparql_json_by_default(shared: TestClient) -> None:
    r = shared.get("/queries/initiatives-per-challenge")
    assert r.status_code == 200
    result = Result.parse(io.BytesIO(r.content), format="json")
    assert len(list(result)) == 9


def test_named_query_csv_parses_back(shared: TestClient) -> None:
    r = shared.get("/queries/initiatives-per-objective", headers={"accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv")
    assert len(list(Result.parse(io.BytesIO(r.content), format="csv"))) == 7


def test_named_query_plain_json_rows(shared: TestClient) -> None:
    r = shared.get(
        "/queries/initiatives-per-challenge",
        params={"lang": "en"},
        headers={"accept": "application/json"},
    )
    body = r.json()
    assert body["truncated"] is False
    first = body["rows"][0]
    assert first["uitdaging"] == f"{TEST_BASE}/id/concept/uitdaging/1"
    assert first["label"] == "Need for clear direction" or first["label"]


def test_named_query_unknown_is_404(shared: TestClient) -> None:
    assert shared.get("/queries/no-such-query").status_code == 404


def test_named_query_bad_integer_is_422(shared: TestClient) -> None:
    r = shared.get("/queries/cooperation-pairs", params={"minimum": "many"})
    assert r.status_code == 422
    assert r.json()["error"] == "bad-parameter"


def test_named_query_integer_below_min_is_422(shared: TestClient) -> None:
    assert shared.get("/queries/cooperation-pairs", params={"minimum": "0"}).status_code == 422


def test_named_query_value_outside_enum_is_422(shared: TestClient) -> None:
    r = shared.get("/queries/initiatives-per-challenge", params={"lang": "fr"})
    assert r.status_code == 422


def test_named_query_missing_required_parameter_is_422(shared: TestClient) -> None:
    assert shared.get("/queries/keyword-search").status_code == 422


def test_named_query_concept_outside_its_scheme_is_422(shared: TestClient) -> None:
    r = shared.get(
        "/queries/initiatives-by-building-block",
        params={"bouwsteen": f"{TEST_BASE}/id/concept/uitdaging/1"},
    )
    assert r.status_code == 422
    assert "bouwsteen" in r.json()["detail"]


def test_named_query_relative_iri_is_422(shared: TestClient) -> None:
    r = shared.get("/queries/initiatives-of-municipality", params={"gemeente": "gent"})
    assert r.status_code == 422


def test_named_query_hostile_string_is_bound_as_a_literal(shared: TestClient) -> None:
    r = shared.get(
        "/queries/keyword-search",
        params={"q": '" } } ; DROP ALL ; SELECT * { "'},
        headers={"accept": "application/json"},
    )
    assert r.status_code == 200
    assert r.json()["rows"] == []


def test_named_query_conditional_get_is_304(shared: TestClient) -> None:
    r = shared.get("/queries/coverage-matrix")
    etag = r.headers["etag"]
    again = shared.get("/queries/coverage-matrix", headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.headers["etag"] == etag


def test_named_query_repeat_is_answered_from_the_cache(client: TestClient) -> None:
    assert client.get("/queries/coverage-matrix").headers["x-sro-cache"] == "miss"
    assert client.get("/queries/coverage-matrix").headers["x-sro-cache"] == "hit"


def test_named_query_etag_changes_after_a_write(client: TestClient) -> None:
    before = client.get("/queries/lighthouses").headers["etag"]
    graph = Graph()
    graph.add((URIRef("https://sro.test/id/x"), URIRef("https://sro.test/p"), Literal("x")))
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    runtime.store.write(
        GraphWrite(add={"https://sro.test/graph/test": graph}), new_version="etag-test"
    )
    after = client.get("/queries/lighthouses")
    assert after.headers["etag"] != before
    assert after.headers["x-sro-cache"] == "miss"
    assert client.get("/queries/lighthouses", headers={"if-none-match": before}).status_code == 200


@pytest.mark.filterwarnings("ignore:Duplicate Operation ID:UserWarning")
def test_openapi_has_one_operation_per_named_query_with_typed_params(
    shared: TestClient,
) -> None:
    paths = shared.app.openapi()["paths"]  # type: ignore[attr-defined]
    operation = paths["/queries/cooperation-pairs"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    assert params["minimum"]["schema"]["type"] == "integer"
    assert params["minimum"]["schema"]["minimum"] == 1
    assert params["lang"]["schema"]["enum"] == ["nl", "en"]
    required = {
        p["name"]
        for p in paths["/queries/keyword-search"]["get"]["parameters"]
        if p.get("required")
    }
    assert required == {"q"}
    ids = [paths[p]["get"]["operationId"] for p in paths if p.startswith("/queries/")]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "application/json"])
def test_named_query_cut_at_the_row_cap_says_so_also_when_cached(accept: str) -> None:
    with TestClient(create_app(make_settings(query_row_cap=4))) as client:
        answers = [
            client.get("/queries/initiatives-per-challenge", headers={"accept": accept})
            for _ in range(2)
        ]
    assert [r.headers["x-sro-cache"] for r in answers] == ["miss", "hit"]
    for r in answers:
        assert r.headers["content-type"].startswith(accept)
        assert r.headers["x-sro-truncated"] == "true"
        body = r.json()
        assert body["truncated"] is True
        rows = body["rows"] if accept == "application/json" else body["results"]["bindings"]
        assert len(rows) == 4
    assert answers[0].content == answers[1].content
