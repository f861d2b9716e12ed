"""Every backend gives the same answers: the named queries and the catalogue, on the embedded
store and on real Oxigraph and Virtuoso servers, over the same base knowledge and the example
initiatives (asked for explicitly, ``load_examples``: the queries need initiatives to answer).

The service tests check behaviour per backend; this file compares answers across them, which
is what caught Virtuoso's silently wrong answers (rows of UNION branches dropped, OPTIONAL
filters blind to outer bindings) that no status code shows.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import XSD, Graph, Literal, URIRef

from sro_graph.web.app import create_app
from tests.conftest import TEST_BASE, make_settings
from tests.remote_servers import REMOTE_KINDS, running_server

pytestmark = pytest.mark.integration

GENT = "https://data.vlaanderen.be/id/gemeente/44021"
INITIATIVE = f"{TEST_BASE}/id/initiatief/gent-luchtkwaliteit-sensoren"

# Each named query with the parameter sets it is compared under (defaults, the other
# language, each optional parameter).
CASES: list[tuple[str, dict[str, str]]] = [
    ("initiatives-per-challenge", {}),
    ("initiatives-per-challenge", {"lang": "en"}),
    ("initiatives-per-objective", {"lang": "en"}),
    ("initiatives-per-focus-domain", {}),
    ("initiatives-of-municipality", {"gemeente": GENT}),
    ("initiatives-of-municipality", {"gemeente": GENT, "lang": "en"}),
    ("initiatives-by-building-block", {"bouwsteen": "oslo"}),
    ("initiatives-by-building-block", {"bouwsteen": "oslo", "lang": "en"}),
    ("core-related-overview", {}),
    ("core-related-overview", {"status": "gerelateerd"}),
    ("core-related-overview", {"status": "kern", "lang": "en"}),
    ("actors-by-helix-type", {}),
    ("actors-by-helix-type", {"actortype": "bedrijf"}),
    ("cooperation-pairs", {}),
    ("cooperation-pairs", {"minimum": "2", "lang": "en"}),
    ("coverage-matrix", {}),
    ("municipality-coverage", {}),
    ("keyword-search", {"q": "sensor"}),
    ("keyword-search", {"q": "sensor", "taal": "en"}),
    ("find-partners", {"initiatief": INITIATIVE}),
    ("find-partners", {"gemeente": GENT}),
    ("find-partners", {"initiatief": INITIATIVE, "lang": "en"}),
    ("joint-procurement-candidates", {}),
    ("joint-procurement-candidates", {"minimum": "3", "lang": "en"}),
    ("funding-overview", {}),
    ("funding-overview", {"lang": "en"}),
    ("lighthouses", {}),
    ("lighthouses-feed", {"lang": "en"}),
]


@pytest.fixture(scope="module")
def embedded() -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(store="memory", load_examples=True))) as client:
        yield client


@pytest.fixture(scope="module", params=REMOTE_KINDS)
def remote(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[TestClient]:
    with running_server(request.param, tmp_path_factory.mktemp(request.param)) as server:
        settings = make_settings(
            store=server.store_location, store_update=server.update_url, load_examples=True
        )
        with TestClient(create_app(settings)) as client:
            yield client


def _rows(client: TestClient, name: str, params: dict[str, str]) -> list[str]:
    r = client.get(f"/queries/{name}", params=params, headers={"accept": "application/json"})
    assert r.status_code == 200, (name, params, r.text)
    rows: list[dict[str, Any]] = r.json()["rows"]
    return sorted(json.dumps(_normal(row), sort_keys=True, ensure_ascii=False) for row in rows)


def _normal(row: dict[str, Any]) -> dict[str, Any]:
    """Numbers as numbers (a store may write 5 or 5.0 for a decimal sum); GROUP_CONCAT lists
    as sorted parts (SPARQL leaves their order to the store)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        try:
            out[key] = float(value)
        except (TypeError, ValueError):
            out[key] = sorted(_LIST_SEPARATOR.split(value)) if isinstance(value, str) else value
    return out


_LIST_SEPARATOR = re.compile(r", | \| |; | (?=https?://)")


@pytest.mark.parametrize(
    ("name", "params"), CASES, ids=[f"{n}-{'-'.join(p.values()) or 'defaults'}" for n, p in CASES]
)
def test_named_query_answers_the_same_on_every_backend(
    embedded: TestClient,
    remote: TestClient,
    name: str,
    params: dict[str, str],
) -> None:
    expected = _rows(embedded, name, params)
    assert expected, "a comparison over no rows proves nothing"
    assert _rows(remote, name, params) == expected


def _catalog(client: TestClient) -> set[tuple[object, ...]]:
    """The catalogue without what legitimately differs per store: times (load times) and
    the sizes and checksums of dumps (blank node labels differ per store)."""
    r = client.get("/catalog.nt")
    assert r.status_code == 200
    graph = Graph().parse(data=r.text, format="nt")
    skip = {
        URIRef("http://www.w3.org/ns/dcat#byteSize"),
        URIRef("http://spdx.org/rdf/terms#checksumValue"),
    }
    return {
        (s, p, o)
        for s, p, o in graph
        if p not in skip and not (isinstance(o, Literal) and o.datatype in (XSD.dateTime, XSD.date))
    }


def test_catalogue_is_the_same_on_every_backend(embedded: TestClient, remote: TestClient) -> None:
    expected = _catalog(embedded)
    found = _catalog(remote)
    assert found - expected == set()
    assert expected - found == set()
