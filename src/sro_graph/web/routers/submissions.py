"""``/submissions``: the stewards' validation-gated write API (bearer token)."""

from __future__ import annotations

import hmac
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from sro_graph.config import hash_token
from sro_graph.errors import ForbiddenError, UnauthorizedError, ValidationFailedError
from sro_graph.submissions import Accepted, Submission
from sro_graph.web.deps import RuntimeDep, SettingsDep
from sro_graph.web.http import read_capped

router = APIRouter(prefix="/submissions", tags=["submissions"])


def _steward(request: Request, settings: SettingsDep) -> str:
    """The hash of a valid steward token (401 without a token, 403 with a wrong one)."""
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise UnauthorizedError("This needs a steward token: 'Authorization: Bearer <token>'.")
    offered = hash_token(token.strip()).encode()
    matched: str | None = None
    # Compare against every configured hash, in constant time, without stopping early.
    for known in settings.steward_token_hashes:
        if hmac.compare_digest(offered, known.encode()):
            matched = known
    if matched is None:
        raise ForbiddenError("This token may not write submissions.")
    return matched


StewardDep = Annotated[str, Depends(_steward)]


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


@router.post("", status_code=201, responses={401: {}, 403: {}, 413: {}, 415: {}, 422: {}})
async def create_submission(request: Request, runtime: RuntimeDep, steward: StewardDep) -> Response:
    """Validate RDF and store it as a new submission (nothing is stored on violations)."""
    data = await read_capped(request, runtime.settings.max_body_bytes)
    media_type = request.headers.get("content-type", "")
    try:
        accepted = await run_in_threadpool(
            lambda: runtime.submissions.submit(data, media_type, submitter=steward)
        )
    except ValidationFailedError as exc:
        return _rejected(exc)
    return _accepted(accepted, 201)


@router.get("")
def list_submissions(
    runtime: RuntimeDep,
    page: Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")] = 1,
    per_page: Annotated[int, Query(ge=1, le=200, description="Submissions per page.")] = 50,
) -> JSONResponse:
    """Submissions, newest first, one page at a time."""
    items, total = runtime.submissions.list(page=page, per_page=per_page)
    body: dict[str, Any] = {
        "items": [_record(s, with_history=False) for s in items],
        "total": total,
        "page": page,
        "perPage": per_page,
    }
    if page * per_page < total:
        body["next"] = f"/submissions?page={page + 1}&per_page={per_page}"
    if page > 1:
        body["previous"] = f"/submissions?page={page - 1}&per_page={per_page}"
    return JSONResponse(body)


@router.get("/{submission_id}")
def read_submission(submission_id: str, runtime: RuntimeDep) -> JSONResponse:
    """A submission: metadata, provenance (every revision) and its latest report."""
    submission = runtime.submissions.get(submission_id)
    return JSONResponse(_record(submission), headers={"ETag": f'"{submission.etag}"'})


@router.put("/{submission_id}", responses={412: {}, 422: {}})
async def replace_submission(
    submission_id: str, request: Request, runtime: RuntimeDep, steward: StewardDep
) -> Response:
    """Replace a submission atomically; needs If-Match with its current ETag (else 412)."""
    data = await read_capped(request, runtime.settings.max_body_bytes)
    media_type = request.headers.get("content-type", "")
    if_match = request.headers.get("if-match")
    try:
        accepted = await run_in_threadpool(
            lambda: runtime.submissions.replace(
                submission_id, data, media_type, submitter=steward, if_match=if_match
            )
        )
    except ValidationFailedError as exc:
        return _rejected(exc)
    return _accepted(accepted, 200)


@router.delete("/{submission_id}", responses={412: {}})
def withdraw_submission(
    submission_id: str, request: Request, runtime: RuntimeDep, steward: StewardDep
) -> JSONResponse:
    """Withdraw a submission: its graph is removed, its provenance kept as history."""
    submission = runtime.submissions.withdraw(
        submission_id, submitter=steward, if_match=request.headers.get("if-match")
    )
    return JSONResponse(_record(submission))
