"""Every backend gives the same answers: the named queries and the catalogue, on the embedded
store and on real Oxigraph and Virtuoso servers, over the same base knowledge and the example
initiatives (asked for explicitly, ``load_examples``: the queries need initiatives to answer).

The service tests check behaviour per backend; this file compares answers across them, which
is what caught Virtuoso's silently wrong answers (rows of UNION branches dropped, OPTIONAL
filters blind to outer bindings) that no status code shows.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import XSD, Graph, Literal, URIRef

from sro_graph.store import GraphWrite
from sro_graph.store.embedded import EmbeddedStore
from sro_graph.web.app import create_app
from tests.conftest import TEST_BASE, make_settings
from tests.event_loops import run_in_fresh_thread
from tests.remote_servers import REMOTE_KINDS, running_server

pytestmark = pytest.mark.integration

GENT = "https://data.vlaanderen.be/id/gemeente/44021"
INITIATIVE = f"{TEST_BASE}/id/initiatief/gent-luchtkwaliteit-sensoren"

# Each named query with the parameter sets it is compared under (defaults, the other
# language, each optional parameter).
CASES: list[tuple[str, dict[str, str]]] = [
    ("initiatives-per-challenge", {}),
    ("initiatives-per-challenge", {"lang": "en"}),
    ("initiatives-per-objective", {"lang": "en"}),
    ("initiatives-per-focus-domain", {}),
    ("initiatives-of-municipality", {"gemeente": GENT}),
    ("initiatives-of-municipality", {"gemeente": GENT, "lang": "en"}),
    ("initiatives-by-building-block", {"bouwsteen": "oslo"}),
    ("initiatives-by-building-block", {"bouwsteen": "oslo", "lang": "en"}),
    ("core-related-overview", {}),
    ("core-related-overview", {"status": "gerelateerd"}),
    ("core-related-overview", {"status": "kern", "lang": "en"}),
    ("actors-by-helix-type", {}),
    ("actors-by-helix-type", {"actortype": "bedrijf"}),
    ("cooperation-pairs", {}),
    ("cooperation-pairs", {"minimum": "2", "lang": "en"}),
    ("coverage-matrix", {}),
    ("municipality-coverage", {}),
    ("keyword-search", {"q": "sensor"}),
    ("keyword-search", {"q": "sensor", "taal": "en"}),
    ("find-partners", {"initiatief": INITIATIVE}),
    ("find-partners", {"gemeente": GENT}),
    ("find-partners", {"initiatief": INITIATIVE, "lang": "en"}),
    ("joint-procurement-candidates", {}),
    ("joint-procurement-candidates", {"minimum": "3", "lang": "en"}),
    ("funding-overview", {}),
    ("funding-overview", {"lang": "en"}),
    ("lighthouses", {}),
    ("lighthouses-feed", {"lang": "en"}),
]


@pytest.fixture(scope="module")
def embedded() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(store="memory", load_examples=True))) as client:
        yield client


@pytest.fixture(scope="module", params=REMOTE_KINDS)
def remote(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[TestClient]:
    with running_server(request.param, tmp_path_factory.mktemp(request.param)) as server:
        settings = make_settings(
            store=server.store_location, store_update=server.update_url, load_examples=True
        )
        with TestClient(create_app(settings)) as client:
            yield client


def _rows(client: TestClient, name: str, params: dict[str, str]) -> list[str]:
    r = client.get(f"/queries/{name}", params=params, headers={"accept": "application/json"})
    assert r.status_code == 200, (name, params, r.text)
    rows: list[dict[str, Any]] = r.json()["rows"]
    return sorted(json.dumps(_normal(row), sort_keys=True, ensure_ascii=False) for row in rows)


def _normal(row: dict[str, Any]) -> dict[str, Any]:
    """Numbers as numbers (a store may write 5 or 5.0 for a decimal sum); GROUP_CONCAT lists
    as sorted parts (SPARQL leaves their order to the store)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        try:
            out[key] = float(value)
        except (TypeError, ValueError):
            out[key] = sorted(_LIST_SEPARATOR.split(value)) if isinstance(value, str) else value
    return out


_LIST_SEPARATOR = re.compile(r", | \| |; | (?=https?://)")


@pytest.mark.parametrize(
    ("name", "params"), CASES, ids=[f"{n}-{'-'.join(p.values()) or 'defaults'}" for n, p in CASES]
)
def test_named_query_answers_the_same_on_every_backend(
    embedded: TestClient,
    remote: TestClient,
    name: str,
    params: dict[str, str],
) -> None:
    expected = _rows(embedded, name, params)
    assert expected, "a comparison over no rows proves nothing"
    assert _rows(remote, name, params) == expected


