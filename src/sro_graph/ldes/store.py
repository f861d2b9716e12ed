"""A store that records the change stream with every write, in the same transaction.

:class:`RecordingStore` wraps the opened store: each ``write`` gains the version objects and
tombstones of the members it changes (``ldes.record``), so an accepted submission, its
replacement and its withdrawal are in the stream exactly when they are in the store, on
every backend and across processes. A write without ``if_version`` is made conditional on the
version the recorder read (and tried again when another writer came first), so two processes
never give two versions the same sequence number. Everything else is the inner store's.
"""

from __future__ import annotations

import logging
import uuid
from concurrent.futures import Executor
from typing import Any

import pyoxigraph as ox
from rdflib import Graph

from sro_graph.ldes.record import Recorder
from sro_graph.store import GraphWrite, RawResult, Store, StoreConflict
from sro_graph.store.base import Bindings, Row
from sro_graph.vocab import Uris

__all__ = ["RecordingStore"]

log = logging.getLogger(__name__)

_ATTEMPTS = 5


class RecordingStore:
    """``inner`` with the change stream recorded by every write."""

    def __init__(self, inner: Store, uris: Uris) -> None:
        self.inner = inner
        self.recorder = Recorder(inner, uris)

    def write(self, change: GraphWrite, *, new_version: str, if_version: str | None = None) -> None:
        """Apply ``change`` and its stream additions atomically (see :meth:`Store.write`)."""
        for attempt in range(_ATTEMPTS):
            expected = if_version if if_version is not None else self.inner.version()
            extra = self.recorder.for_write(change, new_version)
            merged = change if extra is None else _merge(change, extra)
            try:
                self.inner.write(merged, new_version=new_version, if_version=expected)
                return
            except StoreConflict:
                # The caller's own condition failed: theirs to handle. Ours: read again.
                if if_version is not None or attempt == _ATTEMPTS - 1:
                    raise
                log.info("change stream: another writer came first; recording again")

    def reconcile(self) -> int:
        """Bring the stream up to the store when a write bypassed the recorder (a bulk load,
        a store filled before the stream existed); returns the number of versions added."""
        for attempt in range(_ATTEMPTS):
            version = self.inner.version()
            if self.recorder.seen_version() == version:
                return 0
            additions = self.recorder.reconcile()
            added = len({s for s, _, _ in additions})
            new_version = uuid.uuid4().hex
            try:
                self.inner.write(
                    self.recorder.seen(additions, new_version),
                    new_version=new_version,
                    if_version=version,
                )
                return added
            except StoreConflict:
                if attempt == _ATTEMPTS - 1:
                    raise
        return 0

    # -- the rest is the inner store's ----------------------------------------------------

    def select(self, query: str, *, bindings: Bindings | None = None) -> list[Row]:
        return self.inner.select(query, bindings=bindings)

    def ask(self, query: str, *, bindings: Bindings | None = None) -> bool:
        return self.inner.ask(query, bindings=bindings)

    def construct(self, query: str, *, bindings: Bindings | None = None) -> Graph:
        return self.inner.construct(query, bindings=bindings)

    def statements(self, query: str) -> list[ox.Triple]:
        return self.inner.statements(query)

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
        return self.inner.query_raw(
            query,
            accept=accept,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            row_cap=row_cap,
            timeout_s=timeout_s,
            max_bytes=max_bytes,
        )

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
        return await self.inner.query_raw_async(
            query,
            accept=accept,
            executor=executor,
            default_graphs=default_graphs,
            named_graphs=named_graphs,
            row_cap=row_cap,
            timeout_s=timeout_s,
            max_bytes=max_bytes,
        )

    def version(self) -> str:
        return self.inner.version()

    def graph_names(self) -> set[str]:
        return self.inner.graph_names()

    def dump(self, *, graph: str | None = None) -> bytes:
        return self.inner.dump(graph=graph)

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:
        # Backend-specific extras (the embedded store's bulk loader and async queries).
        return getattr(self.inner, name)


def _merge(change: GraphWrite, extra: GraphWrite) -> GraphWrite:
    add = dict(change.add)
    remove = dict(change.remove)
    for name, graph in extra.add.items():
        add[name] = graph if name not in add else add[name] + graph
    for name, graph in extra.remove.items():
        if len(graph):
            remove[name] = graph if name not in remove else remove[name] + graph
    return GraphWrite(replace=change.replace, add=add, remove=remove, drop=change.drop)
