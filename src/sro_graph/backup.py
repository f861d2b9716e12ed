"""Backup, restore and export of the whole store: every graph, provenance included.

A backup is N-Quads. A restore replaces the store's content in one transaction: graphs in the
backup are written wholly, graphs absent from it are dropped, so the result is the backup,
isomorphic per graph. An export is N-Quads too, or the union of all graphs in a triple syntax.
"""

from __future__ import annotations

import gzip
import uuid
from collections import defaultdict

import pyoxigraph as ox
from rdflib import Graph

from sro_graph import rq, vocab
from sro_graph.errors import UnparseableError
from sro_graph.formats import RdfFormat
from sro_graph.oxterms import to_rdflib
from sro_graph.rdfio import serialize_graph
from sro_graph.store import GraphWrite, Store
from sro_graph.store.update import VERSION_PREDICATE

SYSTEM_GRAPH = str(vocab.SYSTEM_GRAPH)


def backup_store(store: Store, *, compress: bool = False) -> bytes:
    """All quads of the store (N-Quads; gzip when ``compress``)."""
    data = store.dump()
    return gzip.compress(data) if compress else data


def export_store(store: Store, fmt: RdfFormat, *, prefixes: dict[str, str]) -> bytes:
    """Every graph of the store: N-Quads keep the graphs, other syntaxes get their union."""
    if fmt is RdfFormat.NQUADS:
        return store.dump()
    return serialize_graph(store.construct(rq.load("export-union")), fmt, prefixes=prefixes)


def parse_backup(data: bytes) -> dict[str, Graph]:
    """The graphs of an N-Quads backup (gzip detected), keyed by graph IRI.

    Raises:
        UnparseableError: not N-Quads, or triples in the default graph.
    """
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    graphs: dict[str, Graph] = defaultdict(Graph)
    try:
        for quad in ox.parse(data, format=ox.RdfFormat.N_QUADS):
            if not isinstance(quad.graph_name, ox.NamedNode):
                raise UnparseableError(
                    "A backup holds named graphs only; found a default-graph triple."
                )
            graphs[quad.graph_name.value].add(
                (to_rdflib(quad.subject), to_rdflib(quad.predicate), to_rdflib(quad.object))
            )
    except SyntaxError as exc:
        raise UnparseableError(f"The backup is not valid N-Quads: {exc}") from exc
    return dict(graphs)


def restore_store(store: Store, data: bytes) -> dict[str, int]:
    """Make the store hold exactly the backup's graphs, in one transaction.

    Returns the number of triples per restored graph.
    """
    graphs = parse_backup(data)
    version = uuid.uuid4().hex
    system = graphs.pop(SYSTEM_GRAPH, None)
    stale = [g for g in store.graph_names() if g not in graphs and g != SYSTEM_GRAPH]
    replace = dict(graphs)
    if system is not None:
        # The version triple is rewritten by the store on every write; keep the rest.
        replace[SYSTEM_GRAPH] = _without_version(system)
    store.write(GraphWrite(replace=replace, drop=stale), new_version=version)
    return {name: len(graph) for name, graph in graphs.items()}


def _without_version(graph: Graph) -> Graph:
    out = Graph()
    for s, p, o in graph:
        if str(p) != VERSION_PREDICATE:
            out.add((s, p, o))
    return out
