"""/id → 303 → /doc, content negotiation, the vocabulary and the JSON-LD context."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS

from sro_graph.rdfio import RdfFormat, parse_rdf
from sro_graph.web.app import create_app
from tests.conftest import TEST_BASE, make_settings
from tests.linkeddata_sample import THINGS, load_sample

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def ld() -> Iterator[TestClient]:
    """A client over the base knowledge plus the linked-data sample (read-only use)."""
    with TestClient(create_app(make_settings())) as client:
        load_sample(client.app.state.runtime)  # type: ignore[attr-defined]
        yield client


def _turtle(body: bytes, location: str) -> Graph:
    return Graph().parse(data=body.decode("utf-8"), format="turtle", publicID=location)


@pytest.mark.parametrize("kind", sorted(THINGS))
def test_id_of_every_kind_redirects_to_doc_with_its_turtle(ld: TestClient, kind: str) -> None:
    path = THINGS[kind]
    first = ld.get(f"/id/{path}", headers={"Accept": "text/turtle"}, follow_redirects=False)
    assert first.status_code == 303
    assert first.headers["location"] == f"/doc/{path}"
    assert "Accept" in first.headers["vary"]
    doc = ld.get(first.headers["location"], headers={"Accept": "text/turtle"})
    assert doc.status_code == 200
    assert doc.headers["content-type"].startswith("text/turtle")
    graph = _turtle(doc.content, f"{TEST_BASE}/doc/{path}")
    thing = URIRef(f"{TEST_BASE}/id/{path}")
    assert (thing, RDF.type, None) in graph
    stored = ld.app.state.runtime.store.select(  # type: ignore[attr-defined]
        "SELECT ?s (COUNT(DISTINCT *) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?s", bindings={"s": thing}
    )
    assert len(list(graph.triples((thing, None, None)))) == int(stored[0]["n"])


def test_vocabulary_dereferences_as_turtle_with_its_terms(ld: TestClient) -> None:
    response = ld.get("/ns/smartregio", headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    graph = _turtle(response.content, f"{TEST_BASE}/ns/smartregio")
    sr = f"{TEST_BASE}/ns/smartregio#"
    assert (URIRef(sr + "SmartCityInitiatief"), RDF.type, None) in graph
    assert (URIRef(f"{TEST_BASE}/ns/smartregio"), None, None) in graph


def test_vocabulary_html_has_an_anchor_per_term(ld: TestClient) -> None:
    response = ld.get("/ns/smartregio", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert 'id="SmartCityInitiatief"' in response.text
    assert 'id="uitdaging"' in response.text


@pytest.mark.parametrize(
    ("accept", "media_type", "syntax"),
    [
        ("application/rdf+xml", "application/rdf+xml", "xml"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("text/turtle;q=0.5, application/rdf+xml;q=0.9", "application/rdf+xml", "xml"),
    ],
)
def test_doc_negotiates_rdf_syntaxes(
    ld: TestClient, accept: str, media_type: str, syntax: str
) -> None:
    response = ld.get("/doc/concept/uitdaging/8", headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    assert "Accept" in response.headers["vary"]
    graph = Graph().parse(
        data=response.content, format=syntax, publicID=f"{TEST_BASE}/doc/concept/uitdaging/8"
    )
    assert (URIRef(f"{TEST_BASE}/id/concept/uitdaging/8"), RDF.type, SKOS.Concept) in graph


def test_doc_for_a_browser_is_html_with_alternate_links(ld: TestClient) -> None:
    response = ld.get("/doc/concept/uitdaging/8", headers={"Accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    link = response.headers["link"]
    assert '</doc/concept/uitdaging/8.ttl>; rel="alternate"; type="text/turtle"' in link
    assert 'type="application/ld+json"' in link


@pytest.mark.parametrize(
    ("ext", "media_type"),
    [
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("rdf", "application/rdf+xml"),
        ("nt", "application/n-triples"),
        ("html", "text/html"),
    ],
)
def test_doc_extension_fixes_the_format(ld: TestClient, ext: str, media_type: str) -> None:
    response = ld.get(f"/doc/{THINGS['initiative']}.{ext}", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)


def test_jsonld_is_compacted_with_the_project_context(ld: TestClient) -> None:
    runtime = ld.app.state.runtime  # type: ignore[attr-defined]
    response = ld.get(f"/doc/{THINGS['initiative']}", headers={"Accept": "application/ld+json"})
    doc = response.json()
    assert doc["@context"] == f"{TEST_BASE}/ns/context.jsonld"
    assert "http://purl.org/dc/terms/title" not in response.text
    # The context URL resolves to the served context: parse with that local copy.
    graph = parse_rdf(
        response.content,
        RdfFormat.JSONLD,
        base_iri=TEST_BASE + "/",
        known_contexts=runtime.known_contexts,
    ).graph
    thing = URIRef(f"{TEST_BASE}/id/{THINGS['initiative']}")
    assert (thing, None, Literal("LD-test luchtmeting", lang="nl")) in graph
    described = runtime.linkeddata.describe(thing)
    assert len(graph) == len(described)


def test_context_is_served_with_the_base_filled_in(ld: TestClient) -> None:
    response = ld.get("/ns/context.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    assert "{{base}}" not in response.text
    assert isinstance(response.json()["@context"], dict)


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/rdf+xml", "application/rdf+xml"),
        ("text/html", "text/html"),
    ],
)
def test_unknown_thing_is_404_in_the_negotiated_format(
    ld: TestClient, accept: str, media_type: str
) -> None:
    response = ld.get("/doc/initiatief/bestaat-niet", headers={"Accept": accept})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith(media_type)
    if media_type == "text/turtle":
        assert len(_turtle(response.content, TEST_BASE + "/")) == 0
    if media_type == "application/ld+json":
        assert json.loads(response.content)["error"] == "not-found"
    if media_type == "application/rdf+xml":
        assert len(Graph().parse(data=response.content, format="xml")) == 0


def test_unacceptable_format_is_406(ld: TestClient) -> None:
    response = ld.get("/doc/concept/uitdaging/8", headers={"Accept": "image/png"})
    assert response.status_code == 406


def test_head_on_id_answers_303(ld: TestClient) -> None:
    response = ld.head(
        "/id/concept/uitdaging/8", headers={"Accept": "text/turtle"}, follow_redirects=False
    )
    assert response.status_code == 303
    assert response.headers["location"] == "/doc/concept/uitdaging/8"


def test_id_keeps_the_language_parameter(ld: TestClient) -> None:
    response = ld.get("/id/concept/uitdaging/8?lang=en", follow_redirects=False)
    assert response.headers["location"] == "/doc/concept/uitdaging/8?lang=en"
