"""The worker processes that run validations: one pool per lane, each task killable alone.

rdflib is not thread-safe and pySHACL mutates the graphs it is given, so validations run in
worker processes, each request with its own copy of the data (N-Triples in, N-Triples out).
Each worker builds the server's engine once, in its initializer. Pools are `pebble` process
pools: a validation that runs past the time limit has only its own worker killed and
replaced, so no other request on the pool is cancelled or fails. Each lane (anonymous
``/validate`` uploads, steward submissions) has its own pool and queue, and the public lane's
workers run at a lower CPU priority, so anonymous uploads cannot starve stewards.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import threading
from collections.abc import Iterable
from concurrent.futures import CancelledError
from dataclasses import dataclass

from pebble import ProcessExpired, ProcessFuture, ProcessPool
from pyshacl.errors import ConstraintLoadError, ReportableRuntimeError, ShapeLoadError
from rdflib import Graph

from sro_graph.errors import BusyError, InputError, QueryTimeoutError
from sro_graph.rdfio import RdfFormat, graph_from_ntriples, serialize_graph
from sro_graph.validation.engine import Outcome, ShaclEngine, run_engine, run_uploaded

log = logging.getLogger(__name__)

PUBLIC_NICENESS = 10
"""How much lower the public lane's workers run than the steward lane's (``os.nice``)."""


@dataclass(frozen=True)
class Task:
    """One validation: the data, its store context, and uploaded shapes if any."""

    data_nt: bytes
    context_nt: bytes
    shapes_nt: bytes | None = None


@dataclass(frozen=True)
class WorkerOutcome:
    """What a worker sends back: SHACL conformance, the report graph, the focus-node count."""

    conforms: bool
    report_nt: bytes
    checked: int


_worker_engine: ShaclEngine | None = None


def _init_worker(shapes_nt: bytes, niceness: int) -> None:
    global _worker_engine  # one parse and shape harvest per worker, reused by every request
    if niceness:
        with contextlib.suppress(OSError):
            os.nice(niceness)
    _worker_engine = ShaclEngine(graph_from_ntriples(shapes_nt), memoize=True)


def validate_in_worker(task: Task) -> WorkerOutcome:
    """One validation in a worker: the uploaded shapes if given, else the server's engine."""
    return _outcome(run_task(task, _worker_engine))


def run_task(task: Task, engine: ShaclEngine | None) -> Outcome:
    """Run a task with the server's ``engine`` or, for uploaded shapes, a fresh one.

    Raises:
        InputError: uploaded shapes that pySHACL cannot use.
    """
    if task.shapes_nt is None:
        assert engine is not None, "worker started without shapes"
        return run_engine(engine, task.data_nt, task.context_nt)
    try:
        return run_uploaded(graph_from_ntriples(task.shapes_nt), task.data_nt, task.context_nt)
    except (ConstraintLoadError, ShapeLoadError, ReportableRuntimeError) as exc:
        text = str(getattr(exc, "message", None) or exc).splitlines()[0][:300]
        raise InputError(f"The uploaded shapes cannot be used: {text}") from None


def _outcome(outcome: Outcome) -> WorkerOutcome:
    conforms, report, checked = outcome
    return WorkerOutcome(conforms, serialize_graph(report, RdfFormat.NTRIPLES), checked)


def outcome_graph(outcome: WorkerOutcome) -> Graph:
    return graph_from_ntriples(outcome.report_nt)


class ValidationPool:
    """Worker processes for one lane; requests queue for a worker, then run with a limit.

    Args:
        workers: processes. timeout_s: time limit of one validation (its worker is killed).
        niceness: added to the workers' CPU niceness (lower priority).
    """

    def __init__(
        self, shapes_nt: bytes, workers: int, timeout_s: float, *, niceness: int = 0
    ) -> None:
        self._shapes_nt = shapes_nt
        self._workers = workers
        self._timeout_s = timeout_s
        self._niceness = niceness
        self._lock = threading.Lock()
        # At most this many requests run or wait; a request waits at most one time limit for
        # a worker before 503 (never without bound).
        self._slots = threading.BoundedSemaphore(workers * 4)
        self._pool: ProcessPool | None = None
        self._in_flight = 0

    @property
    def in_flight(self) -> int:
        """Validations running or waiting for a worker of this pool right now."""
        return self._in_flight

    def _count(self, delta: int) -> None:
        with self._lock:
            self._in_flight += delta

    def _current(self) -> ProcessPool:
        with self._lock:
            if self._pool is None:
                # forkserver: cheap, clean workers (no threads or locks inherited from the app).
                context = multiprocessing.get_context("forkserver")
                context.set_forkserver_preload(["sro_graph.validation"])
                self._pool = ProcessPool(
                    max_workers=self._workers,
                    initializer=_init_worker,
                    initargs=(self._shapes_nt, self._niceness),
                    context=context,
                )
            return self._pool

    def _schedule(self, task: Task) -> ProcessFuture[WorkerOutcome]:
        return self._current().schedule(validate_in_worker, args=(task,), timeout=self._timeout_s)

    def run(self, task: Task) -> WorkerOutcome:
        """Run one validation.

        Raises:
            BusyError: no worker within the time limit, or the worker ended unexpectedly.
            QueryTimeoutError: the validation ran past the time limit and was stopped.
            InputError: uploaded shapes pySHACL cannot use, a pattern too costly to match.
        """
        if not self._slots.acquire(timeout=self._timeout_s):
            raise BusyError("Every validation worker is busy; retry shortly.", retry_after=2)
        self._count(+1)
        try:
            future = self._schedule(task)
            return self._result(future, wait_s=2 * self._timeout_s + 5)
        finally:
            self._count(-1)
            self._slots.release()

    def run_many(self, tasks: Iterable[Task]) -> list[WorkerOutcome]:
        """Chunks of a batch, all workers at once; each chunk gets the time limit. Each task
        is scheduled as soon as it is made, so the workers start while the rest is prepared."""
        futures = [self._schedule(task) for task in tasks]
        try:
            wait_s = self._timeout_s * (len(futures) / self._workers + 1) + 5
            return [self._result(future, wait_s=wait_s) for future in futures]
        finally:
            for future in futures:
                future.cancel()  # type: ignore[no-untyped-call]  # the rest of a failed batch (done ones are unaffected)

    def _result(self, future: ProcessFuture[WorkerOutcome], *, wait_s: float) -> WorkerOutcome:
        try:
            return future.result(timeout=wait_s)
        except TimeoutError:
            if not future.done():  # still queued (or stuck) after the whole wait
                future.cancel()  # type: ignore[no-untyped-call]
                raise BusyError(
                    "No validation worker became free in time; retry shortly.", retry_after=2
                ) from None
            raise QueryTimeoutError(
                f"Validation took longer than {self._timeout_s:g} s and was stopped."
            ) from None
        except ProcessExpired:
            log.warning("a validation worker ended unexpectedly")
            raise BusyError(
                "The validation stopped unexpectedly (its worker process ended); nothing was "
                "stored. Retry; if it happens again, the input is too large to validate.",
                retry_after=2,
            ) from None
        except CancelledError:
            raise BusyError("The validation service is shutting down; retry.") from None

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()  # type: ignore[no-untyped-call]
            pool.join(timeout=10)
            pool.stop()  # type: ignore[no-untyped-call]
            pool.join(timeout=5)
