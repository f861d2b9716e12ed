"""Request bodies are read as sent: a ``Content-Encoding`` other than ``identity`` is refused.

Decompressing request bodies would let a few kilobytes of gzip expand to gigabytes (a "zip
bomb") before any size cap could look at them, and no client of ours needs it (bodies are at
most ``max_body_bytes``). So a compressed body gets 415 before anything reads it; responses
may still be gzipped (``Accept-Encoding``).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from sro_graph.web.errors import error_response

IDENTITY = {"", "identity"}


class RefuseEncodedBodiesMiddleware:
    """415 for any request that declares a ``Content-Encoding`` other than ``identity``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            codings = [
                value.decode("latin-1").strip().lower()
                for key, value in scope.get("headers", [])
                if key.lower() == b"content-encoding"
            ]
            if any(c not in IDENTITY for item in codings for c in item.split(",")):
                response = error_response(
                    Request(scope),
                    415,
                    "unsupported-encoding",
                    "Compressed request bodies (Content-Encoding) are not accepted; send the "
                    "body uncompressed.",
                    headers={"Accept-Encoding": "identity"},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)
