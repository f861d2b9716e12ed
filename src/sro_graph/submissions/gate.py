"""What the gate refuses before SHACL sees the data, and what it checks again when writing.

- IRIs of any scheme but ``http``, ``https`` and ``mailto`` (``javascript:``, ``data:``,
  ``file:``…): pages only link those, and nothing else is accepted (issue 13.6);
- statements about our own vocabulary, concept schemes, records and graphs;
- new members of the base concept schemes: ``skos:inScheme``, ``topConceptOf``, ``broader``,
  ``narrower`` (and their transitive forms, ``skos:member``) pointing at a base scheme or
  concept (issue 13.6);
- subjects another graph already describes (base knowledge or another submission);
- withdrawing, or replacing away, subjects that other submissions reference: the dependents
  are listed (issue 13.5), so no stored report claims conformance of data pointing at nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from sro_graph import rq
from sro_graph.errors import ConflictingDataError, DependentsError, UnsafeInputError
from sro_graph.store import Store
from sro_graph.vocab import LINK_SCHEMES, SKOS, Uris, iri_scheme

# Statements that make their subject or object a member of a concept scheme's hierarchy.
MEMBERSHIP = frozenset(
    {
        SKOS.inScheme,
        SKOS.topConceptOf,
        SKOS.broader,
        SKOS.narrower,
        SKOS.broaderTransitive,
        SKOS.narrowerTransitive,
        SKOS.member,
    }
)
_SHOW = 120  # characters of an offending IRI shown in a message


@dataclass(frozen=True)
class Dependent:
    """A statement of another submission that points at a subject of this one."""

    submission: str
    subject: str
    predicate: str
    object: str

    def to_json(self) -> dict[str, Any]:
        return {
            "submission": self.submission,
            "href": f"/submissions/{self.submission}",
            "subject": self.subject,
            "predicate": self.predicate,
            "object": self.object,
        }


def _show(iri: str) -> str:
    return iri if len(iri) <= _SHOW else iri[:_SHOW] + "…"


def iris_of(graph: Graph) -> Iterable[str]:
    """Every IRI in ``graph``: subjects, predicates, objects and literal datatypes."""
    for triple in graph:
        for term in triple:
            if isinstance(term, URIRef):
                yield str(term)
            elif isinstance(term, Literal) and term.datatype is not None:
                yield str(term.datatype)


def refuse_unlinkable_iris(graph: Graph) -> None:
    """Refuse IRIs of any scheme but http, https and mailto.

    Raises:
        UnsafeInputError: naming the first such IRI.
    """
    for iri in iris_of(graph):
        if iri_scheme(iri) not in LINK_SCHEMES:
            raise UnsafeInputError(
                f"The data uses the IRI <{_show(iri)}>: only http, https and mailto IRIs are "
                "accepted (no javascript:, data:, file: or other schemes). Nothing was stored."
            )


class Gate:
    """The refusals of one deployment (its base, its store)."""

    def __init__(self, store: Store, uris: Uris) -> None:
        self.store = store
        self.uris = uris
        own = ("ns/", "id/concept/", "id/conceptscheme/", "id/inzending/", "graph/")
        self.reserved = (*(f"{uris.base}/{p}" for p in own), "urn:sro-graph:")
        self._base_concepts = (f"{uris.base}/id/concept/", f"{uris.base}/id/conceptscheme/")

    def refuse_unsafe(self, graph: Graph) -> None:
        """Everything that needs no store: schemes, reserved subjects, base scheme members.

        Raises:
            UnsafeInputError, ConflictingDataError.
        """
        refuse_unlinkable_iris(graph)
        for subject in sorted({str(s) for s in graph.subjects() if isinstance(s, URIRef)}):
            if subject.startswith(self.reserved):
                raise ConflictingDataError(
                    f"The submission makes statements about <{_show(subject)}>, which belongs "
                    "to the base knowledge (vocabulary, concept schemes or records); refused."
                )
        for s, p, o in graph:
            if p in MEMBERSHIP and isinstance(o, URIRef) and self._is_base_concept(o):
                raise ConflictingDataError(
                    f"The submission adds <{_show(str(s))}> to the base concept scheme "
                    f"({_local(p)} <{_show(str(o))}>): the concept schemes of the Smart Region "
                    "Office are not extended by submissions. Use an existing concept instead."
                )

    def _is_base_concept(self, iri: URIRef) -> bool:
        if str(iri).startswith(self._base_concepts):
            return True
        return self.store.ask(
            rq.based("submission-base-concept", self.uris.base), bindings={"iri": iri}
        )

    def refuse_taken_subjects(self, graph: Graph, own_graph: str) -> None:
        """Refuse subjects that another graph (base knowledge, another submission) describes.

        Raises:
            ConflictingDataError.
        """
        query = rq.load("submission-subject-graph")
        own = URIRef(own_graph)
        submissions_prefix = f"{self.uris.base}/graph/inzending/"
        for subject in sorted({s for s in graph.subjects() if isinstance(s, URIRef)}):
            rows = self.store.select(query, bindings={"subject": subject, "own": own})
            if rows:
                other = str(rows[0]["graph"])
                whose = (
                    "another submission"
                    if other.startswith(submissions_prefix)
                    else "the base knowledge"
                )
                raise ConflictingDataError(
                    f"The submission makes statements about <{_show(str(subject))}>, which "
                    f"{whose} already describes; only new subjects may be described. Refused, "
                    "nothing stored."
                )

    def dependents(self, own_graph: str, *, keeping: Graph | None = None) -> list[Dependent]:
        """Statements of other submissions that point at subjects of ``own_graph`` which
        would be gone: all of them (a withdrawal), or those ``keeping`` (the replacement)
        no longer describes."""
        rows = self.store.select(
            rq.based("submission-dependents", self.uris.base),
            bindings={"own": URIRef(own_graph)},
        )
        kept = set(keeping.subjects()) if keeping is not None else set()
        prefix = f"{self.uris.base}/graph/inzending/"
        found = {
            Dependent(
                submission=str(r["graph"]).removeprefix(prefix),
                subject=str(r["subject"]),
                predicate=str(r["predicate"]),
                object=str(r["object"]),
            )
            for r in rows
            if r["object"] not in kept
        }
        return sorted(found, key=lambda d: (d.submission, d.subject, d.predicate, d.object))

    def refuse_dependents(
        self, own_graph: str, action: str, *, keeping: Graph | None = None
    ) -> None:
        """Raises DependentsError when other submissions point at what would be removed."""
        found = self.dependents(own_graph, keeping=keeping)
        if not found:
            return
        others = sorted({d.submission for d in found})
        things = sorted({d.object for d in found})
        raise DependentsError(
            f"Cannot {action}: {len(others)} other submission(s) ({', '.join(others)}) refer "
            f"to {', '.join(f'<{_show(t)}>' for t in things[:5])}"
            f"{' and more' if len(things) > 5 else ''}, which would then point at nothing. "
            "Those submissions must first be replaced or withdrawn by their stewards.",
            dependents=[d.to_json() for d in found],
        )


def _local(term: Node) -> str:
    text = str(term)
    return "skos:" + text.rsplit("#", 1)[-1] if text.startswith(str(SKOS)) else text
