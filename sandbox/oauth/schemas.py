"""Schemas of the OAuth endpoints: bodies the consents API parses and dumps, and the shapes the
Authlib endpoints answer (registered as OpenAPI components to document them)."""
from __future__ import annotations

import json
from urllib.parse import urlsplit

import marshmallow as ma
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from marshmallow import fields

from sandbox import clock
from sandbox.control.fields import Instant
from sandbox.models.oauth import LOOPBACK_HOSTS
from sandbox.oauth.scopes import SCOPES


#: Limits of registration metadata (RFC 7591) and authorization requests (``/par`` and
#: ``/authorize``); docs/consent.md lists them ("Limits").
MAX_REDIRECT_URIS = 10
MAX_URI = 2000
MAX_NAME = 200
MAX_SCOPE = 1000
MAX_STATE = 512
MAX_WORD = 200
MAX_LIST = 10
MAX_JWKS = 20_000
MAX_PARAMETERS = 30
MAX_PARAMETER = 2000
#: A consent's stated purpose.
MAX_PURPOSE = 500


def _desc(text: str, **more) -> dict:
    return {"description": text, **more}


def _text(limit: int, text: str, *, required: bool = False, **more) -> fields.String:
    return fields.String(required=required, validate=ma.validate.Length(max=limit),
                         metadata=_desc(f"{text} At most {limit:,} characters.", **more))


def _words(limit: int, text: str) -> fields.List:
    return fields.List(fields.String(validate=ma.validate.Length(max=MAX_WORD)),
                       validate=ma.validate.Length(max=limit),
                       metadata=_desc(f"{text} At most {limit} entries."))


#: Values an error description may echo (RFC 6749 §4.1.2.1: printable ASCII without `"` and
#: `\`); Authlib refuses to build an error holding anything else.
ECHOABLE = ma.validate.Regexp(r'^[\x20\x21\x23-\x5b\x5d-\x7e]*$',
                              error="Use printable ASCII without quotes or backslashes.")


def _known_scopes(value: str) -> None:
    names = value.split()
    if not names:
        raise ma.ValidationError("Name at least one scope.")
    unknown = [name for name in names if name not in SCOPES]
    if unknown:
        raise ma.ValidationError(f"Unknown scope {unknown[0]!r}; scopes are "
                                 f"{', '.join(SCOPES)}.")


class OAuthErrorSchema(ma.Schema):
    """An RFC 6749 §5.2 error."""

    error = fields.String(required=True, metadata=_desc(
        "Error code, e.g. `invalid_grant`, `invalid_client`, `invalid_request`."))
    error_description = fields.String(metadata=_desc("Human-readable explanation."))


class AuthorizationRequestSchema(ma.Schema):
    """Parameters of an authorization request (query string of `/authorize`, or the form body
    of `/par`). Any other parameter is at most 2,000 characters, and a request has at most 30
    parameters."""

    class Meta:
        unknown = ma.INCLUDE

    response_type = fields.String(required=True, validate=[
        ma.validate.Length(max=MAX_WORD), ECHOABLE], metadata=_desc("Always `code`.",
                                                                    example="code"))
    client_id = _text(MAX_WORD, "The client's id.", required=True, example="demo-public")
    redirect_uri = _text(MAX_URI, "A registered redirect URI (loopback http URIs match on any "
                                  "port).", required=True,
                         example="http://127.0.0.1:8765/callback")
    scope = _text(MAX_SCOPE, "Space-separated scopes.", example="openid accounts balances")
    state = _text(MAX_STATE, "Opaque value returned unchanged with the code.")
    nonce = _text(MAX_STATE, "Copied into the ID token (OpenID Connect).")
    code_challenge = _text(128, "PKCE challenge, BASE64URL(SHA256(verifier)); required for "
                                "public clients.")
    code_challenge_method = fields.String(validate=[ma.validate.Length(max=MAX_WORD), ECHOABLE],
                                          metadata=_desc("Must be `S256`.", example="S256"))
    consent_id = _text(MAX_WORD, "A consent created beforehand with `POST {iss}/consents`, to "
                                 "be authorized.")
    purpose = _text(MAX_PURPOSE, "Sandbank's extension: why the client asks, shown on the "
                                 "consent page and kept on the consent (a consent named by "
                                 "`consent_id` keeps its own).")
    cdr_arrangement_id = _text(MAX_WORD, "Consumer Data Right: an active arrangement (consent) "
                                         "of the client that this authorization amends; it "
                                         "keeps its id and its earlier tokens are revoked.")
    prompt = fields.String(validate=[ma.validate.Length(max=MAX_WORD), ECHOABLE], metadata=_desc(
        "OpenID Connect `prompt`: `none`, `login`, `consent`."))
    request_uri = _text(MAX_WORD, "At `/authorize` only: a `request_uri` from `/par`; then only "
                                  "`client_id` is needed.")
    client_secret = _text(MAX_WORD, "At `/par` only: the client secret, for "
                                    "`client_secret_post`.")

    @ma.validates_schema(pass_original=True)
    def _bounded(self, data: dict, original: dict, **_) -> None:
        if len(original) > MAX_PARAMETERS:
            raise ma.ValidationError(f"At most {MAX_PARAMETERS} parameters.")
        for name, value in original.items():
            if name not in self.fields and len(str(value)) > MAX_PARAMETER:
                raise ma.ValidationError(f"At most {MAX_PARAMETER} characters.", "parameter")


