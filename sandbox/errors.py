"""RFC 9457 problem details: the one error shape of the sandbox (OAuth endpoints aside).

Views raise errors with ``flask_smorest.abort(status, message=..., errors=..., headers=...)``;
the API object turns every ``HTTPException`` into ``application/problem+json``.
"""
from __future__ import annotations

import http

import marshmallow as ma
from flask import Response, json
from flask_smorest import Api
from flask_smorest.spec import prepare_response
from werkzeug.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"


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


def problem_response(status: int, detail: str | None = None, *, title: str | None = None,
                     type_: str = "about:blank", errors: list[dict] | None = None,
                     headers: dict | None = None) -> Response:
    """Build an ``application/problem+json`` response."""
    phrase = http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ else "Error"
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
        return problem_response(error.code or 500, detail, title=data.get("title"),
                                type_=data.get("type", "about:blank"), errors=flat,
                                headers=headers)

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
