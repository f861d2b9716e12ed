"""The HTTP helpers routes share: capped body reading, ETags and 304s, gzip, result responses.

Each helper does one protocol job the same way on every route; routers import these instead
of each other.
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime

from fastapi import Request
from fastapi.responses import Response

from sro_graph.errors import TooLargeError
from sro_graph.formats import content_type
from sro_graph.store import RawResult

GZIP_MIN_BYTES = 1024
"""Smaller bodies are sent as they are: gzip would barely shrink them."""
TRUNCATED_HEADER = "X-SRO-Truncated"
TRUNCATED_BY_HEADER = "X-SRO-Truncated-By"
"""Set to ``true`` on a query result cut at the row cap."""


def declared_length(request: Request) -> int | None:
    """The Content-Length the client declared, or None when it sent none (or nonsense)."""
    declared = request.headers.get("content-length")
    return int(declared) if declared is not None and declared.isdigit() else None


async def read_capped(request: Request, cap: int) -> bytes:
    """The request body, refused with 413 as soon as it passes ``cap`` bytes.

    Raises:
        TooLargeError: the declared or the actual body is larger than ``cap``.
    """
    declared = declared_length(request)
    if declared is not None and declared > cap:
        raise TooLargeError(f"The body is {declared} bytes; the limit is {cap} bytes.")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise TooLargeError(f"The body is larger than the limit of {cap} bytes.")
        chunks.append(chunk)
    return b"".join(chunks)


def weak_etag(*parts: str) -> str:
    """A weak ETag over ``parts`` (representations that are equivalent, not byte-equal)."""
    return 'W/"' + hashlib.sha256("\0".join(parts).encode()).hexdigest()[:32] + '"'


def strong_etag(body: bytes) -> str:
    """A strong ETag over the exact bytes of ``body``."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def not_modified(request: Request, etag: str, modified: datetime | None = None) -> bool:
    """True when the request's validators say the client's copy is current (answer 304).

    If-None-Match wins over If-Modified-Since (RFC 9110 §13.2.2); tags compare weakly.
    """
    match = request.headers.get("if-none-match")
    if match is not None:
        tags = {t.strip().removeprefix("W/") for t in match.split(",")}
        return "*" in tags or etag.removeprefix("W/") in tags
    since = request.headers.get("if-modified-since")
    if since and modified is not None:
        try:
            when = parsedate_to_datetime(since)
        except (TypeError, ValueError):
            return False
        return modified.replace(microsecond=0) <= when
    return False


def respond(
    request: Request,
    body: bytes,
    media_type: str,
    headers: dict[str, str],
    *,
    compressible: bool = True,
) -> Response:
    """``body`` as the response, gzipped when the client accepts it and it is worth it; a
    HEAD request gets the headers (with the length) and no body."""
    if (
        compressible
        and "gzip" in request.headers.get("accept-encoding", "").lower()
        and len(body) >= GZIP_MIN_BYTES
    ):
        body = gzip.compress(body, compresslevel=6, mtime=0)
        headers["Content-Encoding"] = "gzip"
    if request.method == "HEAD":
        headers["Content-Length"] = str(len(body))
        return Response(status_code=200, media_type=media_type, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


def result_response(result: RawResult, headers: Mapping[str, str] | None = None) -> Response:
    """The response for a serialised query result, with the truncation header when it was
    cut at the row cap."""
    out = {"Vary": "Accept", **(headers or {})}
    if result.truncated:  # the JSON body says so already (QueryRunner)
        out[TRUNCATED_HEADER] = "true"
        out[TRUNCATED_BY_HEADER] = result.truncated_by or "rows"  # or "bytes": the size cap
    return Response(result.body, media_type=content_type(result.media_type), headers=out)
