"""Writing DCAT-AP Vlaanderen statements: resources, records, distributions, shared resources.

:class:`Support` holds the resources several entries share (publishers, contact points,
official concepts, licences, standards), each described once per build; :class:`Writer`
collects one entry's own statements and the shared resources it names.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from rdflib import Literal, URIRef
from rdflib.term import Node

from sro_graph.catalog.model import Triple
from sro_graph.catalog.reference import (
    ACCESS_PUBLIC,
    DCAT_AP_VL,
    PUBLISHER_TYPE,
    VLOPENDATA,
    VLOPENDATASERVICE,
    Reference,
    Texts,
)
from sro_graph.vocab import DCAT, DCTERMS, FOAF, MDCAT, ORG, RDF, SPDX, VCARD, XSD, Uris

__all__ = ["AgentInfo", "Support", "Writer", "dt", "nl", "record_uuid"]

AgentInfo = Mapping[str, Sequence[Node]]
"""What the store says of an organisation, by key (name, classification, email, ...)."""

OVO_PREFIX = "https://data.vlaanderen.be/id/organisatie/OVO"


def record_uuid(iri: str) -> str:
    """The catalogue record identifier of a resource: stable across restarts and stores."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, iri))


@lru_cache(maxsize=4096)
def dt(value: datetime) -> Literal:
    """An ``xsd:dateTime`` literal in UTC (cached: many resources share a change time)."""
    return Literal(value.astimezone(UTC).isoformat(), datatype=XSD.dateTime)


@lru_cache(maxsize=4096)
def nl(text: str) -> Literal:
    return Literal(text, lang="nl")


def pick(values: Sequence[Node]) -> Literal | None:
    """The Dutch literal if there is one, else the first (sorted, for stability)."""
    lits = sorted((v for v in values if isinstance(v, Literal)), key=str)
    for lit in lits:
        if lit.language == "nl":
            return lit
    return lits[0] if lits else None


def one_per_language(values: Sequence[Node]) -> list[Literal]:
    """At most one literal per language tag (the first in sorted order)."""
    by_lang: dict[str | None, Literal] = {}
    for value in sorted((v for v in values if isinstance(v, Literal)), key=str):
        by_lang.setdefault(value.language, value)
    return [by_lang[k] for k in sorted(by_lang, key=lambda k: (k != "nl", str(k)))]


