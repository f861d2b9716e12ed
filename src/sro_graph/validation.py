"""SHACL validation: a graph in, a frozen :class:`Report` out.

pySHACL runs in worker processes (``validation_workers``): rdflib is not thread-safe and
pySHACL mutates the graphs it is given, so every request gets its own copy of the data, made
from N-Triples in the worker. The server's shapes are parsed and harvested into pySHACL
shapes once per worker (:class:`ShaclEngine`, built by the pool initializer), SHACL-SPARQL
texts are parsed once per process, and only the submission's own subjects are focus nodes
(the store context is there for ``sh:class`` and labels, not to be validated itself); a shapes
upload (``/validate`` only) goes through plain ``pyshacl.validate`` per request. A validation
that runs past ``validation_timeout_s`` has its worker killed and the pool is replaced.
:meth:`Validator.validate_batch` validates a large graph in chunks over all workers.

pySHACL is called with explicit keywords only, with graphs we parsed ourselves: no inference,
no ``owl:imports``, no JavaScript, no meta-SHACL.

The report adds what stewards need on top of pySHACL's graph: labels of focus nodes and
properties (from the data, the store context, ``sh:name`` or the ontology's ``rdfs:label``),
messages in Dutch and English (``sh:message`` or generated per constraint component), and
for each initiative whether it is core or related and which of the four elements it lacks.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import logging
import multiprocessing
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pyshacl
from pyshacl.graph_abstraction import DataGraph
from pyshacl.monkey import apply_patches
from pyshacl.shapes_graph import ShapesGraph
from pyshacl.validator import Validator as PyshaclValidator
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from sro_graph import rq
from sro_graph.errors import BusyError, QueryTimeoutError, UnsafeInputError
from sro_graph.oxterms import graph_to_triples, triples_to_graph
from sro_graph.rdfio import RdfFormat, graph_from_ntriples, parse_rdf, serialize_graph
from sro_graph.store import Store
from sro_graph.vocab import DCTERMS, FOAF, RDF, RDFS, ROV, SH, SKOS, XSD, Uris

log = logging.getLogger(__name__)

SEVERITIES = ("Violation", "Warning", "Info")
_LABEL_PROPERTIES = (SKOS.prefLabel, DCTERMS.title, RDFS.label, SH.name, FOAF.name, ROV.legalName)

# ---------------------------------------------------------------------------------------------
# The report value
# ---------------------------------------------------------------------------------------------

Text = Mapping[str, str]
"""A text in Dutch and English: ``{"nl": ..., "en": ...}``."""


@dataclass(frozen=True)
class Result:
    """One SHACL result, with labels and a message in nl and en."""

    focus: str
    focus_label: Text | None
    path: str | None
    path_label: Text | None
    value: str | None
    severity: str
    constraint: str
    message: Text
    shape: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "focus": self.focus,
            "focusLabel": _plain(self.focus_label),
            "path": self.path,
            "pathLabel": _plain(self.path_label),
            "value": self.value,
            "severity": self.severity,
            "constraint": self.constraint,
            "message": dict(self.message),
            "shape": self.shape,
        }


@dataclass(frozen=True)
class MissingElement:
    """One of the four elements an initiative lacks."""

    element: str
    code: str
    label: Text

    def to_json(self) -> dict[str, Any]:
        return {"element": self.element, "code": self.code, "label": dict(self.label)}


@dataclass(frozen=True)
class InitiativeStatus:
    """Whether an initiative is core (all four elements) or related, and what it lacks."""

    iri: str
    label: Text | None
    missing: tuple[MissingElement, ...]

    @property
    def category(self) -> str:
        return "related" if self.missing else "core"

    def to_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": _plain(self.label),
            "category": self.category,
            "missing": [m.to_json() for m in self.missing],
        }


@dataclass(frozen=True)
class Report:
    """The outcome of one validation. ``graph_nt`` is the ``sh:ValidationReport`` graph."""

    conforms: bool
    results: tuple[Result, ...]
    initiatives: tuple[InitiativeStatus, ...]
    graph_nt: bytes = field(repr=False)

    @property
    def counts(self) -> dict[str, int]:
        counts = {s.lower(): 0 for s in SEVERITIES}
        for r in self.results:
            key = r.severity.lower()
            counts[key] = counts.get(key, 0) + 1
        return counts

    @property
    def has_violations(self) -> bool:
        return any(r.severity == "Violation" for r in self.results)

    def graph(self) -> Graph:
        return graph_from_ntriples(self.graph_nt)

    def serialize(self, fmt: RdfFormat) -> bytes:
        """The report graph in an RDF format."""
        prefixes = {"sh": str(SH), "rdf": str(RDF), "rdfs": str(RDFS)}
        return serialize_graph(self.graph(), fmt, prefixes=prefixes)

    def to_json(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "counts": self.counts,
            "results": [r.to_json() for r in self.results],
            "initiatives": [i.to_json() for i in self.initiatives],
        }

    def to_csv(self) -> str:
        """One row per result, for spreadsheets."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(
            [
                "severity",
                "focus",
                "focus_label",
                "path",
                "path_label",
                "value",
                "constraint",
                "message_nl",
                "message_en",
                "shape",
            ]
        )
        for r in self.results:
            writer.writerow(
                [
                    r.severity,
                    r.focus,
                    _pick(r.focus_label),
                    r.path or "",
                    _pick(r.path_label),
                    r.value or "",
                    r.constraint,
                    r.message.get("nl", ""),
                    r.message.get("en", ""),
                    r.shape or "",
                ]
            )
        return buffer.getvalue()


