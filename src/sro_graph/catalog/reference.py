"""The catalogue's reference data, read from ``reference.ttl`` beside this module.

Official concepts, licences and standards with their labels (copied from the code lists), the
Dutch texts of the catalogue and of our own datasets and data services, and the actor type →
ADMS publisher type mapping. Parsed once per base URI; nothing here reads the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

from rdflib import Graph, Literal, URIRef

from sro_graph.catalog.model import Triple
from sro_graph.formats import RdfFormat
from sro_graph.rdfio import parse_rdf
from sro_graph.vocab import DCAT, DCTERMS, RDF, SKOS, SPDX

__all__ = [
    "ACCESS_NON_PUBLIC",
    "ACCESS_PUBLIC",
    "ACCESS_RIGHTS",
    "CC0",
    "DCAT_AP_VL",
    "DECLARED_TEMPLATE",
    "FILE_TYPE",
    "MODEL_LICENCE",
    "PUBLISHER_TYPE",
    "SCHEME_TEMPLATE",
    "THEME",
    "VLOPENDATA",
    "VLOPENDATASERVICE",
    "Reference",
    "Texts",
    "reference",
]

ACCESS_RIGHTS = "http://publications.europa.eu/resource/authority/access-right/"
ACCESS_PUBLIC = URIRef(ACCESS_RIGHTS + "PUBLIC")
ACCESS_NON_PUBLIC = URIRef(ACCESS_RIGHTS + "NON_PUBLIC")
CC0 = URIRef("https://data.vlaanderen.be/id/licentie/creative-commons-zero-verklaring/v1.0")
MODEL_LICENCE = URIRef(
    "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0"
)
THEME = "http://vocab.belgif.be/auth/datatheme/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"
VLOPENDATA = URIRef("https://metadata.vlaanderen.be/id/GDI-Vlaanderen-Trefwoorden/VLOPENDATA")
VLOPENDATASERVICE = URIRef(
    "https://metadata.vlaanderen.be/id/GDI-Vlaanderen-Trefwoorden/VLOPENDATASERVICE"
)
DCAT_AP_VL = URIRef("https://data.vlaanderen.be/doc/applicatieprofiel/DCAT-AP-VL")
SCHEME_TEMPLATE = URIRef("urn:sro-graph:catalogus:sjabloon:begrippenkader")
DECLARED_TEMPLATE = URIRef("urn:sro-graph:catalogus:sjabloon:gedeclareerd")

_TEXT_PREDICATES = (DCTERMS.title, DCTERMS.description, DCAT.keyword, DCAT.theme)


@dataclass(frozen=True)
class Texts:
    """What the reference data says of one of our resources (or of a template)."""

    titles: tuple[Literal, ...]
    descriptions: tuple[Literal, ...]
    keywords: tuple[Literal, ...]
    themes: tuple[URIRef, ...]
    other: tuple[tuple[URIRef, URIRef | Literal], ...]

    def title(self, **fill: str) -> Literal:
        """The Dutch title, with ``{name}`` placeholders filled in."""
        return _fill(_dutch(self.titles), fill)

    def description(self, **fill: str) -> Literal:
        return _fill(_dutch(self.descriptions), fill)


class Reference:
    """The reference data for one deployment base."""

    def __init__(self, graph: Graph) -> None:
        self._graph = graph
        self._described: dict[URIRef, tuple[Triple, ...]] = {}
        self._texts: dict[URIRef, Texts] = {}  # the graph never changes: read each once
        for cls in (
            SKOS.Concept,
            DCTERMS.LicenseDocument,
            DCTERMS.Standard,
            DCTERMS.LinguisticSystem,
            SPDX.ChecksumAlgorithm,
        ):
            for subject in graph.subjects(RDF.type, cls):
                if isinstance(subject, URIRef):
                    self._described[subject] = tuple(
                        sorted(
                            ((subject, p, o) for p, o in graph.predicate_objects(subject)),
                            key=lambda t: (t[1] != RDF.type, t[1], t[2]),
                        )
                    )
        self.publisher_types: dict[URIRef, URIRef] = {
            URIRef(s): URIRef(o)
            for s, o in graph.subject_objects(SKOS.closeMatch)
            if isinstance(s, URIRef) and isinstance(o, URIRef)
        }

    def knows(self, iri: URIRef) -> bool:
        """Whether ``iri`` is an official concept, licence or standard of the reference."""
        return iri in self._described

    def describe(self, iri: URIRef) -> tuple[Triple, ...]:
        """The statements that make ``iri`` self-contained in the feed (type, labels, scheme).

        Raises:
            KeyError: ``iri`` is not in the reference data (a programming error).
        """
        return self._described[iri]

    def concepts(self) -> dict[URIRef, tuple[URIRef, dict[str, str]]]:
        """Every official concept: its scheme and its labels by language."""
        out: dict[URIRef, tuple[URIRef, dict[str, str]]] = {}
        for concept in self._graph.subjects(RDF.type, SKOS.Concept):
            scheme = self._graph.value(concept, SKOS.inScheme)
            if isinstance(concept, URIRef) and isinstance(scheme, URIRef):
                labels = {
                    str(label.language): str(label)
                    for label in self._graph.objects(concept, SKOS.prefLabel)
                    if isinstance(label, Literal)
                }
                out[concept] = (scheme, labels)
        return out

    def texts(self, iri: URIRef) -> Texts:
        """The titles, descriptions, keywords, themes and other statements of ``iri``."""
        known = self._texts.get(iri)
        if known is None:
            known = self._texts[iri] = self._read_texts(iri)
        return known

    def _read_texts(self, iri: URIRef) -> Texts:
        g = self._graph
        other = tuple(
            sorted(
                (p, o)
                for p, o in g.predicate_objects(iri)
                if p not in _TEXT_PREDICATES
                and p != RDF.type
                and isinstance(p, URIRef)
                and isinstance(o, URIRef | Literal)
            )
        )
        return Texts(
            titles=_literals(g, iri, DCTERMS.title),
            descriptions=_literals(g, iri, DCTERMS.description),
            keywords=_literals(g, iri, DCAT.keyword),
            themes=tuple(sorted(o for o in g.objects(iri, DCAT.theme) if isinstance(o, URIRef))),
            other=other,
        )


@cache
def reference(base: str) -> Reference:
    """The reference data with its relative IRIs resolved against ``base`` (cached)."""
    data = resources.files(__package__).joinpath("reference.ttl").read_bytes()
    return Reference(parse_rdf(data, RdfFormat.TURTLE, base_iri=base + "/").graph)


def _literals(graph: Graph, subject: URIRef, predicate: URIRef) -> tuple[Literal, ...]:
    return tuple(
        sorted(
            (o for o in graph.objects(subject, predicate) if isinstance(o, Literal)),
            key=lambda lit: (lit.language != "nl", str(lit.language), str(lit)),
        )
    )


def _dutch(values: tuple[Literal, ...]) -> Literal:
    for value in values:
        if value.language == "nl":
            return value
    raise KeyError("reference.ttl gives no Dutch text here")


def _fill(text: Literal, fill: dict[str, str]) -> Literal:
    if not fill:
        return text
    return Literal(str(text).format(**fill).replace("  ", " ").strip(), lang=text.language)
