"""Authlib grants with the sandbox's policy on top: PKCE S256 only and required for public
clients, a required and exactly registered ``redirect_uri``, single-use codes, rotating refresh
tokens, and ID tokens signed with the bank's current key."""
from __future__ import annotations

from authlib.oauth2.rfc6749 import InvalidRequestError, InvalidScopeError, grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oauth2.rfc7636.challenge import compare_s256_code_challenge
from authlib.oidc import core as oidc
from flask import g

from sandbox import clock
from sandbox.extensions import db
from sandbox.models import Customer
from sandbox.oauth import claims, issuance
from sandbox.oauth.protocol_time import wall_seconds
from sandbox.oauth.scopes import split
from sandbox.oauth.server import issuer
from sandbox.services import consents, keys
from sandbox.vocabulary import PUSHED_ONLY_SCOPES

#: Client authentication at the token endpoint: secrets for confidential clients, ``none``
#: (client_id only) for public ones.
ALL_CLIENT_AUTH = ["client_secret_basic", "client_secret_post", "none"]
SECRET_CLIENT_AUTH = ["client_secret_basic", "client_secret_post"]


class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
    """Authorization code grant bound to a consent; codes are single-use and live 60 s."""

    TOKEN_ENDPOINT_AUTH_METHODS = ALL_CLIENT_AUTH

    @staticmethod
    def validate_authorization_redirect_uri(oauth_request, client) -> str:
        """``redirect_uri`` is required and must match a registered one (loopback port rule
        aside); a failure is shown to the person, never redirected."""
        redirect_uri = oauth_request.payload.redirect_uri
        if not redirect_uri:
            raise InvalidRequestError("Missing 'redirect_uri' in request.")
        if not client.check_redirect_uri(redirect_uri):
            raise InvalidRequestError("The 'redirect_uri' is not registered for this client.")
        return redirect_uri

    def validate_authorization_request(self) -> str:
        """Authlib's checks, then the consent named by ``consent_id`` (its scopes join the
        request's) or the arrangement ``cdr_arrangement_id`` amends, a non-empty scope, and
        a pushed request for Consumer Data Right scopes."""
        redirect_uri = super().validate_authorization_request()
        oauth_request = self.request
        consent_id = oauth_request.payload.data.get("consent_id")
        if consent_id:
            consent = consents.awaiting_consent(db.session, g.bank.id,
                                                oauth_request.client.client_id, consent_id,
                                                now=clock.now())
            if consent is None:
                raise InvalidRequestError(
                    "The consent does not exist, belongs to another client, or is no longer "
                    "awaiting authorization.", redirect_uri=redirect_uri)
            oauth_request.consent = consent
            oauth_request.scope = " ".join(split(f"{oauth_request.scope} {consent.scope}"))
        arrangement_id = oauth_request.payload.data.get("cdr_arrangement_id")
        if arrangement_id:
            if consent_id:
                raise InvalidRequestError("Send consent_id or cdr_arrangement_id, not both.",
                                          redirect_uri=redirect_uri)
            oauth_request.consent = consents.active_consent(
                db.session, g.bank.id, oauth_request.client.client_id, arrangement_id,
                now=clock.now())
            if oauth_request.consent is None:
                raise InvalidRequestError(
                    "The cdr_arrangement_id is unknown, belongs to another client, or is no "
                    "longer active.", redirect_uri=redirect_uri)
        if not oauth_request.scope:
            raise InvalidScopeError("Ask for at least one scope this client may use.",
                                    redirect_uri=redirect_uri)
        if not oauth_request.pushed and PUSHED_ONLY_SCOPES.intersection(
                split(oauth_request.scope)):
            raise InvalidRequestError(
                "Consumer Data Right scopes need a pushed authorization request: POST it to "
                "the par endpoint, then send only client_id and its request_uri here.",
                redirect_uri=redirect_uri)
        return redirect_uri

    def save_authorization_code(self, code, oauth_request):
        issuance.save_code(code, oauth_request, oauth_request.user)

    def query_authorization_code(self, code, client):
        return issuance.find_code(code, client)

    def delete_authorization_code(self, authorization_code):
        issuance.consume_code(authorization_code)

    def authenticate_user(self, authorization_code):
        return db.session.get(Customer, authorization_code.customer_id)


class RefreshTokenGrant(grants.RefreshTokenGrant):
    """Refresh tokens rotate on every use; a replayed one revokes its family."""

    TOKEN_ENDPOINT_AUTH_METHODS = ALL_CLIENT_AUTH
    INCLUDE_NEW_REFRESH_TOKEN = True

    def authenticate_refresh_token(self, refresh_token):
        return issuance.find_refresh_token(refresh_token, self.request.client)

    def authenticate_user(self, refresh_token):
        return db.session.get(Customer, refresh_token.customer_id)

    def revoke_old_credential(self, refresh_token):
        issuance.retire_refresh_token(refresh_token)


class ClientCredentialsGrant(grants.ClientCredentialsGrant):
    """Tokens for a confidential client itself: creating consents, managing webhooks."""

    TOKEN_ENDPOINT_AUTH_METHODS = SECRET_CLIENT_AUTH


class CdrArrangement:
    """Grant extension: a token response carrying Consumer Data Right scopes names the
    consent as ``cdr_arrangement_id`` (a CDR arrangement is a Sandbank consent)."""

    def __call__(self, grant) -> None:
        grant.register_hook("after_create_token_response", self.process_token)

    @staticmethod
    def process_token(grant, response) -> None:
        _, token, _ = response
        source = grant.request.authorization_code or grant.request.refresh_token
        if (source is not None and source.consent_id
                and PUSHED_ONLY_SCOPES.intersection(split(token.get("scope")))):
            token["cdr_arrangement_id"] = source.consent_id


class StrictCodeChallenge(CodeChallenge):
    """PKCE with S256 only (``plain`` refused), required for public clients."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]
    DEFAULT_CODE_CHALLENGE_METHOD = "S256"
    CODE_CHALLENGE_METHODS = {"S256": compare_s256_code_challenge}

    def validate_code_challenge(self, grant, redirect_uri):
        data = grant.request.payload.data
        if not data.get("code_challenge") and grant.request.client.is_public:
            raise InvalidRequestError("Public clients must use PKCE: send a "
                                      "'code_challenge' with 'code_challenge_method=S256'.")
        if data.get("code_challenge") and data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be S256 ('plain' is not "
                                      "supported).")
        super().validate_code_challenge(grant, redirect_uri)


class OpenIDCode(oidc.OpenIDCode):
    """ID tokens (RS256, signed with the bank's current key) for ``openid`` requests."""

    def exists_nonce(self, nonce, oauth_request):
        return issuance.nonce_used(oauth_request.payload.client_id, nonce)

    def resolve_client_private_key(self, client):
        return keys.active_key(db.session, g.bank.id, now=clock.now()).private_jwk

    def get_client_algorithm(self, client):
        return keys.ALGORITHM

    def get_encode_header(self, client):
        return {"alg": keys.ALGORITHM, "kid": keys.active_key(db.session, g.bank.id, now=clock.now()).kid}

    def get_client_claims(self, client):
        now = wall_seconds(issuance.now_seconds())
        return {"iss": issuer(), "aud": [client.get_client_id()], "iat": now,
                "exp": now + keys.id_token_seconds(g.bank)}

    def get_authorization_code_claims(self, authorization_code):
        found = super().get_authorization_code_claims(authorization_code)
        if "auth_time" in found:
            found["auth_time"] = wall_seconds(found["auth_time"])
        return found

    def generate_user_info(self, user, scope):
        return claims.user_info(user, scope)
