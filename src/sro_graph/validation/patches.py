"""What sro-graph changes inside pySHACL 0.40 (pinned in pyproject), each change idempotent.

- Constraint parameters are looked up in a frozenset instead of a list (same items, same
  order): with rdflib's Python-level ``__eq__`` the linear scan was half the time of a large
  validation.
- ``sh:pattern`` runs on the ``regex`` module with a time limit per value
  (:data:`PATTERN_LIMIT_S`): a pattern that backtracks catastrophically stops the
  validation with a clear error instead of holding a worker until the validation time limit.
- Within one run of the server's engine (:func:`memoized_run`), constraint components are
  built once per shape and kept by the engine, and a node shape that a value
  conforms to is not evaluated again for that value: concepts, municipalities and
  organisations referenced by many initiatives are checked once per run instead of once per
  reference. Only conforming outcomes (no results at all) are reused, so every result and
  its details are produced exactly as pySHACL produces them.
- In such a run no result description text is written (pySHACL formats one for every result,
  nested ones included, for a text report that sro-graph never reads), and an engine's
  shapes graph answers "which parameters does this shape have" from a cache
  (:func:`cache_shape_predicates`): pySHACL scanned the shape's triples on every evaluation.
- ``sh:uniqueLang`` is active only for the value ``true`` itself, as SHACL says: pySHACL also
  took ``"1"^^xsd:boolean`` for true (W3C test ``core/property/uniqueLang-002``).

Parity with stock ``pyshacl.validate`` is tested (tests/unit/test_validation.py).
"""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterable, Iterator
from typing import Any

from sro_graph.errors import UnsafeInputError


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


PATTERN_LIMIT_S = 0.05
"""Longest time one ``sh:pattern`` may take on one value (a sane pattern takes microseconds)."""


class _LimitedPattern:
    """A compiled pattern with pySHACL's ``match``/``search`` interface and a time limit."""

    def __init__(self, source: str, flags: int) -> None:
        import regex

        self.source = source
        self._compiled = regex.compile(
            source, (regex.I if flags & re.I else 0) | (regex.M if flags & re.M else 0)
        )

    def match(self, text: str) -> object:
        return self._limited(self._compiled.match, text)

    def search(self, text: str) -> object:
        return self._limited(self._compiled.search, text)

    def _limited(self, method: Any, text: str) -> object:
        try:
            return method(text, timeout=PATTERN_LIMIT_S)
        except TimeoutError:
            raise UnsafeInputError(
                f"The sh:pattern '{self.source[:100]}' took longer than "
                f"{PATTERN_LIMIT_S * 1000:g} ms on one value (catastrophic backtracking); "
                "the validation was stopped. Simplify the pattern (no nested quantifiers "
                "such as (a+)+)."
            ) from None


def _patterns_with_a_time_limit() -> None:
    from pyshacl.constraints.core.string_based_constraints import PatternConstraintComponent

    if getattr(PatternConstraintComponent, "_sro_limited", False):
        return
    original = PatternConstraintComponent.__init__

    def __init__(self: Any, shape: Any) -> None:
        original(self, shape)
        self.compiled_cache = {
            key: _LimitedPattern(compiled.pattern, compiled.flags)
            for key, compiled in self.compiled_cache.items()
        }

    PatternConstraintComponent.__init__ = __init__  # type: ignore[method-assign]
    PatternConstraintComponent._sro_limited = True  # type: ignore[attr-defined]


_MEMO: contextvars.ContextVar[set[tuple[Any, Any]] | None] = contextvars.ContextVar(
    "sro_graph_shape_memo", default=None
)
_COMPONENTS: contextvars.ContextVar[dict[tuple[int, type], Any] | None] = contextvars.ContextVar(
    "sro_graph_component_cache", default=None
)


@contextlib.contextmanager
def memoized_run(components: dict[tuple[int, type], Any]) -> Iterator[None]:
    """For one validation run: reuse conforming shape outcomes, and the constraint components
    built for each shape (``components``, kept by the engine that owns the shapes: a
    component is built from its shape alone, and pySHACL rebuilt it on every evaluation)."""
    memo_token = _MEMO.set(set())
    components_token = _COMPONENTS.set(components)
    try:
        yield
    finally:
        _MEMO.reset(memo_token)
        _COMPONENTS.reset(components_token)


class _CachedComponent:
    """Stands in for a constraint component class in pySHACL's parameter map: builds the
    component, or reuses the one built for the same shape during a memoized run."""

    def __init__(self, cls: type) -> None:
        self.cls = cls

    def __call__(self, shape: Any) -> Any:
        cache = _COMPONENTS.get()
        if cache is None:
            return self.cls(shape)
        key = (id(shape), self.cls)
        component = cache.get(key)
        if component is None:
            component = cache[key] = self.cls(shape)
        return component


def _memoized_shape_validation() -> None:
    from pyshacl.shape import Shape
    from rdflib.term import IdentifiedNode, Literal

    if getattr(Shape, "_sro_memoized", False):
        return
    original = Shape.validate

    def validate(
        self: Any,
        executor: Any,
        target_graph: Any,
        focus: Any = None,
        _evaluation_path: Any = None,
    ) -> Any:
        memo = _MEMO.get()
        if memo is None or not isinstance(focus, IdentifiedNode | Literal):
            return original(self, executor, target_graph, focus, _evaluation_path)
        key = (self.node, focus)
        if key in memo:
            return True, []
        conforms, reports = original(self, executor, target_graph, focus, _evaluation_path)
        if conforms and not reports:
            memo.add(key)
        return conforms, reports

    Shape.validate = validate  # type: ignore[method-assign]
    Shape._sro_memoized = True  # type: ignore[attr-defined]


def _no_descriptions_in_memoized_runs() -> None:
    from pyshacl.constraints.constraint_component import ConstraintComponent

    if getattr(ConstraintComponent, "_sro_quiet", False):
        return
    original = ConstraintComponent.make_v_result_description

    def make_v_result_description(self: Any, *args: Any, **kwargs: Any) -> str:
        if _COMPONENTS.get() is not None:
            return ""
        return str(original(self, *args, **kwargs))

    ConstraintComponent.make_v_result_description = make_v_result_description  # type: ignore[method-assign]
    ConstraintComponent._sro_quiet = True  # type: ignore[attr-defined]


def cache_shape_predicates(shapes_graph: Any) -> None:
    """Answer ``predicate_objects`` of this (harvested, no longer changing) shapes graph from
    a cache: ``Shape.validate`` asks it for the shape's parameters on every evaluation."""
    original = shapes_graph.predicate_objects
    cache: dict[Any, tuple[tuple[Any, Any], ...]] = {}

    def predicate_objects(subject: Any) -> tuple[tuple[Any, Any], ...]:
        found = cache.get(subject)
        if found is None:
            found = cache[subject] = tuple(original(subject))
        return found

    shapes_graph.predicate_objects = predicate_objects


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
    _patterns_with_a_time_limit()
    _memoized_shape_validation()
    _no_descriptions_in_memoized_runs()

    current = getattr(shape_module, "CONSTRAINT_PARAMS", (None, None))[0]
    if not isinstance(current, _Parameters):
        factories: dict[type, _CachedComponent] = {}
        shape_module.CONSTRAINT_PARAMS = (  # type: ignore[attr-defined]
            _Parameters(ALL_CONSTRAINT_PARAMETERS),
            {
                parameter: factories.setdefault(cls, _CachedComponent(cls))
                for parameter, cls in CONSTRAINT_PARAMETERS_MAP.items()
            },
        )
