"""Bearer-token enforcement for the data API (RFC 6750), and its documentation.

Every data view is decorated with ``requires(scope)``: the token must be active by the sandbox
clock, issued by the bank in the path, and its scopes must name the kind of data. The view
then receives the token's :class:`~sandbox.services.tokens.Grant` after ``self``. The token
is checked by the one bearer path, :data:`sandbox.oauth.resource.require_oauth`;
:func:`authorize` turns its refusals into problem+json.
"""
from __future__ import annotations

from functools import wraps

import sqlalchemy as sa
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import InvalidRequestError, MissingAuthorizationError
from authlib.oauth2.rfc6750 import InvalidTokenError
from flask_smorest import Blueprint

from sandbox.errors import Forbidden, NotFound, SandboxError, Unauthorized
from sandbox.extensions import db
from sandbox.models import Bank
from sandbox.oauth.resource import (
    CLIENT,
    CUSTOMER,
    WrongTokenKind,
    bearer_challenge,
    require_oauth,
)
from sandbox.services.tokens import Grant

SECURITY_SCHEME = "bearer"
INVALID_TOKEN = "INVALID_TOKEN"
INSUFFICIENT_SCOPE = "INSUFFICIENT_SCOPE"

#: What a request without a token is told, by the kind of token the endpoint needs.
NEEDS = {
    CUSTOMER: "This endpoint needs an access token: send `Authorization: Bearer <token>`.",
    CLIENT: "This endpoint needs a client-credentials token: send "
            "`Authorization: Bearer <token>`.",
}
#: Why a token of the other kind is refused.
WRONG_KIND = {
    CUSTOMER: "This token carries no customer consent (a client-credentials token): data "
              "endpoints need a token from the authorization-code flow.",
    CLIENT: "Webhook subscriptions belong to the client, not to a customer: use a "
            "client-credentials token (`grant_type=client_credentials`).",
}


def authorize(bank_id: str, kind: str, scope: str | None = None) -> Grant:
    """The grant of the request's bearer token for ``bank_id``, acting for ``kind`` (a
    customer, or the client itself) and holding ``scope``; raises the problem that refuses
    it: 404 for an unknown bank, else 401 with the bank's challenge, or 403."""
    try:
        return require_oauth.acquire_token([scope] if scope else None, bank_id=bank_id,
                                           kind=kind)
    except OAuth2Error as error:
        raise refusal(error, bank_id, kind, scope) from None


def refusal(error: OAuth2Error, bank_id: str, kind: str, scope: str | None) -> SandboxError:
    """The problem+json answer to the Authlib ``error`` refusing a token (RFC 6750)."""
    if isinstance(error, WrongTokenKind):
        if kind == CLIENT:
            return Forbidden(WRONG_KIND[kind])
        return Forbidden(WRONG_KIND[kind], headers=bearer_challenge(
            bank_id, "insufficient_scope", None, scope))
    if not isinstance(error, (MissingAuthorizationError, InvalidRequestError,
                              InvalidTokenError)):
        return Forbidden(f"The token's consent does not include the `{scope}` scope.",
                         headers=bearer_challenge(bank_id, "insufficient_scope",
                                                  error.description, scope))
    if not bank_exists(bank_id):
        return NotFound(f"There is no bank {bank_id!r}.")
    if isinstance(error, MissingAuthorizationError):
        return Unauthorized(NEEDS[kind], headers=bearer_challenge(bank_id))
    code = "invalid_request" if isinstance(error, InvalidRequestError) else "invalid_token"
    return Unauthorized(error.description, headers=bearer_challenge(
        bank_id, code, error.description))


def bank_exists(bank_id: str) -> bool:
    """Whether ``bank_id`` names a bank (unknown banks answer 404, not 401)."""
    return db.session.scalar(sa.select(Bank.id).where(Bank.id == bank_id)) is not None


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
            return view(self, authorize(bank_id, CUSTOMER, scope), *args, **kwargs)

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
