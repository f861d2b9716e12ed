"""Where a real remote store answers differently from the embedded one, the store evens it out."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sro_graph.store import Store, StoreQueryError, open_store
from tests.oxigraph_server import OxigraphServer, free_port, oxigraph_binary

pytestmark = pytest.mark.integration

SYSTEM = "urn:sro-graph:system"


@pytest.fixture(scope="module")
def oxigraph() -> Iterator[OxigraphServer]:
    if oxigraph_binary() is None:
        pytest.skip("the oxigraph server (PyPI package 'oxigraph', dev extra) is not installed")
    server = OxigraphServer(None)
    server.start()
    yield server
    server.stop()


@pytest.fixture(params=["memory", "oxigraph"])
def store(request: pytest.FixtureRequest) -> Iterator[Store]:
    if request.param == "oxigraph":
        server: OxigraphServer = request.getfixturevalue("oxigraph")
        opened = open_store(
            server.store_location, system_graph=SYSTEM, update_url=server.update_url, timeout_s=10
        )
    else:
        opened = open_store("memory", system_graph=SYSTEM)
    yield opened
    opened.close()


def test_store_malformed_query_says_it_does_not_parse_with_the_parser_position(
    store: Store,
) -> None:
    """A remote store's 400 reads as the embedded parser's message, position included."""
    with pytest.raises(StoreQueryError) as caught:
        store.query_raw("SELECT * WHERE { ?s ?p }", accept="application/sparql-results+json")
    assert str(caught.value).startswith("The query does not parse: ")
    assert "1:" in str(caught.value)


def test_store_query_failing_while_answering_is_a_query_error(store: Store) -> None:
    """A SERVICE that cannot be reached fails the query as a StoreQueryError on every store.

    Oxigraph server has already begun its 200 answer when the call fails, and breaks the
    body off with an error text; that must not surface later as a parse error.
    """
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{free_port()}/sparql> {{ ?s ?p ?o }} }}"
    with pytest.raises(StoreQueryError):
        store.query_raw(query, accept="application/sparql-results+json")
