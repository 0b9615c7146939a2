"""The discovery document of a bank (OpenID Connect Discovery 1.0 / RFC 8414)."""
from __future__ import annotations

from sandbox import dialects
from sandbox.oauth.claims import CLAIMS_SUPPORTED
from sandbox.oauth.grants import ALL_CLIENT_AUTH, SECRET_CLIENT_AUTH
from sandbox.oauth.scopes import SCOPES
from sandbox.oauth.server import issuer
from sandbox.services.keys import ALGORITHM
from sandbox.web.urls import public_base_url

GRANT_TYPES = ["authorization_code", "refresh_token", "client_credentials"]
PAR_LIFETIME_SECONDS = 90


def provider_metadata() -> dict:
    """Every endpoint and supported value of the current bank's authorization server."""
    iss = issuer()
    return {
        "issuer": iss,
        "authorization_endpoint": f"{iss}/authorize",
        "token_endpoint": f"{iss}/token",
        "userinfo_endpoint": f"{iss}/userinfo",
        "jwks_uri": f"{iss}/jwks.json",
        "registration_endpoint": f"{iss}/register",
        "revocation_endpoint": f"{iss}/revoke",
        "introspection_endpoint": f"{iss}/introspect",
        "pushed_authorization_request_endpoint": f"{iss}/par",
        "consents_endpoint": f"{iss}/consents",
        "cdr_arrangement_revocation_endpoint": f"{iss}/arrangements/revoke",
        "scopes_supported": list(SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": GRANT_TYPES,
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": [ALGORITHM],
        "token_endpoint_auth_methods_supported": ALL_CLIENT_AUTH,
        "revocation_endpoint_auth_methods_supported": ALL_CLIENT_AUTH,
        "introspection_endpoint_auth_methods_supported": SECRET_CLIENT_AUTH,
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": list(dict.fromkeys(
            ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "at_hash", "amr",
             *CLAIMS_SUPPORTED])),
        "prompt_values_supported": ["none", "login", "consent"],
        "require_pushed_authorization_requests": False,
        "authorization_response_iss_parameter_supported": True,
        "request_parameter_supported": False,
        "request_uri_parameter_supported": False,
        "claims_parameter_supported": False,
        "service_documentation": f"{public_base_url()}/docs",
        "api_dialects": dialects.discovery(iss),
    }
