"""Every HTML page sends a Content-Security-Policy that runs only the site's own scripts
(issue 13.6); the OpenAPI document describes the stewards' bearer scheme and request bodies
(issue 13.9)."""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

from sro_graph.store import GraphWrite
from sro_graph.vocab import ORG, SKOS
from sro_graph.web.app import create_app
from sro_graph.web.csp import POLICY
from tests.conftest import make_settings

HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings())) as test_client:
        yield test_client


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/dashboard",
        "/initiatieven",
        "/organisaties",
        "/doc/organisatie/vlaio",
        "/doc/conceptscheme/uitdaging",
        "/ns/smartregio",
        "/sparql",
        "/queries",
        "/validate",
        "/instrumenten",
        "/inzenden",
        "/inzenden/uitleg",
        "/no/such/page",
        "/doc/initiatief/bestaat-niet",
    ],
)
def test_every_html_page_sends_the_policy(client: TestClient, path: str) -> None:
    response = client.get(path, headers=HTML)
    assert response.headers["content-type"].startswith("text/html")
    policy = response.headers["content-security-policy"]
    assert policy == POLICY
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "<script>" not in response.text  # no inline script on our own pages


def test_non_html_answers_carry_no_page_policy(client: TestClient) -> None:
    response = client.get("/doc/organisatie/vlaio", headers={"accept": "text/turtle"})
    assert "content-security-policy" not in response.headers


def test_openapi_pages_allow_exactly_their_own_inline_code(client: TestClient) -> None:
    response = client.get("/docs")
    policy = response.headers["content-security-policy"]
    inline = re.findall(r"<script>(.*?)</script>", response.text, re.DOTALL)
    assert inline
    for code in inline:
        digest = base64.b64encode(hashlib.sha256(code.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in policy
    assert "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";", 1)[0]


def test_openapi_documents_the_bearer_scheme_and_upload_bodies(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    schemes = document["components"]["securitySchemes"]
    assert schemes["stewardToken"]["type"] == "http"
    assert schemes["stewardToken"]["scheme"] == "bearer"
    paths = document["paths"]
    for path, method in [
        ("/submissions", "post"),
        ("/submissions/check", "post"),
        ("/submissions/{submission_id}", "put"),
        ("/submissions/{submission_id}", "delete"),
        ("/submissions/me", "get"),
    ]:
        assert {"stewardToken": []} in paths[path][method]["security"], (path, method)
    for path, method in [
        ("/submissions", "post"),
        ("/submissions/check", "post"),
        ("/submissions/{submission_id}", "put"),
    ]:
        content = paths[path][method]["requestBody"]["content"]
        assert {"text/turtle", "application/ld+json", "text/csv"} <= set(content)
        xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        assert content[xlsx]["schema"]["format"] == "binary"
    assert "publish" in {p["name"] for p in paths["/submissions"]["post"]["parameters"]}
    assert "security" not in paths["/submissions/{submission_id}"]["get"]


@pytest.mark.parametrize(
    "iri", ["javascript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x", "vbscript:x"]
)
def test_iris_of_other_schemes_are_text_not_links_on_pages(iri: str) -> None:
    """Issue 13.6: ``<javascript:alert(1)>`` showed as a link on a base organisation's page.
    The gate refuses such IRIs; should one reach the store another way, pages show text."""
    with TestClient(create_app(make_settings())) as test_client:
        runtime = test_client.app.state.runtime  # type: ignore[attr-defined]
        base = runtime.uris.base
        vlaio = URIRef(f"{base}/id/organisatie/vlaio")
        graph = Graph()
        graph.add((URIRef(iri), ORG.memberOf, vlaio))  # an incoming link
        graph.add((vlaio, SKOS.related, URIRef(iri)))  # an outgoing value
        runtime.store.write(GraphWrite(add={f"{base}/graph/test/x": graph}), new_version="x")
        page = test_client.get("/doc/organisatie/vlaio", headers=HTML).text
    assert iri in page
    hrefs = re.findall(r'href="([^"]*)"', page)
    assert not [h for h in hrefs if h.lower().startswith(("javascript:", "data:", "vbscript:"))]
