"""The change stream: initiatives and organisations as a Linked Data Event Stream (LDES).

``record`` computes the version objects and tombstones a write adds; ``store`` wraps the
opened store so every write records them in the same transaction; ``stream`` reads them as
an LDES with time-ordered TREE fragments. docs/ldes.md describes the stream and its retention.
"""

from __future__ import annotations

from sro_graph.ldes.record import Recorder, ldes_graph
from sro_graph.ldes.store import RecordingStore
from sro_graph.ldes.stream import FRAGMENT_SIZE, ChangeStream, Fragment

__all__ = [
    "FRAGMENT_SIZE",
    "ChangeStream",
    "Fragment",
    "Recorder",
    "RecordingStore",
    "ldes_graph",
]
