"""The DCAT-AP Vlaanderen 3.0 catalogue of the knowledge graph, as Datavindplaats harvests it.

What it describes (issue 5):

- our datasets: the initiatives, the organisations and bodies, and each concept scheme, each
  with three full-dump distributions (Turtle, N-Triples gzip, JSON-LD) carrying byte size,
  SHA-256 ``spdx:checksum``, an IANA media-type IRI and an EU file-type IRI;
- the SPARQL endpoint and the named-query API as ``dcat:DataService`` (``servesDataset`` all
  our datasets);
- the datasets initiatives declare (``prov:generated`` / ``prov:used`` → ``dcat:Dataset``),
  published by the initiative's lead organisation (trekker, else initiatiefnemer, else the
  first associated actor); those declared only by example initiatives (``sr:isVoorbeeld``)
  are left out, since a portal would show them as real;
- one ``dcat:CatalogRecord`` per dataset and service: ``dct:identifier`` is the uuid5 of the
  resource IRI (stable across restarts and stores), ``dct:modified`` the real last change.

**Last-change times.** A dataset's time is the latest change time of the named graphs that
hold its statements. Base-knowledge graphs carry their load time in the system graph
(``urn:sro-graph:loadedAt``, written by ``knowledge.py`` only when a file's content changed).
Submission graphs take the PROV times (``prov:generatedAtTime``, ``prov:invalidatedAtTime``,
``dct:created``, ``dct:modified``) of the records and revisions in ``uris.provenance_graph``
that point to them with ``prov:atLocation`` (as ``submissions.py`` writes them); a withdrawn
submission (records left, graph gone) counts as a change of the initiatives dataset. The
catalogue never uses "now".

The catalogue graph uses official namespaces only (no ``sr:`` terms, ``http://schema.org/``),
and inlines every referenced concept as a typed ``skos:Concept`` with its labels, because the
harvester keeps only what it finds in the feed.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from sro_graph import rq
from sro_graph.formats import IANA_MEDIA_TYPES, MediaType, RdfFormat, content_type
from sro_graph.rdfio import serialize_graph
from sro_graph.store import Store
from sro_graph.vocab import (
    DCAT,
    DCTERMS,
    FOAF,
    HYDRA,
    MDCAT,
    ORG,
    RDF,
    SKOS,
    SPDX,
    VCARD,
    XSD,
    Uris,
    official_prefixes,
)

__all__ = [
    "CATALOG_PREFIXES",
    "DUMP_FORMATS",
    "Catalog",
    "CatalogEntry",
    "CatalogSnapshot",
    "Dump",
    "Page",
    "build_page_graph",
]

# -- official IRIs (code lists in ../shared/reference/oslo) --------------------------------

ACCESS_PUBLIC = URIRef("http://publications.europa.eu/resource/authority/access-right/PUBLIC")
ACCESS_NON_PUBLIC = URIRef(
    "http://publications.europa.eu/resource/authority/access-right/NON_PUBLIC"
)
ACCESS_SCHEME = URIRef("http://publications.europa.eu/resource/authority/access-right")
CC0 = URIRef("https://data.vlaanderen.be/id/licentie/creative-commons-zero-verklaring/v1.0")
MODEL_LICENCE = URIRef(
    "https://data.vlaanderen.be/id/licentie/modellicentie-gratis-hergebruik/v1.0"
)
THEME_SCHEME = URIRef("http://vocab.belgif.be/auth/datatheme")
THEME = "http://vocab.belgif.be/auth/datatheme/"
FILE_TYPE_SCHEME = URIRef("http://publications.europa.eu/resource/authority/file-type")
IANA = IANA_MEDIA_TYPES
PUBLISHER_TYPE = "http://purl.org/adms/publishertype/"
PUBLISHER_TYPE_SCHEME = URIRef("http://purl.org/adms/publishertype/1.0")
TREFWOORDEN = URIRef("https://metadata.vlaanderen.be/id/GDI-Vlaanderen-Trefwoorden")
VLOPENDATA = URIRef("https://metadata.vlaanderen.be/id/GDI-Vlaanderen-Trefwoorden/VLOPENDATA")
VLOPENDATASERVICE = URIRef(
    "https://metadata.vlaanderen.be/id/GDI-Vlaanderen-Trefwoorden/VLOPENDATASERVICE"
)
SPARQL_PROTOCOL = URIRef("https://www.w3.org/TR/sparql11-protocol/")
REST_GUIDELINES = URIRef(
    "https://data.vlaanderen.be/id/concept/dataserviceprotocol/REST-richtlijnen-digitaal-vlaanderen"
)
DCAT_AP_VL = URIRef("https://data.vlaanderen.be/doc/applicatieprofiel/DCAT-AP-VL")

# Labels (nl, en) of every official concept the catalogue references, copied from the code
# lists so the feed is self-contained (the harvester keeps only concepts found in the feed).
CONCEPT_LABELS: dict[URIRef, tuple[URIRef, str, str]] = {
    ACCESS_PUBLIC: (ACCESS_SCHEME, "publiek", "public"),
    ACCESS_NON_PUBLIC: (ACCESS_SCHEME, "niet publiek", "non public"),
    URIRef(THEME + "GOVE"): (
        THEME_SCHEME,
        "Overheid en publieke sector",
        "Government and public sector",
    ),
    URIRef(THEME + "TECH"): (THEME_SCHEME, "Wetenschap en technologie", "Science and technology"),
    URIRef(THEME + "REGI"): (THEME_SCHEME, "Regio's en steden", "Regions and cities"),
    URIRef(str(FILE_TYPE_SCHEME) + "/RDF_TURTLE"): (FILE_TYPE_SCHEME, "RDF Turtle", "RDF Turtle"),
    URIRef(str(FILE_TYPE_SCHEME) + "/RDF_N_TRIPLES"): (
        FILE_TYPE_SCHEME,
        "RDF N-Triples",
        "RDF N-Triples",
    ),
    URIRef(str(FILE_TYPE_SCHEME) + "/JSON_LD"): (FILE_TYPE_SCHEME, "JSON-LD", "JSON-LD"),
    VLOPENDATA: (TREFWOORDEN, "Vlaamse Open data", "Vlaamse Open data"),
    VLOPENDATASERVICE: (TREFWOORDEN, "Vlaamse Open data Service", "Vlaamse Open data Service"),
    URIRef(PUBLISHER_TYPE + "RegionalAuthority"): (
        PUBLISHER_TYPE_SCHEME,
        "Regionaal bestuur",
        "Regional authority",
    ),
    URIRef(PUBLISHER_TYPE + "LocalAuthority"): (
        PUBLISHER_TYPE_SCHEME,
        "Lokaal bestuur",
        "Local Authority",
    ),
    URIRef(PUBLISHER_TYPE + "Company"): (PUBLISHER_TYPE_SCHEME, "Bedrijf", "Company"),
    URIRef(PUBLISHER_TYPE + "Academia-ScientificOrganisation"): (
        PUBLISHER_TYPE_SCHEME,
        "Academische/wetenschappelijke organisatie",
        "Academia/Scientific organisation",
    ),
    URIRef(PUBLISHER_TYPE + "NonProfitOrganisation"): (
        PUBLISHER_TYPE_SCHEME,
        "Vereniging zonder winstoogmerk",
        "Non-Profit Organisation",
    ),
    URIRef(PUBLISHER_TYPE + "NationalAuthority"): (
        PUBLISHER_TYPE_SCHEME,
        "Nationaal orgaan",
        "National authority",
    ),
}
LICENCE_TITLES = {
    CC0: "Creative Commons Zero verklaring",
    MODEL_LICENCE: "Modellicentie voor gratis hergebruik",
}
STANDARD_TITLES = {
    SPARQL_PROTOCOL: "SPARQL 1.1 Protocol",
    REST_GUIDELINES: "REST-richtlijnen Digitaal Vlaanderen",
    DCAT_AP_VL: "DCAT-AP Vlaanderen",
}
# Quadruple-helix actor type → ADMS publisher type, when an organisation has no ADMS class.
ACTORTYPE_PUBLISHER = {
    "bedrijf": "Company",
    "kennisinstelling": "Academia-ScientificOrganisation",
    "burger-middenveld": "NonProfitOrganisation",
    "overheid": "RegionalAuthority",
}
LEAD_ROLES = ("trekker", "initiatiefnemer")
SRO_SLUG = "smart-region-office"


@dataclass(frozen=True)
class DumpFormat:
    """One full-dump distribution format."""

    key: str  # URL suffix
    rdf_format: RdfFormat
    media_type: URIRef
    file_type: URIRef
    compress: URIRef | None = None
    content_type: str = ""


DUMP_FORMATS: dict[str, DumpFormat] = {
    "ttl": DumpFormat(
        "ttl",
        RdfFormat.TURTLE,
        URIRef(IANA + RdfFormat.TURTLE),
        URIRef(str(FILE_TYPE_SCHEME) + "/RDF_TURTLE"),
        content_type=content_type(RdfFormat.TURTLE),
    ),
    "nt.gz": DumpFormat(
        "nt.gz",
        RdfFormat.NTRIPLES,
        URIRef(IANA + RdfFormat.NTRIPLES),
        URIRef(str(FILE_TYPE_SCHEME) + "/RDF_N_TRIPLES"),
        compress=URIRef(IANA + MediaType.GZIP),
        content_type=MediaType.GZIP,
    ),
    "jsonld": DumpFormat(
        "jsonld",
        RdfFormat.JSONLD,
        URIRef(IANA + RdfFormat.JSONLD),
        URIRef(str(FILE_TYPE_SCHEME) + "/JSON_LD"),
        content_type=RdfFormat.JSONLD,
    ),
}

# The catalogue's prefixes: official namespaces only (schema is http://schema.org/).
CATALOG_PREFIXES = {
    **{
        k: v
        for k, v in official_prefixes().items()
        if k
        in (
            "rdf",
            "rdfs",
            "xsd",
            "skos",
            "dct",
            "foaf",
            "dcat",
            "adms",
            "vcard",
            "mdcat",
            "hydra",
            "org",
            "schema",
        )
    },
    "spdx": str(SPDX),
}
_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")


@dataclass(frozen=True)
class Dump:
    body: bytes
    content_type: str


@dataclass(frozen=True)
class CatalogEntry:
    """One dataset or data service with its record and everything it references."""

    resource: URIRef
    kind: str  # "dataset" | "service"
    modified: datetime
    graph: Graph


@dataclass(frozen=True)
class CatalogSnapshot:
    """The catalogue at one store version."""

    version: str
    catalog: URIRef
    header: Graph
    entries: tuple[CatalogEntry, ...]
    dumps: dict[tuple[str, str], Dump] = field(repr=False)

    @property
    def modified(self) -> datetime:
        return max((e.modified for e in self.entries), default=datetime(1970, 1, 1, tzinfo=UTC))

    def select(self, modified_since: datetime | None) -> list[CatalogEntry]:
        """The entries changed after ``modified_since`` (all without it)."""
        if modified_since is None:
            return list(self.entries)
        return [e for e in self.entries if e.modified > modified_since]

    def full_graph(self, entries: Iterable[CatalogEntry] | None = None) -> Graph:
        """The catalogue header plus ``entries`` (all by default), linked from the catalogue."""
        graph = Graph()
        for triple in self.header:
            graph.add(triple)
        for entry in self.entries if entries is None else entries:
            link = DCAT.dataset if entry.kind == "dataset" else DCAT.service
            graph.add((self.catalog, link, entry.resource))
            for triple in entry.graph:
                graph.add(triple)
        return graph


@dataclass(frozen=True)
class Page:
    """One page of the catalogue, for Hydra views and Link headers."""

    number: int
    size: int
    total_items: int

    @property
    def last(self) -> int:
        return max(1, -(-self.total_items // self.size))


def build_page_graph(
    snapshot: CatalogSnapshot, entries: list[CatalogEntry], page: Page, page_url: PageUrl
) -> Graph:
    """A page of entries with a Hydra view (new terms and the legacy PagedCollection ones)."""
    start = (page.number - 1) * page.size
    graph = snapshot.full_graph(entries[start : start + page.size])
    view = URIRef(page_url(page.number))
    collection = snapshot.catalog
    graph.add((collection, RDF.type, HYDRA.Collection))
    graph.add((collection, HYDRA.totalItems, Literal(page.total_items)))
    graph.add((collection, HYDRA.view, view))
    graph.add((view, RDF.type, HYDRA.PartialCollectionView))
    graph.add((view, RDF.type, HYDRA.PagedCollection))
    graph.add((view, HYDRA.totalItems, Literal(page.total_items)))
    graph.add((view, HYDRA.itemsPerPage, Literal(page.size)))
    links = {"first": 1, "last": page.last}
    if page.number > 1:
        links["previous"] = page.number - 1
    if page.number < page.last:
        links["next"] = page.number + 1
    legacy = {
        "first": HYDRA.firstPage,
        "last": HYDRA.lastPage,
        "previous": HYDRA.previousPage,
        "next": HYDRA.nextPage,
    }
    for rel, number in links.items():
        target = URIRef(page_url(number))
        graph.add((view, HYDRA[rel], target))
        graph.add((view, legacy[rel], target))
    return graph


class PageUrl:
    """Absolute page URLs from the configured base (right behind a proxy)."""

    def __init__(self, base_url: str, size: int, extra: dict[str, str] | None = None) -> None:
        self.base_url = base_url
        self.size = size
        self.extra = extra or {}

    def __call__(self, number: int) -> str:
        from urllib.parse import urlencode

        params = {**self.extra, "page": str(number), "pageSize": str(self.size)}
        return f"{self.base_url}?{urlencode(params)}"


# -- building -------------------------------------------------------------------------------


def _uuid(iri: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, iri))


def _dt(value: datetime) -> Literal:
    return Literal(value.astimezone(UTC).isoformat(), datatype=XSD.dateTime)


def _parse_time(value: Node) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _nl(text: str) -> Literal:
    return Literal(text, lang="nl")


class Catalog:
    """Builds and caches the catalogue per store version."""

    def __init__(self, store: Store, uris: Uris, *, refresh_s: float = 0.0) -> None:
        self.store = store
        self.uris = uris
        self.refresh_s = refresh_s
        self._lock = threading.Lock()
        self._cached: CatalogSnapshot | None = None
        self._built_at = 0.0
        self._views: dict[tuple[object, ...], CatalogView] = {}
        self._views_version = ""

    # IRIs of the catalogue's own resources
    @property
    def catalog_iri(self) -> URIRef:
        return self.uris.thing("catalogus", "sro-graph")

    def dataset_iri(self, slug: str) -> URIRef:
        return self.uris.thing("dataset", f"kennisgraaf-{slug}")

    def snapshot(self) -> CatalogSnapshot:
        """The catalogue for the store's current version (built once per version).

        Under a stream of writes every version would trigger a rebuild; a snapshot younger
        than ``refresh_s`` is served instead. Its ETag is its own version, so conditional
        requests stay exact; the catalogue is at most ``refresh_s`` behind.
        """
        version = self.store.version()
        with self._lock:
            fresh_enough = time.monotonic() - self._built_at < self.refresh_s
            if self._cached is None or (self._cached.version != version and not fresh_enough):
                self._cached = self._build(version)
                self._built_at = time.monotonic()
            return self._cached

    def view(
        self,
        fmt: RdfFormat,
        *,
        base_url: str,
        page: int | None = None,
        page_size: int | None = None,
        modified_since: datetime | None = None,
    ) -> tuple[CatalogSnapshot, CatalogView]:
        """The snapshot and a serialised view of it; views are cached per store version."""
        snapshot = self.snapshot()
        key = (fmt.value, base_url, page, page_size, modified_since)
        with self._lock:
            if self._views_version != snapshot.version:
                self._views, self._views_version = {}, snapshot.version
            cached = self._views.get(key)
        if cached is None:
            cached = catalog_view(
                snapshot,
                fmt,
                base_url=base_url,
                page=page,
                page_size=page_size,
                modified_since=modified_since,
            )
            with self._lock:
                if len(self._views) >= 64:  # bounded: query strings vary
                    self._views.clear()
                self._views[key] = cached
        return snapshot, cached

    def dump(self, dataset: str, fmt: str) -> Dump | None:
        """A full dump of one of our datasets, or None for an unknown name or format."""
        if fmt not in DUMP_FORMATS or not _SLUG.match(dataset):
            return None
        return self.snapshot().dumps.get((dataset, fmt))

    # -- the build ------------------------------------------------------------------------

    def _build(self, version: str) -> CatalogSnapshot:
        uris = self.uris
        graph_times = self._graph_times()
        members: dict[str, set[str]] = defaultdict(set)
        for row in self.store.select(rq.based("catalog-graph-members", uris.base)):
            key = str(row["kind"])
            if key == "scheme":
                key = "scheme:" + str(row["scheme"])
            members[key].add(str(row["g"]))
        withdrawn = [
            t
            for g, t in graph_times.items()
            if g.startswith(f"{uris.base}/graph/inzending/") and g not in self.store.graph_names()
        ]

        # A dataset with no statements yet dates from the store's first fill (a real time).
        first_fill = min(graph_times.values(), default=datetime(1970, 1, 1, tzinfo=UTC))

        def changed(graphs: Iterable[str], extra: Iterable[datetime] = ()) -> datetime:
            times = [graph_times[g] for g in graphs if g in graph_times] + list(extra)
            return max(times, default=first_fill)

        agents = self._agents()
        sro = uris.thing("organisatie", SRO_SLUG)
        header = self._header(agents, sro)
        entries: list[CatalogEntry] = []
        dumps: dict[tuple[str, str], Dump] = {}
        own: list[URIRef] = []

        # Each dataset's data: a CONSTRUCT serialised by the store (large sets) or a graph.
        sets: list[tuple[str, str, str, str, list[str], datetime, Graph | str]] = []
        sets.append(
            (
                "initiatieven",
                "Smart-city-initiatieven",
                "Smart-city-initiatieven in Vlaanderen en de actoren die eraan werken, zoals de "
                "Smart Region Office ze bijhoudt: doel, uitdagingen, strategische doelstellingen, "
                "gemeenten, partners en gebruikte data.",
                "REGI",
                ["smart city", "initiatieven", "slimme regio"],
                changed(members["initiatieven"], withdrawn),
                "catalog-dump-initiatives",
            )
        )
        sets.append(
            (
                "organisaties",
                "Organisaties en organen",
                "Organisaties (lokale besturen, agentschappen, bedrijven, kennisinstellingen, "
                "middenveld) en de organen van de Smart Region Office.",
                "GOVE",
                ["organisaties", "smart city", "bestuur"],
                changed(members["organisaties"]),
                "catalog-dump-organisations",
            )
        )
        schemes: dict[str, dict[str, list[Literal]]] = defaultdict(lambda: defaultdict(list))
        for row in self.store.select(rq.load("catalog-schemes")):
            entry = schemes[str(row["scheme"])]
            for key in ("title", "definition"):
                value = row.get(key)
                if isinstance(value, Literal) and value not in entry[key]:
                    entry[key].append(value)
        scheme_dumps: dict[str, Graph] = defaultdict(Graph)
        for row in self.store.select(rq.load("catalog-dump-scheme")):
            scheme_dumps[str(row["scheme"])].add((row["s"], row["p"], row["o"]))
        scheme_prefix = f"{uris.base}/id/conceptscheme/"
        for scheme_iri in sorted(schemes):
            if not scheme_iri.startswith(scheme_prefix):
                continue
            name = scheme_iri.removeprefix(scheme_prefix)
            if not _SLUG.match(name):
                continue
            info = schemes[scheme_iri]
            title = _pick(info["title"]) or name
            description = _pick(info["definition"]) or f"Concepten van het begrippenkader {title}."
            dump = scheme_dumps[scheme_iri]
            sets.append(
                (
                    f"begrippenkader-{name}",
                    f"Begrippenkader: {title}",
                    description,
                    "GOVE",
                    [title, "begrippenkader", "smart city"],
                    changed(members["scheme:" + scheme_iri]),
                    dump,
                )
            )

        for slug, title, description, theme, keywords, modified, data in sets:
            iri = self.dataset_iri(slug)
            own.append(iri)
            g = Graph()
            self._describe_resource(
                g,
                iri,
                DCAT.Dataset,
                title,
                description,
                keywords,
                [URIRef(THEME + theme), URIRef(THEME + "TECH")],
                agents,
                sro,
                ACCESS_PUBLIC,
                modified,
            )
            g.add((iri, DCAT.landingPage, URIRef(f"{uris.base}/doc/catalogus/sro-graph")))
            for fmt in DUMP_FORMATS.values():
                body = (
                    self._store_dump(data, fmt)
                    if isinstance(data, str)
                    else _serialize_dump(data, fmt)
                )
                dumps[(slug, fmt.key)] = Dump(body, fmt.content_type)
                self._distribution(g, slug, iri, fmt, body, title, modified)
            entries.append(CatalogEntry(iri, "dataset", modified, g))

        entries.extend(self._declared(agents, sro, graph_times))
        entries.extend(self._services(agents, sro, own, entries))
        entries.sort(key=lambda e: (e.kind != "dataset", str(e.resource)))
        return CatalogSnapshot(
            version=version,
            catalog=self.catalog_iri,
            header=header,
            entries=tuple(entries),
            dumps=dumps,
        )

    def _store_dump(self, query: str, fmt: DumpFormat) -> bytes:
        """A CONSTRUCT serialised by the store: fast, and byte-stable for one store version
        (blank nodes keep the store's own labels)."""
        body = self.store.query_raw(rq.load(query), accept=fmt.rdf_format.value).body
        return gzip.compress(body, mtime=0) if fmt.compress is not None else body

    def _graph_times(self) -> dict[str, datetime]:
        """Last-change time per named graph (see the module docstring)."""
        rows = [
            *self.store.select(
                rq.load("catalog-load-times"), bindings={"system": self.uris.system_graph}
            ),
            *self.store.select(
                rq.load("catalog-provenance-times"),
                bindings={"provenance": self.uris.provenance_graph},
            ),
        ]
        out: dict[str, datetime] = {}
        for row in rows:
            when = _parse_time(row["time"])
            graph = str(row["graph"])
            if when is not None and (graph not in out or when > out[graph]):
                out[graph] = when
        return out

    def _agents(self) -> dict[str, dict[str, list[Node]]]:
        agents: dict[str, dict[str, list[Node]]] = defaultdict(lambda: defaultdict(list))
        rows = self.store.select(rq.based("catalog-agents", self.uris.base))
        for row in rows:
            agents[str(row["agent"])][str(row["key"])].append(row["value"])
        return agents

    def _publisher(
        self, g: Graph, agents: dict[str, dict[str, list[Node]]], agent: URIRef
    ) -> URIRef:
        """Describe ``agent`` as a publisher; returns the IRI used (an official one if known)."""
        info = agents.get(str(agent), {})
        official = sorted(
            str(s)
            for s in info.get("sameAs", [])
            if str(s).startswith("https://data.vlaanderen.be/id/organisatie/OVO")
        )
        iri = URIRef(official[0]) if official else agent
        g.add((iri, RDF.type, FOAF.Agent))
        g.add((iri, RDF.type, DCTERMS.Agent))
        g.add((iri, RDF.type, ORG.Organization))
        names = [n for n in info.get("name", []) if isinstance(n, Literal) and n.language]
        if not names:
            names = [_nl(agent.rsplit("/", 1)[-1].replace("-", " "))]
        for name in _one_per_language(names):
            g.add((iri, FOAF.name, name))
        ptype = self._publisher_type(info)
        g.add((iri, DCTERMS.type, ptype))
        self._concept(g, ptype)
        return iri

    def _publisher_type(self, info: dict[str, list[Node]]) -> URIRef:
        for c in info.get("classification", []):
            if URIRef(str(c)) in CONCEPT_LABELS and str(c).startswith(PUBLISHER_TYPE):
                return URIRef(str(c))
        # A flag: boolean true, or 1 where the store (Virtuoso) answers booleans as integers.
        if any(str(b).lower() in ("true", "1") for b in info.get("bestuur", [])):
            return URIRef(PUBLISHER_TYPE + "LocalAuthority")
        for a in info.get("actortype", []):
            code = str(a).rsplit("/", 1)[-1]
            if code in ACTORTYPE_PUBLISHER:
                return URIRef(PUBLISHER_TYPE + ACTORTYPE_PUBLISHER[code])
        return URIRef(PUBLISHER_TYPE + "RegionalAuthority")

    def _contact(
        self,
        g: Graph,
        agents: dict[str, dict[str, list[Node]]],
        agent: URIRef,
        email: str | None = None,
    ) -> URIRef:
        """A vcard:Organization contact: e-mail (mailto:) and/or URL, never an invented one."""
        info = agents.get(str(agent), {})
        slug = agent.rsplit("/", 1)[-1]
        contact = self.uris.thing("contactpunt", _uuid(str(agent) + (email or "")))
        g.add((contact, RDF.type, VCARD.Organization))
        g.add((contact, RDF.type, VCARD.Kind))
        names = [n for n in info.get("name", []) if isinstance(n, Literal)]
        g.add((contact, VCARD.fn, _pick(names) or _nl(slug)))
        emails = [email] if email else sorted(str(e) for e in info.get("email", []))
        if emails:
            address = emails[0].removeprefix("mailto:")
            g.add((contact, VCARD.hasEmail, URIRef("mailto:" + address)))
        homepages = sorted(str(h) for h in info.get("homepage", []) if str(h).startswith("http"))
        url = homepages[0] if homepages else (self.uris.doc_for(str(agent)) or str(agent))
        g.add((contact, VCARD.hasURL, URIRef(url)))
        return contact

    def _concept(self, g: Graph, concept: URIRef) -> None:
        scheme, nl, en = CONCEPT_LABELS[concept]
        g.add((concept, RDF.type, SKOS.Concept))
        g.add((concept, SKOS.prefLabel, Literal(nl, lang="nl")))
        g.add((concept, SKOS.prefLabel, Literal(en, lang="en")))
        g.add((concept, SKOS.inScheme, scheme))

    def _licence(self, g: Graph, licence: URIRef) -> None:
        g.add((licence, RDF.type, DCTERMS.LicenseDocument))
        g.add((licence, DCTERMS.title, _nl(LICENCE_TITLES[licence])))

    def _standard(self, g: Graph, standard: URIRef) -> None:
        g.add((standard, RDF.type, DCTERMS.Standard))
        g.add((standard, DCTERMS.title, _nl(STANDARD_TITLES[standard])))

    def _header(self, agents: dict[str, dict[str, list[Node]]], sro: URIRef) -> Graph:
        g = Graph()
        cat = self.catalog_iri
        g.add((cat, RDF.type, DCAT.Catalog))
        g.add((cat, DCTERMS.identifier, Literal(_uuid(str(cat)))))
        g.add((cat, DCTERMS.title, _nl("Catalogus van de kennisgraaf van de Smart Region Office")))
        g.add(
            (
                cat,
                DCTERMS.title,
                Literal("Catalogue of the Smart Region Office knowledge graph", lang="en"),
            )
        )
        g.add(
            (
                cat,
                DCTERMS.description,
                _nl(
                    "Datasets en dataservices van de kennisgraaf van de Vlaamse Smart Region "
                    "Office: smart-city-initiatieven, actoren en begrippenkaders, als "
                    "OSLO-conforme linked data."
                ),
            )
        )
        g.add((cat, DCTERMS.publisher, self._publisher(g, agents, sro)))
        g.add((cat, DCAT.contactPoint, self._contact(g, agents, sro)))
        g.add((cat, DCTERMS.license, CC0))
        self._licence(g, CC0)
        g.add((cat, FOAF.homepage, URIRef(f"{self.uris.base}/")))
        g.add(
            (
                cat,
                DCTERMS.language,
                URIRef("http://publications.europa.eu/resource/authority/language/NLD"),
            )
        )
        return g

    def _describe_resource(
        self,
        g: Graph,
        iri: URIRef,
        cls: URIRef,
        title: str,
        description: str,
        keywords: list[str],
        themes: list[URIRef],
        agents: dict[str, dict[str, list[Node]]],
        publisher: URIRef,
        access: URIRef,
        modified: datetime,
        email: str | None = None,
    ) -> None:
        g.add((iri, RDF.type, cls))
        g.add((iri, RDF.type, DCAT.Resource))
        g.add((iri, DCTERMS.identifier, Literal(str(iri))))
        g.add((iri, DCTERMS.title, _nl(title)))
        g.add((iri, DCTERMS.description, _nl(description)))
        for keyword in dict.fromkeys(keywords):
            g.add((iri, DCAT.keyword, _nl(keyword)))
        for theme in dict.fromkeys(themes):
            g.add((iri, DCAT.theme, theme))
            self._concept(g, theme)
        g.add((iri, DCTERMS.publisher, self._publisher(g, agents, publisher)))
        g.add((iri, DCAT.contactPoint, self._contact(g, agents, publisher, email)))
        g.add((iri, DCTERMS.accessRights, access))
        self._concept(g, access)
        g.add((iri, DCTERMS.modified, _dt(modified)))
        if access == ACCESS_PUBLIC:
            marker = VLOPENDATA if cls == DCAT.Dataset else VLOPENDATASERVICE
            g.add((iri, MDCAT.statuut, marker))
            self._concept(g, marker)
        record = self.uris.thing("catalogusrecord", _uuid(str(iri)))
        g.add((self.catalog_iri, DCAT.record, record))
        g.add((record, RDF.type, DCAT.CatalogRecord))
        g.add((record, DCTERMS.identifier, Literal(_uuid(str(iri)))))
        g.add((record, DCTERMS.modified, _dt(modified)))
        g.add((record, FOAF.primaryTopic, iri))
        g.add((record, DCTERMS.conformsTo, DCAT_AP_VL))
        self._standard(g, DCAT_AP_VL)

    def _distribution(
        self,
        g: Graph,
        slug: str,
        dataset: URIRef,
        fmt: DumpFormat,
        body: bytes,
        title: str,
        modified: datetime,
    ) -> None:
        iri = self.uris.thing("distributie", f"kennisgraaf-{slug}-{fmt.key.replace('.', '-')}")
        url = URIRef(f"{self.uris.base}/dumps/{slug}.{fmt.key}")
        g.add((dataset, DCAT.distribution, iri))
        g.add((iri, RDF.type, DCAT.Distribution))
        g.add((iri, DCTERMS.identifier, Literal(str(iri))))
        label = CONCEPT_LABELS[fmt.file_type][1]
        g.add(
            (
                iri,
                DCTERMS.title,
                _nl(f"{title}: volledige dump ({label}{', gzip' if fmt.compress else ''})"),
            )
        )
        g.add(
            (
                iri,
                DCTERMS.description,
                _nl(f"Alle gegevens van de dataset {title} in één bestand ({label})."),
            )
        )
        g.add((iri, DCAT.accessURL, url))
        g.add((iri, DCAT.downloadURL, url))
        g.add((iri, DCAT.mediaType, fmt.media_type))
        g.add((fmt.media_type, RDF.type, DCTERMS.MediaType))
        if fmt.compress is not None:
            g.add((iri, DCAT.compressFormat, fmt.compress))
            g.add((fmt.compress, RDF.type, DCTERMS.MediaType))
        g.add((iri, DCTERMS.format, fmt.file_type))
        self._concept(g, fmt.file_type)
        g.add((iri, DCTERMS.license, MODEL_LICENCE))
        self._licence(g, MODEL_LICENCE)
        g.add((iri, DCTERMS.modified, _dt(modified)))
        g.add((iri, DCAT.byteSize, Literal(len(body), datatype=XSD.nonNegativeInteger)))
        checksum = URIRef(f"{iri}/checksum")
        g.add((iri, SPDX.checksum, checksum))
        g.add((checksum, RDF.type, SPDX.Checksum))
        g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        g.add(
            (
                checksum,
                SPDX.checksumValue,
                Literal(hashlib.sha256(body).hexdigest(), datatype=XSD.hexBinary),
            )
        )

    def _declared(
        self,
        agents: dict[str, dict[str, list[Node]]],
        sro: URIRef,
        graph_times: dict[str, datetime],
    ) -> list[CatalogEntry]:
        base = self.uris.base
        declarations: dict[str, list[dict[str, Node]]] = defaultdict(list)
        for row in self.store.select(rq.based("catalog-declarations", base)):
            if isinstance(row.get("dataset"), URIRef):
                declarations[str(row["dataset"])].append(dict(row))
        # Each fact as a row of its own ({key: value}, an actor with its role): the helpers
        # below read "any row with this key".
        facts: dict[str, list[dict[str, Node]]] = defaultdict(list)
        for row in self.store.select(rq.based("catalog-declared-dataset-facts", base)):
            facts[str(row["dataset"])].append({str(row["key"]): row["value"]})
        for row in self.store.select(rq.based("catalog-declaring-initiative-facts", base)):
            fact: dict[str, Node] = {str(row["key"]): row["value"]}
            if "role" in row:
                fact["role"] = row["role"]
            facts[str(row["initiative"])].append(fact)
        out: list[CatalogEntry] = []
        for dataset, declared in sorted(declarations.items()):
            # Datasets declared only by example initiatives (sr:isVoorbeeld true) are
            # illustrations: a national portal must not list them as real datasets.
            if all(str(r.get("example", "")).lower() in ("true", "1") for r in declared):
                continue
            initiatives = sorted({str(r["initiative"]) for r in declared})
            drows = [*declared, *facts[dataset], *(f for i in initiatives for f in facts[i])]
            iri = URIRef(dataset)
            first = declared[0]
            title = _pick(_lits(drows, "title")) or _nl(
                f"Dataset van initiatief {_pick(_lits(drows, 'initiativeTitle')) or ''}".strip()
            )
            initiative_title = _pick(_lits(drows, "initiativeTitle"))
            description = _pick(_lits(drows, "description")) or _nl(
                f"Dataset die het initiatief {initiative_title or first['initiative']} "
                "publiceert of gebruikt."
            )
            lead = _lead_agent(drows) or sro
            access = (
                ACCESS_PUBLIC
                if any(r.get("accessRights") == ACCESS_PUBLIC for r in drows)
                else ACCESS_NON_PUBLIC
            )
            keywords = [str(k) for k in _lits(drows, "keyword")] or ["smart city"]
            themes = sorted(
                {
                    URIRef(str(r["theme"]))
                    for r in drows
                    if "theme" in r
                    and URIRef(str(r["theme"])) in CONCEPT_LABELS
                    and str(r["theme"]).startswith(THEME)
                }
            ) or [URIRef(THEME + "REGI")]
            emails = sorted(str(r["email"]) for r in drows if "email" in r)
            modified = max(
                (graph_times[str(r["g"])] for r in declared if str(r["g"]) in graph_times),
                default=datetime(1970, 1, 1, tzinfo=UTC),
            )
            g = Graph()
            self._describe_resource(
                g,
                iri,
                DCAT.Dataset,
                str(title),
                str(description),
                keywords,
                themes,
                agents,
                lead,
                access,
                modified,
                email=emails[0] if emails else None,
            )
            for page in sorted({str(r["landingPage"]) for r in drows if "landingPage" in r}):
                if page.startswith("http"):
                    g.add((iri, DCAT.landingPage, URIRef(page)))
            out.append(CatalogEntry(iri, "dataset", modified, g))
        return out

    def _services(
        self,
        agents: dict[str, dict[str, list[Node]]],
        sro: URIRef,
        own: list[URIRef],
        entries: list[CatalogEntry],
    ) -> list[CatalogEntry]:
        base = self.uris.base
        # A service's description changes only when the set of datasets it serves does, i.e.
        # when a concept scheme comes or goes: data changes do not touch it.
        scheme_prefix = str(self.dataset_iri("begrippenkader-"))
        modified = max(
            (e.modified for e in entries if str(e.resource).startswith(scheme_prefix)),
            default=min((e.modified for e in entries), default=datetime(1970, 1, 1, tzinfo=UTC)),
        )
        specs = [
            (
                "sparql",
                "SPARQL-endpoint van de kennisgraaf",
                "Een publiek SPARQL 1.1-endpoint (alleen lezen) op de volledige kennisgraaf van de "
                "Smart Region Office.",
                f"{base}/sparql",
                f"{base}/sparql",
                SPARQL_PROTOCOL,
                ["SPARQL", "linked data", "smart city"],
            ),
            (
                "benoemde-vragen",
                "API met benoemde vragen over de kennisgraaf",
                "Een REST-API met benoemde, geparametriseerde SPARQL-vragen over "
                "smart-city-initiatieven, actoren en begrippenkaders.",
                f"{base}/queries",
                f"{base}/openapi.json",
                REST_GUIDELINES,
                ["API", "smart city", "initiatieven"],
            ),
        ]
        out: list[CatalogEntry] = []
        for slug, title, description, endpoint, endpoint_description, standard, kws in specs:
            iri = self.uris.thing("dataservice", slug)
            g = Graph()
            self._describe_resource(
                g,
                iri,
                DCAT.DataService,
                title,
                description,
                kws,
                [URIRef(THEME + "TECH"), URIRef(THEME + "GOVE")],
                agents,
                sro,
                ACCESS_PUBLIC,
                modified,
            )
            g.add((iri, DCAT.endpointURL, URIRef(endpoint)))
            g.add((iri, DCAT.endpointDescription, URIRef(endpoint_description)))
            g.add((iri, DCTERMS.conformsTo, standard))
            self._standard(g, standard)
            g.add((iri, DCTERMS.license, MODEL_LICENCE))
            self._licence(g, MODEL_LICENCE)
            for dataset in own:
                g.add((iri, DCAT.servesDataset, dataset))
            out.append(CatalogEntry(iri, "service", modified, g))
        return out


def _lits(rows: list[dict[str, Node]], key: str) -> list[Literal]:
    seen: list[Literal] = []
    for row in rows:
        value = row.get(key)
        if isinstance(value, Literal) and value not in seen:
            seen.append(value)
    return seen


def _pick(values: list[Literal] | list[Node]) -> Literal | None:
    """The Dutch value if there is one, else the first (sorted, for stability)."""
    lits = sorted((v for v in values if isinstance(v, Literal)), key=str)
    for lit in lits:
        if lit.language == "nl":
            return lit
    return lits[0] if lits else None


def _one_per_language(names: list[Literal]) -> list[Literal]:
    by_lang: dict[str | None, Literal] = {}
    for name in sorted(names, key=str):
        by_lang.setdefault(name.language, name)
    return list(by_lang.values())


def _lead_agent(rows: list[dict[str, Node]]) -> URIRef | None:
    """The initiative's lead: trekker, then initiatiefnemer, then the first actor."""
    for role in LEAD_ROLES:
        for row in sorted(rows, key=lambda r: str(r.get("agent", ""))):
            if str(row.get("role", "")).endswith("/" + role) and isinstance(
                row.get("agent"), URIRef
            ):
                return URIRef(str(row["agent"]))
    agents = sorted(str(r["agent"]) for r in rows if isinstance(r.get("agent"), URIRef))
    return URIRef(agents[0]) if agents else None


def _serialize_dump(data: Graph, fmt: DumpFormat) -> bytes:
    # Blank nodes get stable labels so the same content gives the same bytes and checksum.
    body = serialize_graph(sorted(_skolemish(data)), fmt.rdf_format, prefixes=official_prefixes())
    if fmt.compress is not None:
        return gzip.compress(body, mtime=0)
    return body


def _skolemish(data: Graph) -> Graph:
    """Relabel blank nodes by a hash of their statements so dumps are byte-stable."""
    nodes = {n for t in data for n in (t[0], t[2]) if isinstance(n, BNode)}
    if not nodes:
        return data
    labels: dict[BNode, BNode] = {}
    for node in sorted(nodes):
        desc = sorted(
            f"{p.n3()} {o.n3() if not isinstance(o, BNode) else '_'}"
            for p, o in data.predicate_objects(node)
        )
        labels[node] = BNode("b" + hashlib.sha256("\n".join(desc).encode()).hexdigest()[:16])
    out = Graph()
    for s, p, o in data:
        out.add(
            (
                labels.get(s, s) if isinstance(s, BNode) else s,
                p,
                labels.get(o, o) if isinstance(o, BNode) else o,
            )
        )
    return out


# -- views ----------------------------------------------------------------------------------

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
DCAT_PREFIX_LINE = b"@prefix dcat: <http://www.w3.org/ns/dcat#> ."


@dataclass(frozen=True)
class CatalogView:
    """A serialised catalogue (whole or one page) and its page links (rel → absolute URL)."""

    body: bytes
    links: dict[str, str]
    total_items: int


def render_catalog(graph: Graph, fmt: RdfFormat) -> bytes:
    """Serialise for harvesters: Turtle always carries the explicit ``@prefix dcat:`` line
    (the harvester's format detection needs it, notes §5.2); triples are sorted so the same
    catalogue gives the same bytes."""
    body = serialize_graph(sorted(graph), fmt, prefixes=CATALOG_PREFIXES)
    if fmt == RdfFormat.TURTLE and DCAT_PREFIX_LINE not in body:
        body = DCAT_PREFIX_LINE + b"\n" + body
    return body


def catalog_view(
    snapshot: CatalogSnapshot,
    fmt: RdfFormat,
    *,
    base_url: str,
    page: int | None = None,
    page_size: int | None = None,
    modified_since: datetime | None = None,
) -> CatalogView:
    """The catalogue (``page`` and ``page_size`` None: whole and unpaged, for harvesters) or
    one Hydra page of it; ``modified_since`` keeps only entries changed after it."""
    entries = snapshot.select(modified_since)
    if page is None and page_size is None:
        return CatalogView(render_catalog(snapshot.full_graph(entries), fmt), {}, len(entries))
    size = min(max(1, page_size or DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE)
    extra = {"modified_since": modified_since.isoformat()} if modified_since else {}
    urls = PageUrl(base_url, size, extra)
    info = Page(number=max(1, page or 1), size=size, total_items=len(entries))
    graph = build_page_graph(snapshot, entries, info, urls)
    links = {"first": urls(1), "last": urls(info.last)}
    if info.number > 1:
        links["prev"] = urls(info.number - 1)
    if info.number < info.last:
        links["next"] = urls(info.number + 1)
    return CatalogView(render_catalog(graph, fmt), links, len(entries))
