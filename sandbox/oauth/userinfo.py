"""OpenID Connect UserInfo (Core §5.3): GET or POST, with the access token in the
``Authorization`` header or, on POST, in the form body (RFC 6750 §2.1, §2.2)."""
from __future__ import annotations

from flask import Response, g, json, request

from sandbox import clock
from sandbox.api.auth import MALFORMED, bearer_challenge, bearer_credentials
from sandbox.oauth import claims, issuance
from sandbox.oauth.scopes import split

FORM = "application/x-www-form-urlencoded"


def _error(status: int, error: str | None, detail: str) -> Response:
    body = {"error": error or "invalid_request", "error_description": detail}
    response = Response(json.dumps(body), status=status, mimetype="application/json")
    response.headers.update(bearer_challenge(g.bank.id, error, detail if error else None,
                                             "openid" if status == 403 else None))
    return response


def userinfo_response() -> Response:
    """The claims the token's scopes release, or an RFC 6750 error with its challenge."""
    header, malformed = bearer_credentials()
    if malformed:
        return _error(401, malformed, MALFORMED)
    form = (request.form.get("access_token") if request.method == "POST"
            and request.mimetype == FORM else None)
    if header and form:
        return _error(400, "invalid_request", "Send the access token one way only.")
    token_string = header or form
    if token_string is None:
        return _error(401, None, "Send an access token: `Authorization: Bearer <token>`, "
                                 "or `access_token` in a POSTed form.")
    token = issuance.find_access_token(token_string)
    if token is None or not token.is_active(clock.now()):
        return _error(401, "invalid_token", "The access token is unknown, expired or revoked.")
    if "openid" not in split(token.scope):
        return _error(403, "insufficient_scope", "The token lacks the openid scope.")
    info = claims.user_info(token.get_user(), token.scope)
    return Response(json.dumps(dict(info)), mimetype="application/json")
