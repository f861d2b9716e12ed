"""POST /validate and GET /validate over a real app and in-memory store."""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pyshacl
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

from sro_graph.rdfio import RdfFormat, parse_rdf
from sro_graph.vocab import RDF, SH
from sro_graph.web.app import create_app
from tests.conftest import TEST_BASE, make_settings

DATA = Path(__file__).resolve().parents[1] / "data"
CORE = DATA / "shacl-core"
TURTLE = {"content-type": "text/turtle"}


def body(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    """One app for this module: /validate stores nothing, so tests cannot disturb each other."""
    with pytest.MonkeyPatch.context() as patch:
        for key in [k for k in os.environ if k.startswith("SRO_")]:
            patch.delenv(key)
        with TestClient(create_app(make_settings())) as test_client:
            yield test_client


def keys_of_graph(graph: Graph) -> Counter[tuple[str, str, str, str]]:
    keys: Counter[tuple[str, str, str, str]] = Counter()
    for node in graph.objects(None, SH.result):
        path = graph.value(node, SH.resultPath)
        keys[
            (
                str(graph.value(node, SH.focusNode)),
                str(path) if isinstance(path, URIRef) else ("complex" if path else ""),
                str(graph.value(node, SH.sourceConstraintComponent)),
                str(graph.value(node, SH.resultSeverity)),
            )
        ] += 1
    return keys


def test_validate_broken_initiative_json_report(client: TestClient) -> None:
    response = client.post("/validate", content=body("broken-initiative.ttl"), headers=TURTLE)
    assert response.status_code == 200
    report = response.json()
    assert report["conforms"] is False
    assert report["counts"]["violation"] == sum(
        1 for r in report["results"] if r["severity"] == "Violation"
    )
    result = next(r for r in report["results"] if r["path"] == "http://purl.org/dc/terms/title")
    assert result["focusLabel"]["en"] == "Broken sensors"
    assert result["pathLabel"] == {"nl": "titel", "en": "title"}
    assert result["message"]["nl"]
    assert result["message"]["en"]
    assert result["constraint"].startswith(str(SH))
    (initiative,) = report["initiatives"]
    assert initiative["category"] == "related"
    assert {m["code"] for m in initiative["missing"]} == {
        "lokale-overheid",
        "samenwerking",
        "probleem",
        "data",
    }


def test_validate_good_initiative_resolves_references_from_store_context(
    client: TestClient,
) -> None:
    response = client.post("/validate", content=body("good-initiative.ttl"), headers=TURTLE)
    report = response.json()
    assert report["conforms"] is True, report["results"]
    assert report["counts"]["violation"] == 0
    assert report["initiatives"][0]["category"] == "core"
    assert report["initiatives"][0]["missing"] == []


def test_validate_stores_nothing(client: TestClient) -> None:
    client.post("/validate", content=body("good-initiative.ttl"), headers=TURTLE)
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    assert not any("/graph/inzending/" in g for g in runtime.store.graph_names())


@pytest.mark.parametrize(
    ("accept", "media_type"),
    [
        ("text/turtle", "text/turtle"),
        ("application/ld+json", "application/ld+json"),
        ("application/n-triples", "application/n-triples"),
    ],
)
def test_validate_report_graph_by_accept(client: TestClient, accept: str, media_type: str) -> None:
    response = client.post(
        "/validate", content=body("broken-initiative.ttl"), headers={**TURTLE, "accept": accept}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(media_type)
    graph = parse_rdf(response.content, RdfFormat(media_type), base_iri=TEST_BASE + "/").graph
    assert (None, RDF.type, SH.ValidationReport) in graph
    assert len(list(graph.objects(None, SH.result))) >= 4


def test_validate_csv_one_row_per_result(client: TestClient) -> None:
    json_report = client.post(
        "/validate", content=body("broken-initiative.ttl"), headers=TURTLE
    ).json()
    response = client.post(
        "/validate", content=body("broken-initiative.ttl"), headers={**TURTLE, "accept": "text/csv"}
    )
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == len(json_report["results"])


def test_validate_html_report_for_browsers(client: TestClient) -> None:
    response = client.post(
        "/validate",
        files={"data": ("kapot.ttl", body("broken-initiative.ttl"), "application/octet-stream")},
        headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "<table>" in response.text
    assert "gerelateerd" in response.text
    assert "Broken sensors" in response.text


def test_validate_html_escapes_data(client: TestClient) -> None:
    data = (
        "@prefix dct: <http://purl.org/dc/terms/> .\n"
        f"<{TEST_BASE}/id/initiatief/x> a <{TEST_BASE}/ns/smartregio#SmartCityInitiatief> ;"
        ' dct:title "<script>alert(1)</script>"@en .\n'
    ).encode()
    response = client.post("/validate", content=data, headers={**TURTLE, "accept": "text/html"})
    assert "<script>alert(1)" not in response.text
    assert "&lt;script&gt;" in response.text


def test_validate_form_page(client: TestClient) -> None:
    response = client.get("/validate", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert 'enctype="multipart/form-data"' in response.text
    assert 'name="data"' in response.text


def test_validate_multipart_with_shapes_matches_pyshacl_in_process(client: TestClient) -> None:
    data, shapes = (CORE / "data.ttl").read_bytes(), (CORE / "shapes.ttl").read_bytes()
    response = client.post(
        "/validate",
        files={
            "data": ("data.ttl", data, "text/turtle"),
            "shapes": ("shapes.ttl", shapes, "text/turtle"),
        },
        headers={"accept": "application/n-triples"},
    )
    assert response.status_code == 200
    over_http = parse_rdf(response.content, RdfFormat.NTRIPLES, base_iri=TEST_BASE + "/").graph
    data_graph = parse_rdf(data, RdfFormat.TURTLE, base_iri=TEST_BASE + "/").graph
    shapes_graph = parse_rdf(shapes, RdfFormat.TURTLE, base_iri=TEST_BASE + "/").graph
    conforms, expected, _ = pyshacl.validate(data_graph, shacl_graph=shapes_graph)
    assert (None, SH.conforms, next(iter(expected.objects(None, SH.conforms)))) in over_http
    assert conforms is False
    assert keys_of_graph(over_http) == keys_of_graph(expected)
    components = {k[2] for k in keys_of_graph(over_http)}
    assert len(components) >= 28


def test_validate_json_with_shapes_counts_match_pyshacl(client: TestClient) -> None:
    data, shapes = (CORE / "data.ttl").read_bytes(), (CORE / "shapes.ttl").read_bytes()
    report = client.post(
        "/validate",
        files={"data": ("d.ttl", data, "text/turtle"), "shapes": ("s.ttl", shapes, "text/turtle")},
    ).json()
    _, expected, _ = pyshacl.validate(
        parse_rdf(data, RdfFormat.TURTLE, base_iri=TEST_BASE + "/").graph,
        shacl_graph=parse_rdf(shapes, RdfFormat.TURTLE, base_iri=TEST_BASE + "/").graph,
    )
    assert len(report["results"]) == len(list(expected.objects(None, SH.result)))


# -- bad input ----------------------------------------------------------------------------------


def test_validate_unparseable_400_with_line_and_column(client: TestClient) -> None:
    response = client.post("/validate", content=body("broken-syntax.ttl"), headers=TURTLE)
    assert response.status_code == 400
    problem = response.json()
    assert problem["error"] == "unparseable"
    assert problem["line"] == 4 or problem["line"] == 3
    assert "line" in problem["detail"]


def test_validate_unknown_media_type_415(client: TestClient) -> None:
    response = client.post(
        "/validate", content=body("wrong-media-type.csv"), headers={"content-type": "text/csv"}
    )
    assert response.status_code == 415
    assert "text/turtle" in response.json()["detail"]


def test_validate_multipart_unknown_part_format_415(client: TestClient) -> None:
    response = client.post("/validate", files={"data": ("rows.csv", b"a,b\n", "text/csv")})
    assert response.status_code == 415


def test_validate_not_acceptable_406(client: TestClient) -> None:
    response = client.post(
        "/validate", content=body("good-initiative.ttl"), headers={**TURTLE, "accept": "image/png"}
    )
    assert response.status_code == 406


@pytest.fixture
def small_client() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(max_body_bytes=1024))) as test_client:
        yield test_client


def test_validate_oversize_body_413(small_client: TestClient) -> None:
    data = b"@prefix ex: <http://example.org/> .\n" + b"ex:a ex:b ex:c .\n" * 200
    response = small_client.post("/validate", content=data, headers=TURTLE)
    assert response.status_code == 413


def test_validate_oversize_multipart_413(small_client: TestClient) -> None:
    data = b"@prefix ex: <http://example.org/> .\n" + b"ex:a ex:b ex:c .\n" * 200
    response = small_client.post("/validate", files={"data": ("d.ttl", data, "text/turtle")})
    assert response.status_code == 413


def test_validate_doctype_refused(client: TestClient) -> None:
    response = client.post(
        "/validate", content=body("doctype.rdf"), headers={"content-type": "application/rdf+xml"}
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unsafe-input"
    assert "DOCTYPE" in response.json()["detail"]


def test_validate_remote_context_refused(client: TestClient) -> None:
    response = client.post(
        "/validate",
        content=body("remote-context.jsonld"),
        headers={"content-type": "application/ld+json"},
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unsafe-input"
    assert "context" in response.json()["detail"]


def test_validate_invalid_utf8_400(client: TestClient) -> None:
    response = client.post("/validate", content=body("invalid-utf8.ttl"), headers=TURTLE)
    assert response.status_code == 400
    assert "UTF-8" in response.json()["detail"]


def test_validate_empty_body_400(client: TestClient) -> None:
    response = client.post("/validate", content=b"", headers=TURTLE)
    assert response.status_code == 400
    assert "empty" in response.json()["detail"]


def test_validate_multipart_without_data_field_400(client: TestClient) -> None:
    response = client.post("/validate", files={"other": ("d.ttl", b"x", "text/turtle")})
    assert response.status_code == 400
    assert "data" in response.json()["detail"]


def test_validate_uploaded_shapes_with_sparql_refused(client: TestClient) -> None:
    shapes = b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://example.org/S> a sh:NodeShape ; sh:targetNode <http://example.org/a> ;
  sh:sparql [ sh:select "SELECT $this WHERE { SERVICE <http://169.254.169.254/> { ?s ?p ?o } }" ] .
"""
    response = client.post(
        "/validate",
        files={
            "data": ("d.ttl", b"<http://example.org/a> <http://example.org/p> 1 .", "text/turtle"),
            "shapes": ("s.ttl", shapes, "text/turtle"),
        },
    )
    assert response.status_code == 400
    assert response.json()["error"] == "unsafe-input"
    assert "SHACL-SPARQL" in response.json()["detail"]