class Support:
    """The shared resources of one build, described once each."""

    def __init__(self, uris: Uris, reference: Reference, agents: Mapping[str, AgentInfo]) -> None:
        self.uris = uris
        self.reference = reference
        self.agents = agents
        self.described: dict[URIRef, tuple[Triple, ...]] = {}
        # Shared resources that a shared resource names (a publisher's ADMS type).
        self.needs: dict[URIRef, frozenset[URIRef]] = {}
        self._publisher_iri: dict[URIRef, URIRef] = {}

    def official(self, iri: URIRef) -> URIRef:
        """An official concept, licence or standard from the reference data."""
        if iri not in self.described:
            self.described[iri] = self.reference.describe(iri)
        return iri

    def publisher(self, agent: URIRef) -> URIRef:
        """``agent`` described as a publisher; the IRI used (its OVO IRI when it has one)."""
        known = self._publisher_iri.get(agent)
        if known is not None:
            return known
        info = self.agents.get(str(agent), {})
        official = sorted(str(s) for s in info.get("sameAs", ()) if str(s).startswith(OVO_PREFIX))
        iri = URIRef(official[0]) if official else agent
        self._publisher_iri[agent] = iri
        if iri in self.described:
            return iri
        names = [n for n in info.get("name", ()) if isinstance(n, Literal) and n.language]
        if not names:
            names = [nl(agent.rsplit("/", 1)[-1].replace("-", " "))]
        ptype = self.official(self._publisher_type(info))
        triples: list[Triple] = [
            (iri, RDF.type, FOAF.Agent),
            (iri, RDF.type, DCTERMS.Agent),
            (iri, RDF.type, ORG.Organization),
            *((iri, FOAF.name, name) for name in one_per_language(names)),
            (iri, DCTERMS.type, ptype),
        ]
        self.described[iri] = tuple(triples)
        self.needs[iri] = frozenset({ptype})
        return iri

    def _publisher_type(self, info: AgentInfo) -> URIRef:
        for c in info.get("classification", ()):
            concept = URIRef(str(c))
            if str(c).startswith(PUBLISHER_TYPE) and self.reference.knows(concept):
                return concept
        # A flag: boolean true, or 1 where the store (Virtuoso) answers booleans as integers.
        if any(str(b).lower() in ("true", "1") for b in info.get("bestuur", ())):
            return URIRef(PUBLISHER_TYPE + "LocalAuthority")
        for a in info.get("actortype", ()):
            mapped = self.reference.publisher_types.get(URIRef(str(a)))
            if mapped is not None:
                return mapped
        return URIRef(PUBLISHER_TYPE + "RegionalAuthority")

    def typed(self, iri: URIRef, cls: URIRef) -> URIRef:
        """``iri`` typed ``cls``, as the DCAT-AP 3.0.1 ranges ask (a media type, a document,
        an endpoint)."""
        triple = (iri, RDF.type, cls)
        known = self.described.get(iri, ())
        if triple not in known:
            self.described[iri] = (*known, triple)
        return iri

    def contact(self, agent: URIRef, email: str | None = None) -> URIRef:
        """A ``vcard:Organization`` contact point of ``agent``: e-mail (``mailto:``) and/or a
        URL, never an invented one."""
        iri = self.uris.thing("contactpunt", record_uuid(str(agent) + (email or "")))
        if iri in self.described:
            return iri
        info = self.agents.get(str(agent), {})
        slug = agent.rsplit("/", 1)[-1]
        triples: list[Triple] = [
            (iri, RDF.type, VCARD.Organization),
            (iri, RDF.type, VCARD.Kind),
            (iri, VCARD.fn, pick(list(info.get("name", ()))) or nl(slug)),
        ]
        emails = [email] if email else sorted(str(e) for e in info.get("email", ()))
        if emails:
            triples.append(
                (iri, VCARD.hasEmail, URIRef("mailto:" + emails[0].removeprefix("mailto:")))
            )
        homepages = sorted(str(h) for h in info.get("homepage", ()) if str(h).startswith("http"))
        url = homepages[0] if homepages else (self.uris.doc_for(str(agent)) or str(agent))
        triples.append((iri, VCARD.hasURL, URIRef(url)))
        self.described[iri] = tuple(triples)
        return iri


