"""``POST /account-access-consents``, ``GET`` and ``DELETE /account-access-consents/{ConsentId}``:
OB consents are Sandbank consents, created, read and revoked by the client with a
client-credentials token, and authorized by the customer at ``{iss}/authorize?consent_id=``."""
from __future__ import annotations

import marshmallow as ma
from authlib.oauth2 import OAuth2Error
from flask import request, url_for
from flask.views import MethodView
from flask_smorest import abort

from sandbox import clock
from sandbox.api.auth import refusal
from sandbox.control.fields import Instant
from sandbox.dialects.ukob import mapping
from sandbox.dialects.ukob.protocol import answer, blp, check_fapi_headers, envelope
from sandbox.errors import BadRequest, Forbidden, NotFound, Unprocessable
from sandbox.extensions import db
from sandbox.models import Bank
from sandbox.oauth.resource import CLIENT, WrongTokenKind, bearer_challenge, require_oauth
from sandbox.services import consents, ukob_consents
from sandbox.services.clients import find_client
from sandbox.services.tokens import Grant
from sandbox.web.urls import public_base_url

CLIENT_TOKEN = ("Account-access consents belong to the client: use a client-credentials "
                "token (`grant_type=client_credentials`), not a customer's token.")


class ConsentDataSchema(ma.Schema):
    """``OBReadConsent1.Data``."""

    class Meta:
        unknown = ma.EXCLUDE

    Permissions = ma.fields.List(ma.fields.String(), required=True,
                                 validate=ma.validate.Length(min=1))
    ExpirationDateTime = Instant(load_default=None)
    TransactionFromDateTime = Instant(load_default=None)
    TransactionToDateTime = Instant(load_default=None)

    @ma.validates_schema
    def _window(self, data, **_):
        start, end = data.get("TransactionFromDateTime"), data.get("TransactionToDateTime")
        if start and end and start > end:
            raise ma.ValidationError("Must not be before TransactionFromDateTime.",
                                     "TransactionToDateTime")


class ConsentRequestSchema(ma.Schema):
    """``OBReadConsent1``: ``Data`` and an empty ``Risk``."""

    class Meta:
        unknown = ma.EXCLUDE

    Data = ma.fields.Nested(ConsentDataSchema, required=True)
    Risk = ma.fields.Dict(required=True, validate=ma.validate.Length(
        max=0, error="Must be an empty object (OBRisk2 has no members for account access)."))


CONSENT_REQUEST = ConsentRequestSchema()


def client_grant(bank_id: str) -> Grant:
    """The request's client-credentials grant at ``bank_id``, or the error refusing it."""
    try:
        grant = require_oauth.acquire_token(bank_id=bank_id, kind=CLIENT)
    except WrongTokenKind:
        raise Forbidden(CLIENT_TOKEN, headers=bearer_challenge(
            bank_id, "insufficient_scope")) from None
    except OAuth2Error as error:
        raise refusal(error, bank_id, CLIENT, None) from None
    check_fapi_headers()
    return grant


def _body() -> dict:
    """The request's ``OBReadConsent1``, or the 415/400 refusing it."""
    if request.mimetype != "application/json":
        abort(415, message="Send the consent as JSON (`Content-Type: application/json`).")
    try:
        return CONSENT_REQUEST.load(request.get_json(silent=True) or {})
    except ma.ValidationError as error:
        abort(400, errors=error.messages)


def _owned(bank_id: str, consent_id: str, client_id: str):
    consent = consents.find_consent(db.session, bank_id, consent_id)
    if consent is None or consent.client_id != client_id:
        raise NotFound(f"The client has no account-access consent {consent_id!r} here.",
                       field="ConsentId", location="path")
    return consent


def _answer(consent, status: int = 200):
    """The consent as ``OBReadConsentResponse1``, ``Links.Self`` its own URL."""
    permissions = ukob_consents.sent_permissions(db.session, consent.id)
    if permissions is None:
        permissions = sorted(ukob_consents.granted(None, frozenset(consent.scopes)))
    own = public_base_url() + url_for(".AccountAccessConsent", bank_id=consent.bank_id,
                                      consent_id=consent.id)
    return answer({**envelope(mapping.consent(consent, permissions, clock.now()),
                              self_url=own), "Risk": {}}, status)


@blp.route("/account-access-consents")
class AccountAccessConsents(MethodView):
    def post(self, bank_id: str):
        """Create an account-access consent awaiting the customer's authorization."""
        grant = client_grant(bank_id)
        body = _body()
        data, now = body["Data"], clock.now()
        if data["ExpirationDateTime"] is not None and data["ExpirationDateTime"] <= now:
            raise Unprocessable("ExpirationDateTime must be in the future.",
                                field="Data.ExpirationDateTime", location="json")
        scope = ukob_consents.scope_for(data["Permissions"])
        client = find_client(db.session, bank_id, grant.client_id)
        refused = [name for name in scope.split()
                   if name not in client.get_allowed_scope(scope).split()]
        if refused:
            raise BadRequest(f"The client may not ask for {', '.join(refused)}.",
                             field="Data.Permissions", location="json")
        start, end = data["TransactionFromDateTime"], data["TransactionToDateTime"]
        consent = ukob_consents.create(
            db.session, db.session.get(Bank, bank_id), grant.client_id, data["Permissions"],
            now=now, expires_at=data["ExpirationDateTime"],
            transaction_from=start.date() if start else None,
            transaction_to=end.date() if end else None)
        return _answer(consent, 201)


@blp.route("/account-access-consents/<consent_id>")
class AccountAccessConsent(MethodView):
    def get(self, bank_id: str, consent_id: str):
        """An account-access consent of the calling client, with its status."""
        grant = client_grant(bank_id)
        return _answer(_owned(bank_id, consent_id, grant.client_id))

    def delete(self, bank_id: str, consent_id: str):
        """Revoke the consent: every token issued under it stops working at once."""
        grant = client_grant(bank_id)
        consents.revoke(db.session, _owned(bank_id, consent_id, grant.client_id),
                        now=clock.now(), by="client")
        return answer(None, 204)
