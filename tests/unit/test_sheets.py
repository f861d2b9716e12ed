"""The spreadsheet import (issue 13.8): reading within limits, hostile workbooks, cells into
RDF with every left-out cell reported by row and column."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from rdflib import Literal, URIRef

from sro_graph.errors import InputError, TooLargeError, UnsafeInputError
from sro_graph.runtime import Runtime
from sro_graph.submissions.gate import refuse_unlinkable_iris
from sro_graph.submissions.sheets import (
    CodeLists,
    SheetFormat,
    SheetLimits,
    convert_sheet,
    read_code_lists,
    read_sheet,
    sheet_format,
)
from sro_graph.submissions.sheets.columns import COLUMNS
from sro_graph.submissions.sheets.read import column_letter
from sro_graph.vocab import DCTERMS, PROV, SCHEMA, XSD, Uris
from tests.conftest import TEST_BASE
from tests.spreadsheets import HEADERS, row, sheet_csv, sheet_xlsx

LIMITS = SheetLimits()
URIS = Uris(TEST_BASE)
INITIATIVE = URIRef(f"{TEST_BASE}/id/initiatief/blad-luchtmeting")
SR = URIS.sr


@pytest.fixture(scope="module")
def codes(runtime: Runtime) -> CodeLists:
    """The lists as the base knowledge holds them (never a hand-copied list)."""
    return read_code_lists(runtime.store, runtime.uris)


def convert(data: bytes, fmt: SheetFormat, codes: CodeLists, limits: SheetLimits = LIMITS):
    return convert_sheet(read_sheet(data, fmt, limits), codes, URIS)


# -- formats and reading --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("media_type", "name", "expected"),
    [
        ("text/csv", None, SheetFormat.CSV),
        ("text/csv; charset=utf-8", None, SheetFormat.CSV),
        ("application/csv", None, SheetFormat.CSV),
        (SheetFormat.XLSX.value, None, SheetFormat.XLSX),
        ("", "initiatieven.XLSX", SheetFormat.XLSX),
        ("", "initiatieven.csv", SheetFormat.CSV),
        ("text/turtle", "x.xlsx", None),
        ("", "x.ttl", None),
    ],
)
def test_sheet_format_from_media_type_then_file_name(
    media_type: str, name: str | None, expected: SheetFormat | None
) -> None:
    assert sheet_format(media_type or None, name if not media_type else None) == expected


@pytest.mark.parametrize("delimiter", [";", ",", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1252"])
def test_csv_is_read_with_any_usual_delimiter_and_encoding(
    codes: CodeLists, delimiter: str, encoding: str
) -> None:
    data = sheet_csv(
        [row(titel="Luchtmeting in Sint-Niklaas: één test")],
        delimiter=delimiter,
        encoding=encoding,
    )
    out = convert(data, SheetFormat.CSV, codes)
    assert out.problems == []
    assert (
        INITIATIVE,
        DCTERMS.title,
        Literal("Luchtmeting in Sint-Niklaas: één test", lang="nl"),
    ) in out.graph


def test_blank_lines_between_rows_are_skipped(codes: CodeLists) -> None:
    data = sheet_csv([row(), {}, row(id="tweede")])
    sheet = read_sheet(data, SheetFormat.CSV, LIMITS)
    assert [cells[0].row for cells in sheet.rows] == [2, 4]


def test_csv_with_nul_bytes_is_refused() -> None:
    with pytest.raises(InputError, match="NUL"):
        read_sheet(b"id;titel\x00\r\nx;y\r\n", SheetFormat.CSV, LIMITS)


def test_value_in_a_column_without_name_is_refused() -> None:
    data = b"id;titel;beschrijving\r\nx;y;z;verloren\r\n"
    with pytest.raises(InputError, match="column D"):
        read_sheet(data, SheetFormat.CSV, LIMITS)


@pytest.mark.parametrize("fmt", [SheetFormat.CSV, SheetFormat.XLSX])
def test_more_rows_than_the_cap_are_refused(fmt: SheetFormat) -> None:
    rows = [row(id=f"rij-{i}") for i in range(6)]
    data = sheet_csv(rows) if fmt is SheetFormat.CSV else sheet_xlsx(rows)
    with pytest.raises(TooLargeError, match="more than 5 initiatives"):
        read_sheet(data, fmt, SheetLimits(max_rows=5))
    assert len(read_sheet(data, fmt, SheetLimits(max_rows=6)).rows) == 6


def test_a_sheet_of_empty_rows_is_refused_at_the_scan_cap() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADERS)
    sheet.cell(row=50_000, column=1, value="x")  # 50,000 rows apart, a tiny file
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(TooLargeError, match="rows"):
        read_sheet(buffer.getvalue(), SheetFormat.XLSX, LIMITS)


def test_too_many_columns_are_refused() -> None:
    data = ";".join(f"k{i}" for i in range(100)).encode() + b"\r\n"
    with pytest.raises(TooLargeError, match="columns"):
        read_sheet(data, SheetFormat.CSV, LIMITS)


# -- hostile workbooks ----------------------------------------------------------------------------


def _zip(members: dict[str, bytes], *, encrypted: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    data = bytearray(buffer.getvalue())
    if encrypted:  # set the "encrypted" flag bit in every central directory entry
        at = data.find(b"PK\x01\x02")
        while at >= 0:
            data[at + 8] |= 0x1
            at = data.find(b"PK\x01\x02", at + 4)
    return bytes(data)


def test_zip_bomb_is_refused_before_it_is_unpacked() -> None:
    bomb = _zip({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": b"\0" * 80_000_000})
    assert len(bomb) < 200_000
    with pytest.raises(TooLargeError, match="unpacks to"):
        read_sheet(bomb, SheetFormat.XLSX, LIMITS)


def test_encrypted_workbook_is_refused() -> None:
    data = _zip({"xl/workbook.xml": b"<workbook/>"}, encrypted=True)
    with pytest.raises(UnsafeInputError, match="encrypted"):
        read_sheet(data, SheetFormat.XLSX, LIMITS)


def test_old_or_password_protected_workbook_is_refused_with_a_hint() -> None:
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600
    with pytest.raises(UnsafeInputError, match="without a password"):
        read_sheet(ole, SheetFormat.XLSX, LIMITS)


def test_workbook_with_macros_is_refused() -> None:
    data = _zip({"xl/workbook.xml": b"<workbook/>", "xl/vbaProject.bin": b"\0" * 10})
    with pytest.raises(UnsafeInputError, match="macros"):
        read_sheet(data, SheetFormat.XLSX, LIMITS)


@pytest.mark.parametrize(
    "data",
    [b"not a zip at all", _zip({"word/document.xml": b"<w/>"}), _zip({"xl/workbook.xml": b"<"})],
)
def test_what_is_not_a_workbook_is_refused_plainly(data: bytes) -> None:
    with pytest.raises(InputError):
        read_sheet(data, SheetFormat.XLSX, LIMITS)


def test_entity_expansion_in_workbook_xml_is_refused() -> None:
    """A billion-laughs sheet: defusedxml refuses entity declarations before expanding."""
    good = zipfile.ZipFile(io.BytesIO(sheet_xlsx([row()])))
    members = {name: good.read(name) for name in good.namelist()}
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        + b"".join(
            f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i else "&lol;" * 10}">'.encode()
            for i in range(9)
        )
        + b']><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol8;</t></is></c></row>'
        b"</sheetData></worksheet>"
    )
    members["xl/worksheets/sheet1.xml"] = laughs
    with pytest.raises(InputError):
        read_sheet(_zip(members), SheetFormat.XLSX, LIMITS)


def test_formula_cells_are_reported_not_evaluated(codes: CodeLists) -> None:
    data = sheet_xlsx([row(budget="=1000*275", titel='=HYPERLINK("http://evil","klik")')])
    out = convert(data, SheetFormat.XLSX, codes)
    cells = {(p.location.column, p.location.cell) for p in out.problems}
    assert ("budget", "R2") in cells
    assert ("titel", "B2") in cells
    assert all("Formul" in p.message["nl"] for p in out.problems)
    assert not any(isinstance(o, Literal) and "evil" in o for o in out.graph.objects())


# -- cells into RDF -------------------------------------------------------------------------------


def test_good_row_becomes_an_initiative(codes: CodeLists) -> None:
    out = convert(sheet_xlsx([row()]), SheetFormat.XLSX, codes)
    assert out.problems == []
    g = out.graph
    assert (INITIATIVE, SR.uitdaging, URIS.concept("uitdaging", "8")) in g
    assert (INITIATIVE, SR.focusdomein, URIS.concept("focusdomein", "environment")) in g
    assert (
        INITIATIVE,
        DCTERMS.spatial,
        URIRef("https://data.vlaanderen.be/id/gemeente/11002"),
    ) in g
    assert (INITIATIVE, PROV.wasAssociatedWith, URIS.thing("organisatie", "vlaio")) in g
    assert (
        INITIATIVE,
        PROV.startedAtTime,
        Literal("2024-03-01T00:00:00", datatype=XSD.dateTime),
    ) in g
    assert (INITIATIVE, SR.budget, Literal("275000", datatype=XSD.decimal)) in g
    assert (INITIATIVE, SR.isVuurtoren, Literal(False)) in g
    contact = URIRef(f"{INITIATIVE}#contactpunt")
    assert (INITIATIVE, SCHEMA.contactPoint, contact) in g
    assert (contact, SCHEMA.email, Literal("data@antwerpen.be")) in g
    assert out.locate(str(INITIATIVE), str(SR.uitdaging)).cell == "F2"


def test_native_spreadsheet_values_are_read(codes: CodeLists) -> None:
    data = sheet_xlsx(
        [row(startdatum=datetime(2024, 3, 1), budget=275000.5, gemeenten=11002, vuurtoren=True)]
    )
    out = convert(data, SheetFormat.XLSX, codes)
    assert out.problems == []
    assert (INITIATIVE, SR.budget, Literal("275000.5", datatype=XSD.decimal)) in out.graph
    assert (INITIATIVE, SR.isVuurtoren, Literal(True)) in out.graph


def test_codes_by_label_names_and_full_iris(codes: CodeLists) -> None:
    data = sheet_csv(
        [
            row(
                uitdagingen="Nood aan een duidelijke richting",
                gemeenten="antwerpen; https://data.vlaanderen.be/id/gemeente/44021",
                actoren=f"{TEST_BASE}/id/organisatie/vlaio; https://example.org/partner",
            )
        ]
    )
    out = convert(data, SheetFormat.CSV, codes)
    assert out.problems == []
    assert (INITIATIVE, SR.uitdaging, URIS.concept("uitdaging", "1")) in out.graph
    assert (
        INITIATIVE,
        DCTERMS.spatial,
        URIRef("https://data.vlaanderen.be/id/gemeente/44021"),
    ) in out.graph
    assert (INITIATIVE, PROV.wasAssociatedWith, URIRef("https://example.org/partner")) in out.graph


@pytest.mark.parametrize(
    ("column", "value", "letter", "says"),
    [
        ("uitdagingen", "10", "F", "1, 2, 3"),
        ("focusdomeinen", "mobiel", "H", "mobility"),
        ("gemeenten", "Atlantis", "N", "NIS"),
        ("actoren", "organisatie/bestaat-niet", "O", "organisaties"),
        ("actoren", "javascript:alert(1)", "O", "organisaties"),
        ("startdatum", "31/02/2024", "P", "JJJJ-MM-DD"),
        ("startdatum", "volgend jaar", "P", "JJJJ-MM-DD"),
        ("budget", "275.000", "R", "275000"),
        ("budget", "veel", "R", "275000"),
        ("budget", "1,234,567", "R", "275000"),
        ("website", "javascript:alert(1)", "S", "https://"),
        ("website", "www.antwerpen.be", "S", "https://"),
        ("contact_email", "geen adres", "T", "e-mailadres"),
        ("vuurtoren", "misschien", "U", "ja of nee"),
        ("id", "Met Spaties", "A", "kleine letters"),
    ],
)
def test_bad_cell_is_left_out_and_reported_by_row_and_column(
    codes: CodeLists, column: str, value: str, letter: str, says: str
) -> None:
    second = {**row(id="tweede"), column: value}
    out = convert(sheet_csv([row(), second]), SheetFormat.CSV, codes)
    [problem] = out.problems
    assert problem.location.row == 3
    assert problem.location.column == column
    assert problem.location.cell == f"{letter}3"
    assert problem.value == value
    assert says in problem.message["nl"]
    assert problem.message["en"]
    refuse_unlinkable_iris(out.graph)  # nothing of another scheme reached the graph


def test_two_bad_cells_are_two_problems(codes: CodeLists) -> None:
    out = convert(sheet_xlsx([row(uitdagingen="1; 10", budget="275.000")]), SheetFormat.XLSX, codes)
    assert [(p.location.cell, p.value) for p in out.problems] == [("F2", "10"), ("R2", "275.000")]
    # The good parts of the row are still there, for SHACL to judge.
    assert (INITIATIVE, SR.uitdaging, URIS.concept("uitdaging", "1")) in out.graph


def test_unknown_column_is_reported_on_the_header_row(codes: CodeLists) -> None:
    out = convert(sheet_csv([row()], [*HEADERS, "opmerking"]), SheetFormat.CSV, codes)
    [problem] = out.problems
    assert (problem.location.row, problem.location.column) == (1, "opmerking")


def test_a_file_without_the_required_columns_is_not_the_template(codes: CodeLists) -> None:
    with pytest.raises(InputError, match="not the initiatives template"):
        convert(b"id,name\r\n1,not rdf\r\n", SheetFormat.CSV, codes)


def test_duplicate_ids_are_reported(codes: CodeLists) -> None:
    out = convert(sheet_csv([row(), row(titel="Nog eens")]), SheetFormat.CSV, codes)
    [problem] = out.problems
    assert problem.location.cell == "A3"
    assert "rij 2" in problem.message["nl"]


def test_publishing_without_a_dataset_is_reported(codes: CodeLists) -> None:
    out = convert(sheet_csv([row(dataset_publiceren="ja")]), SheetFormat.CSV, codes)
    assert [p.location.column for p in out.problems] == ["dataset_publiceren"]
    assert out.publish == set()


def test_dataset_columns_declare_a_dataset_to_publish(codes: CodeLists) -> None:
    out = convert(
        sheet_csv(
            [
                row(
                    dataset_titel="Metingen",
                    dataset_trefwoorden="lucht; fijn stof",
                    dataset_landingspagina="https://data.antwerpen.be/metingen",
                    dataset_publiceren="ja",
                )
            ]
        ),
        SheetFormat.CSV,
        codes,
    )
    dataset = URIS.thing("dataset", "blad-luchtmeting")
    assert out.problems == []
    assert (INITIATIVE, PROV.generated, dataset) in out.graph
    assert out.publish == {dataset}


# -- generated cells (hypothesis) -----------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="\x00"),
    max_size=40,
)


_CODES: list[CodeLists] = []


@pytest.fixture
def known_codes(codes: CodeLists) -> None:
    """The code lists for the generated test, kept out of its arguments (their repr is long)."""
    _CODES[:] = [codes]


@pytest.mark.usefixtures("known_codes")
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cells=st.dictionaries(st.sampled_from([c.header for c in COLUMNS[1:]]), _TEXT))
def test_any_cell_text_becomes_rdf_or_a_located_problem(cells: dict[str, str]) -> None:
    """Whatever is typed into the cells: no crash, every problem names a cell of the template,
    and the graph holds only http(s)/mailto IRIs (so the gate's scheme rule holds)."""
    values = row(**cells)
    data = sheet_csv([values])
    try:
        out = convert(data, SheetFormat.CSV, _CODES[0])
    except InputError:
        # Only the CSV syntax itself (a stray quote) may make the file unreadable.
        assert any('"' in v or "\r" in v or "\n" in v for v in cells.values())
        return
    letters = {column_letter(i) for i in range(len(HEADERS))}
    for problem in out.problems:
        assert problem.location.row == 2
        assert problem.location.letter in letters
        assert problem.location.column in HEADERS
    refuse_unlinkable_iris(out.graph)