def _plain(text: Text | None) -> dict[str, str] | None:
    return dict(text) if text else None


def _pick(text: Text | None) -> str:
    if not text:
        return ""
    return text.get("nl") or text.get("en") or ""


# ---------------------------------------------------------------------------------------------
# The worker side: module-level functions, pickled by reference
# ---------------------------------------------------------------------------------------------

_worker_engine: ShaclEngine | None = None


def _init_worker(shapes_nt: bytes) -> None:
    global _worker_engine  # one parse and shape harvest per worker, reused by every request
    _worker_engine = ShaclEngine(graph_from_ntriples(shapes_nt))


def run_pyshacl(data: Graph, shapes: Graph) -> tuple[bool, Graph]:
    """pySHACL with the options sro-graph always uses (explicit keywords, nothing implicit).

    Warnings and infos do not make a graph non-conforming; ``data`` is changed in place, so
    pass a graph nobody else holds.
    """
    conforms, report, _ = pyshacl.validate(
        data,
        shacl_graph=shapes,
        ont_graph=None,
        inference="none",
        abort_on_first=False,
        allow_infos=True,
        allow_warnings=True,
        meta_shacl=False,
        advanced=False,
        js=False,
        debug=False,
        do_owl_imports=False,
        inplace=True,
    )
    assert isinstance(report, Graph)
    return bool(conforms), report


def _validate_in_worker(
    data_nt: bytes,
    context_nt: bytes,
    shapes_nt: bytes | None,
) -> tuple[bool, bytes]:
    if shapes_nt is not None:
        conforms, report = run_pyshacl(_merged(data_nt, context_nt), graph_from_ntriples(shapes_nt))
    else:
        assert _worker_engine is not None, "worker started without shapes"
        conforms, report = _run_engine(_worker_engine, data_nt, context_nt)
    return conforms, serialize_graph(report, RdfFormat.NTRIPLES)


def _run_engine(engine: ShaclEngine, data_nt: bytes, context_nt: bytes) -> tuple[bool, Graph]:
    """The server's shapes over the data plus its context, the data's subjects as focus."""
    graph = _QueryCachingGraph()
    _parse_into(graph, data_nt)
    focus: set[Node] = set(graph.subjects())
    _parse_into(graph, context_nt)
    return engine.run(graph, focus)


# ---------------------------------------------------------------------------------------------
# The engine: the server's shapes, prepared once per process
# ---------------------------------------------------------------------------------------------

# Targets other than classes can pick focus nodes that are no subject of the data graph; with
# any of them in the shapes, validation runs over every target (no focus restriction).
_NON_CLASS_TARGETS = tuple(
    URIRef(f"{SH}{name}")
    for name in ("targetNode", "targetSubjectsOf", "targetObjectsOf", "target")
)


class _Parameters(list):  # type: ignore[type-arg]
    """pySHACL's list of constraint parameters with O(1) membership (same items, same order).

    ``Shape.validate`` tests every predicate of a shape against this list for each (nested)
    evaluation: with rdflib's Python-level ``__eq__`` that linear scan was half the time of a
    large validation. ``copy()`` still returns a plain list, as pySHACL's advanced mode needs.
    """

    def __init__(self, items: Iterable[Any]) -> None:
        super().__init__(items)
        self._members = frozenset(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members


def _speed_up_pyshacl() -> None:
    """Prime pySHACL's lazily filled parameter cache with :class:`_Parameters` (idempotent;
    behaviour unchanged, parity with ``pyshacl.validate`` is tested)."""
    from pyshacl import shape as shape_module
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    current = getattr(shape_module, "CONSTRAINT_PARAMS", (None, None))[0]
    if not isinstance(current, _Parameters):
        shape_module.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
            _Parameters(ALL_CONSTRAINT_PARAMETERS),
            CONSTRAINT_PARAMETERS_MAP,
        )


def _fast_graph(triples: Iterable[tuple[Node, Node, Node]] = ()) -> Graph:
    """A graph on rdflib's context-free ``SimpleMemory`` store, for the shapes: pySHACL reads
    them millions of times, and the default store spends a third of each ``triples()`` call
    on named-graph bookkeeping. (The data graph must stay context-aware for pySHACL.)"""
    graph = Graph(store="SimpleMemory")
    for triple in triples:
        graph.add(triple)
    return graph


