"""The one interface every store implements, and its result and error types.

Nothing else in sro-graph talks to a store directly. Terms crossing this boundary are rdflib
terms; bulk data crosses as bytes in a stated format. This package imports nothing of the app
except the stateless term bridge ``sro_graph.oxterms``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Literal, Protocol, runtime_checkable

import pyoxigraph as ox
from rdflib import Graph
from rdflib.term import Identifier

Bindings = Mapping[str, Identifier]
Row = dict[str, Identifier]


class StoreError(Exception):
    """Base of store failures. Messages are safe to show (no URLs, paths or credentials)."""


class StoreUnavailable(StoreError):
    """The store cannot be reached or opened; retry later."""


class StoreQueryError(StoreError):
    """The store refused a query (syntax or evaluation)."""


class StoreTimeout(StoreError):
    """A query ran out of time and was stopped."""


class StoreBusy(StoreError):
    """Every query slot is taken."""


class StoreConflict(StoreError):
    """A conditional write found the store at another version than expected: another writer
    came first. Not written; or, on a remote store, written and at once superseded by another
    write, which only the caller can tell (by looking for its own effect)."""


class StoreMismatch(StoreError):
    """The store was filled for another base URI."""


@dataclass(frozen=True)
class RawResult:
    """A query result already serialised for the client."""

    body: bytes
    media_type: str
    kind: Literal["bindings", "boolean", "graph"]
    truncated: bool = False
    count: int = 0
    # Why it was cut: "rows" (the row cap) or "bytes" (the byte cap); None when whole.
    truncated_by: Literal["rows", "bytes"] | None = None


@dataclass(frozen=True)
class GraphWrite:
    """Changes applied together in one transaction: wholly in or wholly out."""

    replace: Mapping[str, Graph] = field(default_factory=dict)
    add: Mapping[str, Graph] = field(default_factory=dict)
    remove: Mapping[str, Graph] = field(default_factory=dict)
    drop: Iterable[str] = ()


@runtime_checkable
class Store(Protocol):
    """A quad store with a union default graph for queries."""

    def select(self, query: str, *, bindings: Bindings | None = None) -> list[Row]:
        """Rows of a SELECT query; ``bindings`` are bound as terms, never spliced as text."""

    def ask(self, query: str, *, bindings: Bindings | None = None) -> bool:
        """The answer of an ASK query."""

    def construct(self, query: str, *, bindings: Bindings | None = None) -> Graph:
        """The graph of a CONSTRUCT or DESCRIBE query."""

    def statements(self, query: str) -> list[ox.Triple]:
        """The triples of one of our own CONSTRUCT queries, in the store's order, as
        pyoxigraph terms: for output written in several formats (the catalogue's dumps)
        without building an rdflib graph or parsing a serialisation back."""

    def query_raw(
        self,
        query: str,
        *,
        accept: str,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        row_cap: int | None = None,
        timeout_s: float | None = None,
        max_bytes: int | None = None,
    ) -> RawResult:
        """Run a user query and serialise its result in the media type ``accept``, cut at
        ``row_cap`` rows and ``max_bytes`` bytes (flagged in the result; ``None``: no cap).

        Raises:
            StoreQueryError, StoreTimeout, StoreBusy, StoreUnavailable.
        """

    async def query_raw_async(
        self,
        query: str,
        *,
        accept: str,
        executor: Executor,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        row_cap: int | None = None,
        timeout_s: float | None = None,
        max_bytes: int | None = None,
    ) -> RawResult:
        """:meth:`query_raw` for an event loop, with the same limits and errors.

        What must block (a thread-bound engine, a process start, an HTTP client) runs on
        ``executor``, the caller's: the store owns no threads of its own for this.
        """

    def write(self, change: GraphWrite, *, new_version: str, if_version: str | None = None) -> None:
        """Apply ``change`` atomically and record ``new_version`` as the store's version.

        With ``if_version``, only if the store is still at that version ("0": none yet), a
        compare-and-swap that holds across processes; else :class:`StoreConflict`.
        """

    def version(self) -> str:
        """A token that changes with every write (ETags are derived from it)."""

    def graph_names(self) -> set[str]:
        """The named graphs that hold at least one triple."""

    def dump(self, *, graph: str | None = None) -> bytes:
        """All quads (N-Quads), or one graph's triples (N-Triples)."""

    def close(self) -> None:
        """Release files, connections and workers."""
