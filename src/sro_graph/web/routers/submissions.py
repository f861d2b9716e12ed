"""``/submissions``: the stewards' validation-gated write API (bearer token), its reads, and
the spreadsheet template."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Security
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from sro_graph.config import Steward
from sro_graph.errors import ValidationFailedError
from sro_graph.formats import MediaType, content_type
from sro_graph.rdfio import SUPPORTED_MEDIA_TYPES
from sro_graph.submissions import Accepted, SheetFormat, Submission, Upload
from sro_graph.web.deps import RuntimeDep
from sro_graph.web.http import read_capped

router = APIRouter(prefix="/submissions", tags=["submissions"])

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="stewardToken",
    description="A steward's token (`Authorization: Bearer <token>`); the service keeps only "
    "its SHA-256 (SRO_STEWARDS), mapped to the steward's name and organisation.",
)

_UPLOAD_TYPES = (*SUPPORTED_MEDIA_TYPES, SheetFormat.CSV.value, SheetFormat.XLSX.value)
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The data: RDF in one of its syntaxes, or the filled-in initiatives "
        "template (XLSX or CSV, see /submissions/template.xlsx). The Content-Type says which.",
        "content": {
            media: (
                {"schema": {"type": "string", "format": "binary"}}
                if media == SheetFormat.XLSX.value
                else {"schema": {"type": "string"}}
            )
            for media in _UPLOAD_TYPES
        },
    }
}
PublishQuery = Annotated[
    list[str] | None,
    Query(
        description="A dataset this submission declares (its IRI) to publish in the DCAT "
        "catalogue; repeatable; 'all' publishes every declared dataset. Without it, declared "
        "datasets are not published.",
        max_length=100,
    ),
]


def _steward(
    request: Request,
    runtime: RuntimeDep,
    _documented: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> Steward:
    """The steward holding the request's bearer token (401 without one, 403 for an unknown)."""
    return runtime.submissions.stewards.authenticate(request.headers.get("authorization"))


StewardDep = Annotated[Steward, Depends(_steward)]


async def _upload(request: Request, runtime: RuntimeDep) -> Upload:
    data = await read_capped(request, runtime.settings.max_body_bytes)
    return Upload(data=data, media_type=request.headers.get("content-type", ""))


UploadDep = Annotated[Upload, Depends(_upload)]


def _record(submission: Submission, *, with_history: bool = True) -> dict[str, Any]:
    body = submission.to_json(with_history=with_history)
    body["href"] = f"/submissions/{submission.id}"
    return body


def _accepted(accepted: Accepted, status: int) -> JSONResponse:
    submission = accepted.submission
    body = _record(submission)
    body["report"] = accepted.report.to_json()
    body["warnings"] = accepted.report.counts["warning"]
    headers = {"ETag": f'"{submission.etag}"', "Location": f"/submissions/{submission.id}"}
    return JSONResponse(body, status_code=status, headers=headers)


def _rejected(exc: ValidationFailedError) -> JSONResponse:
    return JSONResponse(
        {"error": exc.code, "detail": exc.detail, "report": exc.report.to_json()}, status_code=422
    )


_WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"description": "Unreadable data, or data the gate refuses (conflicts, unsafe IRIs)."},
    401: {"description": "No bearer token."},
    403: {"description": "A token no steward holds, or a submission of another steward."},
    413: {"description": "The body (or spreadsheet) is too large."},
    415: {"description": "Neither RDF nor the spreadsheet template."},
    422: {"description": "Violations: nothing stored; the body carries the report."},
}


@router.post("", status_code=201, responses=_WRITE_ERRORS, openapi_extra=UPLOAD_BODY)
async def create_submission(
    runtime: RuntimeDep, steward: StewardDep, upload: UploadDep, publish: PublishQuery = None
) -> Response:
    """Validate RDF or a filled-in template and store it as a new submission (nothing is
    stored on violations)."""
    try:
        accepted = await run_in_threadpool(
            lambda: runtime.submissions.submit(upload, steward=steward, publish=publish or ())
        )
    except ValidationFailedError as exc:
        return _rejected(exc)
    return _accepted(accepted, 201)


@router.post("/check", responses=_WRITE_ERRORS, openapi_extra=UPLOAD_BODY)
async def check_submission(
    runtime: RuntimeDep,
    steward: StewardDep,
    upload: UploadDep,
    publish: PublishQuery = None,
    replaces: Annotated[
        str | None, Query(description="Check as a replacement of this submission (its id).")
    ] = None,
) -> JSONResponse:
    """Everything a submission would check, storing nothing: the report says whether it
    would be accepted, where each problem is, and which datasets would be published."""
    report = await run_in_threadpool(
        lambda: runtime.submissions.preview(
            upload, steward=steward, replaces=replaces, publish=publish or ()
        )
    )
    return JSONResponse(report.to_json())


