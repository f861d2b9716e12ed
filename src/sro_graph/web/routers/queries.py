"""Named queries as REST: ``GET /queries`` lists them, ``GET /queries/{name}`` runs one.

Each query file becomes its own OpenAPI operation with typed query parameters, built from the
file headers when the app is created (:func:`build_router`).
"""

from __future__ import annotations

import datetime as dt
import inspect
from collections.abc import Callable
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response

from sro_graph.config import Settings
from sro_graph.formats import GRAPH_RESULT_FORMATS, RESULT_FORMATS
from sro_graph.queries import PLAIN_JSON, ParamDef, QueryDef, load_query_defs
from sro_graph.web.conneg import AcceptDep, FormatDep, Wanted
from sro_graph.web.deps import RuntimeDep
from sro_graph.web.http import not_modified, result_response
from sro_graph.web.templating import templates

router = APIRouter(tags=["queries"])


def describe(qdef: QueryDef) -> dict[str, Any]:
    """The JSON description of a named query."""
    return {
        "name": qdef.name,
        "url": f"/queries/{qdef.name}",
        "title": qdef.title,
        "description": qdef.description,
        "tags": list(qdef.tags),
        "form": qdef.info.form,
        "params": [
            {
                "name": p.name,
                "type": p.type,
                "required": p.required,
                "default": p.default,
                "min": p.minimum,
                "max": p.maximum,
                "enum": list(p.enum) or None,
                "scheme": p.scheme,
                "class": p.class_,
                "description": p.description,
            }
            for p in qdef.params
        ],
    }


@router.get("/queries", response_class=Response)
def list_queries(request: Request, runtime: RuntimeDep, wants: AcceptDep) -> Response:
    """The named queries with their titles, descriptions and typed parameters."""
    defs = runtime.queries.defs
    if wants.html:
        return templates.TemplateResponse(
            request,
            "queries.html",
            {"queries": [describe(d) for d in defs.values()]},
            headers={"Vary": "Accept"},
        )
    wants.choose([PLAIN_JSON])
    return JSONResponse(
        {"queries": [describe(d) for d in defs.values()]}, headers={"Vary": "Accept"}
    )


def _annotation(param: ParamDef) -> Any:
    if param.enum:
        return Literal[tuple(param.enum)]
    if param.type == "integer":
        return int
    if param.type == "date":
        return dt.date
    return str


def _query_param(param: ParamDef) -> Any:
    text = param.description.get("en") or param.description.get("nl") or ""
    if param.scheme:
        text += f" (a concept of the scheme '{param.scheme}': its code or IRI)"
    if param.class_:
        text += f" (an IRI of a {param.class_})"
    default: Any = ... if param.required else param.default
    if param.type == "date" and isinstance(default, str):
        default = dt.date.fromisoformat(default)
    return Query(
        default,
        alias=param.name,
        description=text.strip() or None,
        ge=param.minimum if param.type == "integer" else None,
        le=param.maximum if param.type == "integer" else None,
    )


def _endpoint(qdef: QueryDef) -> Callable[..., Response]:
    names = {f"p{index}": param.name for index, param in enumerate(qdef.params)}

    def run_named_query(
        request: Request, runtime: RuntimeDep, wants: FormatDep, **values: Any
    ) -> Response:
        raw = {
            names[k]: (v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in values.items()
            if k in names
        }
        return _run(request, runtime, wants, qdef, raw)

    parameters = [
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request),
        inspect.Parameter(
            "runtime", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=RuntimeDep
        ),
        inspect.Parameter("wants", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=FormatDep),
    ]
    for key, param in zip(names, qdef.params, strict=True):
        parameters.append(
            inspect.Parameter(
                key,
                inspect.Parameter.KEYWORD_ONLY,
                annotation=_annotation(param),
                default=_query_param(param),
            )
        )
    run_named_query.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        parameters, return_annotation=Response
    )
    run_named_query.__name__ = "query_" + qdef.name.replace("-", "_")
    return run_named_query


def _run(
    request: Request, runtime: RuntimeDep, wants: Wanted, qdef: QueryDef, raw: dict[str, Any]
) -> Response:
    if qdef.info.returns_graph:
        media_type = wants.choose(GRAPH_RESULT_FORMATS)
    else:
        media_type = wants.choose([*RESULT_FORMATS, PLAIN_JSON])
    named = runtime.queries
    values = named.bind(qdef.name, raw)
    etag = named.etag(qdef.name, values, media_type)
    headers = {"ETag": etag, "Vary": "Accept", "Cache-Control": "no-cache"}
    if not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    result = named.run(qdef.name, values, accept=media_type)
    headers["ETag"] = result.etag
    headers["X-SRO-Cache"] = "hit" if result.cached else "miss"
    return result_response(result.raw, headers)


def build_router(settings: Settings) -> APIRouter:
    """One GET operation per query file of ``settings.queries_dir``."""
    named_router = APIRouter(tags=["queries"])
    for qdef in load_query_defs(settings.queries_dir).values():
        named_router.add_api_route(
            f"/queries/{qdef.name}",
            _endpoint(qdef),
            methods=["GET"],
            summary=qdef.title.get("en", qdef.name),
            description=f"{qdef.description.get('en', '')}\n\n{qdef.description.get('nl', '')}",
            response_class=Response,
            operation_id=f"query_{qdef.name.replace('-', '_')}",
            responses={
                200: {"content": {m: {} for m in [*RESULT_FORMATS, PLAIN_JSON]}},
                304: {"description": "Not modified"},
                422: {"description": "A parameter has a wrong value"},
            },
        )
    return named_router
