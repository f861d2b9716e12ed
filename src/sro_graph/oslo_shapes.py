"""The official OSLO Organisatie-basis shapes, with the defects of the published file corrected.

``../shared/reference/oslo/organisatie-SHACL.ttl`` is the generated SHACL of the OSLO
application profile "Organisatie basis" (ontwerpstandaard 2025). As published it cannot check
our base knowledge as the profile means it; each correction below is one named function that
says what is wrong and why the fix keeps the constraint's intent. Nothing is loosened: a
correction repairs a constraint that could not run, or states it the way the profile says it.
The corrected copy ships in ``conformance/`` (``tools/correct_oslo_shapes.py`` writes it, a test
checks it is what this module makes of the official file) and the base knowledge is validated
against it (``tests/integration/test_oslo_conformance.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from sro_graph.config import PROJECT_ROOT
from sro_graph.vocab import FOAF, RDF, SCHEMA, SH, XSD

__all__ = [
    "CORRECTED_COPY",
    "CORRECTIONS",
    "OFFICIAL_FILE",
    "correct_count_literals",
    "correct_iri_valued_properties",
    "correct_per_language_cardinality",
    "corrected_shapes",
]

OFFICIAL_FILE = PROJECT_ROOT.parent / "shared" / "reference" / "oslo" / "organisatie-SHACL.ttl"
CORRECTED_COPY = PROJECT_ROOT / "conformance" / "oslo-organisatie-basis-2025-SHACL.ttl"

# The profile's own words for language-tagged strings, in the DCAT-AP Vlaanderen 3.0 shapes of
# the same toolchain (vann:usageNote on every rdf:langString property with a cardinality):
# "Omwille van de meertaligheid kunnen er meerdere waarden zijn. De gewenste interpretatie van
# de kardinaliteit is: per taal slechts 1 waarde."
PER_LANGUAGE_NOTE = (
    "Omwille van de meertaligheid kunnen er meerdere waarden zijn. De gewenste interpretatie "
    "van de kardinaliteit is: per taal slechts 1 waarde."
)

# Properties whose values are resources (IRIs), declared with sh:datatype xsd:anyURI.
IRI_VALUED = (FOAF.homepage, FOAF.page, URIRef("https://schema.org/dayOfWeek"), SCHEMA.dayOfWeek)


def correct_count_literals(shapes: Graph) -> Graph:
    """``sh:minCount``/``sh:maxCount`` are written ``"1"``, a string.

    SHACL requires an ``xsd:integer`` (SHACL §4.2); pySHACL refuses the shapes otherwise. The
    digit string becomes the same integer.
    """
    for prop in (SH.minCount, SH.maxCount):
        for node, value in list(shapes.subject_objects(prop)):
            if isinstance(value, Literal) and value.datatype != XSD.integer:
                shapes.remove((node, prop, value))
                shapes.add((node, prop, Literal(int(str(value).strip()))))
    return shapes


def correct_per_language_cardinality(shapes: Graph) -> Graph:
    """``sh:maxCount 1`` on an ``rdf:langString`` property counts all languages together.

    The profile means one value per language (its own usage note, :data:`PER_LANGUAGE_NOTE`):
    an organisation named in Dutch and English has one name per language, not two names. The
    constraint becomes ``sh:uniqueLang true``; a ``sh:minCount`` stays as it is.
    """
    for node in list(shapes.subjects(SH.datatype, RDF.langString)):
        if (node, SH.maxCount, Literal(1)) in shapes:
            shapes.remove((node, SH.maxCount, Literal(1)))
            shapes.add((node, SH.uniqueLang, Literal(True)))
    return shapes


def correct_iri_valued_properties(shapes: Graph) -> Graph:
    """``foaf:homepage``, ``foaf:page`` and ``schema:dayOfWeek`` carry ``sh:datatype xsd:anyURI``.

    Their values are resources (FOAF: a homepage is a ``foaf:Document``; schema.org: a
    ``DayOfWeek``), written as IRIs, which no datatype constraint accepts; a literal typed
    ``xsd:anyURI`` would be the wrong thing to publish. The intent — the value is a URL — is
    ``sh:nodeKind sh:IRI``.
    """
    for prop in IRI_VALUED:
        for node in list(shapes.subjects(SH.path, prop)):
            if (node, SH.datatype, XSD.anyURI) in shapes:
                shapes.remove((node, SH.datatype, XSD.anyURI))
                shapes.add((node, SH.nodeKind, SH.IRI))
    return shapes


CORRECTIONS: tuple[Callable[[Graph], Graph], ...] = (
    correct_count_literals,
    correct_per_language_cardinality,
    correct_iri_valued_properties,
)


def corrected_shapes(official: Path = OFFICIAL_FILE) -> Graph:
    """The official shapes file with every correction applied.

    Raises:
        FileNotFoundError: the official file is absent.
    """
    shapes = Graph().parse(official, format="turtle")
    for correct in CORRECTIONS:
        shapes = correct(shapes)
    return shapes
