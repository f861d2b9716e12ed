"""Internal SPARQL, one query per ``.rq`` file in this package (read once, cached)."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def load(name: str) -> str:
    """The text of ``rq/{name}.rq``."""
    return resources.files(__package__).joinpath(f"{name}.rq").read_text(encoding="utf-8")


def based(name: str, base: str) -> str:
    """The text of ``rq/{name}.rq`` under ``BASE <base>``, so that its host-relative IRIs
    (``</ns/smartregio#>``) name this deployment's terms without binding them as variables
    (a VALUES-bound variable used in only some UNION branches loses the other branches' rows
    on Virtuoso)."""
    return f"BASE <{base}>\n{load(name)}"
