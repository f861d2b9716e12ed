"""Core or related: which of the four elements each initiative of the data lacks.

Read off the results of the element shapes (``shapes/kernelementen.ttl``, one ``sh:Info`` per
missing element); a shape names its element by ``rdfs:seeAlso`` to the ``kernelement``
concept, so the rule itself stays declarative, in SHACL.
"""

from __future__ import annotations

from rdflib import Graph, URIRef

from sro_graph.validation.labels import Labels
from sro_graph.validation.report import InitiativeStatus, MissingElement, Result
from sro_graph.vocab import RDF, RDFS, Uris


def initiative_statuses(
    data: Graph,
    results: list[Result],
    shapes: Graph,
    labels: Labels,
    uris: Uris,
) -> list[InitiativeStatus]:
    """The status of every initiative described in ``data``."""
    element_prefix = str(uris.concept("kernelement", ""))
    elements: dict[str, URIRef] = {}
    for shape, concept in shapes.subject_objects(RDFS.seeAlso):
        if str(concept).startswith(element_prefix) and isinstance(concept, URIRef):
            elements[str(shape)] = concept
    if not elements:
        return []
    by_focus: dict[str, list[Result]] = {}
    for r in results:
        if r.shape in elements:
            by_focus.setdefault(r.focus, []).append(r)
    statuses: list[InitiativeStatus] = []
    for initiative in sorted(set(data.subjects(RDF.type, uris.sr.SmartCityInitiatief)), key=str):
        missing: dict[str, MissingElement] = {}
        for r in by_focus.get(str(initiative), ()):
            if r.shape in elements:
                concept = elements[r.shape]
                code = str(concept).removeprefix(element_prefix)
                label = labels.of(concept) or {"nl": code, "en": code}
                missing[code] = MissingElement(element=str(concept), code=code, label=label)
        statuses.append(
            InitiativeStatus(
                iri=str(initiative),
                label=labels.of(initiative),
                missing=tuple(missing[c] for c in sorted(missing)),
            )
        )
    return statuses
