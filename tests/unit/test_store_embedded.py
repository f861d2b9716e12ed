"""The embedded store: atomic writes, versions, union default graph, term-safe bindings."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef

from sro_graph.store import GraphWrite, StoreQueryError, open_store
from sro_graph.store.base import Store

SYSTEM = "urn:sro-graph:system"
G1, G2 = "https://sro.test/graph/a", "https://sro.test/graph/b"
P = URIRef("https://sro.test/p")


def graph_of(*values: str) -> Graph:
    g = Graph()
    for v in values:
        g.add((URIRef(f"https://sro.test/{v}"), P, Literal(v)))
    return g


@pytest.fixture(params=["memory", "disk"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    location = "memory" if request.param == "memory" else str(tmp_path / "store")
    return open_store(location, system_graph=SYSTEM)


def test_queries_see_the_union_of_all_graphs(store: Store) -> None:
    store.write(GraphWrite(replace={G1: graph_of("a"), G2: graph_of("b")}), new_version="1")
    rows = store.select("SELECT ?s WHERE { ?s <https://sro.test/p> ?o } ORDER BY ?s")
    assert [str(r["s"]) for r in rows] == ["https://sro.test/a", "https://sro.test/b"]


def test_replace_swaps_a_graph_wholly(store: Store) -> None:
    store.write(GraphWrite(replace={G1: graph_of("a", "b")}), new_version="1")
    store.write(GraphWrite(replace={G1: graph_of("c")}), new_version="2")
    rows = store.select(
        "SELECT ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(?g != <urn:sro-graph:system>) }"
    )
    assert [str(r["o"]) for r in rows] == ["c"]


def test_every_write_changes_the_version(store: Store) -> None:
    before = store.version()
    store.write(GraphWrite(add={G1: graph_of("a")}), new_version="v-next")
    assert store.version() == "v-next" != before


def test_bindings_are_terms_not_text(store: Store) -> None:
    store.write(GraphWrite(add={G1: graph_of("a")}), new_version="1")
    hostile = Literal('a" } ; DROP ALL ; SELECT * { "')
    rows = store.select("SELECT ?s ?o WHERE { ?s ?p ?o }", bindings={"o": hostile})
    assert rows == []
    assert store.graph_names() >= {G1}


def test_literals_with_quotes_and_newlines_round_trip(store: Store) -> None:
    g = Graph()
    g.add((URIRef("https://sro.test/x"), P, Literal('he said "hi"\nand \\ left', lang="nl")))
    store.write(GraphWrite(add={G1: g}), new_version="1")
    rows = store.select("SELECT ?o WHERE { <https://sro.test/x> ?p ?o }")
    assert rows[0]["o"] == Literal('he said "hi"\nand \\ left', lang="nl")


def test_drop_removes_a_graph(store: Store) -> None:
    store.write(GraphWrite(add={G1: graph_of("a")}), new_version="1")
    store.write(GraphWrite(drop=[G1]), new_version="2")
    assert G1 not in store.graph_names()


def test_bad_query_is_a_query_error(store: Store) -> None:
    with pytest.raises(StoreQueryError, match="does not parse"):
        store.select("SELECT WHERE {")


def test_row_cap_cuts_and_says_so(store: Store) -> None:
    store.write(GraphWrite(add={G1: graph_of("a", "b", "c")}), new_version="1")
    result = store.query_raw(
        "SELECT ?s WHERE { ?s <https://sro.test/p> ?o }",
        accept="application/sparql-results+json",
        row_cap=2,
    )
    assert result.truncated
    assert result.count == 2


def test_disk_store_keeps_data_after_reopening(tmp_path: Path) -> None:
    location = str(tmp_path / "store")
    first = open_store(location, system_graph=SYSTEM)
    first.write(GraphWrite(add={G1: graph_of("a")}), new_version="7")
    first.close()
    again = open_store(location, system_graph=SYSTEM)
    assert again.version() == "7"
    assert G1 in again.graph_names()


def test_reopening_a_disk_store_drops_a_graph_whose_bulk_load_did_not_finish(
    tmp_path: Path,
) -> None:
    store = open_store(str(tmp_path / "store"), system_graph=SYSTEM)
    marker = Graph()
    marker.add((URIRef(SYSTEM), URIRef("urn:sro-graph:loading"), URIRef(G1)))
    store.write(GraphWrite(replace={G1: graph_of("a")}, add={SYSTEM: marker}), new_version="1")
    store.write(GraphWrite(replace={G2: graph_of("b")}), new_version="2")
    store.close()
    reopened = open_store(str(tmp_path / "store"), system_graph=SYSTEM)
    assert G1 not in reopened.graph_names()
    assert G2 in reopened.graph_names()
    assert not reopened.ask("ASK { ?s <urn:sro-graph:loading> ?o }")
