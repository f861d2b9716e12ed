"""What sro-graph changes inside pySHACL 0.40 (pinned in pyproject), each change idempotent.

- Constraint parameters are looked up in a frozenset instead of a list (same items, same
  order): with rdflib's Python-level ``__eq__`` the linear scan was half the time of a large
  validation.
- ``sh:uniqueLang`` is active only for the value ``true`` itself, as SHACL says: pySHACL also
  took ``"1"^^xsd:boolean`` for true (W3C test ``core/property/uniqueLang-002``).

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


def _unique_lang_only_for_true() -> None:
    from pyshacl.constraints.core.string_based_constraints import UniqueLangConstraintComponent
    from rdflib import Literal

    from sro_graph.vocab import SH, XSD

    if getattr(UniqueLangConstraintComponent, "_sro_true_only", False):
        return
    original = UniqueLangConstraintComponent.__init__

    def __init__(self: Any, shape: Any) -> None:
        original(self, shape)
        (value,) = set(shape.objects(SH.uniqueLang))  # pySHACL checked there is exactly one
        self.string_rules = {value == Literal("true", datatype=XSD.boolean, normalize=False)}

    UniqueLangConstraintComponent.__init__ = __init__  # type: ignore[method-assign]
    UniqueLangConstraintComponent._sro_true_only = True  # type: ignore[attr-defined]


def apply_patches() -> None:
    """Install every patch (idempotent; safe for plain ``pyshacl.validate`` callers too)."""
    from pyshacl import shape as shape_module
    from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP

    _unique_lang_only_for_true()

    current = getattr(shape_module, "CONSTRAINT_PARAMS", (None, None))[0]
    if not isinstance(current, _Parameters):
        shape_module.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
            _Parameters(ALL_CONSTRAINT_PARAMETERS),
            CONSTRAINT_PARAMETERS_MAP,
        )
