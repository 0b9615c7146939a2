"""OpenID Connect UserInfo (Core §5.3): GET or POST, with the access token in the
``Authorization`` header or, on POST, in the form body (RFC 6750 §2.1, §2.2), checked by the
one bearer path; errors are RFC 6750 JSON with the bank's challenge."""
from __future__ import annotations

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import InvalidRequestError, MissingAuthorizationError
from authlib.oauth2.rfc6750 import InsufficientScopeError
from flask import Response, g, json

from sandbox.extensions import db
from sandbox.models import Customer
from sandbox.oauth import claims
from sandbox.oauth.resource import MALFORMED, bearer_challenge, require_oauth

NEEDS_TOKEN = ("Send an access token: `Authorization: Bearer <token>`, or `access_token` in "
               "a POSTed form.")


def _error(status: int, error: str | None, detail: str) -> Response:
    body = {"error": error or "invalid_request", "error_description": detail}
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    response.headers.update(bearer_challenge(g.bank.id, error, detail if error else None,
                                             "openid" if status == 403 else None))
    return response


def _refusal(error: OAuth2Error) -> Response:
    if isinstance(error, MissingAuthorizationError):
        return _error(401, None, NEEDS_TOKEN)
    if isinstance(error, InvalidRequestError):
        if error.description == MALFORMED:
            return _error(401, "invalid_request", MALFORMED)
        return _error(400, "invalid_request", error.description)
    if isinstance(error, InsufficientScopeError):
        return _error(403, "insufficient_scope", "The token lacks the openid scope.")
    return _error(401, "invalid_token", "The access token is unknown, expired or revoked.")


def userinfo_response() -> Response:
    """The claims the token's scopes release, or an RFC 6750 error with its challenge."""
    try:
        grant = require_oauth.acquire_token(["openid"], form=True, bank_id=g.bank.id)
    except OAuth2Error as error:
        return _refusal(error)
    customer = db.session.get(Customer, grant.customer_id) if grant.customer_id else None
    info = claims.user_info(customer, " ".join(sorted(grant.scopes)))
    return Response(json.dumps(dict(info)), mimetype="application/json")
