"""``{iss}/consents``: consents a client creates before sending the customer to
``/authorize?consent_id=...``, reads, and revokes. Errors are problem+json."""
from __future__ import annotations

from flask import g, url_for
from flask.views import MethodView
from flask_smorest import abort

from sandbox import clock
from sandbox.api.auth import MALFORMED, bearer_challenge, bearer_credentials
from sandbox.extensions import db
from sandbox.models import Token
from sandbox.oauth import issuance
from sandbox.oauth.schemas import ConsentRequestSchema, ConsentSchema
from sandbox.oauth.scopes import split
from sandbox.oauth.views import BEARER_SCHEME, blp
from sandbox.services import consents
from sandbox.services.clients import find_client


def _challenge(error: str | None = None) -> dict:
    return bearer_challenge(g.bank.id, error)


def client_token(*, client_credentials: bool = False) -> Token:
    """The request's active bearer token of this bank; aborts 401 (or 403 when a
    client-credentials token is required and this one acts for a customer)."""
    value, error = bearer_credentials()
    if value is None:
        abort(401, message=MALFORMED if error else (
            "Send an access token: `Authorization: Bearer <token>` (from "
            "`grant_type=client_credentials`)."), headers=_challenge(error))
    token = issuance.find_access_token(value)
    if token is None or not token.is_active(clock.now()):
        abort(401, message="The access token is unknown, expired or revoked.",
              headers=_challenge("invalid_token"))
    if client_credentials and token.customer_id is not None:
        abort(403, message="Create consents with a client-credentials token "
                           "(`grant_type=client_credentials`), not a customer's token.",
              headers=_challenge("insufficient_scope"))
    return token


def _owned_consent(consent_id: str, token: Token):
    consent = consents.find_consent(g.bank.id, consent_id)
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
        client = find_client(g.bank.id, token.client_id)
        refused = [name for name in split(body["scope"])
                   if name not in split(client.get_allowed_scope(body["scope"]))]
        if refused:
            abort(422, message=f"The client may not ask for {', '.join(refused)}.",
                  errors={"json": {"scope": [f"Not allowed for this client: {refused[0]}."]}})
        if body["expires_at"] is not None and body["expires_at"] <= now:
            abort(422, message="expires_at must be in the future.",
                  errors={"json": {"expires_at": ["Must be in the future."]}})
        consent = consents.create_consent(
            g.bank, token.client_id, body["scope"], now, purpose=body["purpose"],
            expires_at=body["expires_at"], transaction_from=body["transaction_from"],
            transaction_to=body["transaction_to"])
        db.session.commit()
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
        consents.revoke(consent, clock.now())
        db.session.commit()
