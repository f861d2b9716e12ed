"""The report values of one validation, and their JSON and CSV forms.

A :class:`Report` is frozen and self-contained: the results with labels and messages in Dutch
and English, the initiatives' core/related status, and the ``sh:ValidationReport`` graph as
N-Triples (for Turtle, JSON-LD and N-Triples answers).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from rdflib import Graph

from sro_graph.rdfio import RdfFormat, graph_from_ntriples, serialize_graph
from sro_graph.vocab import RDF, RDFS, SH

SEVERITIES = ("Violation", "Warning", "Info")

Text = Mapping[str, str]
"""A text in Dutch and English: ``{"nl": ..., "en": ...}``."""


@dataclass(frozen=True)
class Detail:
    """A cause of a result (its ``sh:detail``): what failed inside a nested shape."""

    path: str | None
    value: str | None
    constraint: str
    message: Text

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "value": self.value,
            "constraint": self.constraint,
            "message": dict(self.message),
        }


@dataclass(frozen=True)
class Result:
    """One SHACL result, with labels and a message in nl and en.

    ``details`` are its causes, ``hint`` what would be right, ``help`` links to the
    documentation of its term, ``also`` the other components that failed on the same value
    for the same cause (reported once, here).
    """

    focus: str
    focus_label: Text | None
    path: str | None
    path_label: Text | None
    value: str | None
    severity: str
    constraint: str
    message: Text
    shape: str | None
    details: tuple[Detail, ...] = ()
    hint: Text | None = None
    help: tuple[str, ...] = ()
    also: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {
            "focus": self.focus,
            "focusLabel": _plain(self.focus_label),
            "path": self.path,
            "pathLabel": _plain(self.path_label),
            "value": self.value,
            "severity": self.severity,
            "constraint": self.constraint,
            "message": dict(self.message),
            "shape": self.shape,
            "details": [d.to_json() for d in self.details],
            "hint": _plain(self.hint),
            "help": list(self.help),
            "alsoViolates": list(self.also),
        }


@dataclass(frozen=True)
class MissingElement:
    """One of the four elements an initiative lacks."""

    element: str
    code: str
    label: Text

    def to_json(self) -> dict[str, Any]:
        return {"element": self.element, "code": self.code, "label": dict(self.label)}


@dataclass(frozen=True)
class InitiativeStatus:
    """Whether an initiative is core (all four elements) or related, and what it lacks."""

    iri: str
    label: Text | None
    missing: tuple[MissingElement, ...]

    @property
    def category(self) -> str:
        return "related" if self.missing else "core"

    def to_json(self) -> dict[str, Any]:
        return {
            "iri": self.iri,
            "label": _plain(self.label),
            "category": self.category,
            "missing": [m.to_json() for m in self.missing],
        }


@dataclass(frozen=True)
class Report:
    """The outcome of one validation. ``graph_nt`` is the ``sh:ValidationReport`` graph.

    ``conforms`` is SHACL's: false on any result, warnings and infos included. ``checked``
    counts the focus nodes that were validated; :attr:`accepted` is the gate's decision.
    """

    conforms: bool
    checked: int
    results: tuple[Result, ...]
    initiatives: tuple[InitiativeStatus, ...]
    graph_nt: bytes = field(repr=False)

    @property
    def counts(self) -> dict[str, int]:
        counts = {s.lower(): 0 for s in SEVERITIES}
        for r in self.results:
            key = r.severity.lower()
            counts[key] = counts.get(key, 0) + 1
        return counts

    @property
    def has_violations(self) -> bool:
        return any(r.severity == "Violation" for r in self.results)

    @property
    def accepted(self) -> bool:
        """The gate's decision: something was validated and nothing violates (warnings and
        infos are accepted and flagged). Never true for data in which nothing was checked."""
        return self.checked > 0 and not self.has_violations

    def graph(self) -> Graph:
        return graph_from_ntriples(self.graph_nt)

    def serialize(self, fmt: RdfFormat) -> bytes:
        """The report graph in an RDF format."""
        prefixes = {"sh": str(SH), "rdf": str(RDF), "rdfs": str(RDFS)}
        return serialize_graph(self.graph(), fmt, prefixes=prefixes)

    def to_json(self) -> dict[str, Any]:
        return {
            "conforms": self.conforms,
            "accepted": self.accepted,
            "checked": self.checked,
            "counts": self.counts,
            "results": [r.to_json() for r in self.results],
            "initiatives": [i.to_json() for i in self.initiatives],
        }

    def to_csv(self) -> str:
        """One row per result, for spreadsheets; no cell can start a formula."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(
            [
                "severity",
                "focus",
                "focus_label",
                "path",
                "path_label",
                "value",
                "constraint",
                "message_nl",
                "message_en",
                "detail_nl",
                "detail_en",
                "hint_nl",
                "hint_en",
                "help",
                "shape",
            ]
        )
        for r in self.results:
            row = [
                r.severity,
                r.focus,
                _pick(r.focus_label),
                r.path or "",
                _pick(r.path_label),
                r.value or "",
                r.constraint,
                r.message.get("nl", ""),
                r.message.get("en", ""),
                " | ".join(d.message.get("nl", "") for d in r.details),
                " | ".join(d.message.get("en", "") for d in r.details),
                (r.hint or {}).get("nl", ""),
                (r.hint or {}).get("en", ""),
                " ".join(r.help),
                r.shape or "",
            ]
            writer.writerow([safe_cell(cell) for cell in row])
        return buffer.getvalue()


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(text: str) -> str:
    """A CSV cell that no spreadsheet reads as a formula (OWASP CSV injection): a cell
    starting with ``= + - @``, tab or CR gets a leading apostrophe."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _plain(text: Text | None) -> dict[str, str] | None:
    return dict(text) if text else None


def _pick(text: Text | None) -> str:
    if not text:
        return ""
    return text.get("nl") or text.get("en") or ""
