"""One SPARQL Update request for a :class:`GraphWrite`, shared by every store.

Terms are written in their N-Triples form (escaped by pyoxigraph), never spliced as raw text,
so data cannot break out of the update. The version bump rides in the same request, so a
store's version changes exactly when its data does.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib.term import Identifier, Node

from sro_graph.oxterms import from_rdflib
from sro_graph.store.base import GraphWrite, StoreQueryError

VERSION_PREDICATE = "urn:sro-graph:version"


def build_update(change: GraphWrite, *, system_graph: str, new_version: str) -> str:
    """One SPARQL Update request for ``change`` plus the version bump.

    Raises:
        StoreQueryError: a term cannot be written (an invalid IRI or language tag).
    """
    try:
        return _build(change, system_graph=system_graph, new_version=new_version)
    except (TypeError, ValueError) as exc:
        raise StoreQueryError(f"The change holds an invalid term: {exc}") from exc


def _build(change: GraphWrite, *, system_graph: str, new_version: str) -> str:
    parts: list[str] = []
    for name in change.drop:
        parts.append(f"DROP SILENT GRAPH {_iri(name)}")
    for name in change.replace:
        parts.append(f"DROP SILENT GRAPH {_iri(name)}")
    removes = [(n, g) for n, g in change.remove.items() if len(g)]
    if removes:
        parts.append("DELETE DATA { " + " ".join(_graph_block(n, g) for n, g in removes) + " }")
    inserts = [(n, g) for n, g in [*change.replace.items(), *change.add.items()] if len(g)]
    version = ox.Literal(new_version)
    sysg, vp = _iri(system_graph), f"<{VERSION_PREDICATE}>"
    parts.append(f"DELETE WHERE {{ GRAPH {sysg} {{ {sysg} {vp} ?v }} }}")
    blocks = [_graph_block(n, g) for n, g in inserts]
    blocks.append(f"GRAPH {sysg} {{ {sysg} {vp} {version} }}")
    parts.append("INSERT DATA { " + " ".join(blocks) + " }")
    return " ;\n".join(parts)


def _graph_block(name: str, graph: Iterable[tuple[Node, Node, Node]]) -> str:
    lines = [f"{term_text(s)} {term_text(p)} {term_text(o)} ." for s, p, o in graph]
    return f"GRAPH {_iri(name)} {{\n" + "\n".join(lines) + "\n}"


def term_text(term: Node) -> str:
    """The N-Triples form of an rdflib term (raises ValueError on an invalid one)."""
    if not isinstance(term, Identifier):
        raise TypeError(f"not an RDF term: {term!r}")
    return str(from_rdflib(term))


def _iri(value: str) -> str:
    return str(ox.NamedNode(value))
