"""The byte cap of /sparql answers (issue 12.6): an answer is never larger than
``SRO_SPARQL_MAX_RESULT_BYTES``; a longer one is cut after the last row that fits and says so
like the row cap (header ``X-SRO-Truncated``, JSON ``"truncated": true``) with the reason
``bytes``; a single row larger than the cap gives an answer without rows. Runs on every
backend (``--backend``), and on a disk store with query workers.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import psutil
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from sro_graph.web.app import create_app
from tests.conftest import make_settings

CAP = 64 * 1024
# Slack for the truncation members spliced into a JSON body.
SIGNAL = 64


def doubled(times: int, *, rows: int = 1) -> str:
    """A query whose ``?x`` is an 8-character string doubled ``times`` times, on ``rows``
    rows: 24 doublings make the issue's 128 MB row."""
    binds = " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(times))
    values = " ".join(str(i) for i in range(rows))
    return (
        f'SELECT ?i (?x{times} AS ?x) WHERE {{ VALUES ?i {{ {values} }} BIND("abcdefgh" AS ?x0) '
        f"{binds} }}"
    )


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    settings = make_settings(sparql_max_result_bytes=CAP, query_timeout_s=20)
    with TestClient(create_app(settings)) as c:
        yield c


def _select(client: TestClient, query: str, accept: str = "application/sparql-results+json") -> Any:
    return client.post("/sparql", data={"query": query}, headers={"accept": accept})


def test_rows_past_the_byte_cap_are_cut_and_signalled_as_bytes(client: TestClient) -> None:
    r = _select(client, doubled(8, rows=100))  # 100 rows of 2 KB: 200 KB uncut
    assert r.status_code == 200, r.text[:300]
    assert len(r.content) <= CAP + SIGNAL
    assert r.headers["x-sro-truncated"] == "true"
    assert r.headers["x-sro-truncated-by"] == "bytes"
    body = json.loads(r.content)
    assert body["truncated"] is True
    assert body["truncatedBy"] == "bytes"
    assert 0 < len(body["results"]["bindings"]) < 100


def test_an_answer_under_the_byte_cap_is_whole_and_unflagged(client: TestClient) -> None:
    r = _select(client, doubled(8, rows=10))  # 20 KB
    assert r.status_code == 200
    assert "x-sro-truncated" not in r.headers
    assert len(r.json()["results"]["bindings"]) == 10


def test_the_row_cap_names_rows_as_its_reason() -> None:
    with TestClient(create_app(make_settings(query_row_cap=3))) as capped:
        r = _select(capped, doubled(1, rows=10))
    assert r.headers["x-sro-truncated-by"] == "rows"
    assert r.json()["truncatedBy"] == "rows"


def test_a_single_row_over_the_byte_cap_gives_no_rows_and_says_why(client: TestClient) -> None:
    r = _select(client, doubled(14))  # one row of 128 KB
    assert r.status_code == 200, r.text[:300]
    assert r.headers["x-sro-truncated-by"] == "bytes"
    body = r.json()
    assert body["results"]["bindings"] == []
    assert body["head"]["vars"] == ["i", "x"]


@pytest.mark.parametrize(
    "accept",
    ["application/sparql-results+xml", "text/csv", "text/tab-separated-values"],
)
def test_every_results_format_keeps_to_the_byte_cap(client: TestClient, accept: str) -> None:
    r = _select(client, doubled(8, rows=100), accept)
    assert r.status_code == 200, r.text[:300]
    assert len(r.content) <= CAP
    assert r.headers["x-sro-truncated-by"] == "bytes"
    text = r.content.decode("utf-8")
    if accept.endswith("xml"):
        results = ElementTree.fromstring(r.content).iter(
            "{http://www.w3.org/2005/sparql-results#}result"
        )
        assert 0 < len(list(results)) < 100
    elif accept == "text/csv":
        assert 1 < len(list(csv.reader(io.StringIO(text)))) < 101
    else:
        assert 1 < len(text.splitlines()) < 101


@pytest.mark.parametrize("accept", ["text/turtle", "application/rdf+xml", "application/n-triples"])
def test_a_graph_keeps_to_the_byte_cap(client: TestClient, accept: str) -> None:
    query = (
        doubled(8, rows=100)
        .replace("SELECT ?i (?x8 AS ?x) WHERE", "CONSTRUCT { ?s <urn:x:p> ?x8 } WHERE")
        .replace(
            'BIND("abcdefgh" AS ?x0)',
            'BIND("abcdefgh" AS ?x0) BIND(IRI(CONCAT("urn:x:", STR(?i))) AS ?s)',
        )
    )
    r = client.post("/sparql", data={"query": query}, headers={"accept": accept})
    assert r.status_code == 200, r.text[:300]
    assert len(r.content) <= CAP
    assert r.headers["x-sro-truncated-by"] == "bytes"
    fmt = {"text/turtle": "turtle", "application/rdf+xml": "xml"}.get(accept, "nt")
    assert 0 < len(Graph().parse(data=r.content, format=fmt)) < 100


@pytest.mark.embedded_only(reason="a disk store with query workers")
def test_the_issues_128_mb_row_is_refused_without_the_api_holding_it(tmp_path: Path) -> None:
    """24 doublings (128 MB in one row): the worker process builds the string (the engine
    must), but the answer that reaches the API process is cut, so its memory barely moves."""
    settings = make_settings(store=str(tmp_path / "db"), query_timeout_s=60)
    with TestClient(create_app(settings)) as disk:
        me = psutil.Process()
        _select(disk, doubled(4))  # start a worker; warm the route
        before = me.memory_info().rss
        r = _select(disk, doubled(24))
        grown = me.memory_info().rss - before
    assert r.status_code == 200, r.text[:300]
    assert r.headers["x-sro-truncated-by"] == "bytes"
    assert r.json()["results"]["bindings"] == []
    # Under a quarter of the row: the 128 MB never crossed into this process.
    assert grown < 32 * 1024 * 1024, grown


def test_the_byte_cap_is_for_user_answers_never_for_the_services_own_dumps() -> None:
    """The catalogue's full dumps go through the same store method as user queries; a cap
    meant for /sparql answers must not cut them (a cut dump would be published as whole,
    with its size and checksum): the dump is the same under a 1 KB cap as under the default."""

    def organisations_dump(max_result_bytes: int) -> bytes:
        settings = make_settings(sparql_max_result_bytes=max_result_bytes)
        with TestClient(create_app(settings)) as c:
            dump = c.get("/dumps/organisaties.nt.gz")
            assert dump.status_code == 200, dump.text[:300]
            return gzip.decompress(dump.content)

    small, default = organisations_dump(1024), organisations_dump(16 * 1024 * 1024)
    assert len(small) > 1024
    assert len(Graph().parse(data=small, format="nt")) == len(
        Graph().parse(data=default, format="nt")
    )