class TokenRequestSchema(ma.Schema):
    """Form body of the token endpoint. Confidential clients authenticate with HTTP Basic or
    `client_id` + `client_secret` in the body; public clients send `client_id` only."""

    grant_type = fields.String(required=True, metadata=_desc(
        "`authorization_code`, `refresh_token` or `client_credentials`."))
    code = fields.String(metadata=_desc("The authorization code (authorization_code)."))
    redirect_uri = fields.String(metadata=_desc(
        "The redirect URI of the authorization request, identical (authorization_code)."))
    code_verifier = fields.String(metadata=_desc("The PKCE verifier (authorization_code)."))
    refresh_token = fields.String(metadata=_desc("The refresh token (refresh_token)."))
    scope = fields.String(metadata=_desc("Narrower scope (refresh_token, client_credentials)."))
    client_id = fields.String(metadata=_desc("The client id (public clients, client_secret_post)."))
    client_secret = fields.String(metadata=_desc("The client secret (client_secret_post)."))


class TokenResponseSchema(ma.Schema):
    """An RFC 6749 §5.1 token response."""

    access_token = fields.String(required=True, metadata=_desc("Bearer token for the data API."))
    token_type = fields.String(required=True, metadata=_desc("Always `Bearer`."))
    expires_in = fields.Integer(metadata=_desc("Access token lifetime in seconds (per bank)."))
    refresh_token = fields.String(metadata=_desc(
        "With `offline_access`: a refresh token; it rotates on every use."))
    scope = fields.String(metadata=_desc("The granted scopes."))
    id_token = fields.String(metadata=_desc("With `openid`: an RS256-signed ID token."))
    cdr_arrangement_id = fields.String(metadata=_desc(
        "With Consumer Data Right scopes: the CDR arrangement, which is the consent's id."))


class TokenActionSchema(ma.Schema):
    """Form body of revocation (RFC 7009) and introspection (RFC 7662)."""

    token = fields.String(required=True, metadata=_desc("An access or refresh token."))
    token_type_hint = fields.String(metadata=_desc("`access_token` or `refresh_token`."))
    client_id = fields.String(metadata=_desc("The client id (public clients, client_secret_post)."))
    client_secret = fields.String(metadata=_desc("The client secret (client_secret_post)."))


class IntrospectionSchema(ma.Schema):
    """An RFC 7662 introspection answer; only `active` when the token is not active."""

    active = fields.Boolean(required=True, metadata=_desc(
        "False for unknown, expired or revoked tokens, tokens of another client, and tokens "
        "whose consent is revoked or expired."))
    client_id = fields.String(metadata=_desc("The client the token was issued to."))
    token_type = fields.String(metadata=_desc("`Bearer` or `refresh_token`."))
    scope = fields.String(metadata=_desc("The token's scopes."))
    sub = fields.String(metadata=_desc("The customer's subject identifier."))
    username = fields.String(metadata=_desc("The customer's username."))
    consent_id = fields.String(metadata=_desc("The consent the token is bound to."))
    iss = fields.String(metadata=_desc("The bank's issuer."))
    aud = fields.String(metadata=_desc("The client id."))
    iat = fields.Integer(metadata=_desc("Issued at (Unix seconds, sandbox clock)."))
    exp = fields.Integer(metadata=_desc("Expires at (Unix seconds, sandbox clock)."))


