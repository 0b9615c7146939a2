"""What every answer of the UK Open Banking dialect shares: the blueprint, the FAPI headers,
the ``Links``/``Meta`` envelope and errors as ``OBErrorResponse1``.

Errors raised by the views (:class:`~sandbox.errors.SandboxError`, a parser's ``abort``) are
rendered here in OB's shape; a problem+json answer made outside the views (an injected
fault, a refused host, a method the path does not allow) is rewritten into the same shape by
:func:`failure` (through ``sandbox.dialects.speak_the_dialect``), status and headers kept.
"""
from __future__ import annotations

import http
import re
import uuid

from flask import Response, current_app, json, request
from flask_smorest import Blueprint
from werkzeug.exceptions import HTTPException

from sandbox.errors import (
    BadRequest, NotFound, SandboxError, Unprocessable, flatten_errors,
)
from sandbox.web.urls import public_base_url

PATH = "/open-banking/v4.0/aisp"
AUTH_DATE = "x-fapi-auth-date"
#: RFC 7231 full date, as the document's ``x-fapi-auth-date`` parameter spells it.
AUTH_DATE_FORMAT = re.compile(
    r"(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"\d{4} \d{2}:\d{2}:\d{2} (GMT|UTC)")

#: ``OBError1.ErrorCode`` (OB_Internal_CodeSet ``OBExternalStatusReason1Code``) by status.
FIELD_INVALID, FIELD_MISSING = "U002", "U004"
HEADER_INVALID, INVALID_FORMAT, RESOURCE_NOT_FOUND = "U006", "U010", "U011"
OTHER_REASON, UNEXPECTED_ERROR, FORBIDDEN = "U042", "U000", "AG01"
_BY_STATUS = {400: FIELD_INVALID, 403: FORBIDDEN, 404: RESOURCE_NOT_FOUND, 406: HEADER_INVALID,
              409: "U029", 415: INVALID_FORMAT, 422: FIELD_INVALID}
#: Statuses the published document does not define for these operations, and the one OB
#: uses instead (its profile: an unknown id is a 400, not a 404).
_OB_STATUS = {NotFound: (400, RESOURCE_NOT_FOUND), Unprocessable: (400, FIELD_INVALID)}

blp = Blueprint("ukob", __name__, url_prefix="/banks/<bank_id>" + PATH,
                description="UK Open Banking Account and Transaction API 4.0 (AISP).")


def error_code(status: int) -> str:
    """The ``ErrorCode`` of an error with ``status`` and nothing more specific to say."""
    if status >= 500:
        return UNEXPECTED_ERROR
    return _BY_STATUS.get(status, OTHER_REASON)


def ob_error(status: int, errors: list[dict], headers: dict | None = None) -> Response:
    """An ``OBErrorResponse1`` answer; ``errors`` are ``OBError1`` objects (``ErrorCode``,
    ``Message``, optional ``Path``), cut to the document's lengths."""
    phrase = http.HTTPStatus(status).phrase if status in http.HTTPStatus._value2member_map_ \
        else "Error"
    kept = [{key: value[:500] for key, value in error.items() if value} for error in errors]
    body = {"Code": f"{status} {phrase}"[:40], "Id": str(uuid.uuid4()),
            "Message": kept[0]["Message"], "Errors": kept}
    response = current_app.response_class(json.dumps(body), status=status,
                                          mimetype="application/json")
    response.headers.extend(headers or {})
    return response


@blp.errorhandler(SandboxError)
def _sandbox_error(error: SandboxError):
    status, code = next((mapped for kind, mapped in _OB_STATUS.items()
                         if isinstance(error, kind)), (error.status, None))
    if error.location == "headers":
        code = HEADER_INVALID
    code = code or error_code(status)
    return ob_error(status, [{"ErrorCode": code, "Message": error.detail,
                              "Path": error.field}],
                    error.headers)


@blp.errorhandler(HTTPException)
def _http_error(error: HTTPException):
    """A parser's ``abort`` (its messages name the fields) or any other HTTP error."""
    data = getattr(error, "data", None) or {}
    messages = data.get("errors", data.get("messages"))
    found = flatten_errors(messages) if isinstance(messages, (dict, list)) else []
    status = 400 if error.code == 422 else (error.code or 500)
    if not found:
        return ob_error(status, [{"ErrorCode": error_code(status),
                                  "Message": data.get("message") or error.description}],
                        data.get("headers"))
    return ob_error(status, [{"ErrorCode": _code_of(entry["message"]), "Path": entry["path"],
                              "Message": f"{entry['path']}: {entry['message']}"}
                             for entry in found], data.get("headers"))


def _code_of(message: str) -> str:
    return FIELD_MISSING if message.startswith("Missing data") else FIELD_INVALID


def check_fapi_headers() -> None:
    """Refuse an ``x-fapi-auth-date`` that is not an RFC 7231 date, as the document says
    (called once the token is known good: a request without one is a 401 first)."""
    sent = request.headers.get(AUTH_DATE)
    if sent is not None and not AUTH_DATE_FORMAT.fullmatch(sent):
        raise BadRequest(f"{AUTH_DATE} must be an RFC 7231 date, e.g. "
                         "`Sun, 10 Sep 2017 19:43:31 UTC`.", field=AUTH_DATE,
                         location="headers")


def failure(status: int, detail: str, headers: dict) -> Response:
    """An error made outside the views (a fault, a refused host, a routing error) as
    ``OBErrorResponse1``."""
    return ob_error(status, [{"ErrorCode": error_code(status), "Message": detail}], headers)


def self_link() -> str:
    """The URL of this request, for ``Links.Self``."""
    return public_base_url() + request.full_path.rstrip("?")


def envelope(data: dict, next_link: str | None = None, pages: int | None = 1,
             self_url: str | None = None) -> dict:
    """An OB answer: ``Data``, ``Links`` (``Self``: ``self_url``, else this request's URL;
    ``Next`` while pages remain) and ``Meta`` (``TotalPages`` when known)."""
    links = {"Self": self_url or self_link()}
    if next_link is not None:
        links["Next"] = next_link
    return {"Data": data, "Links": links, "Meta": {} if pages is None else {"TotalPages": pages}}


def answer(body: dict | None, status: int = 200) -> Response:
    """A JSON answer of the dialect (no body: an empty answer)."""
    if body is None:
        return current_app.response_class(status=status)
    return current_app.response_class(json.dumps(body), status=status,
                                      mimetype="application/json")
