"""The embedded store: pyoxigraph on disk (RocksDB) or in memory.

Writes go through one SPARQL Update request, which Oxigraph applies as one transaction, so a
submission is wholly in or wholly out, also when the process is killed mid-write.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from sro_graph.formats import RdfFormat
from sro_graph.oxterms import from_rdflib, to_rdflib, triples_to_graph
from sro_graph.store.base import (
    Bindings,
    GraphWrite,
    RawResult,
    Row,
    StoreConflict,
    StoreError,
    StoreQueryError,
    StoreTimeout,
    StoreUnavailable,
)
from sro_graph.store.dataset import dataset_options
from sro_graph.store.results import serialize_result
from sro_graph.store.update import VERSION_PREDICATE, build_update
from sro_graph.store.worker import QueryJob, QueryWorkerPool

log = logging.getLogger(__name__)

_GRAPH_FORMATS: dict[str, ox.RdfFormat] = {f: f.oxigraph for f in RdfFormat}
LOADING_PREDICATE = "urn:sro-graph:loading"
"""In the system graph: a graph whose bulk load has begun and not finished."""


class EmbeddedStore:
    """pyoxigraph :class:`~pyoxigraph.Store`; ``path=None`` keeps everything in memory."""

    def __init__(
        self,
        path: Path | None,
        *,
        system_graph: str,
        query_workers: int = 0,
        workers_network: bool = False,
    ) -> None:
        """``query_workers`` > 0 on a disk store runs ``query_raw`` in that many killable
        worker processes (a hard time limit); otherwise a query runs in a thread and the
        time limit is soft: the caller gets its answer on time, the thread ends later."""
        self.path = path
        self._system_graph = system_graph
        self._write_lock = threading.Lock()
        self._write_failed = False  # a failed write (disk full): reopen before the next one
        self.workers: QueryWorkerPool | None = None
        try:
            if path is None:
                self._store = ox.Store()
            else:
                path.mkdir(parents=True, exist_ok=True)
                self._store = ox.Store(str(path))
        except OSError as exc:
            raise StoreUnavailable(
                "The store folder cannot be opened (is another process using it?)."
            ) from exc
        if path is not None:
            self.recover_bulk_loads()
        if path is not None and query_workers > 0:
            self.workers = QueryWorkerPool(path, size=query_workers, allow_network=workers_network)

    # -- queries ---------------------------------------------------------------------------

    def _run(self, query: str, bindings: Bindings | None, **options: object) -> object:
        subs: dict[ox.Variable, ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple] = {
            ox.Variable(k): from_rdflib(v) for k, v in (bindings or {}).items()
        }
        try:
            return self._store.query(
                query,
                use_default_graph_as_union=True,
                substitutions=subs or None,
                **options,  # type: ignore[arg-type]
            )
        except SyntaxError as exc:
            raise StoreQueryError(f"The query does not parse: {_first_line(exc)}") from exc
        except (OSError, ValueError) as exc:
            raise StoreQueryError(f"The query failed: {_first_line(exc)}") from exc

    def select(self, query: str, *, bindings: Bindings | None = None) -> list[Row]:
        solutions = self._run(query, bindings)
        if not isinstance(solutions, ox.QuerySolutions):
            raise StoreQueryError("Expected a SELECT query.")
        names = [v.value for v in solutions.variables]
        out: list[Row] = []
        for solution in solutions:
            row: Row = {}
            for name in names:
                term = solution[name]
                if term is not None:
                    row[name] = to_rdflib(term)
            out.append(row)
        return out

    def ask(self, query: str, *, bindings: Bindings | None = None) -> bool:
        answer = self._run(query, bindings)
        if not isinstance(answer, ox.QueryBoolean):
            raise StoreQueryError("Expected an ASK query.")
        return bool(answer)

    def construct(self, query: str, *, bindings: Bindings | None = None) -> Graph:
        triples = self._run(query, bindings)
        if not isinstance(triples, ox.QueryTriples):
            raise StoreQueryError("Expected a CONSTRUCT or DESCRIBE query.")
        return triples_to_graph(triples)

    def statements(self, query: str) -> list[ox.Triple]:
        triples = self._run(query, None)
        if not isinstance(triples, ox.QueryTriples):
            raise StoreQueryError("Expected a CONSTRUCT or DESCRIBE query.")
        return list(triples)

    def query_raw(
        self,
        query: str,
        *,
        accept: str,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        row_cap: int | None = None,
        timeout_s: float | None = None,
        max_bytes: int | None = None,
    ) -> RawResult:
        if self.workers is not None and timeout_s is not None:
            job = QueryJob(
                self.version(),
                query,
                accept,
                default_graphs,
                named_graphs,
                row_cap,
                max_bytes,
            )
            return self.workers.query(job, timeout_s=timeout_s)
        if timeout_s is not None:
            return _in_thread(
                lambda: self._query_raw(
                    query, accept, default_graphs, named_graphs, row_cap, max_bytes
                ),
                timeout_s,
            )
        return self._query_raw(query, accept, default_graphs, named_graphs, row_cap, max_bytes)

    async def query_raw_async(
        self,
        query: str,
        *,
        accept: str,
        executor: Executor,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        row_cap: int | None = None,
        timeout_s: float | None = None,
        max_bytes: int | None = None,
    ) -> RawResult:
        """:meth:`query_raw` for an event loop: a worker's answer is awaited on the loop; an
        in-memory query runs on ``executor``."""
        if self.workers is not None and timeout_s is not None:
            job = QueryJob(
                self.version(),
                query,
                accept,
                default_graphs,
                named_graphs,
                row_cap,
                max_bytes,
            )
            return await self.workers.query_async(job, timeout_s=timeout_s, executor=executor)
        return await asyncio.get_running_loop().run_in_executor(
            executor,
            functools.partial(
                self.query_raw,
                query,
                accept=accept,
                default_graphs=default_graphs,
                named_graphs=named_graphs,
                row_cap=row_cap,
                timeout_s=timeout_s,
                max_bytes=max_bytes,
            ),
        )

    def _query_raw(
        self,
        query: str,
        accept: str,
        default_graphs: list[str] | None,
        named_graphs: list[str] | None,
        row_cap: int | None,
        max_bytes: int | None = None,
    ) -> RawResult:
        try:
            result = self._store.query(
                query,
                **dataset_options(default_graphs, named_graphs),  # type: ignore[arg-type]
            )
        except SyntaxError as exc:
            raise StoreQueryError(f"The query does not parse: {_first_line(exc)}") from exc
        except (OSError, ValueError) as exc:
            raise StoreQueryError(f"The query failed: {_first_line(exc)}") from exc
        try:
            return serialize_result(
                result,
                accept=accept,
                row_cap=row_cap,
                max_bytes=max_bytes,
                query=query,
            )
        except (OSError, ValueError, RuntimeError) as exc:  # while iterating (an allowed SERVICE)
            raise StoreQueryError(f"The query failed: {_first_line(exc)}") from exc

    # -- writes ----------------------------------------------------------------------------

    def write(self, change: GraphWrite, *, new_version: str, if_version: str | None = None) -> None:
        update = build_update(change, system_graph=self._system_graph, new_version=new_version)
        with self._write_lock:
            if self._write_failed:
                self._reopen()
            # One process holds an embedded store, and its writes take this lock: the version
            # read here is the one the update replaces.
            if if_version is not None and self.version() != if_version:
                raise StoreConflict("The store changed since it was read; nothing was written.")
            try:
                self._store.update(update)
            except OSError as exc:
                # RocksDB stays read-only after an I/O error (e.g. a full disk) until it is
                # reopened; the failed transaction was not applied.
                self._write_failed = self.path is not None
                log.error("store write failed: %s", _first_line(exc))
                raise StoreUnavailable("The store could not write the change.") from exc
            except SyntaxError as exc:  # our own update text: a bug, not user input
                raise StoreQueryError(f"Internal update failed: {_first_line(exc)}") from exc

    def bulk_load(self, data: bytes, *, media_type: str, graph: str, base_iri: str) -> None:
        """Fast, non-transactional load for very large files (the ``load`` command)."""
        self._store.bulk_load(
            data,
            format=_GRAPH_FORMATS[media_type],
            base_iri=base_iri,
            to_graph=ox.NamedNode(graph),
        )

    def bulk_replace(
        self, data: bytes, *, media_type: str, graph: str, base_iri: str, new_version: str
    ) -> None:
        """Replace ``graph`` with ``data`` through pyoxigraph's bulk loader, wholly or not at all.

        The bulk loader is several times faster than a transaction but not atomic, so the load
        is bracketed by two transactions: the first empties ``graph`` and records it in the
        system graph as being loaded; the bulk load fills it; the second removes the record and
        bumps the version. A process killed in between leaves the record behind, and the next
        opening of the store (:meth:`recover_bulk_loads`) drops the half-loaded graph. A
        reload killed midway thus leaves the graph empty, never partial.

        Raises:
            StoreQueryError: the data does not parse (nothing of it stays in the store).
            StoreUnavailable: the store cannot write.
        """
        target, sysg = _iri(graph), _iri(self._system_graph)
        self._update(
            f"DROP SILENT GRAPH {target} ;\n"
            f"INSERT DATA {{ GRAPH {sysg} {{ {sysg} <{LOADING_PREDICATE}> {target} }} }}"
        )
        try:
            self._store.bulk_load(
                data,
                format=_GRAPH_FORMATS[media_type],
                base_iri=base_iri,
                to_graph=ox.NamedNode(graph),
            )
        except (SyntaxError, ValueError) as exc:
            self.recover_bulk_loads()
            raise StoreQueryError(f"The data does not parse: {_first_line(exc)}") from exc
        except OSError as exc:
            raise StoreUnavailable("The store could not write the load.") from exc
        version = ox.Literal(new_version)
        self._update(
            f"DELETE DATA {{ GRAPH {sysg} {{ {sysg} <{LOADING_PREDICATE}> {target} }} }} ;\n"
            f"DELETE WHERE {{ GRAPH {sysg} {{ {sysg} <{VERSION_PREDICATE}> ?v }} }} ;\n"
            f"INSERT DATA {{ GRAPH {sysg} {{ {sysg} <{VERSION_PREDICATE}> {version} }} }}"
        )

    def recover_bulk_loads(self) -> list[str]:
        """Drop the graphs of bulk loads that did not finish (a killed ``load --bulk``), each
        in one transaction with its record; returns their names."""
        sysg = ox.NamedNode(self._system_graph)
        pending = [
            q.object
            for q in self._store.quads_for_pattern(
                sysg, ox.NamedNode(LOADING_PREDICATE), None, sysg
            )
        ]
        for target in pending:
            if not isinstance(target, ox.NamedNode):
                continue
            log.warning("dropping %s: its bulk load did not finish", target.value)
            self._update(
                f"DROP SILENT GRAPH {target} ;\n"
                f"DELETE DATA {{ GRAPH {sysg} {{ {sysg} <{LOADING_PREDICATE}> {target} }} }}"
            )
        return [t.value for t in pending if isinstance(t, ox.NamedNode)]

    def _update(self, update: str) -> None:
        """Apply one internal update (our own text) like :meth:`write` does."""
        with self._write_lock:
            if self._write_failed:
                self._reopen()
            try:
                self._store.update(update)
            except OSError as exc:
                self._write_failed = self.path is not None
                log.error("store write failed: %s", _first_line(exc))
                raise StoreUnavailable("The store could not write the change.") from exc

    def version(self) -> str:
        quads = self._store.quads_for_pattern(
            None, ox.NamedNode(VERSION_PREDICATE), None, ox.NamedNode(self._system_graph)
        )
        for quad in quads:
            value = quad.object
            return value.value if isinstance(value, ox.Literal) else str(value)
        return "0"

    def graph_names(self) -> set[str]:
        return {g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)}

    def dump(self, *, graph: str | None = None) -> bytes:
        if graph is None:
            return _bytes(self._store.dump(format=ox.RdfFormat.N_QUADS))
        return _bytes(
            self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
        )

    def _reopen(self) -> None:
        """Open the disk store afresh after a failed write (called under the write lock).

        Raises:
            StoreUnavailable: it cannot be reopened yet (the disk is still full, or a reader
                still holds the old handle); the next write tries again.
        """
        assert self.path is not None
        with contextlib.suppress(OSError):  # the WAL holds what was committed
            self._store.flush()
        del self._store
        try:
            self._store = ox.Store(str(self.path))
        except OSError as exc:
            self._store = ox.Store.read_only(str(self.path))
            raise StoreUnavailable("The store could not be reopened for writing.") from exc
        self._write_failed = False
        log.warning("store reopened after a failed write")

    def flush(self) -> None:
        if self.path is not None:
            try:
                self._store.flush()
            except OSError as exc:
                raise StoreUnavailable("The store could not flush to disk.") from exc

    def close(self) -> None:
        if self.workers is not None:
            self.workers.close()
        try:
            self.flush()
        except StoreUnavailable:
            log.exception("store flush failed on close")
        del self._store


def _in_thread(work: Callable[[], RawResult], timeout_s: float) -> RawResult:
    """Run ``work`` in a daemon thread; a soft limit: on time-out the thread runs on."""
    outcome: list[RawResult | BaseException] = []

    def target() -> None:
        # pyoxigraph results must be dropped on the thread that made them: hand over a fresh
        # exception without the traceback (whose frames hold the result).
        try:
            outcome.append(work())
        except StoreError as exc:
            outcome.append(type(exc)(str(exc)))
        except Exception as exc:
            outcome.append(StoreQueryError(f"The query failed: {_first_line(exc)}"))

    thread = threading.Thread(target=target, daemon=True, name="sro-query")
    thread.start()
    thread.join(timeout_s)
    if not outcome:
        raise StoreTimeout(
            f"The query ran longer than {timeout_s:g} s and was abandoned; it may still be "
            "running in the background."
        )
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _bytes(data: bytes | None) -> bytes:
    # pyoxigraph returns None only when given an output to write to; we never give one.
    assert data is not None
    return data


def _iri(value: str) -> str:
    return str(ox.NamedNode(value))


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else exc.__class__.__name__
