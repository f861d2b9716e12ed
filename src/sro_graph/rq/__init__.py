"""Internal SPARQL, one query per ``.rq`` file in this package (read once, cached)."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load(name: str) -> str:
    """The text of ``rq/{name}.rq``."""
    return resources.files(__package__).joinpath(f"{name}.rq").read_text(encoding="utf-8")
