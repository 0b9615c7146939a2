"""CDR's error shape (``ResponseErrorListV2``): ``{"errors": [{"code", "title", "detail"}]}``.

Codes come from the Consumer Data Standards' error catalogue, which the published documents
reference by name (``[400 - Invalid Field](#error-400-field-invalid)``...). Every error of the
dialect's blueprint is rendered here: the dialect's own :class:`CdrError`, the services'
:class:`~sandbox.errors.SandboxError` (through :data:`BY_DETAIL` and :data:`BY_STATUS`);
what the sandbox answers before the dialect's views run (an injected fault, an unknown path,
a method no operation has) is rewritten by :func:`failure` (``sandbox.dialects.speak_the_dialect``).
"""
from __future__ import annotations

from flask import Response, json

from sandbox.errors import SandboxError
from sandbox.services.accounts import NO_ACCOUNT
from sandbox.services.tokens import Rejection
from sandbox.services.transactions import NO_TRANSACTION

_ALL = "urn:au-cds:error:cds-all:"
_BANKING = "urn:au-cds:error:cds-banking:"

#: code → title, as the catalogue words them.
TITLES = {
    _ALL + "Field/Missing": "Missing Required Field",
    _ALL + "Header/Missing": "Missing Required Header",
    _ALL + "Field/Invalid": "Invalid Field",
    _ALL + "Header/Invalid": "Invalid Header",
    _ALL + "Field/InvalidDateTime": "Invalid Date",
    _ALL + "Field/InvalidPageSize": "Invalid Page Size",
    _ALL + "Header/InvalidVersion": "Invalid Version",
    _ALL + "Header/UnsupportedVersion": "Unsupported Version",
    _ALL + "Field/InvalidPage": "Invalid Page",
    _ALL + "Authorisation/InvalidConsent": "Consent Is Invalid",
    _ALL + "Resource/Invalid": "Invalid Resource",
    _ALL + "Resource/NotFound": "Resource Not Found",
    _BANKING + "Authorisation/InvalidBankingAccount": "Invalid Banking Account",
    _ALL + "GeneralError/Expected": "Expected Error Encountered",
    _ALL + "GeneralError/Unexpected": "Unexpected Error Encountered",
    _ALL + "Service/Unavailable": "Service Unavailable",
}
FIELD_MISSING, HEADER_MISSING = _ALL + "Field/Missing", _ALL + "Header/Missing"
FIELD_INVALID, INVALID_DATE = _ALL + "Field/Invalid", _ALL + "Field/InvalidDateTime"
INVALID_PAGE_SIZE, INVALID_PAGE = _ALL + "Field/InvalidPageSize", _ALL + "Field/InvalidPage"
INVALID_VERSION = _ALL + "Header/InvalidVersion"
UNSUPPORTED_VERSION = _ALL + "Header/UnsupportedVersion"
INVALID_BANKING_ACCOUNT = _BANKING + "Authorisation/InvalidBankingAccount"
INVALID_RESOURCE, NOT_FOUND = _ALL + "Resource/Invalid", _ALL + "Resource/NotFound"
INVALID_CONSENT, EXPECTED = _ALL + "Authorisation/InvalidConsent", _ALL + "GeneralError/Expected"

#: Codes of the services' errors that name what was not found (the v1 detail is kept).
BY_DETAIL = {NO_ACCOUNT: INVALID_BANKING_ACCOUNT, NO_TRANSACTION: INVALID_RESOURCE,
             Rejection.CONSENT_INACTIVE.value: INVALID_CONSENT}
#: Codes of every other status.
BY_STATUS = {400: FIELD_INVALID, 404: NOT_FOUND, 406: UNSUPPORTED_VERSION, 422: INVALID_PAGE,
             503: _ALL + "Service/Unavailable", 500: _ALL + "GeneralError/Unexpected"}


class CdrError(SandboxError):
    """An error of the dialect with its CDR ``code`` (a status of the catalogue)."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code


def error_response(status: int, code: str, detail: str, headers: dict | None = None) -> Response:
    """A CDR error answer: ``{"errors": [one error]}``."""
    body = {"errors": [{"code": code, "title": TITLES.get(code, "Error"), "detail": detail}]}
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    response.headers.update(headers or {})
    return response


def code_of(status: int, detail: str) -> str:
    """The CDR code of a service error with ``status`` and ``detail``."""
    return BY_DETAIL.get(detail) or BY_STATUS.get(status, EXPECTED)


def handle_sandbox_error(error: SandboxError) -> Response:
    """A domain error raised under the dialect, in CDR's shape."""
    code = error.code if isinstance(error, CdrError) else code_of(error.status, error.detail)
    return error_response(error.status, code, error.detail, error.headers)


def failure(status: int, detail: str, headers: dict) -> Response:
    """An injected fault (``/sandbox/faults``, ``X-Sandbox-Fault``) in CDR's shape."""
    return error_response(status, code_of(status, detail), detail, headers)
