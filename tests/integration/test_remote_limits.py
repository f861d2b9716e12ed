"""Limits that limit on a remote store (issue 12.5), against a real ``oxigraph serve`` and
against stores made to misbehave (a local HTTP server that trickles or stalls its answer):

- one deadline for the whole exchange, not per chunk; "stopped" only when the store stopped
  the query, else "abandoned";
- reading stops one row past the row cap and at the byte cap, with the connection closed, so
  the store stops too and the API's memory stays flat;
- the start-up check says whether the store enforces a time limit of its own.
"""

from __future__ import annotations

import gc
import logging
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
import pytest

from sro_graph.config import Settings
from sro_graph.store import StoreTimeout, open_store
from sro_graph.store.remote import RemoteStore
from tests.oxigraph_server import OxigraphServer, oxigraph_binary
from tests.remote_servers import running_server

pytestmark = [pytest.mark.integration]

JSON = "application/sparql-results+json"
SYSTEM = "https://sro.test/graph/system"
CROSS = "SELECT * WHERE { GRAPH <urn:x:g> { ?a ?b ?c . ?d ?e ?f } } LIMIT 3000000"
# Over a graph of 200 triples a four-way product is 1.6e9 rows, a scan that Oxigraph cancels
# at its own limit (not every operator checks it: docs/deployment.md).
STOPPABLE = (
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <urn:x:small> "
    "{ ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l } }"
)


def _fill(server: OxigraphServer, triples: int, graph: str = "urn:x:g") -> None:
    data = "\n".join(f"<urn:x:s{i}> <urn:x:p> <urn:x:o{i}> ." for i in range(triples))
    httpx.put(
        f"{server.url}/store",
        params={"graph": graph},
        content=data.encode(),
        headers={"content-type": "application/n-triples"},
        timeout=30,
    ).raise_for_status()


@pytest.fixture(scope="module")
def oxigraph() -> Iterator[OxigraphServer]:
    if oxigraph_binary() is None:
        pytest.skip("the oxigraph server (PyPI package 'oxigraph') is not installed")
    server = OxigraphServer(None, extra_args=("--timeout-s", "2"))
    server.start()
    _fill(server, 2_000)  # CROSS: 4 million rows
    _fill(server, 200, "urn:x:small")
    try:
        yield server
    finally:
        server.stop()


def _store(server: OxigraphServer, **kwargs: object) -> RemoteStore:
    store = open_store(server.store_location, system_graph=SYSTEM, **kwargs)  # type: ignore[arg-type]
    assert isinstance(store, RemoteStore)
    return store


def test_a_cross_product_stops_at_the_row_cap_and_the_store_stops_with_it(
    oxigraph: OxigraphServer,
) -> None:
    store = _store(oxigraph, timeout_s=30)
    me = psutil.Process()
    store.query_raw("ASK {}", accept=JSON, timeout_s=30)  # warm
    rss_before = me.memory_info().rss
    started = time.monotonic()
    result = store.query_raw(
        CROSS, accept=JSON, row_cap=1_000, timeout_s=30, max_bytes=16 * 1024 * 1024
    )
    elapsed = time.monotonic() - started
    grown = me.memory_info().rss - rss_before
    store.close()
    assert result.truncated
    assert result.truncated_by == "rows"
    assert result.count == 1_000
    # Far inside the limit: the 4 million rows were never read.
    assert elapsed < 30 / 4
    assert grown < 64 * 1024 * 1024, grown
    # The connection was closed one row past the cap: the store stops writing rows.
    assert psutil.Process(oxigraph.process.pid).cpu_percent(1.0) < 50  # type: ignore[union-attr]


@pytest.mark.parametrize("cap", [1024 * 1024, 16 * 1024 * 1024], ids=["1MiB", "16MiB"])
def test_reading_stops_at_the_byte_cap_with_the_apis_memory_flat(
    oxigraph: OxigraphServer, cap: int
) -> None:
    """The issue's 128 MB row: the store builds it, the API reads at most twice the cap (and
    pyoxigraph's parser holds at most 16 MiB of one row)."""
    binds = " ".join(f"BIND(CONCAT(?x{i}, ?x{i}) AS ?x{i + 1})" for i in range(24))
    query = f'SELECT ?x24 WHERE {{ BIND("abcdefgh" AS ?x0) {binds} }}'
    store = _store(oxigraph, timeout_s=60)
    me = psutil.Process()
    rss_before = me.memory_info().rss
    result = store.query_raw(query, accept=JSON, timeout_s=60, max_bytes=cap)
    grown = me.memory_info().rss - rss_before
    store.close()
    assert result.truncated_by == "bytes"
    assert result.count == 0
    assert len(result.body) <= cap
    assert grown < 64 * 1024 * 1024, grown


