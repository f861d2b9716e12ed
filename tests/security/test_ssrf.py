"""Outbound requests (SSRF): nothing a public endpoint receives makes the server open a
connection. Each attack names a listener on 127.0.0.1 that must hear nothing.

SERVICE is covered in tests/integration/test_sparql_limits.py; here: FROM, FROM NAMED, the
protocol's graph parameters, LOAD, owl:imports and shapes graphs on /validate, remote JSON-LD
contexts on /validate and /submissions, XML external entities, and redirects.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from sro_graph.web.app import create_app
from tests.conftest import make_settings
from tests.security.helpers import AUTH, Listener, good, listening

PREFIXES = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """One app for the module: every attack here must leave the store unchanged anyway."""
    with TestClient(create_app(make_settings())) as test_client:
        yield test_client


@pytest.fixture
def listener() -> Iterator[Listener]:
    with listening() as heard:
        yield heard


def _submission_graphs(client: TestClient) -> set[str]:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return {g for g in runtime.store.graph_names() if "/graph/inzending/" in g}


# -- queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "template",
    [
        "SELECT * FROM <{url}/g> WHERE {{ ?s ?p ?o }}",
        "SELECT * FROM NAMED <{url}/g> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}",
        "PREFIX r: <{url}/> SELECT * FROM r:g WHERE {{ ?s ?p ?o }}",
        "CONSTRUCT {{ ?s ?p ?o }} FROM <{url}/g.ttl> WHERE {{ ?s ?p ?o }}",
        "ASK FROM NAMED <{url}/a> FROM <{url}/b> {{ ?s ?p ?o }}",
        "DESCRIBE <{url}/thing>",
    ],
)
def test_query_naming_a_remote_graph_never_reaches_it(
    client: TestClient,
    listener: Listener,
    template: str,
) -> None:
    query = template.format(url=listener.url)
    r = client.get("/sparql", params={"query": query})
    # A graph the store lacks is an empty graph (issue 12.3): answered, never fetched.
    assert r.status_code == 200, r.text
    assert listener.heard() == []


@pytest.mark.parametrize("param", ["default-graph-uri", "named-graph-uri"])
def test_protocol_graph_parameter_naming_a_remote_graph_never_reaches_it(
    client: TestClient,
    listener: Listener,
    param: str,
) -> None:
    r = client.post(
        "/sparql", data={"query": "SELECT * WHERE { ?s ?p ?o } LIMIT 1", param: f"{listener.url}/g"}
    )
    assert r.status_code == 200, r.text
    assert listener.heard() == []


@pytest.mark.parametrize(
    "template",
    [
        "LOAD <{url}/data.ttl>",
        "LOAD SILENT <{url}/data.ttl> INTO GRAPH <urn:x>",
        "SELECT * WHERE {{ ?s ?p ?o }} ; LOAD <{url}/data.ttl>",
    ],
)
@pytest.mark.parametrize("how", ["get", "form", "body", "update-form", "update-body"])
def test_load_never_reaches_the_listener(
    client: TestClient,
    listener: Listener,
    template: str,
    how: str,
) -> None:
    text = template.format(url=listener.url)
    if how == "get":
        r = client.get("/sparql", params={"query": text})
    elif how == "form":
        r = client.post("/sparql", data={"query": text})
    elif how == "body":
        r = client.post(
            "/sparql", content=text, headers={"content-type": "application/sparql-query"}
        )
    elif how == "update-form":
        r = client.post("/sparql", data={"update": text})
    else:
        r = client.post(
            "/sparql", content=text, headers={"content-type": "application/sparql-update"}
        )
    assert 400 <= r.status_code < 500, r.text
    assert listener.heard() == []


def test_named_query_iri_parameter_naming_the_listener_is_never_fetched(
    client: TestClient,
    listener: Listener,
) -> None:
    r = client.get(
        "/queries/initiatives-of-municipality", params={"gemeente": f"{listener.url}/gemeente/1"}
    )
    assert r.status_code in (200, 422)
    assert listener.heard() == []


# -- /validate: imports and shapes graphs ------------------------------------------------------


def test_validate_data_with_owl_imports_never_fetches(
    client: TestClient, listener: Listener
) -> None:
    data = (
        PREFIXES + f"<urn:x:ontology> a owl:Ontology ; owl:imports <{listener.url}/o.ttl> .\n"
        f"<urn:x:a> rdfs:seeAlso <{listener.url}/see> .\n"
    ).encode()
    r = client.post("/validate", content=data, headers={"content-type": "text/turtle"})
    assert r.status_code == 200, r.text
    assert listener.heard() == []


def test_validate_uploaded_shapes_with_imports_and_shapes_graph_never_fetch(
    client: TestClient,
    listener: Listener,
) -> None:
    shapes = (
        PREFIXES + f"<urn:x:shapes> a owl:Ontology ; owl:imports <{listener.url}/s.ttl> .\n"
        f"<urn:x:data> sh:shapesGraph <{listener.url}/shapes.ttl> .\n"
        "<urn:x:S> a sh:NodeShape ; sh:targetClass <urn:x:C> ;\n"
        f"  sh:property [ sh:path <urn:x:p> ; sh:class <{listener.url}/C> ] .\n"
    ).encode()
    data = (
        PREFIXES + f"<urn:x:data> owl:imports <{listener.url}/d.ttl> .\n"
        f"<urn:x:a> a <urn:x:C> ; <urn:x:p> <{listener.url}/thing> .\n"
    ).encode()
    r = client.post(
        "/validate",
        files={
            "data": ("data.ttl", data, "text/turtle"),
            "shapes": ("shapes.ttl", shapes, "text/turtle"),
        },
    )
    assert r.status_code == 200, r.text
    assert listener.heard() == []


def test_validate_rdfxml_external_entity_to_the_listener_refused_unfetched(
    client: TestClient,
    listener: Listener,
) -> None:
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [<!ENTITY ext SYSTEM "{listener.url}/e">]>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
        'xmlns:ex="urn:x:"><rdf:Description rdf:about="urn:x:a"><ex:p>&ext;</ex:p>'
        "</rdf:Description></rdf:RDF>"
    ).encode()
    r = client.post("/validate", content=data, headers={"content-type": "application/rdf+xml"})
    assert r.status_code == 400
    assert r.json()["error"] == "unsafe-input"
    assert listener.heard() == []


# -- remote JSON-LD contexts -------------------------------------------------------------------


def _jsonld_with_context(context: object) -> bytes:
    return json.dumps(
        {"@context": context, "@id": "urn:x:a", "http://purl.org/dc/terms/title": "x"}
    ).encode()


@pytest.mark.parametrize("shape", ["string", "list", "import", "nested"])
@pytest.mark.parametrize("path", ["/validate", "/submissions"])
def test_remote_jsonld_context_is_refused_and_never_fetched(
    client: TestClient,
    listener: Listener,
    shape: str,
    path: str,
) -> None:
    url = f"{listener.url}/context.jsonld"
    body: bytes
    if shape == "string":
        body = _jsonld_with_context(url)
    elif shape == "list":
        body = _jsonld_with_context([{"ex": "urn:x:"}, url])
    elif shape == "import":
        body = _jsonld_with_context({"@import": url})
    else:
        body = json.dumps(
            {"@id": "urn:x:a", "urn:x:p": {"@context": url, "@id": "urn:x:b"}}
        ).encode()
    r = client.post(path, content=body, headers={**AUTH, "content-type": "application/ld+json"})
    assert r.status_code == 400, r.text
    assert r.json()["error"] == "unsafe-input"
    assert listener.heard() == []
    assert _submission_graphs(client) == set()


def test_submission_with_owl_imports_stores_without_fetching(
    client: TestClient,
    listener: Listener,
) -> None:
    data = (
        good("met-import")
        + (
            f"\n<https://sro.test/id/initiatief/met-import> "
            f"<http://www.w3.org/2002/07/owl#imports> <{listener.url}/o.ttl> .\n"
        ).encode()
    )
    r = client.post("/submissions", content=data, headers={**AUTH, "content-type": "text/turtle"})
    assert r.status_code in (201, 422), r.text
    assert listener.heard() == []
    if r.status_code == 201:
        client.delete(
            f"/submissions/{r.json()['id']}", headers={**AUTH, "if-match": r.headers["etag"]}
        )


# -- redirects -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/id//127.0.0.1:{port}/x",
        "/id/%2F%2F127.0.0.1:{port}/x",
        "/id/http://127.0.0.1:{port}/x",
        "/id/initiatief/x?next=http://127.0.0.1:{port}/",
        "/id/\\\\127.0.0.1:{port}/x",
    ],
)
def test_redirects_stay_on_this_host(client: TestClient, listener: Listener, path: str) -> None:
    """/id answers 303 to a path of this service, never to another host (an open redirect
    would turn clients and harvesters into our SSRF)."""
    r = client.get(path.format(port=listener.port), follow_redirects=False)
    if r.status_code in (301, 302, 303, 307, 308):
        location = r.headers["location"]
        assert location.startswith("/doc/"), location
        assert not location.startswith(("//", "/\\")), location
    r = client.get(path.format(port=listener.port), follow_redirects=True)
    assert r.status_code < 500
    assert listener.heard() == []
