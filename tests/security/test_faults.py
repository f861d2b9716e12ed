"""Faults: a full disk during a submission, ``kill -9`` of the server during a burst of
submissions, and the remote store going away and coming back.

Each fault ends with the same checks: every acknowledged (201) submission is there, whole;
nothing refused or interrupted is there in part; the service answers again.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from sro_graph.web.app import create_app
from tests.conftest import TEST_BASE, make_settings
from tests.oxigraph_server import OxigraphServer, oxigraph_binary
from tests.security.helpers import WRITE, Server, good

pytestmark = [pytest.mark.integration, pytest.mark.slow]

EXPECTED_TRIPLES = len(Graph().parse(data=good("x").decode(), format="turtle"))
COUNT_PER_GRAPH = """SELECT ?g (COUNT(*) AS ?n) WHERE {
  GRAPH ?g { ?s ?p ?o } FILTER(CONTAINS(STR(?g), "/graph/inzending/")) } GROUP BY ?g"""


def _graph_sizes_via(get: object, url: str = "") -> dict[str, int]:
    r = get(
        f"{url}/sparql",
        params={"query": COUNT_PER_GRAPH},  # type: ignore[operator]
        headers={"accept": "application/sparql-results+json"},
    )
    assert r.status_code == 200, r.text
    return {b["g"]["value"]: int(b["n"]["value"]) for b in r.json()["results"]["bindings"]}


# -- disk full ---------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 96 MB tmpfs: room for the store with the base knowledge, and little more."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", str(mount)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(
            "mounting a tmpfs needs root (CI runs as root): "
            + done.stderr.decode(errors="replace")[:200]
        )
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def _fill(path: Path) -> None:
    with path.open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass


def test_disk_full_submission_fails_cleanly_then_the_service_recovers(small_disk: Path) -> None:
    settings = make_settings(store=str(small_disk / "store"))
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        first = client.post("/submissions", content=good("voor-vol"), headers=WRITE)
        assert first.status_code == 201
        before = _graph_sizes_via(client.get)

        filler = small_disk / "filler"
        _fill(filler)
        refused = client.post("/submissions", content=good("tijdens-vol"), headers=WRITE)
        assert refused.status_code == 503, refused.text
        assert refused.json()["error"] == "store-unavailable"
        assert "Retry-After" in refused.headers
        assert _graph_sizes_via(client.get) == before  # nothing partial
        assert client.get("/submissions").json()["total"] == 1
        assert client.get("/health").status_code == 200  # reads go on
        ask = client.get(
            "/sparql", params={"query": f"ASK {{ <{TEST_BASE}/id/initiatief/tijdens-vol> ?p ?o }}"}
        )
        assert ask.json()["boolean"] is False

        filler.unlink()
        again = client.post("/submissions", content=good("na-vol"), headers=WRITE)
        assert again.status_code == 201, again.text
        sizes = _graph_sizes_via(client.get)
        assert len(sizes) == 2
        assert set(sizes.values()) == {EXPECTED_TRIPLES}
        assert client.get(f"/submissions/{first.json()['id']}").status_code == 200


# -- kill -9 during a burst ----------------------------------------------------------------------


def test_kill_9_during_a_burst_loses_no_acknowledged_submission(tmp_path: Path) -> None:
    store, log = tmp_path / "store", tmp_path / "server.log"
    server = Server(store, log)
    server.start()
    acknowledged: dict[str, str] = {}  # id -> slug
    lock = threading.Lock()
    stop = threading.Event()

    def burst(worker: int) -> None:
        n = 0
        with httpx.Client(base_url=server.url, timeout=60) as http:
            while not stop.is_set():
                slug = f"burst-{worker}-{n}"
                n += 1
                try:
                    r = http.post(
                        "/submissions", content=good(slug, f"Burst {slug}"), headers=WRITE
                    )
                except httpx.HTTPError:
                    return  # the server died under us: this one was not acknowledged
                if r.status_code == 201:
                    with lock:
                        acknowledged[r.json()["id"]] = slug

    threads = [threading.Thread(target=burst, args=(i,), daemon=True) for i in range(6)]
    try:
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 8 and time.monotonic() < deadline:
            time.sleep(0.02)
        server.kill_hard()  # mid-burst: requests are in flight
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        server.stop()
    assert len(acknowledged) >= 8

    restarted = Server(store, log)
    restarted.start()
    try:
        sizes = _graph_sizes_via(httpx.get, restarted.url)
        for sid, slug in acknowledged.items():
            r = httpx.get(f"{restarted.url}/submissions/{sid}", timeout=30)
            assert r.status_code == 200, (slug, r.text)
            assert sizes[r.json()["graph"]] == EXPECTED_TRIPLES, slug
        # Every stored graph is whole, acknowledged or not (one may have landed unanswered).
        assert set(sizes.values()) == {EXPECTED_TRIPLES}
        assert len(sizes) - len(acknowledged) <= len(threads)
        listed = httpx.get(
            f"{restarted.url}/submissions", params={"per_page": 200}, timeout=30
        ).json()
        assert listed["total"] == len(sizes)
        after = httpx.post(
            f"{restarted.url}/submissions", content=good("na-herstart"), headers=WRITE, timeout=60
        )
        assert after.status_code == 201
    finally:
        restarted.stop()


# -- the remote store going away ---------------------------------------------------------------


def test_remote_store_going_away_is_503_then_recovers(tmp_path: Path) -> None:
    if oxigraph_binary() is None:
        pytest.skip("the oxigraph server (PyPI package 'oxigraph', dev extra) is not installed")
    oxigraph = OxigraphServer(tmp_path / "oxigraph")
    oxigraph.start()
    try:
        settings = make_settings(
            store=oxigraph.store_location, store_update=oxigraph.update_url, store_timeout_s=5
        )
        with TestClient(create_app(settings), raise_server_exceptions=False) as client:
            assert (
                client.post("/submissions", content=good("voor-uitval"), headers=WRITE).status_code
                == 201
            )
            oxigraph.stop()
            down = [
                client.get("/health"),
                client.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}),
                client.post("/submissions", content=good("tijdens-uitval"), headers=WRITE),
            ]
            for r in down:
                assert r.status_code == 503, r.text
                assert "Retry-After" in r.headers
                assert "Traceback" not in r.text
            oxigraph.start()  # same folder, same port
            assert client.get("/health").status_code == 200
            assert (
                client.post("/submissions", content=good("na-uitval"), headers=WRITE).status_code
                == 201
            )
            sizes = _graph_sizes_via(client.get)
            assert len(sizes) == 2
            assert set(sizes.values()) == {EXPECTED_TRIPLES}
    finally:
        oxigraph.stop()
