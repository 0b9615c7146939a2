"""``/sandbox/banks/{bank_id}/customers`` and ``.../accounts/{account_id}/transactions``:
custom customers and injected transactions."""
from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from sandbox import clock
from sandbox.control.fields import Instant
from sandbox.control.guard import AdminBlueprint
from sandbox.extensions import db
from sandbox.services import scenarios
from sandbox.services.scenarios.schema import CustomerSpecSchema, TransactionDocSchema

blp = AdminBlueprint("sandbox-customers", __name__,
                     description="Custom customers and injected transactions (QA control plane).")


class NewCustomerSchema(CustomerSpecSchema):
    """A customer from a partial spec: a username is made up when absent; without
    `accounts` the customer gets generated accounts and history of `profile` (default
    `regular`)."""


class CreatedAccountSchema(ma.Schema):
    """An account of the customer."""

    id = ma.fields.String(metadata={"description": "Account id."})
    type = ma.fields.String(metadata={"description": "Account type."})
    name = ma.fields.String(metadata={"description": "Product name."})
    mask = ma.fields.String(metadata={"description": "Last four digits."})


class MintedTokenSchema(ma.Schema):
    """Tokens of a consent the document asked for."""

    access_token = ma.fields.String(metadata={"description": "Bearer token."})
    refresh_token = ma.fields.String(allow_none=True, metadata={"description": "Refresh token."})
    expires_in = ma.fields.Integer(metadata={"description": "Access token lifetime, seconds."})
    scope = ma.fields.String(metadata={"description": "Granted scopes."})
    consent_id = ma.fields.String(metadata={"description": "The consent."})
    token_type = ma.fields.String(metadata={"description": "`Bearer`."})


class CreatedCustomerSchema(ma.Schema):
    """A customer the control plane created or updated, with what a test needs to use it."""

    bank_id = ma.fields.String(metadata={"description": "The bank."})
    username = ma.fields.String(metadata={"description": "Login name."})
    password = ma.fields.String(allow_none=True, metadata={
        "description": "Password (null when an existing customer's was left unchanged)."})
    customer_id = ma.fields.String(metadata={"description": "Customer id."})
    accounts = ma.fields.List(ma.fields.Nested(CreatedAccountSchema),
                              metadata={"description": "The customer's accounts."})
    tokens = ma.fields.List(ma.fields.Nested(MintedTokenSchema), metadata={
        "description": "Tokens of the consents the spec asked for, in order."})


class InjectSchema(ma.Schema):
    """Transactions to add to the account."""

    transactions = ma.fields.List(ma.fields.Nested(TransactionDocSchema), required=True,
                                  validate=ma.validate.Length(min=1, max=50_000),
                                  metadata={"description": "Transactions (only `amount` "
                                                           "required), pending or posted."})


class DeclinedSchema(ma.Schema):
    """A card purchase the locked card declined: recorded, but no transaction and no money
    moved."""

    index = ma.fields.Integer(metadata={"description": "Position of the purchase in the "
                                                       "request's `transactions`."})
    id = ma.fields.String(metadata={"description": "Id of the declined authorization."})
    amount = ma.fields.String(metadata={"description": "The amount attempted, signed from the "
                                                       "holder's side.", "example": "-42.17"})
    currency = ma.fields.String(metadata={"description": "Currency."})
    description = ma.fields.String(metadata={"description": "Statement text of the attempt."})
    attempted_at = Instant(metadata={"description": "When the purchase was attempted."})
    reason = ma.fields.String(metadata={"description": "Why it was declined: `card_locked`."})


class InjectedSchema(ma.Schema):
    """The account after the injection."""

    account_id = ma.fields.String(metadata={"description": "The account."})
    transaction_ids = ma.fields.List(
        ma.fields.String(metadata={"description": "A transaction id."}),
        metadata={"description": "Ids of the transactions added, in the order given (declined "
                                 "purchases have none)."})
    declined = ma.fields.List(ma.fields.Nested(DeclinedSchema), metadata={
        "description": "Card purchases (in store or online, negative amount) declined because "
                       "the account's card is locked; empty otherwise."})
    balances = ma.fields.Dict(metadata={"description": "The account's balances now (as "
                                                       "`GET .../balances` answers them)."})


@blp.route("/banks/<bank_id>/customers")
class Customers(MethodView):
    @blp.admin
    @blp.arguments(NewCustomerSchema, example={
        "username": "qa_alice", "accounts": [{"type": "checking",
                                              "balances": {"current": "-120.00"}}]})
    @blp.response(201, CreatedCustomerSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, spec, bank_id):
        """Create (or update) a customer from a partial spec; answers credentials and ids."""
        return scenarios.create_customer(db.session, bank_id, spec, now=clock.now())


@blp.route("/banks/<bank_id>/accounts/<account_id>/transactions")
class Transactions(MethodView):
    @blp.admin
    @blp.arguments(InjectSchema, example={"transactions": [
        {"amount": "-42.17", "description": "CORNER CAFE", "status": "pending"},
        {"amount": "2500.00", "description": "PAYROLL", "authorized_at": "now-P1D"}]})
    @blp.response(201, InjectedSchema)
    @blp.alt_response(404, response="NOT_FOUND")
    def post(self, body, bank_id, account_id):
        """Inject transactions, pending or posted; balances and running balances follow.

        Raises `transaction.created` (and `transaction.posted` for posted rows) and
        `balance.low` webhooks. When the account's card is locked, card purchases are
        declined: they are listed in `declined` and no transaction is added for them.
        """
        return scenarios.add_transactions(db.session, bank_id, account_id, body["transactions"],
                                          now=clock.now())