@dataclass
class Writer:
    """One entry's statements, and the shared resources they name."""

    support: Support
    triples: list[Triple] = field(default_factory=list)
    refs: set[URIRef] = field(default_factory=set)

    def add(self, s: Node, p: Node, o: Node) -> None:
        self.triples.append((s, p, o))

    def ref(self, iri: URIRef) -> URIRef:
        self.refs.add(iri)
        self.refs |= self.support.needs.get(iri, frozenset())
        return iri

    def official(self, s: URIRef, p: URIRef, iri: URIRef) -> None:
        self.add(s, p, self.ref(self.support.official(iri)))

    def own_resource(
        self,
        catalog: URIRef,
        iri: URIRef,
        cls: URIRef,
        texts: Texts,
        *,
        publisher: URIRef,
        modified: datetime,
    ) -> None:
        """One of our own public datasets or services, described by its reference texts."""
        self.resource(
            catalog,
            iri,
            cls,
            titles=texts.titles,
            descriptions=texts.descriptions,
            keywords=texts.keywords,
            themes=texts.themes,
            publisher=publisher,
            access=ACCESS_PUBLIC,
            modified=modified,
        )

    def resource(
        self,
        catalog: URIRef,
        iri: URIRef,
        cls: URIRef,
        *,
        titles: Sequence[Literal],
        descriptions: Sequence[Literal],
        keywords: Sequence[Literal],
        themes: Sequence[URIRef],
        publisher: URIRef,
        access: URIRef,
        modified: datetime,
        email: str | None = None,
    ) -> None:
        """A dataset or data service with its catalogue record (DCAT-AP VL mandatory set)."""
        self.add(iri, RDF.type, cls)
        self.add(iri, RDF.type, DCAT.Resource)
        self.add(iri, DCTERMS.identifier, Literal(str(iri)))
        for title in titles:
            self.add(iri, DCTERMS.title, title)
        for description in descriptions:
            self.add(iri, DCTERMS.description, description)
        for keyword in dict.fromkeys(keywords):
            self.add(iri, DCAT.keyword, keyword)
        for theme in dict.fromkeys(themes):
            self.official(iri, DCAT.theme, theme)
        self.add(iri, DCTERMS.publisher, self.ref(self.support.publisher(publisher)))
        self.add(iri, DCAT.contactPoint, self.ref(self.support.contact(publisher, email)))
        self.official(iri, DCTERMS.accessRights, access)
        self.add(iri, DCTERMS.modified, dt(modified))
        if access == ACCESS_PUBLIC:
            marker = VLOPENDATA if cls == DCAT.Dataset else VLOPENDATASERVICE
            self.official(iri, MDCAT.statuut, marker)
        uid = record_uuid(str(iri))
        record = self.support.uris.thing("catalogusrecord", uid)
        self.add(catalog, DCAT.record, record)
        self.add(record, RDF.type, DCAT.CatalogRecord)
        self.add(record, DCTERMS.identifier, Literal(uid))
        self.add(record, DCTERMS.modified, dt(modified))
        self.add(record, FOAF.primaryTopic, iri)
        self.official(record, DCTERMS.conformsTo, DCAT_AP_VL)

    def distribution(
        self,
        dataset: URIRef,
        iri: URIRef,
        *,
        url: URIRef,
        title: Literal,
        description: Literal,
        media_type: URIRef,
        compress: URIRef | None,
        file_type: URIRef,
        licence: URIRef,
        modified: datetime,
        body: bytes,
    ) -> None:
        """A full-dump distribution with its size and SHA-256 checksum."""
        self.add(dataset, DCAT.distribution, iri)
        self.add(iri, RDF.type, DCAT.Distribution)
        self.add(iri, DCTERMS.identifier, Literal(str(iri)))
        self.add(iri, DCTERMS.title, title)
        self.add(iri, DCTERMS.description, description)
        self.add(iri, DCAT.accessURL, url)
        self.add(iri, DCAT.downloadURL, url)
        self.add(iri, DCAT.mediaType, self.ref(self.support.typed(media_type, DCTERMS.MediaType)))
        if compress is not None:
            self.add(
                iri, DCAT.compressFormat, self.ref(self.support.typed(compress, DCTERMS.MediaType))
            )
        self.official(iri, DCTERMS.format, file_type)
        self.official(iri, DCTERMS.license, licence)
        self.add(iri, DCTERMS.modified, dt(modified))
        self.add(iri, DCAT.byteSize, Literal(len(body), datatype=XSD.nonNegativeInteger))
        checksum = URIRef(f"{iri}/checksum")
        self.add(iri, SPDX.checksum, checksum)
        self.add(checksum, RDF.type, SPDX.Checksum)
        self.official(checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256)
        self.add(
            checksum,
            SPDX.checksumValue,
            Literal(hashlib.sha256(body).hexdigest(), datatype=XSD.hexBinary),
        )

    def typed(self, s: URIRef, p: URIRef, o: URIRef, cls: URIRef) -> None:
        """``s p o`` with ``o`` typed ``cls`` (stated once per feed)."""
        self.add(s, p, self.ref(self.support.typed(o, cls)))

    def done(self) -> tuple[tuple[Triple, ...], frozenset[URIRef]]:
        """The statements (each once, in order) and the shared resources named."""
        return tuple(dict.fromkeys(self.triples)), frozenset(self.refs)
