"""The embedded store: pyoxigraph on disk (RocksDB) or in memory.

Writes go through one SPARQL Update request, which Oxigraph applies as one transaction, so a
submission is wholly in or wholly out, also when the process is killed mid-write.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph

from sro_graph.oxterms import from_rdflib, to_rdflib, triples_to_graph
from sro_graph.store import results
from sro_graph.store.base import (
    Bindings,
    GraphWrite,
    RawResult,
    Row,
    StoreError,
    StoreQueryError,
    StoreTimeout,
    StoreUnavailable,
)
from sro_graph.store.update import VERSION_PREDICATE, build_update
from sro_graph.store.worker import QueryJob, QueryWorkerPool

log = logging.getLogger(__name__)

_GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}
GRAPH_MEDIA_TYPES = tuple(_GRAPH_FORMATS)


class EmbeddedStore:
    """pyoxigraph :class:`~pyoxigraph.Store`; ``path=None`` keeps everything in memory."""

    def __init__(
        self, path: Path | None, *, system_graph: str, query_workers: int = 0
    ) -> None:
        """``query_workers`` > 0 on a disk store runs ``query_raw`` in that many killable
        worker processes (a hard time limit); otherwise a query runs in a thread and the
        time limit is soft: the caller gets its answer on time, the thread ends later."""
        self.path = path
        self._system_graph = system_graph
        self._write_lock = threading.Lock()
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
        if path is not None and query_workers > 0:
            self.workers = QueryWorkerPool(path, size=query_workers)

    # -- queries ---------------------------------------------------------------------------

    def _run(self, query: str, bindings: Bindings | None, **options: object) -> object:
        subs = {ox.Variable(k): from_rdflib(v) for k, v in (bindings or {}).items()}
        try:
            return self._store.query(
                query, use_default_graph_as_union=True, substitutions=subs or None,
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

    def query_raw(
        self,
        query: str,
        *,
        accept: str,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        row_cap: int | None = None,
        timeout_s: float | None = None,
    ) -> RawResult:
        if self.workers is not None and timeout_s is not None:
            job = QueryJob(self.version(), query, accept, default_graphs, named_graphs, row_cap)
            return self.workers.query(job, timeout_s=timeout_s)
        if timeout_s is not None:
            return _in_thread(
                lambda: self._query_raw(query, accept, default_graphs, named_graphs, row_cap),
                timeout_s,
            )
        return self._query_raw(query, accept, default_graphs, named_graphs, row_cap)

    def _query_raw(
        self, query: str, accept: str, default_graphs: list[str] | None,
        named_graphs: list[str] | None, row_cap: int | None,
    ) -> RawResult:
        options: dict[str, object] = {}
        if default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        try:
            result = self._store.query(
                query, use_default_graph_as_union=not default_graphs, **options  # type: ignore[arg-type]
            )
        except SyntaxError as exc:
            raise StoreQueryError(f"The query does not parse: {_first_line(exc)}") from exc
        except (OSError, ValueError) as exc:
            raise StoreQueryError(f"The query failed: {_first_line(exc)}") from exc
        try:
            return serialize_result(result, accept=accept, row_cap=row_cap)
        except (OSError, ValueError) as exc:  # raised while iterating (e.g. an allowed SERVICE)
            raise StoreQueryError(f"The query failed: {_first_line(exc)}") from exc

    # -- writes ----------------------------------------------------------------------------

    def write(self, change: GraphWrite, *, new_version: str) -> None:
        update = build_update(change, system_graph=self._system_graph, new_version=new_version)
        with self._write_lock:
            try:
                self._store.update(update)
            except OSError as exc:
                raise StoreUnavailable("The store could not write the change.") from exc
            except SyntaxError as exc:  # our own update text: a bug, not user input
                raise StoreQueryError(f"Internal update failed: {_first_line(exc)}") from exc

    def bulk_load(self, data: bytes, *, media_type: str, graph: str, base_iri: str) -> None:
        """Fast, non-transactional load for very large files (the ``load`` command)."""
        self._store.bulk_load(
            data, format=_GRAPH_FORMATS[media_type], base_iri=base_iri,
            to_graph=ox.NamedNode(graph),
        )

    def version(self) -> str:
        quads = self._store.quads_for_pattern(
            None, ox.NamedNode(VERSION_PREDICATE), None, ox.NamedNode(self._system_graph)
        )
        for quad in quads:
            return str(quad.object.value)
        return "0"

    def graph_names(self) -> set[str]:
        return {g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode)}

    def dump(self, *, graph: str | None = None) -> bytes:
        if graph is None:
            return bytes(self._store.dump(format=ox.RdfFormat.N_QUADS))
        return bytes(
            self._store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph))
        )

    def flush(self) -> None:
        if self.path is not None:
            self._store.flush()

    def close(self) -> None:
        if self.workers is not None:
            self.workers.close()
        self.flush()
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
        raise StoreTimeout(f"The query ran longer than {timeout_s:g} s.")
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def serialize_result(result: object, *, accept: str, row_cap: int | None) -> RawResult:
    """Serialise a pyoxigraph query result in ``accept``, cut at ``row_cap`` rows."""
    if isinstance(result, ox.QueryBoolean):
        return RawResult(results.write_boolean(accept, bool(result)), accept, "boolean", False, 1)
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows, truncated = _take(([s[n] for n in names] for s in result), row_cap)
        body = results.write_bindings(accept, names, rows)
        return RawResult(body, accept, "bindings", truncated, len(rows))
    if isinstance(result, ox.QueryTriples):
        triples, truncated = _take(iter(result), row_cap)
        fmt = _GRAPH_FORMATS[accept]
        if fmt in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
            body = bytes(ox.serialize(
                [ox.Quad(t.subject, t.predicate, t.object) for t in triples], format=fmt))
        else:
            body = bytes(ox.serialize(triples, format=fmt))
        return RawResult(body, accept, "graph", truncated, len(triples))
    raise StoreQueryError("Unexpected query result.")


def _take(items: Iterator[object] | Iterable[object], cap: int | None) -> tuple[list, bool]:  # type: ignore[type-arg]
    out = []
    for item in items:
        if cap is not None and len(out) >= cap:
            return out, True
        out.append(item)
    return out, False


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else exc.__class__.__name__
