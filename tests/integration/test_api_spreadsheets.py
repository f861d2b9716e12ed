"""The spreadsheet template through the API (issue 13.8): downloads whose code lists come from
the store, and filled-in templates that validate and submit like RDF, reported by cell."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from sro_graph.submissions import Upload
from sro_graph.submissions.sheets.columns import COLUMNS
from tests.conftest import STEWARD_TOKEN, TEST_BASE
from tests.spreadsheets import XLSX, row, sheet_csv, sheet_xlsx

AUTH = {"authorization": f"Bearer {STEWARD_TOKEN}"}
SHEET = {**AUTH, "content-type": XLSX}
CSV = {**AUTH, "content-type": "text/csv"}
INITIATIVE = f"{TEST_BASE}/id/initiatief/blad-luchtmeting"


def sparql(client: TestClient, query: str) -> list[dict[str, str]]:
    response = client.get(
        "/sparql", params={"query": query}, headers={"accept": "application/sparql-results+json"}
    )
    assert response.status_code == 200, response.text
    return [{k: v["value"] for k, v in b.items()} for b in response.json()["results"]["bindings"]]


def submission_graphs(client: TestClient) -> set[str]:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    return {g for g in runtime.store.graph_names() if "/graph/inzending/" in g}


# -- the template ---------------------------------------------------------------------------------


def test_xlsx_template_lists_the_codes_the_store_holds(client: TestClient) -> None:
    response = client.get("/submissions/template.xlsx")
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    assert "attachment" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    assert book.sheetnames[:2] == ["initiatieven", "uitleg"]
    headers = [c.value for c in next(book["initiatieven"].iter_rows(max_row=1))]
    assert headers == [c.header for c in COLUMNS]
    for scheme in ("uitdaging", "strategische-doelstelling", "focusdomein"):
        in_sheet = {
            (str(code), label)
            for code, label, _iri in book[scheme].iter_rows(min_row=2, values_only=True)
        }
        in_store = {
            (r["n"], r["l"])
            for r in sparql(
                client,
                "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> SELECT ?n ?l WHERE { "
                f"?c skos:inScheme <{TEST_BASE}/id/conceptscheme/{scheme}> ; skos:notation ?n ; "
                'skos:prefLabel ?l FILTER(lang(?l) = "nl") }',
            )
        }
        assert in_sheet == in_store, scheme
        assert in_sheet
    municipalities = list(book["gemeenten"].iter_rows(min_row=2, values_only=True))
    count = sparql(
        client,
        "SELECT (COUNT(?g) AS ?n) WHERE { ?g a <https://data.vlaanderen.be/ns/generiek#Gemeente> }",
    )
    assert len(municipalities) == int(count[0]["n"]) == 285
    organisations = {r[0] for r in book["organisaties"].iter_rows(min_row=2, values_only=True)}
    assert {"organisatie/vlaio", "bestuurseenheid/11002"} <= organisations


def test_csv_template_and_code_list(client: TestClient) -> None:
    template = client.get("/submissions/template.csv")
    assert template.status_code == 200
    text = template.content.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text), delimiter=";")) == [c.header for c in COLUMNS]
    codes = client.get("/submissions/codes.csv").content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(codes), delimiter=";"))
    assert rows[0] == ["lijst", "code", "label", "iri"]
    assert rows[8][:2] == ["uitdaging", "8"]
    assert {r[0] for r in rows[1:]} >= {"uitdaging", "gemeenten", "organisaties"}


def test_downloaded_template_filled_in_is_accepted(client: TestClient) -> None:
    book = load_workbook(io.BytesIO(client.get("/submissions/template.xlsx").content))
    sheet = book["initiatieven"]
    headers = [c.value for c in sheet[1]]
    for header, value in row().items():
        sheet.cell(row=2, column=headers.index(header) + 1, value=value)
    buffer = io.BytesIO()
    book.save(buffer)
    response = client.post("/submissions", content=buffer.getvalue(), headers=SHEET)
    assert response.status_code == 201, response.text
    assert response.json()["mediaType"] == XLSX
    assert response.json()["titles"] == ["Luchtmeting uit een spreadsheet"]
    titles = sparql(
        client, f"SELECT ?t WHERE {{ <{INITIATIVE}> <http://purl.org/dc/terms/title> ?t }}"
    )
    assert {t["t"] for t in titles} == {
        "Luchtmeting uit een spreadsheet",
        "Air measurement from a spreadsheet",
    }


# -- a spreadsheet meets the same gate as RDF -----------------------------------------------------


def test_two_bad_cells_422_reported_by_row_and_column_nothing_stored(client: TestClient) -> None:
    data = sheet_xlsx([row(uitdagingen="1; 10", budget="275.000")])
    response = client.post("/submissions", content=data, headers=SHEET)
    assert response.status_code == 422, response.text
    report = response.json()["report"]
    assert report["accepted"] is False
    assert report["conforms"] is False
    assert report["source"] == "spreadsheet"
    assert [(c["cell"], c["column"], c["value"]) for c in report["cells"]] == [
        ("F2", "uitdagingen", "10"),
        ("R2", "budget", "275.000"),
    ]
    assert report["counts"]["violation"] >= 2
    assert submission_graphs(client) == set()


def test_every_shacl_result_points_at_row_and_column(client: TestClient) -> None:
    data = sheet_csv(
        [
            row(
                actoren=None,
                strategische_doelstellingen=None,
                startdatum="2024-05-01",
                einddatum="2024-01-01",
            )
        ]
    )
    response = client.post("/submissions/check", content=data, headers=CSV)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["accepted"] is False
    # Every result, warnings included: a missing objective is a warning since issue 14.
    by_path = {r["path"]: r for r in report["results"]}
    assert by_path["http://www.w3.org/ns/prov#wasAssociatedWith"]["cell"] == "O2"
    assert by_path[f"{TEST_BASE}/ns/smartregio#draagtBijTot"]["column"] == (
        "strategische_doelstellingen"
    )
    assert by_path["http://www.w3.org/ns/prov#startedAtTime"]["cell"] == "P2"
    assert all(r.get("row") == 2 for r in report["results"])


def test_spreadsheet_and_its_rdf_get_the_same_findings(client: TestClient) -> None:
    """Differential: a spreadsheet is judged exactly as the RDF it becomes."""
    data = sheet_xlsx([row(actoren=None, titel_en=None)])  # no actor: a violation
    from_sheet = client.post("/submissions/check", content=data, headers=SHEET).json()
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    graph = runtime.submissions.parse_upload(Upload(data, XLSX)).graph
    turtle = graph.serialize(format="turtle").encode()
    from_rdf = client.post(
        "/submissions/check", content=turtle, headers={**AUTH, "content-type": "text/turtle"}
    ).json()

    def findings(report: dict[str, Any]) -> set[tuple[str, ...]]:
        return {(r["focus"], r["path"], r["constraint"], r["severity"]) for r in report["results"]}

    assert findings(from_sheet) == findings(from_rdf)
    assert findings(from_sheet)
    assert from_sheet["accepted"] == from_rdf["accepted"] is False


def test_spreadsheet_that_describes_a_taken_subject_names_the_row(client: TestClient) -> None:
    assert client.post("/submissions", content=sheet_csv([row()]), headers=CSV).status_code == 201
    again = client.post("/submissions", content=sheet_csv([row(id="nieuw"), row()]), headers=CSV)
    assert again.status_code == 400
    assert again.json()["detail"].startswith("Row 3:")


def test_dataset_published_on_request_in_the_publish_column(client: TestClient) -> None:
    data = sheet_csv([row(dataset_titel="Metingen", dataset_publiceren="ja")])
    response = client.post("/submissions", content=data, headers=CSV)
    assert response.status_code == 201, response.text
    dataset = f"{TEST_BASE}/id/dataset/blad-luchtmeting"
    assert response.json()["publishedDatasets"] == [dataset]
    assert response.json()["report"]["datasets"][0]["published"] is True


def test_spreadsheet_replaces_a_submission(client: TestClient) -> None:
    created = client.post("/submissions", content=sheet_csv([row()]), headers=CSV)
    replaced = client.put(
        created.headers["location"],
        content=sheet_xlsx([row(titel="Nieuwe titel")]),
        headers={**SHEET, "if-match": created.headers["etag"]},
    )
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["titles"] == ["Nieuwe titel"]


# -- hostile spreadsheets over HTTP ---------------------------------------------------------------


def test_zip_bomb_upload_is_413_and_stores_nothing(client: TestClient) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 100_000_000)
    response = client.post("/submissions", content=buffer.getvalue(), headers=SHEET)
    assert response.status_code == 413
    assert submission_graphs(client) == set()


def test_more_initiatives_than_the_row_cap_is_413(client: TestClient) -> None:
    rows = [row(id=f"rij-{i}") for i in range(1001)]
    response = client.post("/submissions/check", content=sheet_csv(rows), headers=CSV)
    assert response.status_code == 413
    assert "1000" in response.json()["detail"]


@pytest.mark.parametrize(
    "data",
    [b"PK\x03\x04 broken zip", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512],
)
def test_unreadable_workbook_is_400_with_a_hint(client: TestClient, data: bytes) -> None:
    response = client.post("/submissions", content=data, headers=SHEET)
    assert response.status_code == 400
    assert ".xlsx" in response.json()["detail"]
