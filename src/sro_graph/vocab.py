"""Every namespace and term sro-graph uses, and the minting of our own URIs from a base.

Official namespaces are constants. Our own namespace depends on the deployment's base URI
(docs/model.md), so it is built by :class:`Uris` from a base passed in, never from globals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

from rdflib import Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

__all__ = [
    "ADMS",
    "BESLUIT",
    "DCAT",
    "DCTERMS",
    "FOAF",
    "GENERIEK",
    "HYDRA",
    "LOCN",
    "M8G",
    "MDCAT",
    "ORG",
    "ORGANISATIE",
    "OWL",
    "PROV",
    "RDF",
    "RDFS",
    "ROV",
    "SCHEMA",
    "SD",
    "SH",
    "SKOS",
    "SYSTEM_GRAPH",
    "VCARD",
    "XSD",
    "Uris",
    "is_linkable",
    "official_prefixes",
]

ADMS = Namespace("http://www.w3.org/ns/adms#")
BESLUIT = Namespace("http://data.vlaanderen.be/ns/besluit#")
GENERIEK = Namespace("https://data.vlaanderen.be/ns/generiek#")
ORGANISATIE = Namespace("https://data.vlaanderen.be/ns/organisatie#")
MDCAT = Namespace("https://data.vlaanderen.be/ns/metadata-dcat#")
ROV = Namespace("http://www.w3.org/ns/regorg#")
M8G = Namespace("http://data.europa.eu/m8g/")
LOCN = Namespace("http://www.w3.org/ns/locn#")
SCHEMA = Namespace("http://schema.org/")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
CPSV = Namespace("http://purl.org/vocab/cpsv#")

SYSTEM_GRAPH = URIRef("urn:sro-graph:system")
"""Bookkeeping graph (base, version, base-knowledge hashes); independent of the base."""

GEMEENTE_PREFIX = "https://data.vlaanderen.be/id/gemeente/"
REFNIS_PREFIX = "http://vocab.belgif.be/auth/refnis2025/"
GEMEENTE_CLASSIFICATION = URIRef(
    "http://data.vlaanderen.be/id/concept/BestuurseenheidClassificatieCode/5ab0e9b8a3b2ca7c5e000001"
)


LINK_SCHEMES = frozenset({"http", "https", "mailto"})
"""The IRI schemes that may become links on pages and that submissions may use (issue 13.6);
``javascript:``, ``data:``, ``file:`` and every other scheme are refused."""

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")


def iri_scheme(iri: str) -> str | None:
    """The scheme of an absolute IRI, in lower case (``None`` for a relative reference)."""
    found = _SCHEME.match(iri)
    return found.group(1).lower() if found else None


def is_linkable(iri: str) -> bool:
    """True when ``iri`` may be a link in a page: an http, https or mailto IRI."""
    return iri_scheme(iri) in LINK_SCHEMES


def official_prefixes() -> dict[str, str]:
    """Prefixes for serialisation and SPARQL, official namespaces only."""
    return {
        "rdf": str(RDF),
        "rdfs": str(RDFS),
        "owl": str(OWL),
        "xsd": str(XSD),
        "skos": str(SKOS),
        "dct": str(DCTERMS),
        "foaf": str(FOAF),
        "org": str(ORG),
        "prov": str(PROV),
        "dcat": str(DCAT),
        "sh": str(SH),
        "adms": str(ADMS),
        "besluit": str(BESLUIT),
        "generiek": str(GENERIEK),
        "organisatie": str(ORGANISATIE),
        "rov": str(ROV),
        "m8g": str(M8G),
        "locn": str(LOCN),
        "schema": str(SCHEMA),
        "vcard": str(VCARD),
        "mdcat": str(MDCAT),
        "hydra": str(HYDRA),
    }


@dataclass(frozen=True)
class Uris:
    """Our own URIs for one deployment, minted from its base (``https://host``, no slash)."""

    base: str

    @cached_property
    def sr(self) -> Namespace:
        """The project vocabulary, ``{base}/ns/smartregio#``."""
        return Namespace(f"{self.base}/ns/smartregio#")

    @cached_property
    def publishes_dataset(self) -> URIRef:
        """``sr:publiceertDataset``: a submission's revision → a dataset it declares that the
        steward asks to publish in the catalogue (issues 13.10, 15.3)."""
        return self.sr.publiceertDataset

    @cached_property
    def ontology(self) -> URIRef:
        return URIRef(f"{self.base}/ns/smartregio")

    @cached_property
    def shapes(self) -> Namespace:
        return Namespace(f"{self.base}/ns/smartregio/shapes#")

    def prefixes(self) -> dict[str, str]:
        """Official prefixes plus ``sr``."""
        return {**official_prefixes(), "sr": str(self.sr)}

    def thing(self, kind: str, ref: str) -> URIRef:
        return URIRef(f"{self.base}/id/{kind}/{ref}")

    def scheme(self, name: str) -> URIRef:
        return URIRef(f"{self.base}/id/conceptscheme/{name}")

    def concept(self, scheme: str, code: str) -> URIRef:
        return URIRef(f"{self.base}/id/concept/{scheme}/{code}")

    def base_graph(self, stem: str) -> URIRef:
        """The named graph holding one base-knowledge file."""
        return URIRef(f"{self.base}/graph/basis/{stem}")

    def example_graph(self, stem: str) -> URIRef:
        """The named graph holding one file of illustrative example data (``data/voorbeelden/``):
        loaded only on request (``SRO_LOAD_EXAMPLES``), never part of the published catalogue."""
        return URIRef(f"{self.example_graph_prefix}{stem}")

    @cached_property
    def example_graph_prefix(self) -> str:
        """Every example graph's name starts with this (``{base}/graph/voorbeelden/``)."""
        return f"{self.base}/graph/voorbeelden/"

    def submission_graph(self, submission_id: str) -> URIRef:
        return URIRef(f"{self.base}/graph/inzending/{submission_id}")

    def submission(self, submission_id: str) -> URIRef:
        return URIRef(f"{self.base}/id/inzending/{submission_id}")

    @cached_property
    def system_graph(self) -> URIRef:
        """Bookkeeping: the store's base, its version, base-knowledge file hashes.

        Independent of the base, so a store filled for another base is recognised.
        """
        return SYSTEM_GRAPH

    @cached_property
    def change_stream_graph(self) -> URIRef:
        """The change stream's version objects (issue 15.4; ``sro_graph.ldes``)."""
        return URIRef(f"{self.base}/graph/wijzigingen")

    @cached_property
    def provenance_graph(self) -> URIRef:
        """PROV records of submissions (kept after a withdrawal, as history)."""
        return URIRef(f"{self.base}/graph/herkomst")

    def is_ours(self, iri: str) -> bool:
        return iri.startswith(self.base + "/")

    def doc_for(self, iri: str) -> str | None:
        """The ``/doc/`` URL describing an ``/id/`` URI of ours, or None."""
        prefix = f"{self.base}/id/"
        if iri.startswith(prefix):
            return f"{self.base}/doc/{iri.removeprefix(prefix)}"
        return None

    def id_for(self, doc_url: str) -> str | None:
        prefix = f"{self.base}/doc/"
        if doc_url.startswith(prefix):
            return f"{self.base}/id/{doc_url.removeprefix(prefix)}"
        return None
