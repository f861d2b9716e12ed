"""Query abuse against a real server process: runaway property paths, huge VALUES, and a storm
of concurrent heavy queries. Limits are enforced and signalled (503 with ``timeout`` or ``busy``
and Retry-After), and meanwhile ``/health``, a named query and a document page keep answering.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator

import httpx
import pytest

from sro_graph.config import Settings
from tests.security.helpers import Server, serving

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TIMEOUT_S = 2.0
CLIENT_TIMEOUT_S = 60.0  # far above the server's limit: a hang fails the test
PATHS = [
    # Every node to every node over any predicate, both directions, then a cross product.
    "SELECT (COUNT(*) AS ?n) WHERE { ?a (<urn:x:none>|!<urn:x:none>|^!<urn:x:none>)* ?b . "
    "?c ?d ?e }",
    "SELECT ?a ?b WHERE { ?a (!<urn:x:none>)+/(^!<urn:x:none>)+ ?b } ORDER BY ?a ?b",
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
    "CONSTRUCT { ?a <urn:x:r> ?b } WHERE { ?a (!<urn:x:none>)* ?b . ?b ?p ?c }",
]
LIGHT_QUERY = "/queries/initiatives-per-challenge"
DOC = "/doc/conceptscheme/uitdaging"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("abuse")
    with serving(
        tmp / "store",
        tmp / "server.log",
        SRO_QUERY_TIMEOUT_S=str(TIMEOUT_S),
        SRO_QUERY_CONCURRENCY="2",
    ) as running:
        yield running


def _sparql(server: Server, query: str) -> httpx.Response:
    return httpx.post(f"{server.url}/sparql", data={"query": query}, timeout=CLIENT_TIMEOUT_S)


def _assert_limited(response: httpx.Response) -> None:
    """A heavy query finishes (perhaps cut at the row cap) or is stopped with a signalled 503."""
    assert response.status_code in (200, 503), response.text[:300]
    if response.status_code == 503:
        assert response.json()["error"] in ("timeout", "busy", "query-timeout")
        if response.json()["error"] == "busy":
            assert int(response.headers["retry-after"]) >= 1


@pytest.mark.parametrize("query", PATHS)
def test_runaway_query_is_stopped_and_signalled(server: Server, query: str) -> None:
    response = _sparql(server, query)
    if response.status_code == 200:  # stopped by the row cap instead: cut, and signalled
        assert response.headers["x-sro-truncated"] == "true"
    else:
        assert response.status_code == 503, response.text[:300]
        _assert_limited(response)
    assert httpx.get(f"{server.url}/health", timeout=10).status_code == 200


@pytest.mark.parametrize("rows", [1_000, 200_000])
def test_huge_values_block_is_answered_or_stopped(server: Server, rows: int) -> None:
    values = " ".join(f'("{i}" <urn:x:{i}>)' for i in range(rows))
    query = f"SELECT (COUNT(*) AS ?n) WHERE {{ VALUES (?l ?i) {{ {values} }} ?s ?p ?o }}"
    response = httpx.post(
        f"{server.url}/sparql",
        content=query.encode(),
        headers={"content-type": "application/sparql-query"},
        timeout=CLIENT_TIMEOUT_S,
    )
    # Over the query text cap (SRO_SPARQL_MAX_QUERY_BYTES, issue 12.4): 413 before any work.
    if len(query.encode()) > Settings.model_fields["sparql_max_query_bytes"].default:
        assert response.status_code == 413
    else:
        _assert_limited(response)
    assert httpx.get(f"{server.url}/health", timeout=10).status_code == 200


def test_values_block_over_the_body_cap_is_413(server: Server) -> None:
    values = " ".join(f"(<urn:x:{i:08d}>)" for i in range(800_000))
    query = f"SELECT * WHERE {{ VALUES (?i) {{ {values} }} }}"
    response = httpx.post(
        f"{server.url}/sparql",
        content=query.encode(),
        headers={"content-type": "application/sparql-query"},
        timeout=CLIENT_TIMEOUT_S,
    )
    assert response.status_code == 413


def test_storm_of_heavy_queries_leaves_health_and_light_reads_answering(server: Server) -> None:
    light = httpx.get(f"{server.url}{LIGHT_QUERY}", timeout=CLIENT_TIMEOUT_S)
    assert light.status_code == 200  # warm: named queries are cached per store version
    assert (
        httpx.get(
            f"{server.url}{DOC}", timeout=CLIENT_TIMEOUT_S, headers={"accept": "text/turtle"}
        ).status_code
        == 200
    )
    stop = threading.Event()
    heavy: Counter[int] = Counter()
    failures: list[str] = []

    def hammer(i: int) -> None:
        while not stop.is_set():
            try:
                response = _sparql(server, PATHS[i % len(PATHS)])
                _assert_limited(response)
                heavy[response.status_code] += 1
            except (AssertionError, httpx.HTTPError) as exc:
                failures.append(repr(exc))

    threads = [threading.Thread(target=hammer, args=(i,), daemon=True) for i in range(12)]
    for thread in threads:
        thread.start()
    light_answers: Counter[tuple[str, int]] = Counter()
    try:
        deadline = time.monotonic() + 2 * TIMEOUT_S
        while time.monotonic() < deadline:
            for path, headers in (
                ("/health", {}),
                (LIGHT_QUERY, {}),
                (DOC, {"accept": "text/turtle"}),
            ):
                r = httpx.get(f"{server.url}{path}", headers=headers, timeout=CLIENT_TIMEOUT_S)
                light_answers[(path, r.status_code)] += 1
            time.sleep(0.1)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=CLIENT_TIMEOUT_S)
    assert failures == []
    assert heavy[503] > 0
    assert {status for (_, status) in light_answers} == {200}, light_answers
    assert len(light_answers) == 3
    after = _sparql(server, "ASK { ?s ?p ?o }")
    assert after.status_code == 200
