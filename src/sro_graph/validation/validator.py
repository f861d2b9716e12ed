"""The validator: a graph (and its store context) in, a :class:`Report` out.

Runs the server's shapes (or uploaded ones) in the worker pool of the request's lane, or in
this process when it has no workers (the CLI, one user); adds the vocabulary check's results
for the server's model; and builds the report.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Sequence
from enum import StrEnum
from pathlib import Path

from rdflib import Graph

from sro_graph.rdfio import RdfFormat, UndefinedTerm, graph_from_ntriples, serialize_graph
from sro_graph.validation.batch import merge_reports, partition
from sro_graph.validation.build import build_report
from sro_graph.validation.engine import ShaclEngine, Triple, ntriples
from sro_graph.validation.pool import (
    PUBLIC_NICENESS,
    Task,
    ValidationPool,
    WorkerOutcome,
    outcome_graph,
    run_task,
)
from sro_graph.validation.report import Report
from sro_graph.validation.shapes import load_graphs
from sro_graph.validation.vocabulary import (
    ComponentIris,
    Vocabulary,
    add_nothing_checked,
    add_term_results,
    add_undefined_jsonld_terms,
    find_term_problems,
    load_vocabulary,
)
from sro_graph.vocab import SH, Uris


class Lane(StrEnum):
    """Who asks: anonymous ``/validate`` uploads, stewards' submissions (own capacity), or a
    bulk check (:meth:`Validator.validate_batch`)."""

    PUBLIC = "public"
    STEWARD = "steward"
    BATCH = "batch"


class Validator:
    """Validates graphs against the server's shapes (or uploaded ones) and builds reports.

    Args:
        shapes: the server's shapes graph.
        vocabulary: ontology and concept schemes, for labels and the vocabulary check.
        workers: worker processes of the public lane; 0 runs pySHACL in this process.
        steward_workers: worker processes of the steward lane (with ``workers`` > 0).
        check_vocabulary: report unknown terms and data in which nothing was checked (the
            server's model; off for validators of arbitrary shapes).
    """

    def __init__(
        self,
        shapes: Graph,
        vocabulary: Graph,
        uris: Uris,
        *,
        workers: int,
        timeout_s: float,
        steward_workers: int = 1,
        check_vocabulary: bool = False,
    ) -> None:
        self.shapes = shapes
        self.vocabulary = vocabulary
        self.uris = uris
        self._shapes_nt = serialize_graph(shapes, RdfFormat.NTRIPLES)
        self._pools: dict[Lane, ValidationPool] = {}
        if workers > 0:
            self._pools[Lane.PUBLIC] = ValidationPool(
                self._shapes_nt, workers, timeout_s, niceness=PUBLIC_NICENESS
            )
            self._pools[Lane.STEWARD] = ValidationPool(
                self._shapes_nt, max(1, steward_workers), timeout_s
            )
            # Bulk checks (CLI, benchmarks): the public lane's size at normal priority; its
            # processes start on the first batch only.
            self._pools[Lane.BATCH] = ValidationPool(self._shapes_nt, workers, timeout_s)
        self._lock = threading.Lock()
        self._terms: Vocabulary | None = (
            load_vocabulary(vocabulary, uris) if check_vocabulary else None
        )
        self._iris = ComponentIris.for_uris(uris)
        self._targeted = sorted({str(c) for c in shapes.objects(None, SH.targetClass)})

    @functools.cached_property
    def _engine(self) -> ShaclEngine:
        """The in-process engine (``workers=0``), built on first use."""
        return ShaclEngine(self.shapes, memoize=True)

    def in_flight(self, lane: Lane) -> int:
        """Validations of a lane running or waiting for a worker (0 without workers)."""
        pool = self._pools.get(lane)
        return pool.in_flight if pool is not None else 0

    def close(self) -> None:
        for pool in self._pools.values():
            pool.close()

    def _run(self, task: Task, lane: Lane) -> tuple[Graph, int]:
        pool = self._pools.get(lane)
        if pool is not None:
            outcome = pool.run(task)
            return outcome_graph(outcome), outcome.checked
        with self._lock:  # one pySHACL run at a time in this process
            _, report, checked = run_task(task, self._engine if task.shapes_nt is None else None)
        return report, checked

    def validate(
        self,
        data: Graph,
        *,
        shapes: Graph | None = None,
        context: Graph | None = None,
        undefined_terms: Sequence[UndefinedTerm] = (),
        lane: Lane = Lane.PUBLIC,
    ) -> Report:
        """Validate ``data`` (with ``context`` from the store) against the server's shapes
        or against ``shapes``.

        Results about nodes that only the context describes are left out: they belong to the
        stored graph, not to the submission.

        Args:
            undefined_terms: JSON-LD keys the parse dropped (reported as violations).
            lane: whose capacity the validation runs on.

        Raises:
            QueryTimeoutError: the time limit ran out. BusyError: every worker is busy.
            InputError: uploaded shapes that cannot be used; a pattern too costly to match.
        """
        task = Task(
            data_nt=ntriples(list(data)),
            context_nt=ntriples(list(context)) if context is not None else b"",
            shapes_nt=serialize_graph(shapes, RdfFormat.NTRIPLES) if shapes is not None else None,
        )
        report_graph, checked = self._run(task, lane)
        self._add_own_results(report_graph, data, checked, undefined_terms, model=shapes is None)
        return build_report(
            report_graph,
            checked=checked,
            data=data,
            context=context,
            shapes=shapes if shapes is not None else self.shapes,
            vocabulary=self.vocabulary,
            uris=self.uris,
        )

    def _add_own_results(
        self,
        report: Graph,
        data: Graph,
        checked: int,
        undefined_terms: Sequence[UndefinedTerm],
        *,
        model: bool,
        triples: list[Triple] | None = None,
    ) -> None:
        """The checks SHACL cannot make: terms of the vocabulary, something checked at all,
        JSON-LD keys that expanded to nothing."""
        if self._terms is not None and model:
            problems = find_term_problems(triples if triples is not None else data, self._terms)
            add_term_results(report, problems, self._terms, self._iris)
            if checked == 0:
                add_nothing_checked(report, data, self._targeted, self._terms, self._iris)
        if undefined_terms and self._terms is not None:
            add_undefined_jsonld_terms(report, undefined_terms, self._terms, self._iris)

    def validate_batch(
        self,
        data: Graph,
        *,
        context: Graph | None = None,
        chunk_size: int = 250,
    ) -> Report:
        """Validate a large graph against the server's shapes in chunks, spread over the
        batch lane's workers: each subject is validated once, seeing the data reachable from
        it and the minimal ``context`` of what it references, as if submitted on its own.

        The report is the same as one pySHACL run's over the whole graph for shapes that only
        look at what is reachable from their focus node (all of ours but the hierarchy rules
        on concepts, which are about the base knowledge, not submitted data). Meant for the
        CLI and bulk checks.

        Raises:
            QueryTimeoutError: a chunk ran past the time limit.
        """
        triples = list(data)  # one pass over the rdflib store, reused below
        chunks = partition(triples, context or Graph(), chunk_size)
        tasks = (Task(ntriples(d), ntriples(c)) for d, c in chunks)
        pool = self._pools.get(Lane.BATCH)
        if pool is not None:
            outcomes = pool.run_many(tasks)
        else:
            with self._lock:
                outcomes = []
                for task in tasks:
                    conforms, report, checked = run_task(task, self._engine)
                    outcomes.append(
                        WorkerOutcome(
                            conforms, serialize_graph(report, RdfFormat.NTRIPLES), checked
                        )
                    )
        graphs = [graph_from_ntriples(o.report_nt) for o in outcomes]
        checked = sum(o.checked for o in outcomes)
        report_graph = merge_reports(graphs)
        self._add_own_results(report_graph, data, checked, (), model=True, triples=triples)
        return build_report(
            report_graph,
            checked=checked,
            data=data,
            context=context,
            shapes=self.shapes,
            vocabulary=self.vocabulary,
            uris=self.uris,
            data_subjects={t[0] for t in triples},
        )


def make_validator(
    shapes_dir: Path,
    ontology_dir: Path,
    uris: Uris,
    *,
    workers: int,
    timeout_s: float,
    steward_workers: int = 1,
) -> Validator:
    """The validator for the server's shapes (``shapes/*.ttl``) and ontology."""
    shapes = load_graphs(sorted(shapes_dir.rglob("*.ttl")), uris.base)
    vocabulary = load_graphs(sorted(ontology_dir.rglob("*.ttl")), uris.base)
    return Validator(
        shapes,
        vocabulary,
        uris,
        workers=workers,
        timeout_s=timeout_s,
        steward_workers=steward_workers,
        check_vocabulary=True,
    )
