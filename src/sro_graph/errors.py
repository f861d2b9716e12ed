"""The error tree of sro-graph. Services raise these; the web layer and the CLI map them.

Each class has a stable ``code`` slug and a ``detail`` written for users: never library text
that leaks paths, URLs, tokens or traces.

    SroError
    ├── InputError                 bad input that the user can fix (400)
    │   ├── UnparseableError       RDF that does not parse (with line/column when known)
    │   ├── BadParameterError      a query parameter of the wrong type or value (422)
    │   ├── QueryRejectedError     a SPARQL request we refuse (update, SERVICE, LOAD, ...)
    │   ├── QuerySyntaxError       a SPARQL query that does not parse
    │   ├── UnsafeInputError       DOCTYPE, remote JSON-LD context, owl:imports, ...
    │   └── ConflictingDataError   a submission that rewrites base knowledge or others' data
    │       └── DependentsError    a withdrawal or replace that others' data depends on (409)
    ├── UnsupportedFormatError     a media type we cannot read (415)
    ├── NotAcceptableError         no representation fits the Accept header (406)
    ├── TooLargeError              body over the cap (413)
    ├── NotFoundError              no such resource (404)
    ├── UnauthorizedError          no credentials (401)
    ├── ForbiddenError             wrong credentials (403)
    ├── PreconditionFailedError    If-Match does not match (412)
    ├── PreconditionRequiredError  a conditional request without If-Match (428)
    ├── ValidationFailedError      SHACL violations; carries the report (422)
    ├── BusyError                  all workers busy; carries retry_after (503)
    ├── QueryTimeoutError          the time limit ran out (503 for SPARQL, 504 upstream)
    └── StoreUnavailableError      the store cannot be reached (503)
"""

from __future__ import annotations

from typing import Any


class SroError(Exception):
    """Base of every error sro-graph raises on purpose."""

    code = "error"

    def __init__(self, detail: str, **context: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.context = context


class InputError(SroError):
    code = "bad-input"


class UnparseableError(InputError):
    code = "unparseable"

    def __init__(self, detail: str, *, line: int | None = None, column: int | None = None) -> None:
        super().__init__(detail, line=line, column=column)
        self.line = line
        self.column = column


class BadParameterError(InputError):
    code = "bad-parameter"


class QueryRejectedError(InputError):
    code = "query-rejected"


class QuerySyntaxError(InputError):
    code = "query-syntax"


class UnsafeInputError(InputError):
    code = "unsafe-input"


class ConflictingDataError(InputError):
    code = "conflicting-data"


class DependentsError(ConflictingDataError):
    """Other submissions reference what would be removed; ``dependents`` lists them (JSON)."""

    code = "has-dependents"

    def __init__(self, detail: str, *, dependents: list[dict[str, Any]]) -> None:
        super().__init__(detail)
        self.dependents = dependents


class UnsupportedFormatError(SroError):
    code = "unsupported-format"


class NotAcceptableError(SroError):
    code = "not-acceptable"

    def __init__(self, detail: str, *, available: list[str] | None = None) -> None:
        super().__init__(detail, available=available or [])
        self.available = available or []


class TooLargeError(SroError):
    code = "too-large"


class NotFoundError(SroError):
    code = "not-found"


class UnauthorizedError(SroError):
    code = "unauthorized"


class ForbiddenError(SroError):
    code = "forbidden"


class PreconditionFailedError(SroError):
    code = "precondition-failed"


class PreconditionRequiredError(SroError):
    code = "precondition-required"


class ValidationFailedError(SroError):
    """SHACL violations: nothing was stored. ``report`` is the validation report."""

    code = "validation-failed"

    def __init__(self, detail: str, *, report: Any) -> None:
        super().__init__(detail)
        self.report = report


class BusyError(SroError):
    code = "busy"

    def __init__(self, detail: str, *, retry_after: int = 1) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.retry_after = retry_after


class QueryTimeoutError(SroError):
    code = "timeout"


class StoreUnavailableError(SroError):
    code = "store-unavailable"
