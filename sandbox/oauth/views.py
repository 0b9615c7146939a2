"""Routes of the per-bank authorization server, ``{base}/banks/{bank_id}/...``.

Thin views: each hands the request to the Authlib server (or to the page flow); the request's
unit of work commits what it wrote, error answers included (a revoked family of tokens after a
replayed code must stay revoked). Authlib's endpoints are plain Flask views; ``@blp.doc`` documents them.
"""
from __future__ import annotations

from urllib.parse import urlencode

from authlib.oauth2.rfc6749 import InsecureTransportError
from authlib.oauth2.rfc7591 import InvalidClientMetadataError
from flask import Response, g, redirect, request
from flask_smorest import Blueprint

from sandbox import clock
from sandbox.bankpages import add_bank, load_bank
from sandbox.extensions import db
from sandbox.oauth import flow
from sandbox.oauth.metadata import provider_metadata
from sandbox.oauth.schemas import JWKSSchema, ProviderMetadataSchema
from sandbox.oauth.server import server
from sandbox.oauth.userinfo import userinfo_response
from sandbox.services import keys

blp = Blueprint(
    "oauth", __name__, url_prefix="/banks/<bank_id>",
    description="Each bank's OAuth 2.0 / OpenID Connect authorization server. Errors of the "
                "protocol endpoints are RFC 6749 JSON (`error`, `error_description`); the "
                "consents endpoints and unknown banks answer problem+json.",
)

#: OpenAPI security scheme of the bank's bearer tokens (registered by ``init_app``).
BEARER_SCHEME = "oauthAccessToken"
FORM = "application/x-www-form-urlencoded"
HTML = "text/html"
#: Discovery and JWKS may be cached this long (a retired key stays published far longer).
PUBLIC_CACHE = {"Cache-Control": "public, max-age=300"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _form_body(name: str) -> dict:
    return {"required": True, "content": {FORM: {"schema": _ref(name)}}}


def _json(name: str, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref(name)}}}


def _html(description: str) -> dict:
    return {"description": description, "content": {HTML: {"schema": {"type": "string"}}}}


def _redirect(description: str) -> dict:
    return {"description": description, "headers": {"Location": {
        "description": "Where the browser goes next.", "schema": {"type": "string"}}}}


BAD_REQUEST = _json("OAuthError", "RFC 6749 error, e.g. `invalid_request`, `invalid_grant`.")
BAD_CLIENT = _json("OAuthError", "`invalid_client`: client authentication failed "
                                 "(with `WWW-Authenticate: Basic` when it was attempted).")


blp.url_value_preprocessor(load_bank)
blp.url_defaults(add_bank)


@blp.after_request
def _protect(response: Response) -> Response:
    """No framing of any page (``pagepolicy`` adds ``frame-ancestors``); nothing cached that
    carries codes, tokens or credentials."""
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Cache-Control", "no-store")
    if response.mimetype == HTML:
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


@blp.errorhandler(InsecureTransportError)
def _insecure(error: InsecureTransportError) -> Response:
    error.description = ("OAuth 2 requires https, except on a loopback address (localhost, "
                         "127.0.0.1): serve over TLS and set SANDBOX_BASE_URL to the https URL.")
    return server.handle_error_response(None, error)


@blp.errorhandler(flow.PageError)
def _page_error(error: flow.PageError) -> Response:
    """A page error is the bank's HTML error page, never problem+json."""
    return flow.error_page(error)


@blp.route("/.well-known/openid-configuration")
@blp.response(200, ProviderMetadataSchema)
def discovery():
    """OpenID Connect discovery document (RFC 8414 metadata) of the bank; the same document
    is at `/.well-known/oauth-authorization-server/banks/{bank_id}`."""
    return provider_metadata(), 200, PUBLIC_CACHE


@blp.route("/jwks.json")
@blp.response(200, JWKSSchema)
def jwks():
    """The bank's public keys that sign ID tokens.

    After `sandbox keys rotate` the retired key stays published until the ID tokens it signed
    have expired.
    """
    return keys.jwks(db.session, g.bank, now=clock.now(), wall_now=clock.wall_now()), 200, PUBLIC_CACHE


AUTHORIZE_PARAMETERS = [
    {"in": "query", "name": name, "required": False, "schema": {"type": "string"},
     "description": description}
    for name, description in [
        ("response_type", "`code`."), ("client_id", "The client's id."),
        ("redirect_uri", "A registered redirect URI (any port on loopback http URIs)."),
        ("scope", "Space-separated scopes."), ("state", "Returned unchanged."),
        ("nonce", "Copied into the ID token."),
        ("code_challenge", "PKCE S256 challenge (required for public clients)."),
        ("code_challenge_method", "`S256`."),
        ("consent_id", "A consent from `POST {iss}/consents` to authorize."),
        ("prompt", "`none`, `login` or `consent`."),
        ("request_uri", "A `request_uri` from `POST {iss}/par` (then only `client_id`)."),
    ]
]


