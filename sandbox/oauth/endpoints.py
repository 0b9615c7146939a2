"""Authlib endpoints with the sandbox's storage and policy: revocation (RFC 7009),
introspection (RFC 7662, confidential clients only), dynamic registration (RFC 7591),
pushed authorization requests (RFC 9126), Consumer Data Right arrangement revocation and
userinfo."""
from __future__ import annotations

import secrets
from datetime import timedelta

from authlib.consts import default_json_headers
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import (
    Endpoint,
    InvalidRequestError,
    UnauthorizedClientError,
)
from authlib.oauth2.rfc7009 import RevocationEndpoint
from authlib.oauth2.rfc7591 import (
    ClientRegistrationEndpoint,
    InvalidClientMetadataError,
    InvalidRedirectURIError,
)
from authlib.oauth2.rfc7662 import IntrospectionEndpoint
from flask import g

from sandbox import clock
from sandbox.extensions import db
from sandbox.models import PushedRequest
from sandbox.oauth import claims, issuance
from sandbox.oauth.grants import ALL_CLIENT_AUTH, SECRET_CLIENT_AUTH
from sandbox.oauth.protocol_time import wall_seconds
from sandbox.oauth.metadata import PAR_LIFETIME_SECONDS, provider_metadata
from sandbox.oauth.schemas import ClientMetadataSchema
from sandbox.oauth.server import (
    ParamsPayload,
    SandboxOAuth2Request,
    describe_invalid,
    issuer,
)
from sandbox.services import consents
from sandbox.services.clients import register_client
from sandbox.services.tokens import Grant, access_grant

REQUEST_URI_PREFIX = "urn:ietf:params:oauth:request_uri:"


class TokenRevocation(RevocationEndpoint):
    """RFC 7009 for any client, public ones included, on its own tokens."""

    CLIENT_AUTH_METHODS = ALL_CLIENT_AUTH

    def query_token(self, token_string, token_type_hint):
        return issuance.find_token(token_string)

    def revoke_token(self, token, oauth_request):
        issuance.revoke(token, oauth_request.form["token"])


class TokenIntrospection(IntrospectionEndpoint):
    """RFC 7662 for confidential clients, on their own tokens. A token is active only while
    unexpired, unrevoked and its consent authorized and unexpired."""

    CLIENT_AUTH_METHODS = SECRET_CLIENT_AUTH

    def query_token(self, token_string, token_type_hint):
        return issuance.find_token(token_string)

    def check_permission(self, token, client, oauth_request):
        return token.client_id == client.client_id

    def create_endpoint_response(self, oauth_request):
        client = self.authenticate_endpoint_client(oauth_request)
        token = self.authenticate_token(oauth_request, client)
        body = self.introspection(token, oauth_request.form["token"])
        return 200, body, default_json_headers

    def introspection(self, token, token_string: str) -> dict:
        """The RFC 7662 answer for the token row matching ``token_string``."""
        now = clock.now()
        if token is None:
            return {"active": False}
        is_refresh = token_string == token.refresh_token
        if is_refresh:
            active = token.refresh_is_active(now)
        else:
            active = isinstance(
                access_grant(db.session.connection(), token_string, now), Grant)
        if not active:
            return {"active": False}
        body = {
            "active": True,
            "client_id": token.client_id,
            "token_type": token.token_type,
            "scope": token.scope,
            "iss": issuer(),
            "aud": token.client_id,
            "iat": wall_seconds(token.issued_at),
            "exp": wall_seconds(token.refresh_token_expires_at if is_refresh
                                else token.issued_at + token.expires_in),
        }
        if token.customer_id:
            customer = token.get_user()
            body.update(sub=claims.subject(customer), username=customer.username,
                        consent_id=token.consent_id)
        return body


#: The scope of a client registered without one: no data scope, and never ``manage``.
DEFAULT_REGISTERED_SCOPE = "openid"


