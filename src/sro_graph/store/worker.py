"""Query workers: user queries on a disk store run in processes that can be stopped.

pyoxigraph cannot cancel a running query, so a runaway query (a cartesian product over the
whole graph) would hold a CPU until it ends. Each worker process opens the store read-only
(a snapshot of the data written before it opened; reopened when the store's version changes),
runs one query at a time and sends back the serialised result. When the time limit runs out
the parent kills the process, which frees the CPU at once, and starts a fresh one on demand.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import os
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sro_graph.store.base import RawResult, StoreBusy, StoreQueryError, StoreTimeout

log = logging.getLogger(__name__)

_INLINE_JOB_CHARS = 16_384
"""Longer query texts are written to a worker from a thread (a pipe write may block)."""


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


@dataclass(frozen=True)
class QueryJob:
    version: str
    query: str
    accept: str
    default_graphs: list[str] | None
    named_graphs: list[str] | None
    row_cap: int | None
    max_bytes: int | None = None


def _serve(conn: _Duplex, path: str) -> None:  # pragma: no cover - runs in the child
    """The worker loop: open the store lazily, reopen on a new version, answer jobs."""
    import pyoxigraph as ox

    from sro_graph.store.results import serialize_result

    store: Any = None
    opened_version: str | None = None
    while True:
        try:
            job: QueryJob | None = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            if store is None or opened_version != job.version:
                store = None
                store = _open_read_only(ox, path)
                opened_version = job.version
            options: dict[str, object] = {}
            if job.default_graphs:
                options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
            if job.named_graphs:
                options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
            result = store.query(
                job.query, use_default_graph_as_union=not job.default_graphs, **options
            )
            raw = serialize_result(
                result, accept=job.accept, row_cap=job.row_cap, max_bytes=job.max_bytes
            )
            conn.send(("ok", raw))
        except SyntaxError as exc:
            conn.send(("error", f"The query does not parse: {_first_line(exc)}"))
        except (OSError, ValueError, StoreQueryError) as exc:
            conn.send(("error", f"The query failed: {_first_line(exc)}"))


def _open_read_only(ox: Any, path: str, attempts: int = 5) -> Any:
    """A read-only handle; retried, since the writer may delete files named by the manifest
    it is reading (compaction, or a reopen after a failed write)."""
    for attempt in range(attempts):
        try:
            return ox.Store.read_only(path)
        except (OSError, RuntimeError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else exc.__class__.__name__


class _Worker:
    """A fresh interpreter (``python -m sro_graph.store.worker``), not a fork: the parent
    holds RocksDB handles and threads that must not be duplicated, and multiprocessing's
    spawn would re-import the parent's main module."""

    def __init__(self, path: Path) -> None:
        to_child_r, to_child_w = os.pipe()
        from_child_r, from_child_w = os.pipe()
        try:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "sro_graph.store.worker",
                    str(path),
                    str(to_child_r),
                    str(from_child_w),
                ],
                pass_fds=(to_child_r, from_child_w),
                stdin=subprocess.DEVNULL,
                close_fds=True,
            )
        finally:
            os.close(to_child_r)
            os.close(from_child_w)
        self.conn = _Duplex(Connection(from_child_r), Connection(to_child_w))

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=5)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError, ValueError):
            self.conn.send(None)
        try:
            self.process.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.kill()
        else:
            self.conn.close()


class _Duplex:
    """Two one-way pipes used as one connection."""

    def __init__(self, reader: Connection, writer: Connection) -> None:
        self.reader = reader
        self.writer = writer

    def send(self, obj: object) -> None:
        self.writer.send(obj)

    def recv(self) -> Any:
        return self.reader.recv()

    def poll(self, timeout: float) -> bool:
        return self.reader.poll(timeout)

    def close(self) -> None:
        self.reader.close()
        self.writer.close()


