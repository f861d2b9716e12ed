"""What one catalogue build reuses from the previous one (issue 17.3).

A submission changes a handful of declared datasets; the others are the same values as before.
The declared datasets are not read again while the graphs their facts come from are unchanged
(``declared.DeclaredReuse``); a declared dataset is made again only when its facts changed, and
its entry only when the dataset did. Entries name shared resources (publishers, contact
points) described from the organisations and bodies in the store: while those are unchanged,
the previous build's :class:`Support` is reused too; when they change, every entry is built
again.
"""

from __future__ import annotations

from collections.abc import Mapping

from sro_graph.catalog.declared import DeclaredDataset, DeclaredReuse
from sro_graph.catalog.describe import AgentInfo, Support
from sro_graph.catalog.memo import Memo
from sro_graph.catalog.model import CatalogEntry
from sro_graph.catalog.reference import Reference
from sro_graph.vocab import Uris

__all__ = ["EntryCache"]


class EntryCache:
    """Declared datasets, their entries and the shared resources they name, across builds.

    Not thread-safe on its own: the catalogue builds one snapshot at a time.
    """

    def __init__(self) -> None:
        self._agents: Mapping[str, AgentInfo] | None = None
        self._support: Support | None = None
        self.declared = DeclaredReuse()
        self.entries: Memo[DeclaredDataset, CatalogEntry] = Memo()

    def start(self, uris: Uris, ref: Reference, agents: Mapping[str, AgentInfo]) -> Support:
        """Begin a build over ``agents``; the shared resources to describe them with."""
        if self._support is None or agents != self._agents or self._support.reference is not ref:
            self._support = Support(uris, ref, agents)
            self._agents = agents
            self.entries.clear()
        self.declared.datasets.start()
        self.entries.start()
        return self._support

    def done(self) -> None:
        """The build is over: forget what it did not use."""
        self.declared.datasets.prune()
        self.entries.prune()