class _QueryCachingGraph(Graph):
    """A data graph that parses each SPARQL text once per process.

    pySHACL passes the same query text (prefixes and ``$PATH`` filled in, ``$this`` as an
    initial binding) for every focus node, and rdflib parses a text on every call: ~27 ms of
    pyparsing per query, the bulk of a validation with SHACL-SPARQL constraints.
    """

    def query(self, query_object: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


@functools.lru_cache(maxsize=256)
def _prepared(text: str) -> Query:
    return prepareQuery(text)


class ShaclEngine:
    """pySHACL over the server's shapes, with the shapes graph parsed and harvested once.

    ``pyshacl.validate`` copies the shapes graph and rebuilds every shape on every call; here
    one ``ShapesGraph`` is kept and reused by each run (one run at a time: callers hold a lock
    or own the process). Options are those of :func:`run_pyshacl`.

    With ``focus`` given, only those nodes are validated against the shapes that target them:
    the store context's own nodes (concepts, organisations) are not checked, which is what
    :func:`build_report` would drop anyway. Values of the focus nodes are still validated
    through ``sh:node``/``sh:class`` etc. as usual.
    """

    def __init__(self, shapes: Graph) -> None:
        self.shapes = _fast_graph(shapes)  # our own copy: pySHACL adds system triples to it
        self._options: dict[str, Any] = {
            "inference": "none",
            "abort_on_first": False,
            "allow_infos": True,
            "allow_warnings": True,
            "advanced": False,
            "use_js": False,
            "debug": False,
            "inplace": True,
            "sparql_mode": False,
            "focus_nodes": None,
            "use_shapes": None,
            "logger": log,
        }
        self.class_targets_only = not any(
            (None, predicate, None) in shapes for predicate in _NON_CLASS_TARGETS
        )
        # What pyshacl.validate does before each run (idempotent).
        apply_patches()  # type: ignore[no-untyped-call]
        _speed_up_pyshacl()
        self._shapes_graph = ShapesGraph(self.shapes, False, log)
        self._shapes = list(self._shapes_graph.shapes)  # harvests (and caches) every shape
        # Each shape's target classes (sh:targetClass and implicit), read once, not per run.
        self._targeted = [
            (shape, frozenset(shape.target_classes()) | frozenset(shape.implicit_class_targets()))
            for shape in self._shapes
        ]
        self._targeted = [(shape, classes) for shape, classes in self._targeted if classes]

    def _new_validator(self, data: Graph) -> PyshaclValidator:
        validator = PyshaclValidator(
            DataGraph.from_rdflib(data), shacl_graph=self.shapes, options=dict(self._options)
        )
        validator.shacl_graph = self._shapes_graph  # the harvested shapes, not a fresh wrapper
        return validator

    def run(self, data: Graph, focus: set[Node] | None = None) -> tuple[bool, Graph]:
        """Validate ``data`` (changed in place: pass a graph nobody else holds)."""
        validator = self._new_validator(data)
        if focus is None or not self.class_targets_only:
            conforms, report, _ = validator.run()  # type: ignore[no-untyped-call]
            return bool(conforms), report
        # Validator.run's loop, with each shape's targets cut down to ``focus``; instances of a
        # class found as Shape.focus_nodes does (rdf:type, rdfs:subClassOf* in the data).
        executor = validator.make_executor()
        target = validator.data_graph
        instances: dict[Node, set[Node]] = {}

        def instances_of(cls: Node) -> set[Node]:
            found = instances.get(cls)
            if found is None:
                found = set(target.subjects(RDF.type, cls))
                for subclass in target.transitive_subjects(RDFS.subClassOf, cls):
                    if subclass != cls:
                        found.update(target.subjects(RDF.type, subclass))
                found = instances[cls] = found & focus
            return found

        conforms = True
        results: list[Any] = []
        for shape, classes in self._targeted:
            nodes: set[Node] = set()
            for cls in classes:
                nodes |= instances_of(cls)
            if not nodes:
                continue
            shape_conforms, shape_results = shape.validate(executor, target, focus=list(nodes))
            conforms = conforms and bool(shape_conforms)
            results.extend(shape_results)
        report, _ = PyshaclValidator.create_validation_report(self._shapes_graph, conforms, results)
        return conforms, report


# ---------------------------------------------------------------------------------------------
# The pool
# ---------------------------------------------------------------------------------------------


class _Pool:
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
                    _validate_in_worker, data_nt, context_nt, shapes_nt
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
            executor.submit(_validate_in_worker, data_nt, context_nt, None)
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


# ---------------------------------------------------------------------------------------------
# The validator
# ---------------------------------------------------------------------------------------------


class Validator:
    """Validates graphs against the server's shapes (or uploaded ones) and builds reports.

    Args:
        shapes: the server's shapes graph.
        vocabulary: ontology and concept schemes, for property and element labels.
        workers: worker processes; 0 runs pySHACL in this process (the CLI, one user).
    """

    def __init__(
        self,
        shapes: Graph,
        vocabulary: Graph,
        uris: Uris,
        *,
        workers: int,
        timeout_s: float,
    ) -> None:
        self.shapes = shapes
        self.vocabulary = vocabulary
        self.uris = uris
        self._shapes_nt = serialize_graph(shapes, RdfFormat.NTRIPLES)
        self._pool = _Pool(self._shapes_nt, workers, timeout_s) if workers > 0 else None
        self._lock = threading.Lock()

    @functools.cached_property
    def _engine(self) -> ShaclEngine:
        """The in-process engine (``workers=0``), built on first use."""
        return ShaclEngine(self.shapes)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()

    def validate(
        self, data: Graph, *, shapes: Graph | None = None, context: Graph | None = None
    ) -> Report:
        """Validate ``data`` (with ``context`` from the store) against the server's shapes
        or against ``shapes``.

        Results about nodes that only the context describes are left out: they belong to the
        stored graph, not to the submission.

        Raises:
            QueryTimeoutError: the time limit ran out. BusyError: every worker is busy.
        """
        shapes_graph = shapes if shapes is not None else self.shapes
        data_nt = _ntriples(list(data))
        context_nt = _ntriples(list(context)) if context is not None else b""
        shapes_nt = serialize_graph(shapes, RdfFormat.NTRIPLES) if shapes is not None else None
        if self._pool is not None:
            conforms, report_nt = self._pool.run(data_nt, context_nt, shapes_nt)
            report_graph = graph_from_ntriples(report_nt)
        else:
            with self._lock:  # one pySHACL run at a time in this process
                if shapes_nt is not None:
                    conforms, report_graph = run_pyshacl(
                        _merged(data_nt, context_nt), graph_from_ntriples(shapes_nt)
                    )
                else:
                    conforms, report_graph = _run_engine(self._engine, data_nt, context_nt)
        return build_report(
            report_graph,
            conforms,
            data=data,
            context=context,
            shapes=shapes_graph,
            vocabulary=self.vocabulary,
            uris=self.uris,
        )

    def validate_batch(
        self,
        data: Graph,
        *,
        context: Graph | None = None,
        chunk_size: int = 250,
    ) -> Report:
        """Validate a large graph against the server's shapes in chunks, spread over the
        workers: each subject is validated once, seeing the data reachable from it and the
        minimal ``context`` of what it references, as if submitted on its own.

        Faster than one pySHACL run over the whole graph (which also validates every context
        node and re-parses each SHACL-SPARQL text per focus node) and spread over the workers;
        the report is the same for shapes that only look at what is reachable from their
        focus node (all of ours but the hierarchy rules on concepts, which are about the
        base knowledge, not submitted data). Meant for the CLI and bulk checks: it takes
        every worker, outside the request queue of :meth:`validate`.

        Raises:
            QueryTimeoutError: a chunk ran past the time limit.
        """
        chunks = [
            (_ntriples(d), _ntriples(c)) for d, c in partition(data, context or Graph(), chunk_size)
        ]
        if self._pool is not None:
            outcomes = self._pool.run_many(chunks)
            report_graph = Graph()
            for _, report_nt in outcomes:
                for triple in graph_from_ntriples(report_nt):
                    report_graph.add(triple)
            conforms = all(ok for ok, _ in outcomes)
        else:
            graphs: list[Graph] = []
            conforms = True
            with self._lock:
                for data_nt, context_nt in chunks:
                    ok, chunk_report = _run_engine(self._engine, data_nt, context_nt)
                    conforms = conforms and ok
                    graphs.append(chunk_report)
            report_graph = Graph()
            for chunk_report in graphs:
                for triple in chunk_report:
                    report_graph.add(triple)
        reports = list(report_graph.subjects(RDF.type, SH.ValidationReport))
        if len(reports) > 1:  # one sh:ValidationReport for the batch
            keep = reports[0]
            for other in reports[1:]:
                for result in list(report_graph.objects(other, SH.result)):
                    report_graph.add((keep, SH.result, result))
                report_graph.remove((other, None, None))
        if reports:
            report_graph.set((reports[0], SH.conforms, Literal(conforms)))
        return build_report(
            report_graph,
            conforms,
            data=data,
            context=context,
            shapes=self.shapes,
            vocabulary=self.vocabulary,
            uris=self.uris,
        )


Triple = tuple[Node, Node, Node]


def partition(
    data: Graph,
    context: Graph,
    chunk_size: int,
) -> list[tuple[list[Triple], list[Triple]]]:
    """``data`` cut into chunks of about ``chunk_size`` subjects, for batch validation.

    Each chunk is ``(own, seen)``: ``own`` holds the triples of the subjects validated in this
    chunk (every subject of ``data`` is in exactly one chunk, grouped with what it reaches),
    ``seen`` the other data reachable from them (e.g. a shared organisation) and the
    ``context`` triples of the IRIs they reference: each chunk is validated like a submission
    with its store context.
    """
    by_subject: dict[Node, list[Triple]] = {}
    for triple in data:
        by_subject.setdefault(triple[0], []).append(triple)
    reach: dict[Node, list[Node]] = {}

    def reachable(start: Node) -> list[Node]:
        found = reach.get(start)
        if found is None:
            seen, order, stack = {start}, [start], [start]
            while stack:
                for _, _, obj in by_subject.get(stack.pop(), ()):
                    if obj in by_subject and obj not in seen:
                        seen.add(obj)
                        order.append(obj)
                        stack.append(obj)
            found = reach[start] = order
        return found

    subjects = sorted(by_subject, key=str)
    referenced = {t[2] for ts in by_subject.values() for t in ts if t[2] in by_subject}
    assigned: set[Node] = set()
    groups: list[list[Node]] = []
    for start in [s for s in subjects if s not in referenced] + subjects:  # roots first
        if start in assigned:
            continue
        group = [n for n in reachable(start) if n not in assigned]
        assigned.update(group)
        if groups and len(groups[-1]) < chunk_size:
            groups[-1].extend(group)
        else:
            groups.append(group)
    chunks: list[tuple[list[Triple], list[Triple]]] = []
    for group in groups:
        own_set = set(group)
        own = [t for subject in group for t in by_subject[subject]]
        others = {n for subject in group for n in reachable(subject)} - own_set
        seen = [t for subject in others for t in by_subject[subject]]
        leaves = {t[2] for t in own + seen if isinstance(t[2], URIRef)} - by_subject.keys()
        seen.extend(t for leaf in leaves for t in context.triples((leaf, None, None)))
        chunks.append((own, seen))
    return chunks


def _ntriples(triples: list[Triple]) -> bytes:
    if not triples:
        return b""
    return bytes(ox.serialize(graph_to_triples(triples), format=ox.RdfFormat.N_TRIPLES) or b"")


def _parse_into(graph: Graph, data_nt: bytes) -> None:
    if data_nt:
        triples_to_graph(ox.parse(data_nt, format=ox.RdfFormat.N_TRIPLES), graph)


def _merged(data_nt: bytes, context_nt: bytes) -> Graph:
    graph = Graph()
    _parse_into(graph, data_nt)
    _parse_into(graph, context_nt)
    return graph


_SPARQL_PREDICATES = tuple(
    URIRef(f"{SH}{name}")
    for name in (
        "sparql",
        "select",
        "ask",
        "construct",
        "update",
        "prefixes",
        "declare",
        "target",
        "targetValidator",
        "validator",
        "nodeValidator",
        "propertyValidator",
        "rule",
        "jsLibrary",
        "jsFunctionName",
    )
)


def refuse_unsafe_shapes(shapes: Graph) -> None:
    """Refuse uploaded shapes that would make pySHACL run SPARQL or code we did not write.

    rdflib evaluates ``SERVICE`` and ``FROM`` in SPARQL by fetching URLs, so SHACL-SPARQL
    (and SHACL-AF/JS) is only allowed in the server's own shapes.

    Raises:
        UnsafeInputError: the shapes use SHACL-SPARQL, custom targets, rules or JavaScript.
    """
    for predicate in _SPARQL_PREDICATES:
        if (None, predicate, None) in shapes:
            raise UnsafeInputError(
                "Uploaded shapes may use SHACL Core only: SHACL-SPARQL, custom targets, rules "
                f"and JavaScript are refused (found sh:{_local(predicate)})."
            )


def load_graphs(paths: Iterable[Path], base_uri: str) -> Graph:
    """One graph of the Turtle files at ``paths`` (our own shapes and ontology)."""
    graph = Graph()
    for path in paths:
        parsed = parse_rdf(path.read_bytes(), RdfFormat.TURTLE, base_iri=base_uri + "/")
        for triple in parsed.graph:
            graph.add(triple)
    return graph


def make_validator(
    shapes_dir: Path, ontology_dir: Path, uris: Uris, *, workers: int, timeout_s: float
) -> Validator:
    """The validator for the server's shapes (``shapes/*.ttl``) and ontology."""
    shapes = load_graphs(sorted(shapes_dir.rglob("*.ttl")), uris.base)
    vocabulary = load_graphs(sorted(ontology_dir.rglob("*.ttl")), uris.base)
    return Validator(shapes, vocabulary, uris, workers=workers, timeout_s=timeout_s)


def fetch_context(store: Store, data: Graph) -> Graph:
    """The minimal store context ``data`` needs: types, labels and schemes of the IRIs it
    references without describing them, fetched one IRI at a time (never the whole graph)."""
    subjects = set(data.subjects())
    referenced = {o for o in data.objects() if isinstance(o, URIRef) and o not in subjects}
    referenced -= set(data.objects(None, RDF.type))  # classes need no context
    context = Graph()
    query = rq.load("validation-context")
    for iri in sorted(referenced):
        for triple in store.construct(query, bindings={"iri": iri}):
            context.add(triple)
    return context


# ---------------------------------------------------------------------------------------------
# Building the report
# ---------------------------------------------------------------------------------------------


def build_report(
    report_graph: Graph,
    conforms: bool,
    *,
    data: Graph,
    context: Graph | None,
    shapes: Graph,
    vocabulary: Graph,
    uris: Uris,
) -> Report:
    """The :class:`Report` of a pySHACL report graph."""
    labels = _Labels(data, context, shapes, vocabulary)
    context_only: set[Node] = set()
    if context is not None:
        context_only = set(context.subjects()) - set(data.subjects())
    reports = list(report_graph.subjects(RDF.type, SH.ValidationReport))
    kept: list[tuple[Node, Result]] = []
    dropped: list[Node] = []
    for report_node in reports:
        for node in report_graph.objects(report_node, SH.result):
            focus = report_graph.value(node, SH.focusNode)
            if focus in context_only:
                dropped.append(node)
                continue
            kept.append((node, _result(report_graph, node, labels, shapes)))
    if dropped:
        _prune(report_graph, reports, dropped)
        conforms = not any(r.severity == "Violation" for _, r in kept)
        for report_node in reports:
            report_graph.set((report_node, SH.conforms, Literal(conforms)))
    results = sorted((r for _, r in kept), key=_result_order)
    return Report(
        conforms=conforms,
        results=tuple(results),
        initiatives=tuple(_initiatives(data, results, shapes, vocabulary, labels, uris)),
        graph_nt=serialize_graph(report_graph, RdfFormat.NTRIPLES),
    )


def _result_order(r: Result) -> tuple[int, str, str, str, str, str]:
    return (
        SEVERITIES.index(r.severity) if r.severity in SEVERITIES else 9,
        r.focus,
        r.path or "",
        r.constraint,
        r.value or "",
        r.message["en"],
    )


def _prune(graph: Graph, reports: list[Node], dropped: list[Node]) -> None:
    stack = list(dropped)
    for node in dropped:
        for report_node in reports:
            graph.remove((report_node, SH.result, node))
    seen: set[Node] = set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        for _, _, obj in list(graph.triples((node, None, None))):
            if isinstance(obj, BNode) and not any(
                s not in seen and s != node for s in graph.subjects(None, obj)
            ):
                stack.append(obj)
        graph.remove((node, None, None))


class _Labels:
    def __init__(self, data: Graph, context: Graph | None, shapes: Graph, vocabulary: Graph):
        self._graphs = [g for g in (data, context, vocabulary, shapes) if g is not None]
        self.shapes = shapes
        self.vocabulary = vocabulary

    def of(self, node: Node | None) -> Text | None:
        if node is None:
            return None
        found: dict[str, str] = {}
        for prop in _LABEL_PROPERTIES:
            for graph in self._graphs:
                for value in graph.objects(node, prop):
                    if isinstance(value, Literal):
                        lang = value.language or ""
                        for wanted in ("nl", "en"):
                            if wanted not in found and (
                                lang == wanted or lang.startswith(wanted + "-")
                            ):
                                found[wanted] = str(value)
                        if not lang:
                            found.setdefault("", str(value))
        if not found:
            return None
        plain = found.pop("", None)
        if plain is not None:
            found.setdefault("nl", plain)
            found.setdefault("en", plain)
        if "nl" not in found:
            found["nl"] = found["en"]
        if "en" not in found:
            found["en"] = found["nl"]
        return found

    def path(self, path: Node | None, shape: Node | None, graph: Graph) -> Text | None:
        if path is None:
            return None
        if shape is not None and (self.shapes.value(shape, SH.path) is not None):
            named = _texts(self.shapes, shape, SH.name)
            if named:
                return named
        if isinstance(path, URIRef):
            return _texts(self.vocabulary, path, RDFS.label) or {
                "nl": _local(path),
                "en": _local(path),
            }
        rendered = _render_path(graph, path)
        return {"nl": rendered, "en": rendered}


def _texts(graph: Graph, node: Node, prop: URIRef) -> Text | None:
    found: dict[str, str] = {}
    for value in graph.objects(node, prop):
        if isinstance(value, Literal):
            lang = (value.language or "").split("-")[0]
            if lang in ("nl", "en"):
                found.setdefault(lang, str(value))
            elif not lang:
                found.setdefault("", str(value))
    if not found:
        return None
    plain = found.pop("", None)
    nl = found.get("nl") or plain or found.get("en")
    en = found.get("en") or plain or found.get("nl")
    assert nl is not None
    assert en is not None
    return {"nl": nl, "en": en}


def _local(iri: URIRef) -> str:
    text = str(iri)
    for sep in ("#", "/"):
        if sep in text:
            text = text.rsplit(sep, 1)[1] or text
    return text


def _render_path(graph: Graph, path: Node) -> str:
    if isinstance(path, URIRef):
        return f"<{path}>"
    if graph.value(path, RDF.first) is not None:
        return "/".join(_render_path(graph, p) for p in Collection(graph, path))
    for prop, fmt in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = graph.value(path, prop)
        if inner is not None:
            return fmt.format(_render_path(graph, inner))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_render_path(graph, p) for p in Collection(graph, alternatives)) + ")"
    return "?"


