"""One contract suite over every store: in memory, on disk, and a real ``oxigraph serve``."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from rdflib import RDFS, BNode, Graph, Literal, Namespace, URIRef

from sro_graph.store import (
    GraphWrite,
    Store,
    StoreConflict,
    StoreError,
    StoreQueryError,
    StoreUnavailable,
    open_store,
)
from sro_graph.store.remote import RemoteStore
from tests.oxigraph_server import OxigraphServer, oxigraph_binary
from tests.remote_servers import running_server
from tests.virtuoso_server import VirtuosoServer

pytestmark = pytest.mark.integration

SYSTEM = "urn:sro-graph:system"
EX = "https://sro.test/id/initiatief/"
G1 = "https://sro.test/graph/inzending/1"
G2 = "https://sro.test/graph/inzending/2"
LOCN = Namespace("http://www.w3.org/ns/locn#")
HOSTILE = 'he said "}} ; DROP ALL ; {{" \\ and\nleft'


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    with running_server("oxigraph", tmp_path_factory.mktemp("oxigraph")) as server:
        assert isinstance(server, OxigraphServer)
        yield server


@pytest.fixture(scope="module")
def virtuoso(tmp_path_factory: pytest.TempPathFactory) -> Iterator[VirtuosoServer]:
    with running_server("virtuoso", tmp_path_factory.mktemp("virtuoso")) as server:
        assert isinstance(server, VirtuosoServer)
        yield server


@pytest.fixture(params=["memory", "disk", "remote", "virtuoso"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "virtuoso":
        virtuoso: VirtuosoServer = request.getfixturevalue("virtuoso")
        virtuoso.clear()
        opened = open_store(
            virtuoso.store_location,
            system_graph=SYSTEM,
            update_url=virtuoso.update_url,
            timeout_s=10,
        )
    elif request.param == "remote":
        server: OxigraphServer = request.getfixturevalue("oxigraph")
        server.clear()
        location = server.store_location
        opened = open_store(
            location, system_graph=SYSTEM, update_url=server.update_url, timeout_s=10
        )
    elif request.param == "disk":
        opened = open_store(str(tmp_path / "store"), system_graph=SYSTEM)
    else:
        opened = open_store("memory", system_graph=SYSTEM)
    yield opened
    opened.close()


def _graph(*pairs: tuple[str, str]) -> Graph:
    graph = Graph()
    for ref, label in pairs:
        graph.add((URIRef(EX + ref), RDFS.label, Literal(label, lang="nl")))
    return graph


def _fill(store: Store) -> None:
    store.write(
        GraphWrite(
            add={
                G1: _graph(("a", "Slimme verlichting"), ("b", HOSTILE)),
                G2: _graph(("c", "Deelmobiliteit")),
            }
        ),
        new_version="v1",
    )


LABELS = "SELECT ?s ?label WHERE { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"


def test_store_select_with_binding_returns_only_bound_rows(store: Store) -> None:
    _fill(store)
    rows = store.select(LABELS, bindings={"s": URIRef(EX + "a")})
    assert rows == [{"s": URIRef(EX + "a"), "label": Literal("Slimme verlichting", lang="nl")}]


def test_store_select_hostile_literal_binding_matches_as_a_term(store: Store) -> None:
    _fill(store)
    rows = store.select(LABELS, bindings={"label": Literal(HOSTILE, lang="nl")})
    assert [row["s"] for row in rows] == [URIRef(EX + "b")]
    assert store.graph_names() == {G1, G2, SYSTEM}


def test_store_default_graph_is_union_of_named_graphs(store: Store) -> None:
    _fill(store)
    assert len(store.select(LABELS)) == 3


def test_store_ask_with_binding_answers_per_term(store: Store) -> None:
    _fill(store)
    query = "ASK { ?s <http://www.w3.org/2000/01/rdf-schema#label> ?label }"
    assert store.ask(query, bindings={"s": URIRef(EX + "c")}) is True
    assert store.ask(query, bindings={"s": URIRef(EX + "zzz")}) is False


def test_store_construct_with_binding_returns_that_resource(store: Store) -> None:
    _fill(store)
    graph = store.construct(
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", bindings={"s": URIRef(EX + "c")}
    )
    assert set(graph) == set(_graph(("c", "Deelmobiliteit")))


def test_store_write_with_invalid_term_leaves_nothing(store: Store) -> None:
    _fill(store)
    bad = Graph()
    bad.add((URIRef("https://sro.test/bad iri"), RDFS.label, Literal("x")))
    with pytest.raises(StoreQueryError):
        store.write(
            GraphWrite(
                add={
                    "https://sro.test/graph/new": _graph(("d", "d")),
                    "https://sro.test/graph/bad": bad,
                }
            ),
            new_version="v2",
        )
    assert store.graph_names() == {G1, G2, SYSTEM}
    assert store.version() == "v1"


def test_store_replace_swaps_graph_content(store: Store) -> None:
    _fill(store)
    store.write(GraphWrite(replace={G1: _graph(("z", "Nieuw"))}), new_version="v2")
    assert set(Graph().parse(data=store.dump(graph=G1), format="nt")) == set(_graph(("z", "Nieuw")))


def test_store_drop_removes_graph(store: Store) -> None:
    _fill(store)
    store.write(GraphWrite(drop=[G1]), new_version="v2")
    assert store.graph_names() == {G2, SYSTEM}


def test_store_remove_deletes_only_those_triples(store: Store) -> None:
    _fill(store)
    store.write(GraphWrite(remove={G1: _graph(("a", "Slimme verlichting"))}), new_version="v2")
    assert [row["s"] for row in store.select(LABELS, bindings={"s": URIRef(EX + "a")})] == []
    assert len(store.select(LABELS)) == 2


def test_store_version_changes_on_each_write(store: Store) -> None:
    assert store.version() == "0"
    _fill(store)
    assert store.version() == "v1"
    store.write(GraphWrite(drop=[G2]), new_version="v2")
    assert store.version() == "v2"


def _large_graph(n: int) -> Graph:
    """``n`` initiatives, each with a blank-node address: 4 triples each."""
    graph = Graph()
    for i in range(n):
        initiative, address = URIRef(f"{EX}groot-{i}"), BNode()
        graph.add((initiative, RDFS.label, Literal(f"Initiatief {i}", lang="nl")))
        graph.add((initiative, LOCN.address, address))
        graph.add((address, LOCN.postCode, Literal(f"{1000 + i}")))
        graph.add((address, RDFS.comment, Literal(HOSTILE)))
    return graph


ADDRESSES = (
    "SELECT ?s ?code WHERE { ?s <http://www.w3.org/ns/locn#address> ?a . "
    "?a <http://www.w3.org/ns/locn#postCode> ?code }"
)


def test_store_large_write_with_blank_nodes_lands_whole(store: Store) -> None:
    """Far past what one Virtuoso operation takes inline (staged there): every triple, and
    every blank node still joins its two triples."""
    _fill(store)
    store.write(
        GraphWrite(
            replace={G1: _large_graph(600)},
            add={G2: _large_graph(5)},
            remove={G2: _graph(("c", "Deelmobiliteit"))},
        ),
        new_version="v2",
    )
    assert len(store.select(ADDRESSES)) == 605
    assert len(Graph().parse(data=store.dump(graph=G1), format="nt")) == 2400
    assert store.select(LABELS, bindings={"s": URIRef(EX + "c")}) == []
    assert store.graph_names() == {G1, G2, SYSTEM}
    assert store.version() == "v2"


def test_store_conditional_write_applies_at_the_expected_version(store: Store) -> None:
    store.write(GraphWrite(add={G1: _graph(("a", "Eerste"))}), new_version="v1", if_version="0")
    store.write(
        GraphWrite(replace={G1: _graph(("a", "Tweede"))}), new_version="v2", if_version="v1"
    )
    assert store.version() == "v2"
    assert [str(r["label"]) for r in store.select(LABELS)] == ["Tweede"]


@pytest.mark.parametrize("size", [1, 600])
def test_store_conditional_write_at_a_stale_version_writes_nothing(
    store: Store,
    size: int,
) -> None:
    """Another writer came first: the check and the write are one step in the store, so a
    stale writer changes nothing (also when its data goes through staging graphs)."""
    _fill(store)
    store.write(GraphWrite(drop=[G2]), new_version="v2")
    change = GraphWrite(replace={G1: _large_graph(size)}, drop=[G1 + "-x"])
    with pytest.raises(StoreConflict):
        store.write(change, new_version="v3", if_version="v1")
    assert store.version() == "v2"
    assert len(store.select(LABELS)) == 2
    assert store.graph_names() == {G1, SYSTEM}
    with pytest.raises(StoreConflict):
        store.write(GraphWrite(add={G2: _graph(("c", "c"))}), new_version="v4", if_version="0")
    assert store.version() == "v2"


def test_store_graph_names_lists_graphs_with_triples(store: Store) -> None:
    _fill(store)
    assert store.graph_names() == {G1, G2, SYSTEM}


def test_store_dump_holds_every_quad(store: Store) -> None:
    _fill(store)
    lines = [line for line in store.dump().decode().splitlines() if line.strip()]
    assert sum(f"<{G1}>" in line for line in lines) == 2
    assert sum(f"<{G2}>" in line for line in lines) == 1


def test_store_query_raw_cuts_at_row_cap_and_says_so(store: Store) -> None:
    _fill(store)
    result = store.query_raw(LABELS, accept="application/sparql-results+json", row_cap=2)
    assert (result.kind, result.truncated, result.count) == ("bindings", True, 2)
    assert len(json.loads(result.body)["results"]["bindings"]) == 2


def test_store_query_raw_under_cap_is_complete(store: Store) -> None:
    _fill(store)
    result = store.query_raw(LABELS, accept="text/csv", row_cap=10)
    assert (result.kind, result.truncated, result.count) == ("bindings", False, 3)
    assert result.body.decode().splitlines()[0] == "s,label"


def test_store_query_raw_construct_as_turtle(store: Store) -> None:
    _fill(store)
    result = store.query_raw(
        "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o FILTER(isLiteral(?o) && lang(?o) = 'nl') }",
        accept="text/turtle",
        row_cap=100,
    )
    assert (result.kind, result.media_type, result.count) == ("graph", "text/turtle", 3)
    assert len(Graph().parse(data=result.body, format="turtle")) == 3


def test_store_query_raw_ask_as_json(store: Store) -> None:
    _fill(store)
    result = store.query_raw("ASK { ?s ?p ?o }", accept="application/sparql-results+json")
    assert result.kind == "boolean"
    assert json.loads(result.body)["boolean"] is True


def test_store_query_raw_default_graph_param_restricts_the_default_graph(store: Store) -> None:
    _fill(store)
    result = store.query_raw(LABELS, accept="application/sparql-results+json", default_graphs=[G2])
    assert result.count == 1


def test_store_query_raw_named_graph_param_restricts_the_named_graphs(store: Store) -> None:
    _fill(store)
    result = store.query_raw(
        "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }", accept="text/csv", named_graphs=[G1]
    )
    assert result.body.decode().split() == ["g", G1]


def test_store_query_raw_syntax_error_is_a_query_error(store: Store) -> None:
    with pytest.raises(StoreQueryError):
        store.query_raw("SELECT WHERE {", accept="application/sparql-results+json")


# -- backend differences ---------------------------------------------------------------------


def test_remote_store_union_default_graph_is_asked_for(oxigraph: OxigraphServer) -> None:
    """Oxigraph server queries its own (empty) default graph unless asked for the union."""
    oxigraph.clear()
    store = RemoteStore(
        f"{oxigraph.url}/query", update_url=oxigraph.update_url, system_graph=SYSTEM
    )
    plain = RemoteStore(
        f"{oxigraph.url}/query", update_url=oxigraph.update_url, system_graph=SYSTEM, kind="generic"
    )
    try:
        _fill(store)
        assert len(store.select(LABELS)) == 3
        assert plain.select(LABELS) == []
    finally:
        store.close()
        plain.close()


def test_remote_store_down_is_unavailable_then_comes_back(tmp_path: Path) -> None:
    if oxigraph_binary() is None:
        pytest.skip("the oxigraph server (PyPI package 'oxigraph', dev extra) is not installed")
    server = OxigraphServer(tmp_path / "ox")
    server.start()
    store = RemoteStore(
        f"{server.url}/query",
        update_url=server.update_url,
        system_graph=SYSTEM,
        user="steward",
        password="s3cret-pw",
        timeout_s=5,
    )
    try:
        _fill(store)
        server.stop()
        with pytest.raises(StoreUnavailable) as caught:
            store.select(LABELS)
        with pytest.raises(StoreUnavailable):
            store.write(GraphWrite(drop=[G1]), new_version="v2")
        message = str(caught.value)
        assert str(server.port) not in message
        assert "s3cret-pw" not in message
        assert "steward" not in message
        server.start()
        assert len(store.select(LABELS)) == 3
        assert store.version() == "v1"
    finally:
        store.close()
        server.stop()


def test_remote_store_unreachable_at_all_is_unavailable() -> None:
    store = RemoteStore("http://127.0.0.1:9/query", system_graph=SYSTEM, timeout_s=2)
    try:
        with pytest.raises(StoreUnavailable):
            store.graph_names()
    finally:
        store.close()


def test_disk_store_held_by_another_opener_is_unavailable(tmp_path: Path) -> None:
    first = open_store(str(tmp_path / "s"), system_graph=SYSTEM)
    try:
        with pytest.raises(StoreUnavailable):
            open_store(str(tmp_path / "s"), system_graph=SYSTEM)
    finally:
        first.close()
    again = open_store(str(tmp_path / "s"), system_graph=SYSTEM)
    again.close()


def test_remote_store_update_request_is_one_transaction(oxigraph: OxigraphServer) -> None:
    """A failing part of one update request (here: an unknown graph without SILENT) undoes
    the parts before it, which is what makes one request per write atomic."""
    oxigraph.clear()
    response = httpx.post(
        oxigraph.update_url,
        content=f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}a> <{EX}p> 1 }} }} ;"
        f" DROP GRAPH <{G2}>".encode(),
        headers={"Content-Type": "application/sparql-update"},
        timeout=10,
    )
    assert response.status_code >= 400
    store = RemoteStore(f"{oxigraph.url}/query", system_graph=SYSTEM)
    try:
        assert store.graph_names() == set()
    finally:
        store.close()


def test_virtuoso_commits_each_operation_not_each_request(virtuoso: VirtuosoServer) -> None:
    """Why Virtuoso gets ONE operation per write: a failing second operation does not undo
    the first (unlike Oxigraph above)."""
    virtuoso.clear()
    created = f"https://sro.test/graph/created-{uuid.uuid4().hex}"

    def update(text: str) -> httpx.Response:
        return httpx.post(
            virtuoso.update_url,
            content=text.encode(),
            headers={"Content-Type": "application/sparql-update"},
            timeout=10,
        )

    assert update(f"CREATE GRAPH <{created}>").status_code == 200
    # Creating a graph that exists is an error (SPARQL 1.1 Update §3.2.3).
    response = update(
        f"INSERT DATA {{ GRAPH <{G1}> {{ <{EX}a> <{EX}p> 1 }} }} ; CREATE GRAPH <{created}>"
    )
    assert response.status_code >= 400
    store = RemoteStore(virtuoso.store_location.removeprefix("sparql+"), system_graph=SYSTEM)
    try:
        assert G1 in store.graph_names()
    finally:
        store.close()


def test_virtuoso_staged_write_that_cannot_stage_changes_nothing(
    virtuoso: VirtuosoServer,
) -> None:
    virtuoso.clear()
    store = RemoteStore(
        virtuoso.store_location.removeprefix("sparql+"),
        system_graph=SYSTEM,
        graph_store_url=f"{virtuoso.url}/no-graph-store-here",
    )
    try:
        _fill(store)
        with pytest.raises(StoreError):
            store.write(GraphWrite(replace={G1: _large_graph(200)}), new_version="v2")
        assert len(store.select(LABELS)) == 3
        assert store.graph_names() == {G1, G2, SYSTEM}
        assert store.version() == "v1"
    finally:
        store.close()


def test_virtuoso_is_detected_and_its_own_graphs_are_not_ours(virtuoso: VirtuosoServer) -> None:
    virtuoso.clear()
    store = RemoteStore(virtuoso.store_location.removeprefix("sparql+"), system_graph=SYSTEM)
    try:
        assert store.profile.kind == "virtuoso"
        # Its default graph is the union of all graphs, its own included...
        assert store.ask("ASK { ?s a <http://www.openlinksw.com/schemas/virtrdf#QuadMap> }")
        # ...but they are never listed, dumped or (by a restore) dropped.
        assert store.graph_names() == set()
        assert store.dump() == b""
    finally:
        store.close()