class ClaimsAddressSchema(ma.Schema):
    """An OpenID Connect address claim."""

    street_address = fields.String(metadata=_desc("Street and number."))
    locality = fields.String(metadata=_desc("City."))
    region = fields.String(metadata=_desc("State (two letters)."))
    postal_code = fields.String(metadata=_desc("ZIP code."))
    country = fields.String(metadata=_desc("Country code."))


class UserInfoSchema(ma.Schema):
    """Claims about the customer: `sub` always, more by scope (`profile`, `identity`)."""

    sub = fields.String(required=True, metadata=_desc("Stable subject identifier."))
    name = fields.String(metadata=_desc("Full name (`profile`)."))
    preferred_username = fields.String(metadata=_desc("Username (`profile`)."))
    email = fields.String(metadata=_desc("Email (`identity`)."))
    email_verified = fields.Boolean(metadata=_desc("Always true (`identity`)."))
    phone_number = fields.String(metadata=_desc("Phone number (`identity`)."))
    phone_number_verified = fields.Boolean(metadata=_desc("Always true (`identity`)."))
    address = fields.Nested(ClaimsAddressSchema, metadata=_desc("Postal address (`identity`)."))


def _redirect_uri(uri: str) -> None:
    """A registrable redirect URI: https, or http on a loopback address, without a fragment.
    The message never repeats the URI (Authlib echoes it into an RFC 6749 error)."""
    if "#" in uri:
        raise ma.ValidationError("Must not contain a fragment.")
    try:
        parts = urlsplit(uri)
        hostname = parts.hostname
    except ValueError:
        raise ma.ValidationError("Not a URI.") from None
    loopback = hostname is not None and (
        hostname in LOOPBACK_HOSTS or f"[{hostname}]" in LOOPBACK_HOSTS)
    if not (parts.scheme == "https" or (parts.scheme == "http" and loopback)):
        raise ma.ValidationError("Must use https, or http on a loopback address (localhost, "
                                 "127.0.0.1, [::1]).")


def _jwks(value: dict) -> None:
    """A JWK Set (RFC 7517 §5) that can be read, of at most ``MAX_JWKS`` characters of JSON."""
    if len(json.dumps(value)) > MAX_JWKS:
        raise ma.ValidationError(f"At most {MAX_JWKS:,} characters of JSON.")
    try:
        KeySet.import_key_set(value)
    except (JoseError, KeyError, TypeError, ValueError, AttributeError):
        raise ma.ValidationError("Not a JWK Set: an object whose `keys` lists valid JWKs.") \
            from None


