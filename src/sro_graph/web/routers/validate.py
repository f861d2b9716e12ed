"""``/validate``: SHACL validation without storage, and the stewards' upload page."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from sro_graph.errors import InputError, TooLargeError, UnsupportedFormatError
from sro_graph.formats import MediaType, RdfFormat, content_type, essence
from sro_graph.rdfio import format_from_filename, format_from_media_type
from sro_graph.validation import Report
from sro_graph.web.conneg import AcceptDep
from sro_graph.web.deps import RuntimeDep
from sro_graph.web.http import declared_length, read_capped
from sro_graph.web.templating import templates

router = APIRouter(tags=["validation"])

REPORT_MEDIA_TYPES: tuple[str, ...] = (
    MediaType.JSON,
    MediaType.HTML,
    RdfFormat.TURTLE,
    RdfFormat.JSONLD,
    RdfFormat.NTRIPLES,
    MediaType.CSV,
)
_MULTIPART_OVERHEAD = 64 * 1024
_GENERIC_TYPES = ("", MediaType.OCTET_STREAM, MediaType.PLAIN_TEXT, MediaType.MULTIPART)


def part_format(part: UploadFile, field: str) -> RdfFormat:
    """The RDF format of a multipart part: its media type, else its file name."""
    media_type = essence(part.content_type or "")
    if media_type not in _GENERIC_TYPES:
        return format_from_media_type(media_type)
    by_name = format_from_filename(part.filename)
    if by_name is not None:
        return by_name
    if media_type == MediaType.PLAIN_TEXT:
        return RdfFormat.NTRIPLES
    raise UnsupportedFormatError(
        f"The '{field}' part names no RDF media type and its file name has no known "
        "extension (.ttl, .nt, .nq, .trig, .jsonld, .rdf)."
    )


async def read_upload(
    request: Request, cap: int
) -> tuple[bytes, RdfFormat, bytes | None, RdfFormat | None]:
    """Data (and optional shapes) from a multipart form or a raw RDF body."""
    declared_type = request.headers.get("content-type", "")
    if essence(declared_type) == MediaType.MULTIPART:
        declared = declared_length(request)
        if declared is None:
            raise TooLargeError("A multipart upload needs a Content-Length header.")
        if declared > 2 * cap + _MULTIPART_OVERHEAD:
            raise TooLargeError(
                f"The upload is {declared} bytes; the limit is {cap} bytes per file."
            )
        form = await request.form(max_files=2, max_fields=10)
        try:
            data_part = form.get("data")
            if not isinstance(data_part, UploadFile):
                raise InputError("The form has no file field 'data' with the RDF to validate.")
            data = await data_part.read()
            if len(data) > cap:
                raise TooLargeError(f"The data is {len(data)} bytes; the limit is {cap} bytes.")
            data_format = part_format(data_part, "data")
            shapes_part = form.get("shapes")
            shapes: bytes | None = None
            shapes_format: RdfFormat | None = None
            if isinstance(shapes_part, UploadFile) and (shapes_part.filename or shapes_part.size):
                shapes = await shapes_part.read()
                if len(shapes) > cap:
                    raise TooLargeError(
                        f"The shapes are {len(shapes)} bytes; the limit is {cap} bytes."
                    )
                if shapes:
                    shapes_format = part_format(shapes_part, "shapes")
                else:
                    shapes = None
            return data, data_format, shapes, shapes_format
        finally:
            await form.close()
    data_format = format_from_media_type(declared_type)
    return await read_capped(request, cap), data_format, None, None


def render_report(request: Request, report: Report, media_type: str) -> Response:
    """The report in the negotiated representation."""
    if media_type == MediaType.JSON:
        return JSONResponse(report.to_json())
    if media_type == MediaType.CSV:
        return Response(report.to_csv(), media_type=content_type(MediaType.CSV))
    if media_type == MediaType.HTML:
        return templates.TemplateResponse(
            request, "validation_report.html", {"report": report.to_json()}
        )
    return Response(report.serialize(RdfFormat(media_type)), media_type=media_type)


@router.get("/validate", response_class=HTMLResponse)
def validate_form(request: Request) -> HTMLResponse:
    """The stewards' upload form (validate a file without storing it)."""
    return templates.TemplateResponse(request, "validate_form.html", {})


@router.post(
    "/validate",
    responses={200: {"content": {t: {} for t in REPORT_MEDIA_TYPES}}, 400: {}, 413: {}, 415: {}},
)
async def validate(request: Request, runtime: RuntimeDep, wants: AcceptDep) -> Response:
    """Validate RDF against the server's shapes (or uploaded ones) without storing it."""
    media_type = wants.choose(REPORT_MEDIA_TYPES)
    data, fmt, shapes, shapes_format = await read_upload(request, runtime.settings.max_body_bytes)

    def run() -> Response:
        report = runtime.submissions.check(data, fmt, shapes=shapes, shapes_format=shapes_format)
        return render_report(request, report, media_type)

    response: Any = await run_in_threadpool(run)
    return response  # type: ignore[no-any-return]
