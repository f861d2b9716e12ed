"""Every answer says whether the graph behind it holds illustrative example data.

When the store holds the example initiatives (``SRO_LOAD_EXAMPLES``, graphs under
``{base}/graph/voorbeelden/``), any answer may contain fictional initiatives, budgets and
lighthouses next to real names. This middleware adds ``X-SRO-Examples: true`` to every response
then (``false`` otherwise, ``unknown`` when the store cannot be asked), so named queries, /sparql,
/doc pages, the instruments and their feeds are all flagged the same way. Pages add a visible
banner (``base.html``); plain-JSON named queries an ``"examples"`` member.
"""

from __future__ import annotations

import logging

from anyio import to_thread
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sro_graph.runtime import Runtime

log = logging.getLogger(__name__)

EXAMPLES_HEADER = "X-SRO-Examples"


async def examples_state(runtime: Runtime | None) -> str:
    """``true``, ``false`` or ``unknown``: whether the runtime's store holds example data."""
    if runtime is None:
        return "unknown"
    try:
        # The answer is cached in the runtime; a refresh asks the store, so off the event loop.
        loaded = await to_thread.run_sync(runtime.examples_loaded)
    except Exception:  # a store that cannot answer: say so rather than "false"
        log.warning("could not tell whether example data is loaded", exc_info=True)
        return "unknown"
    return "true" if loaded else "false"


class ExamplesFlagMiddleware:
    """Adds ``X-SRO-Examples`` to every HTTP response of the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state: dict[str, str] = {}

        async def send_flagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                if "value" not in state:
                    app = scope.get("app")
                    runtime = getattr(getattr(app, "state", None), "runtime", None)
                    state["value"] = await examples_state(runtime)
                headers = list(message.get("headers", []))
                headers.append((EXAMPLES_HEADER.lower().encode("latin-1"), state["value"].encode()))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_flagged)
