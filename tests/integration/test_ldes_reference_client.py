"""The change stream replayed by the reference LDES client (issue 15.4).

``ldes-client`` (rdf-connect, from npm; ``make test`` installs it into
``tools/ldes-client``) reads ``/ldes/kennisgraaf`` from a live uvicorn server, follows the
TREE relations and materialises the latest version of every member; it must end with exactly
the initiatives and organisations the store holds, the withdrawn one gone.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator

import httpx
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from sro_graph.config import PROJECT_ROOT
from sro_graph.formats import RdfFormat
from sro_graph.rdfio import parse_rdf
from sro_graph.vocab import PROV, RDF
from tests.conftest import STEWARD_TOKEN
from tests.integration.test_api_ldes import AS, MEMBERS, _closure, _initiative, _values
from tests.live_server import live_app

CLIENT = PROJECT_ROOT / "tools" / "ldes-client" / "node_modules" / ".bin" / "ldes-client"
AUTH = {"Authorization": f"Bearer {STEWARD_TOKEN}"}


@pytest.fixture(scope="module")
def live() -> Iterator[str]:
    if not CLIENT.exists():
        pytest.fail("the reference LDES client is not installed: `make test` installs it")
    with live_app("ldes-client") as url:
        yield url


def _members(http: httpx.Client, base: str) -> dict[URIRef, Graph]:
    response = http.post(
        f"{base}/sparql",
        content=MEMBERS.replace("https://sro.test", base).encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "text/turtle"},
    )
    response.raise_for_status()
    whole = parse_rdf(response.content, RdfFormat.TURTLE, base_iri=base + "/").graph
    return {s: _closure(whole, s) for s in whole.subjects() if isinstance(s, URIRef)}


def test_reference_client_replays_the_stream_to_the_current_state(live: str) -> None:
    with httpx.Client(timeout=60, headers=AUTH) as http:
        ids = {}
        for ref in ("referentie-a", "referentie-b"):
            response = http.post(
                f"{live}/submissions",
                content=_initiative(ref, "Eerst"),
                headers={"Content-Type": "text/turtle"},
            )
            assert response.status_code == 201, response.text
            ids[ref] = (response.json()["id"], response.headers["etag"])
        a, etag_a = ids["referentie-a"]
        replaced = http.put(
            f"{live}/submissions/{a}",
            content=_initiative("referentie-a", "Daarna"),
            headers={"Content-Type": "text/turtle", "If-Match": etag_a},
        )
        assert replaced.status_code == 200, replaced.text
        b, etag_b = ids["referentie-b"]
        assert http.delete(f"{live}/submissions/{b}", headers={"If-Match": etag_b}).is_success
        now = _members(http, live)
    run = subprocess.run(
        [
            str(CLIENT),
            "--materialize",
            "--last-version-only",
            "--ordered",
            "ascending",
            "--retry-count",
            "3",
            f"{live}/ldes/kennisgraaf",
        ],
        capture_output=True,
        timeout=240,
        check=False,
    )
    assert run.returncode == 0, run.stderr.decode()[-2000:]
    read = Graph().parse(data=run.stdout.decode(), format="turtle")
    read.remove((None, PROV.generatedAtTime, None))
    # The client hands a tombstone on as the member typed as:Delete: the consumer deletes it.
    deleted = {s for s in read.subjects(RDF.type, AS.Delete) if isinstance(s, URIRef)}
    assert URIRef(f"{live}/id/initiatief/referentie-b") in deleted
    replayed = {
        s: _closure(read, s) for s in read.subjects() if isinstance(s, URIRef) and s not in deleted
    }
    assert URIRef(f"{live}/id/initiatief/referentie-b") not in replayed
    title = replayed[URIRef(f"{live}/id/initiatief/referentie-a")].value(
        URIRef(f"{live}/id/initiatief/referentie-a"), URIRef("http://purl.org/dc/terms/title")
    )
    assert title == Literal("Daarna", lang="nl")
    assert set(replayed) == set(now)
    assert [e for e in now if not isomorphic(_values(replayed[e]), _values(now[e]))] == []