def _term_text(graph: Graph, term: Node | None) -> str | None:
    if term is None:
        return None
    if isinstance(term, BNode):
        return "_:" + str(term)
    return str(term)


def _result(graph: Graph, node: Node, labels: _Labels, shapes: Graph) -> Result:
    focus = graph.value(node, SH.focusNode)
    path = graph.value(node, SH.resultPath)
    value = graph.value(node, SH.value)
    severity = graph.value(node, SH.resultSeverity)
    component = graph.value(node, SH.sourceConstraintComponent)
    shape = graph.value(node, SH.sourceShape)
    severity_name = _local(severity) if isinstance(severity, URIRef) else "Violation"
    path_text: str | None
    if path is None:
        path_text = None
    elif isinstance(path, URIRef):
        path_text = str(path)
    else:
        path_text = _render_path(graph, path)
    message = _message(graph, node, shape, component, shapes, path, value, focus, labels)
    return Result(
        focus=_term_text(graph, focus) or "",
        focus_label=labels.of(focus),
        path=path_text,
        path_label=labels.path(path, shape, graph),
        value=_term_text(graph, value),
        severity=severity_name,
        constraint=str(component) if component is not None else "",
        message=message,
        shape=str(shape) if isinstance(shape, URIRef) else None,
    )


def _message(
    graph: Graph,
    node: Node,
    shape: Node | None,
    component: Node | None,
    shapes: Graph,
    path: Node | None,
    value: Node | None,
    focus: Node | None,
    labels: _Labels,
) -> Text:
    found: dict[str, str] = {}
    if shape is not None:
        found.update(_lang_map(shapes.objects(shape, SH.message)))
    for lang, text in _lang_map(graph.objects(node, SH.resultMessage)).items():
        # pySHACL copies sh:message into sh:resultMessage; its own English text has no tag.
        if lang in ("nl", "en"):
            found.setdefault(lang, text)
    if "nl" in found and "en" in found:
        return {"nl": found["nl"], "en": found["en"]}
    generated = generate_message(component, shape, shapes, path, value, graph, labels)
    return {"nl": found.get("nl", generated["nl"]), "en": found.get("en", generated["en"])}


