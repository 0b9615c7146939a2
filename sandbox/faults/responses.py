"""Failures shaped like the real thing on each surface of a bank.

The data API and other JSON endpoints answer RFC 9457 problem+json (which the standards
dialects rewrite into their own shape: ``dialects.speak_the_dialect``), the OAuth endpoints
RFC 6749 error JSON, the login and consent pages a branded HTML error page.
"""
from __future__ import annotations

import http
import socket

from flask import Response, json, render_template_string, request

from sandbox import dialects
from sandbox.oauth.resource import bearer_challenge
from sandbox.errors import problem_response

#: OAuth endpoints whose errors are RFC 6749 JSON.
OAUTH_ENDPOINTS = frozenset({"token", "revoke", "introspect", "register", "par", "userinfo"})

_OAUTH_ERRORS = {400: "invalid_request", 401: "invalid_client", 403: "access_denied",
                 429: "temporarily_unavailable", 503: "temporarily_unavailable",
                 504: "temporarily_unavailable"}

_DETAILS = {
    401: "The access token is invalid, expired or revoked.",
    429: "Too many requests: slow down and retry after the indicated delay.",
    500: "The bank's server failed to process the request.",
    502: "The bank's upstream system answered with an error.",
    503: "The bank is temporarily unavailable. Retry after the indicated delay.",
    504: "The bank's upstream system did not answer in time.",
}

_PAGE = """{% extends "base.html" %}
{% block title %}{{ title }} · {{ bank.name if bank else "Sandbank" }}{% endblock %}
{% block content %}
<section class="card error-page">
  <h1>{{ title }}</h1>
  <p>{{ detail }}</p>
  {% if retry_after %}<p>Please try again in {{ retry_after }} seconds.</p>{% endif %}
  <p class="muted">Error {{ status }}</p>
</section>
{% endblock %}
"""


class ConnectionDropped(ConnectionError):
    """Raised for a ``drop`` fault when there is no socket to close (the in-process client)."""


def surface(rest: str) -> str:
    """Which kind of endpoint ``/banks/<id><rest>`` is: ``data`` (v1 and the dialects),
    ``oauth``, ``page``, ``json``."""
    if rest.startswith("/v1/") or dialects.at(rest) is not None:
        return "data"
    first = rest.strip("/").split("/", 1)[0]
    if first in OAUTH_ENDPOINTS:
        return "oauth"
    if first == "authorize" or _prefers_html():
        return "page"
    return "json"


def _prefers_html() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/html"])
    return best == "text/html" and request.accept_mimetypes["text/html"] > \
        request.accept_mimetypes["application/json"]


def detail_for(status: int) -> str:
    """The human explanation of an injected status."""
    if status in _DETAILS:
        return _DETAILS[status]
    return http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ \
        else "The bank answered with an error."


def failure(kind: str, status: int, *, retry_after: int | None = None, bank=None,
            detail: str | None = None) -> Response:
    """The response a real failure with ``status`` would produce on a ``kind`` surface."""
    detail = detail or detail_for(status)
    headers = {"Cache-Control": "no-store"}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    if kind == "oauth":
        return _oauth_error(status, detail, headers)
    if kind == "page":
        return _page(status, detail, retry_after, bank, headers)
    if status == 401:
        realm = request.path.split("/")[2] if request.path.startswith("/banks/") else "sandbox"
        headers.update(bearer_challenge(realm, "invalid_token", detail))
    return problem_response(status, detail, headers=headers)


def _oauth_error(status: int, detail: str, headers: dict) -> Response:
    error = _OAUTH_ERRORS.get(status, "server_error" if status >= 500 else "invalid_request")
    body = {"error": error, "error_description": detail}
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    response.headers.update(headers)
    response.headers["Pragma"] = "no-cache"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="token"'
    return response


def _page(status: int, detail: str, retry_after: int | None, bank, headers: dict) -> Response:
    title = "Down for maintenance" if status == 503 else (
        "Something went wrong" if status >= 500 else http.HTTPStatus(status).phrase)
    html = render_template_string(_PAGE, title=title, detail=detail, status=status,
                                  retry_after=retry_after, bank=bank)
    response = Response(html, status=status, mimetype="text/html")
    response.headers.update(headers)
    return response


def drop_connection() -> Response:
    """Close the client's connection without an answer.

    Under gunicorn (and Werkzeug's server) the socket is shut down, so writing the empty
    response fails quietly and the client sees the connection closed with no status line.
    """
    sock = request.environ.get("gunicorn.socket") or request.environ.get("werkzeug.socket")
    if sock is None:
        raise ConnectionDropped("X-Sandbox-Fault: drop (connection closed without a response)")
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    return Response(b"", status=500)
