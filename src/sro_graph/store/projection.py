"""The column order of ``SELECT *``: the variables in the order they appear in the query.

pyoxigraph (embedded and ``oxigraph serve``) lists the variables of ``SELECT *`` sorted by
name; users expect the order they wrote them in (issue 12.7). The engine still decides which
variables are in scope; only their order is taken from the text here. One linear pass.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

_TOKEN = re.compile(
    r"""
    '''(?:[^'\\]|\\.|'(?!''))*+(?:'''|\\?\Z)
  | \"\"\"(?:[^"\\]|\\.|"(?!""))*+(?:\"\"\"|\\?\Z)
  | '(?:[^'\\\n\r]|\\.)*+(?:'|\\?\Z|(?=[\n\r]))
  | "(?:[^"\\\n\r]|\\.)*+(?:"|\\?\Z|(?=[\n\r]))
  | <[^<>"{}|^`\x00-\x20]*+>
  | \#[^\n\r]*+
  | (?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]++)
  | (?P<word>[A-Za-z]++)
  | (?P<star>\*)
    """,
    re.VERBOSE | re.DOTALL,
)


@functools.lru_cache(maxsize=512)
def _star_order(query: str) -> tuple[str, ...] | None:
    """The variables of ``query`` in order of first appearance, when its (first) projection
    is ``*``; else None."""
    order: dict[str, None] = {}
    state = "before-select"  # -> "projection" -> "star" | "explicit"
    for match in _TOKEN.finditer(query):
        kind = match.lastgroup
        if state == "before-select":
            if kind == "word" and match.group().upper() == "SELECT":
                state = "projection"
            continue
        if state == "projection":
            if kind == "word" and match.group().upper() in ("DISTINCT", "REDUCED"):
                continue
            if kind == "star":
                state = "star"
                continue
            return None
        if kind == "var":
            order.setdefault(match.group()[1:])
    return tuple(order) if state == "star" else None


def projection_order(query: str | None, names: Sequence[str]) -> list[str]:
    """``names`` (the engine's variables) in the query's order for ``SELECT *``."""
    if not query or len(names) < 2:
        return list(names)
    order = _star_order(query)
    if order is None:
        return list(names)
    rank = {name: index for index, name in enumerate(order)}
    return sorted(names, key=lambda name: rank.get(name, len(rank)))
