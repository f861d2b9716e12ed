"""Real SPARQL clients (SPARQLWrapper, rdflib's SPARQLStore) against a real uvicorn server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
import uvicorn
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

from sro_graph.web.app import create_app
from tests.conftest import TEST_BASE, make_settings

SCHEMES = (
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "SELECT ?s WHERE { ?s a skos:ConceptScheme }"
)


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    """A uvicorn server in a thread on a free port, serving an in-memory store."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(
        create_app(make_settings()), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}/sparql"
    server.should_exit = True
    thread.join(timeout=10)


def test_sparqlwrapper_select_get(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(SCHEMES)
    client.setReturnFormat(JSON)
    result = client.queryAndConvert()
    assert isinstance(result, dict)
    values = {b["s"]["value"] for b in result["results"]["bindings"]}
    assert f"{TEST_BASE}/id/conceptscheme/uitdaging" in values


def test_sparqlwrapper_construct_post(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setMethod(POST)
    client.setQuery(
        "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
        "CONSTRUCT { ?s a skos:ConceptScheme } WHERE { ?s a skos:ConceptScheme }"
    )
    client.setReturnFormat(TURTLE)
    data = client.queryAndConvert()
    assert isinstance(data, bytes | str)
    graph = Graph().parse(data=data, format="turtle")
    assert (URIRef(f"{TEST_BASE}/id/conceptscheme/uitdaging"), None, None) in graph


def test_rdflib_sparqlstore_select_and_ask(endpoint: str) -> None:
    graph = Graph(store=SPARQLStore(endpoint, returnFormat="json"))
    found = {str(row[0]) for row in graph.query(SCHEMES)}  # type: ignore[index]
    assert f"{TEST_BASE}/id/conceptscheme/uitdaging" in found
    assert graph.query("ASK { ?s ?p ?o }").askAnswer is True
    graph.close()


def test_rdflib_sparqlstore_triples(endpoint: str) -> None:
    graph = Graph(store=SPARQLStore(endpoint))
    scheme = URIRef(f"{TEST_BASE}/id/conceptscheme/uitdaging")
    assert len(list(graph.triples((scheme, None, None)))) > 3
    graph.close()