@blp.route("/authorize", methods=["GET", "POST"])
@blp.doc(
    parameters=AUTHORIZE_PARAMETERS,
    responses={
        "200": _html("The sign-in, one-time code or consent page. Forms post back to this "
                     "URL: `username` + `password`, `otp`, then `account_ids` (checkboxes) and "
                     "`decision` = `approve` | `deny`, each with `csrf_token` and `step`."),
        "302": _redirect("Back to the client's redirect URI with `code` (or `error`), "
                         "`state` and `iss`."),
        "303": _redirect("On to the next step of the flow (same URL)."),
        "400": _html("An error page (unknown client, unregistered redirect URI, bad "
                     "`request_uri`, missing CSRF token), or a form shown again with a "
                     "message (wrong password or code)."),
        "403": _html("The sign-in form with a refusal: the account is locked."),
    },
)
def authorize():
    """Authorization endpoint: the branded sign-in, one-time code and consent pages.

    An authorization request may also be POSTed (form body); it then continues as a GET.
    """
    if request.method == "POST" and "step" not in request.form:
        query = urlencode(list(request.form.items(multi=True)))
        return redirect(f"{request.script_root}{request.path}?{query}", 303)
    return flow.handle()


@blp.route("/token", methods=["POST"])
@blp.doc(requestBody=_form_body("TokenRequest"), responses={
    "200": _json("TokenResponse", "Tokens."), "400": BAD_REQUEST, "401": BAD_CLIENT})
def token():
    """Token endpoint: authorization code (PKCE), refresh token, client credentials.

    Codes work once and live 60 seconds; refresh tokens rotate on every use.
    """
    keys.active_key(db.session, g.bank.id, now=clock.now())
    return server.create_token_response()


@blp.route("/revoke", methods=["POST"])
@blp.doc(requestBody=_form_body("TokenAction"), responses={
    "200": {"description": "Revoked, or unknown (RFC 7009 answers 200 either way)."},
    "400": BAD_REQUEST, "401": BAD_CLIENT})
def revoke():
    """Token revocation (RFC 7009); revoking a refresh token revokes its whole grant."""
    return server.create_endpoint_response("revocation")


@blp.route("/introspect", methods=["POST"])
@blp.doc(requestBody=_form_body("TokenAction"), responses={
    "200": _json("Introspection", "Whether the token is active, and what it carries."),
    "400": BAD_REQUEST, "401": BAD_CLIENT})
def introspect():
    """Token introspection (RFC 7662), for confidential clients and their own tokens."""
    return server.create_endpoint_response("introspection")


@blp.route("/userinfo", methods=["GET", "POST"])
@blp.doc(security=[{BEARER_SCHEME: ["openid"]}], responses={
    "200": _json("UserInfo", "Claims released by the token's scopes."),
    "400": _json("OAuthError", "`invalid_request`: the token was sent more than one way."),
    "401": _json("OAuthError", "No token (challenge without `error`) or `invalid_token`, "
                               "with `WWW-Authenticate: Bearer realm=\"{bank_id}\"`."),
    "403": _json("OAuthError", "`insufficient_scope`: the token lacks `openid`.")})
def userinfo():
    """OpenID Connect UserInfo: `sub`, plus `profile` and `identity` claims by scope.

    GET or POST; the token in `Authorization: Bearer`, or as `access_token` in a POSTed form.
    """
    return userinfo_response()


@blp.route("/register", methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {"application/json": {
    "schema": _ref("ClientMetadata")}}}, responses={
    "201": _json("ClientMetadata", "The registered client and its credentials."),
    "400": _json("OAuthError", "`invalid_redirect_uri` or `invalid_client_metadata`.")})
def register():
    """Dynamic client registration (RFC 7591), open in the sandbox."""
    if not isinstance(request.get_json(silent=True), dict):
        error = InvalidClientMetadataError("Send the client metadata as a JSON object.")
        return server.handle_error_response(None, error)
    return server.create_endpoint_response("client_registration")


@blp.route("/par", methods=["POST"])
@blp.doc(requestBody=_form_body("AuthorizationRequest"), responses={
    "201": _json("PushedRequest", "A single-use `request_uri`, valid 90 seconds."),
    "400": BAD_REQUEST, "401": BAD_CLIENT})
def par():
    """Pushed authorization request (RFC 9126): validated now, used at `/authorize`."""
    return server.create_endpoint_response("pushed_authorization")


@blp.route("/arrangements/revoke", methods=["POST"])
@blp.doc(requestBody={"required": True, "content": {FORM: {"schema": {
    "type": "object", "required": ["cdr_arrangement_id"], "properties": {
        "cdr_arrangement_id": {"type": "string", "description": "The `cdr_arrangement_id` "
                                                              "of a token response."}}}}}},
    responses={"204": {"description": "The arrangement (consent) is revoked."},
               "401": BAD_CLIENT,
               "422": {"description": "`urn:au-cds:error:cds-all:Authorisation/"
                                      "InvalidArrangement` in CDR's `errors` list.",
                       "content": {"application/json": {"schema": {"type": "object"}}}}})
def revoke_arrangement():
    """Consumer Data Right arrangement revocation: ends the consent like any revocation.

    Confidential clients only (`client_secret_basic` or `client_secret_post`).
    """
    return server.create_endpoint_response("cdr_arrangement_revocation")
