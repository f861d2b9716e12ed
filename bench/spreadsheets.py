"""``python -m bench.spreadsheets``: the stewards' spreadsheet import (issue 13.8).

Through the real app (TestClient, in process, in-memory store with the base knowledge):
``POST /submissions/check`` of a filled-in XLSX and CSV template with 1, 100 and 1,000
initiatives (the default row cap), median over ``--repeat`` runs, split into reading and
converting the sheet and the whole check (conversion, gate, SHACL); and how long hostile
workbooks take to be refused (a zip bomb unpacking to 100 MB, 50,000 empty rows).
Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
import zipfile
from collections.abc import Callable

from fastapi.testclient import TestClient
from openpyxl import Workbook

from sro_graph.config import Settings, hash_token
from sro_graph.formats import SheetFormat
from sro_graph.submissions import Upload
from sro_graph.submissions.sheets.columns import COLUMNS
from sro_graph.web.app import create_app

BASE = "https://sro.test"
TOKEN = "bench-token"
HEADERS = [c.header for c in COLUMNS]


def out(line: str = "") -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _row(i: int) -> dict[str, object]:
    return {
        "id": f"bench-{i}",
        "titel": f"Initiatief {i}",
        "titel_en": f"Initiative {i}",
        "beschrijving": "Burgers meten fijn stof met sensoren aan hun gevel.",
        "uitdagingen": f"{1 + i % 9}; 8",
        "strategische_doelstellingen": str(1 + i % 7),
        "focusdomeinen": "environment",
        "probleemdomeinen": "luchtkwaliteit",
        "datagebruik": "sensoren",
        "gemeenten": "11002",
        "actoren": "bestuurseenheid/11002; organisatie/vlaio",
        "startdatum": "2024-03-01",
        "budget": str(1000 + i),
        "contact_email": "data@antwerpen.be",
    }


def xlsx(rows: int) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "initiatieven"
    sheet.append(HEADERS)
    for i in range(rows):
        values = _row(i)
        sheet.append([values.get(h) for h in HEADERS])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv(rows: int) -> bytes:
    lines = [";".join(HEADERS)]
    for i in range(rows):
        values = _row(i)
        lines.append(";".join(f'"{values.get(h, "")}"' for h in HEADERS))
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def median_ms(run: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", b"<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 100_000_000)
    return buffer.getvalue()


def empty_rows() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(HEADERS)
    sheet.cell(row=50_000, column=1, value="x")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--sizes", default="1,100,1000")
    args = parser.parse_args()
    settings = Settings(
        base_uri=BASE,
        store="memory",
        log_level="WARNING",
        stewards=[f"{hash_token(TOKEN)}=Bench steward|{BASE}/id/organisatie/vlaio"],
    )
    auth = {"authorization": f"Bearer {TOKEN}"}
    out("spreadsheet import (POST /submissions/check), median ms")
    out(f"{'rows':>6} {'format':>6} {'bytes':>9} {'read+convert':>13} {'whole check':>12}")
    with TestClient(create_app(settings)) as client:
        service = client.app.state.runtime.submissions  # type: ignore[attr-defined]
        for n in (int(s) for s in args.sizes.split(",")):
            for fmt, make in ((SheetFormat.XLSX, xlsx), (SheetFormat.CSV, csv)):
                data = make(n)
                upload = Upload(data, fmt.value)
                convert = median_ms(lambda u=upload: service.parse_upload(u), args.repeat)

                def check(data: bytes = data, fmt: SheetFormat = fmt) -> None:
                    response = client.post(
                        "/submissions/check",
                        content=data,
                        headers={**auth, "content-type": fmt.value},
                    )
                    assert response.status_code == 200, response.text[:300]
                    assert response.json()["cells"] == []

                whole = median_ms(check, args.repeat)
                out(f"{n:>6} {fmt.extension:>6} {len(data):>9} {convert:>13.1f} {whole:>12.1f}")
        out()
        out("hostile workbooks, refused in (median ms)")
        for name, data, status in (
            ("zip bomb (100 MB unpacked)", zip_bomb(), 413),
            ("50,000 empty rows", empty_rows(), 413),
        ):

            def refuse(data: bytes = data, status: int = status) -> None:
                response = client.post(
                    "/submissions/check",
                    content=data,
                    headers={**auth, "content-type": SheetFormat.XLSX.value},
                )
                assert response.status_code == status, response.text[:300]

            out(f"  {name:<28} {len(data):>9} bytes  {median_ms(refuse, args.repeat):>8.1f}")


if __name__ == "__main__":
    main()
