"""Spreadsheet bytes (CSV or XLSX) into a header and rows of cells, within hard limits.

CSV is read with the standard ``csv`` module: UTF-8 (with or without BOM) or, failing that,
Windows-1252 (what Excel writes on Flemish machines), separated by ';', ',' or tabs (read from
the header line). XLSX is read with openpyxl in read-only mode, after the archive itself is
checked: its member count, the declared unpacked size (zip bombs), encryption and macros.
openpyxl parses XML through defusedxml (entity expansion refused); reading stops if defusedxml
is not in use. Formulas are not evaluated: a formula cell is flagged, so the converter can ask
for the value instead. Rows and columns are capped; bytes never reach a path or URL.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time

from sro_graph.errors import InputError, TooLargeError, UnsafeInputError
from sro_graph.formats import SheetFormat, sheet_format_for

CellValue = str | int | float | bool | date | datetime | time | None


def sheet_format(media_type: str | None, filename: str | None = None) -> SheetFormat | None:
    """The spreadsheet format of a media type (parameters ignored) or, failing that, of a file
    name; ``None`` when neither names a spreadsheet."""
    return sheet_format_for(media_type, filename)


@dataclass(frozen=True)
class SheetLimits:
    """How much of a spreadsheet is read before it is refused."""

    max_rows: int = 1000
    max_columns: int = 60
    max_cell_chars: int = 5000
    max_unpacked_bytes: int = 64 * 1024 * 1024
    max_members: int = 200
    # Rows looked at in all (empty ones too) before a sheet counts as too large.
    max_scanned_rows: int = 20_000


@dataclass(frozen=True)
class Cell:
    """One cell: its 1-based row and 0-based column, its value, whether it was a formula."""

    row: int
    column: int
    value: CellValue
    formula: bool = False


@dataclass(frozen=True)
class Sheet:
    """A header row (trimmed) and the data rows below it, each as long as the header."""

    name: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def read_sheet(data: bytes, fmt: SheetFormat, limits: SheetLimits) -> Sheet:
    """Read a spreadsheet's first (or 'initiatieven') sheet.

    Raises:
        InputError: not a readable spreadsheet, no header row.
        TooLargeError: more rows or columns, or a larger archive, than the limits allow.
        UnsafeInputError: an encrypted or macro-carrying workbook.
    """
    if not data.strip():
        raise InputError("The spreadsheet is empty.")
    if fmt is SheetFormat.CSV:
        name, rows = "csv", _csv_rows(data, limits)
    else:
        name, rows = _xlsx_rows(data, limits)
    return _sheet(name, rows, limits)


def _sheet(name: str, raw: list[list[Cell]], limits: SheetLimits) -> Sheet:
    if not raw:
        raise InputError("The spreadsheet has no header row.")
    header_cells = raw[0]
    headers = [_header(c.value) for c in header_cells]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise InputError("The spreadsheet's first row has no column names.")
    if len(headers) > limits.max_columns:
        raise TooLargeError(
            f"The spreadsheet has {len(headers)} columns; the template has far fewer "
            f"(at most {limits.max_columns} are read)."
        )
    rows: list[tuple[Cell, ...]] = []
    for cells in raw[1:]:
        if all(_blank(c.value) for c in cells):
            continue  # empty lines between or after the initiatives
        if len(rows) == limits.max_rows:
            raise TooLargeError(
                f"The spreadsheet has more than {limits.max_rows} initiatives; split it into "
                "several uploads."
            )
        by_column = {c.column: c for c in cells}
        extra = [c for c in cells if c.column >= len(headers) and not _blank(c.value)]
        if extra:
            cell = extra[0]
            raise InputError(
                f"Row {cell.row} has a value in column {column_letter(cell.column)}, which has "
                "no column name in the first row."
            )
        rows.append(
            tuple(
                by_column.get(i, Cell(row=cells[0].row, column=i, value=None))
                for i in range(len(headers))
            )
        )
    return Sheet(name=name, headers=tuple(headers), rows=tuple(rows))


def _header(value: CellValue) -> str:
    return " ".join(str(value).split()).lower() if value is not None else ""


def _blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def column_letter(index: int) -> str:
    """The spreadsheet name of a 0-based column index (0 → A, 26 → AA)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


