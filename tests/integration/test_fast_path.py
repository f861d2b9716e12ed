"""The hot read path (issue 17.1): a plain ``GET /sparql`` skips the middleware stack and is
answered exactly as the full stack answers it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sro_graph.web.app import create_app
from sro_graph.web.fastpath import takes_fast_path
from tests.conftest import make_settings

pytestmark = pytest.mark.integration

# With an Origin the request takes the full stack (CORS answers it); otherwise the fast path.
FULL_STACK = {"Origin": "https://elsewhere.test"}
_CORS = ("access-control-", "vary", "date")


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(store="memory"))) as client:
        yield client


def _scope(query_string: bytes, headers: list[tuple[bytes, bytes]] | None = None) -> dict[str, Any]:
    return {
        "type": "http",
        "method": "GET",
        "path": "/sparql",
        "query_string": query_string,
        "headers": headers or [],
    }


def test_only_plain_query_gets_take_the_fast_path() -> None:
    assert takes_fast_path(_scope(b"query=ASK%7B%7D"))
    assert takes_fast_path(_scope(b"query=ASK%7B%7D", [(b"accept", b"text/csv")]))
    assert not takes_fast_path(_scope(b""))  # the service description or the query page
    assert not takes_fast_path(_scope(b"query=x", [(b"origin", b"https://a.test")]))
    assert not takes_fast_path(_scope(b"query=x", [(b"accept", b"text/html")]))
    assert not takes_fast_path(_scope(b"query=x", [(b"content-encoding", b"gzip")]))
    assert not takes_fast_path({**_scope(b"query=x"), "method": "POST"})
    assert not takes_fast_path({**_scope(b"query=x"), "path": "/queries/x"})


@pytest.mark.parametrize(
    ("query", "accept"),
    [
        ("SELECT ?s WHERE { ?s a ?t } ORDER BY ?s LIMIT 3", "application/sparql-results+json"),
        ("DESCRIBE <https://sro.test/nothing>", "application/n-triples"),
        ("SELECT ?s WHERE { ?s ?p }", "application/sparql-results+json"),  # 400
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o } }", "text/csv"),  # 400
        ("ASK { ?s ?p ?o }", "image/png"),  # 406
    ],
)
def test_the_fast_path_answers_as_the_full_stack(
    client: TestClient, query: str, accept: str
) -> None:
    fast = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    full = client.get("/sparql", params={"query": query}, headers={"Accept": accept, **FULL_STACK})
    assert full.headers["access-control-allow-origin"] == "*"  # it did take the full stack
    assert "access-control-allow-origin" not in fast.headers
    assert (fast.status_code, fast.content) == (full.status_code, full.content)
    kept = {k: v for k, v in full.headers.items() if not k.startswith(_CORS)}
    assert {k: v for k, v in fast.headers.items() if not k.startswith(_CORS)} == kept
    assert fast.headers["x-sro-examples"] == "false"