class ClientMetadataSchema(ma.Schema):
    """RFC 7591 client metadata; the answer adds the issued credentials. Other members are
    ignored."""

    class Meta:
        unknown = ma.EXCLUDE

    redirect_uris = fields.List(
        fields.String(validate=[ma.validate.Length(min=1, max=MAX_URI), _redirect_uri]),
        validate=ma.validate.Length(max=MAX_REDIRECT_URIS), metadata=_desc(
            f"https URIs, or http on localhost / 127.0.0.1 / [::1]; no fragments. At most "
            f"{MAX_REDIRECT_URIS} URIs of at most {MAX_URI:,} characters each."))
    token_endpoint_auth_method = _text(MAX_WORD, "`client_secret_basic` (default), "
                                                 "`client_secret_post` or `none` (public "
                                                 "client).")
    grant_types = _words(MAX_LIST, "Among `authorization_code` (default), `refresh_token`, "
                                   "`client_credentials`.")
    response_types = _words(MAX_LIST, "`[\"code\"]`.")
    client_name = _text(MAX_NAME, "Name shown on the sign-in and consent pages, marked there "
                                  "as an unverified app.")
    client_uri = _text(MAX_URI, "Home page of the client; its host is shown on the consent "
                                "page.")
    logo_uri = _text(MAX_URI, "Logo of the client.")
    tos_uri = _text(MAX_URI, "Terms of service of the client.")
    policy_uri = _text(MAX_URI, "Privacy policy of the client.")
    jwks_uri = _text(MAX_URI, "The client's public keys.")
    jwks = fields.Dict(validate=_jwks, metadata=_desc(
        f"The client's public keys as a JWK Set; at most {MAX_JWKS:,} characters of JSON."))
    software_id = _text(MAX_WORD, "Identifies the client software.")
    software_version = _text(MAX_WORD, "Version of the client software.")
    scope = _text(MAX_SCOPE, "Scopes the client may ask for. Without it: `openid` only (no "
                             "data scopes, never `manage`).")
    contacts = fields.List(fields.String(validate=ma.validate.Length(max=MAX_NAME)),
                           validate=ma.validate.Length(max=MAX_LIST), metadata=_desc(
        f"People responsible for the client. At most {MAX_LIST} of at most {MAX_NAME} "
        f"characters."))
    client_id = fields.String(dump_only=True, metadata=_desc("Answer only: the issued client "
                                                             "id."))
    client_secret = fields.String(dump_only=True, metadata=_desc(
        "Answer only: the issued secret (absent for public clients)."))
    client_id_issued_at = fields.Integer(dump_only=True, metadata=_desc(
        "Answer only: Unix seconds."))
    client_secret_expires_at = fields.Integer(dump_only=True, metadata=_desc(
        "Answer only: 0, never."))


class PushedRequestSchema(ma.Schema):
    """An RFC 9126 answer."""

    request_uri = fields.String(required=True, metadata=_desc(
        "Pass it to `/authorize` with `client_id`; single-use."))
    expires_in = fields.Integer(required=True, metadata=_desc("Seconds it stays valid (90)."))


class JWKSchema(ma.Schema):
    """A public RSA signing key."""

    kty = fields.String(metadata=_desc("`RSA`."))
    kid = fields.String(metadata=_desc("Key id (RFC 7638 thumbprint), as in ID token headers."))
    use = fields.String(metadata=_desc("`sig`."))
    alg = fields.String(metadata=_desc("`RS256`."))
    n = fields.String(metadata=_desc("Modulus, base64url."))
    e = fields.String(metadata=_desc("Exponent, base64url."))


class JWKSSchema(ma.Schema):
    """The bank's JSON Web Key Set: the current key and retired keys still verifying
    unexpired ID tokens."""

    keys = fields.List(fields.Nested(JWKSchema), metadata=_desc("Public keys, newest first."))


def _strings(text: str) -> fields.List:
    return fields.List(fields.String(), metadata=_desc(text))


class ProviderMetadataSchema(ma.Schema):
    """OpenID Connect Discovery / RFC 8414 metadata of one bank."""

    issuer = fields.String(metadata=_desc("`{base}/banks/{bank_id}`."))
    authorization_endpoint = fields.String(metadata=_desc("Authorization endpoint."))
    token_endpoint = fields.String(metadata=_desc("Token endpoint."))
    userinfo_endpoint = fields.String(metadata=_desc("UserInfo endpoint."))
    jwks_uri = fields.String(metadata=_desc("JSON Web Key Set."))
    registration_endpoint = fields.String(metadata=_desc("Dynamic registration (RFC 7591)."))
    revocation_endpoint = fields.String(metadata=_desc("Revocation (RFC 7009)."))
    introspection_endpoint = fields.String(metadata=_desc("Introspection (RFC 7662)."))
    pushed_authorization_request_endpoint = fields.String(metadata=_desc("PAR (RFC 9126)."))
    consents_endpoint = fields.String(metadata=_desc("Consents created before authorization."))
    cdr_arrangement_revocation_endpoint = fields.String(metadata=_desc(
        "Consumer Data Right arrangement revocation: ends the consent `cdr_arrangement_id`."))
    scopes_supported = _strings("Scopes.")
    response_types_supported = _strings("`code` only.")
    response_modes_supported = _strings("`query` only.")
    grant_types_supported = _strings("Grant types.")
    subject_types_supported = _strings("`public`.")
    id_token_signing_alg_values_supported = _strings("`RS256`.")
    token_endpoint_auth_methods_supported = _strings("Client authentication methods.")
    revocation_endpoint_auth_methods_supported = _strings("Idem, at the revocation endpoint.")
    introspection_endpoint_auth_methods_supported = _strings(
        "Confidential clients only at introspection.")
    code_challenge_methods_supported = _strings("`S256` only.")
    claims_supported = _strings("Claims of ID tokens and userinfo.")
    prompt_values_supported = _strings("Supported `prompt` values.")
    require_pushed_authorization_requests = fields.Boolean(metadata=_desc("False."))
    authorization_response_iss_parameter_supported = fields.Boolean(metadata=_desc(
        "True: authorization responses carry `iss` (RFC 9207)."))
    request_parameter_supported = fields.Boolean(metadata=_desc("False."))
    request_uri_parameter_supported = fields.Boolean(metadata=_desc(
        "False: no request objects by reference (PAR `request_uri`s still work)."))
    claims_parameter_supported = fields.Boolean(metadata=_desc("False."))
    service_documentation = fields.String(metadata=_desc("API documentation."))
    api_dialects = fields.Dict(
        keys=fields.String(), values=fields.Dict(keys=fields.String(), values=fields.String()),
        metadata=_desc("Sandbank's extension: each standards dialect this bank also speaks "
                       "(`ukob`, `cdr`), with its `base_url`, `standard` and `version`."))