def _lang_map(values: Iterable[Node]) -> dict[str, str]:
    out: dict[str, str] = {}
    for value in values:
        if isinstance(value, Literal) and value.language:
            out.setdefault(value.language.split("-")[0].lower(), str(value))
    return out


# Messages per SHACL Core constraint component: (Dutch, English). ``{param}`` is the value of
# the shape's parameter (e.g. sh:minCount), ``{value}`` the offending value, ``{path}`` the
# property's label.
_TEMPLATES: dict[str, tuple[str, str]] = {
    "ClassConstraintComponent": (
        "De waarde {value} van '{path}' is geen {param}.",
        "The value {value} of '{path}' is not a {param}.",
    ),
    "DatatypeConstraintComponent": (
        "De waarde {value} van '{path}' heeft niet het datatype {param}.",
        "The value {value} of '{path}' does not have datatype {param}.",
    ),
    "NodeKindConstraintComponent": (
        "De waarde {value} van '{path}' is niet van de soort {param}.",
        "The value {value} of '{path}' is not of node kind {param}.",
    ),
    "MinCountConstraintComponent": (
        "'{path}' heeft minstens {param} waarde(n) nodig.",
        "'{path}' needs at least {param} value(s).",
    ),
    "MaxCountConstraintComponent": (
        "'{path}' mag hoogstens {param} waarde(n) hebben.",
        "'{path}' may have at most {param} value(s).",
    ),
    "MinExclusiveConstraintComponent": (
        "De waarde {value} van '{path}' moet groter zijn dan {param}.",
        "The value {value} of '{path}' must be greater than {param}.",
    ),
    "MinInclusiveConstraintComponent": (
        "De waarde {value} van '{path}' moet minstens {param} zijn.",
        "The value {value} of '{path}' must be at least {param}.",
    ),
    "MaxExclusiveConstraintComponent": (
        "De waarde {value} van '{path}' moet kleiner zijn dan {param}.",
        "The value {value} of '{path}' must be less than {param}.",
    ),
    "MaxInclusiveConstraintComponent": (
        "De waarde {value} van '{path}' mag hoogstens {param} zijn.",
        "The value {value} of '{path}' must be at most {param}.",
    ),
    "MinLengthConstraintComponent": (
        "De waarde {value} van '{path}' is korter dan {param} tekens.",
        "The value {value} of '{path}' is shorter than {param} characters.",
    ),
    "MaxLengthConstraintComponent": (
        "De waarde {value} van '{path}' is langer dan {param} tekens.",
        "The value {value} of '{path}' is longer than {param} characters.",
    ),
    "PatternConstraintComponent": (
        "De waarde {value} van '{path}' volgt het patroon {param} niet.",
        "The value {value} of '{path}' does not match the pattern {param}.",
    ),
    "LanguageInConstraintComponent": (
        "De waarde {value} van '{path}' heeft geen toegelaten taalcode ({param}).",
        "The value {value} of '{path}' does not have an allowed language tag ({param}).",
    ),
    "UniqueLangConstraintComponent": (
        "'{path}' heeft meer dan één waarde in dezelfde taal.",
        "'{path}' has more than one value in the same language.",
    ),
    "EqualsConstraintComponent": (
        "De waarden van '{path}' verschillen van die van {param}.",
        "The values of '{path}' differ from those of {param}.",
    ),
    "DisjointConstraintComponent": (
        "De waarde {value} van '{path}' komt ook voor bij {param}.",
        "The value {value} of '{path}' also occurs in {param}.",
    ),
    "LessThanConstraintComponent": (
        "De waarde {value} van '{path}' is niet kleiner dan die van {param}.",
        "The value {value} of '{path}' is not less than that of {param}.",
    ),
    "LessThanOrEqualsConstraintComponent": (
        "De waarde {value} van '{path}' is groter dan die van {param}.",
        "The value {value} of '{path}' is greater than that of {param}.",
    ),
    "NotConstraintComponent": (
        "De waarde {value} voldoet aan een vorm waaraan ze niet mag voldoen.",
        "The value {value} conforms to a shape it must not conform to.",
    ),
    "AndConstraintComponent": (
        "De waarde {value} voldoet niet aan alle vereiste vormen.",
        "The value {value} does not conform to all required shapes.",
    ),
    "OrConstraintComponent": (
        "De waarde {value} voldoet aan geen enkele van de toegelaten vormen.",
        "The value {value} conforms to none of the allowed shapes.",
    ),
    "XoneConstraintComponent": (
        "De waarde {value} voldoet niet aan precies één van de vormen.",
        "The value {value} does not conform to exactly one of the shapes.",
    ),
    "NodeConstraintComponent": (
        "De waarde {value} van '{path}' voldoet niet aan de vereiste vorm {param}.",
        "The value {value} of '{path}' does not conform to the required shape {param}.",
    ),
    "PropertyConstraintComponent": (
        "'{path}' voldoet niet aan de eigenschapsvorm {param}.",
        "'{path}' does not conform to the property shape {param}.",
    ),
    "QualifiedMinCountConstraintComponent": (
        "'{path}' heeft te weinig waarden die aan de gevraagde vorm voldoen (minstens {param}).",
        "'{path}' has too few values that conform to the required shape (at least {param}).",
    ),
    "QualifiedMaxCountConstraintComponent": (
        "'{path}' heeft te veel waarden die aan de gevraagde vorm voldoen (hoogstens {param}).",
        "'{path}' has too many values that conform to the required shape (at most {param}).",
    ),
    "ClosedConstraintComponent": (
        "De eigenschap '{path}' is hier niet toegelaten (gesloten vorm).",
        "The property '{path}' is not allowed here (closed shape).",
    ),
    "HasValueConstraintComponent": (
        "'{path}' moet de waarde {param} hebben.",
        "'{path}' must have the value {param}.",
    ),
    "InConstraintComponent": (
        "De waarde {value} van '{path}' is geen van de toegelaten waarden ({param}).",
        "The value {value} of '{path}' is not one of the allowed values ({param}).",
    ),
    "SPARQLConstraintComponent": (
        "De waarde {value} van '{path}' voldoet niet aan een SPARQL-regel.",
        "The value {value} of '{path}' violates a SPARQL rule.",
    ),
}
_PARAMETERS: dict[str, URIRef] = {
    "ClassConstraintComponent": SH["class"],
    "DatatypeConstraintComponent": SH.datatype,
    "NodeKindConstraintComponent": SH.nodeKind,
    "MinCountConstraintComponent": SH.minCount,
    "MaxCountConstraintComponent": SH.maxCount,
    "MinExclusiveConstraintComponent": SH.minExclusive,
    "MinInclusiveConstraintComponent": SH.minInclusive,
    "MaxExclusiveConstraintComponent": SH.maxExclusive,
    "MaxInclusiveConstraintComponent": SH.maxInclusive,
    "MinLengthConstraintComponent": SH.minLength,
    "MaxLengthConstraintComponent": SH.maxLength,
    "PatternConstraintComponent": SH.pattern,
    "LanguageInConstraintComponent": SH.languageIn,
    "EqualsConstraintComponent": SH.equals,
    "DisjointConstraintComponent": SH.disjoint,
    "LessThanConstraintComponent": SH.lessThan,
    "LessThanOrEqualsConstraintComponent": SH.lessThanOrEquals,
    "NodeConstraintComponent": SH.node,
    "PropertyConstraintComponent": SH.property,
    "QualifiedMinCountConstraintComponent": SH.qualifiedMinCount,
    "QualifiedMaxCountConstraintComponent": SH.qualifiedMaxCount,
    "HasValueConstraintComponent": SH.hasValue,
    "InConstraintComponent": SH["in"],
}


