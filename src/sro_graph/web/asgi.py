"""The application built from the environment, for ASGI servers that import an app by name.

``uvicorn --workers N sro_graph.web.asgi:app`` (and ``sro-graph serve --workers N``) start N
processes that each import this module; every worker reads ``SRO_*`` itself and opens its own
connection to the shared remote store. Nothing is opened at import: the lifespan does that.
"""

from __future__ import annotations

from sro_graph.config import get_settings
from sro_graph.web.app import create_app

app = create_app(get_settings())
