"""Query workers: user queries on a disk store run in processes that can be stopped.

pyoxigraph cannot cancel a running query, so a runaway query (a cartesian product over the
whole graph) would hold a CPU until it ends. Each worker process opens the store read-only
(a snapshot of the data written before it opened; reopened when the store's version changes),
runs one query at a time and sends back the serialised result. When the time limit runs out
the parent kills the process, which frees the CPU at once, and starts a fresh one on demand.
"""

from __future__ import annotations

import contextlib
import logging
import os
import subprocess
import sys
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from sro_graph.store.base import RawResult, StoreBusy, StoreQueryError, StoreTimeout

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class QueryJob:
    version: str
    query: str
    accept: str
    default_graphs: list[str] | None
    named_graphs: list[str] | None
    row_cap: int | None


def _serve(conn: _Duplex, path: str) -> None:  # pragma: no cover - runs in the child
    """The worker loop: open the store lazily, reopen on a new version, answer jobs."""
    import pyoxigraph as ox

    from sro_graph.store.embedded import serialize_result

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
                store = ox.Store.read_only(path)
                opened_version = job.version
            options: dict[str, object] = {}
            if job.default_graphs:
                options["default_graph"] = [ox.NamedNode(g) for g in job.default_graphs]
            if job.named_graphs:
                options["named_graphs"] = [ox.NamedNode(g) for g in job.named_graphs]
            result = store.query(
                job.query, use_default_graph_as_union=not job.default_graphs, **options
            )
            raw = serialize_result(result, accept=job.accept, row_cap=job.row_cap)
            conn.send(("ok", raw))
        except SyntaxError as exc:
            conn.send(("error", f"The query does not parse: {_first_line(exc)}"))
        except (OSError, ValueError, StoreQueryError) as exc:
            conn.send(("error", f"The query failed: {_first_line(exc)}"))


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
                [sys.executable, "-m", "sro_graph.store.worker", str(path),
                 str(to_child_r), str(from_child_w)],
                pass_fds=(to_child_r, from_child_w), stdin=subprocess.DEVNULL,
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
    """At most ``size`` worker processes over the store at ``path``; one query each at a time."""

    def __init__(self, path: Path, *, size: int) -> None:
        self.path = path
        self.size = size
        self._lock = threading.Lock()
        self._idle: list[_Worker] = []
        self._busy = 0
        self._closed = False

    def pids(self) -> list[int]:
        """Process ids of the idle workers (for tests and monitoring)."""
        with self._lock:
            return [w.pid for w in self._idle if w.pid is not None]

    def _checkout(self) -> _Worker:
        with self._lock:
            if self._closed:
                raise StoreBusy("The query workers are shut down.")
            while self._idle:
                worker = self._idle.pop()
                if worker.alive():
                    self._busy += 1
                    return worker
                worker.kill()
            if self._busy >= self.size:
                raise StoreBusy("Every query worker is busy.")
            self._busy += 1
        try:
            return _Worker(self.path)
        except BaseException:
            with self._lock:
                self._busy -= 1
            raise

    def _checkin(self, worker: _Worker | None) -> None:
        with self._lock:
            self._busy -= 1
            if worker is not None and not self._closed:
                self._idle.append(worker)
                return
        if worker is not None:
            worker.stop()

    def query(self, job: QueryJob, *, timeout_s: float) -> RawResult:
        """Run ``job`` in a worker; kill the worker when ``timeout_s`` runs out.

        Raises:
            StoreTimeout, StoreBusy, StoreQueryError.
        """
        worker = self._checkout()
        try:
            worker.conn.send(job)
            answered = worker.conn.poll(timeout_s)
            if answered:
                status, payload = worker.conn.recv()
        except BaseException as exc:
            worker.kill()
            self._checkin(None)
            if isinstance(exc, EOFError | OSError):
                raise StoreQueryError("The query worker stopped unexpectedly.") from exc
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
            idle, self._idle = self._idle, []
        for worker in idle:
            worker.stop()


if __name__ == "__main__":  # pragma: no cover - the worker process
    _serve(_Duplex(Connection(int(sys.argv[2])), Connection(int(sys.argv[3]))), sys.argv[1])
