"""Queries deeper than the engine can recurse are refused before they reach it.

pyoxigraph parses and evaluates recursively: 3,000 nested groups, 20,000 ``!`` or
parentheses, or 3,000 chained OPTIONALs overflow its stack and kill the process with a
segfault (on the in-memory store that is the API process itself). Each of these fits within
the query text cap, so the inspection refuses them by structure, in one pass.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from sro_graph.sparql import MAX_CHAINED, MAX_NESTING
from sro_graph.web.app import create_app
from tests.conftest import make_settings

HOSTILE = {
    "nested groups": "SELECT * WHERE { " + "{ " * 3000 + "}" * 3000 + " }",
    "nested parentheses": "ASK { FILTER(" + "(" * 20000 + "true" + ")" * 20000 + ") }",
    "chained negation": "ASK { FILTER(" + "!" * 20000 + "true) }",
    "chained OPTIONAL": "ASK { " + "OPTIONAL{?s ?p ?o}" * 3000 + " }",
    "chained UNION": "ASK { {}" + " UNION {}" * 5000 + " }",
    "chained OR": "ASK { FILTER(true" + " || true" * 5000 + ") }",
}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings())) as c:
        yield c


@pytest.mark.parametrize("query", HOSTILE.values(), ids=HOSTILE.keys())
def test_structures_deeper_than_the_engine_can_recurse_are_refused(
    client: TestClient, query: str
) -> None:
    response = client.post("/sparql", data={"query": query})
    assert response.status_code == 400, response.text[:200]
    assert "run out of stack" in response.json()["detail"]
    # The process is alive and answers the next query.
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


def test_nesting_and_chains_within_the_limits_are_answered(client: TestClient) -> None:
    depth = MAX_NESTING - 2
    nested = "SELECT * WHERE { " + "{ " * depth + "}" * depth + " }"
    chained = "ASK { {}" + " UNION {}" * (MAX_CHAINED - 1) + " }"
    not_equal = "ASK { FILTER(" + " && ".join(["1 != 2"] * 200) + ") }"
    for query in (nested, chained, not_equal):
        response = client.post(
            "/sparql", data={"query": query}, headers={"accept": "application/sparql-results+json"}
        )
        assert response.status_code == 200, response.text[:200]
