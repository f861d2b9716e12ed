"""SHACL validation: a graph in, a frozen :class:`Report` out.

The package, one job per module:

- ``report``: the report values and their JSON and CSV forms;
- ``engine``: pySHACL with the server's shapes prepared once, and stock pySHACL for uploads;
- ``patches``: what sro-graph changes inside pySHACL (pinned version);
- ``pool``: the killable worker processes that run validations;
- ``batch``: large graphs in chunks, validated like separate submissions;
- ``build``: the report from pySHACL's graph; ``messages``, ``labels`` and ``elements`` give
  it Dutch and English messages, names and the initiatives' core/related status;
- ``shapes``: loading the server's shapes, refusing unsafe uploaded ones;
- ``validator``: the :class:`Validator` the services call.

The store context a submission needs is read by the submission side
(:mod:`sro_graph.store_context`); ``fetch_context`` is re-exported here for existing callers.
"""

from __future__ import annotations

from sro_graph.store_context import fetch_context
from sro_graph.validation.batch import partition
from sro_graph.validation.build import build_report
from sro_graph.validation.engine import ShaclEngine, run_pyshacl
from sro_graph.validation.report import (
    SEVERITIES,
    InitiativeStatus,
    MissingElement,
    Report,
    Result,
    Text,
)
from sro_graph.validation.shapes import load_graphs, refuse_unsafe_shapes
from sro_graph.validation.validator import Lane, Validator, make_validator

__all__ = [
    "SEVERITIES",
    "InitiativeStatus",
    "Lane",
    "MissingElement",
    "Report",
    "Result",
    "ShaclEngine",
    "Text",
    "Validator",
    "build_report",
    "fetch_context",
    "load_graphs",
    "make_validator",
    "partition",
    "refuse_unsafe_shapes",
    "run_pyshacl",
]
