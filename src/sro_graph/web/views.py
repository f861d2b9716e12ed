"""HTML views that more than one router renders: a page with the site's headers, the page of
one resource (by its kind) and the vocabulary page.

Values come from :class:`~sro_graph.linkeddata.LinkedData`; the templates only lay them out.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import Request
from fastapi.responses import Response
from rdflib import Graph, URIRef

from sro_graph.foundingtext import FoundingTextViews
from sro_graph.linkeddata import Link, LinkedData, ResourceView
from sro_graph.vocab import DCAT, PROV, SKOS
from sro_graph.web.templating import request_lang, templates


def page(
    request: Request,
    name: str,
    context: dict[str, object],
    headers: Mapping[str, str] | None = None,
) -> Response:
    """A template page; it varies by Accept-Language (and by ``headers``)."""
    merged = {"Vary": "Accept-Language", **(headers or {})}
    return templates.TemplateResponse(request, name, context, headers=merged)


def _partners(view: ResourceView) -> list[dict[str, object]]:
    """The initiative's actors, each with the roles its qualified associations give it."""
    roles: dict[str, list[Link]] = {}
    for value in view.values_of(str(PROV.qualifiedAssociation)):
        agent: str | None = None
        found: list[Link] = []
        for fact in value.nested:
            if fact.predicate.iri == str(PROV.agent):
                agent = next((v.link.iri for v in fact.values if v.link), None)
            if fact.predicate.iri == str(PROV.hadRole):
                found += [v.link for v in fact.values if v.link]
        if agent:
            roles.setdefault(agent, []).extend(found)
    return [
        {"link": v.link, "roles": roles.get(v.link.iri, [])}
        for v in view.values_of(str(PROV.wasAssociatedWith))
        if v.link
    ]


def render_resource(
    request: Request,
    ld: LinkedData,
    iri: URIRef,
    graph: Graph,
    *,
    headers: Mapping[str, str],
    texts: FoundingTextViews | None = None,
) -> Response:
    """The HTML page of one resource, by its kind (initiative, organisation, concept...); an
    objective's page also shows what the founding text commits to for it (``texts``)."""
    lang = request_lang(request)
    view = ld.view(iri, graph, lang)
    context: dict[str, object] = {"view": view}
    sr = ld.uris.sr
    if view.kind == "initiative":
        elements = ld.elements(iri).get(str(iri))
        context |= {
            "elements": elements,
            "element_links": ld.element_links(lang),
            "partners": _partners(view),
            "example": any(v.text == "true" for v in view.values_of(str(sr.isVoorbeeld))),
            "origin": ld.origin(iri, lang),
            "challenges": view.values_of(str(sr.uitdaging)),
            "objectives": view.values_of(str(sr.draagtBijTot)),
            "datasets": (
                view.values_of(str(PROV.used))
                + view.values_of(str(PROV.generated))
                + view.values_of(str(DCAT.dataset))
            ),
        }
    elif view.kind == "organisation":
        initiatives, partners = ld.organisation_relations(iri, lang)
        context |= {"initiatives": initiatives, "partners": partners}
    elif view.kind == "concept":
        known = {item.link.iri for item in ld.initiatives(lang)}
        context["initiatives"] = sorted(
            {
                v.link
                for fact in view.incoming
                for v in fact.values
                if v.link and v.link.iri in known
            },
            key=lambda link: link.label.lower(),
        )
        objective = ld.uris.scheme("strategische-doelstelling")
        if texts is not None and any(
            v.link and v.link.iri == str(objective) for v in view.values_of(str(SKOS.inScheme))
        ):
            context["commitments"] = texts.commitments(lang, objective=str(iri))
            context["href"] = ld.href
    elif view.kind == "scheme":
        context["tree"] = ld.scheme_tree(iri, lang)
    return page(request, f"{view.kind}.html", context, headers=headers)


def render_vocabulary(
    request: Request, ld: LinkedData, iri: URIRef, graph: Graph, *, headers: Mapping[str, str]
) -> Response:
    """The vocabulary page: the ontology's own facts, then every term under its anchor."""
    lang = request_lang(request)
    context = {"view": ld.view(iri, graph, lang), "terms": ld.vocabulary_terms(graph, lang)}
    return page(request, "vocabulary.html", context, headers=headers)
