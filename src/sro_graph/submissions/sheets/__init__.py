"""Spreadsheet import: the initiatives template (CSV, XLSX) read into RDF, cell by cell.

- ``columns``: the template's columns (Dutch headers) and the RDF each becomes;
- ``read``: bytes into a header and rows, within hard limits (zip bombs, huge sheets, formulas);
- ``codes``: the allowed codes, read from the store's concept schemes and base knowledge;
- ``convert``: rows into RDF, with every left-out cell reported by row and column;
- ``template``: the template and its code lists, as XLSX and CSV.
"""

from __future__ import annotations

from sro_graph.formats import SheetFormat
from sro_graph.submissions.sheets.codes import CodeLists, read_code_lists
from sro_graph.submissions.sheets.convert import SheetData, convert_sheet
from sro_graph.submissions.sheets.read import SheetLimits, read_sheet, sheet_format
from sro_graph.submissions.sheets.template import codes_csv, template_csv, template_xlsx

__all__ = [
    "CodeLists",
    "SheetData",
    "SheetFormat",
    "SheetLimits",
    "codes_csv",
    "convert_sheet",
    "read_code_lists",
    "read_sheet",
    "sheet_format",
    "template_csv",
    "template_xlsx",
]
