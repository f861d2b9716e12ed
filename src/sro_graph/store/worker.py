"""Query workers: user queries on a disk store run in processes that can be stopped.

pyoxigraph cannot cancel a running query, so a runaway query (a cartesian product over the
whole graph) would hold a CPU until it ends. Each worker process opens the store read-only
(a snapshot of the data written before it opened; reopened when the store's version changes),
runs one query at a time and sends back the serialised result. When the time limit runs out
the parent kills the process, which frees the CPU at once, and starts a fresh one on demand.

Unless federated queries are allowed (a non-empty ``SRO_SPARQL_ALLOWLIST``), each worker first
installs a seccomp filter under which ``socket(AF_INET | AF_INET6, ...)`` fails with EPERM:
the second layer behind the query check (issue 12.1), which holds even if that check is
wrong. Where the filter cannot be installed (no libseccomp, not Linux) the worker answers
every job with a refusal instead of running it: fail closed (docs/sparql-security.md).
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
from concurrent.futures import Executor
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sro_graph.store.base import (
    RawResult,
    StoreBusy,
    StoreQueryError,
    StoreTimeout,
    StoreUnavailable,
)

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


NO_SANDBOX = (
    "User queries are refused: the query sandbox (a seccomp filter that blocks outbound "
    "connections) cannot be installed on this machine."
)


def install_network_sandbox() -> str | None:
    """Make ``socket(AF_INET | AF_INET6, ...)`` fail with EPERM in this process for good
    (AF_UNIX stays allowed: the worker's pipes); ``None`` when installed, else why not.

    A seccomp filter is inherited by threads and children and cannot be removed."""
    import errno
    import socket

    try:
        import pyseccomp as seccomp

        sandbox = seccomp.SyscallFilter(seccomp.ALLOW)
        for family in (socket.AF_INET, socket.AF_INET6):
            sandbox.add_rule(
                seccomp.ERRNO(errno.EPERM), "socket", seccomp.Arg(0, seccomp.EQ, family)
            )
        sandbox.load()
    except Exception as exc:  # no libseccomp, not Linux, a kernel without seccomp
        return f"{exc.__class__.__name__}: {_first_line(exc)}"
    return None


def _serve(
    conn: _Duplex, path: str, *, allow_network: bool = False
) -> None:  # pragma: no cover - runs in the child
    """The worker loop: sandbox, open the store lazily, reopen on a new version, answer jobs."""
    import pyoxigraph as ox

    from sro_graph.store.dataset import dataset_options
    from sro_graph.store.results import serialize_result

    unsandboxed = None if allow_network else install_network_sandbox()  # the parent logs it
    store: Any = None
    opened_version: str | None = None
    while True:
        try:
            job: QueryJob | None = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        if unsandboxed is not None:
            conn.send(("unsandboxed", unsandboxed))
            continue
        try:
            if store is None or opened_version != job.version:
                store = None
                store = _open_read_only(ox, path)
                opened_version = job.version
            result = store.query(job.query, **dataset_options(job.default_graphs, job.named_graphs))
            raw = serialize_result(
                result,
                accept=job.accept,
                row_cap=job.row_cap,
                max_bytes=job.max_bytes,
                query=job.query,
            )
            conn.send(("ok", raw))
        except SyntaxError as exc:
            conn.send(("error", f"The query does not parse: {_first_line(exc)}"))
        except (OSError, ValueError, StoreQueryError) as exc:
            conn.send(("error", f"The query failed: {_first_line(exc)}"))
        except Exception as exc:  # e.g. RuntimeError on a malformed SERVICE answer
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

    def __init__(self, path: Path, *, allow_network: bool = False) -> None:
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
                    *(["--allow-network"] if allow_network else []),
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
    """At most ``size`` worker processes over the store at ``path``, started on demand.

    The pool never refuses for being busy: that is decided once, before a query gets here, by
    the query runner's slots (as many as the pool has processes), so a query that got a slot
    finds a process. A caller beyond ``size`` (only without that gate) waits for a process
    within its time limit.
    """

    def __init__(self, path: Path, *, size: int, allow_network: bool = False) -> None:
        """``allow_network``: the workers may open internet sockets (only for an allow-list
        of SERVICE endpoints); otherwise each one runs under the network sandbox."""
        self.path = path
        self.allow_network = allow_network
        self._unsandboxed_logged = False
        self.size = max(1, size)
        self._lock = threading.Lock()
        self._freed = threading.Condition(self._lock)
        self._idle: list[_Worker] = []
        self._busy = 0
        self._async_waiters: deque[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = deque()
        self._closed = False

    def pids(self) -> list[int]:
        """Process ids of the idle workers (for tests and monitoring)."""
        with self._lock:
            return [w.pid for w in self._idle if w.pid is not None]

    def _checkout(self, deadline: float) -> _Worker:
        with self._lock:
            while True:
                if self._closed:
                    raise StoreBusy("The query workers are shut down.")
                while self._idle:
                    worker = self._idle.pop()  # the most recently used: warm caches
                    if worker.alive():
                        self._busy += 1
                        return worker
                    worker.kill()
                if self._busy < self.size:
                    self._busy += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise StoreTimeout("No query worker became free in time.")
                self._freed.wait(remaining)
        try:
            return _Worker(self.path, allow_network=self.allow_network)
        except BaseException:
            with self._lock:
                self._busy -= 1
                self._freed.notify()
            raise

    def _all_started(self) -> bool:
        with self._lock:
            return not self._closed and self._busy >= self.size

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
            if self._closed:
                return None
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    self._busy += 1
                    return worker
                worker.kill()
        return None

    async def query_async(
        self, job: QueryJob, *, timeout_s: float, executor: Executor
    ) -> RawResult:
        """:meth:`query` for an event loop: with an idle worker at hand, the job is written
        and its answer awaited on the loop (no thread hop); otherwise (a process to start, a
        long text to write) :meth:`query` runs on ``executor``, the caller's. The worker is
        killed on time-out and on cancellation.

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
                executor, functools.partial(self.query, job, timeout_s=remaining)
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
            await loop.run_in_executor(executor, worker.kill)
            self._checkin(None)
            if isinstance(exc, EOFError | OSError):
                raise StoreBusy("The query worker stopped unexpectedly; retry.") from exc
            raise
        if not answered:
            log.warning("query worker %s killed after %.1f s", worker.pid, timeout_s)
            await loop.run_in_executor(executor, worker.kill)
            self._checkin(None)
            raise StoreTimeout(f"The query ran longer than {timeout_s:g} s and was stopped.")
        self._checkin(worker)
        return self._answer(status, payload)

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
        return self._answer(status, payload)

    def _answer(self, status: str, payload: object) -> RawResult:
        if status == "ok":
            assert isinstance(payload, RawResult)
            return payload
        if status == "unsandboxed":
            if not self._unsandboxed_logged:
                self._unsandboxed_logged = True
                log.error("%s (%s) See docs/sparql-security.md.", NO_SANDBOX, payload)
            raise StoreUnavailable(NO_SANDBOX)
        raise StoreQueryError(str(payload))

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._freed.notify_all()
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()


if __name__ == "__main__":  # pragma: no cover - the worker process
    _serve(
        _Duplex(Connection(int(sys.argv[2])), Connection(int(sys.argv[3]))),
        sys.argv[1],
        allow_network="--allow-network" in sys.argv[4:],
    )
