"""``python -m bench.catalog``: building and harvesting the catalogue (issues 5, 17.3).

For the base knowledge alone and with N generated initiatives (bench.generate), each declaring
a public dataset, in one extra graph, through the real app (TestClient, in process):

- the cold build of the catalogue (snapshot, with its dumps) and the cold harvest (build and
  Turtle), on a new catalogue service, as after a restart (no target);
- the rebuild after one submission (POST /submissions): target at most half the cold build
  (incremental: only what the submission changed is built again);
- the first harvest after one submission, from the running service (GET /catalog, Turtle):
  the issue's "first harvest after a write", target under 0.5 s at 1,000 declared datasets;
  after a submission without a dataset, and after one that publishes a dataset;
- a repeated harvest (served from the per-version cache), RDF/XML, the size with gzip, and a
  page-by-page harvest.

Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
import uuid
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef

from bench.generate import generate
from bench.targets import verdict
from sro_graph.catalog import Catalog
from sro_graph.config import PROJECT_ROOT, Settings, hash_token
from sro_graph.formats import RdfFormat
from sro_graph.knowledge import LOADED_PREDICATE
from sro_graph.rdfio import parse_rdf
from sro_graph.store import GraphWrite
from sro_graph.vocab import DCAT, DCTERMS, RDF, XSD
from sro_graph.web.app import create_app

BASE = "https://bench.sro.test"
TOKEN = "bench-steward-token-0123456789"
PUBLIC = URIRef("http://publications.europa.eu/resource/authority/access-right/PUBLIC")
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')
SUBMISSION = """
@prefix dct: <http://purl.org/dc/terms/> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix sr: </ns/smartregio#> .
</id/initiatief/bench-inzending-{n}> a sr:SmartCityInitiatief, prov:Activity ;
  dct:title "Benchinzending {n}"@nl ; dct:description "Een inzending voor de bench."@nl ;
  prov:wasAssociatedWith </id/organisatie/smart-region-office> ;
  sr:uitdaging </id/concept/uitdaging/8> ;
  sr:draagtBijTot </id/concept/strategische-doelstelling/6> .
"""
PUBLISHING = """
@prefix dct: <http://purl.org/dc/terms/> . @prefix prov: <http://www.w3.org/ns/prov#> .
@prefix sr: </ns/smartregio#> . @prefix dcat: <http://www.w3.org/ns/dcat#> .
</id/initiatief/bench-publicatie-{n}> a sr:SmartCityInitiatief, prov:Activity ;
  dct:title "Benchpublicatie {n}"@nl ; dct:description "Een inzending met een dataset."@nl ;
  prov:wasAssociatedWith </id/organisatie/smart-region-office> ;
  sr:uitdaging </id/concept/uitdaging/8> ;
  sr:draagtBijTot </id/concept/strategische-doelstelling/6> ;
  prov:generated </id/dataset/bench-publicatie-{n}> .
</id/dataset/bench-publicatie-{n}> a dcat:Dataset ; dct:title "Benchdata {n}"@nl ;
  dct:description "Gegevens van de bench."@nl ;
  dct:accessRights <http://publications.europa.eu/resource/authority/access-right/PUBLIC> .
