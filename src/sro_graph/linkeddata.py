"""Linked data: the ``/id`` ↔ ``/doc`` mapping, and descriptions of resources for RDF and HTML.

A resource ``{base}/id/{path}`` is described by the triples it is the subject of (with one
level of blank nodes, such as qualified associations). For people, :class:`LinkedData`
prepares plain values (labels in the asked language, nl first, links, badges, chart numbers)
that templates render without any RDF or SPARQL knowledge. All SPARQL is in
``rq/linkeddata-*.rq``; terms of our own vocabulary are bound as variables, because the
vocabulary's namespace depends on the deployment's base.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Identifier, Node

from sro_graph import rq
from sro_graph.errors import NotFoundError
from sro_graph.jsonld import CONTEXT_PATH
from sro_graph.rdfio import RdfFormat, serialize_graph
from sro_graph.store import Store
from sro_graph.vocab import (
    BESLUIT,
    DCTERMS,
    FOAF,
    ORG,
    OWL,
    PROV,
    RDF,
    RDFS,
    SKOS,
    Uris,
    is_linkable,
)

__all__ = [
    "ELEMENTS",
    "Bar",
    "Dashboard",
    "Elements",
    "Fact",
    "Home",
    "Link",
    "LinkedData",
    "ListItem",
    "ResourceView",
    "TreeNode",
    "Value",
    "context_json",
    "local_name",
    "pick_label",
]

Labels = dict[str, list[tuple[int, str | None, str]]]
Describer = Callable[[URIRef], Iterable[tuple[Node, Node, Node]]]
"""What another service states about a resource (nothing when it does not know it)."""

# The four core elements, in the order of docs/model.md, by their `kernelement` code.
ELEMENTS: tuple[str, ...] = ("lokale-overheid", "samenwerking", "probleem", "data")

_DESCRIPTIONS = (DCTERMS.description, SKOS.definition, RDFS.comment)
# Labels of common reused terms that no loaded graph labels (OSLO/W3C vocabularies are not
# loaded): (kind, language, text) as the labels query yields them.
_KNOWN_LABELS: dict[str, tuple[str, str]] = {
    str(RDF.type): ("soort", "type"),
    str(DCTERMS.title): ("titel", "title"),
    str(DCTERMS.description): ("beschrijving", "description"),
    str(DCTERMS.identifier): ("identificator", "identifier"),
    str(DCTERMS.spatial): ("gebied", "spatial coverage"),
    str(DCTERMS.publisher): ("uitgever", "publisher"),
    str(DCTERMS.isPartOf): ("maakt deel uit van", "is part of"),
    str(DCTERMS.license): ("licentie", "licence"),
    str(RDFS.label): ("label", "label"),
    str(RDFS.comment): ("opmerking", "comment"),
    str(RDFS.seeAlso): ("zie ook", "see also"),
    str(SKOS.prefLabel): ("voorkeurslabel", "preferred label"),
    str(SKOS.altLabel): ("alternatief label", "alternative label"),
    str(SKOS.definition): ("definitie", "definition"),
    str(SKOS.notation): ("notatie", "notation"),
    str(SKOS.inScheme): ("in begrippenlijst", "in scheme"),
    str(SKOS.topConceptOf): ("topbegrip van", "top concept of"),
    str(SKOS.hasTopConcept): ("heeft topbegrip", "has top concept"),
    str(SKOS.broader): ("ruimer begrip", "broader"),
    str(SKOS.narrower): ("enger begrip", "narrower"),
    str(SKOS.related): ("verwant begrip", "related"),
    str(SKOS.scopeNote): ("toelichting", "scope note"),
    str(SKOS.exactMatch): ("exact overeenkomstig", "exact match"),
    str(ORG.classification): ("classificatie", "classification"),
    str(ORG.memberOf): ("lid van", "member of"),
    str(ORG.purpose): ("doel", "purpose"),
    str(ORG.subOrganizationOf): ("suborganisatie van", "sub-organisation of"),
    str(PROV.wasAssociatedWith): ("betrokken actor", "associated with"),
    str(PROV.qualifiedAssociation): ("rol van een actor", "qualified association"),
    str(PROV.agent): ("actor", "agent"),
    str(PROV.hadRole): ("rol", "role"),
    str(PROV.startedAtTime): ("gestart op", "started at"),
    str(PROV.endedAtTime): ("beëindigd op", "ended at"),
    str(PROV.used): ("gebruikte", "used"),
    str(PROV.generated): ("genereerde", "generated"),
    str(FOAF.homepage): ("website", "homepage"),
    str(OWL.sameAs): ("dezelfde als", "same as"),
    str(DCTERMS.source): ("bron in de tekst", "source in the text"),
    str(DCTERMS.creator): ("auteur", "author"),
    str(DCTERMS.contributor): ("medewerker", "contributor"),
    str(DCTERMS.references): ("verwijst naar", "references"),
    str(DCTERMS.date): ("datum", "date"),
    str(DCTERMS.type): ("soort (code)", "type (code)"),
    str(DCTERMS.relation): ("verband met", "related to"),
    str(DCTERMS.bibliographicCitation): ("vindplaats", "citation"),
    str(DCTERMS.alternative): ("andere titel", "alternative title"),
    str(DCTERMS.language): ("taal", "language"),
    str(FOAF.name): ("naam", "name"),
    str(ORG.holds): ("bekleedt", "holds"),
    str(ORG.heldBy): ("bekleed door", "held by"),
    str(ORG.postIn): ("positie in", "post in"),
    str(ORG.role): ("rol", "role"),
    str(ORG.hasMember): ("heeft lid", "has member"),
    str(ORG.reportsTo): ("rapporteert aan", "reports to"),
    str(ORG.linkedTo): ("verbonden met", "linked to"),
    str(ORG.changedBy): ("gewijzigd door", "changed by"),
    str(ORG.resultedFrom): ("ontstaan uit", "resulted from"),
    str(ORG.originalOrganization): ("oorspronkelijke organisatie", "original organisation"),
    str(ORG.resultingOrganization): ("resulterende organisatie", "resulting organisation"),
    str(PROV.wasDerivedFrom): ("afgeleid van", "derived from"),
    str(PROV.wasAttributedTo): ("toegeschreven aan", "attributed to"),
    str(SKOS.historyNote): ("geschiedenis", "history note"),
    str(FOAF.Agent): ("agent (FOAF)", "agent (FOAF)"),
    str(DCTERMS.Agent): ("agent (Dublin Core)", "agent (Dublin Core)"),
    str(ORG.Organization): ("organisatie (W3C ORG)", "organisation (W3C ORG)"),
}

# Predicates shown first on a page, in this order; the rest follow alphabetically by label.
_FIRST = (RDF.type, DCTERMS.title, SKOS.prefLabel, RDFS.label, DCTERMS.description, SKOS.definition)


def pick_label(candidates: Iterable[tuple[int, str | None, str]], lang: str) -> str | None:
    """The best label among ``(kind, language, text)``: the asked language, then nl, en,
    untagged, anything; within a language the lower kind (prefLabel before title...) wins."""
    order = {"nl": 1, "en": 2, "": 3}
    order[lang] = 0
    best: tuple[int, int, str] | None = None
    for kind, language, text in candidates:
        key = (order.get((language or "").split("-")[0].lower(), 4), kind, text)
        if best is None or key < best:
            best = key
    return best[2] if best else None


def local_name(iri: str) -> str:
    """The last segment of an IRI (after ``#`` or ``/``), for things without a label."""
    tail = iri.rstrip("/#")
    for sep in ("#", "/"):
        if sep in tail:
            tail = tail.rsplit(sep, 1)[1]
            break
    return tail or iri


def href_for(uris: Uris, iri: str) -> str:
    """Where a browser goes for ``iri``: our ``/id/`` URIs go straight to their ``/doc/`` page
    (site-relative); vocabulary terms to their anchor; other http, https and mailto IRIs as
    they are; any other scheme (``javascript:``, ``data:``…) nowhere: ``""`` (issue 13.6)."""
    if uris.is_ours(iri):
        path = iri[len(uris.base) :]
        if path.startswith("/id/"):
            return "/doc/" + path.removeprefix("/id/")
        return path
    return iri if is_linkable(iri) else ""


# Characters RFC 3987 never allows in an IRI (spaces, controls, <>"{}|^`\\).
_NOT_IN_IRI = re.compile(r'[\x00-\x20\x7f-\x9f<>"{}|^`\\]')


@dataclass(frozen=True)
class Link:
    """A link to a resource: ``href`` is site-relative for our own URIs."""

    href: str
    label: str
    iri: str
    external: bool = False


@dataclass(frozen=True)
class Value:
    """One object of a fact: a link, a literal, or a blank node's own facts. ``reading`` when
    the statement comes from a graph of sro-graph's readings, not from the founding text."""

    text: str
    link: Link | None = None
    lang: str | None = None
    datatype: str | None = None
    nested: tuple[Fact, ...] = ()
    reading: bool = False


@dataclass(frozen=True)
class Fact:
    predicate: Link
    values: tuple[Value, ...]


@dataclass(frozen=True)
class Elements:
    """Which of the four core elements an initiative has; ``core`` when all four."""

    present: Mapping[str, bool]

    @property
    def core(self) -> bool:
        return all(self.present.get(code, False) for code in ELEMENTS)

    @property
    def missing(self) -> tuple[str, ...]:
        return tuple(code for code in ELEMENTS if not self.present.get(code, False))


@dataclass(frozen=True)
class Origin:
    """Which submission a resource came from: when, by which steward, for which
    organisation (issue 13.10)."""

    submission: str
    href: str
    created: str
    revised: str
    steward: str | None
    organisation: Link | None


@dataclass(frozen=True)
class ResourceView:
    """Everything an HTML page of one resource shows, as plain values."""

    iri: str
    doc_path: str
    label: str
    kind: str
    types: tuple[Link, ...]
    description: str | None
    facts: tuple[Fact, ...]
    incoming: tuple[Fact, ...]
    extra: dict[str, Any] = field(default_factory=dict)

    def values_of(self, predicate: str) -> tuple[Value, ...]:
        for fact in self.facts:
            if fact.predicate.iri == predicate:
                return fact.values
        return ()

    def incoming_of(self, predicate: str) -> tuple[Value, ...]:
        for fact in self.incoming:
            if fact.predicate.iri == predicate:
                return fact.values
        return ()


@dataclass(frozen=True)
class ListItem:
    link: Link
    note: str = ""
    count: int = 0
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    href: str | None = None


@dataclass(frozen=True)
class Home:
    counts: Mapping[str, int]
    schemes: tuple[Link, ...]


@dataclass(frozen=True)
class Dashboard:
    """The numbers behind the dashboard's charts."""

    per_challenge: tuple[Bar, ...]
    per_objective: tuple[Bar, ...]
    per_focus_domain: tuple[Bar, ...]
    core_related: tuple[Bar, ...]
    per_province: tuple[Bar, ...]
    actor_types: tuple[Bar, ...]
    cooperation: tuple[tuple[str, str, int], ...]
    initiatives: int


@dataclass(frozen=True)
class TreeNode:
    link: Link
    notation: str
    initiatives: tuple[Link, ...]
    children: tuple[TreeNode, ...]


class LinkedData:
    """Describes resources of one deployment from its store."""

    def __init__(
        self,
        store: Store,
        uris: Uris,
        context: Mapping[str, Any],
        *,
        describers: Sequence[Describer] = (),
    ) -> None:
        self.store = store
        self.uris = uris
        self.context = dict(context)
        # Other services that state things about resources the store does not hold (the
        # catalogue's datasets, distributions, records; the change stream's versions).
        self.describers = tuple(describers)

    # -- the /id <-> /doc mapping -------------------------------------------------------

    def iri_for_path(self, path: str) -> URIRef:
        """The ``/id/`` URI of ``{base}/doc/{path}``."""
        return URIRef(f"{self.uris.base}/id/{path}")

    def href(self, iri: str) -> str:
        return href_for(self.uris, iri)

    # -- RDF ------------------------------------------------------------------------------

    def describe(self, iri: URIRef) -> Graph:
        """The triples of ``iri`` as subject, with its blank-node objects.

        Raises:
            NotFoundError: nothing is known about ``iri``.
        """
        if _NOT_IN_IRI.search(iri):  # e.g. a backslash: not a valid term, so no such thing
            raise NotFoundError("Nothing is known about this address.")
        graph = self.store.construct(rq.load("linkeddata-describe"), bindings={"resource": iri})
        for describer in self.describers:
            for triple in describer(iri):
                graph.add(triple)
        if len(graph) == 0:
            raise NotFoundError(f"Nothing is known about <{iri}>.")
        return graph

    def vocabulary(self) -> Graph:
        """The project vocabulary (``ontology/smartregio.ttl``) as loaded.

        Raises:
            NotFoundError: the vocabulary is not loaded.
        """
        graph = self.store.construct(
            rq.load("linkeddata-graph"),
            bindings={"graph": self.uris.base_graph("ontologie-smartregio")},
        )
        if len(graph) == 0:
            raise NotFoundError("The vocabulary is not loaded.")
        return graph

    @property
    def context_url(self) -> str:
        """Where the project context is served (``/ns/context.jsonld``)."""
        return self.uris.base + CONTEXT_PATH

    def context_document(self) -> dict[str, Any]:
        """The JSON-LD context document served at ``/ns/context.jsonld``."""
        return {"@context": self.context}

    def serialize(self, graph: Graph, fmt: RdfFormat) -> bytes:
        """``graph`` in ``fmt``; JSON-LD is compacted with the project context (local, never
        fetched), the other syntaxes use the project prefixes."""
        if fmt is RdfFormat.JSONLD:
            out = Graph()
            for prefix, ns in self.uris.prefixes().items():
                out.bind(prefix, ns)
            for triple in graph:
                out.add(triple)
            if not self.context:
                # Without a project context, the prefixes still give short keys.
                text = out.serialize(format="json-ld", context=self.uris.prefixes(), indent=2)
                return text.encode("utf-8")
            # Compacted with the local copy (never fetched), then pointing at the served
            # context, so documents stay short and web developers get one stable URL.
            doc = json.loads(out.serialize(format="json-ld", context=self.context))
            if isinstance(doc, dict):
                doc["@context"] = self.context_url
            return json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8")
        return serialize_graph(graph, fmt, prefixes=self.uris.prefixes())

    # -- labels -----------------------------------------------------------------------------

    def _labels(self, rows: Iterable[Mapping[str, Identifier]]) -> Labels:
        found: Labels = defaultdict(list)
        for iri, (nl, en) in _KNOWN_LABELS.items():
            found[iri] += [(9, "nl", nl), (9, "en", en)]
        for row in rows:
            label = row.get("label")
            thing = row.get("thing")
            if isinstance(label, Literal) and thing is not None:
                kind = _int(row.get("kind"), 9)
                found[str(thing)].append((kind, label.language, str(label)))
        return found

    def all_labels(self) -> dict[str, list[tuple[int, str | None, str]]]:
        return self._labels(self.store.select(rq.load("linkeddata-all-labels")))

    def _link(
        self, iri: str, labels: Mapping[str, list[tuple[int, str | None, str]]], lang: str
    ) -> Link:
        label = pick_label(labels.get(iri, ()), lang) or local_name(iri)
        return Link(href=self.href(iri), label=label, iri=iri, external=not self.uris.is_ours(iri))

    # -- HTML views -----------------------------------------------------------------------

    def view(self, iri: URIRef, graph: Graph, lang: str) -> ResourceView:
        """The page of ``iri`` (described by ``graph``): facts, incoming links, labels."""
        labels = self._labels(
            self.store.select(rq.load("linkeddata-labels"), bindings={"resource": iri})
        )

        readings = {
            (str(row["p"]), row["o"].n3())
            for row in self.store.select(
                rq.load("linkeddata-readings"),
                bindings={
                    "resource": iri,
                    "kind": self.uris.concept("kennissoort", "lezing"),
                },
            )
            if not isinstance(row["o"], BNode)
        }
        facts = self._facts(graph, iri, labels, lang, readings=readings)
        incoming_rows = self.store.select(
            rq.load("linkeddata-incoming"), bindings={"resource": iri}
        )
        by_pred: dict[str, list[Value]] = defaultdict(list)
        for row in incoming_rows:
            subject = str(row["subject"])
            link = self._link(subject, labels, lang)
            by_pred[str(row["predicate"])].append(
                Value(text="", link=link) if link.href else Value(text=subject)
            )
        incoming = tuple(
            Fact(
                self._link(p, labels, lang),
                tuple(sorted(vals, key=lambda v: v.link.label.lower() if v.link else "")),
            )
            for p, vals in sorted(
                by_pred.items(), key=lambda kv: self._link(kv[0], labels, lang).label.lower()
            )
        )
        types = tuple(
            self._link(t, labels, lang)
            for t in sorted(str(o) for o in graph.objects(iri, RDF.type))
        )
        description = self._pick_literal(graph, iri, _DESCRIPTIONS, lang)
        return ResourceView(
            iri=str(iri),
            doc_path=self.href(str(iri)),
            label=pick_label(labels.get(str(iri), ()), lang) or local_name(str(iri)),
            kind=self.kind_of(graph, iri),
            types=types,
            description=description,
            facts=facts,
            incoming=incoming,
        )

    def kind_of(self, graph: Graph, iri: URIRef) -> str:
        """``initiative``, ``organisation``, ``scheme``, ``concept``, ``vocabulary`` or
        ``resource``: which page template shows it."""
        types = set(graph.objects(iri, RDF.type))
        if self.uris.sr.SmartCityInitiatief in types:
            return "initiative"
        if types & {ORG.Organization, BESLUIT.Bestuurseenheid, ORG.OrganizationalCollaboration}:
            return "organisation"
        if SKOS.ConceptScheme in types:
            return "scheme"
        if SKOS.Concept in types:
            return "concept"
        return "resource"

    def _pick_literal(
        self, graph: Graph, iri: URIRef, predicates: Iterable[URIRef], lang: str
    ) -> str | None:
        for pred in predicates:
            found = [
                (0, o.language, str(o)) for o in graph.objects(iri, pred) if isinstance(o, Literal)
            ]
            if found:
                return pick_label(found, lang)
        return None

    def _facts(
        self,
        graph: Graph,
        subject: Node,
        labels: Mapping[str, list[tuple[int, str | None, str]]],
        lang: str,
        depth: int = 0,
        *,
        readings: set[tuple[str, str]] | None = None,
    ) -> tuple[Fact, ...]:
        by_pred: dict[str, list[Value]] = defaultdict(list)
        for pred, obj in graph.predicate_objects(subject):
            value = self._value(graph, obj, labels, lang, depth)
            if readings and (str(pred), obj.n3()) in readings:
                value = replace(value, reading=True)
            by_pred[str(pred)].append(value)
        first = {str(p): i for i, p in enumerate(_FIRST)}

        def order(item: tuple[str, list[Value]]) -> tuple[int, str]:
            pred = item[0]
            return (first.get(pred, len(first)), self._link(pred, labels, lang).label.lower())

        facts = []
        for pred_iri, values in sorted(by_pred.items(), key=order):
            values.sort(key=lambda v: (v.lang not in (None, lang), v.text.lower()))
            facts.append(Fact(self._link(pred_iri, labels, lang), tuple(values)))
        return tuple(facts)

    def _value(
        self,
        graph: Graph,
        obj: Node,
        labels: Mapping[str, list[tuple[int, str | None, str]]],
        lang: str,
        depth: int,
    ) -> Value:
        if isinstance(obj, URIRef):
            link = self._link(str(obj), labels, lang)
            # Only http, https and mailto IRIs become links (issue 13.6); others are text.
            return Value(
                text=link.label if link.href else str(obj), link=link if link.href else None
            )
        if isinstance(obj, BNode):
            nested = self._facts(graph, obj, labels, lang, depth + 1) if depth < 2 else ()
            return Value(text="", nested=nested)
        assert isinstance(obj, Literal)
        return Value(
            text=str(obj),
            lang=obj.language,
            datatype=local_name(str(obj.datatype)) if obj.datatype else None,
        )

    def vocabulary_terms(self, graph: Graph, lang: str) -> tuple[ResourceView, ...]:
        """The classes and properties of the vocabulary, each with its anchor (``#Term``)."""
        labels = self.all_labels()
        namespace = str(self.uris.sr)
        terms = sorted(
            {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(namespace)}
        )
        views = []
        for term in terms:
            types = tuple(
                self._link(str(t), labels, lang)
                for t in sorted(str(o) for o in graph.objects(term, RDF.type))
            )
            views.append(
                ResourceView(
                    iri=str(term),
                    doc_path=str(term).removeprefix(namespace),
                    label=pick_label(labels.get(str(term), ()), lang) or local_name(str(term)),
                    kind="term",
                    types=types,
                    description=self._pick_literal(graph, term, _DESCRIPTIONS, lang),
                    facts=self._facts(graph, term, labels, lang),
                    incoming=(),
                )
            )
        # Classes first, then properties, each alphabetically by their anchor.
        return tuple(sorted(views, key=lambda v: (v.doc_path[:1].islower(), v.doc_path)))

    # -- initiatives --------------------------------------------------------------------

    def elements(self, initiative: URIRef | None = None) -> dict[str, Elements]:
        """The four elements of every initiative (or one), by initiative IRI."""
        bindings: dict[str, Identifier] = {
            "initiativeClass": self.uris.sr.SmartCityInitiatief,
            "problemProperty": self.uris.sr.probleemdomein,
            "dataProperty": self.uris.sr.datagebruik,
        }
        if initiative is not None:
            bindings["initiative"] = initiative
        out: dict[str, Elements] = {}
        for row in self.store.select(rq.load("linkeddata-initiative-elements"), bindings=bindings):
            present = {code: _true(row.get(_ELEMENT_VARS[code])) for code in ELEMENTS}
            out[str(row["initiative"])] = Elements(present)
        return out

    def origin(self, iri: URIRef, lang: str) -> Origin | None:
        """The submission ``iri`` comes from (its current revision), or None for base
        knowledge."""
        rows = self.store.select(
            rq.load("linkeddata-origin"),
            bindings={"resource": iri, "prov": self.uris.provenance_graph},
        )
        if not rows:
            return None
        row = rows[0]
        labels: Labels = defaultdict(list)
        organisation = row.get("organisation")
        for r in rows:
            label = r.get("label")
            if isinstance(label, Literal) and organisation is not None:
                labels[str(organisation)].append((0, label.language, str(label)))
        submission = str(row["id"])
        return Origin(
            submission=submission,
            href=f"/submissions/{submission}",
            created=str(row["created"])[:10],
            revised=str(row["time"])[:10],
            steward=str(row["stewardName"]) if row.get("stewardName") is not None else None,
            organisation=(
                self._link(str(organisation), labels, lang) if organisation is not None else None
            ),
        )

    def element_links(self, lang: str) -> dict[str, Link]:
        """Links to the `kernelement` concepts, by code."""
        labels = self.all_labels()
        return {
            code: self._link(str(self.uris.concept("kernelement", code)), labels, lang)
            for code in ELEMENTS
        }

    def initiatives(self, lang: str) -> tuple[ListItem, ...]:
        """Every initiative, by title, flagged ``core``/``related`` and ``example``."""
        rows = self.store.select(
            rq.load("linkeddata-initiatives"),
            bindings={
                "initiativeClass": self.uris.sr.SmartCityInitiatief,
                "exampleProperty": self.uris.sr.isVoorbeeld,
            },
        )
        titles: dict[str, list[tuple[int, str | None, str]]] = defaultdict(list)
        examples: set[str] = set()
        for row in rows:
            iri = str(row["initiative"])
            titles.setdefault(iri, [])
            title = row.get("title")
            if isinstance(title, Literal):
                titles[iri].append((0, title.language, str(title)))
            if _true(row.get("example")):
                examples.add(iri)
        elements = self.elements()
        items = []
        for iri in titles:
            flags = ["core" if iri in elements and elements[iri].core else "related"]
            if iri in examples:
                flags.append("example")
            items.append(ListItem(self._link(iri, titles, lang), flags=tuple(flags)))
        return tuple(sorted(items, key=lambda i: i.link.label.lower()))

    def organisations(self, lang: str) -> tuple[ListItem, ...]:
        """Every organisation with its actor type and number of initiatives."""
        rows = self.store.select(
            rq.load("linkeddata-organisations"),
            bindings={"actortypeProperty": self.uris.sr.actortype},
        )
        labels = self.all_labels()
        seen: dict[str, ListItem] = {}
        for row in rows:
            iri = str(row["organisation"])
            note = ""
            if row.get("actortype") is not None:
                note = self._link(str(row["actortype"]), labels, lang).label
            flags = ("local-government",) if _true(row.get("localGovernment")) else ()
            count = _int(row.get("initiatives"))
            previous = seen.get(iri)
            if previous is None or count > previous.count:
                seen[iri] = ListItem(
                    self._link(iri, labels, lang), note=note, count=count, flags=flags
                )
        return tuple(sorted(seen.values(), key=lambda i: i.link.label.lower()))

    def organisation_relations(
        self, organisation: URIRef, lang: str
    ) -> tuple[tuple[Link, ...], tuple[Link, ...]]:
        """The initiatives of an organisation and its partners in them."""
        rows = self.store.select(
            rq.load("linkeddata-partners"), bindings={"organisation": organisation}
        )
        labels = self.all_labels()
        initiatives = {str(r["initiative"]) for r in rows}
        partners = {str(r["partner"]) for r in rows if r.get("partner") is not None}
        return (
            tuple(
                sorted(
                    (self._link(i, labels, lang) for i in initiatives),
                    key=lambda link: link.label.lower(),
                )
            ),
            tuple(
                sorted(
                    (self._link(p, labels, lang) for p in partners),
                    key=lambda link: link.label.lower(),
                )
            ),
        )

    # -- home, dashboard, schemes ---------------------------------------------------------

    def home(self, lang: str) -> Home:
        rows = self.store.select(
            rq.load("linkeddata-counts"),
            bindings={
                "initiativeClass": self.uris.sr.SmartCityInitiatief,
                "programmeClass": self.uris.sr.Programma,
            },
        )
        counts = {str(r["kind"]): _int(r["n"]) for r in rows if "kind" in r}
        labels = self.all_labels()
        prefix = f"{self.uris.base}/id/conceptscheme/"
        schemes = tuple(
            sorted(
                (
                    self._link(iri, labels, lang)
                    for iri in labels
                    if iri.startswith(prefix) and "/" not in iri.removeprefix(prefix)
                ),
                key=lambda link: link.label.lower(),
            )
        )
        return Home(counts=counts, schemes=schemes)

    def per_concept(
        self,
        scheme: str,
        prop: URIRef,
        lang: str,
        labels: Mapping[str, list[tuple[int, str | None, str]]],
    ) -> tuple[Bar, ...]:
        """Initiatives per concept of ``scheme`` through ``prop``, in notation order."""
        rows = self.store.select(
            rq.load("linkeddata-initiatives-per-concept"),
            bindings={
                "initiativeClass": self.uris.sr.SmartCityInitiatief,
                "scheme": self.uris.scheme(scheme),
                "property": prop,
            },
        )
        bars = []
        for row in rows:
            link = self._link(str(row["concept"]), labels, lang)
            notation = str(row.get("notation") or "")
            bars.append((_notation_key(notation), Bar(link.label, _int(row["n"]), link.href)))
        return tuple(bar for _, bar in sorted(bars, key=lambda kb: kb[0]))

    def dashboard(self, lang: str) -> Dashboard:
        """The numbers behind the dashboard: all counted in SPARQL."""
        labels = self.all_labels()
        sr = self.uris.sr
        elements = self.elements()
        core = sum(1 for e in elements.values() if e.core)
        core_label = "Kerninitiatief" if lang != "en" else "Core initiative"
        related_label = "Gerelateerd initiatief" if lang != "en" else "Related initiative"
        provinces = []
        for row in self.store.select(
            rq.load("linkeddata-initiatives-per-province"),
            bindings={"initiativeClass": sr.SmartCityInitiatief},
        ):
            link = self._link(str(row["province"]), labels, lang)
            provinces.append(Bar(link.label, _int(row["n"]), link.href))
        network_rows = self.store.select(
            rq.load("linkeddata-actortype-network"),
            bindings={"initiativeClass": sr.SmartCityInitiatief, "actortypeProperty": sr.actortype},
        )
        nodes: list[Bar] = []
        edges: list[tuple[str, str, int]] = []
        for row in network_rows:
            a = self._link(str(row["typeA"]), labels, lang)
            b = self._link(str(row["typeB"]), labels, lang)
            n = _int(row["n"])
            if a.iri == b.iri:
                nodes.append(Bar(a.label, n, a.href))
            else:
                edges.append((a.label, b.label, n))
        return Dashboard(
            per_challenge=self.per_concept("uitdaging", sr.uitdaging, lang, labels),
            per_objective=self.per_concept(
                "strategische-doelstelling", sr.draagtBijTot, lang, labels
            ),
            per_focus_domain=self.per_concept("focusdomein", sr.focusdomein, lang, labels),
            core_related=(Bar(core_label, core), Bar(related_label, len(elements) - core)),
            per_province=tuple(sorted(provinces, key=lambda b: b.label)),
            actor_types=tuple(sorted(nodes, key=lambda b: b.label)),
            cooperation=tuple(sorted(edges)),
            initiatives=len(elements),
        )

    def scheme_tree(self, scheme: URIRef, lang: str) -> tuple[TreeNode, ...]:
        """The concepts of ``scheme`` as a tree (skos:broader), each with its initiatives."""
        rows = self.store.select(
            rq.load("linkeddata-scheme-concepts"),
            bindings={"scheme": scheme, "initiativeClass": self.uris.sr.SmartCityInitiatief},
        )
        labels = self.all_labels()
        notation: dict[str, str] = {}
        broader: dict[str, str] = {}
        initiatives: dict[str, set[str]] = defaultdict(set)
        for row in rows:
            concept = str(row["concept"])
            notation[concept] = str(row.get("notation") or "")
            if row.get("broader") is not None:
                broader[concept] = str(row["broader"])
            if row.get("initiative") is not None:
                initiatives[concept].add(str(row["initiative"]))

        def build(parent: str | None) -> tuple[TreeNode, ...]:
            kids = [c for c in notation if broader.get(c) == parent]
            kids.sort(key=lambda c: (_notation_key(notation[c]), c))
            return tuple(
                TreeNode(
                    link=self._link(c, labels, lang),
                    notation=notation[c],
                    initiatives=tuple(
                        sorted(
                            (self._link(i, labels, lang) for i in initiatives[c]),
                            key=lambda link: link.label.lower(),
                        )
                    ),
                    children=build(c),
                )
                for c in kids
            )

        return build(None)


_ELEMENT_VARS = {
    "lokale-overheid": "lokaleOverheid",
    "samenwerking": "samenwerking",
    "probleem": "probleem",
    "data": "data",
}


def _int(term: Identifier | None, default: int = 0) -> int:
    """An integer literal's value (counts, kinds); ``default`` when unbound."""
    if not isinstance(term, Literal):
        return default
    try:
        return int(str(term))
    except ValueError:
        return default


def _true(term: Identifier | None) -> bool:
    """A flag: boolean true or the integer 1."""
    return isinstance(term, Literal) and term.toPython() in (True, 1)


def _notation_key(notation: str) -> tuple[int, int, str]:
    """Numeric notations in numeric order, before the others in alphabetical order."""
    return (0, int(notation), "") if notation.isdigit() else (1, 0, notation)


def context_json(context: Mapping[str, Any]) -> bytes:
    """The context document as bytes."""
    return json.dumps({"@context": dict(context)}, ensure_ascii=False, indent=2).encode("utf-8")
