"""The gate passes nothing it did not check (issue 13, points 1 and 2).

Typos, missing types, IRIs on another base and JSON-LD keys that expand to nothing are
violations naming the term and the closest known one; ``sh:conforms`` follows SHACL (false on
any result) and the gate's decision is the separate ``accepted``; nothing refused is stored.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sro_graph.web.app import create_app
from tests.conftest import STEWARD_TOKEN, TEST_BASE, make_settings

DATA = Path(__file__).resolve().parents[1] / "data"
TURTLE = {"content-type": "text/turtle"}
WRITE = {**TURTLE, "authorization": f"Bearer {STEWARD_TOKEN}"}
SR = f"{TEST_BASE}/ns/smartregio#"
UNKNOWN_TERM = SR + "UnknownTermConstraintComponent"
NOTHING_CHECKED = SR + "NothingCheckedConstraintComponent"
UNDEFINED_KEY = SR + "UndefinedJsonLdTermConstraintComponent"


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings())) as test_client:
        yield test_client


def good() -> str:
    return (DATA / "good-initiative.ttl").read_text(encoding="utf-8")


def stored(client: TestClient) -> int:
    return int(client.get("/submissions").json()["total"])


def own_results(report: dict[str, Any], component: str) -> list[dict[str, Any]]:
    return [r for r in report["results"] if r["constraint"] == component]


def test_gate_property_typo_is_a_violation_naming_the_closest_term(client: TestClient) -> None:
    """Issue 13.1: sr:buget is not a term of the vocabulary; did you mean sr:budget?"""
    data = good().replace(
        '    dct:description "',
        '    sr:buget "275000.0"^^<http://www.w3.org/2001/XMLSchema#decimal> ;\n'
        '    dct:description "',
    )
    report = client.post("/validate", content=data.encode(), headers=TURTLE).json()
    (result,) = own_results(report, UNKNOWN_TERM)
    assert result["severity"] == "Violation"
    assert result["value"] == SR + "buget"
    assert (
        result["message"]["en"]
        == "sr:buget is not a term of the vocabulary; did you mean sr:budget?"
    )
    assert (
        result["message"]["nl"]
        == "sr:buget is geen term van het vocabularium; bedoelde u sr:budget?"
    )
    assert report["accepted"] is False
    response = client.post("/submissions", content=data.encode(), headers=WRITE)
    assert response.status_code == 422
    assert stored(client) == 0


def test_gate_class_typo_is_refused_and_nothing_stored(client: TestClient) -> None:
    """Issue 13.1: `a sr:SmartcityInitiatief` gave conforms true and initiatives [] (201)."""
    data = good().replace("a sr:SmartCityInitiatief", "a sr:SmartcityInitiatief")
    report = client.post("/validate", content=data.encode(), headers=TURTLE).json()
    assert report["conforms"] is False
    assert report["accepted"] is False
    assert report["checked"] == 0
    (typo,) = own_results(report, UNKNOWN_TERM)
    assert "sr:SmartCityInitiatief" in typo["message"]["en"]
    assert own_results(report, NOTHING_CHECKED)
    response = client.post("/submissions", content=data.encode(), headers=WRITE)
    assert response.status_code == 422
    assert response.json()["report"]["accepted"] is False
    assert stored(client) == 0


def test_gate_missing_type_checks_nothing_and_is_refused(client: TestClient) -> None:
    """Issue 13.1: without rdf:type nothing is validated, so nothing is accepted."""
    data = good().replace("    a sr:SmartCityInitiatief ;\n", "")
    report = client.post("/validate", content=data.encode(), headers=TURTLE).json()
    (nothing,) = own_results(report, NOTHING_CHECKED)
    assert nothing["severity"] == "Violation"
    assert "nothing was checked" in nothing["message"]["en"]
    assert report["accepted"] is False
    assert client.post("/submissions", content=data.encode(), headers=WRITE).status_code == 422
    assert stored(client) == 0


def test_gate_other_base_is_named_with_this_base(client: TestClient) -> None:
    """Issue 13.1: IRIs on another base passed unseen."""
    data = good().replace(TEST_BASE + "/ns/smartregio#", "https://elders.example/ns/smartregio#")
    report = client.post("/validate", content=data.encode(), headers=TURTLE).json()
    results = own_results(report, UNKNOWN_TERM)
    assert results
    assert all("another base" in r["message"]["en"] for r in results)
    assert report["accepted"] is False
    assert client.post("/submissions", content=data.encode(), headers=WRITE).status_code == 422


def test_gate_jsonld_keys_that_expand_to_nothing_are_reported(client: TestClient) -> None:
    """Issue 13.1: JSON-LD keys the context does not define were silently dropped."""
    doc = {
        "@context": {
            "sr": SR,
            "dct": "http://purl.org/dc/terms/",
            "titel": {"@id": "dct:title", "@language": "nl"},
        },
        "@id": f"{TEST_BASE}/id/initiatief/json-ld-proef",
        "@type": "sr:SmartCityInitiatief",
        "titel": "Proef",
        "budjet": 1000,
    }
    response = client.post(
        "/validate",
        content=json.dumps(doc).encode(),
        headers={"content-type": "application/ld+json"},
    )
    report = response.json()
    (dropped,) = own_results(report, UNDEFINED_KEY)
    assert dropped["value"] == "budjet"
    assert "budjet" in dropped["message"]["en"]
    assert "sr:budget" in dropped["message"]["en"]
    assert report["accepted"] is False


def test_gate_warnings_only_do_not_conform_but_are_accepted(client: TestClient) -> None:
    """Issue 13.2: sh:conforms is false on any result (SHACL 3.6.1); `accepted` is the gate."""
    data = good().replace("    dct:spatial <https://data.vlaanderen.be/id/gemeente/11002> ;\n", "")
    report = client.post("/validate", content=data.encode(), headers=TURTLE).json()
    assert report["counts"]["violation"] == 0
    assert report["counts"]["warning"] >= 1
    assert report["conforms"] is False
    assert report["accepted"] is True
    turtle = client.post(
        "/validate", content=data.encode(), headers={**TURTLE, "accept": "application/n-triples"}
    ).text
    assert '<http://www.w3.org/ns/shacl#conforms> "false"' in turtle
    response = client.post("/submissions", content=data.encode(), headers=WRITE)
    assert response.status_code == 201, response.text
    assert response.json()["report"]["accepted"] is True
    assert response.json()["report"]["conforms"] is False


def test_gate_conforming_data_conforms_and_is_accepted(client: TestClient) -> None:
    report = client.post("/validate", content=good().encode(), headers=TURTLE).json()
    assert report["conforms"] is True
    assert report["accepted"] is True
    assert report["checked"] >= 1
    assert report["results"] == []


def test_gate_uploaded_shapes_that_target_nothing_are_never_accepted(client: TestClient) -> None:
    """Issue 13.2, fail closed: SHACL says conforms when nothing is targeted; the gate does not."""
    shapes = b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
<http://example.org/S> a sh:NodeShape ; sh:targetClass <http://example.org/Nothing> ;
  sh:property [ sh:path <http://example.org/p> ; sh:minCount 1 ] ."""
    report = client.post(
        "/validate",
        files={
            "data": ("d.ttl", b"<http://example.org/a> <http://example.org/p> 1 .", "text/turtle"),
            "shapes": ("s.ttl", shapes, "text/turtle"),
        },
    ).json()
    assert report["conforms"] is True
    assert report["checked"] == 0
    assert report["accepted"] is False


def test_gate_uploaded_shapes_may_declare_prefixes(client: TestClient) -> None:
    """Issue 13.2: sh:declare (W3C core/complex/shacl-shacl) was refused as SHACL-SPARQL."""
    shapes = b"""@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<http://example.org/> sh:declare [ sh:prefix "ex" ;
    sh:namespace "http://example.org/"^^xsd:anyURI ] .
<http://example.org/S> a sh:NodeShape ; sh:targetNode <http://example.org/a> ;
  sh:property [ sh:path <http://example.org/p> ; sh:minCount 2 ] ."""
    response = client.post(
        "/validate",
        files={
            "data": ("d.ttl", b"<http://example.org/a> <http://example.org/p> 1 .", "text/turtle"),
            "shapes": ("s.ttl", shapes, "text/turtle"),
        },
    )
    assert response.status_code == 200, response.text
    assert response.json()["counts"]["violation"] == 1
