"""``python -m bench.catalog``: size and time of a full catalogue harvest (issue 5).

For the base knowledge alone and with N generated initiatives (bench.generate) in one extra
graph, through the real app (TestClient, in process): the first harvest after a change (the
catalogue and its dumps are built) and a repeated one (served from the per-version cache), in
Turtle and RDF/XML, plus the size on the wire with gzip. Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import re
import time
import uuid

from fastapi.testclient import TestClient

from bench.generate import generate
from sro_graph.config import PROJECT_ROOT, Settings
from sro_graph.rdfio import RdfFormat, parse_rdf
from sro_graph.store import GraphWrite
from sro_graph.web.app import create_app

BASE = "https://bench.sro.test"
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


def _harvest(client: TestClient, accept: str) -> tuple[float, int, int]:
    start = time.perf_counter()
    plain = client.get("/catalog", headers={"Accept": accept, "Accept-Encoding": "identity"})
    elapsed = time.perf_counter() - start
    zipped = client.get("/catalog", headers={"Accept": accept, "Accept-Encoding": "gzip"})
    return elapsed, len(plain.content), int(zipped.headers["content-length"])


def _harvest_paged(client: TestClient, page_size: int) -> tuple[float, int, int]:
    """Follow rel="next" from the first page (Turtle): seconds, pages and bytes in all."""
    start = time.perf_counter()
    url: str | None = f"/catalog?page=1&pageSize={page_size}"
    pages = size = 0
    while url:
        response = client.get(url, headers={"Accept": "text/turtle"})
        response.raise_for_status()
        pages += 1
        size += len(response.content)
        found = _NEXT.search(response.headers.get("link", ""))
        url = found.group(1).removeprefix(BASE) if found else None
    return time.perf_counter() - start, pages, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--initiatives", type=int, nargs="*", default=[0, 1000])
    args = parser.parse_args()
    for n in args.initiatives:
        settings = Settings(base_uri=BASE, store="memory", log_level="WARNING", catalog_refresh_s=0)
        with TestClient(create_app(settings)) as client:
            runtime = client.app.state.runtime  # type: ignore[attr-defined]
            if n:
                data = generate(n, base=BASE, project_root=PROJECT_ROOT)
                graph = parse_rdf(data, RdfFormat.NTRIPLES, base_iri=BASE + "/").graph
                runtime.store.write(
                    GraphWrite(replace={f"{BASE}/graph/bench": graph}), new_version=uuid.uuid4().hex
                )
            for accept in ("text/turtle", "application/rdf+xml"):
                cold, size, wire = _harvest(client, accept)
                warm, _, _ = _harvest(client, accept)
                runtime.store.write(GraphWrite(), new_version=uuid.uuid4().hex)  # next: cold
                entries = len(runtime.catalog.snapshot().entries)
                print(
                    f"initiatives={n:>6} {accept:<20} entries={entries:>4} "
                    f"bytes={size:>9} gzip={wire:>8} first={cold:6.2f}s repeat={warm:6.3f}s"
                )
            for page_size in (7, 100):
                runtime.store.write(GraphWrite(), new_version=uuid.uuid4().hex)  # cold again
                seconds, pages, size = _harvest_paged(client, page_size)
                print(
                    f"initiatives={n:>6} paged Turtle pageSize={page_size:<3} pages={pages:>4} "
                    f"bytes={size:>9} page by page={seconds:6.2f}s"
                )


if __name__ == "__main__":
    main()