def _catalog(client: TestClient) -> set[tuple[object, ...]]:
    """The catalogue without what legitimately differs per store: times (load times) and
    the sizes and checksums of dumps (blank node labels differ per store)."""
    r = client.get("/catalog.nt")
    assert r.status_code == 200
    graph = Graph().parse(data=r.text, format="nt")
    skip = {
        URIRef("http://www.w3.org/ns/dcat#byteSize"),
        URIRef("http://spdx.org/rdf/terms#checksumValue"),
    }
    return {
        (s, p, o)
        for s, p, o in graph
        if p not in skip and not (isinstance(o, Literal) and o.datatype in (XSD.dateTime, XSD.date))
    }


def test_catalogue_is_the_same_on_every_backend(embedded: TestClient, remote: TestClient) -> None:
    expected = _catalog(embedded)
    found = _catalog(remote)
    assert found - expected == set()
    assert expected - found == set()


# -- the query's dataset (issue 12, points 2 and 3) ------------------------------------------
#
# FROM / FROM NAMED and the protocol's default-graph-uri / named-graph-uri define the dataset
# exactly as SPARQL 1.1 Query §13 and Protocol §2.1.4 say, on every backend. The expected
# answer is computed from queries without dataset clauses (GRAPH <g> over the service's
# union), which every backend answers alike (the cases above), so each case is a spec check.

PROGRAMMAS = f"{TEST_BASE}/graph/basis/programmas"
PROJECT = f"{TEST_BASE}/graph/basis/project"
MISSING = f"{TEST_BASE}/graph/not-in-the-store"

# id, dataset clauses, protocol parameters, graphs of the expected default graph, expected
# named graphs.
DATASET_CASES: list[tuple[str, str, dict[str, list[str]], list[str], list[str]]] = [
    ("from", f"FROM <{PROGRAMMAS}>", {}, [PROGRAMMAS], []),
    ("two-froms-merge", f"FROM <{PROGRAMMAS}> FROM <{PROJECT}>", {}, [PROGRAMMAS, PROJECT], []),
    ("from-named-only", f"FROM NAMED <{PROGRAMMAS}>", {}, [], [PROGRAMMAS]),
    ("from-and-from-named", f"FROM <{PROJECT}> FROM NAMED <{PROGRAMMAS}>", {}, [PROJECT],
     [PROGRAMMAS]),
    ("protocol-default-overrides-from", f"FROM <{PROGRAMMAS}>",
     {"default-graph-uri": [PROJECT]}, [PROJECT], []),
    ("protocol-named-overrides-from-named", f"FROM NAMED <{PROGRAMMAS}>",
     {"named-graph-uri": [PROJECT]}, [], [PROJECT]),
    ("protocol-named-overrides-whole-dataset", f"FROM <{PROGRAMMAS}>",
     {"named-graph-uri": [PROJECT]}, [], [PROJECT]),
    ("protocol-default-only", "", {"default-graph-uri": [PROGRAMMAS]}, [PROGRAMMAS], []),
    ("from-graph-the-store-lacks", f"FROM <{MISSING}>", {}, [MISSING], []),
    ("from-named-graph-the-store-lacks", f"FROM NAMED <{MISSING}>", {}, [], [MISSING]),
    ("protocol-graph-the-store-lacks", "", {"default-graph-uri": [MISSING]}, [MISSING], []),
]  # fmt: skip


def _select(client: TestClient, query: str, params: dict[str, list[str]] | None = None) -> Any:
    r = client.get(
        "/sparql",
        params={"query": query, **(params or {})},
        headers={"accept": "application/sparql-results+json"},
    )
    assert r.status_code == 200, (query, params, r.text)
    return r.json()["results"]["bindings"]


def _default_graph_size(client: TestClient, graphs: list[str]) -> int:
    """Triples of the merge of ``graphs``, asked without any dataset clause."""
    if not graphs:
        return 0
    values = " ".join(f"<{g}>" for g in graphs)
    rows = _select(
        client,
        "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { "
        f"VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} }}",
    )
    return int(rows[0]["n"]["value"])


def _named_graph_sizes(
    client: TestClient, clauses: str, params: dict[str, list[str]]
) -> dict[str, int]:
    rows = _select(
        client,
        f"SELECT ?g (COUNT(*) AS ?n) {clauses} WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g",
        params,
    )
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


