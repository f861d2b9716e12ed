"""Query text length is capped before any work on it (issue 12.4): over
``SRO_SPARQL_MAX_QUERY_BYTES`` the answer is 413 with one line saying the limit, on GET and
on both POST forms."""

from __future__ import annotations

from collections.abc import Iterator

import httpx2
import pytest
from fastapi.testclient import TestClient

from sro_graph.config import Settings
from sro_graph.web.app import create_app
from tests.conftest import make_settings

LIMIT = 2_000


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(sparql_max_query_bytes=LIMIT))) as test_client:
        yield test_client


def _query(size: int) -> str:
    """A valid query of exactly ``size`` UTF-8 bytes (padded with a comment of 'é': 2 bytes)."""
    head = "ASK { ?s ?p ?o } #"
    pad = size - len(head)
    return head + "é" * (pad // 2) + "x" * (pad % 2)


def _send(client: TestClient, how: str, query: str) -> httpx2.Response:
    if how == "get":
        return client.get("/sparql", params={"query": query})
    if how == "form":
        return client.post("/sparql", data={"query": query})
    return client.post(
        "/sparql", content=query, headers={"content-type": "application/sparql-query"}
    )


@pytest.mark.parametrize("how", ["get", "form", "body"])
def test_query_over_the_byte_limit_is_413_with_one_line(client: TestClient, how: str) -> None:
    query = _query(LIMIT + 1)
    assert len(query.encode()) == LIMIT + 1
    r = _send(client, how, query)
    assert r.status_code == 413, r.text
    assert r.json()["error"] == "too-large"
    assert r.json()["detail"] == f"The query is {LIMIT + 1} bytes; the limit is {LIMIT} bytes."


@pytest.mark.parametrize("how", ["get", "form", "body"])
def test_query_at_the_byte_limit_runs(client: TestClient, how: str) -> None:
    r = _send(client, how, _query(LIMIT))
    assert r.status_code == 200, r.text


def test_default_limit_is_64_kib() -> None:
    assert Settings.model_fields["sparql_max_query_bytes"].default == 65_536
