"""The validator: a graph (and its store context) in, a :class:`Report` out.

Runs the server's shapes (or uploaded ones) in the worker pool, or in this process when it
has no workers (the CLI, one user), and builds the report.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

from rdflib import Graph

from sro_graph.rdfio import RdfFormat, graph_from_ntriples, serialize_graph
from sro_graph.validation.batch import merge_reports, partition
from sro_graph.validation.build import build_report
from sro_graph.validation.engine import ShaclEngine, merged, ntriples, run_engine, run_pyshacl
from sro_graph.validation.pool import ValidationPool
from sro_graph.validation.report import Report
from sro_graph.validation.shapes import load_graphs
from sro_graph.vocab import Uris


class Validator:
    """Validates graphs against the server's shapes (or uploaded ones) and builds reports.

    Args:
        shapes: the server's shapes graph.
        vocabulary: ontology and concept schemes, for property and element labels.
        workers: worker processes; 0 runs pySHACL in this process (the CLI, one user).
    """

    def __init__(
        self,
        shapes: Graph,
        vocabulary: Graph,
        uris: Uris,
        *,
        workers: int,
        timeout_s: float,
    ) -> None:
        self.shapes = shapes
        self.vocabulary = vocabulary
        self.uris = uris
        self._shapes_nt = serialize_graph(shapes, RdfFormat.NTRIPLES)
        self._pool = ValidationPool(self._shapes_nt, workers, timeout_s) if workers > 0 else None
        self._lock = threading.Lock()

    @functools.cached_property
    def _engine(self) -> ShaclEngine:
        """The in-process engine (``workers=0``), built on first use."""
        return ShaclEngine(self.shapes)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()

    def validate(
        self, data: Graph, *, shapes: Graph | None = None, context: Graph | None = None
    ) -> Report:
        """Validate ``data`` (with ``context`` from the store) against the server's shapes
        or against ``shapes``.

        Results about nodes that only the context describes are left out: they belong to the
        stored graph, not to the submission.

        Raises:
            QueryTimeoutError: the time limit ran out. BusyError: every worker is busy.
        """
        shapes_graph = shapes if shapes is not None else self.shapes
        data_nt = ntriples(list(data))
        context_nt = ntriples(list(context)) if context is not None else b""
        shapes_nt = serialize_graph(shapes, RdfFormat.NTRIPLES) if shapes is not None else None
        if self._pool is not None:
            conforms, report_nt = self._pool.run(data_nt, context_nt, shapes_nt)
            report_graph = graph_from_ntriples(report_nt)
        else:
            with self._lock:  # one pySHACL run at a time in this process
                if shapes_nt is not None:
                    conforms, report_graph = run_pyshacl(
                        merged(data_nt, context_nt), graph_from_ntriples(shapes_nt)
                    )
                else:
                    conforms, report_graph = run_engine(self._engine, data_nt, context_nt)
        return build_report(
            report_graph,
            conforms,
            data=data,
            context=context,
            shapes=shapes_graph,
            vocabulary=self.vocabulary,
            uris=self.uris,
        )

    def validate_batch(
        self,
        data: Graph,
        *,
        context: Graph | None = None,
        chunk_size: int = 250,
    ) -> Report:
        """Validate a large graph against the server's shapes in chunks, spread over the
        workers: each subject is validated once, seeing the data reachable from it and the
        minimal ``context`` of what it references, as if submitted on its own.

        The report is the same as one pySHACL run's over the whole graph for shapes that only
        look at what is reachable from their focus node (all of ours but the hierarchy rules
        on concepts, which are about the base knowledge, not submitted data). Meant for the
        CLI and bulk checks: it takes every worker, outside the request queue of
        :meth:`validate`.

        Raises:
            QueryTimeoutError: a chunk ran past the time limit.
        """
        chunks = [
            (ntriples(d), ntriples(c)) for d, c in partition(data, context or Graph(), chunk_size)
        ]
        if self._pool is not None:
            outcomes = self._pool.run_many(chunks)
            graphs = [graph_from_ntriples(report_nt) for _, report_nt in outcomes]
            conforms = all(ok for ok, _ in outcomes)
        else:
            graphs = []
            conforms = True
            with self._lock:
                for data_nt, context_nt in chunks:
                    ok, chunk_report = run_engine(self._engine, data_nt, context_nt)
                    conforms = conforms and ok
                    graphs.append(chunk_report)
        return build_report(
            merge_reports(graphs, conforms),
            conforms,
            data=data,
            context=context,
            shapes=self.shapes,
            vocabulary=self.vocabulary,
            uris=self.uris,
        )


def make_validator(
    shapes_dir: Path, ontology_dir: Path, uris: Uris, *, workers: int, timeout_s: float
) -> Validator:
    """The validator for the server's shapes (``shapes/*.ttl``) and ontology."""
    shapes = load_graphs(sorted(shapes_dir.rglob("*.ttl")), uris.base)
    vocabulary = load_graphs(sorted(ontology_dir.rglob("*.ttl")), uris.base)
    return Validator(shapes, vocabulary, uris, workers=workers, timeout_s=timeout_s)
