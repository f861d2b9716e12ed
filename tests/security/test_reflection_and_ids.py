"""Issue 12.7: absolute links come from SRO_BASE_URI, never from the Host header; no request
text is echoed into markup; ids are checked whole (a trailing newline is not an id)."""

from __future__ import annotations

from collections.abc import Iterator
from xml.dom import minidom

import pytest
from fastapi.testclient import TestClient

from sro_graph.catalog.build import SLUG
from sro_graph.queries import QueryHeaderError, parse_query_file
from sro_graph.web.app import create_app
from tests.conftest import TEST_BASE, make_settings

HOSTILE = {"host": "evil.example"}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings())) as test_client:
        yield test_client


def test_atom_feed_links_come_from_the_base_not_the_host_header(client: TestClient) -> None:
    r = client.get("/instrumenten/vuurtorens.atom", headers=HOSTILE)
    assert r.status_code == 200
    assert "evil.example" not in r.text
    assert f'href="{TEST_BASE}/instrumenten/vuurtorens.atom"' in r.text


@pytest.mark.parametrize("accept", ["text/turtle", "application/rdf+xml"])
def test_service_description_endpoint_comes_from_the_base(client: TestClient, accept: str) -> None:
    r = client.get("/sparql", headers={**HOSTILE, "accept": accept})
    assert r.status_code == 200
    assert "evil.example" not in r.text
    assert f"{TEST_BASE}/sparql" in r.text


@pytest.mark.parametrize("name", ["x--->%3Cinjected%3E", "x-->%3Cinjected%3E", "x--%20-->"])
def test_rdfxml_404_never_echoes_the_request_into_markup(client: TestClient, name: str) -> None:
    r = client.get(f"/ns/{name}.rdf")
    assert r.status_code == 404
    assert "injected" not in r.text
    root = minidom.parseString(r.content).documentElement  # well-formed: not broken out of
    assert root is not None
    assert root.tagName == "rdf:RDF"
    assert root.childNodes == []


@pytest.mark.parametrize(
    "path",
    [
        "/submissions/" + "0123456789abcdef" * 2 + "%0A",
        "/dumps/initiatieven%0A.ttl",
    ],
)
def test_a_trailing_newline_is_not_part_of_an_id(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code in (404, 422), r.text


@pytest.mark.parametrize("name", ["keyword-search\n", "Keyword-search"])
def test_query_file_names_are_checked_whole(name: str) -> None:
    """``re.match`` with ``$`` let a trailing newline through; names are checked whole."""
    text = (make_settings().queries_dir / "keyword-search.rq").read_text(encoding="utf-8")
    parse_query_file("keyword-search", text)
    with pytest.raises(QueryHeaderError):
        parse_query_file(name, text)


def test_catalogue_slugs_are_checked_whole() -> None:
    assert SLUG.fullmatch("initiatieven")
    assert not SLUG.fullmatch("initiatieven\n")
