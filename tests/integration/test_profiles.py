"""``/catalog`` and ``/doc`` by profile as well as media type (issue 15.5): DCAT-AP VL, SEMIC's
DCAT-AP 3.0, and the OSLO JSON-LD form; ``Link: rel=profile`` in every answer, the list of
profiles discoverable, 406 naming what is available."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.compare import isomorphic

from sro_graph import dcat_check
from sro_graph.formats import RdfFormat
from sro_graph.profiles import DCAT_AP, DCAT_AP_VL, OSLO
from sro_graph.rdfio import parse_rdf
from sro_graph.vocab import DCAT, DCTERMS, MDCAT
from sro_graph.web.app import create_app
from tests.conftest import TEST_BASE, make_settings

DATASET = "/doc/dataset/kennisgraaf-organisaties"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings())) as test_client:
        yield test_client


def _graph(client: TestClient, body: bytes, fmt: RdfFormat) -> Graph:
    contexts = client.app.state.runtime.known_contexts  # type: ignore[attr-defined]
    return parse_rdf(body, fmt, base_iri=TEST_BASE + "/", known_contexts=contexts).graph


def _links(response: object) -> list[tuple[str, str]]:
    header = response.headers.get("link", "")  # type: ignore[attr-defined]
    return re.findall(r'<([^>]+)>; rel="(\w+)"', header)


@pytest.mark.parametrize(
    ("path", "accept", "profile"),
    [
        ("/catalog", "text/turtle", None),
        ("/catalog", "application/ld+json", "oslo"),
        ("/catalog", "application/rdf+xml", "dcat-ap"),
        ("/catalog", "text/html", None),
        (DATASET, "text/turtle", "dcat-ap-vl"),
        (DATASET, "text/html", None),
        ("/doc/organisatie/smart-region-office", "application/ld+json", None),
    ],
)
def test_every_answer_names_its_profile(
    client: TestClient, path: str, accept: str, profile: str | None
) -> None:
    params = {"_profile": profile} if profile else {}
    response = client.get(path, params=params, headers={"Accept": accept})
    assert response.status_code == 200
    named = [url for url, rel in _links(response) if rel == "profile"]
    assert len(named) == 1
    assert response.headers["content-profile"] == f"<{named[0]}>"
    assert any(rel == "alternate" for _, rel in _links(response))
    assert "Accept-Profile" in response.headers["vary"]


def test_catalog_default_profile_is_dcat_ap_vl(client: TestClient) -> None:
    response = client.get("/catalog")
    assert response.headers["content-profile"] == f"<{DCAT_AP_VL.uri}>"


@pytest.mark.parametrize(
    "ask",
    [{"params": {"_profile": "dcat-ap"}}, {"headers": {"Accept-Profile": f"<{DCAT_AP.uri}>"}}],
    ids=["query-parameter", "accept-profile"],
)
def test_catalog_in_semic_dcat_ap_drops_the_flemish_extensions(
    client: TestClient, ask: dict[str, dict[str, str]]
) -> None:
    response = client.get("/catalog", **ask)  # type: ignore[arg-type]
    assert response.headers["content-profile"] == f"<{DCAT_AP.uri}>"
    graph = _graph(client, response.content, RdfFormat.TURTLE)
    assert not [p for _, p, _ in graph if str(p).startswith(str(MDCAT))]
    records = set(graph.objects(None, DCAT.record))
    assert records
    assert {graph.value(r, DCTERMS.conformsTo) for r in records} == {URIRef(DCAT_AP.uri)}
    shapes = dcat_check.load_semic_shapes(dcat_check.DEFAULT_REFERENCE_DIR, ranges=True)
    report = dcat_check.check_catalog(graph, shapes)
    assert report.conforms, report.violations[:3]


def test_catalog_in_dcat_ap_vl_keeps_them(client: TestClient) -> None:
    graph = _graph(client, client.get("/catalog").content, RdfFormat.TURTLE)
    assert (None, MDCAT.statuut, None) in graph


def test_catalog_oslo_json_ld_is_compacted_with_the_served_context(client: TestClient) -> None:
    response = client.get(
        "/catalog", params={"_profile": "oslo"}, headers={"Accept": "application/ld+json"}
    )
    assert response.headers["content-profile"] == f"<{OSLO.uri}>"
    document = json.loads(response.content)
    assert document["@context"] == f"{TEST_BASE}/ns/context.jsonld"
    plain = client.get("/catalog", headers={"Accept": "application/ld+json"})
    assert (
        "@context" not in json.loads(plain.content)
        or json.loads(plain.content)["@context"] != document["@context"]
    )
    assert isomorphic(
        _graph(client, response.content, RdfFormat.JSONLD),
        _graph(client, plain.content, RdfFormat.JSONLD),
    )


def test_profile_not_available_in_the_media_type_is_406(client: TestClient) -> None:
    response = client.get("/catalog.ttl", params={"_profile": "oslo"})
    assert response.status_code == 406
    assert response.json()["available"] == ["application/ld+json"]


def test_unknown_profile_is_406_naming_the_available_ones(client: TestClient) -> None:
    response = client.get("/catalog", headers={"Accept-Profile": "<https://example.org/p>"})
    assert response.status_code == 406
    assert set(response.json()["available"]) == {DCAT_AP_VL.uri, DCAT_AP.uri, OSLO.uri}


def test_profile_parameter_twice_is_400(client: TestClient) -> None:
    response = client.get("/catalog?_profile=dcat-ap&_profile=oslo")
    assert response.status_code == 400


def test_list_of_profiles_is_discoverable(client: TestClient) -> None:
    response = client.get(
        "/catalog", params={"_profile": "alt"}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    listing = response.json()
    assert listing["default"] == "dcat-ap-vl"
    by_token = {p["token"]: p for p in listing["profiles"]}
    assert set(by_token) == {"dcat-ap-vl", "dcat-ap", "oslo"}
    assert by_token["oslo"]["mediaTypes"] == ["application/ld+json"]
    for profile in listing["profiles"]:
        for url in profile["links"].values():
            assert client.get(url.removeprefix(TEST_BASE)).status_code == 200, url
    turtle = client.get("/catalog", params={"_profile": "alt"}, headers={"Accept": "text/turtle"})
    graph = _graph(client, turtle.content, RdfFormat.TURTLE)
    assert len(set(graph.subjects(None, URIRef("http://www.w3.org/ns/dx/prof/Profile")))) == 3


def test_doc_of_a_catalogue_dataset_by_profile(client: TestClient) -> None:
    vl = client.get(DATASET, params={"_profile": "dcat-ap-vl"}, headers={"Accept": "text/turtle"})
    ap = client.get(DATASET, params={"_profile": "dcat-ap"}, headers={"Accept": "text/turtle"})
    graph_vl = _graph(client, vl.content, RdfFormat.TURTLE)
    graph_ap = _graph(client, ap.content, RdfFormat.TURTLE)
    dataset = URIRef(TEST_BASE + DATASET.replace("/doc/", "/id/"))
    assert (dataset, MDCAT.statuut, None) in graph_vl
    assert (dataset, MDCAT.statuut, None) not in graph_ap
    assert (dataset, DCAT.distribution, None) in graph_ap


def test_doc_of_a_thing_outside_the_catalogue_offers_only_the_oslo_profile(
    client: TestClient,
) -> None:
    path = "/doc/organisatie/smart-region-office"
    assert client.get(path).headers["content-profile"] == f"<{OSLO.uri}>"
    refused = client.get(path, params={"_profile": "dcat-ap"}, headers={"Accept": "text/turtle"})
    assert refused.status_code == 406
    assert refused.json()["available"] == [OSLO.uri]