@router.get("")
def list_submissions(
    request: Request,
    runtime: RuntimeDep,
    page: Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")] = 1,
    per_page: Annotated[int, Query(ge=1, le=200, description="Submissions per page.")] = 50,
    mine: Annotated[
        bool, Query(description="Only the submissions of the token's steward (needs the token).")
    ] = False,
    steward: Annotated[
        str | None, Query(max_length=200, description="Only the submissions of this steward id.")
    ] = None,
) -> JSONResponse:
    """Submissions, newest first, one page at a time."""
    owner = steward
    if mine:
        owner = runtime.submissions.stewards.authenticate(request.headers.get("authorization")).id
    items, total = runtime.submissions.list(page=page, per_page=per_page, owner=owner)
    body: dict[str, Any] = {
        "items": [_record(s, with_history=False) for s in items],
        "total": total,
        "page": page,
        "perPage": per_page,
    }
    query = f"&per_page={per_page}" + ("&mine=true" if mine else "")
    if owner is not None and not mine:
        query += f"&steward={owner}"
    if page * per_page < total:
        body["next"] = f"/submissions?page={page + 1}{query}"
    if page > 1:
        body["previous"] = f"/submissions?page={page - 1}{query}"
    return JSONResponse(body)


@router.get("/me", responses={401: {}, 403: {}})
def who_am_i(steward: StewardDep) -> JSONResponse:
    """The steward the token belongs to: public id, name, organisation, admin rights."""
    return JSONResponse(
        {
            "id": steward.id,
            "name": steward.name,
            "organisation": steward.organisation,
            "admin": steward.admin,
        }
    )


_TEMPLATES = {
    "template.xlsx": (SheetFormat.XLSX.value, "xlsx"),
    "template.csv": (content_type(MediaType.CSV), "csv"),
    "codes.csv": (content_type(MediaType.CSV), "codes.csv"),
}


@router.get("/template.xlsx", response_class=Response)
def template_xlsx(runtime: RuntimeDep) -> Response:
    """The initiatives template as an Excel workbook, with sheets of the allowed codes."""
    return _template(runtime, "template.xlsx")


@router.get("/template.csv", response_class=Response)
def template_csv(runtime: RuntimeDep) -> Response:
    """The initiatives template as CSV (the header row, ';'-separated)."""
    return _template(runtime, "template.csv")


@router.get("/codes.csv", response_class=Response)
def codes_csv(runtime: RuntimeDep) -> Response:
    """Every allowed code of the template (challenges, objectives, focus domains,
    municipalities, organisations...), as CSV."""
    return _template(runtime, "codes.csv")


def _template(runtime: RuntimeDep, name: str) -> Response:
    media_type, kind = _TEMPLATES[name]
    download = "sro-initiatieven-" + name if name.startswith("template") else "sro-codes.csv"
    return Response(
        runtime.submissions.template(kind),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{download}"'},
    )


@router.get("/{submission_id}")
def read_submission(submission_id: str, runtime: RuntimeDep) -> JSONResponse:
    """A submission: owner, status, provenance (every revision) and its latest report."""
    submission = runtime.submissions.get(submission_id)
    return JSONResponse(_record(submission), headers={"ETag": f'"{submission.etag}"'})


@router.put(
    "/{submission_id}",
    responses={
        **_WRITE_ERRORS,
        409: {"description": "Other submissions reference what the replacement drops."},
        412: {"description": "If-Match is not the current ETag."},
        428: {"description": "No If-Match."},
    },
    openapi_extra=UPLOAD_BODY,
)
async def replace_submission(
    submission_id: str,
    request: Request,
    runtime: RuntimeDep,
    steward: StewardDep,
    upload: UploadDep,
    publish: PublishQuery = None,
) -> Response:
    """Replace a submission atomically (its owner or an admin); needs If-Match with its
    current ETag (428 without, 412 when stale)."""
    if_match = request.headers.get("if-match")
    try:
        accepted = await run_in_threadpool(
            lambda: runtime.submissions.replace(
                submission_id, upload, steward=steward, if_match=if_match, publish=publish or ()
            )
        )
    except ValidationFailedError as exc:
        return _rejected(exc)
    return _accepted(accepted, 200)


@router.delete(
    "/{submission_id}",
    responses={
        401: {},
        403: {},
        404: {},
        409: {"description": "Other submissions reference this one's subjects (listed)."},
        412: {"description": "If-Match is not the current ETag."},
        428: {"description": "No If-Match."},
    },
)
def withdraw_submission(
    submission_id: str, request: Request, runtime: RuntimeDep, steward: StewardDep
) -> JSONResponse:
    """Withdraw a submission (its owner or an admin; If-Match needed): its graph is removed,
    its provenance kept as history."""
    submission = runtime.submissions.withdraw(
        submission_id, steward=steward, if_match=request.headers.get("if-match")
    )
    return JSONResponse(_record(submission))
