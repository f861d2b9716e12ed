"""Every link in the catalogue resolves (issue 15.1): catalogue, datasets, distributions, data
services, records, contact points, landing pages, download and endpoint URLs, in every format.

The walk goes through the app and once against a live uvicorn server; a link that is ours
must answer 2xx after redirects, as HTML and as RDF.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

from sro_graph.formats import RdfFormat
from sro_graph.rdfio import parse_rdf
from sro_graph.store import GraphWrite
from sro_graph.vocab import DCAT, DCTERMS, Uris
from sro_graph.web.app import create_app
from tests.conftest import STEWARD_TOKEN, TEST_BASE, make_settings
from tests.live_server import live_app

FORMATS = (RdfFormat.TURTLE, RdfFormat.RDFXML, RdfFormat.JSONLD, RdfFormat.NTRIPLES)
# What a link must be readable as: things of ours (/id/) as a person's page and as RDF;
# downloads and service endpoints as a page and as whatever they serve.
READ_AS = ("text/html", "text/turtle")
READ_OTHER_AS = ("text/html", "*/*")

DECLARING = """
@prefix dct: <http://purl.org/dc/terms/> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix sr: </ns/smartregio#> . @prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix schema: <http://schema.org/> .
</id/initiatief/linkcheck> a sr:SmartCityInitiatief, prov:Activity ;
  dct:title "Linkcontrole"@nl ; dct:description "Een initiatief voor de linkcontrole."@nl ;
  prov:wasAssociatedWith </id/organisatie/smart-region-office> ;
  sr:uitdaging </id/concept/uitdaging/8> ;
  sr:draagtBijTot </id/concept/strategische-doelstelling/6> ;
  schema:contactPoint [ a schema:ContactPoint ; schema:email "data@example.org" ] ;
  prov:generated </id/dataset/linkcheck-metingen> .
</id/dataset/linkcheck-metingen> a dcat:Dataset ; dct:title "Linkcontrole-metingen"@nl ;
  dct:description "Metingen voor de linkcontrole."@nl ;
  dct:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC> .
"""


def _publish_declared(client: TestClient, base: str) -> None:
    """A submission that declares a dataset, and the steward's request to publish it."""
    response = client.post(
        "/submissions",
        content=DECLARING.encode(),
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {STEWARD_TOKEN}"},
    )
    assert response.status_code == 201, response.text
    body = response.json()
    uris = Uris(base)
    revision = URIRef(f"{uris.submission(body['id'])}/versie/{body['etag']}")
    record = Graph()
    record.add((revision, uris.publishes_dataset, uris.thing("dataset", "linkcheck-metingen")))
    client.app.state.runtime.store.write(  # type: ignore[attr-defined]
        GraphWrite(add={str(uris.provenance_graph): record}), new_version=uuid.uuid4().hex
    )


def _our_links(graph: Graph, base: str) -> set[str]:
    """Every IRI of ours in the catalogue (subjects and objects), and every landing page."""
    links = {
        str(term)
        for triple in graph
        for term in (triple[0], triple[2])
        if isinstance(term, URIRef) and str(term).startswith(base + "/")
    }
    links |= {str(page) for page in graph.objects(None, DCAT.landingPage)}
    return links


def _catalog_links(get: object, base: str) -> tuple[set[str], Graph]:
    fetch = get  # a client's get: TestClient or httpx
    links: set[str] = set()
    whole = Graph()
    for fmt in FORMATS:
        for profile in ("dcat-ap-vl", "dcat-ap"):
            response = fetch(  # type: ignore[operator]
                f"{base}/catalog", params={"_profile": profile}, headers={"Accept": fmt.value}
            )
            assert response.status_code == 200, (fmt, profile)
            graph = parse_rdf(response.content, fmt, base_iri=base + "/").graph
            links |= _our_links(graph, base)
            whole += graph
    return links, whole


def _broken(get: object, links: set[str]) -> list[tuple[str, str, int]]:
    broken = []
    for link in sorted(links):
        for accept in READ_AS if "/id/" in link else READ_OTHER_AS:
            response = get(link, headers={"Accept": accept}, follow_redirects=True)  # type: ignore[operator]
            if not 200 <= response.status_code < 300:
                broken.append((link, accept, response.status_code))
    return broken


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings()), base_url=TEST_BASE) as test_client:
        _publish_declared(test_client, TEST_BASE)
        yield test_client


def test_every_link_in_the_catalogue_resolves_through_the_app(client: TestClient) -> None:
    """Issue 15.1: every IRI the catalogue mints and every landing page answers 2xx after
    redirects, as HTML and as RDF (the landing pages were 404 before)."""
    links, graph = _catalog_links(client.get, TEST_BASE)
    kinds = {link.removeprefix(TEST_BASE + "/").split("/")[1] for link in links if "/id/" in link}
    assert {
        "catalogus",
        "dataset",
        "distributie",
        "dataservice",
        "catalogusrecord",
        "contactpunt",
    } <= kinds
    assert any("/dumps/" in link for link in links)
    assert set(graph.objects(None, DCAT.landingPage))
    assert _broken(client.get, links) == []


def test_catalogue_iri_redirects_to_its_document_with_rdf_and_html(client: TestClient) -> None:
    catalog = f"{TEST_BASE}/id/catalogus/sro-graph"
    response = client.get(catalog, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/doc/catalogus/sro-graph"
    turtle = client.get("/doc/catalogus/sro-graph", headers={"Accept": "text/turtle"})
    graph = parse_rdf(turtle.content, RdfFormat.TURTLE, base_iri=TEST_BASE + "/").graph
    assert (URIRef(catalog), DCTERMS.title, None) in graph
    page = client.get("/doc/catalogus/sro-graph", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert "Catalogus van de kennisgraaf" in page.text


def test_catalog_in_a_browser_is_a_readable_page(client: TestClient) -> None:
    """Issue 15.1: ``/catalog`` with ``Accept: text/html`` is a page, not a 406."""
    response = client.get(
        "/catalog",
        headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "Smart-city-initiatieven" in response.text
    assert "Linkcontrole-metingen" in response.text
    assert 'href="/dumps/organisaties.ttl"' in response.text


def test_catalog_asked_as_xml_is_rdfxml(client: TestClient) -> None:
    response = client.get("/catalog", headers={"Accept": "application/xml"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    graph = parse_rdf(response.content, RdfFormat.RDFXML, base_iri=TEST_BASE + "/").graph
    assert (None, DCAT.dataset, None) in graph


def test_catalog_without_accept_is_still_turtle_for_harvesters(client: TestClient) -> None:
    for accept in (None, "*/*"):
        response = client.get("/catalog", headers={"Accept": accept} if accept else {})
        assert response.headers["content-type"].startswith("text/turtle")


@pytest.fixture(scope="module")
def live_server() -> Iterator[str]:
    """The app under uvicorn on a free port, its base URI being its own URL."""
    with live_app("link-check") as url:
        yield url


def test_every_link_in_the_catalogue_resolves_on_a_live_server(live_server: str) -> None:
    """The same walk over real HTTP, the links being the server's own absolute URLs."""
    with httpx.Client(timeout=60) as http:
        links, _ = _catalog_links(http.get, live_server)
        assert len(links) > 50
        assert _broken(http.get, links) == []
