"""Request limits: an over-long query string (414) or body (413) answers a documented
problem+json, never a server's HTML page or a worker holding an endless body in memory.

Gunicorn refuses request lines over 8190 bytes with its own HTML 414 (its maximum,
``limit_request_line`` in sandbox/serving.py); the app's query limit is well below that, so
every over-long URL a client can send gets this answer instead. Bodies over
``MAX_BODY_BYTES`` (Flask's ``MAX_CONTENT_LENGTH``) are refused before they are read.
"""
from __future__ import annotations

from flask import Flask, Response, request

from sandbox.errors import problem_response
from sandbox.extensions import api

#: The longest query string (bytes, percent-encoded) the sandbox accepts.
MAX_QUERY_BYTES = 4096
#: The largest request body: room for big QA scenario documents, not for endless uploads.
MAX_BODY_BYTES = 16 * 1024 * 1024
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
#: Component responses documented on every operation, by status.
RESPONSES = {
    "413": ("PAYLOAD_TOO_LARGE", f"The request body is larger than {MAX_BODY_BYTES} bytes."),
    "414": ("URI_TOO_LONG", f"The query string is longer than {MAX_QUERY_BYTES} bytes."),
}


def reject_long_query() -> Response | None:
    """``before_request`` hook: 414 problem+json when the query string is too long."""
    if len(request.query_string) > MAX_QUERY_BYTES:
        return problem_response(414, RESPONSES["414"][1])
    return None


def init_app(app: Flask) -> None:
    """Run the query check first on every request, cap bodies (unless the config sets its own
    ``MAX_CONTENT_LENGTH``), and document both answers on every operation (call after every
    blueprint is registered)."""
    if app.config["MAX_CONTENT_LENGTH"] is None:
        app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.before_request_funcs.setdefault(None, []).insert(0, reject_long_query)
    for name, description in RESPONSES.values():
        api.spec.components.response(name, {
            "description": description,
            "content": {"application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"}}},
        })
    for operations in api.spec._paths.values():
        for method, operation in operations.items():
            if method in METHODS:
                responses = operation.setdefault("responses", {})
                for status, (name, _) in RESPONSES.items():
                    responses.setdefault(status, {"$ref": f"#/components/responses/{name}"})
