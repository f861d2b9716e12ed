"""Illustrative examples are opt-in and flagged in every answer (issue 14.1).

Without ``load_examples`` the store holds no example graph and no invented initiative; with it,
the examples live in graphs under ``{base}/graph/voorbeelden/``, every invented thing says
``sr:isVoorbeeld true``, and every answer says ``X-SRO-Examples: true`` (pages show a banner,
plain-JSON named queries an ``"examples"`` member, the lighthouse feed marks its entries).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef

from sro_graph.config import PROJECT_ROOT
from sro_graph.knowledge import base_knowledge_files, examples_loaded, load_base_knowledge
from sro_graph.runtime import Runtime
from sro_graph.store import open_store
from sro_graph.vocab import RDF, Uris
from sro_graph.web.app import create_app
from tests.conftest import TEST_BASE, make_settings

pytestmark = pytest.mark.integration

URIS = Uris(TEST_BASE)
EXAMPLES = PROJECT_ROOT / "data" / "voorbeelden"
SR = f"{TEST_BASE}/ns/smartregio#"
JSON = {"accept": "application/json"}
HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def plain() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings())) as client:
        yield client


@pytest.fixture(scope="module")
def demo() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(load_examples=True))) as client:
        yield client


def _answers(client: TestClient) -> list[tuple[str, dict[str, str]]]:
    """(path, headers) of an answer of every kind that can hold an initiative."""
    return [
        ("/queries/lighthouses", JSON),
        ("/queries/funding-overview", {"accept": "text/csv"}),
        (
            "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D%20LIMIT%201",
            {"accept": "application/sparql-results+json"},
        ),
        ("/", HTML),
        ("/initiatieven", HTML),
        ("/instrumenten/vuurtorens.atom", {}),
        ("/doc/conceptscheme/uitdaging", {"accept": "text/turtle"}),
    ]


def test_examples_are_not_loaded_by_default() -> None:
    assert make_settings().load_examples is False
    files = base_knowledge_files(PROJECT_ROOT, URIS)
    assert files
    assert not any(Path(f.path).is_relative_to(EXAMPLES) for f in files)
    assert not any(f.graph.startswith(URIS.example_graph_prefix) for f in files)


def test_without_examples_the_store_holds_no_invented_thing(runtime: Runtime) -> None:
    assert not any(g.startswith(URIS.example_graph_prefix) for g in runtime.store.graph_names())
    assert not runtime.store.ask(f"ASK {{ ?s <{SR}isVoorbeeld> ?flag }}")
    assert not runtime.store.ask(f"ASK {{ ?s a <{SR}SmartCityInitiatief> }}")
    assert runtime.examples_loaded() is False


def test_with_examples_they_live_in_example_graphs_only(runtime_with_examples: Runtime) -> None:
    names = runtime_with_examples.store.graph_names()
    example_graphs = {g for g in names if g.startswith(URIS.example_graph_prefix)}
    assert len(example_graphs) == len(list(EXAMPLES.glob("*.ttl")))
    rows = runtime_with_examples.store.select(
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s a <{SR}SmartCityInitiatief> }} }}"
    )
    assert {str(r["g"]) for r in rows} <= example_graphs
    assert runtime_with_examples.examples_loaded() is True


def test_every_invented_initiative_organisation_and_dataset_says_so() -> None:
    """Every initiative and dataset of the examples, and every organisation whose IRI says it is
    invented, carries ``sr:isVoorbeeld true``."""
    graph = Graph()
    for path in EXAMPLES.glob("*.ttl"):
        graph.parse(path, format="turtle", publicID=TEST_BASE + "/")
    flag = URIRef(SR + "isVoorbeeld")
    kinds = (URIRef(SR + "SmartCityInitiatief"), URIRef("http://www.w3.org/ns/dcat#Dataset"))
    invented = {s for kind in kinds for s in graph.subjects(RDF.type, kind)}
    invented |= {
        s for s in graph.subjects() if str(s).startswith(f"{TEST_BASE}/id/organisatie/voorbeeld-")
    }
    assert len(invented) > 20
    for thing in invented:
        assert (thing, flag, Literal(True)) in graph, thing


def test_every_answer_says_no_examples_when_none_are_loaded(plain: TestClient) -> None:
    for path, headers in _answers(plain):
        response = plain.get(path, headers=headers)
        assert response.status_code == 200, path
        assert response.headers["x-sro-examples"] == "false", path
    assert plain.get("/queries/lighthouses", headers=JSON).json()["examples"] is False
    assert 'data-examples="true"' not in plain.get("/", headers=HTML).text


def test_every_answer_is_flagged_when_examples_are_loaded(demo: TestClient) -> None:
    for path, headers in _answers(demo):
        response = demo.get(path, headers=headers)
        assert response.status_code == 200, path
        assert response.headers["x-sro-examples"] == "true", path
    assert demo.get("/queries/lighthouses", headers=JSON).json()["examples"] is True
    for page in ("/", "/initiatieven", "/instrumenten/vuurtorens", "/dashboard"):
        assert 'data-examples="true"' in demo.get(page, headers=HTML).text, page


def test_flag_header_is_exposed_to_browsers(demo: TestClient) -> None:
    response = demo.get("/queries/lighthouses", headers={**JSON, "origin": "https://x.test"})
    assert "x-sro-examples" in response.headers["access-control-expose-headers"].lower()


def test_example_initiative_page_and_feed_entries_say_they_are_invented(demo: TestClient) -> None:
    page = demo.get("/doc/initiatief/gent-luchtkwaliteit-sensoren", headers=HTML).text
    assert 'data-badge="example"' in page
    feed = demo.get("/instrumenten/vuurtorens.atom").text
    entries = feed.count("<entry>")
    assert entries > 0
    assert feed.count('<category term="voorbeeld"') == entries
    assert feed.count("<title>Voorbeeld: ") == entries


def test_switching_examples_off_drops_them_from_an_existing_store(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "s"), system_graph=str(URIS.system_graph))
    try:
        load_base_knowledge(store, URIS, base_knowledge_files(PROJECT_ROOT, URIS, examples=True))
        assert examples_loaded(store, URIS)
        report = load_base_knowledge(store, URIS, base_knowledge_files(PROJECT_ROOT, URIS))
        assert sorted(report.removed) == sorted(
            str(URIS.example_graph(p.stem)) for p in EXAMPLES.glob("*.ttl")
        )
        assert not examples_loaded(store, URIS)
        assert not store.ask(f"ASK {{ ?s <{SR}isVoorbeeld> ?flag }}")
    finally:
        store.close()
