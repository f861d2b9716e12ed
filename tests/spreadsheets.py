"""Builders of filled-in initiatives templates (XLSX and CSV) for the spreadsheet tests."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from typing import Any

from openpyxl import Workbook

from sro_graph.submissions.sheets.columns import COLUMNS

HEADERS = [c.header for c in COLUMNS]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

GOOD_ROW: dict[str, Any] = {
    "id": "blad-luchtmeting",
    "titel": "Luchtmeting uit een spreadsheet",
    "titel_en": "Air measurement from a spreadsheet",
    "beschrijving": "Burgers meten fijn stof met sensoren aan hun gevel.",
    "uitdagingen": "1; 8",
    "strategische_doelstellingen": "1",
    "focusdomeinen": "environment",
    "probleemdomeinen": "luchtkwaliteit",
    "datagebruik": "sensoren",
    "gemeenten": "11002",
    "actoren": "bestuurseenheid/11002; organisatie/vlaio",
    "startdatum": "2024-03-01",
    "budget": "275000",
    "contact_email": "data@antwerpen.be",
    "vuurtoren": "nee",
}


def row(**changes: Any) -> dict[str, Any]:
    """The good row with some cells changed (``None`` empties a cell)."""
    return {**GOOD_ROW, **changes}


def sheet_xlsx(rows: Sequence[Mapping[str, object]], headers: Sequence[str] = HEADERS) -> bytes:
    """A workbook whose first sheet 'initiatieven' holds ``headers`` and ``rows``."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "initiatieven"
    sheet.append(list(headers))
    for values in rows:
        sheet.append([values.get(h) for h in headers])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def sheet_csv(
    rows: Sequence[Mapping[str, object]],
    headers: Sequence[str] = HEADERS,
    *,
    delimiter: str = ";",
    encoding: str = "utf-8-sig",
) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    for values in rows:
        writer.writerow(["" if values.get(h) is None else values.get(h) for h in headers])
    return buffer.getvalue().encode(encoding)
