"""What sro-graph changes inside pySHACL 0.40 (pinned in pyproject), each change idempotent.

- Constraint parameters are looked up in a frozenset instead of a list (same items, same
  order): with rdflib's Python-level ``__eq__`` the linear scan was half the time of a large
  validation.

Parity with stock ``pyshacl.validate`` is tested (tests/unit/test_validation.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class _Parameters(list):  # type: ignore[type-arg]
    """pySHACL's list of constraint parameters with O(1) membership (same items, same order).

    ``Shape.validate`` tests every predicate of a shape against this list for each (nested)
    evaluation. ``copy()`` still returns a plain list, as pySHACL's advanced mode needs.
    """

    def __init__(self, items: Iterable[Any]) -> None:
        super().__init__(items)
        self._members = frozenset(self)

    def __contains__(self, item: object) -> bool:
        return item in self._members


def apply_patches() -> None:
    """Install every patch (idempotent; safe for plain ``pyshacl.validate`` callers too)."""
    from pyshacl import shape as shape_module
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    current = getattr(shape_module, "CONSTRAINT_PARAMS", (None, None))[0]
    if not isinstance(current, _Parameters):
        shape_module.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
            _Parameters(ALL_CONSTRAINT_PARAMETERS),
            CONSTRAINT_PARAMETERS_MAP,
        )
