"""The W3C SPARQL 1.1 Protocol tests through the service's ``/sparql`` (issue 12, point 3).

The manifest (``../shared/reference/w3c/sparql11/protocol/manifest.ttl``) describes each test
as HTTP requests (``ht:Request``: method, path, headers, body) with the expected response
(status class, result format, boolean): every test and request is read from it, so a test
added to the manifest runs without a change here, and none can be left out silently. The
three kasei.us test graphs are loaded as named graphs of the service's store.

The service is a read-only query endpoint. The manifest's seven ``update_*`` tests ask an
update endpoint to apply updates (2xx), then query their effect: here they are held to the
protocol's refusal instead (``READ_ONLY``: the update is answered 4xx and the follow-up
queries show that nothing changed). So 27 of the 34 tests pass as written and 7 are checked
as refusals; the ``bad_update_*`` tests (4xx expected) pass because every update is refused.
"""

from __future__ import annotations

import json
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.term import Node

from sro_graph.store import GraphWrite
from sro_graph.web.app import create_app
from tests.conftest import SHARED, SHARED_ABSENT, make_settings

pytestmark = pytest.mark.integration

SUITE = SHARED / "reference" / "w3c" / "sparql11" / "protocol"
MANIFEST = SUITE / "manifest.ttl"
MANIFEST_IRI = "http://www.w3.org/2009/sparql/docs/tests/data-sparql11/protocol/manifest#"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
KASEI = "http://kasei.us/2009/09/sparql/data/data{}.rdf"

# Tests whose expectation differs here, with the reason: the update tests of a read-only
# endpoint expect the protocol's refusal of the update, and no change to the data.
READ_ONLY = "read-only endpoint: the update is refused (4xx) and changes nothing"
EXPECTATIONS: dict[str, str] = {
    name: READ_ONLY
    for name in (
        "update_dataset_default_graph",
        "update_dataset_default_graphs",
        "update_dataset_named_graphs",
        "update_dataset_full",
        "update_post_form",
        "update_post_direct",
        "update_base_uri",
    )
}

BOOLEAN_TYPES = {"application/sparql-results+json", "application/sparql-results+xml"}
FORMATS: dict[str, set[str]] = {
    "boolean": BOOLEAN_TYPES,
    "tabular": BOOLEAN_TYPES | {"text/csv", "text/tab-separated-values"},
    "RDF": {"application/rdf+xml", "text/turtle", "application/n-triples"},
}


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[int]  # expected status classes: 2, 3, 4, 5
    boolean: bool | None
    format: str | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    iri: str
    title: str
    requests: tuple[Request, ...]


def _one(graph: Graph, subject: Node, predicate: URIRef) -> Node | None:
    return next(iter(graph.objects(subject, predicate)), None)


def _request(graph: Graph, node: Node) -> Request:
    headers: dict[str, str] = {}
    header_list = _one(graph, node, HT.headers)
    if header_list is not None:
        for header in Collection(graph, header_list):
            headers[str(_one(graph, header, HT.fieldName))] = str(
                _one(graph, header, HT.fieldValue)
            )
    body = None
    body_node = _one(graph, node, HT.body)
    if body_node is not None:
        encoding = str(_one(graph, body_node, CNT.characterEncoding) or "UTF-8")
        body = str(_one(graph, body_node, CNT.chars)).encode(encoding)
    response = _one(graph, node, HT.resp)
    assert response is not None
    statuses = frozenset(
        int(str(s).removeprefix(str(HTS)).removeprefix("StatusCode")[0])
        for s in graph.objects(response, MF.expectedStatus)
    )
    boolean = _one(graph, response, MF.expectedBoolean)
    fmt = _one(graph, response, MF.expectedFormat)
    return Request(
        method=str(_one(graph, node, HT.methodName)),
        path=str(_one(graph, node, HT.absolutePath)),
        headers=headers,
        body=body,
        statuses=statuses,
        boolean=boolean.toPython() if isinstance(boolean, Literal) else None,
        format=str(fmt) if fmt is not None else None,
    )