def test_the_stores_own_limit_is_reported_as_stopped(oxigraph: OxigraphServer) -> None:
    store = _store(oxigraph, timeout_s=30, store_time_limit_s=2)
    with pytest.raises(StoreTimeout, match="the store stopped it"):
        store.query_raw(STOPPABLE, accept=JSON, timeout_s=30)
    store.close()


def test_a_broken_off_answer_can_be_reported_on_another_thread(oxigraph: OxigraphServer) -> None:
    """The query runs on an executor thread and its error is raised on the event loop's:
    the error must not carry pyoxigraph's result reader (which may only be dropped on the
    thread that made it) in its context."""
    store = _store(oxigraph, timeout_s=30)
    with ThreadPoolExecutor(1) as pool:
        future = pool.submit(store.query_raw, STOPPABLE, accept=JSON, timeout_s=30)
        error = future.exception()
    store.close()
    assert isinstance(error, StoreTimeout)
    del future
    del error  # the last reference, dropped on this thread
    gc.collect()


class _BadStore:
    """A "SPARQL store" on loopback that answers 200 with SPARQL JSON, then sends one byte
    every ``every_s`` seconds (trickle) or nothing at all (stall), for at most a minute."""

    def __init__(self, every_s: float | None) -> None:
        self.every_s = every_s
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.port = self.sock.getsockname()[1]
        self.closed_by_client = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def location(self) -> str:
        return f"sparql+http://127.0.0.1:{self.port}/query"

    def _serve(self) -> None:
        self.sock.settimeout(0.2)
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn:
            conn.recv(65536)
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nServer: oxigraph\r\nContent-Type: " + JSON.encode() + b"\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n"
            )
            head = b'{"head":{"vars":["a"]},"results":{"bindings":['
            conn.sendall(b"%x\r\n%s\r\n" % (len(head), head))
            ends = time.monotonic() + 60
            while time.monotonic() < ends and not self._stop.is_set():
                time.sleep(self.every_s or 0.2)
                if self.every_s is None:
                    continue
                try:
                    conn.sendall(b"1\r\n \r\n")
                except OSError:
                    self.closed_by_client.set()
                    return

    def close(self) -> None:
        self._stop.set()
        self.sock.close()


@pytest.mark.parametrize("every_s", [0.3, None], ids=["trickle", "stall"])
def test_one_deadline_for_the_whole_answer(every_s: float | None) -> None:
    """A store that keeps the connection busy (a byte now and then, or nothing) cannot hold
    the query past its limit: per-chunk time-outs would wait for ever."""
    bad = _BadStore(every_s)
    store = open_store(bad.location, system_graph=SYSTEM, timeout_s=30, kind="oxigraph")
    limit = 1.5
    started = time.monotonic()
    with pytest.raises(StoreTimeout) as caught:
        store.query_raw("SELECT * { ?s ?p ?o }", accept=JSON, timeout_s=limit)
    elapsed = time.monotonic() - started
    store.close()
    bad.close()
    assert elapsed < 2 * limit + 1.0  # the slack the store is given to answer first
    assert "abandoned" in str(caught.value)
    assert "stopped" not in str(caught.value)


def test_start_up_check_without_a_stated_limit_warns(
    oxigraph: OxigraphServer, caplog: pytest.LogCaptureFixture
) -> None:
    store = _store(oxigraph)
    with caplog.at_level(logging.WARNING, logger="sro_graph.store.remote"):
        store.profile  # noqa: B018 - the first use detects the store and checks its limit
    store.close()
    assert store.enforces_time_limit is False
    assert "--timeout-s" in caplog.text


def test_start_up_check_with_a_stated_limit_trusts_it(oxigraph: OxigraphServer) -> None:
    store = _store(oxigraph, store_time_limit_s=2)
    store.profile  # noqa: B018
    store.close()
    assert store.enforces_time_limit is True


def test_start_up_check_runs_also_when_the_kind_is_configured(oxigraph: OxigraphServer) -> None:
    store = _store(oxigraph, kind="oxigraph", store_time_limit_s=2)
    store.query_raw("ASK {}", accept=JSON, timeout_s=5)
    store.close()
    assert store.enforces_time_limit is True


def test_a_stated_store_limit_above_the_query_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="SRO_STORE_TIME_LIMIT_S"):
        Settings(query_timeout_s=10, store_time_limit_s=30)


def test_virtuoso_is_probed_for_its_time_limit(tmp_path: Path) -> None:
    with running_server("virtuoso", tmp_path) as server:
        store = open_store(server.store_location, system_graph=SYSTEM, timeout_s=30)
        assert isinstance(store, RemoteStore)
        started = time.monotonic()
        store.profile  # noqa: B018
        elapsed = time.monotonic() - started
        store.close()
    assert store.enforces_time_limit is True
    assert elapsed < 15
