"""Errors: one hierarchy for what can go wrong, one rendering as RFC 9457 problem details.

Services raise a :class:`SandboxError` subclass (a status, a detail, and the field that is
wrong when one is); the handler registered by :func:`init_app` renders it as
``application/problem+json``, the CLI renders the same error as a message. Views that parse
input use ``flask_smorest.abort``; the API object turns every ``HTTPException`` into the same
problem+json. OAuth endpoints keep RFC 6749 errors (Authlib), pages keep HTML.

A browser navigating to a page (its ``Accept`` prefers HTML to JSON, and the path is not one
of the machine interfaces of :data:`MACHINE_PATHS`) gets the same status, title and detail as
a branded HTML page instead (:func:`respond`).
"""
from __future__ import annotations

import http
import re

import marshmallow as ma
from flask import Flask, Response, g, has_request_context, json, render_template, request
from flask_smorest import Api
from flask_smorest.spec import prepare_response
from werkzeug.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"
#: Paths whose errors are problem+json whatever the client accepts: the OpenAPI document,
#: probes, the control plane, discovery, the bank listing and, under an issuer, everything
#: but the person's pages (``authorize``, ``connections``).
MACHINE_PATHS = re.compile(
    r"/(?:openapi\.json$|healthz$|readyz$|sandbox(?:/|$)|\.well-known/"
    r"|banks/?$|banks/[^/]+/?$|banks/[^/]+/(?!(?:authorize|connections)(?:/|$)))")


