"""The per-bank OAuth 2.0 / OpenID Connect authorization server."""
from datetime import timedelta

from flask import Flask

from sandbox.extensions import api
from sandbox.oauth import consent_views, schemas, wellknown
from sandbox.oauth.endpoints import (
    ArrangementRevocation,
    ClientRegistration,
    PushedAuthorization,
    TokenIntrospection,
    TokenRevocation,
)
from sandbox.oauth.grants import (
    AuthorizationCodeGrant,
    CdrArrangement,
    ClientCredentialsGrant,
    OpenIDCode,
    RefreshTokenGrant,
    StrictCodeChallenge,
)
from sandbox.oauth.server import issuer_of, server
from sandbox.oauth.views import BEARER_SCHEME, blp

__all__ = ["consent_views", "init_app", "issuer_of", "server"]

server.register_grant(AuthorizationCodeGrant,
                      [StrictCodeChallenge(required=True), OpenIDCode(require_nonce=False),
                       CdrArrangement()])
server.register_grant(RefreshTokenGrant, [CdrArrangement()])
server.register_grant(ClientCredentialsGrant)
server.register_endpoint(TokenRevocation)
server.register_endpoint(TokenIntrospection)
server.register_endpoint(ClientRegistration)
server.register_endpoint(PushedAuthorization)
server.register_endpoint(ArrangementRevocation)

#: Schemas the hand-written OpenAPI of the Authlib endpoints refers to.
DOCUMENTED_SCHEMAS = {
    "OAuthError": schemas.OAuthErrorSchema,
    "AuthorizationRequest": schemas.AuthorizationRequestSchema,
    "TokenRequest": schemas.TokenRequestSchema,
    "TokenResponse": schemas.TokenResponseSchema,
    "TokenAction": schemas.TokenActionSchema,
    "Introspection": schemas.IntrospectionSchema,
    "UserInfo": schemas.UserInfoSchema,
    "ClientMetadata": schemas.ClientMetadataSchema,
    "PushedRequest": schemas.PushedRequestSchema,
}


def init_app(app: Flask) -> None:
    """Bind the authorization server and register its blueprint. The pages' session cookie
    lives as long as a sign-in (``SANDBOX_SIGN_IN_SECONDS``), not Flask's 31 days."""
    server.init_app(app)
    if app.config.get("SESSION_COOKIE_SAMESITE") is None:
        app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(
        seconds=app.config["SANDBOX_SIGN_IN_SECONDS"])
    for name, schema in DOCUMENTED_SCHEMAS.items():
        api.spec.components.schema(name, schema=schema)
    api.spec.components.security_scheme(BEARER_SCHEME, {
        "type": "http", "scheme": "bearer",
        "description": "An access token of the bank (`POST {iss}/token`); the consents "
                       "endpoints take a client-credentials token.",
    })
    api.register_blueprint(blp, parameters=[{
        "in": "path", "name": "bank_id", "required": True, "schema": {"type": "string"},
        "description": "The bank, e.g. `harborline`.", "example": "harborline"}])
    api.register_blueprint(wellknown.blp, parameters=[{
        "in": "path", "name": "bank_id", "required": True, "schema": {"type": "string"},
        "description": "The bank, e.g. `harborline`.", "example": "harborline"}])
