"""The killable query workers of a disk store: started on demand, killed on time-out, and
never the place that says "busy" (the query runner's slots are, issue 16.3)."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import psutil
import pytest
from rdflib import Graph, Literal, URIRef

from sro_graph.store import GraphWrite, RawResult, StoreTimeout, open_store
from sro_graph.store.worker import QueryJob, QueryWorkerPool

pytestmark = pytest.mark.integration
SYSTEM = "urn:sro-graph:system"
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture
def store_path(tmp_path: Path) -> Path:
    path = tmp_path / "store"
    store = open_store(str(path), system_graph=SYSTEM)
    graph = Graph()
    for i in range(300):  # enough for a four-way cartesian product to run away
        graph.add((URIRef(f"https://sro.test/{i}"), URIRef("https://sro.test/p"), Literal(i)))
    store.write(GraphWrite(replace={"https://sro.test/graph/a": graph}), new_version="1")
    store.close()
    return path


RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def _job(query: str = COUNT) -> QueryJob:
    return QueryJob("1", query, "text/csv", None, None, 100)


def test_pool_queries_beyond_its_processes_wait_for_a_free_one(store_path: Path) -> None:
    pool = QueryWorkerPool(store_path, size=1)
    results: list[RawResult | BaseException] = []

    def run() -> None:
        try:
            results.append(pool.query(_job(), timeout_s=30))
        except BaseException as exc:  # collected for the assert below
            results.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert all(isinstance(r, RawResult) and r.body.startswith(b"n\r\n") for r in results)
        assert len(results) == 3
        assert len(pool.pids()) == 1
    finally:
        pool.close()


def test_pool_never_says_busy_a_query_beyond_its_size_waits_for_a_process(
    store_path: Path,
) -> None:
    # Issue 16.3: "busy" is decided once, by the runner's slots; the pool used to refuse here.
    pool = QueryWorkerPool(store_path, size=1)
    held = pool._checkout(time.monotonic() + 30)  # one query in flight holds the only process

    async def scenario() -> RawResult:
        with ThreadPoolExecutor(max_workers=2) as executor:
            waiting = asyncio.ensure_future(
                pool.query_async(_job(), timeout_s=30, executor=executor)
            )
            while not pool._async_waiters:  # it queues on the loop without refusing
                assert not waiting.done(), waiting
                await asyncio.sleep(0)
            pool._checkin(held)
            return await waiting

    try:
        assert _in_fresh_thread(lambda: asyncio.run(scenario())).body.startswith(b"n\r\n")
    finally:
        pool.close()


T = TypeVar("T")


def _in_fresh_thread(run: Callable[[], T]) -> T:
    """Run an event loop in a thread of its own (see :func:`tests.event_loops`)."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(run).result()


def test_pool_async_query_answers_on_the_loop_and_kills_a_runaway(store_path: Path) -> None:
    pool = QueryWorkerPool(store_path, size=1)

    async def scenario() -> tuple[RawResult, int]:
        with ThreadPoolExecutor(max_workers=2) as executor:
            # The first query starts the worker (on the executor); the next reuses it.
            first = await pool.query_async(_job(), timeout_s=30, executor=executor)
            pid = pool.pids()[0]
            again = await pool.query_async(_job(), timeout_s=30, executor=executor)
            assert again.body == first.body
            assert pool.pids() == [pid]
            with pytest.raises(StoreTimeout):
                await pool.query_async(_job(RUNAWAY), timeout_s=1.0, executor=executor)
            return first, pid

    try:
        # No wall-clock bound (issue 16.2): the runaway ends in StoreTimeout and its process
        # is gone, which only the kill at the time limit does.
        first, pid = _in_fresh_thread(lambda: asyncio.run(scenario()))
        assert first.body.startswith(b"n\r\n301")
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
        assert pool.query(_job(), timeout_s=30).body == first.body  # a fresh worker
    finally:
        pool.close()


def test_pool_async_answers_under_uvloop_leave_the_worker_usable_for_large_answers(
    store_path: Path,
) -> None:
    # uvloop makes a watched pipe non-blocking; a large answer must still be read whole, on
    # the loop and afterwards by the thread path on the same worker.
    uvloop = pytest.importorskip("uvloop", reason="uvloop comes with uvicorn[standard]")
    pool = QueryWorkerPool(store_path, size=1)
    big = QueryJob(
        "1",
        "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } LIMIT 3000",
        "application/sparql-results+json",
        None,
        None,
        5000,
    )

    async def scenario() -> list[RawResult]:
        with ThreadPoolExecutor(max_workers=2) as executor:
            await pool.query_async(_job(), timeout_s=30, executor=executor)  # starts the worker
            return [await pool.query_async(big, timeout_s=30, executor=executor) for _ in range(3)]

    try:

        def run() -> list[RawResult]:
            with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
                return runner.run(scenario())

        answers = _in_fresh_thread(run)
        assert all(a.count == 3000 and len(a.body) > 200_000 for a in answers)
        again = pool.query(big, timeout_s=30)
        assert again.body == answers[0].body
        assert len(pool.pids()) == 1
    finally:
        pool.close()
