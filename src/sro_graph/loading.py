"""The ``load`` service: RDF files into the store, each atomically into its own named graph.

A file's graph is ``{base}/graph/bestand/{stem}`` unless one is named; reloading a file
replaces its graph. Parsing goes through :mod:`sro_graph.rdfio` (the safe parser) before
anything is written. The bulk path hands the bytes to the embedded store's bulk loader
(N-Triples and Turtle only), which is still all or nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from rdflib import Graph

from sro_graph.errors import (
    InputError,
    StoreUnavailableError,
    UnparseableError,
    UnsupportedFormatError,
)
from sro_graph.formats import RdfFormat
from sro_graph.rdfio import parse_rdf
from sro_graph.store import GraphWrite, Store, StoreError, StoreQueryError
from sro_graph.vocab import Uris

BULK_FORMATS = (RdfFormat.NTRIPLES, RdfFormat.TURTLE)
"""What the bulk loader reads."""


@dataclass(frozen=True)
class ParsedFile:
    """A file parsed and ready to be written into ``graph``."""

    graph: str
    triples: Graph
    statements: int


class FileLoader:
    """Loads files into named graphs of ``store``."""

    def __init__(
        self, store: Store, uris: Uris, *, known_contexts: Mapping[str, object] | None = None
    ) -> None:
        self.store = store
        self.uris = uris
        self.known_contexts = known_contexts or {}

    def graph_for(self, stem: str, graph: str | None = None) -> str:
        """The graph a file with this stem goes into: ``graph`` if given, else its own."""
        return graph or f"{self.uris.base}/graph/bestand/{stem}"

    def parse(
        self, data: bytes, fmt: RdfFormat, *, stem: str, graph: str | None = None
    ) -> ParsedFile:
        """Parse a file for :meth:`write`; nothing is written yet.

        Raises:
            UnparseableError, UnsafeInputError: the data cannot be loaded.
        """
        parsed = parse_rdf(
            data, fmt, base_iri=self.uris.base + "/", known_contexts=self.known_contexts
        )
        return ParsedFile(self.graph_for(stem, graph), parsed.graph, parsed.statements)

    def write(self, parsed: ParsedFile) -> None:
        """Replace the file's graph with its triples, in one transaction.

        Raises:
            StoreUnavailableError: the store could not write (nothing was written).
        """
        try:
            self.store.write(
                GraphWrite(replace={parsed.graph: parsed.triples}), new_version=uuid.uuid4().hex
            )
        except StoreError as exc:
            raise StoreUnavailableError(f"The store could not write the file: {exc}") from exc

    @property
    def can_bulk_load(self) -> bool:
        """True when the store has a bulk loader (the embedded store)."""
        return callable(getattr(self.store, "bulk_replace", None))

    def bulk_load(self, data: bytes, fmt: RdfFormat, *, graph: str) -> None:
        """Replace ``graph`` with ``data`` through the store's bulk loader, wholly or not at
        all (a load killed midway is dropped when the store is next opened).

        Raises:
            InputError: the store has no bulk loader.
            UnsupportedFormatError: ``fmt`` is not N-Triples or Turtle.
            UnparseableError: the data does not parse (nothing of it stays).
            StoreUnavailableError: the store could not write.
        """
        bulk_replace = getattr(self.store, "bulk_replace", None)
        if not callable(bulk_replace):
            raise InputError("Bulk loading needs the embedded store.")
        if fmt not in BULK_FORMATS:
            raise UnsupportedFormatError(
                f"The bulk loader reads N-Triples or Turtle, not {fmt.name}."
            )
        try:
            bulk_replace(
                data,
                media_type=fmt,
                graph=graph,
                base_iri=self.uris.base + "/",
                new_version=uuid.uuid4().hex,
            )
        except StoreQueryError as exc:
            raise UnparseableError(str(exc)) from exc
        except StoreError as exc:
            raise StoreUnavailableError(str(exc)) from exc
