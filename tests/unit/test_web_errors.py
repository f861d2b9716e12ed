"""``web/errors.py``: the one table from error class to HTTP status (issue 16)."""

from __future__ import annotations

import pytest

from sro_graph import errors as e
from sro_graph.store import (
    StoreBusy,
    StoreConflict,
    StoreError,
    StoreMismatch,
    StoreQueryError,
    StoreTimeout,
    StoreUnavailable,
)
from sro_graph.web.errors import STATUS, status_for


def _subclasses(base: type[Exception]) -> list[type[Exception]]:
    out: list[type[Exception]] = []
    for cls in base.__subclasses__():
        out += [cls, *_subclasses(cls)]
    return out


@pytest.mark.parametrize("cls", [*_subclasses(e.SroError), *_subclasses(StoreError)])
def test_every_error_class_has_a_status_below_500(cls: type[Exception]) -> None:
    """An error raised on purpose is never answered as an internal error."""
    exc = cls.__new__(cls)
    assert 400 <= status_for(exc) < 500 or status_for(exc) == 503


def test_no_row_of_the_table_is_shadowed_by_an_earlier_base() -> None:
    """First match wins, so a subclass listed after its base would never be reached."""
    for index, (cls, _) in enumerate(STATUS):
        earlier = [base for base, _ in STATUS[:index]]
        assert not any(issubclass(cls, base) for base in earlier), cls


@pytest.mark.parametrize(
    ("exc", "status"),
    [
        (e.BadParameterError("x"), 422),
        (e.QuerySyntaxError("x"), 400),
        (e.UnsupportedFormatError("x"), 415),
        (e.NotAcceptableError("x"), 406),
        (e.BusyError("x"), 503),
        (StoreBusy("x"), 503),
        (StoreTimeout("x"), 503),
        (StoreUnavailable("x"), 503),
        (StoreMismatch("x"), 503),
        (StoreQueryError("x"), 400),
        (StoreConflict("x"), 400),
        (ValueError("x"), 500),
    ],
)
def test_status_for_known_classes(exc: Exception, status: int) -> None:
    assert status_for(exc) == status
