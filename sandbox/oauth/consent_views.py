"""``{iss}/consents``: consents a client creates before sending the customer to
``/authorize?consent_id=...``, reads, and revokes. Errors are problem+json."""
from __future__ import annotations

from flask import g, url_for
from flask.views import MethodView
from flask_smorest import abort

from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import InvalidRequestError, MissingAuthorizationError

from sandbox import clock
from sandbox.errors import Forbidden, Unauthorized
from sandbox.extensions import db
from sandbox.oauth.resource import (
    ANY,
    CLIENT,
    MALFORMED,
    WrongTokenKind,
    bearer_challenge,
    require_oauth,
)
from sandbox.oauth.schemas import ConsentRequestSchema, ConsentSchema
from sandbox.oauth.scopes import split
from sandbox.oauth.views import BEARER_SCHEME, blp
from sandbox.services import consents
from sandbox.services.clients import find_client
from sandbox.services.tokens import Grant


#: What a request without a token is told.
NEEDS_TOKEN = ("Send an access token: `Authorization: Bearer <token>` (from "
               "`grant_type=client_credentials`).")
INACTIVE = "The access token is unknown, expired or revoked."


def client_token(*, client_credentials: bool = False) -> Grant:
    """The grant of the request's active bearer token of this bank; raises 401 (or 403 when
    a client-credentials token is required and this one acts for a customer)."""
    try:
        return require_oauth.acquire_token(
            bank_id=g.bank.id, kind=CLIENT if client_credentials else ANY)
    except WrongTokenKind:
        raise Forbidden("Create consents with a client-credentials token "
                        "(`grant_type=client_credentials`), not a customer's token.",
                        headers=bearer_challenge(g.bank.id, "insufficient_scope")) from None
    except InvalidRequestError:
        raise Unauthorized(MALFORMED, headers=bearer_challenge(
            g.bank.id, "invalid_request")) from None
    except MissingAuthorizationError:
        raise Unauthorized(NEEDS_TOKEN, headers=bearer_challenge(g.bank.id)) from None
    except OAuth2Error:
        raise Unauthorized(INACTIVE, headers=bearer_challenge(
            g.bank.id, "invalid_token")) from None


def _owned_consent(consent_id: str, token: Grant):
    consent = consents.find_consent(db.session, g.bank.id, consent_id)
    if consent is None or consent.client_id != token.client_id:
        abort(404, message=f"The client has no consent {consent_id!r} at this bank.")
    return consent


@blp.route("/consents")
class Consents(MethodView):
    @blp.doc(security=[{BEARER_SCHEME: []}])
    @blp.arguments(ConsentRequestSchema)
    @blp.response(201, ConsentSchema, headers={"Location": {
        "description": "URL of the new consent.", "schema": {"type": "string"}}})
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(403, response="FORBIDDEN")
    def post(self, body):
        """Create a consent awaiting the customer's authorization.

        Needs a client-credentials token. Send the customer to
        `{iss}/authorize?...&consent_id=<consent_id>` to authorize it; `expires_at` is capped by
        the bank's `consent_max_days`.
        """
        token = client_token(client_credentials=True)
        now = clock.now()
        client = find_client(db.session, g.bank.id, token.client_id)
        refused = [name for name in split(body["scope"])
                   if name not in split(client.get_allowed_scope(body["scope"]))]
        if refused:
            abort(422, message=f"The client may not ask for {', '.join(refused)}.",
                  errors={"json": {"scope": [f"Not allowed for this client: {refused[0]}."]}})
        if body["expires_at"] is not None and body["expires_at"] <= now:
            abort(422, message="expires_at must be in the future.",
                  errors={"json": {"expires_at": ["Must be in the future."]}})
        consent = consents.create_consent(
            db.session, g.bank, token.client_id, body["scope"], now=now, purpose=body["purpose"],
            expires_at=body["expires_at"], transaction_from=body["transaction_from"],
            transaction_to=body["transaction_to"])
        return consent, 201, {"Location": url_for(".Consent", consent_id=consent.id)}


@blp.route("/consents/<consent_id>")
class Consent(MethodView):
    @blp.doc(security=[{BEARER_SCHEME: []}])
    @blp.response(200, ConsentSchema)
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(404, response="NOT_FOUND")
    def get(self, consent_id):
        """A consent of the calling client, with its current status."""
        return _owned_consent(consent_id, client_token())

    @blp.doc(security=[{BEARER_SCHEME: []}])
    @blp.response(204)
    @blp.alt_response(401, response="UNAUTHORIZED")
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, consent_id):
        """Revoke a consent: every token issued under it stops working at once."""
        consent = _owned_consent(consent_id, client_token())
        consents.revoke(db.session, consent, now=clock.now(), by="client")
