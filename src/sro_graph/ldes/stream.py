"""Reading the change stream as a Linked Data Event Stream (LDES, TREE hypermedia).

``/ldes/kennisgraaf`` is the ``ldes:EventStream``; its view ``/ldes/kennisgraaf/tijd`` is a
``tree:Node`` whose relations lead to every fragment; fragment ``n`` holds the version objects
with sequence numbers ``(n-1)·size+1 … n·size`` in stream order, and a
``tree:GreaterThanOrEqualToRelation`` on ``prov:generatedAtTime`` to the next one. Times grow
with sequence numbers (``ldes.record``), so each fragment covers one interval of time and each
relation's value holds for everything behind it. A fragment that has a next one never changes
again (:attr:`Fragment.immutable`); the last one grows. docs/ldes.md tells the rest.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.term import Node

from sro_graph import rq
from sro_graph.errors import NotFoundError
from sro_graph.ldes.record import ldes_graph
from sro_graph.store import Store
from sro_graph.vocab import DCTERMS, PROV, RDF, XSD, Uris

__all__ = ["AS", "FRAGMENT_SIZE", "LDES", "TREE", "ChangeStream", "Fragment"]

LDES = Namespace("https://w3id.org/ldes#")
TREE = Namespace("https://w3id.org/tree#")
AS = Namespace("https://www.w3.org/ns/activitystreams#")
FRAGMENT_SIZE = 50
"""Version objects per fragment. Fixed: published fragments must never change."""

Triple = tuple[Node, Node, Node]


@dataclass(frozen=True)
class Fragment:
    """One page of the stream and whether it can still change."""

    graph: Graph
    immutable: bool


class ChangeStream:
    """The stream of versions of initiatives and organisations, read from the store."""

    def __init__(self, store: Store, uris: Uris, *, fragment_size: int = FRAGMENT_SIZE) -> None:
        self.store = store
        self.uris = uris
        self.size = fragment_size
        self.graph = ldes_graph(uris)
        self._lock = threading.Lock()
        self._starts: tuple[str, list[tuple[int, Literal]]] = ("", [])

    @property
    def stream_iri(self) -> URIRef:
        return URIRef(f"{self.uris.base}/ldes/kennisgraaf")

    @property
    def view_iri(self) -> URIRef:
        return URIRef(f"{self.stream_iri}/tijd")

    def fragment_iri(self, number: int) -> URIRef:
        return URIRef(f"{self.view_iri}/{number}")

    def description(self) -> Graph:
        """The event stream: what its members are, how versions and time are read."""
        g = _graph()
        self._describe_stream(g)
        return g

    def view(self) -> Graph:
        """The view's root node: a relation to every fragment, by the time it starts."""
        g = _graph()
        self._describe_stream(g)
        root = self.view_iri
        g.add((root, RDF.type, TREE.Node))
        description = BNode("view")
        g.add((root, TREE.viewDescription, description))
        g.add((description, RDF.type, TREE.ViewDescription))
        g.add(
            (
                description,
                DCTERMS.description,
                Literal(
                    "Fragmenten van elk "
                    f"{self.size} versies in volgorde van tijd; alle versies blijven bewaard.",
                    lang="nl",
                ),
            )
        )
        for number, start in self._fragment_starts():
            self._relation(g, root, self.fragment_iri(number), start)
        return g

    def fragment(self, number: int) -> Fragment:
        """Fragment ``number`` (from 1).

        Raises:
            NotFoundError: no such fragment (yet).
        """
        starts = dict(self._fragment_starts())
        if number not in starts:
            raise NotFoundError(f"The change stream has no fragment {number}.")
        first, last = (number - 1) * self.size + 1, number * self.size
        rows = self.store.select(
            rq.load("ldes-fragment"),
            bindings={
                "ldes": self.graph,
                "first": Literal(first, datatype=XSD.integer),
                "last": Literal(last, datatype=XSD.integer),
            },
        )
        g = _graph()
        node = self.fragment_iri(number)
        g.add((node, RDF.type, TREE.Node))
        g.add((node, DCTERMS.isPartOf, self.stream_iri))
        g.add((self.stream_iri, RDF.type, LDES.EventStream))
        for row in sorted(rows, key=lambda r: int(str(r["sequence"]))):
            g.add((self.stream_iri, TREE.member, row["version"]))
            self._member(g, row)
        following = starts.get(number + 1)
        if following is not None:
            self._relation(g, node, self.fragment_iri(number + 1), following)
        return Fragment(g, immutable=following is not None)

    def describe(self, iri: URIRef) -> list[Triple]:
        """A version object's statements (empty for anything else)."""
        if not str(iri).startswith(f"{self.uris.base}/id/versie/"):
            return []
        rows = self.store.select(
            rq.load("ldes-version"), bindings={"ldes": self.graph, "version": iri}
        )
        if not rows:
            return []
        g = Graph()
        self._member(g, rows[0])
        return list(g)

    # -- internals ---------------------------------------------------------------------------

    def _describe_stream(self, g: Graph) -> None:
        stream = self.stream_iri
        g.add((stream, RDF.type, LDES.EventStream))
        g.add((stream, DCTERMS.title, Literal("Wijzigingen in de kennisgraaf", lang="nl")))
        g.add((stream, DCTERMS.title, Literal("Changes to the knowledge graph", lang="en")))
        g.add(
            (
                stream,
                DCTERMS.description,
                Literal(
                    "Elke aanvaarde inzending, vervanging en intrekking als onveranderlijke "
                    "versie van een initiatief of organisatie; een intrekking als grafsteen "
                    "(as:Delete).",
                    lang="nl",
                ),
            )
        )
        g.add((stream, LDES.timestampPath, PROV.generatedAtTime))
        g.add((stream, LDES.versionOfPath, DCTERMS.isVersionOf))
        g.add((stream, LDES.versionDeletePath, RDF.type))
        g.add((stream, LDES.versionDeleteObject, AS.Delete))
        g.add((stream, TREE.view, self.view_iri))

    def _member(self, g: Graph, row: Mapping[str, Node]) -> None:
        version = row["version"]
        entity = URIRef(str(row["entity"]))
        g.add((version, DCTERMS.isVersionOf, entity))
        g.add((version, PROV.generatedAtTime, Literal(str(row["time"]), datatype=XSD.dateTime)))
        if str(row.get("deleted", "")).lower() in ("true", "1"):
            g.add((version, RDF.type, AS.Delete))
            return
        content = Graph()
        content.parse(data=str(row.get("content", "")), format="nt")
        # Blank nodes named after the version and their statements: a fragment's bytes are
        # the same on every read, in every process.
        labels = {
            node: BNode(f"v{str(version).rsplit('/', 1)[-1]}{label}")
            for node, label in _labels(content).items()
        }
        for s, p, o in content:
            s = version if s == entity else labels.get(s, s)
            g.add((s, p, labels.get(o, o)))

    def _relation(self, g: Graph, source: URIRef, target: URIRef, start: Literal) -> None:
        relation = BNode("r" + str(target).rsplit("/", 1)[-1])
        g.add((source, TREE.relation, relation))
        g.add((relation, RDF.type, TREE.GreaterThanOrEqualToRelation))
        g.add((relation, TREE.node, target))
        g.add((relation, TREE.path, PROV.generatedAtTime))
        g.add((relation, TREE.value, start))

    def _fragment_starts(self) -> list[tuple[int, Literal]]:
        """(fragment number, time of its first version), cached per store version."""
        version = self.store.version()
        with self._lock:
            if self._starts[0] == version:
                return self._starts[1]
        rows = self.store.select(rq.load("ldes-fragment-starts"), bindings={"ldes": self.graph})
        starts = []
        for row in rows:
            sequence = int(str(row["sequence"]))
            if (sequence - 1) % self.size == 0:
                time = Literal(str(row["time"]), datatype=XSD.dateTime)
                starts.append(((sequence - 1) // self.size + 1, time))
        with self._lock:
            self._starts = (version, starts)
        return starts


def _labels(graph: Graph) -> dict[Node, str]:
    """A label for each blank node of ``graph``, from a hash of its statements."""
    out: dict[Node, str] = {}
    for node in {n for t in graph for n in (t[0], t[2]) if isinstance(n, BNode)}:
        desc = sorted(
            f"{p.n3()} {o.n3() if not isinstance(o, BNode) else '_'}"
            for p, o in graph.predicate_objects(node)
        )
        out[node] = hashlib.sha256("\n".join(desc).encode()).hexdigest()[:16]
    return out


def _graph() -> Graph:
    g = Graph()
    g.bind("ldes", LDES)
    g.bind("tree", TREE)
    g.bind("as", AS)
    g.bind("dct", DCTERMS)
    g.bind("prov", PROV)
    return g
