"""One SPARQL Update request for a :class:`GraphWrite`, shared by every store.

Terms are written in their N-Triples form (escaped by pyoxigraph), never spliced as raw text,
so data cannot break out of the update. The version bump rides in the same request, so a
store's version changes exactly when its data does.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

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
        blocks = " ".join(_graph_block(_iri(n), g) for n, g in removes)
        parts.append("DELETE DATA { " + blocks + " }")
    inserts = [(n, g) for n, g in [*change.replace.items(), *change.add.items()] if len(g)]
    version = ox.Literal(new_version)
    sysg, vp = _iri(system_graph), f"<{VERSION_PREDICATE}>"
    parts.append(f"DELETE WHERE {{ GRAPH {sysg} {{ {sysg} {vp} ?v }} }}")
    inserted = [_graph_block(_iri(n), g) for n, g in inserts]
    inserted.append(f"GRAPH {sysg} {{ {sysg} {vp} {version} }}")
    parts.append("INSERT DATA { " + " ".join(inserted) + " }")
    return " ;\n".join(parts)


def _graph_block(graph_term: str, graph: Iterable[tuple[Node, Node, Node]]) -> str:
    """``GRAPH <iri> { … }`` or ``GRAPH ?variable { … }``, the triples as N-Triples."""
    lines = [f"{term_text(s)} {term_text(p)} {term_text(o)} ." for s, p, o in graph]
    return f"GRAPH {graph_term} {{\n" + "\n".join(lines) + "\n}"


def term_text(term: Node) -> str:
    """The N-Triples form of an rdflib term (raises ValueError on an invalid one)."""
    if not isinstance(term, Identifier):
        raise TypeError(f"not an RDF term: {term!r}")
    return str(from_rdflib(term))


def _iri(value: str) -> str:
    return str(ox.NamedNode(value))


def build_operation(
    change: GraphWrite,
    *,
    system_graph: str,
    new_version: str,
    if_version: str | None = None,
    staged_adds: Mapping[str, str] | None = None,
    staged_removes: Mapping[str, str] | None = None,
) -> str:
    """ONE ``DELETE … INSERT … WHERE`` operation for ``change`` plus the version bump.

    For stores that make each operation, not each request, a transaction (Virtuoso), and for
    conditional writes: with ``if_version`` the operation changes nothing unless the store's
    version is still ``if_version`` ("0": no version yet), a compare-and-swap that holds across
    processes. Content too large to write inline is first put in staging graphs:
    ``staged_adds`` / ``staged_removes`` map a staging graph to the graph whose triples it adds
    to / removes from.

    Every template triple hangs on a graph variable bound in one solution only (the "guard"
    branch), so constant triples and their blank nodes are written exactly once.

    Raises:
        StoreQueryError: a term cannot be written (an invalid IRI or language tag).
    """
    try:
        return _operation(
            change,
            system_graph=system_graph,
            new_version=new_version,
            if_version=if_version,
            staged_adds=staged_adds or {},
            staged_removes=staged_removes or {},
        )
    except (TypeError, ValueError) as exc:
        raise StoreQueryError(f"The change holds an invalid term: {exc}") from exc


def _operation(
    change: GraphWrite,
    *,
    system_graph: str,
    new_version: str,
    if_version: str | None,
    staged_adds: Mapping[str, str],
    staged_removes: Mapping[str, str],
) -> str:
    sysg, vp = _iri(system_graph), f"<{VERSION_PREDICATE}>"
    cleared = sorted({*change.drop, *change.replace})
    removes = [(n, g) for n, g in change.remove.items() if len(g)]
    inserts = [(n, g) for n, g in [*change.replace.items(), *change.add.items()] if len(g)]
    guards: dict[str, str] = {}

    def guard(name: str) -> str:
        return guards.setdefault(name, f"?g{len(guards)}")

    deletes = [f"GRAPH {sysg} {{ {sysg} {vp} ?oldVersion }}"]
    adds = [f"GRAPH {guard(system_graph)} {{ {sysg} {vp} {ox.Literal(new_version)} }}"]
    where = [f"{{ GRAPH {sysg} {{ {sysg} {vp} ?oldVersion }} }}"]
    if cleared:
        deletes.append("GRAPH ?cleared { ?s ?p ?o }")
        where.append(
            "{ VALUES ?cleared { "
            + " ".join(_iri(n) for n in cleared)
            + " } GRAPH ?cleared { ?s ?p ?o } }"
        )
    deletes += [_graph_block(guard(n), g) for n, g in removes]
    adds += [_graph_block(guard(n), g) for n, g in inserts]
    if staged_removes:
        deletes.append("GRAPH ?removeTarget { ?rs ?rp ?ro }")
        where.append(
            "{ VALUES (?removeSource ?removeTarget) { "
            + " ".join(f"({_iri(s)} {_iri(t)})" for s, t in staged_removes.items())
            + " } GRAPH ?removeSource { ?rs ?rp ?ro } "
            "GRAPH ?removeTarget { ?rs ?rp ?ro } }"
        )
    if staged_adds:
        adds.append("GRAPH ?addTarget { ?as ?ap ?ao }")
        where.append(
            "{ VALUES (?addSource ?addTarget) { "
            + " ".join(f"({_iri(s)} {_iri(t)})" for s, t in staged_adds.items())
            + " } GRAPH ?addSource { ?as ?ap ?ao } }"
        )
    where.append("{ " + " ".join(f"BIND({_iri(n)} AS {v})" for n, v in guards.items()) + " }")
    body = "\n  UNION ".join(where)
    if if_version is None:
        condition = ""
    elif if_version == "0":
        condition = f"FILTER NOT EXISTS {{ GRAPH {sysg} {{ {sysg} {vp} ?anyVersion }} }}\n  "
    else:
        condition = f"GRAPH {sysg} {{ {sysg} {vp} {ox.Literal(if_version)} }}\n  "
    return (
        "DELETE {\n"
        + "\n".join(deletes)
        + "\n}\nINSERT {\n"
        + "\n".join(adds)
        + f"\n}}\nWHERE {{\n  {condition}{{ {body} }}\n}}"
    )
