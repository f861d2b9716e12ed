"""The initiatives template for stewards, as XLSX and CSV, with the allowed codes.

The XLSX workbook has the sheet 'initiatieven' (the Dutch column headers, one row per
initiative), a sheet 'uitleg' (what each column takes, with an example) and one sheet per list
of allowed codes: the concept schemes, the municipalities and the organisations, all read from
the store when the template is made. The CSV template is the header row (';'-separated, UTF-8
with BOM, as Excel opens it); its lists are one CSV of their own. Text that a spreadsheet
program would run (a cell starting with = + - @) is written as text, never as a formula.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from sro_graph.submissions.sheets.codes import CodeLists
from sro_graph.submissions.sheets.columns import COLUMNS, Kind

_RISKY = ("=", "+", "-", "@", "\t", "\r")


def _safe(text: str) -> str:
    return "'" + text if text.startswith(_RISKY) else text


def template_csv() -> bytes:
    """The header row of the template, ';'-separated, UTF-8 with BOM."""
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerow([c.header for c in COLUMNS])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def codes_csv(codes: CodeLists) -> bytes:
    """Every allowed code: list, code, label, IRI (UTF-8 with BOM, ';'-separated)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(["lijst", "code", "label", "iri"])
    for code_list in codes.all():
        for code in code_list.codes:
            writer.writerow([_safe(v) for v in (code_list.name, code.code, code.label, code.iri)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def template_xlsx(codes: CodeLists) -> bytes:
    """The workbook: 'initiatieven', 'uitleg' and one sheet per list of codes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    def put(cell: Any, text: str) -> None:
        cell.value = text
        cell.data_type = "s"  # never a formula, whatever the text starts with

    book = Workbook()
    main = book.active
    assert main is not None
    main.title = "initiatieven"
    bold = Font(bold=True)
    for index, column in enumerate(COLUMNS, start=1):
        cell = main.cell(row=1, column=index)
        put(cell, column.header)
        cell.font = bold
        main.column_dimensions[get_column_letter(index)].width = max(14, len(column.header) + 4)
        if column.kind is Kind.BOOLEAN:
            letter = get_column_letter(index)
            check = DataValidation(type="list", formula1='"ja,nee"', allow_blank=True)
            check.add(f"{letter}2:{letter}1001")
            main.add_data_validation(check)
    main.freeze_panes = "B2"

    guide = book.create_sheet("uitleg")
    for index, title in enumerate(("kolom", "verplicht", "uitleg", "explanation", "voorbeeld"), 1):
        put(guide.cell(row=1, column=index), title)
        guide.cell(row=1, column=index).font = bold
    for row, column in enumerate(COLUMNS, start=2):
        values = (
            column.header,
            "ja" if column.required else "",
            column.help_nl,
            column.help_en,
            column.example,
        )
        for index, value in enumerate(values, start=1):
            put(guide.cell(row=row, column=index), value)
    guide.column_dimensions["A"].width = 28
    guide.column_dimensions["C"].width = 80
    guide.column_dimensions["D"].width = 80
    guide.column_dimensions["E"].width = 30

    for code_list in codes.all():
        sheet = book.create_sheet(code_list.name[:31])
        for index, title in enumerate(("code", "label", "iri"), start=1):
            put(sheet.cell(row=1, column=index), title)
            sheet.cell(row=1, column=index).font = bold
        for row, code in enumerate(code_list.codes, start=2):
            for index, value in enumerate((code.code, code.label, code.iri), start=1):
                put(sheet.cell(row=row, column=index), value)
        sheet.column_dimensions["A"].width = 28
        sheet.column_dimensions["B"].width = 60
        sheet.column_dimensions["C"].width = 70
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
