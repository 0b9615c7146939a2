"""Bearer-token enforcement for the data API (RFC 6750), and its documentation.

Every data view is decorated with ``requires(scope)``: the token must be active by the sandbox
clock, issued by the bank in the path, and its scopes must name the kind of data. The view
then receives the token's :class:`~sandbox.services.tokens.Grant` after ``self``.
"""
from __future__ import annotations

from functools import wraps

import sqlalchemy as sa
from flask import request
from flask_smorest import Blueprint, abort

from sandbox.extensions import db
from sandbox.fastpath import connection, kept_grant_row
from sandbox.models import Bank
from sandbox.services.tokens import Grant, Rejection, grant_from_row, load_grant

SECURITY_SCHEME = "bearer"
INVALID_TOKEN = "INVALID_TOKEN"
INSUFFICIENT_SCOPE = "INSUFFICIENT_SCOPE"


#: The only ``error`` values of a Bearer challenge (RFC 6750 §3.1).
BEARER_ERRORS = frozenset({"invalid_request", "invalid_token", "insufficient_scope"})


def bearer_challenge(bank_id: str, error: str | None = None, description: str | None = None,
                     scope: str | None = None) -> dict:
    """The ``WWW-Authenticate`` header of every bearer-protected endpoint: realm is the bank
    id; no ``error`` when the request carried no credentials (RFC 6750 §3)."""
    if error is not None and error not in BEARER_ERRORS:
        raise ValueError(f"Not an RFC 6750 error code: {error}")
    parts = [f'realm="{bank_id}"']
    if error:
        parts.append(f'error="{error}"')
    if description:
        parts.append(f'error_description="{description}"')
    if scope:
        parts.append(f'scope="{scope}"')
    return {"WWW-Authenticate": "Bearer " + ", ".join(parts)}


#: The detail of a 401 ``invalid_request``: a Bearer credential that is not one token.
MALFORMED = "The Authorization header must be `Bearer <token>`, with exactly one token."


def bearer_credentials() -> tuple[str | None, str | None]:
    """The request's bearer token, or None and the challenge's ``error``: None when the
    request carries no Bearer token (no header, another scheme, an empty ``Bearer``),
    ``invalid_request`` when it is malformed (RFC 6750 §3.1). Every bearer-protected endpoint
    reads its token here."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None, None
    if " " in token:
        return None, "invalid_request"
    return token, None


def required_bearer_token(bank_id: str, needed: str) -> str:
    """The request's bearer token; aborts 404 for an unknown bank, else 401 with the bank's
    challenge (``needed`` explains what to send when no credentials came)."""
    token, error = bearer_credentials()
    if token is None:
        if not bank_exists(bank_id):
            abort(404, message=f"There is no bank {bank_id!r}.")
        unauthorized(bank_id, MALFORMED if error else needed, error)
    return token


def unauthorized(bank_id: str, detail: str, error: str | None = "invalid_token"):
    """Answer 401 problem+json with the matching ``WWW-Authenticate`` challenge."""
    abort(401, message=detail, headers=bearer_challenge(bank_id, error,
                                                     detail if error else None))


def bank_exists(bank_id: str) -> bool:
    """Whether ``bank_id`` names a bank (unknown banks answer 404, not 401)."""
    return db.session.scalar(sa.select(Bank.id).where(Bank.id == bank_id)) is not None


def authorize(bank_id: str, scope: str) -> Grant:
    """The grant of the request's bearer token for ``bank_id``; aborts 401, 403 or 404."""
    token = required_bearer_token(bank_id, "This endpoint needs an access token: send "
                                           "`Authorization: Bearer <token>`.")
    kept, row = kept_grant_row(token)
    grant = grant_from_row(row) if kept else load_grant(token, connection())
    if isinstance(grant, Rejection):
        if not bank_exists(bank_id):
            abort(404, message=f"There is no bank {bank_id!r}.")
        unauthorized(bank_id, grant.value)
    if grant.bank_id != bank_id:
        if not bank_exists(bank_id):
            abort(404, message=f"There is no bank {bank_id!r}.")
        unauthorized(bank_id, f"The access token was not issued by {bank_id}.")
    if grant.consent_id is None:
        abort(403, message="This token carries no customer consent (a client-credentials "
                           "token): data endpoints need a token from the authorization-code "
                           "flow.",
              headers=bearer_challenge(bank_id, "insufficient_scope", None, scope))
    if scope not in grant.scopes:
        abort(403, message=f"The token's consent does not include the `{scope}` scope.",
              headers=bearer_challenge(bank_id, "insufficient_scope",
                                 f"The {scope} scope is required.", scope))
    return grant


def requires(scope: str):
    """Decorate a data view: authorize the path's ``bank_id`` for ``scope`` and pass the grant
    as the view's first argument after ``self``; documents the security requirement and the
    401/403 answers."""
    document = Blueprint.doc(
        security=[{SECURITY_SCHEME: [scope]}],
        responses={401: INVALID_TOKEN, 403: INSUFFICIENT_SCOPE},
    )

    def decorator(view):
        @wraps(view)
        def wrapper(self, *args, bank_id: str, **kwargs):
            grant = authorize(bank_id, scope)
            return view(self, grant, *args, **kwargs)

        return document(wrapper)

    return decorator


def register_docs(spec) -> None:
    """Add the bearer security scheme and the 401/403 responses to ``spec``."""
    problem = {"$ref": "#/components/schemas/Problem"}
    challenge = {
        "description": "RFC 6750 challenge, e.g. `Bearer realm=\"harborline\", "
                       "error=\"invalid_token\"` (no `error` when no token was sent).",
        "schema": {"type": "string"},
        "required": True,
    }
    spec.components.security_scheme(SECURITY_SCHEME, {
        "type": "http",
        "scheme": "bearer",
        "description": (
            "An access token from the bank's OAuth 2.0 server (`POST {iss}/token`), sent as "
            "`Authorization: Bearer <token>`. The names in an operation's security requirement "
            "are the OAuth scopes the token's consent must include."
        ),
    })
    spec.components.response(INVALID_TOKEN, {
        "description": "Missing, unknown, expired or revoked access token, a token of another "
                       "bank, or a consent that is no longer authorized.",
        "headers": {"WWW-Authenticate": challenge},
        "content": {"application/problem+json": {"schema": problem, "example": {
            "type": "about:blank", "title": "Unauthorized", "status": 401,
            "detail": "The access token has expired."}}},
    })
    spec.components.response(INSUFFICIENT_SCOPE, {
        "description": "The token's consent does not include the scope this data needs.",
        "headers": {"WWW-Authenticate": challenge},
        "content": {"application/problem+json": {"schema": problem, "example": {
            "type": "about:blank", "title": "Forbidden", "status": 403,
            "detail": "The token's consent does not include the `transactions` scope."}}},
    })