def generate_message(
    component: Node | None,
    shape: Node | None,
    shapes: Graph,
    path: Node | None,
    value: Node | None,
    report_graph: Graph,
    labels: _Labels,
) -> Text:
    """A message in nl and en for a result whose shape has no ``sh:message``."""
    name = _local(component) if isinstance(component, URIRef) else ""
    nl, en = _TEMPLATES.get(
        name,
        (
            "De gegevens voldoen niet aan de vorm ({component}).",
            "The data does not conform to the shape ({component}).",
        ),
    )
    param_text = ""
    param_prop = _PARAMETERS.get(name)
    if param_prop is not None and shape is not None:
        param = shapes.value(shape, param_prop)
        if param is not None and shapes.value(param, RDF.first) is not None:
            param_text = ", ".join(_show(v) for v in Collection(shapes, param))
        elif param is not None:
            param_text = _show(param)
    path_label = labels.path(path, shape, report_graph) if path is not None else None
    values = {
        "param": param_text,
        "value": _show(value) if value is not None else "",
        "component": name,
    }
    return {
        "nl": nl.format(path=(path_label or {}).get("nl", "de eigenschap"), **values),
        "en": en.format(path=(path_label or {}).get("en", "the property"), **values),
    }


_BARE_DATATYPES = frozenset(
    str(XSD[t])
    for t in (
        "integer",
        "decimal",
        "double",
        "float",
        "boolean",
        "int",
        "long",
        "nonNegativeInteger",
    )
)


