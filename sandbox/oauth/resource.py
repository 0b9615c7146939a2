"""The resource server's side: one bearer path for every protected endpoint (RFC 6750).

``require_oauth`` is Authlib's Flask ``ResourceProtector`` with one ``BearerTokenValidator``:
the header is parsed here (:func:`bearer_credentials`), the token is looked up once (the row
the fault hook kept for the data API, else :func:`~sandbox.services.tokens.grant_row`), and
:func:`~sandbox.services.tokens.grant_from_row` alone decides whether it is active. The token
of a request is a :class:`~sandbox.services.tokens.Grant` (Authlib's ``current_token``). Each family of
endpoints (data API, webhooks, consents, userinfo) turns the Authlib error it catches into its
own answer, with the challenge built by :func:`bearer_challenge`.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from authlib.integrations.flask_oauth2 import ResourceProtector
from authlib.oauth2.rfc6749 import InvalidRequestError, MissingAuthorizationError
from authlib.oauth2.rfc6750 import BearerTokenValidator, InsufficientScopeError, InvalidTokenError
from flask import g, request

from sandbox import clock
from sandbox.fastpath import kept_grant_row
from sandbox.extensions import db
from sandbox.services.tokens import Grant, Rejection, grant_from_row, grant_row

#: The only ``error`` values of a Bearer challenge (RFC 6750 §3.1).
BEARER_ERRORS = frozenset({"invalid_request", "invalid_token", "insufficient_scope"})
#: The detail of a 401 ``invalid_request``: a Bearer credential that is not one token.
MALFORMED = "The Authorization header must be `Bearer <token>`, with exactly one token."
#: The detail of a 400 at userinfo: a token in the header and in the form.
TWICE = "Send the access token one way only."
FORM = "application/x-www-form-urlencoded"

#: What a token must act for: a customer (data API), the client itself (webhooks, creating
#: consents), or either.
CUSTOMER, CLIENT, ANY = "customer", "client", "any"


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


def bearer_credentials() -> tuple[str | None, str | None]:
    """The request's bearer token, or None and the challenge's ``error``: None when the
    request carries no Bearer token (no header, another scheme, an empty ``Bearer``),
    ``invalid_request`` when it is malformed (RFC 6750 §3.1)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None, None
    if " " in token:
        return None, "invalid_request"
    return token, None


class WrongTokenKind(InsufficientScopeError):
    """The token acts for a customer where the client's own token is needed, or the other
    way round."""


class _Credentials(NamedTuple):
    """Where the protector reads the token of the current request: the header, and the
    form too where that is accepted (userinfo, RFC 6750 §2.2)."""

    form: bool


_HEADER, _HEADER_OR_FORM = _Credentials(False), _Credentials(True)


class GrantValidator(BearerTokenValidator):
    """Looks a token up once and holds it to the endpoint's bank, kind and scopes."""

    def authenticate_token(self, token_string: str) -> Grant | Rejection:
        """The token's grant, or why it is refused; no query when the fault hook already
        fetched the row for this request."""
        kept, row = kept_grant_row(token_string)
        if not kept:
            row = grant_row(db.session.connection(), token_string)
        if row is None:
            return Rejection.UNKNOWN
        if row.world is None:
            return grant_from_row(row, clock.now())
        return grant_from_row(row, clock.adopt(row.clock_frozen_at, row.clock_offset_seconds))

    def validate_token(self, token: Grant | Rejection, scopes: Iterable[str] | None, request,
                       bank_id: str | None = None, kind: str = ANY) -> None:
        """Raise the RFC 6750 error that refuses ``token`` here, if any."""
        if isinstance(token, Rejection):
            raise InvalidTokenError(token.value)
        if bank_id is not None and token.bank_id != bank_id:
            raise InvalidTokenError(f"The access token was not issued by {bank_id}.")
        if kind == CUSTOMER and token.consent_id is None:
            raise WrongTokenKind()
        if kind == CLIENT and token.consent_id is not None:
            raise WrongTokenKind()
        missing = [scope for scope in scopes or () if scope not in token.scopes]
        if missing:
            raise InsufficientScopeError(f"The {missing[0]} scope is required.")


class BankResourceProtector(ResourceProtector):
    """Authlib's protector reading credentials the sandbox's way: no token (no header,
    another scheme, an empty ``Bearer``) is a missing authorization, a header that is not
    exactly one token is ``invalid_request``."""

    def parse_request_authorization(self, credentials: _Credentials):
        token, malformed = bearer_credentials()
        if malformed:
            raise InvalidRequestError(MALFORMED)
        if credentials.form:
            posted = (request.form.get("access_token") if request.method == "POST"
                      and request.mimetype == FORM else None)
            if token and posted:
                raise InvalidRequestError(TWICE)
            token = token or posted
        if token is None:
            raise MissingAuthorizationError(self._default_auth_type, self._default_realm)
        return self.get_token_validator("bearer"), token

    def acquire_token(self, scopes: Iterable[str] | None = None, *, form: bool = False,
                      **claims) -> Grant:
        """The request's active grant, held to ``claims`` (``bank_id``, ``kind``); raises
        the ``OAuth2Error`` that refuses it. ``form`` also accepts a POSTed
        ``access_token``."""
        grant = self.validate_request(scopes, _HEADER_OR_FORM if form else _HEADER, **claims)
        g.authlib_server_oauth2_token = grant
        return grant


require_oauth = BankResourceProtector()
require_oauth.register_token_validator(GrantValidator())
