"""/sparql has one path (issue 16.3): one gate decides "busy", the store's async method is
part of its interface, and the threads the path needs live and die with the app's lifespan."""

from __future__ import annotations

import asyncio
import inspect
import subprocess
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import Executor, ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psutil
import pytest
from fastapi.testclient import TestClient
from starlette.routing import Route

from sro_graph.errors import BusyError
from sro_graph.sparql import QuerySlots
from sro_graph.store import RawResult, Store
from sro_graph.store.embedded import EmbeddedStore
from sro_graph.store.remote import RemoteStore
from sro_graph.web.app import create_app
from sro_graph.web.routers.sparql import router as sparql_router
from tests.conftest import make_settings
from tests.event_loops import run_in_fresh_thread

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]
ASK = "ASK { ?s ?p ?o }"


class HeldStore:
    """A store whose queries start, say so, and then wait until the test lets them go."""

    def __init__(self, inner: Store, executor: Executor) -> None:
        self.inner = inner
        self.executor = executor
        self.started = threading.Semaphore(0)
        self.release = threading.Event()
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    async def query_raw_async(self, query: str, **options: Any) -> RawResult:
        self.calls += 1
        self.started.release()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.executor, self.release.wait, 30)
        result: RawResult = await self.inner.query_raw_async(query, **options)
        return result


@pytest.fixture
def held() -> Iterator[tuple[TestClient, HeldStore]]:
    """An app with two query slots and no queue, whose queries wait for the test."""
    settings = make_settings(
        store="memory", query_concurrency=2, query_queue_s=0, load_base_knowledge=False
    )
    with (
        TestClient(create_app(settings)) as client,
        ThreadPoolExecutor(max_workers=2) as side,
    ):
        runner = client.app.state.runtime.sparql  # type: ignore[attr-defined]
        store = HeldStore(runner.store, side)
        runner.store = store
        yield client, store
        store.release.set()


def test_a_query_beyond_the_concurrency_is_answered_503_with_retry_after_by_the_gate(
    held: tuple[TestClient, HeldStore],
) -> None:
    client, store = held
    with ThreadPoolExecutor(max_workers=2) as clients:
        running = [clients.submit(client.get, "/sparql", params={"query": ASK}) for _ in range(2)]
        for _ in running:
            assert store.started.acquire(timeout=30), "both slots were taken"
        refused = client.get("/sparql", params={"query": ASK})
        assert refused.status_code == 503
        assert refused.headers["retry-after"] == "1"
        assert refused.json()["error"] == "busy"
        assert store.calls == 2, "the refused query never reached the store"
        store.release.set()
        assert [f.result(timeout=30).status_code for f in running] == [200, 200]
    assert client.get("/sparql", params={"query": ASK}).status_code == 200


def test_a_waiting_query_gets_the_first_slot_that_frees() -> None:
    slots = QuerySlots(1, wait_s=30)
    slots.acquire()
    got: list[str] = []

    def wait_for_a_slot() -> None:
        slots.acquire()
        got.append("slot")

    waiting = threading.Thread(target=wait_for_a_slot)
    waiting.start()
    slots.release()  # handed to the waiter, whether it is already waiting or not
    waiting.join(timeout=30)
    assert got == ["slot"]
    assert slots.in_use == 1


def test_a_full_gate_without_a_queue_refuses_at_once() -> None:
    slots = QuerySlots(1, wait_s=0)
    slots.acquire()
    with pytest.raises(BusyError):
        slots.acquire()


def test_an_async_waiter_gets_a_slot_a_thread_releases_and_a_timed_out_one_is_busy() -> None:
    slots = QuerySlots(1, wait_s=30)

    async def scenario() -> int:
        slots.acquire()
        waiter = asyncio.ensure_future(slots.acquire_async())
        await asyncio.sleep(0)  # the waiter queues
        threading.Thread(target=slots.release).start()
        await asyncio.wait_for(waiter, 30)
        return slots.in_use

    assert run_in_fresh_thread(scenario) == 1
    impatient = QuerySlots(1, wait_s=0.01)
    impatient.acquire()
    with pytest.raises(BusyError) as refused:
        run_in_fresh_thread(impatient.acquire_async)
    assert refused.value.retry_after == 1
    assert impatient.in_use == 1


def test_a_cancelled_waiter_passes_its_slot_on() -> None:
    slots = QuerySlots(1, wait_s=30)

    async def scenario() -> int:
        slots.acquire()
        waiter = asyncio.ensure_future(slots.acquire_async())
        await asyncio.sleep(0)
        slots.release()  # handed to the waiter ...
        waiter.cancel()  # ... which is cancelled before it runs
        with pytest.raises(asyncio.CancelledError):
            await waiter
        return slots.in_use

    assert run_in_fresh_thread(scenario) == 0


def test_the_async_query_method_is_part_of_the_store_interface() -> None:
    assert inspect.iscoroutinefunction(Store.query_raw_async)
    for implementation in (EmbeddedStore, RemoteStore):
        method = implementation.query_raw_async
        assert inspect.iscoroutinefunction(method)
        assert "executor" in inspect.signature(method).parameters


def test_get_sparql_has_one_handler() -> None:
    handlers = [
        route
        for route in sparql_router.routes
        if isinstance(route, Route) and route.path == "/sparql" and "GET" in (route.methods or ())
    ]
    assert len(handlers) == 1


_IMPORT_AND_BUILD = """
import gc, threading
from concurrent.futures import ThreadPoolExecutor
from sro_graph.web.app import create_app
from sro_graph.web.routers.sparql import router as sparql_router
from tests.conftest import make_settings
create_app(make_settings(store="memory"))
executors = [o for o in gc.get_objects() if isinstance(o, ThreadPoolExecutor)]
print(len(executors), threading.active_count())
"""


def test_building_the_app_makes_no_executor_and_no_thread() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _IMPORT_AND_BUILD],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert done.stdout.split() == ["0", "1"]


def _work_threads() -> set[threading.Thread]:
    return {t for t in threading.enumerate() if t.name.startswith("sro-work")}


def test_the_lifespan_owns_the_query_threads(tmp_path: Path) -> None:
    settings = make_settings(store=str(tmp_path / "db"), load_base_knowledge=False)
    before = _work_threads()  # other tests' apps may still be open in this session
    app = create_app(settings)
    assert _work_threads() == before, "building the app starts no thread"
    with TestClient(app) as client:
        # The first query starts a worker process, in one of the lifespan's threads.
        assert client.get("/sparql", params={"query": ASK}).status_code == 200
        ours = _work_threads() - before
        assert ours, "the query path used the lifespan's threads"
        store = client.app.state.runtime.store  # type: ignore[attr-defined]
        pids = store.workers.pids()
        assert pids
    assert not any(t.is_alive() for t in ours), "the lifespan's end stopped its threads"
    for pid in pids:
        assert not psutil.pid_exists(pid) or psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
