"""Issue 12.7: ``SELECT *`` columns in the query's order, and the project's and the common
prefixes predeclared (an unknown one named in one line), on every store."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import SH, Graph

from sro_graph.web.app import create_app
from tests.conftest import TEST_BASE, make_settings
from tests.remote_servers import running_server

STAR = "SELECT * WHERE { BIND(1 AS ?zeta) BIND(2 AS ?alpha) BIND(3 AS ?mid) }"


@pytest.fixture(scope="module", params=["backend", "disk", "oxigraph-server"])
def client(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    with contextlib.ExitStack() as stack:
        if request.param == "backend":
            app_settings = make_settings()
        elif request.param == "disk":
            app_settings = make_settings(store=str(tmp_path_factory.mktemp("store") / "db"))
        else:
            server = stack.enter_context(
                running_server("oxigraph", tmp_path_factory.mktemp("oxigraph"))
            )
            app_settings = make_settings(
                store=server.store_location, store_update=server.update_url
            )
        yield stack.enter_context(TestClient(create_app(app_settings)))


def test_select_star_columns_follow_the_query_in_json(client: TestClient) -> None:
    r = client.get(
        "/sparql", params={"query": STAR}, headers={"accept": "application/sparql-results+json"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["head"]["vars"] == ["zeta", "alpha", "mid"]
    assert r.json()["results"]["bindings"][0]["zeta"]["value"] == "1"


@pytest.mark.parametrize(
    ("accept", "header"),
    [("text/csv", "zeta,alpha,mid"), ("text/tab-separated-values", "?zeta\t?alpha\t?mid")],
)
def test_select_star_columns_follow_the_query_in_csv_and_tsv(
    client: TestClient, accept: str, header: str
) -> None:
    r = client.get("/sparql", params={"query": STAR}, headers={"accept": accept})
    assert r.status_code == 200, r.text
    assert r.text.splitlines()[0] == header


def test_explicit_projection_keeps_its_order(client: TestClient) -> None:
    query = "SELECT ?mid ?zeta WHERE { BIND(1 AS ?zeta) BIND(3 AS ?mid) }"
    r = client.get("/sparql", params={"query": query}, headers={"accept": "text/csv"})
    assert r.text.splitlines()[0] == "mid,zeta"


def test_project_and_common_prefixes_are_predeclared(client: TestClient) -> None:
    query = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?s a sr:SmartCityInitiatief ; dct:title ?t . "
        "FILTER(isLiteral(?t)) } "
    )
    r = client.get(
        "/sparql", params={"query": query}, headers={"accept": "application/sparql-results+json"}
    )
    assert r.status_code == 200, r.text


def test_a_query_may_redeclare_a_predeclared_prefix(client: TestClient) -> None:
    query = "PREFIX sr: <urn:other#> ASK { ?s a sr:Nothing }"
    r = client.get(
        "/sparql", params={"query": query}, headers={"accept": "application/sparql-results+json"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["boolean"] is False


def test_an_unknown_prefix_is_named_in_one_line(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": "SELECT ?s WHERE { ?s a zz:Thing } LIMIT 1"})
    assert r.status_code == 400
    detail = r.json()["detail"]
    assert detail.startswith("Unknown prefix 'zz:'")
    assert "\n" not in detail


def test_service_description_lists_the_predeclared_prefixes(client: TestClient) -> None:
    r = client.get("/sparql", headers={"accept": "text/turtle"})
    assert r.status_code == 200
    graph = Graph().parse(data=r.text, format="turtle")
    declared = {
        str(graph.value(d, SH.prefix)): str(graph.value(d, SH.namespace))
        for d in graph.objects(None, SH.declare)
    }
    assert declared["sr"] == f"{TEST_BASE}/ns/smartregio#"
    assert declared["dct"] == "http://purl.org/dc/terms/"


@pytest.mark.parametrize("value", ["\\u0022 DELETE { }", "customer service", "zz:thing"])
def test_named_query_values_are_not_judged_as_query_text(client: TestClient, value: str) -> None:
    """A bound value is a literal: predeclaring prefixes must not re-inspect the bound text."""
    r = client.get("/queries/keyword-search", params={"q": value})
    assert r.status_code == 200, r.text