def _show(term: Node) -> str:
    if isinstance(term, Literal) and str(term.datatype) in _BARE_DATATYPES:
        return str(term)
    if isinstance(term, Literal):
        return f'"{term}"' + (f"@{term.language}" if term.language else "")
    if isinstance(term, BNode):
        return "[]"
    return f"<{term}>"


def _initiatives(
    data: Graph,
    results: list[Result],
    shapes: Graph,
    vocabulary: Graph,
    labels: _Labels,
    uris: Uris,
) -> list[InitiativeStatus]:
    element_prefix = str(uris.concept("kernelement", ""))
    elements: dict[str, URIRef] = {}
    for shape, concept in shapes.subject_objects(RDFS.seeAlso):
        if str(concept).startswith(element_prefix) and isinstance(concept, URIRef):
            elements[str(shape)] = concept
    if not elements:
        return []
    by_focus: dict[str, list[Result]] = {}
    for r in results:
        if r.shape in elements:
            by_focus.setdefault(r.focus, []).append(r)
    statuses: list[InitiativeStatus] = []
    for initiative in sorted(set(data.subjects(RDF.type, uris.sr.SmartCityInitiatief)), key=str):
        missing: dict[str, MissingElement] = {}
        for r in by_focus.get(str(initiative), ()):
            if r.shape in elements:
                concept = elements[r.shape]
                code = str(concept).removeprefix(element_prefix)
                label = labels.of(concept) or {"nl": code, "en": code}
                missing[code] = MissingElement(element=str(concept), code=code, label=label)
        statuses.append(
            InitiativeStatus(
                iri=str(initiative),
                label=labels.of(initiative),
                missing=tuple(missing[c] for c in sorted(missing)),
            )
        )
    return statuses
