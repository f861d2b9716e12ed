"""The values the catalogue is made of: entries, the snapshot of one store version, dumps.

An entry (one dataset or data service, with its catalogue record and distributions) holds only
its own statements; what several entries share (publishers, contact points, official concepts,
licences, standards) is held once in the snapshot's ``support`` and named by each entry that
needs it, so a page or the whole feed states each shared resource exactly once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Literal

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.term import Node

from sro_graph.oxterms import graph_to_triples
from sro_graph.vocab import DCAT

__all__ = ["EPOCH", "CatalogEntry", "CatalogSnapshot", "Dump", "Triple"]

Triple = tuple[Node, Node, Node]
_LINKS = {"dataset": DCAT.dataset, "service": DCAT.service}
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Dump:
    """One full-dump file: its bytes and the media type it is served with."""

    body: bytes
    content_type: str


@dataclass(frozen=True)
class CatalogEntry:
    """One dataset or data service: its statements (record and distributions included) and
    the shared resources it refers to."""

    resource: URIRef
    kind: Literal["dataset", "service"]
    modified: datetime
    triples: tuple[Triple, ...]
    support: frozenset[URIRef]

    @property
    def link(self) -> URIRef:
        """How the catalogue links it: ``dcat:dataset`` or ``dcat:service``."""
        return _LINKS[self.kind]

    @cached_property
    def statements(self) -> tuple[ox.Triple, ...]:
        """:attr:`triples` as pyoxigraph triples, made once: an entry lives on through the
        builds that do not change it (``catalog.reuse``), and making these is most of the
        cost of serialising a harvest."""
        return tuple(graph_to_triples(self.triples))


@dataclass(frozen=True)
class CatalogSnapshot:
    """The catalogue at one store version."""

    version: str
    catalog: URIRef
    header: tuple[Triple, ...]
    header_support: frozenset[URIRef]
    entries: tuple[CatalogEntry, ...]
    support: Mapping[URIRef, tuple[Triple, ...]]
    dumps: Mapping[tuple[str, str], Dump] = field(default_factory=dict, repr=False)

    @property
    def modified(self) -> datetime:
        """The latest change of anything the catalogue describes."""
        return max((e.modified for e in self.entries), default=EPOCH)

    def select(self, modified_since: datetime | None) -> list[CatalogEntry]:
        """The entries changed after ``modified_since`` (all without it)."""
        if modified_since is None:
            return list(self.entries)
        return [e for e in self.entries if e.modified > modified_since]

    def triples(self, entries: Iterable[CatalogEntry] | None = None) -> Iterator[Triple]:
        """The header, ``entries`` (all by default) linked from the catalogue, and every shared
        resource they refer to, each stated once."""
        chosen = self.entries if entries is None else tuple(entries)
        yield from self.header
        needed = set(self.header_support)
        for entry in chosen:
            yield (self.catalog, entry.link, entry.resource)
            yield from entry.triples
            needed |= entry.support
        for iri in sorted(needed):
            yield from self.support[iri]

    def statements(self, entries: Iterable[CatalogEntry] | None = None) -> Iterator[ox.Triple]:
        """:meth:`triples` as pyoxigraph triples, in the same order (for serialising)."""
        chosen = self.entries if entries is None else tuple(entries)
        yield from graph_to_triples(self.header)
        catalog = ox.NamedNode(str(self.catalog))
        links = {kind: ox.NamedNode(str(link)) for kind, link in _LINKS.items()}
        needed = set(self.header_support)
        for entry in chosen:
            yield ox.Triple(catalog, links[entry.kind], ox.NamedNode(str(entry.resource)))
            yield from entry.statements
            needed |= entry.support
        for iri in sorted(needed):
            yield from graph_to_triples(self.support[iri])

    def full_graph(self, entries: Iterable[CatalogEntry] | None = None) -> Graph:
        """:meth:`triples` as an rdflib graph (for checks and tests)."""
        graph = Graph()
        for triple in self.triples(entries):
            graph.add(triple)
        return graph

    def describe(self, iri: URIRef) -> list[Triple]:
        """Every statement of the whole catalogue whose subject is ``iri`` (empty if none)."""
        return [t for t in self.triples() if t[0] == iri]
