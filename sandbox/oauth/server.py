"""One Authlib authorization server for every bank; the bank of a request is ``g.bank``.

Requests carry the public URL (``SANDBOX_BASE_URL`` when set) so Authlib's transport check
judges what clients see: https, or plain http on a loopback address only.
"""
from __future__ import annotations

from collections import defaultdict

from authlib.integrations.flask_oauth2 import AuthorizationServer as FlaskAuthorizationServer
from authlib.integrations.flask_oauth2.requests import FlaskOAuth2Payload
from authlib.oauth2.base import invalid_error_characters
from authlib.oauth2.rfc6749 import (
    InvalidClientError,
    InvalidRequestError,
    OAuth2Payload,
    OAuth2Request,
)
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from flask import g, request

from sandbox.extensions import db
from sandbox.oauth import issuance
from sandbox.oauth.schemas import AuthorizationRequestSchema
from sandbox.oauth.scopes import SCOPES, split
from sandbox.services.banks import issuer_url
from sandbox.services.clients import find_client
from sandbox.web.urls import public_base_url


def issuer_of(bank_id: str) -> str:
    """The issuer identifier of a bank: ``{base}/banks/{bank_id}``."""
    return issuer_url(public_base_url(), bank_id)


def issuer() -> str:
    """The issuer identifier of the current request's bank."""
    return issuer_of(g.bank.id)


class ParamsPayload(OAuth2Payload):
    """Authorization parameters from a mapping of names to lists of values."""

    def __init__(self, datalist: dict[str, list[str]]):
        self._datalist = defaultdict(list, {key: list(values) for key, values in datalist.items()})

    @property
    def data(self) -> dict[str, str]:
        return {key: values[0] for key, values in self._datalist.items() if values}

    @property
    def datalist(self) -> defaultdict[str, list]:
        return self._datalist


class SandboxOAuth2Request(OAuth2Request):
    """The current Flask request, addressed by its public URL, with the given payload
    (the request's own values by default)."""

    def __init__(self, payload: OAuth2Payload | None = None):
        super().__init__(method=request.method,
                         uri=public_base_url() + request.full_path.rstrip("?"),
                         headers=request.headers)
        self.payload = payload or FlaskOAuth2Payload(request)
        #: The consent an authorization request names with ``consent_id``, once validated.
        self.consent = None
        #: Whether the parameters were pushed first (RFC 9126): at ``/par`` itself, or at
        #: ``/authorize`` through a ``request_uri``.
        self.pushed = False

    @property
    def args(self):
        return request.args

    @property
    def form(self):
        return request.form


class BankTokenGenerator(BearerTokenGenerator):
    """Bearer tokens living as long as the bank says; a refresh token only when the client
    may refresh and the scope includes ``offline_access``."""

    def __init__(self):
        super().__init__(lambda **_: issuance.new_token_string(),
                         lambda **_: issuance.new_token_string(),
                         lambda client, grant_type: access_token_seconds())

    def generate(self, grant_type, client, user=None, scope=None, expires_in=None,
                 include_refresh_token=True):
        refresh = include_refresh_token and "offline_access" in split(scope)
        return super().generate(grant_type, client, user, scope, expires_in, refresh)


def access_token_seconds() -> int:
    """How long the current bank's access tokens live."""
    return int(g.bank.settings["tokens"]["access_token_seconds"])


def echoable(text: str) -> str:
    """``text`` without the characters an RFC 6749 error description may not hold."""
    forbidden = set(invalid_error_characters(text))
    return "".join(char for char in text if char not in forbidden)


def describe_invalid(errors: dict) -> str:
    """One line naming the first invalid member of a marshmallow error dict, safe to put in
    an RFC 6749 ``error_description``."""
    name, messages = next(iter(errors.items()))
    while isinstance(messages, dict):
        index, messages = next(iter(messages.items()))
        name = f"{name}[{index}]" if isinstance(index, int) else f"{name}.{index}"
    message = messages[0] if isinstance(messages, list) else str(messages)
    where = "" if name == "_schema" else f"'{name}': "
    return echoable(f"Invalid {where}{message}")


class AuthorizationServer(FlaskAuthorizationServer):
    """Authlib's Flask server, scoped to the bank of the current request. Authorization
    requests (at ``/authorize`` and ``/par``) are held to the documented limits before Authlib
    sees them, and Basic credentials that are not UTF-8 fail client authentication."""

    def load_config(self, config) -> None:
        self.register_token_generator("default", BankTokenGenerator())
        self.scopes_supported = list(SCOPES)

    def query_client(self, client_id):
        return find_client(db.session, g.bank.id, client_id)

    def save_token(self, token, oauth_request):
        return issuance.save_token(token, oauth_request)

    def get_authorization_grant(self, oauth_request):
        errors = AuthorizationRequestSchema().validate(oauth_request.payload.data, partial=True)
        if errors:
            raise InvalidRequestError(describe_invalid(errors))
        return super().get_authorization_grant(oauth_request)

    def authenticate_client(self, oauth_request, methods, endpoint="token"):
        try:
            return super().authenticate_client(oauth_request, methods, endpoint)
        except UnicodeDecodeError:
            raise InvalidClientError(
                status_code=401,
                description="The HTTP Basic credentials are not UTF-8 text.") from None

    def create_oauth2_request(self, oauth_request) -> OAuth2Request:
        if isinstance(oauth_request, OAuth2Request):
            return oauth_request
        return SandboxOAuth2Request()


server = AuthorizationServer()
