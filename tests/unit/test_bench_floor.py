"""The bare Python server of ``bench.point --floor`` answers what sro-graph's store answers.

Its ratio to raw ``oxigraph serve`` is reported as the ceiling of any Python service (issue
17.1); that holds only if it does the same work, so its answers are compared here.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from rdflib import Graph, Literal, URIRef

from sro_graph.rdfio import graph_from_ntriples
from sro_graph.store import GraphWrite, open_store
from tests.event_loops import run_in_fresh_thread

P = URIRef("https://sro.test/p")


def _ask(app: Any, query: str) -> tuple[int, bytes]:
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope: dict[str, Any] = {"type": "http", "method": "GET", "path": "/sparql"}
    scope["query_string"] = urlencode({"query": query}).encode()
    run_in_fresh_thread(lambda: app(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def test_the_floor_answers_a_point_lookup_as_the_store_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    location = tmp_path / "store"
    store = open_store(str(location), system_graph="urn:sro-graph:system")
    data = Graph()
    for n in range(3):
        data.add((URIRef(f"https://sro.test/{n}"), P, Literal(f"waarde {n}", lang="nl")))
    store.write(GraphWrite(replace={"https://sro.test/graph/a": data}), new_version="1")
    query = "DESCRIBE <https://sro.test/1>"
    expected = graph_from_ntriples(store.query_raw(query, accept="application/n-triples").body)
    store.close()

    monkeypatch.setenv("SRO_FLOOR_STORE", str(location))
    sys.modules.pop("bench.floor_app", None)
    floor = importlib.import_module("bench.floor_app")
    status, body = _ask(floor.app, query)

    assert status == 200
    answered = graph_from_ntriples(body)
    assert len(answered) == 1
    assert set(answered) == set(expected)
