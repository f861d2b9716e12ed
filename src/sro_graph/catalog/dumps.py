"""Full dumps of our datasets, built when first needed and kept while their data is unchanged.

A dump is keyed by its dataset and a fingerprint of the graphs it is made from (their names
and last-change times): a submission changes the initiatives dataset's fingerprint only, so the
organisations' and concept schemes' dumps are reused across store versions instead of being
rebuilt in three formats on every write.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
from collections.abc import Iterable
from dataclasses import dataclass

from rdflib import BNode, Graph, URIRef

from sro_graph.catalog.model import Dump, Triple
from sro_graph.catalog.reference import FILE_TYPE
from sro_graph.formats import IANA_MEDIA_TYPES, MediaType, RdfFormat, content_type
from sro_graph.oxterms import graph_to_triples
from sro_graph.rdfio import write_statements
from sro_graph.store import Store
from sro_graph.vocab import official_prefixes

__all__ = ["DUMP_FORMATS", "DumpCache", "DumpFormat", "DumpSource", "fingerprint"]

IANA = IANA_MEDIA_TYPES


@dataclass(frozen=True)
class DumpFormat:
    """One full-dump distribution format."""

    key: str  # URL suffix
    rdf_format: RdfFormat
    media_type: URIRef
    file_type: URIRef
    label: str
    content_type: str
    compress: URIRef | None = None


DUMP_FORMATS: dict[str, DumpFormat] = {
    "ttl": DumpFormat(
        "ttl",
        RdfFormat.TURTLE,
        URIRef(IANA + RdfFormat.TURTLE),
        URIRef(FILE_TYPE + "RDF_TURTLE"),
        "RDF Turtle",
        content_type(RdfFormat.TURTLE),
    ),
    "nt.gz": DumpFormat(
        "nt.gz",
        RdfFormat.NTRIPLES,
        URIRef(IANA + RdfFormat.NTRIPLES),
        URIRef(FILE_TYPE + "RDF_N_TRIPLES"),
        "RDF N-Triples",
        MediaType.GZIP,
        compress=URIRef(IANA + MediaType.GZIP),
    ),
    "jsonld": DumpFormat(
        "jsonld",
        RdfFormat.JSONLD,
        URIRef(IANA + RdfFormat.JSONLD),
        URIRef(FILE_TYPE + "JSON_LD"),
        "JSON-LD",
        RdfFormat.JSONLD,
    ),
}


@dataclass(frozen=True)
class DumpSource:
    """Where a dataset's data comes from: an internal CONSTRUCT (the text of an
    ``rq/*.rq`` file, run and serialised by the store), or triples already read."""

    fingerprint: str
    query: str | None = None
    triples: tuple[Triple, ...] = ()


class DumpCache:
    """The dumps of every dataset, by dataset slug and source fingerprint."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._lock = threading.Lock()
        self._dumps: dict[str, tuple[str, dict[str, Dump]]] = {}

    def get(self, slug: str, source: DumpSource) -> dict[str, Dump]:
        """The three dumps of ``slug`` for ``source``: reused while the fingerprint holds."""
        with self._lock:
            cached = self._dumps.get(slug)
            if cached is not None and cached[0] == source.fingerprint:
                return cached[1]
        built = self._build_all(source)
        with self._lock:
            self._dumps[slug] = (source.fingerprint, built)
        return built

    def forget_except(self, slugs: Iterable[str]) -> None:
        """Drop the dumps of datasets that are no longer in the catalogue."""
        keep = set(slugs)
        with self._lock:
            for slug in [s for s in self._dumps if s not in keep]:
                del self._dumps[slug]

    def _build_all(self, source: DumpSource) -> dict[str, Dump]:
        """The three formats from one N-Triples serialisation (one store query)."""
        if source.query is not None:
            # In the store's order: byte-stable for one store version.
            triples = self.store.statements(source.query)
        else:
            triples = list(graph_to_triples(sorted(_stable_blank_nodes(source.triples))))
        lines = write_statements(triples, RdfFormat.NTRIPLES)
        out = {}
        for key, fmt in DUMP_FORMATS.items():
            body = (
                lines
                if fmt.rdf_format is RdfFormat.NTRIPLES
                else write_statements(triples, fmt.rdf_format, prefixes=official_prefixes())
            )
            if fmt.compress is not None:
                # Level 6 (zlib's default) is twice as fast as gzip's 9 for a 6 % larger file.
                body = gzip.compress(body, compresslevel=6, mtime=0)
            out[key] = Dump(body, fmt.content_type)
        return out


def fingerprint(parts: Iterable[str]) -> str:
    """A short digest of the graphs (and their change times) a dataset is made from."""
    return hashlib.sha256("\n".join(sorted(parts)).encode()).hexdigest()[:32]


def _stable_blank_nodes(triples: Iterable[Triple]) -> list[Triple]:
    """Relabel blank nodes by a hash of their statements so dumps are byte-stable."""
    data = list(triples)
    nodes = {n for t in data for n in (t[0], t[2]) if isinstance(n, BNode)}
    if not nodes:
        return data
    graph = Graph()
    for triple in data:
        graph.add(triple)
    labels: dict[BNode, BNode] = {}
    for node in sorted(nodes):
        desc = sorted(
            f"{p.n3()} {o.n3() if not isinstance(o, BNode) else '_'}"
            for p, o in graph.predicate_objects(node)
        )
        labels[node] = BNode("b" + hashlib.sha256("\n".join(desc).encode()).hexdigest()[:16])

    def relabel(term: object) -> object:
        return labels.get(term, term) if isinstance(term, BNode) else term

    return [(relabel(s), p, relabel(o)) for s, p, o in data]  # type: ignore[misc]