class ConsentRequestSchema(ma.Schema):
    """A consent to be authorized by a customer at `/authorize?consent_id=...`."""

    scope = fields.String(required=True, validate=_known_scopes, metadata=_desc(
        "Space-separated scopes the consent covers.", example="accounts balances transactions"))
    purpose = fields.String(load_default=None, allow_none=True,
                            validate=ma.validate.Length(max=MAX_PURPOSE), metadata=_desc(
        "Why the client asks, shown to the customer.", example="Budgeting in Demo App"))
    expires_at = Instant(load_default=None, allow_none=True, metadata=_desc(
        "When the consent ends; capped by the bank's `consent_max_days` (the default)."))
    transaction_from = fields.Date(load_default=None, allow_none=True, metadata=_desc(
        "First day of transaction history the consent opens."))
    transaction_to = fields.Date(load_default=None, allow_none=True, metadata=_desc(
        "Last day of transaction history the consent opens."))

    @ma.validates_schema
    def _window(self, data, **_):
        start, end = data.get("transaction_from"), data.get("transaction_to")
        if start and end and start > end:
            raise ma.ValidationError("Must not be before transaction_from.", "transaction_to")


class ConsentSchema(ma.Schema):
    """A consent and its lifecycle status."""

    consent_id = fields.String(attribute="id", metadata=_desc("Opaque consent id."))
    status = fields.Method("_status", metadata=_desc(
        "`awaiting_authorization`, `authorized`, `rejected`, `revoked` or `expired`.",
        type="string"))
    client_id = fields.String(metadata=_desc("The client the consent is for."))
    scope = fields.String(metadata=_desc("Granted scopes."))
    purpose = fields.String(allow_none=True, metadata=_desc("Purpose stated by the client."))
    account_ids = fields.List(fields.String(), metadata=_desc(
        "Accounts the customer selected (empty until authorized)."))
    created_at = Instant(metadata=_desc("Created (sandbox clock)."))
    expires_at = Instant(metadata=_desc("Ends (sandbox clock)."))
    authorized_at = Instant(allow_none=True, metadata=_desc("Authorized, or null."))
    revoked_at = Instant(allow_none=True, metadata=_desc("Revoked, or null."))
    revoked_by = fields.String(allow_none=True, metadata=_desc(
        "Who revoked it: `customer` (at the bank's connected apps), `client` "
        "(`DELETE {iss}/consents/{consent_id}`) or `operator` (the control plane); null "
        "until revoked."))
    transaction_from = fields.Date(allow_none=True, metadata=_desc(
        "First day of transaction history, or null (no limit)."))
    transaction_to = fields.Date(allow_none=True, metadata=_desc(
        "Last day of transaction history, or null (no limit)."))

    def _status(self, consent) -> str:
        return consent.effective_status(clock.now())
