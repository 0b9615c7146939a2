"""Request size limits, each answered with a documented problem+json before any view works.

- Query strings over ``MAX_QUERY_BYTES``: 414, checked before any other hook. Gunicorn refuses
  request lines over 8190 bytes with its own HTML 414 (its maximum, ``limit_request_line`` in
  sandbox/serving.py); the app's limit is well below that, so every over-long URL a client can
  send gets this answer instead.
- Bodies over ``MAX_BODY_BYTES`` (``MAX_CONTENT_LENGTH``): 413, raised by Werkzeug when a view
  or Authlib reads the body, so nothing of it is parsed or stored. The control plane, behind
  the admin key, takes scenario documents up to ``MAX_CONTROL_BODY_BYTES``.
- A NUL character in the query string or in a form field: 400 naming the field. No text the
  sandbox stores or looks up can hold one (PostgreSQL refuses it in any text value), so a
  token, code or client id with a NUL is refused before anything looks it up.
"""
from __future__ import annotations

from flask import Flask, Response, request

from sandbox.errors import problem_response
from sandbox.extensions import api

#: The longest query string (bytes, percent-encoded) the sandbox accepts.
MAX_QUERY_BYTES = 4096
#: The largest request body (bytes) anywhere but the control plane.
MAX_BODY_BYTES = 1024 * 1024
#: The largest request body (bytes) the control plane accepts (scenario documents).
MAX_CONTROL_BODY_BYTES = 64 * 1024 * 1024
RESPONSE = "URI_TOO_LONG"
BODY_RESPONSE = "CONTENT_TOO_LARGE"
NUL_RESPONSE = "NUL_CHARACTER"
BODY_METHODS = {"put", "post", "patch"}
METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}


def reject_long_query() -> Response | None:
    """``before_request`` hook: 414 problem+json when the query string is too long."""
    if len(request.query_string) > MAX_QUERY_BYTES:
        return problem_response(414, f"The query string is longer than {MAX_QUERY_BYTES} "
                                     "bytes.")
    return None


def reject_nul_characters() -> Response | None:
    """``before_request`` hook: 400 problem+json naming the query parameter or form field
    that holds a NUL character (``%00``)."""
    if b"%00" in request.query_string:
        return _nul_in(request.args, "query")
    if request.mimetype == "application/x-www-form-urlencoded":
        return _nul_in(request.form, "form")
    return None


def _nul_in(fields, location: str) -> Response | None:
    for name, value in fields.items(multi=True):
        if "\x00" in name or "\x00" in value:
            return problem_response(
                400, f"The {location} field {name!r} holds a NUL character.",
                errors=[{"path": name, "location": location,
                         "message": "Must not contain a NUL character."}])
    return None


def init_app(app: Flask) -> None:
    """Bound every body, and document the 414 and the 400 (a NUL character) on every
    operation and the 413 on every one with a body (call after every blueprint is
    registered)."""
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    for name, description in (
            (RESPONSE, f"The query string is longer than {MAX_QUERY_BYTES} bytes."),
            (NUL_RESPONSE, "A query parameter or form field holds a NUL character (or the "
                           "request is otherwise malformed)."),
            (BODY_RESPONSE, f"The body is larger than {MAX_BODY_BYTES:,} bytes "
                            f"({MAX_CONTROL_BODY_BYTES:,} on the control plane).")):
        api.spec.components.response(name, {
            "description": description,
            "content": {"application/problem+json": {
                "schema": {"$ref": "#/components/schemas/Problem"}}},
        })
    for operations in api.spec._paths.values():
        for method, operation in operations.items():
            if method not in METHODS:
                continue
            responses = operation.setdefault("responses", {})
            responses.setdefault("414", {"$ref": f"#/components/responses/{RESPONSE}"})
            responses.setdefault("400", {"$ref": f"#/components/responses/{NUL_RESPONSE}"})
            if method in BODY_METHODS:
                responses.setdefault("413", {"$ref": f"#/components/responses/{BODY_RESPONSE}"})