class QueryWorkerPool:
    """Runs at most ``size`` queries at once in at most ``processes`` worker processes over the
    store at ``path``; a query waits (within its time limit) for a free process.

    ``processes`` defaults to twice the CPUs (never more than ``size``): more processes than
    that only add context switches and per-process caches to CPU-bound work.
    """

    def __init__(self, path: Path, *, size: int, processes: int | None = None) -> None:
        self.path = path
        self.size = size
        self.processes = max(1, min(size, processes or 2 * (os.cpu_count() or 1)))
        self._lock = threading.Lock()
        self._freed = threading.Condition(self._lock)
        self._idle: list[_Worker] = []
        self._busy = 0
        self._waiting = 0
        self._async_waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = deque()
        self._closed = False

    def pids(self) -> list[int]:
        """Process ids of the idle workers (for tests and monitoring)."""
        with self._lock:
            return [w.pid for w in self._idle if w.pid is not None]

    def _checkout(self, deadline: float) -> _Worker:
        with self._lock:
            if self._busy + self._waiting >= self.size:
                raise StoreBusy("Every query worker is busy.")
            self._waiting += 1
            try:
                while True:
                    if self._closed:
                        raise StoreBusy("The query workers are shut down.")
                    while self._idle:
                        worker = self._idle.pop()  # the most recently used: warm caches
                        if worker.alive():
                            self._busy += 1
                            return worker
                        worker.kill()
                    if self._busy < self.processes:
                        self._busy += 1
                        break
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise StoreTimeout("No query worker became free in time.")
                    self._freed.wait(remaining)
            finally:
                self._waiting -= 1
        try:
            return _Worker(self.path)
        except BaseException:
            with self._lock:
                self._busy -= 1
                self._freed.notify()
            raise

    def _all_started(self) -> bool:
        with self._lock:
            return (
                not self._closed
                and self._busy >= self.processes
                and self._busy + self._waiting < self.size
            )

    def _checkin(self, worker: _Worker | None) -> None:
        with self._lock:
            self._busy -= 1
            self._freed.notify()
            if self._async_waiters:
                loop, freed = self._async_waiters.popleft()
                with contextlib.suppress(RuntimeError):  # that loop is closed
                    loop.call_soon_threadsafe(_resolve, freed)
            if worker is not None and not self._closed:
                self._idle.append(worker)
                return
        if worker is not None:
            worker.stop()

    def try_checkout(self) -> _Worker | None:
        """An idle live worker without waiting or starting one; ``None`` when there is none."""
        with self._lock:
            if self._closed or self._busy + self._waiting >= self.size:
                return None
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    self._busy += 1
                    return worker
                worker.kill()
        return None

    async def query_async(self, job: QueryJob, *, timeout_s: float) -> RawResult:
        """:meth:`query` for an event loop: with an idle worker at hand, the job is written
        and its answer awaited on the loop (no thread hop); otherwise :meth:`query` runs in
        the loop's executor. The worker is killed on time-out and on cancellation.

        Raises:
            StoreTimeout, StoreBusy (also when a worker died), StoreQueryError.
        """
        loop = asyncio.get_running_loop()
        deadline = time.monotonic() + timeout_s
        worker = None
        if len(job.query) <= _INLINE_JOB_CHARS:
            worker = self.try_checkout()
            while worker is None and self._all_started():
                # Every process is busy: wait on the loop for one to come back.
                freed: asyncio.Future[None] = loop.create_future()
                with self._lock:
                    self._async_waiters.append((loop, freed))
                remaining = deadline - time.monotonic()
                try:
                    await asyncio.wait_for(freed, max(0.0, min(remaining, 0.5)))
                except TimeoutError:
                    if time.monotonic() >= deadline:
                        raise StoreTimeout("No query worker became free in time.") from None
                finally:
                    with self._lock, contextlib.suppress(ValueError):
                        self._async_waiters.remove((loop, freed))
                worker = self.try_checkout()
        if worker is None:  # a process must be started, or a long job written: in a thread
            remaining = max(0.001, deadline - time.monotonic())
            return await loop.run_in_executor(
                None, functools.partial(self.query, job, timeout_s=remaining)
            )
        fd = worker.conn.reader.fileno()
        ready: asyncio.Future[None] = loop.create_future()
        answered = False
        try:
            worker.conn.send(job)  # a small job into an idle worker's pipe: never blocks
            loop.add_reader(fd, _resolve, ready)
            try:
                await asyncio.wait_for(ready, max(0.0, deadline - time.monotonic()))
                answered = True
            except TimeoutError:
                pass
            finally:
                loop.remove_reader(fd)
                # uvloop (libuv) makes a watched descriptor non-blocking; the answer is read
                # whole below (the worker is writing it), and the sync path expects blocking.
                os.set_blocking(fd, True)
            if answered:
                status, payload = worker.conn.recv()
        except BaseException as exc:
            await loop.run_in_executor(None, worker.kill)
            self._checkin(None)
            if isinstance(exc, EOFError | OSError):
                raise StoreBusy("The query worker stopped unexpectedly; retry.") from exc
            raise
        if not answered:
            log.warning("query worker %s killed after %.1f s", worker.pid, timeout_s)
            await loop.run_in_executor(None, worker.kill)
            self._checkin(None)
            raise StoreTimeout(f"The query ran longer than {timeout_s:g} s and was stopped.")
        self._checkin(worker)
        if status == "ok":
            assert isinstance(payload, RawResult)
            return payload
        raise StoreQueryError(str(payload))

    def query(self, job: QueryJob, *, timeout_s: float) -> RawResult:
        """Run ``job`` in a worker; kill the worker when ``timeout_s`` runs out (the time
        spent waiting for a free worker counts).

        Raises:
            StoreTimeout, StoreBusy (also when a worker died), StoreQueryError.
        """
        deadline = time.monotonic() + timeout_s
        worker = self._checkout(deadline)
        try:
            worker.conn.send(job)
            answered = worker.conn.poll(max(0.0, deadline - time.monotonic()))
            if answered:
                status, payload = worker.conn.recv()
        except BaseException as exc:
            worker.kill()
            self._checkin(None)
            if isinstance(exc, EOFError | OSError):
                raise StoreBusy("The query worker stopped unexpectedly; retry.") from exc
            raise
        if not answered:
            # Killing the process is the only way to stop a pyoxigraph query; it frees the CPU.
            log.warning("query worker %s killed after %.1f s", worker.pid, timeout_s)
            worker.kill()
            self._checkin(None)
            raise StoreTimeout(f"The query ran longer than {timeout_s:g} s and was stopped.")
        self._checkin(worker)
        if status == "ok":
            assert isinstance(payload, RawResult)
            return payload
        raise StoreQueryError(str(payload))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._freed.notify_all()
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()


if __name__ == "__main__":  # pragma: no cover - the worker process
    _serve(_Duplex(Connection(int(sys.argv[2])), Connection(int(sys.argv[3]))), sys.argv[1])
