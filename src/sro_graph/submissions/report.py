"""The gate's report: the SHACL report plus what the gate itself found and decided.

On top of the validation :class:`~sro_graph.validation.Report` it carries the cells of a
spreadsheet that could not become RDF (each a violation, by row and column), the row and
column every SHACL result points at, and for every dataset the data declares whether it will
be published in the catalogue and how to ask for it. ``accepted`` is the gate's decision (no
violations); ``conforms`` stays SHACL's (false on any result) and is false too when cells
were left out, since the data was then not checked whole.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef

from sro_graph.rdfio import RdfFormat, serialize_graph
from sro_graph.validation import Report
from sro_graph.vocab import RDF, RDFS, SH

Text = Mapping[str, str]
CELL_CONSTRAINT = "urn:sro-graph:constraint:spreadsheet-cell"


@dataclass(frozen=True)
class Location:
    """Where in a spreadsheet a value came from (row as numbered in the sheet, 1 = header)."""

    row: int
    column: str | None = None  # the column's header, e.g. "uitdagingen"
    letter: str | None = None  # the column's letter, e.g. "F"

    @property
    def cell(self) -> str | None:
        return f"{self.letter}{self.row}" if self.letter else None

    def to_json(self) -> dict[str, Any]:
        return {"row": self.row, "column": self.column, "cell": self.cell}


@dataclass(frozen=True)
class CellProblem:
    """A cell that could not become RDF: what it held and why (Dutch and English)."""

    location: Location
    value: str
    message: Text
    focus: str | None = None  # the initiative of the row, when its id was readable

    def to_json(self) -> dict[str, Any]:
        return {
            **self.location.to_json(),
            "focus": self.focus,
            "value": self.value,
            "severity": "Violation",
            "constraint": CELL_CONSTRAINT,
            "message": dict(self.message),
        }


@dataclass(frozen=True)
class DatasetNote:
    """A dataset the data declares, and whether it will be published in the catalogue."""

    iri: str
    title: str | None
    published: bool

    def to_json(self) -> dict[str, Any]:
        how = (
            {
                "nl": "Deze dataset wordt in de DCAT-catalogus gepubliceerd.",
                "en": "This dataset will be published in the DCAT catalogue.",
            }
            if self.published
            else {
                "nl": "Deze dataset wordt niet gepubliceerd. Vraag erom met ?publish=<IRI> (of "
                "publish=all) bij POST/PUT /submissions, met 'ja' in de kolom "
                "dataset_publiceren van het sjabloon, of met het vinkje op de inzendpagina.",
                "en": "This dataset will not be published. Ask for it with ?publish=<IRI> (or "
                "publish=all) on POST/PUT /submissions, with 'ja' in the template's "
                "dataset_publiceren column, or with the checkbox on the submission page.",
            }
        )
        return {"iri": self.iri, "title": self.title, "published": self.published, "how": how}


@dataclass(frozen=True)
class SubmissionReport:
    """What a steward sees after an upload is checked (stored or not)."""

    report: Report
    cells: tuple[CellProblem, ...] = ()
    locations: Mapping[int, Location] = field(default_factory=dict)  # by result index
    datasets: tuple[DatasetNote, ...] = ()
    source: str | None = None  # "spreadsheet" or None for RDF

    @property
    def has_violations(self) -> bool:
        return bool(self.cells) or self.report.has_violations

    @property
    def accepted(self) -> bool:
        """The gate's decision: something was checked, no cell and no result is a violation."""
        return not self.cells and self.report.accepted

    @property
    def conforms(self) -> bool:
        return self.report.conforms and not self.cells

    @property
    def counts(self) -> dict[str, int]:
        counts = dict(self.report.counts)
        counts["violation"] = counts.get("violation", 0) + len(self.cells)
        return counts

    def to_json(self) -> dict[str, Any]:
        body = self.report.to_json()
        results: list[dict[str, Any]] = list(body.get("results", []))
        for index, location in self.locations.items():
            if 0 <= index < len(results):
                results[index] = {**results[index], **location.to_json()}
        body["results"] = results
        body["conforms"] = self.conforms
        body["accepted"] = self.accepted
        body["counts"] = self.counts
        if self.source is not None:
            body["source"] = self.source
            body["cells"] = [c.to_json() for c in self.cells]
        body["datasets"] = [d.to_json() for d in self.datasets]
        return body

    def to_csv(self) -> str:
        """One row per problem: the spreadsheet's cells first, then the SHACL results."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(
            [
                "severity",
                "row",
                "column",
                "cell",
                "focus",
                "path",
                "value",
                "message_nl",
                "message_en",
            ]
        )
        for problem in self.cells:
            at = problem.location
            writer.writerow(
                [
                    "Violation",
                    at.row,
                    at.column or "",
                    at.cell or "",
                    problem.focus or "",
                    "",
                    problem.value,
                    problem.message.get("nl", ""),
                    problem.message.get("en", ""),
                ]
            )
        for index, result in enumerate(self.report.results):
            loc = self.locations.get(index)
            writer.writerow(
                [
                    result.severity,
                    loc.row if loc else "",
                    (loc.column or "") if loc else "",
                    (loc.cell or "") if loc else "",
                    result.focus,
                    result.path or "",
                    result.value or "",
                    result.message.get("nl", ""),
                    result.message.get("en", ""),
                ]
            )
        return _neutralise(buffer.getvalue())

    def graph(self) -> Graph:
        """The ``sh:ValidationReport`` graph, the spreadsheet's cells added as results (so
        ``sh:conforms`` is false when a cell was left out)."""
        graph = self.report.graph()
        if not self.cells:
            return graph
        report_node = next(iter(graph.subjects(RDF.type, SH.ValidationReport)), None)
        if report_node is None:
            report_node = BNode()
            graph.add((report_node, RDF.type, SH.ValidationReport))
        graph.set((report_node, SH.conforms, Literal(False)))
        for problem in self.cells:
            node = BNode()
            graph.add((report_node, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.resultSeverity, SH.Violation))
            graph.add((node, SH.sourceConstraintComponent, URIRef(CELL_CONSTRAINT)))
            if problem.focus:
                graph.add((node, SH.focusNode, URIRef(problem.focus)))
            graph.add((node, SH.value, Literal(problem.value)))
            graph.add((node, RDFS.comment, Literal(f"cell {problem.location.cell}")))
            for lang, text in problem.message.items():
                graph.add((node, SH.resultMessage, Literal(text, lang=lang)))
        return graph

    def serialize(self, fmt: RdfFormat) -> bytes:
        prefixes = {"sh": str(SH), "rdf": str(RDF), "rdfs": str(RDFS)}
        return serialize_graph(self.graph(), fmt, prefixes=prefixes)


def _neutralise(text: str) -> str:
    """Spreadsheet programs run cells that start with = + - @ (CSV injection): prefix ``'``."""
    out = io.StringIO()
    reader = csv.reader(io.StringIO(text, newline=""))
    writer = csv.writer(out, lineterminator="\r\n")
    for row in reader:
        writer.writerow(["'" + c if c[:1] in ("=", "+", "-", "@", "\t", "\r") else c for c in row])
    return out.getvalue()


def plain(report: Report, datasets: Sequence[DatasetNote] = ()) -> SubmissionReport:
    """The gate's report for RDF input (no spreadsheet cells)."""
    return SubmissionReport(report=report, datasets=tuple(datasets))