class ClientRegistration(ClientRegistrationEndpoint):
    """RFC 7591, open in the sandbox (no initial access token). Metadata is held to the
    types and limits of ``ClientMetadataSchema``; redirect URIs must be https, or http on a
    loopback address, and carry no fragment; without ``scope`` a client gets ``openid``
    only. Such clients are shown to people as unverified apps."""

    def authenticate_token(self, json_request):
        return "open-registration"

    def get_server_metadata(self):
        return provider_metadata()

    def generate_client_info(self, json_request):
        info = super().generate_client_info(json_request)
        info["client_id_issued_at"] = wall_seconds(issuance.now_seconds())
        if json_request.payload.data.get("token_endpoint_auth_method") == "none":
            del info["client_secret"]
        return info

    def extract_client_metadata(self, json_request):
        errors = ClientMetadataSchema().validate(json_request.payload.data)
        if "redirect_uris" in errors:
            raise InvalidRedirectURIError(describe_invalid(
                {"redirect_uris": errors["redirect_uris"]}))
        if errors:
            raise InvalidClientMetadataError(describe_invalid(errors))
        metadata = super().extract_client_metadata(json_request)
        metadata.setdefault("grant_types", ["authorization_code"])
        metadata.setdefault("response_types",
                            ["code"] if "authorization_code" in metadata["grant_types"] else [])
        metadata.setdefault("scope", DEFAULT_REGISTERED_SCOPE)
        if "authorization_code" in metadata["grant_types"] and not metadata.get("redirect_uris"):
            raise InvalidRedirectURIError("Clients using the authorization code grant must "
                                          "register 'redirect_uris'.")
        if ("code" in metadata["response_types"]) != ("authorization_code"
                                                     in metadata["grant_types"]):
            raise InvalidClientMetadataError("'response_types' must include 'code' exactly "
                                             "when 'grant_types' includes "
                                             "'authorization_code'.")
        if (metadata["token_endpoint_auth_method"] == "none"
                and "client_credentials" in metadata["grant_types"]):
            raise InvalidClientMetadataError("A public client ('none') cannot use the "
                                             "client_credentials grant.")
        return metadata

    def save_client(self, client_info, client_metadata, json_request):
        return register_client(db.session, g.bank.id, client_info, client_metadata)


class PushedAuthorization(Endpoint):
    """RFC 9126: the client pushes its authorization request and gets a ``request_uri``,
    single-use, bound to the client, valid for 90 seconds."""

    ENDPOINT_NAME = "pushed_authorization"
    CLIENT_AUTH_METHODS = ALL_CLIENT_AUTH

    def create_endpoint_response(self, oauth_request):
        client = self.server.authenticate_client(oauth_request, self.CLIENT_AUTH_METHODS,
                                                 self.ENDPOINT_NAME)
        datalist = {key: values for key, values in oauth_request.payload.datalist.items()
                    if key != "client_secret"}
        if "request_uri" in datalist:
            raise InvalidRequestError("'request_uri' cannot be pushed.")
        if datalist.setdefault("client_id", [client.client_id]) != [client.client_id]:
            raise InvalidRequestError("'client_id' does not match the authenticated client.")
        if not client.check_grant_type("authorization_code"):
            raise UnauthorizedClientError("The client may not use the authorization code grant.")
        self.validate_authorization(datalist)
        now = clock.now()
        pushed = PushedRequest(
            request_uri=REQUEST_URI_PREFIX + secrets.token_urlsafe(32), bank_id=g.bank.id,
            client_id=client.client_id, params={key: values[0] for key, values in datalist.items()},
            expires_at=now + timedelta(seconds=PAR_LIFETIME_SECONDS))
        db.session.add(pushed)
        body = {"request_uri": pushed.request_uri, "expires_in": PAR_LIFETIME_SECONDS}
        return 201, body, default_json_headers

    def validate_authorization(self, datalist: dict[str, list[str]]) -> None:
        """Validate the pushed parameters as the authorization endpoint would; errors are
        answered to the client, never redirected."""
        pushed = SandboxOAuth2Request(ParamsPayload(datalist))
        pushed.pushed = True
        try:
            grant = self.server.get_authorization_grant(pushed)
            grant.validate_no_multiple_request_parameter(pushed)
            grant.validate_authorization_request()
        except OAuth2Error as error:
            error.redirect_uri = None
            raise


#: The CDR error code of an arrangement the client cannot revoke (Consumer Data Standards'
#: error catalogue).
INVALID_ARRANGEMENT = "urn:au-cds:error:cds-all:Authorisation/InvalidArrangement"


class ArrangementRevocation(Endpoint):
    """Consumer Data Right arrangement revocation: a confidential client ends the consent
    named by ``cdr_arrangement_id`` like any other revocation (its tokens stop working at
    once, ``consent.revoked`` fires) and gets ``204``; an arrangement that is not the
    client's, or no longer authorized, is ``422`` in CDR's error shape."""

    ENDPOINT_NAME = "cdr_arrangement_revocation"
    CLIENT_AUTH_METHODS = SECRET_CLIENT_AUTH

    def create_endpoint_response(self, oauth_request):
        client = self.server.authenticate_client(oauth_request, self.CLIENT_AUTH_METHODS,
                                                 self.ENDPOINT_NAME)
        arrangement_id = oauth_request.form.get("cdr_arrangement_id", "")
        now = clock.now()
        consent = consents.active_consent(db.session, g.bank.id, client.client_id,
                                          arrangement_id, now=now)
        if consent is None:
            detail = ("Missing cdr_arrangement_id." if not arrangement_id else
                      "The arrangement is unknown, belongs to another client, or is no longer "
                      "active.")
            body = {"errors": [{"code": INVALID_ARRANGEMENT, "title": "Invalid Consent "
                                "Arrangement", "detail": detail}]}
            return 422, body, default_json_headers
        consents.revoke(db.session, consent, now=now, by="client")
        return 204, "", {}