"""


def out(line: str) -> None:
    print(line, flush=True)


def _harvest(client: TestClient, accept: str) -> tuple[float, int, int]:
    start = time.perf_counter()
    plain = client.get("/catalog", headers={"Accept": accept, "Accept-Encoding": "identity"})
    elapsed = time.perf_counter() - start
    zipped = client.get("/catalog", headers={"Accept": accept, "Accept-Encoding": "gzip"})
    return elapsed, len(plain.content), int(zipped.headers["content-length"])


def _submit(client: TestClient, path: str, turtle: str) -> None:
    response = client.post(
        path,
        content=turtle.encode(),
        headers={"Content-Type": "text/turtle", "Authorization": f"Bearer {TOKEN}"},
    )
    response.raise_for_status()


def _timed_harvest(client: TestClient) -> float:
    """Seconds for one whole harvest (Turtle, no compression) from the service."""
    start = time.perf_counter()
    client.get("/catalog", headers={"Accept-Encoding": "identity"}).raise_for_status()
    return time.perf_counter() - start


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


def _load(client: TestClient, n: int) -> None:
    """N generated initiatives, each declaring a public dataset, in one base graph."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    data = generate(n, base=BASE, project_root=PROJECT_ROOT)
    graph = parse_rdf(data, RdfFormat.NTRIPLES, base_iri=BASE + "/").graph
    for dataset in list(graph.subjects(RDF.type, DCAT.Dataset)):
        graph.add((dataset, DCTERMS.accessRights, PUBLIC))
    # Written as the base knowledge is (knowledge.py): with its load time in the system graph,
    # which is what the catalogue dates a graph by.
    name = f"{BASE}/graph/bench"
    loaded = Graph()
    loaded.add((URIRef(name), LOADED_PREDICATE, Literal(datetime.now(UTC), datatype=XSD.dateTime)))
    runtime.store.write(
        GraphWrite(replace={name: graph}, add={str(runtime.uris.system_graph): loaded}),
        new_version=uuid.uuid4().hex,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--initiatives", type=int, nargs="*", default=[0, 1000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    for n in args.initiatives:
        settings = Settings(
            base_uri=BASE,
            store="memory",
            log_level="WARNING",
            catalog_refresh_s=0,
            stewards=[f"{hash_token(TOKEN)}=Bench steward|{BASE}/id/organisatie/vlaio"],
        )
        with TestClient(create_app(settings)) as client:
            runtime = client.app.state.runtime  # type: ignore[attr-defined]
            if n:
                _load(client, n)
            firsts, harvests, rebuilds, after_writes, after_publishing = [], [], [], [], []
            for attempt in range(args.repeat):
                cold = Catalog(runtime.store, runtime.uris, refresh_s=0)
                start = time.perf_counter()
                snapshot = cold.snapshot()
                firsts.append(time.perf_counter() - start)
                start = time.perf_counter()
                fresh = Catalog(runtime.store, runtime.uris, refresh_s=0)
                fresh.view(RdfFormat.TURTLE, base_url=BASE + "/catalog")
                harvests.append(time.perf_counter() - start)
                client.get("/catalog").raise_for_status()  # the service's catalogue is current
                _submit(client, "/submissions", SUBMISSION.format(n=f"{n}-{attempt}"))
                start = time.perf_counter()
                cold.snapshot()
                rebuilds.append(time.perf_counter() - start)
                # What a harvester sees: the first harvest after the write, from the service.
                after_writes.append(_timed_harvest(client))
                # The same after a submission that publishes a dataset of its own.
                _submit(client, "/submissions?publish=all", PUBLISHING.format(n=f"{n}-{attempt}"))
                after_publishing.append(_timed_harvest(client))
            declared = (
                sum(
                    1
                    for e in snapshot.entries
                    if not str(e.resource).startswith(f"{BASE}/id/dataset/kennisgraaf-")
                )
                - 3
            )
            first, harvest, rebuild, after_write, after_publish = (
                statistics.median(x)
                for x in (firsts, harvests, rebuilds, after_writes, after_publishing)
            )
            out(
                f"initiatives={n:>6} entries={len(snapshot.entries):>5} declared={declared:>5} "
                f"cold build={first:6.3f}s cold harvest (Turtle)={harvest:6.3f}s "
                f"rebuild after one submission={rebuild:6.3f}s "
                f"first harvest after one submission={after_write:6.3f}s "
                f"(one publishing a dataset: {after_publish:6.3f}s)"
            )
            if n >= 1000:
                verdict(
                    f"first harvest after a submission, {n} declared",
                    after_write,
                    at_most=0.5,
                    unit=" s",
                )
                verdict(
                    f"the same, the submission publishing a dataset, {n}",
                    after_publish,
                    at_most=0.5,
                    unit=" s",
                )
                verdict(
                    f"catalogue rebuild / cold build, {n}", rebuild / first, at_most=0.5, unit="x"
                )
            for accept in ("text/turtle", "application/rdf+xml"):
                runtime.store.write(GraphWrite(), new_version=uuid.uuid4().hex)  # next: cold
                cold_s, size, wire = _harvest(client, accept)
                warm, _, _ = _harvest(client, accept)
                out(
                    f"initiatives={n:>6} {accept:<20} bytes={size:>9} gzip={wire:>8} "
                    f"harvest after a write={cold_s:6.2f}s repeat={warm:6.3f}s"
                )
            for page_size in (7, 100):
                runtime.store.write(GraphWrite(), new_version=uuid.uuid4().hex)  # cold again
                seconds, pages, size = _harvest_paged(client, page_size)
                out(
                    f"initiatives={n:>6} paged Turtle pageSize={page_size:<3} pages={pages:>4} "
                    f"bytes={size:>9} page by page={seconds:6.2f}s"
                )


if __name__ == "__main__":
    main()
