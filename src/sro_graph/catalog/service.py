"""The catalogue service: one snapshot per store version, its serialised views, its dumps.

Under a stream of writes a snapshot younger than ``refresh_s`` is served instead of a rebuild;
its ETag is its own version, so conditional requests stay exact.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime

from rdflib import URIRef

from sro_graph.catalog.build import SLUG, build_snapshot, catalog_iri, dataset_iri
from sro_graph.catalog.dumps import DUMP_FORMATS, DumpCache
from sro_graph.catalog.model import CatalogSnapshot, Dump, Triple
from sro_graph.catalog.page import CatalogPage, catalog_page
from sro_graph.catalog.profiles import in_profile
from sro_graph.catalog.reference import reference
from sro_graph.catalog.reuse import EntryCache
from sro_graph.catalog.views import CatalogView, JsonLdContext, catalog_view, render_catalog
from sro_graph.errors import NotFoundError
from sro_graph.formats import RdfFormat
from sro_graph.profiles import DCAT_AP_VL, OSLO, Profile
from sro_graph.store import Store
from sro_graph.vocab import Uris

__all__ = ["Catalog"]

_MAX_VIEWS = 64  # bounded: query strings vary
# The /id/{kind}/... of the resources the catalogue mints or describes.
DESCRIBED_KINDS = frozenset(
    {"catalogus", "dataset", "distributie", "dataservice", "catalogusrecord", "contactpunt"}
)


class Catalog:
    """Builds and caches the catalogue per store version."""

    def __init__(
        self,
        store: Store,
        uris: Uris,
        *,
        refresh_s: float = 0.0,
        context: JsonLdContext | None = None,
    ) -> None:
        self.store = store
        self.uris = uris
        self.refresh_s = refresh_s
        self.context = context
        self._lock = threading.Lock()
        self._cached: CatalogSnapshot | None = None
        self._built_at = 0.0
        self._views: dict[tuple[object, ...], CatalogView] = {}
        self._views_version = ""
        self._dumps = DumpCache(store)
        self._reuse = EntryCache()
        self._index: dict[URIRef, list[Triple]] = {}
        self._index_version = ""

    @property
    def reuse(self) -> EntryCache:
        """What builds take over from the previous one, with the counts of the last build."""
        return self._reuse

    @property
    def catalog_iri(self) -> URIRef:
        return catalog_iri(self.uris)

    def dataset_iri(self, slug: str) -> URIRef:
        return dataset_iri(self.uris, slug)

    def snapshot(self) -> CatalogSnapshot:
        """The catalogue for the store's current version (built once per version)."""
        version = self.store.version()
        with self._lock:
            fresh_enough = time.monotonic() - self._built_at < self.refresh_s
            if self._cached is None or (self._cached.version != version and not fresh_enough):
                self._cached = build_snapshot(
                    self.store, self.uris, version, self._dumps, self._reuse
                )
                self._built_at = time.monotonic()
            return self._cached

    def view(
        self,
        fmt: RdfFormat,
        *,
        base_url: str,
        page: int | None = None,
        page_size: int | None = None,
        modified_since: datetime | None = None,
        profile: Profile = DCAT_AP_VL,
    ) -> tuple[CatalogSnapshot, CatalogView]:
        """The snapshot and a serialised view of it in ``profile``; views are cached per store
        version."""
        snapshot = self.snapshot()
        key = (fmt.value, base_url, page, page_size, modified_since, profile.token)
        with self._lock:
            if self._views_version != snapshot.version:
                self._views, self._views_version = {}, snapshot.version
            cached = self._views.get(key)
        if cached is None:
            cached = catalog_view(
                snapshot,
                fmt,
                base_url=base_url,
                page=page,
                page_size=page_size,
                modified_since=modified_since,
                profile=profile,
                ref=reference(self.uris.base),
                context=self.context,
            )
            with self._lock:
                if len(self._views) >= _MAX_VIEWS:
                    self._views.clear()
                self._views[key] = cached
        return snapshot, cached

    def dump(self, dataset: str, fmt: str) -> Dump | None:
        """A full dump of one of our datasets, or None for an unknown name or format."""
        if fmt not in DUMP_FORMATS or not SLUG.fullmatch(dataset):
            return None
        return self.snapshot().dumps.get((dataset, fmt))

    def describe(self, iri: URIRef) -> list[Triple]:
        """What the catalogue states about ``iri`` (empty when it does not mention it).

        Only the kinds of resource the catalogue mints or describes are looked up, so pages of
        other things never wait for a catalogue build.
        """
        kind = str(iri).removeprefix(f"{self.uris.base}/id/").split("/", 1)[0]
        if not str(iri).startswith(f"{self.uris.base}/id/") or kind not in DESCRIBED_KINDS:
            return []
        snapshot = self.snapshot()
        with self._lock:
            if self._index_version != snapshot.version:
                index: dict[URIRef, list[Triple]] = {}
                for triple in snapshot.triples():
                    if isinstance(triple[0], URIRef):
                        index.setdefault(triple[0], []).append(triple)
                self._index, self._index_version = index, snapshot.version
            return list(self._index.get(iri, ()))

    def render_resource(self, iri: URIRef, profile: Profile, fmt: RdfFormat) -> bytes:
        """What the catalogue states about ``iri``, in ``profile`` and ``fmt``.

        Raises:
            NotFoundError: the catalogue does not describe ``iri``.
        """
        triples = self.describe(iri)
        if not triples:
            raise NotFoundError(f"The catalogue does not describe <{iri}>.")
        chosen = in_profile(triples, profile, reference(self.uris.base))
        context = self.context if profile == OSLO else None
        return render_catalog(chosen, fmt, context=context)

    def page(self, lang: str) -> CatalogPage:
        """The catalogue for people, in ``lang``."""
        return catalog_page(self.snapshot(), self.uris, lang)