class SandboxError(Exception):
    """Something the caller asked for cannot be done: the base of every domain error.

    ``detail`` says what happened in words a client developer can act on; ``field`` names
    the input that is wrong (``location`` says where it was: ``query``, ``json``, ``path``,
    ``headers``, ``form``); ``headers`` go on the response (``Retry-After``...).
    """

    status = 400
    title: str | None = None

    def __init__(self, detail: str, *, field: str | None = None,
                 location: str | None = None, headers: dict | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.location = location
        self.headers = headers or {}

    def problem_errors(self) -> list[dict] | None:
        """The ``errors`` member of the problem: the wrong field, when there is one."""
        if self.field is None:
            return None
        return [_entry(self.field, self.location, self.detail)]


class BadRequest(SandboxError):
    """The request cannot be understood as sent (400)."""

    status = 400


class Unauthorized(SandboxError):
    """No credentials, or credentials that are not valid (401)."""

    status = 401


class Forbidden(SandboxError):
    """Valid credentials that do not allow this (403)."""

    status = 403


class NotFound(SandboxError):
    """What the request names does not exist, or is not visible to the caller (404)."""

    status = 404


class Conflict(SandboxError):
    """The request contradicts the current state (409)."""

    status = 409


class Unprocessable(SandboxError):
    """Well-formed, but a value is not acceptable (422)."""

    status = 422


class TooManyRequests(SandboxError):
    """Too many attempts; try again later (429)."""

    status = 429


class Unavailable(SandboxError):
    """The sandbox cannot do this now (503)."""

    status = 503


class ProblemErrorSchema(ma.Schema):
    """One invalid field: where it is and what is wrong with it."""

    path = ma.fields.String(
        metadata={"description": "Location of the invalid value, e.g. `limit` or "
                                 "`customers[2].accounts[0].amount`."}
    )
    location = ma.fields.String(
        metadata={"description": "Part of the request holding the value: `query`, `json`, "
                                 "`headers`, `path` or `form`."}
    )
    message = ma.fields.String(metadata={"description": "What is wrong with the value."})


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem details object."""

    type = ma.fields.String(
        metadata={"description": "URI identifying the problem type; `about:blank` when the "
                                 "HTTP status says it all."}
    )
    title = ma.fields.String(metadata={"description": "Short summary of the problem type."})
    status = ma.fields.Integer(metadata={"description": "HTTP status code."})
    detail = ma.fields.String(metadata={"description": "Explanation of this occurrence."})
    errors = ma.fields.List(
        ma.fields.Nested(ProblemErrorSchema),
        metadata={"description": "Invalid fields, one entry each (validation errors only)."},
    )


def flatten_errors(messages, location: str | None = None, prefix: str = "") -> list[dict]:
    """Flatten marshmallow/webargs nested error messages into ``{path, location, message}``."""
    found: list[dict] = []
    if isinstance(messages, dict):
        for key, value in messages.items():
            if prefix == "" and location is None and key in (
                "query", "json", "headers", "path", "form", "view_args", "files", "cookies"
            ):
                found.extend(flatten_errors(value, "path" if key == "view_args" else key))
                continue
            if isinstance(key, int):
                path = f"{prefix}[{key}]"
            elif key == "_schema":
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else str(key)
            found.extend(flatten_errors(value, location, path))
    elif isinstance(messages, (list, tuple)) and messages and all(
        isinstance(m, str) for m in messages
    ):
        for message in messages:
            found.append(_entry(prefix, location, message))
    elif isinstance(messages, (list, tuple)):
        for index, value in enumerate(messages):
            found.extend(flatten_errors(value, location, f"{prefix}[{index}]"))
    else:
        found.append(_entry(prefix, location, str(messages)))
    return found


def _entry(path: str, location: str | None, message: str) -> dict:
    entry = {"path": path or "(body)", "message": message}
    if location:
        entry["location"] = location
    return entry


def _phrase(status: int) -> str:
    return http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ else "Error"


def problem_response(status: int, detail: str | None = None, *, title: str | None = None,
                     type_: str = "about:blank", errors: list[dict] | None = None,
                     headers: dict | None = None) -> Response:
    """Build an ``application/problem+json`` response."""
    phrase = _phrase(status)
    body = {"type": type_, "title": title or phrase, "status": status,
            "detail": detail or phrase}
    if errors:
        body["errors"] = errors
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


class SandboxApi(Api):
    """flask-smorest ``Api`` whose errors are problem+json, and documented as such."""

    ERROR_SCHEMA = ProblemSchema

    def handle_http_exception(self, error: HTTPException):
        """Render any HTTP error, raised by ``abort`` or by Werkzeug, as problem+json."""
        data = getattr(error, "data", None) or {}
        errors = data.get("errors", data.get("messages"))
        flat = flatten_errors(errors) if isinstance(errors, (dict, list)) else None
        detail = data.get("message")
        if detail is None and flat:
            detail = "; ".join(f"{e['path']}: {e['message']}" for e in flat[:5])
        if detail is None:
            detail = error.description
        headers = dict(data.get("headers") or {})
        if error.code == 405 and getattr(error, "valid_methods", None):
            headers.setdefault("Allow", ", ".join(error.valid_methods))
        return respond(error.code or 500, detail, title=data.get("title"),
                       type_=data.get("type", "about:blank"), errors=flat, headers=headers)

    def _register_responses(self):
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_JSON)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Default error response", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_JSON)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def wants_page() -> bool:
    """Whether the current request is a browser navigating to a page: its ``Accept``
    prefers ``text/html`` to JSON, and its path is not in :data:`MACHINE_PATHS`."""
    if not has_request_context():
        return False
    best = request.accept_mimetypes.best_match((PROBLEM_JSON, "application/json", "text/html"))
    return best == "text/html" and not MACHINE_PATHS.match(request.path)


def error_page(status: int, detail: str | None = None, *, title: str | None = None,
               errors: list[dict] | None = None, headers: dict | None = None) -> Response:
    """The HTML page of an error: the same status, title and detail as its problem, in the
    colours of the request's bank when it has one."""
    phrase = _phrase(status)
    body = render_template("error.html", status=status, title=title or phrase,
                           detail=detail or phrase, errors=errors or [],
                           bank=g.get("bank"))
    response = Response(body, status=status, mimetype="text/html")
    response.headers.update(headers or {})
    return response


def respond(status: int, detail: str | None = None, *, title: str | None = None,
            type_: str = "about:blank", errors: list[dict] | None = None,
            headers: dict | None = None) -> Response:
    """An error as the client prefers it: an HTML page for a browser on a page
    (:func:`wants_page`), problem+json for everything else."""
    if wants_page():
        return error_page(status, detail, title=title, errors=errors, headers=headers)
    return problem_response(status, detail, title=title, type_=type_, errors=errors,
                            headers=headers)


def render(error: SandboxError) -> Response:
    """The response for a domain error: problem+json, or a page for a browser."""
    return respond(error.status, error.detail, title=error.title,
                   errors=error.problem_errors(), headers=error.headers)


def init_app(app: Flask) -> None:
    """Render every :class:`SandboxError` a view lets through as problem+json (or a page)."""
    app.register_error_handler(SandboxError, render)