def _count(client: TestClient, clauses: str, params: dict[str, list[str]]) -> int:
    rows = _select(client, f"SELECT (COUNT(*) AS ?n) {clauses} WHERE {{ ?s ?p ?o }}", params)
    return int(rows[0]["n"]["value"])


def _check_dataset(
    client: TestClient,
    clauses: str,
    params: dict[str, list[str]],
    default: list[str],
    named: list[str],
) -> None:
    """The default graph is the merge of the dataset's default graphs, nothing else, and
    GRAPH ?g ranges over the dataset's named graphs only (a graph the store lacks is empty)."""
    all_named = _named_graph_sizes(client, "", {})
    assert _count(client, clauses, params) == _default_graph_size(client, default)
    assert _named_graph_sizes(client, clauses, params) == {
        g: n for g, n in all_named.items() if g in named
    }


@pytest.mark.parametrize(
    ("clauses", "params", "default", "named"),
    [case[1:] for case in DATASET_CASES],
    ids=[case[0] for case in DATASET_CASES],
)
def test_dataset_clauses_define_the_dataset_on_the_embedded_store(
    embedded: TestClient,
    clauses: str,
    params: dict[str, list[str]],
    default: list[str],
    named: list[str],
) -> None:
    _check_dataset(embedded, clauses, params, default, named)


@pytest.mark.parametrize(
    ("clauses", "params", "default", "named"),
    [case[1:] for case in DATASET_CASES],
    ids=[case[0] for case in DATASET_CASES],
)
def test_dataset_clauses_define_the_dataset_on_every_remote_store(
    embedded: TestClient,
    remote: TestClient,
    clauses: str,
    params: dict[str, list[str]],
    default: list[str],
    named: list[str],
) -> None:
    _check_dataset(remote, clauses, params, default, named)
    query = f"SELECT (COUNT(*) AS ?n) {clauses} WHERE {{ ?s ?p ?o }}"
    assert _select(remote, query, params) == _select(embedded, query, params)


def test_a_query_with_its_own_base_resolves_from_against_it(
    embedded: TestClient, remote: TestClient
) -> None:
    """The service's base is only added to a query without BASE (Virtuoso refuses two)."""
    query = (
        f"BASE <{TEST_BASE}/graph/basis/> SELECT (COUNT(*) AS ?n) FROM <programmas> "
        "WHERE { ?s ?p ?o }"
    )
    expected = _default_graph_size(embedded, [PROGRAMMAS])
    for client in (embedded, remote):
        assert int(_select(client, query)[0]["n"]["value"]) == expected


def test_the_programmas_count_of_the_issue() -> None:
    """The reproduction of issue 12.2: FROM answers as default-graph-uri does."""
    with TestClient(create_app(make_settings(store="memory"))) as client:
        count = "SELECT (COUNT(*) AS ?n) {} WHERE {{ ?s ?p ?o }}"
        by_from = _select(client, count.format(f"FROM <{PROGRAMMAS}>"))
        by_protocol = _select(client, count.format(""), {"default-graph-uri": [PROGRAMMAS]})
        whole = _select(client, count.format(""))
    assert by_from == by_protocol
    assert by_from != whole


