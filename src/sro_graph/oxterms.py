"""Conversion between pyoxigraph and rdflib terms.

sro-graph speaks rdflib terms everywhere (one term model); pyoxigraph is the fast, strict
parser, serialiser and store underneath. This module is the only bridge, shared by ``rdfio``
and ``store.embedded``; it holds no state.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import lru_cache

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier, Node

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal
RdflibTerm = URIRef | BNode | Literal


# Terms up to this many characters are converted once and shared (rdflib terms are immutable):
# result rows repeat the same IRIs and short literals (keys, roles, concepts) thousands of
# times, and building an rdflib term (IRI check, literal cast) is the costly part of a read.
_SHARED_UP_TO = 256


def to_rdflib(term: object) -> RdflibTerm:
    """An rdflib term for a pyoxigraph term (triple terms are not used by sro-graph)."""
    if isinstance(term, ox.NamedNode | ox.Literal) and len(term.value) <= _SHARED_UP_TO:
        return _shared(term)
    return _convert(term)


@lru_cache(maxsize=1 << 16)
def _shared(term: ox.NamedNode | ox.Literal) -> RdflibTerm:
    return _convert(term)


def _convert(term: object) -> RdflibTerm:
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype == "http://www.w3.org/2001/XMLSchema#string":
            return Literal(term.value)
        # normalize=False keeps the lexical form as written: rdflib would otherwise rewrite an
        # ill-typed "none"^^xsd:boolean to a valid "false", and validation would never see it.
        return Literal(term.value, datatype=URIRef(datatype), normalize=False)
    raise TypeError(f"unsupported term {term!r}")


def from_rdflib(term: Node) -> OxTerm:
    """A pyoxigraph term for an rdflib term."""
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
        return ox.Literal(str(term))
    raise TypeError(f"unsupported term {term!r}")


def triples_to_graph(triples: Iterable[ox.Triple | ox.Quad], graph: Graph | None = None) -> Graph:
    """Add oxigraph triples (or the triples of quads) to an rdflib graph."""
    target = graph if graph is not None else Graph()
    add = target.add
    for t in triples:
        add((to_rdflib(t.subject), to_rdflib(t.predicate), to_rdflib(t.object)))
    return target


def graph_to_triples(graph: Iterable[tuple[Node, Node, Node]]) -> Iterator[ox.Triple]:
    for s, p, o in graph:
        yield ox.Triple(from_rdflib(s), from_rdflib(p), from_rdflib(o))  # type: ignore[arg-type]


def graph_to_quads(graph: Iterable[tuple[Node, Node, Node]], graph_name: str) -> Iterator[ox.Quad]:
    g = ox.NamedNode(graph_name)
    for s, p, o in graph:
        yield ox.Quad(from_rdflib(s), from_rdflib(p), from_rdflib(o), g)  # type: ignore[arg-type]


def term_to_sparql(term: Identifier) -> str:
    """A term written as SPARQL/N-Triples syntax (safe: escaped by the serialiser)."""
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(from_rdflib(term))
