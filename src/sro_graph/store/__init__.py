"""Stores behind one interface: ``open_store(location, ...)`` picks the implementation."""

from __future__ import annotations

from pathlib import Path

from sro_graph.store.base import (
    GraphWrite,
    RawResult,
    Store,
    StoreBusy,
    StoreConflict,
    StoreError,
    StoreMismatch,
    StoreQueryError,
    StoreTimeout,
    StoreUnavailable,
)

__all__ = [
    "GraphWrite",
    "RawResult",
    "Store",
    "StoreBusy",
    "StoreConflict",
    "StoreError",
    "StoreMismatch",
    "StoreQueryError",
    "StoreTimeout",
    "StoreUnavailable",
    "open_store",
]


def open_store(
    location: str,
    *,
    system_graph: str,
    update_url: str | None = None,
    user: str | None = None,
    password: str | None = None,
    timeout_s: float = 60.0,
    query_workers: int = 0,
    workers_network: bool = False,
    kind: str = "auto",
    graph_store_url: str | None = None,
    store_time_limit_s: float | None = None,
) -> Store:
    """Open the store at ``location``: a folder, ``memory``, or ``sparql+http(s)://...``.

    Built from plain values, never from Settings, so tests and tools can open any store.
    ``query_workers``: on a disk store, the killable worker processes for ``query_raw``;
    they run without internet sockets unless ``workers_network`` (a SERVICE allow-list).
    ``kind``, ``graph_store_url`` and ``store_time_limit_s``: see
    :class:`~sro_graph.store.remote.RemoteStore`. The byte cap of answers is the caller's,
    per query (``query_raw(max_bytes=...)``): the service's own dumps are never cut.
    """
    if location.startswith(("sparql+http://", "sparql+https://")):
        from sro_graph.store.remote import RemoteStore

        query_url = location.removeprefix("sparql+")
        return RemoteStore(
            query_url,
            update_url=update_url or query_url,
            system_graph=system_graph,
            user=user,
            password=password,
            timeout_s=timeout_s,
            kind=kind,
            graph_store_url=graph_store_url,
            store_time_limit_s=store_time_limit_s,
        )
    from sro_graph.store.embedded import EmbeddedStore

    if location == "memory":
        return EmbeddedStore(None, system_graph=system_graph)
    return EmbeddedStore(
        Path(location),
        system_graph=system_graph,
        query_workers=query_workers,
        workers_network=workers_network,
    )