class _Listener:
    """A TCP port that records whether anything connected, without serving anything."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/x"

    def connections(self) -> int:
        """Connections made so far (each waits in the backlog until accepted)."""
        self.sock.setblocking(False)
        count = 0
        while True:
            try:
                conn, _ = self.sock.accept()
            except BlockingIOError:
                return count
            conn.close()
            count += 1

    def close(self) -> None:
        self.sock.close()


NEVER_FETCHED_FORMS = [
    "SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}",
    "SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
    "ASK FROM <{url}> {{ ?s ?p ?o }}",
]


def _never_fetches(client: TestClient, form: str) -> None:
    listener = _Listener()
    try:
        query = form.format(url=listener.url)
        for params in (
            {},
            {"default-graph-uri": [listener.url]},
            {"named-graph-uri": [listener.url]},
        ):
            r = client.get("/sparql", params={"query": query, **params})
            assert r.status_code == 200, r.text
        assert listener.connections() == 0, "the store fetched a graph named in the dataset"
    finally:
        listener.close()


# Virtuoso fetches a graph when a query says so (its "sponger"): these forms reached a listener
# on Virtuoso 7.2 and are refused on every backend.
FETCHING_FORMS = [
    'SELECT * FROM <{url}> OPTION (get:soft "soft") WHERE {{ ?s ?p ?o }}',
    'SELECT * FROM NAMED <{url}> OPTION (get:soft "replace") WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}',
    'define get:soft "soft" SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}',
    'DEFINE input:grab-all "yes" SELECT * WHERE {{ <{url}> ?p ?o }}',
    'BASE <http://x/> \\u0064efine get:soft "soft" SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}',
]
FETCHING_IDS = ["from-option", "from-named-option", "define", "define-grab", "escaped-define"]


def _refused_and_never_fetched(client: TestClient, form: str) -> None:
    listener = _Listener()
    try:
        r = client.get("/sparql", params={"query": form.format(url=listener.url)})
        assert r.status_code == 400, r.text
        assert r.json()["error"] == "query-rejected"
        assert listener.connections() == 0, "the store fetched a graph"
    finally:
        listener.close()


@pytest.mark.parametrize("form", FETCHING_FORMS, ids=FETCHING_IDS)
def test_store_extensions_that_fetch_are_refused_on_the_embedded_store(
    embedded: TestClient, form: str
) -> None:
    _refused_and_never_fetched(embedded, form)


@pytest.mark.parametrize("form", FETCHING_FORMS, ids=FETCHING_IDS)
def test_store_extensions_that_fetch_are_refused_on_a_remote_store(
    remote: TestClient, form: str
) -> None:
    _refused_and_never_fetched(remote, form)


@pytest.mark.parametrize("form", NEVER_FETCHED_FORMS, ids=["from", "from-named", "ask"])
def test_a_graph_named_in_the_dataset_is_never_fetched_by_the_embedded_store(
    embedded: TestClient, form: str
) -> None:
    _never_fetches(embedded, form)


@pytest.mark.parametrize("form", NEVER_FETCHED_FORMS, ids=["from", "from-named", "ask"])
def test_a_graph_named_in_the_dataset_is_never_fetched_by_a_remote_store(
    remote: TestClient, form: str
) -> None:
    _never_fetches(remote, form)


# The embedded store's three ways to run a user query (a thread in memory, a worker process on
# disk, the worker awaited on an event loop) take the dataset alike.

G_A, G_B = "https://sro.test/graph/a", "https://sro.test/graph/b"
STORE_DATASETS: list[tuple[list[str] | None, list[str] | None, int, set[str]]] = [
    ([G_A], None, 2, set()),
    (None, [G_B], 0, {G_B}),
    ([G_A], [G_B], 2, {G_B}),
    ([MISSING], None, 0, set()),
    (None, [MISSING], 0, set()),
]


@pytest.fixture(scope="module", params=["memory-thread", "disk-worker", "disk-worker-async"])
def embedded_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[EmbeddedStore, str]]:
    path = None if request.param == "memory-thread" else tmp_path_factory.mktemp("store")
    store = EmbeddedStore(path, system_graph="urn:sro-graph:system", query_workers=2)
    a, b = Graph(), Graph()
    for i in range(2):
        a.add((URIRef(f"https://sro.test/a{i}"), URIRef("https://sro.test/p"), Literal(i)))
    b.add((URIRef("https://sro.test/b"), URIRef("https://sro.test/p"), Literal(9)))
    store.write(GraphWrite(replace={G_A: a, G_B: b}), new_version="1")
    yield store, request.param
    store.close()


def _store_answer(
    store: EmbeddedStore, how: str, query: str, defaults: list[str] | None, named: list[str] | None
) -> Any:
    options: dict[str, Any] = {
        "accept": "application/sparql-results+json",
        "default_graphs": defaults,
        "named_graphs": named,
        "timeout_s": 30.0,
    }
    if how.endswith("async"):
        with ThreadPoolExecutor(2) as executor:
            result = run_in_fresh_thread(
                lambda: store.query_raw_async(query, executor=executor, **options)
            )
    else:
        result = store.query_raw(query, **options)
    return json.loads(result.body)["results"]["bindings"]


@pytest.mark.parametrize(("defaults", "named", "count", "graphs"), STORE_DATASETS)
def test_every_embedded_query_path_takes_the_dataset_alike(
    embedded_store: tuple[EmbeddedStore, str],
    defaults: list[str] | None,
    named: list[str] | None,
    count: int,
    graphs: set[str],
) -> None:
    store, how = embedded_store
    rows = _store_answer(store, how, "SELECT (COUNT(*) AS ?n) { ?s ?p ?o }", defaults, named)
    assert int(rows[0]["n"]["value"]) == count
    rows = _store_answer(
        store, how, "SELECT DISTINCT ?g { GRAPH ?g { ?s ?p ?o } }", defaults, named
    )
    assert {row["g"]["value"] for row in rows} == graphs