# -- CSV ----------------------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise InputError(
            "The CSV file is neither UTF-8 nor Windows-1252 text; save it as 'CSV UTF-8'."
        ) from None


def _csv_rows(data: bytes, limits: SheetLimits) -> list[list[Cell]]:
    text = _decode(data)
    if "\x00" in text:
        raise InputError("The CSV file contains NUL bytes: it is not a text file.")
    first_line = text.split("\n", 1)[0]
    delimiter = max((";", ",", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[Cell]] = []
    try:
        for index, record in enumerate(reader, start=1):
            if index > limits.max_scanned_rows:
                raise TooLargeError(
                    f"The CSV file has more than {limits.max_scanned_rows} lines; split it."
                )
            if len(record) > limits.max_columns * 4:
                raise TooLargeError(f"Line {index} of the CSV file has {len(record)} fields.")
            rows.append([Cell(row=index, column=i, value=value) for i, value in enumerate(record)])
    except csv.Error as exc:
        # The module's text names a line and the problem, never a path or a value.
        raise InputError(f"The CSV file cannot be read: {exc}.") from None
    return rows


# -- XLSX ---------------------------------------------------------------------------------------


_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: old .xls, or encrypted .xlsx


def _check_archive(data: bytes, limits: SheetLimits) -> None:
    if data.startswith(_OLE):
        raise UnsafeInputError(
            "The file is an old .xls workbook or an encrypted (password-protected) one; save "
            "it as 'Excel-werkmap (.xlsx)' without a password."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InputError(
            "The file is not an XLSX workbook (not a ZIP archive); save it as 'Excel-werkmap "
            "(.xlsx)' or upload CSV."
        ) from None
    with archive:
        members = archive.infolist()
        if len(members) > limits.max_members:
            raise TooLargeError(f"The workbook holds {len(members)} parts; that is not a template.")
        unpacked = sum(m.file_size for m in members)
        if unpacked > limits.max_unpacked_bytes:
            raise TooLargeError(
                f"The workbook unpacks to {unpacked} bytes, more than the limit of "
                f"{limits.max_unpacked_bytes}; it is refused unread."
            )
        for member in members:
            if member.flag_bits & 0x1:
                raise UnsafeInputError("The workbook is encrypted; save it without a password.")
            if member.filename.lower().endswith("vbaproject.bin"):
                raise UnsafeInputError(
                    "The workbook carries macros; save it as a plain .xlsx without macros."
                )
        if "xl/workbook.xml" not in {m.filename for m in members}:
            raise InputError("The file is a ZIP archive but not an XLSX workbook.")


def _xlsx_rows(data: bytes, limits: SheetLimits) -> tuple[str, list[list[Cell]]]:
    import openpyxl
    import openpyxl.xml

    if not openpyxl.xml.DEFUSEDXML:  # never parse workbook XML without entity protection
        raise UnsafeInputError("XLSX uploads are off on this server (defusedxml is missing).")
    _check_archive(data, limits)
    try:
        workbook = openpyxl.load_workbook(
            io.BytesIO(data), read_only=True, data_only=False, keep_links=False, keep_vba=False
        )
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise InputError("The XLSX workbook cannot be read; save it again from Excel.") from exc
    try:
        names = workbook.sheetnames
        name = "initiatieven" if "initiatieven" in names else names[0]
        sheet = workbook[name]
        rows: list[list[Cell]] = []
        try:
            for index, row in enumerate(sheet.iter_rows(max_col=limits.max_columns + 1), start=1):
                if index > limits.max_scanned_rows:
                    raise TooLargeError(
                        f"The sheet '{name}' has more than {limits.max_scanned_rows} rows; "
                        "split it."
                    )
                cells = []
                for position, cell in enumerate(row):
                    value = getattr(cell, "value", None)
                    if value is None:
                        continue
                    formula = getattr(cell, "data_type", None) == "f"
                    cells.append(Cell(row=index, column=position, value=value, formula=formula))
                if not cells:
                    cells = [Cell(row=index, column=0, value=None)]
                rows.append(cells)
        except (TooLargeError, InputError):
            raise
        except Exception as exc:
            raise InputError(
                f"The sheet '{name}' cannot be read; save the workbook again."
            ) from exc
        return name, rows
    finally:
        workbook.close()
