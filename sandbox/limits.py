"""Request size limits, each answered with a documented problem+json before any view works.

- Query strings over ``MAX_QUERY_BYTES``: 414, checked before any other hook. Gunicorn refuses
  request lines over 8190 bytes with its own HTML 414 (its maximum, ``limit_request_line`` in
  sandbox/serving.py); the app's limit is well below that, so every over-long URL a client can
  send gets this answer instead.
- Bodies over ``MAX_BODY_BYTES`` (``MAX_CONTENT_LENGTH``): 413, raised by Werkzeug when a view
  or Authlib reads the body, so nothing of it is parsed or stored. The control plane, behind
  the admin key, takes scenario documents up to ``MAX_CONTROL_BODY_BYTES``.
- A NUL character in a query parameter, a form field or a JSON member: 422 naming it. No
  text the sandbox stores or looks up can hold one (PostgreSQL refuses it in any text value;
  both engines refuse it alike), so a token, code, client id or username with a NUL is
  refused before anything looks it up or stores it. Query strings and forms are checked by a
  hook; JSON as the request's body is read (``application.SandboxRequest``), so that the
  control plane's larger body limit still applies.
"""
from __future__ import annotations

import json
import re

from flask import Flask, Response, request

from sandbox.errors import Unprocessable, problem_response
from sandbox.extensions import api

#: The longest query string (bytes, percent-encoded) the sandbox accepts.
MAX_QUERY_BYTES = 4096
#: The largest request body (bytes) anywhere but the control plane.
MAX_BODY_BYTES = 1024 * 1024
#: The largest request body (bytes) the control plane accepts (scenario documents).
MAX_CONTROL_BODY_BYTES = 64 * 1024 * 1024
#: The character no stored text may hold (PostgreSQL refuses it in any text value).
NUL = "\x00"
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


class NulCharacter(Unprocessable):
    """A query parameter, form field or JSON member holds a NUL character: well-formed, but
    not a value the sandbox can take (422, as for any other unacceptable value)."""

    def __init__(self, field: str, location: str) -> None:
        super().__init__(f"{field} holds a NUL character, which no stored text may hold.",
                         field=field, location=location)


def reject_nul_characters() -> None:
    """``before_request`` hook: :class:`NulCharacter` for the query parameter or form field
    holding a NUL character (``%00``). JSON bodies are checked as they are read
    (:func:`refuse_nul_in_json`)."""
    if b"%00" in request.query_string:
        _refuse_nul_in(request.args, "query")
    if request.mimetype == "application/x-www-form-urlencoded":
        _refuse_nul_in(request.form, "form")


def _refuse_nul_in(fields, location: str) -> None:
    for name, value in fields.items(multi=True):
        if NUL in name or NUL in value:
            raise NulCharacter(name, location)


#: A NUL in JSON text: ``\u0000`` after an even number of backslashes.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def refuse_nul_in_json(body: bytes) -> None:
    """Raise :class:`NulCharacter` naming the first member of the JSON ``body`` whose name
    or value holds a NUL character; a body that is not JSON is left to its parser."""
    if not _JSON_NUL.search(body):
        return
    try:
        document = json.loads(body)
    except ValueError:
        return
    path = _nul_path(document, "")
    if path is not None:
        raise NulCharacter(path or "(body)", "json")


def _nul_path(value, path: str) -> str | None:
    """The path (``a.b[0]``, as in problem+json ``errors``) of the first NUL in ``value``."""
    if isinstance(value, str):
        return path if NUL in value else None
    if isinstance(value, dict):
        for key, member in value.items():
            inner = f"{path}.{key}" if path else key
            found = inner if NUL in key else _nul_path(member, inner)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, member in enumerate(value):
            found = _nul_path(member, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def init_app(app: Flask) -> None:
    """Bound every body, and document the 414 and the 422 (a NUL character) on every
    operation and the 413 on every one with a body (call after every blueprint is
    registered)."""
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    for name, description in (
            (RESPONSE, f"The query string is longer than {MAX_QUERY_BYTES} bytes."),
            (NUL_RESPONSE, "A query parameter, form field or JSON member holds a NUL "
                           "character."),
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
            responses.setdefault("422", {"$ref": f"#/components/responses/{NUL_RESPONSE}"})
            if method in BODY_METHODS:
                responses.setdefault("413", {"$ref": f"#/components/responses/{BODY_RESPONSE}"})
