"""CORS for the steward (write) API: an explicit origin list, never ``*`` (STYLE.md §4.2).

The public read API answers every origin without credentials. The steward API under
``/submissions`` must only be callable from the configured origins (``steward_cors_origins``),
with ``Authorization`` and ``If-Match`` allowed. This middleware sits outside the public CORS
middleware: for steward paths it answers preflights itself and replaces the public policy's
headers with its own; other paths pass through untouched.

Wire it in ``create_app`` after the public ``CORSMiddleware`` (so it runs first)::

    app.add_middleware(StewardCorsMiddleware, origins=settings.steward_cors_origins)
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

STEWARD_PREFIX = "/submissions"


class StewardCorsMiddleware:
    """Only ``origins`` may call ``/submissions`` from a browser."""

    def __init__(
        self, app: ASGIApp, *, origins: Sequence[str], prefix: str = STEWARD_PREFIX
    ) -> None:
        self.app = app
        self.prefix = prefix
        self.cors = CORSMiddleware(
            app=self._without_public_policy,
            allow_origins=list(origins),
            allow_credentials=False,
            allow_methods=["GET", "POST", "PUT", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "Accept"],
            expose_headers=["ETag", "Location"],
            max_age=600,
        )

    async def _without_public_policy(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def strip(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if not k.lower().startswith(b"access-control-")
                ]
            await send(message)

        await self.app(scope, receive, strip)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if path == self.prefix or path.startswith(self.prefix + "/"):
            await self.cors(scope, receive, send)
        else:
            await self.app(scope, receive, send)
