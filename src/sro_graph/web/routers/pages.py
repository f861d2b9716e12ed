"""Server-rendered pages for people: home, dashboard, listings, and the page of every resource.

Handlers are plain ``def`` (store calls block); the values come from ``linkeddata`` and the
templates only lay them out.
"""

from __future__ import annotations

from collections.abc import Mapping

from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib import Graph, URIRef

from sro_graph.linkeddata import Link, LinkedData, ResourceView
from sro_graph.vocab import DCAT, PROV
from sro_graph.web import charts
from sro_graph.web.deps import RuntimeDep
from sro_graph.web.routers.instruments import matrix_context
from sro_graph.web.templating import request_lang, templates

router = APIRouter(tags=["pages"], include_in_schema=False)


def _page(
    request: Request,
    name: str,
    context: dict[str, object],
    headers: Mapping[str, str] | None = None,
) -> Response:
    merged = {"Vary": "Accept-Language", **(headers or {})}
    return templates.TemplateResponse(request, name, context, headers=merged)


@router.get("/")
def home(request: Request, runtime: RuntimeDep) -> Response:
    """The home page: what is in the graph, and where to go."""
    return _page(request, "home.html", {"home": runtime.linkeddata.home(request_lang(request))})


@router.get("/dashboard")
def dashboard(request: Request, runtime: RuntimeDep) -> Response:
    """Charts: initiatives per challenge, objective, focus domain, province; core vs related;
    the cooperation network between actor types."""
    data = runtime.linkeddata.dashboard(request_lang(request))
    context = {
        "data": data,
        "per_challenge": charts.bar_chart(data.per_challenge),
        "per_objective": charts.bar_chart(data.per_objective),
        "per_focus_domain": charts.bar_chart(data.per_focus_domain),
        "core_related": charts.bar_chart(data.core_related, css=("core", "related")),
        "per_province": charts.bar_chart(data.per_province),
        "network": charts.network(data.actor_types, data.cooperation),
        **matrix_context(runtime, request_lang(request)),
    }
    return _page(request, "dashboard.html", context)


@router.get("/initiatieven")
def initiatives(request: Request, runtime: RuntimeDep) -> Response:
    """Every initiative, with its core/related badge."""
    return _page(
        request,
        "initiatives.html",
        {"items": runtime.linkeddata.initiatives(request_lang(request))},
    )


@router.get("/organisaties")
def organisations(request: Request, runtime: RuntimeDep) -> Response:
    """Every organisation, with its actor type and number of initiatives."""
    return _page(
        request,
        "organisations.html",
        {"items": runtime.linkeddata.organisations(request_lang(request))},
    )


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
    request: Request, ld: LinkedData, iri: URIRef, graph: Graph, *, headers: Mapping[str, str]
) -> Response:
    """The HTML page of one resource, by its kind (initiative, organisation, concept...)."""
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
    elif view.kind == "scheme":
        context["tree"] = ld.scheme_tree(iri, lang)
    return _page(request, f"{view.kind}.html", context, headers=headers)


def render_vocabulary(
    request: Request, ld: LinkedData, iri: URIRef, graph: Graph, *, headers: Mapping[str, str]
) -> Response:
    """The vocabulary page: the ontology's own facts, then every term under its anchor."""
    lang = request_lang(request)
    context = {"view": ld.view(iri, graph, lang), "terms": ld.vocabulary_terms(graph, lang)}
    return _page(request, "vocabulary.html", context, headers=headers)
