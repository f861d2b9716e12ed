"""The pySHACL engine: shapes parsed and harvested once, runs with sro-graph's fixed options.

pySHACL is called with explicit keywords only, with graphs we parsed ourselves: no inference,
no ``owl:imports``, no JavaScript, no meta-SHACL. A run changes its data graph in place, so
every run gets a graph nobody else holds. One run at a time per engine: callers hold a lock
or own the process.
"""

from __future__ import annotations

import contextlib
import functools
import logging
from collections.abc import Iterable
from typing import Any

import pyoxigraph as ox
import pyshacl
from pyshacl.graph_abstraction import DataGraph
from pyshacl.monkey import apply_patches as apply_pyshacl_patches
from pyshacl.shapes_graph import ShapesGraph
from pyshacl.validator import Validator as PyshaclValidator
from rdflib import Graph, URIRef
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.sparql import Query
from rdflib.term import Node

from sro_graph.oxterms import graph_to_triples, triples_to_graph
from sro_graph.validation.patches import apply_patches, cache_shape_predicates, memoized_run
from sro_graph.vocab import RDF, RDFS, SH

log = logging.getLogger(__name__)

Triple = tuple[Node, Node, Node]
Outcome = tuple[bool, Graph, int]
"""pySHACL's conformance, its report graph, and how many focus nodes were validated."""

# Targets other than classes can pick focus nodes that are no subject of the data graph; with
# any of them in the shapes, validation runs over every target (no focus restriction).
_NON_CLASS_TARGETS = tuple(
    URIRef(f"{SH}{name}")
    for name in ("targetNode", "targetSubjectsOf", "targetObjectsOf", "target")
)


def run_pyshacl(data: Graph, shapes: Graph) -> tuple[bool, Graph]:
    """Stock ``pyshacl.validate`` with the options sro-graph always uses (explicit keywords).

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


def _fast_graph(triples: Iterable[Triple] = ()) -> Graph:
    """A graph on rdflib's context-free ``SimpleMemory`` store, for the shapes: pySHACL reads
    them millions of times, and the default store spends a third of each ``triples()`` call
    on named-graph bookkeeping. (The data graph must stay context-aware for pySHACL.)"""
    graph = Graph(store="SimpleMemory")
    for triple in triples:
        graph.add(triple)
    return graph


class QueryCachingGraph(Graph):
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
    """pySHACL over one shapes graph, parsed and harvested once.

    ``memoize``: reuse conforming outcomes within a run (patches.memoized_run); for the
    server's shapes, whose parity with stock pySHACL is tested.

    ``pyshacl.validate`` copies the shapes graph and rebuilds every shape on every call; here
    one ``ShapesGraph`` is kept and reused by each run. Options are those of
    :func:`run_pyshacl`.

    With ``focus`` given, only those nodes are validated against the shapes that target them:
    the store context's own nodes (concepts, organisations) are not checked. Values of the
    focus nodes are still validated through ``sh:node``/``sh:class`` etc. as usual.
    """

    def __init__(self, shapes: Graph, *, memoize: bool = False) -> None:
        self.memoize = memoize
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
        # What pyshacl.validate does before each run (idempotent), and our own patches.
        apply_pyshacl_patches()  # type: ignore[no-untyped-call]
        apply_patches()
        self._components: dict[tuple[int, type], Any] = {}
        self._shapes_graph = ShapesGraph(self.shapes, False, log)
        self._shapes = list(self._shapes_graph.shapes)  # harvests (and caches) every shape
        cache_shape_predicates(self._shapes_graph)
        # Each shape's target classes (sh:targetClass and implicit), read once, not per run.
        targeted = [
            (shape, frozenset(shape.target_classes()) | frozenset(shape.implicit_class_targets()))
            for shape in self._shapes
        ]
        self._targeted = [(shape, classes) for shape, classes in targeted if classes]

    def _new_validator(self, data: Graph) -> PyshaclValidator:
        validator = PyshaclValidator(
            DataGraph.from_rdflib(data), shacl_graph=self.shapes, options=dict(self._options)
        )
        validator.shacl_graph = self._shapes_graph  # the harvested shapes, not a fresh wrapper
        return validator

    def run(self, data: Graph, focus: set[Node] | None = None) -> Outcome:
        """Validate ``data`` (changed in place: pass a graph nobody else holds)."""
        with memoized_run(self._components) if self.memoize else contextlib.nullcontext():
            return self._run(data, focus)

    def _run(self, data: Graph, focus: set[Node] | None) -> Outcome:
        validator = self._new_validator(data)
        if focus is None or not self.class_targets_only:
            conforms, report, _ = validator.run()  # type: ignore[no-untyped-call]
            target = validator.target_graph
            assert target is not None
            checked: set[Node] = set()
            for shape in self._shapes:
                if not shape.deactivated:
                    checked.update(shape.focus_nodes(target))
            return bool(conforms), report, len(checked)
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
        validated: set[Node] = set()
        for shape, classes in self._targeted:
            if shape.deactivated:
                continue
            nodes: set[Node] = set()
            for cls in classes:
                nodes |= instances_of(cls)
            if not nodes:
                continue
            validated |= nodes
            shape_conforms, shape_results = shape.validate(executor, target, focus=list(nodes))
            conforms = conforms and bool(shape_conforms)
            results.extend(shape_results)
        report, _ = PyshaclValidator.create_validation_report(self._shapes_graph, conforms, results)
        return conforms, report, len(validated)


def ntriples(triples: list[Triple]) -> bytes:
    """Triples as N-Triples bytes (how graphs travel to and from the workers)."""
    if not triples:
        return b""
    return bytes(ox.serialize(graph_to_triples(triples), format=ox.RdfFormat.N_TRIPLES) or b"")


def parse_into(graph: Graph, data_nt: bytes) -> None:
    """Add N-Triples that we produced ourselves to ``graph``."""
    if data_nt:
        triples_to_graph(ox.parse(data_nt, format=ox.RdfFormat.N_TRIPLES), graph)


def merged(data_nt: bytes, context_nt: bytes) -> Graph:
    """One fresh graph of the data and its context."""
    graph = Graph()
    parse_into(graph, data_nt)
    parse_into(graph, context_nt)
    return graph


def run_engine(engine: ShaclEngine, data_nt: bytes, context_nt: bytes) -> Outcome:
    """The engine's shapes over the data plus its context, the data's subjects as focus."""
    graph = QueryCachingGraph()
    parse_into(graph, data_nt)
    focus: set[Node] = set(graph.subjects())
    parse_into(graph, context_nt)
    return engine.run(graph, focus)


def run_uploaded(shapes: Graph, data_nt: bytes, context_nt: bytes) -> Outcome:
    """Uploaded shapes over the data, every target validated (as ``pyshacl.validate`` does)."""
    return ShaclEngine(shapes).run(merged(data_nt, context_nt))
