"""The OpenAPI document as the service really answers.

- One operation id per operation: routes answering both GET and HEAD
  (``api_route(..., methods=["GET", "HEAD"])``) give FastAPI one id for two operations, which
  it reports as a duplicate and which breaks generated clients and schema-driven tests; the
  repeated id gets the method appended (``..._head``).
- Error bodies: 422 answers carry our ``{"error", "detail", "problems"}`` body
  (``web/errors.py``), not FastAPI's default ``HTTPValidationError``; the schema says so.
"""

from __future__ import annotations

import warnings
from typing import Any

from fastapi import FastAPI


def unique_operation_ids(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with every repeated ``operationId`` suffixed by its method (in place)."""
    seen: set[str] = set()
    for path in schema.get("paths", {}).values():
        for method in sorted(path, key=lambda m: (m == "head", m)):
            operation = path[method]
            if not isinstance(operation, dict) or "operationId" not in operation:
                continue
            op_id = operation["operationId"]
            if op_id in seen:
                op_id = f"{op_id}_{method}"
                operation["operationId"] = op_id
            seen.add(op_id)
    return schema


ERROR_BODY: dict[str, Any] = {
    "title": "Error",
    "description": "The error body of every 4xx and 5xx answer (JSON).",
    "type": "object",
    "required": ["error", "detail"],
    "properties": {
        "error": {"type": "string", "description": "A stable code, e.g. bad-parameter."},
        "detail": {"type": "string", "description": "What went wrong, for people."},
        "problems": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"where": {"type": "string"}, "problem": {"type": "string"}},
            },
        },
    },
}


def our_error_bodies(schema: dict[str, Any]) -> dict[str, Any]:
    """``schema`` with FastAPI's validation-error body replaced by ours (in place)."""
    components = schema.get("components", {}).get("schemas", {})
    if "HTTPValidationError" in components:
        components["HTTPValidationError"] = ERROR_BODY
    return schema


def install_openapi(app: FastAPI) -> None:
    """Serve ``app``'s OpenAPI document with unique operation ids."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            with warnings.catch_warnings():
                # Repeated ids are repaired just below, not reported.
                warnings.filterwarnings("ignore", message="Duplicate Operation ID")
                schema = FastAPI.openapi(app)
            app.openapi_schema = our_error_bodies(unique_operation_ids(schema))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