def read_manifest() -> list[ProtocolTest]:
    """Every entry of the manifest, in its order, with its requests."""
    graph = Graph().parse(MANIFEST, format="turtle", publicID=MANIFEST_IRI)
    manifest = next(graph.subjects(MF.entries, None))
    tests = []
    for entry in Collection(graph, _one(graph, manifest, MF.entries)):  # type: ignore[arg-type]
        action = _one(graph, entry, MF.action)
        requests = Collection(graph, _one(graph, action, HT.requests))  # type: ignore[arg-type]
        tests.append(
            ProtocolTest(
                name=str(entry).rsplit("#", 1)[-1],
                iri=str(entry),
                title=str(_one(graph, entry, MF.name)),
                requests=tuple(_request(graph, r) for r in requests),
            )
        )
    return tests


def _cases() -> list[object]:
    if not MANIFEST.is_file():
        return [pytest.param(None, marks=pytest.mark.skip(reason=SHARED_ABSENT.format(path=SUITE)))]
    return [pytest.param(t, id=t.name) for t in read_manifest()]


@pytest.fixture(scope="module")
def service() -> Iterator[TestClient]:
    """The service over a store that also holds data1..data3 as named graphs."""
    with TestClient(create_app(make_settings())) as client:
        graphs = {}
        for n in (1, 2, 3):
            graph = Graph().parse(SUITE / f"data{n}.nt", format="nt")
            graphs[KASEI.format(n)] = graph
        client.app.state.runtime.store.write(  # type: ignore[attr-defined]
            GraphWrite(replace=graphs), new_version=uuid.uuid4().hex
        )
        yield client


def send(client: TestClient, request: Request) -> Response:
    """The request as the manifest writes it, to this service's ``/sparql``."""
    url = urlsplit(request.path)
    assert url.path == "/sparql/", "every request of the manifest goes to /sparql/"
    path = "/sparql" + (f"?{url.query}" if url.query else "")
    return client.request(request.method, path, headers=request.headers, content=request.body)


def media_type(response: Response) -> str:
    return response.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def boolean_of(response: Response) -> bool:
    kind = media_type(response)
    if kind == "application/sparql-results+json":
        value = json.loads(response.content)["boolean"]
        assert isinstance(value, bool)
        return value
    assert kind == "application/sparql-results+xml", kind
    element = ET.fromstring(response.content).find(
        "{http://www.w3.org/2005/sparql-results#}boolean"
    )
    assert element is not None
    assert element.text in ("true", "false")
    return element.text == "true"


def check(response: Response, request: Request) -> None:
    """The response meets the manifest's expectation for ``request``."""
    assert response.status_code // 100 in request.statuses, (
        response.status_code,
        response.text[:300],
    )
    if request.format is not None:
        assert media_type(response) in FORMATS[request.format], media_type(response)
    if request.boolean is not None:
        assert boolean_of(response) is request.boolean


def check_refused_update(client: TestClient, test: ProtocolTest) -> None:
    """The update request is refused (4xx); the follow-up queries are answered and show that
    nothing changed (each answers the opposite of what the applied update would give)."""
    update, *queries = test.requests
    response = send(client, update)
    assert response.status_code // 100 == 4, (response.status_code, response.text[:300])
    for query in queries:
        answer = send(client, query)
        assert answer.status_code == 200, answer.text[:300]
        if query.boolean is not None:
            assert boolean_of(answer) is not query.boolean


@pytest.mark.parametrize("test", _cases())
def test_w3c_sparql_protocol(service: TestClient, test: ProtocolTest) -> None:
    if EXPECTATIONS.get(test.name) == READ_ONLY:
        check_refused_update(service, test)
        return
    for request in test.requests:
        check(send(service, request), request)


def test_the_manifest_is_read_whole() -> None:
    """Every entry of the manifest becomes a case, and every changed expectation names one."""
    if not MANIFEST.is_file():
        pytest.skip(SHARED_ABSENT.format(path=SUITE))
    names = [t.name for t in read_manifest()]
    assert len(names) == 34 == len(set(names))
    assert set(EXPECTATIONS) <= set(names)
    assert all(t.requests for t in read_manifest())
