"""Dependencies as ``Annotated`` aliases; routes use the alias, never the provider."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from sro_graph.config import Settings
from sro_graph.runtime import Runtime
from sro_graph.store import Store
from sro_graph.vocab import Uris


def _runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


def _settings(request: Request) -> Settings:
    return _runtime(request).settings


def _store(request: Request) -> Store:
    return _runtime(request).store


def _uris(request: Request) -> Uris:
    return _runtime(request).uris


RuntimeDep = Annotated[Runtime, Depends(_runtime)]
SettingsDep = Annotated[Settings, Depends(_settings)]
StoreDep = Annotated[Store, Depends(_store)]
UrisDep = Annotated[Uris, Depends(_uris)]
