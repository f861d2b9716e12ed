"""Building the catalogue of one store version from the store and the reference data.

Our own datasets (the initiatives, the organisations and bodies, each concept scheme) are
typed :class:`DatasetSpec` values, each with three full-dump distributions; then the datasets
that initiatives declare; then the data services (the SPARQL endpoint and the named-query
API), which serve our own datasets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from rdflib import Literal, URIRef

from sro_graph import rq
from sro_graph.catalog.declared import DeclaredDataset, read_declared
from sro_graph.catalog.describe import Support, Writer, dt, nl, pick, record_uuid
from sro_graph.catalog.dumps import DUMP_FORMATS, DumpCache, DumpSource, fingerprint
from sro_graph.catalog.model import CatalogEntry, CatalogSnapshot, Dump
from sro_graph.catalog.reference import (
    ACCESS_PUBLIC,
    ACCESS_RIGHTS,
    DECLARED_TEMPLATE,
    MODEL_LICENCE,
    SCHEME_TEMPLATE,
    THEME,
    Reference,
    reference,
)
from sro_graph.catalog.reuse import EntryCache
from sro_graph.catalog.sources import (
    StoreState,
    parse_time,
    read_agents,
    read_schemes,
    read_state,
)
from sro_graph.store import Store
from sro_graph.vocab import DCAT, DCTERMS, FOAF, RDF, RDFS, Uris

__all__ = ["SLUG", "SRO_SLUG", "DatasetSpec", "build_snapshot", "catalog_iri", "dataset_iri"]

SRO_SLUG = "smart-region-office"
STREAM_SLUG = "wijzigingen"
STREAM_SERVICE = "wijzigingsstroom"
LDES_SPECIFICATION = URIRef("https://w3id.org/ldes/specification")
SLUG = re.compile(r"[a-z0-9][a-z0-9-]{0,80}")  # fullmatch: "$" accepts a newline


@dataclass(frozen=True)
class DatasetSpec:
    """One of our own datasets: what the catalogue says of it and where its data comes from."""

    slug: str
    titles: tuple[Literal, ...]
    descriptions: tuple[Literal, ...]
    keywords: tuple[Literal, ...]
    themes: tuple[URIRef, ...]
    modified: datetime
    source: DumpSource


def catalog_iri(uris: Uris) -> URIRef:
    return uris.thing("catalogus", "sro-graph")


def dataset_iri(uris: Uris, slug: str) -> URIRef:
    return uris.thing("dataset", f"kennisgraaf-{slug}")


def build_snapshot(
    store: Store,
    uris: Uris,
    version: str,
    dumps: DumpCache,
    reuse: EntryCache | None = None,
) -> CatalogSnapshot:
    """The catalogue for the store as it is now (recorded as ``version``); with ``reuse``,
    what the previous build made of unchanged inputs is taken over (issue 17.3)."""
    ref = reference(uris.base)
    state = read_state(store, uris)
    reuse = reuse if reuse is not None else EntryCache()
    support = reuse.start(uris, ref, read_agents(store, uris))
    sro = uris.thing("organisatie", SRO_SLUG)
    catalog = catalog_iri(uris)

    specs = _own_specs(store, uris, ref, state)
    entries: list[CatalogEntry] = []
    built: dict[tuple[str, str], Dump] = {}
    for spec in specs:
        files = dumps.get(spec.slug, spec.source)
        built.update({(spec.slug, key): dump for key, dump in files.items()})
        entries.append(_own_dataset(uris, catalog, support, sro, spec, files))
    dumps.forget_except(spec.slug for spec in specs)
    concepts = ref.concepts()
    for declared in read_declared(
        store,
        uris,
        state.graph_times,
        known_themes={c for c in concepts if str(c).startswith(THEME)},
        access_rights={c for c in concepts if str(c).startswith(ACCESS_RIGHTS)},
        reuse=reuse.declared,
    ):
        entries.append(
            reuse.entries.get(
                declared, partial(_declared_dataset, ref, catalog, support, sro, declared)
            )
        )
    reuse.done()
    stream = _stream_dataset(store, uris, ref, catalog, support, sro, state)
    entries.append(stream)
    own = [dataset_iri(uris, spec.slug) for spec in specs]
    scheme_prefix = str(dataset_iri(uris, "begrippenkader-"))
    # A service's description changes only when the set of datasets it serves does, i.e.
    # when a concept scheme comes or goes: data changes do not touch it.
    service_time = max(
        (e.modified for e in entries if str(e.resource).startswith(scheme_prefix)),
        default=min((e.modified for e in entries), default=state.first_fill),
    )
    for slug in ("sparql", "benoemde-vragen"):
        entries.append(
            _service(ref, catalog, support, sro, uris.thing("dataservice", slug), own, service_time)
        )
    entries.append(
        _service(
            ref,
            catalog,
            support,
            sro,
            uris.thing("dataservice", STREAM_SERVICE),
            [stream.resource],
            service_time,
        )
    )
    entries.sort(key=lambda e: (e.kind != "dataset", str(e.resource)))
    modified = max((e.modified for e in entries), default=state.first_fill)
    header = _header(ref, catalog, support, sro, issued=state.first_fill, modified=modified)
    return CatalogSnapshot(
        version=version,
        catalog=catalog,
        header=header.done()[0],
        header_support=header.done()[1],
        entries=tuple(entries),
        support=dict(support.described),
        dumps=built,
    )


def _own_specs(store: Store, uris: Uris, ref: Reference, state: StoreState) -> list[DatasetSpec]:
    members = state.members
    empty: frozenset[str] = frozenset()
    specs = []
    for slug, query, graphs, withdrawn in (
        ("initiatieven", "catalog-dump-initiatives", members.get("initiatieven", empty), True),
        ("organisaties", "catalog-dump-organisations", members.get("organisaties", empty), False),
    ):
        texts = ref.texts(dataset_iri(uris, slug))
        specs.append(
            DatasetSpec(
                slug=slug,
                titles=texts.titles,
                descriptions=texts.descriptions,
                keywords=texts.keywords,
                themes=texts.themes,
                modified=state.changed(graphs, with_withdrawn=withdrawn),
                source=DumpSource(
                    fingerprint(state.stamp(graphs, with_withdrawn=withdrawn)),
                    query=rq.based(query, uris.base),
                ),
            )
        )
    template = ref.texts(SCHEME_TEMPLATE)
    scheme_prefix = f"{uris.base}/id/conceptscheme/"
    for scheme in read_schemes(store):
        name = scheme.iri.removeprefix(scheme_prefix)
        if not scheme.iri.startswith(scheme_prefix) or not SLUG.fullmatch(name):
            continue
        graphs = members.get("scheme:" + scheme.iri, empty)
        title = str(pick(list(scheme.titles)) or name)
        definition = pick(list(scheme.definitions))
        description = nl(str(definition)) if definition else template.description(title=title)
        specs.append(
            DatasetSpec(
                slug=f"begrippenkader-{name}",
                titles=(template.title(title=title),),
                descriptions=(description,),
                keywords=(nl(title), *template.keywords),
                themes=template.themes,
                modified=state.changed(graphs),
                source=DumpSource(fingerprint(state.stamp(graphs)), triples=scheme.triples),
            )
        )
    return specs


def _own_dataset(
    uris: Uris,
    catalog: URIRef,
    support: Support,
    sro: URIRef,
    spec: DatasetSpec,
    files: dict[str, Dump],
) -> CatalogEntry:
    iri = dataset_iri(uris, spec.slug)
    w = Writer(support)
    w.resource(
        catalog,
        iri,
        DCAT.Dataset,
        titles=spec.titles,
        descriptions=spec.descriptions,
        keywords=spec.keywords,
        themes=spec.themes,
        publisher=sro,
        access=ACCESS_PUBLIC,
        modified=spec.modified,
    )
    # The landing page: the dataset's own page, with its distributions (issue 15.1).
    w.typed(iri, DCAT.landingPage, URIRef(uris.doc_for(str(iri)) or str(iri)), FOAF.Document)
    title = str(spec.titles[0])
    for key, fmt in DUMP_FORMATS.items():
        label = fmt.label + (", gzip" if fmt.compress else "")
        w.distribution(
            iri,
            uris.thing("distributie", f"kennisgraaf-{spec.slug}-{key.replace('.', '-')}"),
            url=URIRef(f"{uris.base}/dumps/{spec.slug}.{key}"),
            title=nl(f"{title}: volledige dump ({label})"),
            description=nl(f"Alle gegevens van de dataset {title} in één bestand ({fmt.label})."),
            media_type=fmt.media_type,
            compress=fmt.compress,
            file_type=fmt.file_type,
            licence=MODEL_LICENCE,
            modified=spec.modified,
            body=files[key].body,
        )
    triples, refs = w.done()
    return CatalogEntry(iri, "dataset", spec.modified, triples, refs)


def _stream_dataset(
    store: Store,
    uris: Uris,
    ref: Reference,
    catalog: URIRef,
    support: Support,
    sro: URIRef,
    state: StoreState,
) -> CatalogEntry:
    """The change stream (issue 15.4) as a dataset, read through the LDES data service."""
    iri = dataset_iri(uris, STREAM_SLUG)
    rows = store.select(rq.load("catalog-stream-time"), bindings={"ldes": uris.change_stream_graph})
    times = [parse_time(r["time"]) for r in rows if r.get("time") is not None]
    modified = max((t for t in times if t is not None), default=state.first_fill)
    texts = ref.texts(iri)
    w = Writer(support)
    w.own_resource(catalog, iri, DCAT.Dataset, texts, publisher=sro, modified=modified)
    w.typed(iri, DCAT.landingPage, URIRef(uris.doc_for(str(iri)) or str(iri)), FOAF.Document)
    distribution = uris.thing("distributie", f"kennisgraaf-{STREAM_SLUG}-ldes")
    turtle = DUMP_FORMATS["ttl"]
    w.add(iri, DCAT.distribution, distribution)
    w.add(distribution, RDF.type, DCAT.Distribution)
    w.add(distribution, DCTERMS.identifier, Literal(str(distribution)))
    w.add(
        distribution, DCTERMS.title, nl("Wijzigingen in de kennisgraaf: Linked Data Event Stream")
    )
    w.add(
        distribution,
        DCTERMS.description,
        nl("De stroom van versies, te lezen vanaf het begin en te volgen via de tijdsfragmenten."),
    )
    w.add(distribution, DCAT.accessURL, URIRef(f"{uris.base}/ldes/kennisgraaf"))
    w.add(distribution, DCAT.accessService, uris.thing("dataservice", STREAM_SERVICE))
    w.typed(distribution, DCAT.mediaType, turtle.media_type, DCTERMS.MediaType)
    w.official(distribution, DCTERMS.format, turtle.file_type)
    w.official(distribution, DCTERMS.conformsTo, LDES_SPECIFICATION)
    w.official(distribution, DCTERMS.license, MODEL_LICENCE)
    w.add(distribution, DCTERMS.modified, dt(modified))
    triples, refs = w.done()
    return CatalogEntry(iri, "dataset", modified, triples, refs)


def _declared_dataset(
    ref: Reference,
    catalog: URIRef,
    support: Support,
    sro: URIRef,
    declared: DeclaredDataset,
) -> CatalogEntry:
    template = ref.texts(DECLARED_TEMPLATE)
    fill = {
        "initiative": declared.initiative_title,
        "description": declared.initiative_description,
    }
    w = Writer(support)
    w.resource(
        catalog,
        declared.iri,
        DCAT.Dataset,
        titles=declared.titles or (template.title(**fill),),
        descriptions=declared.descriptions or (template.description(**fill),),
        keywords=declared.keywords or template.keywords,
        themes=declared.themes or template.themes,
        publisher=declared.lead or sro,
        access=declared.access,
        modified=declared.modified,
        email=declared.email,
    )
    for page in declared.landing_pages:
        w.typed(declared.iri, DCAT.landingPage, page, FOAF.Document)
    triples, refs = w.done()
    return CatalogEntry(declared.iri, "dataset", declared.modified, triples, refs)


def _service(
    ref: Reference,
    catalog: URIRef,
    support: Support,
    sro: URIRef,
    iri: URIRef,
    own: list[URIRef],
    modified: datetime,
) -> CatalogEntry:
    texts = ref.texts(iri)
    w = Writer(support)
    w.own_resource(catalog, iri, DCAT.DataService, texts, publisher=sro, modified=modified)
    for predicate, value in texts.other:
        if predicate == DCTERMS.conformsTo and isinstance(value, URIRef):
            w.official(iri, predicate, value)
        elif isinstance(value, URIRef):  # endpoint URL and description
            w.typed(iri, predicate, value, RDFS.Resource)
        else:
            w.add(iri, predicate, value)
    w.official(iri, DCTERMS.license, MODEL_LICENCE)
    for dataset in own:
        w.add(iri, DCAT.servesDataset, dataset)
    triples, refs = w.done()
    return CatalogEntry(iri, "service", modified, triples, refs)


def _header(
    ref: Reference,
    catalog: URIRef,
    support: Support,
    sro: URIRef,
    *,
    issued: datetime,
    modified: datetime,
) -> Writer:
    """The catalogue itself: issued when the store was first filled, modified when anything
    it describes last changed."""
    texts = ref.texts(catalog)
    w = Writer(support)
    w.add(catalog, RDF.type, DCAT.Catalog)
    w.add(catalog, DCTERMS.identifier, Literal(record_uuid(str(catalog))))
    for title in texts.titles:
        w.add(catalog, DCTERMS.title, title)
    for description in texts.descriptions:
        w.add(catalog, DCTERMS.description, description)
    w.add(catalog, DCTERMS.publisher, w.ref(support.publisher(sro)))
    w.add(catalog, DCAT.contactPoint, w.ref(support.contact(sro)))
    for predicate, value in texts.other:
        if isinstance(value, URIRef):  # licence, language
            w.official(catalog, predicate, value)
        else:
            w.add(catalog, predicate, value)
    w.typed(catalog, FOAF.homepage, URIRef(f"{support.uris.base}/"), FOAF.Document)
    w.add(catalog, DCTERMS.issued, dt(issued))
    w.add(catalog, DCTERMS.modified, dt(modified))
    return w
