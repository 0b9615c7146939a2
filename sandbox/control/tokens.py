"""``/sandbox/banks/{bank_id}/tokens``: an authorized consent and its tokens, without the
consent screen, for tests that are not about it."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView
from flask_smorest import abort

from sandbox import clock
from sandbox.vocabulary import SCOPES
from sandbox.control.fields import Instant
from sandbox.control.guard import AdminBlueprint
from sandbox.extensions import db
from sandbox.models import Bank
from sandbox.services.clients import find_client
from sandbox.oauth.minting import mint_token

blp = AdminBlueprint("sandbox-tokens", __name__,
                     description="Tokens minted without the consent screen (QA control plane).")

DATA_SCOPES = "openid offline_access accounts balances transactions receipts shipments identity"


def _scope(value: str) -> None:
    unknown = sorted(set(value.split()) - set(SCOPES))
    if unknown:
        raise ma.ValidationError(f"Unknown scope {unknown[0]!r}; scopes are {', '.join(SCOPES)}.")
    if not value.split():
        raise ma.ValidationError("Name at least one scope.")


class MintSchema(ma.Schema):
    """Whose data, for which client, with which scopes."""

    username = ma.fields.String(required=True, metadata={
        "description": "The customer granting the consent.", "example": "user_good"})
    client_id = ma.fields.String(load_default="demo-app", metadata={
        "description": "A client registered at the bank.", "example": "demo-app"})
    scope = ma.fields.String(load_default=DATA_SCOPES, validate=_scope, metadata={
        "description": "Space-separated scopes; `offline_access` adds a refresh token.",
        "example": "accounts balances transactions offline_access"})
    account_ids = ma.fields.List(
        ma.fields.String(metadata={"description": "An account id of the customer."}),
        load_default=None, allow_none=True,
        metadata={"description": "Accounts in the consent; absent or null: all the customer's "
                                 "accounts."})
    expires_at = Instant(load_default=None, allow_none=True, metadata={
        "description": "When the consent expires; default: the bank's maximum consent duration."})
    transaction_from = ma.fields.Date(load_default=None, allow_none=True, metadata={
        "description": "First day of transaction history the consent opens."})
    transaction_to = ma.fields.Date(load_default=None, allow_none=True, metadata={
        "description": "Last day of transaction history the consent opens."})
    purpose = ma.fields.String(load_default=None, allow_none=True, metadata={
        "description": "The purpose the client states."})


class MintedSchema(ma.Schema):
    """A token response, as the token endpoint would answer, plus the consent id."""

    access_token = ma.fields.String(metadata={"description": "Bearer token for the data API."})
    refresh_token = ma.fields.String(allow_none=True, metadata={
        "description": "Refresh token (with `offline_access`), else null."})
    expires_in = ma.fields.Integer(metadata={"description": "Access token lifetime, seconds."})
    scope = ma.fields.String(metadata={"description": "Granted scopes."})
    consent_id = ma.fields.String(metadata={"description": "The authorized consent."})
    token_type = ma.fields.String(metadata={"description": "Always `Bearer`."})


@blp.route("/banks/<bank_id>/tokens")
class Tokens(MethodView):
    @blp.admin
    @blp.arguments(MintSchema, example={"username": "user_good",
                                        "scope": "accounts balances transactions"})
    @blp.response(201, MintedSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, spec, bank_id):
        """Create an authorized consent and its tokens for a customer."""
        if db.session.get(Bank, bank_id) is None:
            abort(404, message=f"There is no bank {bank_id!r}.")
        if find_client(db.session, bank_id, spec["client_id"]) is None:
            abort(422, errors={"json": {"client_id": [
                f"No client {spec['client_id']!r} is registered at {bank_id}."]}})
        return mint_token(db.session, bank_id, spec.pop("client_id"), spec.pop("username"),
                          spec.pop("scope"), spec.pop("account_ids"), now=clock.now(), **spec)
