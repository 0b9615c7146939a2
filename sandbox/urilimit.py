"""Over-long query strings answer a documented problem+json 414, before any other hook.

Gunicorn refuses request lines over 8190 bytes with its own HTML 414 (its maximum,
``limit_request_line`` in sandbox/serving.py); the app's limit is well below that, so every
over-long URL a client can send gets this answer instead.
"""
from __future__ import annotations

from flask import Flask, Response, request

from sandbox.errors import problem_response
from sandbox.extensions import api

#: The longest query string (bytes, percent-encoded) the sandbox accepts.
MAX_QUERY_BYTES = 4096
RESPONSE = "URI_TOO_LONG"
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def reject_long_query() -> Response | None:
    """``before_request`` hook: 414 problem+json when the query string is too long."""
    if len(request.query_string) > MAX_QUERY_BYTES:
        return problem_response(414, f"The query string is longer than {MAX_QUERY_BYTES} "
                                     "bytes.")
    return None


def init_app(app: Flask) -> None:
    """Run the check first on every request and document the 414 on every operation (call
    after every blueprint is registered)."""
    app.before_request_funcs.setdefault(None, []).insert(0, reject_long_query)
    api.spec.components.response(RESPONSE, {
        "description": f"The query string is longer than {MAX_QUERY_BYTES} bytes.",
        "content": {"application/problem+json": {
            "schema": {"$ref": "#/components/schemas/Problem"}}},
    })
    for operations in api.spec._paths.values():
        for method, operation in operations.items():
            if method in METHODS:
                operation.setdefault("responses", {}).setdefault(
                    "414", {"$ref": f"#/components/responses/{RESPONSE}"})
