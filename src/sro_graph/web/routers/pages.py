"""Server-rendered pages for people: home, dashboard, listings, and the page of every resource.

Handlers are plain ``def`` (store calls block); the values come from ``linkeddata`` and the
templates only lay them out.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from sro_graph.web import charts
from sro_graph.web.deps import RuntimeDep
from sro_graph.web.heatmap import matrix_context
from sro_graph.web.templating import request_lang
from sro_graph.web.views import page

router = APIRouter(tags=["pages"], include_in_schema=False)


@router.get("/")
def home(request: Request, runtime: RuntimeDep) -> Response:
    """The home page: what is in the graph, and where to go."""
    return page(request, "home.html", {"home": runtime.linkeddata.home(request_lang(request))})


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
        **matrix_context(runtime.instruments, request_lang(request)),
    }
    return page(request, "dashboard.html", context)


@router.get("/initiatieven")
def initiatives(request: Request, runtime: RuntimeDep) -> Response:
    """Every initiative, with its core/related badge."""
    return page(
        request,
        "initiatives.html",
        {"items": runtime.linkeddata.initiatives(request_lang(request))},
    )


@router.get("/organisaties")
def organisations(request: Request, runtime: RuntimeDep) -> Response:
    """Every organisation, with its actor type and number of initiatives."""
    return page(
        request,
        "organisations.html",
        {"items": runtime.linkeddata.organisations(request_lang(request))},
    )
