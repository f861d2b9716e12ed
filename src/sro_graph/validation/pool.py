"""The killable process pool that runs validations, and the functions its workers run.

rdflib is not thread-safe and pySHACL mutates the graphs it is given, so validations run in
worker processes, each request with its own copy of the data (N-Triples in, N-Triples out).
Each worker builds the server's engine once, in its initializer. A validation that runs past
the time limit has its worker killed.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import threading
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool

from sro_graph.errors import BusyError, QueryTimeoutError
from sro_graph.rdfio import RdfFormat, graph_from_ntriples, serialize_graph
from sro_graph.validation.engine import ShaclEngine, merged, run_engine, run_pyshacl

_worker_engine: ShaclEngine | None = None


def _init_worker(shapes_nt: bytes) -> None:
    global _worker_engine  # one parse and shape harvest per worker, reused by every request
    _worker_engine = ShaclEngine(graph_from_ntriples(shapes_nt))


def validate_in_worker(
    data_nt: bytes,
    context_nt: bytes,
    shapes_nt: bytes | None,
) -> tuple[bool, bytes]:
    """One validation in a worker: the uploaded shapes if given, else the server's engine."""
    if shapes_nt is not None:
        conforms, report = run_pyshacl(merged(data_nt, context_nt), graph_from_ntriples(shapes_nt))
    else:
        assert _worker_engine is not None, "worker started without shapes"
        conforms, report = run_engine(_worker_engine, data_nt, context_nt)
    return conforms, serialize_graph(report, RdfFormat.NTRIPLES)


class ValidationPool:
    """A process pool whose stuck workers can be killed (by replacing the pool)."""

    def __init__(self, shapes_nt: bytes, workers: int, timeout_s: float) -> None:
        self._shapes_nt = shapes_nt
        self._workers = workers
        self._timeout_s = timeout_s
        self._lock = threading.Lock()
        # Requests queue for a worker up to the time limit, then get 503 (never without bound).
        self._slots = threading.BoundedSemaphore(workers * 4)
        self._executor: ProcessPoolExecutor | None = None

    def _current(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                # forkserver: cheap, clean workers (no threads or locks inherited from the app).
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["sro_graph.validation"])
                self._executor = ProcessPoolExecutor(
                    max_workers=self._workers,
                    mp_context=context,
                    initializer=_init_worker,
                    initargs=(self._shapes_nt,),
                )
            return self._executor

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is not broken:
                return
            self._executor = None
        # The executor has no API to stop a running task; killing its processes is the only
        # way to end a runaway validation. Other requests on it see BrokenProcessPool and retry.
        processes = getattr(broken, "_processes", None) or {}
        for process in list(processes.values()):
            with contextlib.suppress(OSError, AttributeError):
                process.kill()
        broken.shutdown(wait=False, cancel_futures=True)

    def run(
        self,
        data_nt: bytes,
        context_nt: bytes,
        shapes_nt: bytes | None,
    ) -> tuple[bool, bytes]:
        if not self._slots.acquire(timeout=self._timeout_s):
            raise BusyError("Every validation worker is busy; retry shortly.", retry_after=2)
        try:
            for attempt in (1, 2):
                executor = self._current()
                future: Future[tuple[bool, bytes]] = executor.submit(
                    validate_in_worker, data_nt, context_nt, shapes_nt
                )
                try:
                    return future.result(timeout=self._timeout_s)
                except FutureTimeout:
                    self._replace(executor)
                    raise QueryTimeoutError(
                        f"Validation took longer than {self._timeout_s:g} s and was stopped."
                    ) from None
                except BrokenProcessPool:
                    self._replace(executor)
                    if attempt == 2:
                        raise
            raise AssertionError("unreachable")
        finally:
            self._slots.release()

    def run_many(self, tasks: list[tuple[bytes, bytes]]) -> list[tuple[bool, bytes]]:
        """Chunks of a batch, all workers at once; each chunk gets the time limit."""
        executor = self._current()
        futures = [
            executor.submit(validate_in_worker, data_nt, context_nt, None)
            for data_nt, context_nt in tasks
        ]
        try:
            return [future.result(timeout=self._timeout_s) for future in futures]
        except FutureTimeout:
            self._replace(executor)
            raise QueryTimeoutError(
                f"A batch chunk took longer than {self._timeout_s:g} s; the batch was stopped."
            ) from None
        except BrokenProcessPool:
            self._replace(executor)
            raise

    def close(self) -> None:
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)
