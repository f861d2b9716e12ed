"""Messages that say what to fix (issue 13, point 3) and safe CSV cells (point 6).

The specific cause (``sh:detail``) in every representation, one result per cause, the allowed
values of a scheme, municipality codes checked against REFNIS 2025, a hint for a local
government the base knowledge lacks, and a documentation link on every result.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from sro_graph.web.app import create_app
from tests.conftest import TEST_BASE, make_settings

DATA = Path(__file__).resolve().parents[1] / "data"
TURTLE = {"content-type": "text/turtle"}
INITIATIVE = f"{TEST_BASE}/id/initiatief/proef-luchtmeting"
SH = "http://www.w3.org/ns/shacl#"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings())) as test_client:
        yield test_client


def good() -> str:
    return (DATA / "good-initiative.ttl").read_text(encoding="utf-8")


def validate(client: TestClient, data: str, accept: str = "application/json") -> Any:
    response = client.post("/validate", content=data.encode(), headers={**TURTLE, "accept": accept})
    assert response.status_code == 200, response.text
    return response.json() if accept == "application/json" else response.text


def results_on(report: Any, path: str) -> list[dict[str, Any]]:
    return [r for r in report["results"] if r["path"] == path]


def test_messages_concept_of_the_wrong_scheme_names_the_cause_everywhere(
    client: TestClient,
) -> None:
    """Issue 13.3: "concept not in scheme 'uitdaging'" was only in the Turtle report."""
    data = good().replace(
        "sr:uitdaging <https://sro.test/id/concept/uitdaging/1>",
        "sr:uitdaging <https://sro.test/id/concept/focusdomein/environment>",
    )
    report = validate(client, data)
    (result,) = results_on(report, f"{TEST_BASE}/ns/smartregio#uitdaging")
    causes = [d["message"]["en"] for d in result["details"]]
    assert "The concept is not in the scheme 'uitdaging'." in causes
    html = validate(client, data, "text/html")
    assert "Het concept hoort niet bij het schema" in str(html)
    rows = list(csv.DictReader(io.StringIO(str(validate(client, data, "text/csv")))))
    (row,) = [r for r in rows if r["path"].endswith("#uitdaging")]
    assert "not in the scheme 'uitdaging'" in row["detail_en"]


def test_messages_a_value_is_reported_once_per_cause(client: TestClient) -> None:
    """Issue 13.3: a budget "275000" (a string) gave two rows, datatype and minInclusive."""
    data = good().replace(
        '    dct:description "', '    sr:budget "275000" ;\n    dct:description "', 1
    )
    report = validate(client, data)
    (result,) = results_on(report, f"{TEST_BASE}/ns/smartregio#budget")
    assert result["constraint"] == f"{SH}DatatypeConstraintComponent"
    assert f"{SH}MinInclusiveConstraintComponent" in result["alsoViolates"]


def test_messages_unknown_concept_lists_the_values_that_exist(client: TestClient) -> None:
    """Issue 13.3: uitdaging/10 did not say which challenges exist."""
    data = good().replace("concept/uitdaging/1>", "concept/uitdaging/10>")
    report = validate(client, data)
    (result,) = results_on(report, f"{TEST_BASE}/ns/smartregio#uitdaging")
    hint = result["hint"]
    assert isinstance(hint, dict)
    assert "Nood aan een duidelijke richting" in hint["nl"]
    assert all(f"{TEST_BASE}/id/concept/uitdaging/{n}" in hint["en"] for n in range(1, 10))


def test_messages_municipality_outside_refnis_is_a_violation(client: TestClient) -> None:
    """Issue 13.3: municipality codes are checked against REFNIS 2025 (99999 passed)."""
    data = good().replace("gemeente/11002>", "gemeente/99999>")
    report = validate(client, data)
    violations = [
        r
        for r in results_on(report, "http://purl.org/dc/terms/spatial")
        if r["severity"] == "Violation"
    ]
    (result,) = violations
    assert result["value"] == "https://data.vlaanderen.be/id/gemeente/99999"
    assert "REFNIS" in result["hint"]["en"]
    assert report["accepted"] is False


def test_messages_municipality_of_refnis_passes(client: TestClient) -> None:
    data = good().replace("gemeente/11002>", "gemeente/11001>")
    report = validate(client, data)
    assert results_on(report, "http://purl.org/dc/terms/spatial") == []


def test_messages_unknown_local_government_gets_a_hint_how_to_describe_it(
    client: TestClient,
) -> None:
    """Issue 13.3: a local government not in the base knowledge only failed sh:class."""
    data = good().replace("bestuurseenheid/11002>", "bestuurseenheid/11001>")
    report = validate(client, data)
    (result,) = [
        r
        for r in results_on(report, "http://www.w3.org/ns/prov#wasAssociatedWith")
        if r["value"] == f"{TEST_BASE}/id/bestuurseenheid/11001"
    ]
    hint = result["hint"]["en"]
    assert "besluit:Bestuurseenheid" in hint
    assert "https://data.vlaanderen.be/id/gemeente/11001" in hint


def test_messages_every_result_links_documentation(client: TestClient) -> None:
    """Issue 13.3: every message links to the OSLO or project documentation of the term."""
    report = validate(client, (DATA / "broken-initiative.ttl").read_text(encoding="utf-8"))
    assert isinstance(report, dict)
    assert report["results"]
    for result in report["results"]:
        assert result["help"], result
        assert all(link.startswith(("http://", "https://")) for link in result["help"])
    (title,) = [r for r in report["results"] if r["path"] == "http://purl.org/dc/terms/title"][:1]
    assert "http://purl.org/dc/terms/title" in title["help"]
    html = validate(
        client, (DATA / "broken-initiative.ttl").read_text(encoding="utf-8"), "text/html"
    )
    assert 'href="http://purl.org/dc/terms/title"' in str(html)


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_report_csv_neutralises_formula_cells(client: TestClient, start: str) -> None:
    """Issue 13.6: a CSV cell that starts with = + - @, tab or CR is neutralised."""
    title = f"{start}HYPERLINK(1)"
    escaped = title.replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r")
    data = (
        good()
        .replace('"Proef luchtmeting"@nl', f'"{escaped}"@nl')
        .replace("sr:uitdaging <https://sro.test/id/concept/uitdaging/1> ;\n", "")
    )
    rows = list(csv.DictReader(io.StringIO(str(validate(client, data, "text/csv")))))
    assert rows
    for row in rows:
        for cell in row.values():
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
    assert any(row["focus_label"] == "'" + title for row in rows)
